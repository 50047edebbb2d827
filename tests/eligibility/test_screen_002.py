"""Trial 002 (serplulimab + cryoablation): hand-made patients at each threshold's edge."""

from __future__ import annotations

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.screening import Overall, Verdict

from .builders import (
    FIRST_DOSE_002,
    drop_lab,
    lab,
    patient_002,
    replace_lab,
    rule,
    screen_002,
)


def test_baseline_is_eligible_with_the_investigator_checklist() -> None:
    result = screen_002(patient_002())
    assert result.overall is Overall.ELIGIBLE
    assert result.first_dose is not None and result.first_dose.isoformat() == FIRST_DOSE_002
    assert "I1" in result.checklist and "E17" in result.checklist
    assert result.result("I8").verdict is Verdict.PASSES
    assert result.result("E2").verdict is Verdict.PASSES  # exclusion not met


@pytest.mark.parametrize(
    ("day", "status"),
    [
        ("2025-02-24", Status.MET),  # 14 days before the first dose (2025-03-10): inside
        ("2025-02-23", Status.UNKNOWN),  # 15 days: too old — a repeat lab is needed
    ],
)
def test_lab_window_of_14_days(day: str, status: Status) -> None:
    result = screen_002(replace_lab(patient_002(), "neutrophils", date=day))
    anc = rule(result, "I8-1")
    assert anc.status is status
    if status is Status.UNKNOWN:
        assert anc.missing == (
            "Absolute neutrophil count within 14 days before 2025-03-10 (latest result "
            "2025-02-23 is 15 days before; the window starts 2025-02-24)",
        )
        assert result.overall is Overall.INCOMPLETE
        assert result.to_collect == anc.missing


def test_window_without_a_first_dose_runs_from_the_as_of_date() -> None:
    result = screen_002(patient_002(planned_first_dose=None))
    anc = rule(result, "I8-1")
    assert anc.status is Status.MET
    assert anc.notes == (
        "no planned first dose given: the 14 days window runs back from the as-of date "
        "2025-03-01; check again against the first dose",
    )


def test_the_latest_lab_is_used() -> None:
    data = patient_002()
    data["observations"] = [*data["observations"], lab("neutrophils", 1.2, "10^9/L", "2025-03-05")]
    assert rule(screen_002(data), "I8-1").status is Status.NOT_MET
    # a result after the first dose is not baseline: ignored
    data["observations"][-1]["date"] = "2025-03-11"
    assert rule(screen_002(data), "I8-1").status is Status.MET


@pytest.mark.parametrize(
    ("value", "unit", "status"),
    [(1.5, "10^9/L", Status.MET), (1.5, "×10⁹/L", Status.MET), (1499, "/mm³", Status.NOT_MET)],
)
def test_neutrophils(value: float, unit: str, status: Status) -> None:
    assert (
        rule(
            screen_002(replace_lab(patient_002(), "neutrophils", value=value, unit=unit)), "I8-1"
        ).status
        is status
    )


@pytest.mark.parametrize(
    ("weight", "status", "clearance"),
    [
        (96.152, Status.MET, 50.0),  # "≥ 50 mL/min": exactly 50.0 passes
        (95.9597, Status.NOT_MET, 49.9),
    ],
)
def test_creatinine_above_1_5_uln_needs_clearance_50(
    weight: float, status: Status, clearance: float
) -> None:
    # 170 µmol/L > 1.5 × 104; 170 µmol/L = 1.92304 mg/dL; a man of 68: CrCl = weight / 1.92304
    data = replace_lab(patient_002(), "creatinine", value=170, unit="umol/L")
    data = replace_lab(data, "weight", value=weight)
    renal = rule(screen_002(data), "I8-8")
    creatinine, crcl = renal.parts
    assert creatinine.status is Status.NOT_MET
    assert creatinine.evidence[0].threshold == "≤ 1.5 × ULN (ULN 104 umol/L) = 156 umol/L"
    assert crcl.status is status
    assert crcl.evidence[-1].value == pytest.approx(clearance, abs=1e-3)
    assert renal.status is status


def test_creatinine_within_1_5_uln_needs_no_clearance() -> None:
    data = drop_lab(replace_lab(patient_002(), "creatinine", value=156, unit="umol/L"), "weight")
    renal = rule(screen_002(data), "I8-8")
    assert renal.status is Status.MET  # 156 = 1.5 × 104; clearance not needed (weight missing)


@pytest.mark.parametrize(
    ("score", "status"), [(0, Status.MET), (1, Status.MET), (2, Status.MET), (3, Status.NOT_MET)]
)
def test_ecog_reviewed_as_0_to_2(score: int, status: Status) -> None:
    data = patient_002(performance_status=[{"scale": "ECOG", "score": score, "date": "2025-02-25"}])
    ecog = rule(screen_002(data), "I6-1")
    assert ecog.status is status
    assert ecog.evidence[0].threshold == "one of 0, 1, 2"


@pytest.mark.parametrize(
    ("sex", "qt", "status"),
    [
        ("male", 449.9, Status.NOT_MET),  # QTcF = QT at 60/min
        ("male", 450.0, Status.MET),  # ≥ 450 ms for men: excluded
        ("female", 469.9, Status.NOT_MET),
        ("female", 470.0, Status.MET),
    ],
)
def test_qtcf_limits_by_sex(sex: str, qt: float, status: Status) -> None:
    data = replace_lab(patient_002(sex=sex), "qt", value=qt)
    if sex == "female":
        data["observations"].append({"analyte": "hcg", "result": "negative", "date": "2025-03-01"})
    result = screen_002(data)
    assert rule(result, "E4-2").status is status
    assert result.result("E4").verdict is (
        Verdict.FAILS if status is Status.MET else Verdict.INVESTIGATOR
    )


def test_qtcf_from_heart_rate() -> None:
    # QT 400 ms at 90/min: RR = 2/3 s, QTcF = 400 / (2/3)^(1/3) = 457.89 ms ≥ 450 (a man)
    data = replace_lab(patient_002(), "heart_rate", value=90)
    qtc = rule(screen_002(data), "E4-2.2")
    assert qtc.status is Status.MET
    assert qtc.evidence[-1].value == pytest.approx(457.8857, abs=1e-4)


def test_pregnancy_test_for_women() -> None:
    woman = patient_002(sex="female")
    result = screen_002(woman)
    test = rule(result, "I8-13")
    assert test.status is Status.UNKNOWN
    assert test.missing == ("Pregnancy test (hCG)",)
    woman["observations"].append({"analyte": "hcg", "result": "negative", "date": "2025-03-01"})
    assert rule(screen_002(woman), "I8-13").status is Status.MET
    woman["observations"][-1]["result"] = "positive"
    assert rule(screen_002(woman), "I8-13").status is Status.NOT_MET
    # for a man the rule does not apply
    assert rule(screen_002(patient_002()), "I8-13").status is Status.MET


@pytest.mark.parametrize(
    ("given", "status"),
    [("2025-02-10", Status.MET), ("2025-02-09", Status.NOT_MET)],  # 28 and 29 days before
)
def test_live_vaccine_within_28_days(given: str, status: Status) -> None:
    data = patient_002(medications=[{"text": "MMR vaccine", "start": given, "end": given}])
    result = screen_002(data)
    assert rule(result, "E10-1").status is status
    assert (result.overall is Overall.NOT_ELIGIBLE) == (status is Status.MET)


def test_live_vaccine_by_cvx_code() -> None:
    data = patient_002(medications=[{"code": "03", "system": "CVX", "start": "2025-03-01"}])
    assert rule(screen_002(data), "E10-1").status is Status.MET


@pytest.mark.parametrize(
    ("day", "status"),
    [("2024-12-10", Status.MET), ("2024-12-09", Status.NOT_MET)],  # 3 calendar months
)
def test_radical_radiotherapy_within_3_months(day: str, status: Status) -> None:
    data = patient_002(
        procedures=[{"text": "SBRT", "category": "radical_radiotherapy", "date": day}]
    )
    assert rule(screen_002(data), "E11-1").status is status


def test_major_surgery_without_a_date_is_unknown() -> None:
    data = patient_002(procedures=[{"text": "lobectomy", "category": "major_surgery"}])
    surgery = rule(screen_002(data), "E14-1")
    assert surgery.status is Status.UNKNOWN
    assert surgery.missing == ("date of lobectomy",)


def test_prior_checkpoint_inhibitor_excludes() -> None:
    data = patient_002(
        medications=[{"text": "Pembrolizumab", "start": "2023-01-01", "end": "2023-06-01"}]
    )
    result = screen_002(data)
    assert result.overall is Overall.NOT_ELIGIBLE
    assert result.failing == ("E2",)
    by_atc = patient_002(medications=[{"code": "L01FF01", "system": "ATC", "start": "2023-01-01"}])
    assert screen_002(by_atc).failing == ("E2",)


def test_history_not_provided_is_unknown() -> None:
    result = screen_002(patient_002(medications=None))
    assert rule(result, "E2-1").missing == (
        "medication history (to check for immune checkpoint inhibitor (anti-PD-1, anti-PD-L1, "
        "anti-CTLA-4))",
    )
    assert result.overall is Overall.INCOMPLETE


@pytest.mark.parametrize(
    ("changes", "status", "missing"),
    [
        ({"stage": "IIA"}, Status.NOT_MET, ()),
        ({"edition": 8}, Status.UNKNOWN, ("stage by AJCC edition 9 (recorded by edition 8)",)),
        ({"t": "cT2a"}, Status.NOT_MET, ()),
        ({"t": None}, Status.UNKNOWN, ("T category",)),
    ],
)
def test_stage(changes: dict, status: Status, missing: tuple) -> None:
    data = patient_002()
    data["diagnosis"] = {**data["diagnosis"], **changes}
    stage = rule(screen_002(data), "I3-2")
    assert stage.status is status
    assert stage.missing == missing


@pytest.mark.parametrize(
    ("size", "status"),
    [(10, Status.NOT_MET), (10.1, Status.MET), (30, Status.MET), (31, Status.NOT_MET)],
)
def test_tumour_size_above_1_up_to_3_cm(size: float, status: Status) -> None:
    data = patient_002()
    data["diagnosis"] = {**data["diagnosis"], "tumour_size_mm": size}
    assert rule(screen_002(data), "I3-3").status is status


def test_ground_glass_nodule_excludes_in_an_inclusion_item() -> None:
    result = screen_002(patient_002(conditions=[{"text": "ground-glass nodule"}]))
    assert rule(result, "I3-4").status is Status.NOT_MET
    assert result.failing == ("I3",)


@pytest.mark.parametrize(
    ("status_of_egfr", "expected"),
    [("not_detected", Status.MET), ("detected", Status.NOT_MET), ("failed", Status.UNKNOWN)],
)
def test_driver_mutations(status_of_egfr: str, expected: Status) -> None:
    data = patient_002()
    data["biomarkers"] = [
        {**b, "status": status_of_egfr} if b["marker"] == "EGFR" else b for b in data["biomarkers"]
    ]
    egfr = rule(screen_002(data), "I4-1")
    assert egfr.status is expected
    if expected is Status.UNKNOWN:
        assert egfr.missing == ("EGFR result (the test failed; repeat it)",)


def test_measurable_lesion_within_4_weeks() -> None:
    old = patient_002(lesions=[{"organ": "lung", "measurable": True, "date": "2025-02-09"}])
    lesions = rule(screen_002(old), "I5-1")
    assert lesions.status is Status.UNKNOWN
    assert lesions.missing == ("tumour assessment within 4 weeks before 2025-03-10",)
    recent = patient_002(lesions=[{"organ": "lung", "measurable": True, "date": "2025-02-10"}])
    assert rule(screen_002(recent), "I5-1").status is Status.MET


def test_hypercalcemia_needs_the_investigator() -> None:
    result = screen_002(replace_lab(patient_002(), "calcium", value=12.5, unit="mg/dL"))
    # 12.5 mg/dL > 12 mg/dL: hypercalcemia; whether uncontrolled or symptomatic is a judgement
    assert rule(result, "E5-1.1").status is Status.MET
    assert result.result("E5").status is Status.INVESTIGATOR
    assert result.overall is Overall.ELIGIBLE and "E5" in result.checklist


def test_incomplete_lists_what_to_collect() -> None:
    data = drop_lab(drop_lab(patient_002(), "platelets"), "inr")
    result = screen_002(data)
    assert result.overall is Overall.INCOMPLETE
    assert result.to_collect == ("Platelet count", "International normalized ratio")
    assert result.result("I8").missing == ("Platelet count", "International normalized ratio")
