"""Analyse one trial: SDTM frames + protocol (+ analysis plan, + cut-off) → :class:`TrialResults`.

The one entry point of the analysis, used alike by ``oncotrial report``, ``oncotrial demo`` and
the web application's Results page. The order is the pipeline's own (docs/trial-report.md): data
as of the cut-off → ADSL-like subject frame → analysis sets and participant flow → responses
(RECIST 1.1 / iRECIST / mRECIST, as the plan names) → every registered endpoint in the
registration's order. The censoring rules are FDA 2018 (Table 4) with the plan's imaging
schedule; ORR and DCR count confirmed responses in single-arm trials and unconfirmed ones in
randomized trials (RECIST 1.1 §4.6.1).

The analysis plan: the protocol's own (``Protocol.analysis``) unless ``plan`` gives another one.
Everything the analysis takes from a plan — time zero, response settings, the imaging schedule,
the treatment-emergent window — is read from that one object, which the results carry for the
report to state.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from oncotrial.analysis.baseline import baseline_table, stage_editions
from oncotrial.analysis.context import Inputs
from oncotrial.analysis.cutoff import apply_cutoff, latest_date
from oncotrial.analysis.data import TrialData
from oncotrial.analysis.endpoints import compute_endpoint
from oncotrial.analysis.flow import analysis_sets, consort_counts, trial_arms
from oncotrial.analysis.responses import response_run
from oncotrial.analysis.results import EndpointResult, SafetyOutcome, TrialResults
from oncotrial.analysis.safety import safety_outcome
from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.endpoints.tte import RuleSet, rules_for
from oncotrial.errors import InputError, OncotrialError
from oncotrial.plan.model import AnalysisPlan as StatisticalPlan
from oncotrial.protocol.endpoints import Endpoint, EndpointKind, EndpointLevel, EndpointReading
from oncotrial.protocol.model import AnalysisPlan
from oncotrial.response import ReferenceDate, ResponseSettings

__all__ = ["analyse_trial", "response_settings", "with_sap"]


def response_settings(plan: AnalysisPlan, reference: str) -> ResponseSettings:
    """The plan's response settings with the reference date of its time zero."""
    settings = plan.response or ResponseSettings()
    return settings.model_copy(update={"reference_date": ReferenceDate(reference)})


def with_sap(plan: AnalysisPlan, sap: StatisticalPlan) -> AnalysisPlan:
    """The protocol's analysis settings with the reviewed plan's time zero, imaging schedule and
    safety window (the plan states each with its source; the report lists them)."""
    update: dict[str, object] = {
        "reference_date": sap.time_zero.value,
        "teae_window_days": sap.safety.window_days_after_last.value,
    }
    if sap.assessment_interval_days is not None:
        update["imaging_interval_days"] = sap.assessment_interval_days.value
    if sap.assessment_window_days is not None:
        update["imaging_window_days"] = sap.assessment_window_days.value
    return plan.model_copy(update=update)


def analyse_trial(
    data: TrialData,
    *,
    plan: AnalysisPlan | None = None,
    cutoff: date | None = None,
    ctcae: CtcaeDictionary | None = None,
    ctcae_reason: str | None = None,
    sap: StatisticalPlan | None = None,
) -> TrialResults:
    """Every registered endpoint of ``data.protocol`` computed from ``data.frames``.

    ``plan``: the analysis plan to follow (default: the protocol's). ``cutoff``: the data cut-off
    (records dated later are left out); default the latest date in the data. ``ctcae``: NCI's
    CTCAE v5.0 dictionary for the adverse-event endpoints (without it they say why, with
    ``ctcae_reason``). ``sap``: the trial's reviewed statistical analysis plan
    (``oncotrial.plan``); the safety analysis follows its treatment-emergent window and
    attribution, and the report states its assumptions and departures.
    """
    latest = latest_date(data.frames)
    chosen = cutoff or latest
    if chosen is None:
        raise InputError(
            f"{data.source} holds no complete date, so the data cut-off is unknown",
            field="cutoff",
            hint="Give the data cut-off with --cutoff YYYY-MM-DD.",
        )
    frames = apply_cutoff(data.frames, chosen) if cutoff is not None else dict(data.frames)
    protocol = data.protocol
    plan = plan if plan is not None else protocol.analysis
    if sap is not None:
        plan = with_sap(plan, sap)
    adsl = derive_adsl(frames)
    arms = trial_arms(protocol, adsl)
    sets = analysis_sets(protocol, plan, adsl)
    inputs = Inputs(
        protocol=protocol,
        plan=plan,
        frames=frames,
        sets=sets,
        arms=arms,
        settings=response_settings(plan, sets.reference),
        # RECIST 1.1 §4.6.1: confirmation is required where response is the primary endpoint
        # of a non-randomized trial, and not in randomized trials.
        confirmation_required=not protocol.is_randomized,
        rules=rules_for(
            RuleSet.FDA_2018,
            assessment_interval_days=plan.imaging_interval_days,
            assessment_window_days=plan.imaging_window_days or 0,
        ),
        ctcae=ctcae,
        ctcae_reason=ctcae_reason,
        data_notes=data.notes,
        sap=sap,
        adsl=adsl,
        cutoff=chosen,
    )
    endpoints = _endpoints(inputs)
    safety = _plan_safety(inputs, endpoints)
    response = response_run(inputs, None)
    notes = list(data.notes)
    if not isinstance(response, str) and len(response.result.excluded):
        notes.append(
            f"{len(response.result.excluded)} tumour-assessment record(s) or subject(s) were left "
            "out of the response derivation; Methods lists each with the reason."
        )
    return TrialResults(
        protocol=protocol,
        plan=plan,
        trial_id=data.trial_id or protocol.trial_id,
        source=data.source,
        simulated=data.simulated,
        cutoff=chosen,
        cutoff_stated=cutoff is not None,
        arms=arms,
        adsl=adsl,
        sets=sets,
        consort=consort_counts(protocol, adsl, frames, arms, sets),
        baseline=baseline_table(
            sets.efficacy,
            arms,
            editions=stage_editions(frames.get("SC")),
            registered_staging=sap.staging.value if sap and sap.staging else None,
        ),
        settings=inputs.settings,
        confirmation_required=inputs.confirmation_required,
        response=response if not isinstance(response, str) else None,
        response_reason=response if isinstance(response, str) else None,
        rules=inputs.rules,
        endpoints=endpoints,
        safety_frame=frames.get("AE"),
        notes=tuple(notes),
        sap=sap,
        safety=safety,
        supportive=_supportive(inputs),
        dosing=frames.get("EX"),
        procedures=frames.get("PR"),
    )


def _endpoints(inputs: Inputs) -> tuple[EndpointResult, ...]:
    """Every registered endpoint in the registration's order, numbered within its level."""
    levels: Counter[str] = Counter()
    computed = []
    for index, endpoint in enumerate(inputs.protocol.endpoints, start=1):
        levels[endpoint.level.value] += 1
        computed.append(compute_endpoint(inputs, endpoint, index, levels[endpoint.level.value]))
    return tuple(computed)


#: what a plan may add as a supportive analysis of a randomized trial (CONSORT 2010 item 17a:
#: each outcome per group with its precision; ORR/DCR/DoR are the usual supportive ones)
_SUPPORTIVE = (EndpointKind.ORR, EndpointKind.DCR, EndpointKind.DOR)


def _supportive(inputs: Inputs) -> tuple[EndpointResult, ...]:
    """The plan's endpoints that are no registered outcome (``registration`` empty) and that
    oncotrial derives, computed like a registered one, per arm, after the registered ones."""
    if inputs.sap is None or not inputs.protocol.is_randomized:
        return ()
    registered = len(inputs.protocol.endpoints)
    computed: list[EndpointResult] = []
    for planned in inputs.sap.endpoints:
        if planned.registration is not None or planned.kind.value not in _SUPPORTIVE:
            continue
        endpoint = Endpoint(
            level=EndpointLevel.OTHER,
            title=planned.title,
            description=planned.definition.value,
            reading=EndpointReading(kind=planned.kind.value),
        )
        number = len(computed) + 1
        found = compute_endpoint(inputs, endpoint, registered + number, number)
        computed.append(replace(found, supportive=True))
    return tuple(computed)


def _plan_safety(
    inputs: Inputs, endpoints: tuple[EndpointResult, ...]
) -> SafetyOutcome | str | None:
    """The plan's safety analysis when no registered endpoint is one (trial 003 registers
    efficacy only; ICH E3 §12 reports safety regardless). None without a plan."""
    if inputs.sap is None or any(
        e.endpoint.reading.kind is EndpointKind.AE_INCIDENCE for e in endpoints
    ):
        return None
    try:
        return safety_outcome(inputs)
    except OncotrialError as exc:
        return exc.report(limit=5)
