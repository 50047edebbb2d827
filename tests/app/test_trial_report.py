"""The trial report's use case on in-memory data: local control from linked treated lesions,
time frames, a missing CTCAE dictionary, endpoints without a derivation — each compared with
direct engine calls or checked for the reason it gives."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.results import RateOutcome, TteOutcome
from oncotrial.app.dictionary import MISSING_DICTIONARY
from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.endpoints.local_progression import derive_local_progression, treated_lesions
from oncotrial.endpoints.rates import ORR, compute_rate
from oncotrial.endpoints.tte import Param, derive_adtte, new_therapy_from_cm, rules_for
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.formats.lesions import sdtm_lesions
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.protocol.endpoints import EndpointKind, EndpointLevel, read_endpoint
from oncotrial.protocol.timeframe import Duration, TimeUnit
from oncotrial.report import Note, NoteKind, Table
from oncotrial.report.trial import SIMULATED_BANNER, build_trial_report
from oncotrial.response import ReferenceDate, ResponseSettings, derive_response
from oncotrial.simulate import ArmParameters, DesignParameters, simulate_trial
from oncotrial.stats.km import kaplan_meier

GENERATED = datetime(2026, 1, 2, 3, 4)


@pytest.fixture(scope="module")
def ctcae(shared):
    return load_ctcae(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv")


@pytest.fixture(scope="module")
def trial_001(ctcae) -> TrialData:
    """Trial 001 simulated, with each radiotherapy record linked to the subject's first target
    lesion (PRLNKID), as a site recording the irradiated lesions would."""
    protocol = find_protocol("001")
    parameters = DesignParameters(
        arms={
            "A": ArmParameters(orr=0.4, median_pfs_months=11, median_os_months=26),
            "B": ArmParameters(orr=0.25, median_pfs_months=7, median_os_months=20),
        }
    )
    simulated = simulate_trial(protocol, 60, 11, parameters, ctcae=ctcae)
    frames = simulated.frames
    tu = frames["TU"]
    first_target = tu[tu["TUSTRESC"] == "TARGET"].drop_duplicates("USUBJID").set_index("USUBJID")
    pr = frames["PR"].copy()
    pr["PRLNKID"] = pr["USUBJID"].map(first_target["TULNKID"])
    frames["PR"] = pr
    return TrialData(protocol, frames, "simulation of 001 (test)", simulated=True)


def endpoint_of(results, kind: EndpointKind):
    return next(item for item in results.endpoints if item.endpoint.reading.kind is kind)


def test_local_control_is_lpfs_of_the_linked_lesions(trial_001: TrialData, ctcae) -> None:
    results = analyse_trial(trial_001, ctcae=ctcae)
    item = endpoint_of(results, EndpointKind.LOCAL_CONTROL)
    assert isinstance(item.outcome, TteOutcome), item.reasons
    outcome = item.outcome
    assert outcome.param is Param.LPFS and outcome.local is not None

    # the same derivation, engine by engine
    frames = trial_001.frames
    adsl = derive_adsl(frames)
    efficacy = adsl[(adsl["RANDFL"] == "Y") & adsl["RANDDT"].notna()]
    settings = ResponseSettings(reference_date=ReferenceDate.RANDDT)
    lesions = sdtm_lesions(frames["TU"], frames["TR"])
    response = derive_response(
        efficacy[["USUBJID", "STUDYID", "RANDDT"]],
        lesions=lesions[lesions["USUBJID"].isin(set(efficacy["USUBJID"]))],
        settings=settings,
    )
    local = derive_local_progression(response.lesions, treated_lesions(frames["PR"]))
    assert outcome.local.events.equals(local.events)
    subjects = efficacy[efficacy["USUBJID"].isin(set(local.subjects))]
    plan = trial_001.protocol.analysis
    adtte = derive_adtte(
        subjects,
        response.adrs,
        reference="RANDDT",
        params=(Param.LPFS,),
        rules=rules_for(
            "fda2018",
            assessment_interval_days=plan.imaging_interval_days,
            assessment_window_days=plan.imaging_window_days or 0,
        ),
        new_therapy=new_therapy_from_cm(frames["CM"]),
        local_progression=local.events,
    ).adtte
    # only the radiotherapy arm has treated lesions
    assert {label for label, _ in outcome.curves} == {"Maintenance therapy + radiotherapy"}
    ((_, curve),) = outcome.curves
    direct = kaplan_meier(adtte["AVAL"].to_numpy(float), 1 - adtte["CNSR"].to_numpy(int))
    assert curve.n == direct.n == len(local.subjects)
    assert curve.events == direct.events
    assert curve.median.time == direct.median.time
    assert int((adtte["EVNTDESC"] == "Local Progression").sum()) >= 1

    report = build_trial_report(results, generated=GENERATED)
    section = next(s for s in report.walk() if s.id == item.id)
    assert not [
        b for b in section.blocks if isinstance(b, Note) and b.kind is NoteKind.NOT_COMPUTABLE
    ]
    assert any(isinstance(b, Table) and b.id == f"{item.id}-km" for b in section.blocks)
    assert report.title_page.banner == SIMULATED_BANNER


def test_rates_count_assessments_within_the_registered_time_frame(ctcae) -> None:
    protocol = find_protocol("000")
    # Registered as "6 months"; read here as 8 weeks, short enough to leave confirmations out.
    endpoints = tuple(
        e.model_copy(
            update={
                "reading": e.reading.model_copy(
                    update={"time_frame": Duration(value=8, unit=TimeUnit.WEEKS)}
                )
            }
        )
        if e.reading.kind is EndpointKind.ORR
        else e
        for e in protocol.endpoints
    )
    protocol = protocol.model_copy(update={"endpoints": endpoints})
    simulated = simulate_trial(protocol, 30, 5, ctcae=ctcae)
    data = TrialData(protocol, simulated.frames, "test")
    results = analyse_trial(data, ctcae=ctcae)
    orr = endpoint_of(results, EndpointKind.ORR).outcome
    assert isinstance(orr, RateOutcome)

    frames = dict(data.frames)  # the SDTM text the analysis reads
    adsl = derive_adsl(frames)
    efficacy = adsl[adsl["RANDFL"] == "Y"]
    lesions = sdtm_lesions(frames["TU"], frames["TR"])
    zero = pd.to_datetime(
        lesions["USUBJID"].map(dict(zip(efficacy["USUBJID"], efficacy["RANDDT"], strict=False)))
    )
    within = (pd.to_datetime(lesions["DTC"]) - zero).dt.days <= math.floor(8 * 7)
    response = derive_response(
        efficacy[["USUBJID", "STUDYID", "RANDDT"]],
        lesions=lesions[within.to_numpy()],
        settings=ResponseSettings(reference_date=ReferenceDate.RANDDT),
    )
    table = response.summary[["USUBJID", "CBOR"]].assign(
        ARM=efficacy.set_index("USUBJID").loc[response.summary["USUBJID"], "ARM"].to_numpy()
    )
    expected = compute_rate(table, ORR, bor="CBOR", arm="ARM").overall
    assert orr.rate.overall == expected
    # the full follow-up gives more confirmed responses than the first 8 weeks
    full = compute_rate(
        results.response.table.rename(columns={"BOR": "CBOR"}), ORR, bor="CBOR", arm="ARM"
    ).overall
    assert full.count > expected.count


def test_without_a_dictionary_the_adverse_event_sections_say_why(trial_001: TrialData) -> None:
    results = analyse_trial(trial_001, ctcae=None, ctcae_reason=MISSING_DICTIONARY)
    item = endpoint_of(results, EndpointKind.AE_INCIDENCE)
    assert item.outcome is None
    assert "CTCAE v5.0" in item.reasons[0] and "ONCOTRIAL_CTCAE" in item.reasons[0]
    report = build_trial_report(results, generated=GENERATED)
    notes = [
        b.text
        for s in report.walk()
        for b in s.blocks
        if isinstance(b, Note) and b.kind is NoteKind.NOT_COMPUTABLE
    ]
    assert any(
        n.startswith("Safety (adverse events by CTCAE v5.0) cannot be computed because no CTCAE")
        for n in notes
    )
    # the other endpoints are unaffected
    assert isinstance(endpoint_of(results, EndpointKind.PFS).outcome, TteOutcome)


def test_an_endpoint_without_a_derivation_is_quoted_and_explained(ctcae) -> None:
    protocol = find_protocol("002")
    extra = read_endpoint(
        EndpointLevel.OTHER,
        "Event-free survival (EFS)",
        "Time from first dose to any event.",
        "2 years",
    )
    protocol = protocol.model_copy(update={"endpoints": (*protocol.endpoints, extra)})
    simulated = simulate_trial(protocol, 25, 3, ctcae=ctcae)
    results = analyse_trial(TrialData(protocol, simulated.frames, "test"), ctcae=ctcae)
    item = results.endpoints[-1]
    assert item.label == "Other outcome 1" and item.outcome is None
    assert "no derivation for EFS" in item.reasons[0]
    report = build_trial_report(results, generated=GENERATED)
    section = next(s for s in report.walk() if s.id == item.id)
    assert section.title == "Event-free survival (EFS)"
    assert section.blocks[0].text == "Event-free survival (EFS)"  # the registration's title, quoted


def test_report_cutoff_leaves_later_records_out(trial_001: TrialData, ctcae) -> None:
    full = analyse_trial(trial_001, ctcae=ctcae)
    # the day the 30th patient was randomized
    middle = sorted(full.sets.efficacy["RANDDT"])[29]
    early = analyse_trial(trial_001, cutoff=date.fromisoformat(middle), ctcae=ctcae)
    assert early.cutoff_stated and not full.cutoff_stated
    assert 30 <= early.sets.enrolled < full.sets.enrolled
    pfs_full = endpoint_of(full, EndpointKind.PFS).outcome
    pfs_early = endpoint_of(early, EndpointKind.PFS).outcome
    assert sum(c.events for _, c in pfs_early.curves) < sum(c.events for _, c in pfs_full.curves)
