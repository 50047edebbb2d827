"""The trial simulator: reproducible, realistic, consistent with itself and with its parameters."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.errors import ValueProblem
from oncotrial.formats.lesions import sdtm_lesions
from oncotrial.formats.protocol_files import bundled_protocols, find_protocol
from oncotrial.formats.sdtm_spec import DOMAIN_VARIABLES, to_text_frame
from oncotrial.response import ResponseCriteria, ResponseSettings, derive_response
from oncotrial.simulate import ArmParameters, DesignParameters, simulate_trial
from oncotrial.simulate.frames import COLUMNS
from oncotrial.simulate.profiles import AE_PROFILES


@pytest.fixture(scope="module")
def ctcae(shared: Path):
    from oncotrial.formats.ctcae import load_ctcae

    return load_ctcae(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv")


@pytest.fixture(scope="module")
def trial_002():
    return simulate_trial(find_protocol("NCT07064876"), 200, 11)


def _text(result) -> dict[str, pd.DataFrame]:
    return {d: to_text_frame(f, d) for d, f in result.frames.items()}


def test_the_same_seed_gives_the_same_trial_and_another_seed_another() -> None:
    protocol = find_protocol("001")
    first = _text(simulate_trial(protocol, 40, 123))
    second = _text(simulate_trial(protocol, 40, 123))
    assert first.keys() == second.keys()
    for domain in first:
        pd.testing.assert_frame_equal(first[domain], second[domain])
    other = _text(simulate_trial(protocol, 40, 124))
    assert not first["TR"].equals(other["TR"])


@pytest.mark.parametrize("protocol", bundled_protocols(), ids=lambda p: p.trial_id)
def test_every_seed_protocol_simulates_in_the_documented_shape(protocol) -> None:
    result = simulate_trial(protocol, 30, 2)
    frames = result.frames
    assert {"DM", "DS", "TU", "TR", "RS", "EX", "AE", "LB", "QS", "VS", "SC", "GF", "MI"} <= set(
        frames
    )
    for domain, frame in frames.items():
        standard = [v.name for v in DOMAIN_VARIABLES[domain]]
        known = [c for c in frame.columns if c in standard]
        assert known == [c for c in standard if c in known], f"{domain} columns out of order"
        extra = [c for c in frame.columns if c not in standard]
        assert all(c.startswith("AEREL") for c in extra), (domain, extra)
        assert list(frame.columns[:3]) == ["STUDYID", "DOMAIN", "USUBJID"]
        assert set(COLUMNS[domain]) <= set(frame.columns)
        seq = f"{domain}SEQ"
        if seq in frame.columns:
            keys = frame[["USUBJID", seq]]
            assert not keys.duplicated().any()
            assert keys.equals(keys.sort_values(["USUBJID", seq]).reset_index(drop=True))
    enrolled = frames["DS"][frames["DS"]["DSDECOD"].isin(["RANDOMIZED", "ENROLLED"])]
    assert enrolled["USUBJID"].nunique() == 30


def test_adverse_events_use_valid_ctcae_terms_and_grades(ctcae) -> None:
    for specs in AE_PROFILES.values():
        for spec in specs:
            entry = ctcae.lookup(spec.term)
            assert (spec.min_grade, spec.max_grade) == (
                min(entry.defined_grades),
                max(entry.defined_grades),
            ), spec.term
    seen = set()
    for protocol in bundled_protocols():
        ae = simulate_trial(protocol, 120, 5, ctcae=ctcae).frame("AE")
        for term, grade, soc in ae[["AEDECOD", "AETOXGR", "AEBODSYS"]].itertuples(index=False):
            entry = ctcae.check_grade(term, int(grade))
            assert soc == entry.soc
            seen.add(term)
    assert {
        "Pneumonitis",
        "Hypothyroidism",
        "Pneumothorax",
        "Alanine aminotransferase increased",
    } <= seen


def _with_criteria(protocol, criteria: ResponseCriteria | None):
    if criteria is None:
        return protocol
    analysis = protocol.analysis.model_copy(
        update={"response": ResponseSettings(criteria=criteria)}
    )
    return protocol.model_copy(update={"analysis": analysis})


@pytest.mark.parametrize(
    ("trial", "criteria"),
    [
        ("NCT07064876", None),  # the protocol's mRECIST
        ("001", None),  # RECIST 1.1
        ("000", ResponseCriteria.IRECIST),
    ],
)
def test_recorded_responses_are_the_engines_reading_of_the_measurements(trial, criteria) -> None:
    """The simulator reads its scans with the response engine under the protocol's criteria:
    the RS it writes equals what `derive_response` derives from its TU/TR, and RSCAT names the
    criteria (iRECIST: iUPD, confirmed as iCPD at a later scan, ends the imaging)."""
    result = simulate_trial(_with_criteria(find_protocol(trial), criteria), 120, 11)
    frames, settings = result.frames, result.plan.response
    assert criteria is None or settings.criteria is criteria
    derived = derive_response(
        # the ADSL-like frame is derived from SDTM text (the simulator's frames hold numbers)
        derive_adsl({d: to_text_frame(f, d) for d, f in frames.items()}),
        lesions=sdtm_lesions(frames["TU"], frames["TR"]),
        settings=settings,
    )
    assert derived.excluded.empty
    rs = frames["RS"][frames["RS"]["RSTESTCD"] == "OVRLRESP"]
    assert set(rs["RSCAT"]) == {settings.criteria.value}
    recorded = rs.set_index(["USUBJID", "RSDTC"])["RSSTRESC"]
    timepoints = derived.timepoints
    engine = timepoints.set_index(
        [timepoints["USUBJID"], timepoints["ADT"].dt.strftime("%Y-%m-%d")]
    )["OVRLRESP"]
    assert len(recorded) > 400
    pd.testing.assert_series_equal(
        recorded.sort_index(), engine.sort_index(), check_names=False, check_index_type=False
    )
    if settings.criteria is ResponseCriteria.IRECIST:
        words = set(recorded)
        assert {"iUPD", "iCPD"} <= words and not words & {"PD", "CR", "PR", "SD"}
        # Imaging ends at iCPD: nothing is recorded after it.
        for _, seq in rs.sort_values("RSDTC").groupby("USUBJID")["RSSTRESC"]:
            assert "iCPD" not in seq.tolist()[:-1]


def test_treatment_follows_the_protocol_dosing(trial_002) -> None:
    """Serplulimab 300 mg IV every 21 days for at most 6 cycles, after a cryoablation."""
    frames = trial_002.frames
    ex, pr = frames["EX"], frames["PR"]
    assert set(ex["EXTRT"]) == {"SERPLULIMAB"}
    assert set(ex["EXDOSE"]) == {300.0} and set(ex["EXDOSU"]) == {"mg"}
    assert set(ex["EXROUTE"]) == {"INTRAVENOUS"} and set(ex["EXDOSFRQ"]) == {"Q3W"}
    assert ex.groupby("USUBJID").size().max() == 6
    for subject, doses in ex.groupby("USUBJID"):
        days = pd.to_datetime(doses["EXSTDTC"]).diff().dt.days.dropna()
        assert (days >= 21).all(), subject
        delayed = doses["EXADJ"].notna().to_numpy()[1:]
        assert ((days > 21).to_numpy() == delayed).all(), subject
        procedure = pr[pr["USUBJID"] == subject]["PRSTDTC"]
        assert len(procedure) == 1 and procedure.iloc[0] < doses["EXSTDTC"].min()
    assert set(pr["PRTRT"]) == {"CT-GUIDED CRYOABLATION"}
    assert ex["EXADJ"].notna().any()


def test_a_protocol_without_doses_gets_a_documented_generic_cycle() -> None:
    result = simulate_trial(find_protocol("004"), 20, 1)
    assert any("generic 21-day cycle" in note for note in result.notes)
    ex = result.frame("EX")
    assert ex["EXDOSE"].isna().all()
    assert {"TISLELIZUMAB", "ANLOTINIB"} == set(ex["EXTRT"])


def test_randomization_follows_the_arms_and_ratio() -> None:
    result = simulate_trial(find_protocol("001"), 202, 4)
    dm = result.frame("DM")
    counts = dm["ARMCD"].value_counts()
    assert abs(counts["A"] - counts["B"]) <= 2  # permuted blocks of 4, 1:1
    ds = result.frame("DS")
    assert (ds["DSDECOD"] == "RANDOMIZED").sum() == 202


def test_records_respect_time_and_eligibility(trial_002) -> None:
    frames = trial_002.frames
    cutoff = trial_002.cutoff.isoformat()
    for domain, frame in frames.items():
        for column in frame.columns:
            if column.endswith("DTC") and column != "BRTHDTC":
                assert (frame[column].dropna() <= cutoff).all(), (domain, column)
    dm = frames["DM"].set_index("USUBJID")
    enrolled = frames["DS"][frames["DS"]["DSDECOD"] == "ENROLLED"].set_index("USUBJID")["DSSTDTC"]
    deaths = dm["DTHDTC"].dropna()
    assert (deaths > enrolled.reindex(deaths.index)).all()
    assert dm["AGE"].between(18, 85).all()
    failures = dm[dm["ARMNRS"] == "SCREEN FAILURE"].index
    assert len(failures) > 0
    assert set(frames["IE"]["USUBJID"]) == set(failures)
    qs = frames["QS"]
    ecog = qs[(qs["QSTESTCD"] == "ECOG101") & (qs["QSBLFL"] == "Y")]
    assert set(ecog["QSSTRESC"]) <= {"0", "1"}
    gf = frames["GF"]
    assert set(gf["GFTESTCD"]) == {"EGFR", "ALK", "ROS1", "KRAS"}


def test_pdl1_is_associated_with_response() -> None:
    protocol = find_protocol("000")
    parameters = DesignParameters(experimental=ArmParameters(orr=0.35), pdl1_odds_ratio_per_10=1.3)
    truth = simulate_trial(protocol, 1500, 8, parameters).truth
    treated = truth[truth["TREATED"] & truth["TPS"].notna()]
    high = treated[treated["TPS"] >= 50]["RESPONDER"].mean()
    low = treated[treated["TPS"] < 1]["RESPONDER"].mean()
    assert high > low + 0.1


def test_an_unreachable_orr_is_refused() -> None:
    parameters = DesignParameters(
        experimental=ArmParameters(orr=0.9, median_pfs_months=1.0, median_os_months=5.0)
    )
    with pytest.raises(ValueProblem, match="ORR of 90% is not reachable"):
        simulate_trial(find_protocol("002"), 50, 1, parameters)


# --- statistics: the parameters come back ------------------------------------------------------


def _pfs(frames: dict[str, pd.DataFrame], reference: str) -> pd.DataFrame:
    """PFS per subject from the SDTM alone: first PD or death; else censored at the last scan."""
    dm = frames["DM"].set_index("USUBJID")
    ds = frames["DS"]
    start = ds[ds["DSDECOD"] == reference].set_index("USUBJID")["DSSTDTC"]
    rs = frames["RS"]
    overall = rs[rs["RSTESTCD"] == "OVRLRESP"]
    progression = overall[overall["RSSTRESC"] == "PD"].groupby("USUBJID")["RSDTC"].min()
    last = overall.groupby("USUBJID")["RSDTC"].max()
    rows = []
    for subject, origin in start.items():
        events = [
            d for d in (progression.get(subject), dm.at[subject, "DTHDTC"]) if isinstance(d, str)
        ]
        if events:
            end, event = min(events), 1
        else:
            end, event = last.get(subject, origin), 0
        days = (pd.Timestamp(end) - pd.Timestamp(origin)).days
        rows.append((subject, dm.at[subject, "ARMCD"], days / (365.25 / 12), event))
    return pd.DataFrame(rows, columns=["USUBJID", "ARMCD", "months", "event"])


def _orr(frames: dict[str, pd.DataFrame]) -> pd.Series:
    """Confirmed response: CR/PR at two assessments at least 28 days apart (RECIST 1.1 §4.4)."""
    rs = frames["RS"]
    responses = rs[(rs["RSTESTCD"] == "OVRLRESP") & rs["RSSTRESC"].isin(["CR", "PR"])]
    span = responses.groupby("USUBJID")["RSDTC"].agg(["min", "max"])
    confirmed = (pd.to_datetime(span["max"]) - pd.to_datetime(span["min"])).dt.days >= 28
    dm = frames["DM"]
    treated = dm[dm["RFXSTDTC"].notna()].set_index("USUBJID")["ARMCD"]
    return pd.Series(
        [bool(confirmed.get(u, False)) for u in treated.index], index=treated.index
    ).groupby(treated).mean(), treated.value_counts()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels' log-log CI at S = 0 or 1
def test_orr_median_pfs_and_hazard_ratio_come_back_within_sampling_error() -> None:
    """3,000 patients, weekly imaging (so that the schedule's resolution, ±3.5 days, is far below
    the sampling error), no dropout, long follow-up: the estimates must cover the parameters
    with 99.7% intervals."""
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.duration.survfunc import SurvfuncRight

    control = ArmParameters(orr=0.25, median_pfs_months=5.0, median_os_months=12.0)
    experimental = ArmParameters(orr=0.40, median_pfs_months=5.0 / 0.7, median_os_months=16.0)
    parameters = DesignParameters(
        experimental=experimental,
        control=control,
        dropout_per_year=0.0,
        followup_months=120,
        missed_scan_rate=0.0,
        unevaluable_scan_rate=0.0,
        imaging_interval_days=7,
        imaging_window_days=0,
    )
    result = simulate_trial(find_protocol("001"), 3000, 20260101, parameters)
    frames = result.frames
    rates, sizes = _orr(frames)
    for arm, effect in (("A", experimental), ("B", control)):
        se = math.sqrt(effect.orr * (1 - effect.orr) / sizes[arm])
        assert abs(rates[arm] - effect.orr) < 3 * se, (arm, rates[arm], effect.orr)
    pfs = _pfs(frames, "RANDOMIZED")
    resolution = 3.5 / (365.25 / 12)
    for arm, effect in (("A", experimental), ("B", control)):
        data = pfs[pfs["ARMCD"] == arm]
        curve = SurvfuncRight(data["months"].to_numpy(), data["event"].to_numpy())
        low, high = curve.quantile_ci(0.5, alpha=0.003)
        assert low - resolution <= effect.median_pfs_months <= high + resolution, (arm, low, high)
    pfs["experimental"] = (pfs["ARMCD"] == "A").astype(float)
    model = PHReg(pfs["months"], pfs[["experimental"]], status=pfs["event"]).fit()
    low, high = np.exp(model.conf_int(alpha=0.003)[0])
    assert low <= 0.7 <= high, (low, high)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_on_the_protocol_schedule_the_median_is_resolved_to_the_assessment_interval() -> None:
    """At 6-weekly imaging a scan-dated median can sit up to half an interval (plus the visit
    window) from the latent median; docs/simulator.md explains why."""
    from statsmodels.duration.survfunc import SurvfuncRight

    result = simulate_trial(
        find_protocol("000"), 2000, 99, DesignParameters(dropout_per_year=0.0, followup_months=60)
    )
    pfs = _pfs(result.frames, "ENROLLED")
    curve = SurvfuncRight(pfs["months"].to_numpy(), pfs["event"].to_numpy())
    low, high = curve.quantile_ci(0.5, alpha=0.003)
    slack = (42 / 2 + 7) / (365.25 / 12)
    assert low - slack <= 6.0 <= high + slack
