"""Windows to registration, randomisation or enrolment after a laboratory limit or a performance
status (issue 12, eligibility on real registry text).

NCI cooperative-group and industry records write "Absolute neutrophil count (ANC) ≥ 1500/mm^3
(obtained ≤ 14 days prior to registration)": the test must be one done in the 14 days before the
day of registration. Such windows were left unread (the item on the checklist). A window now
names its day (``rules.Window.anchor``): the first dose, or registration — in a screen, the as-of
date, the day eligibility is confirmed; results after it are not used, even when a planned first
dose is given. "Day 0", "pre-registration" and "step 2 registration" are other days and stay
unread.

The phrasings are quoted from ClinicalTrials.gov records kept in jwlieb/clinical-trial-agent at
commit 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, in data/demo/<dir>/trials.json (the directory
named beside each; the development corpus, never a test corpus).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility, split_criteria
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import propose_rules, read_eligibility
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import (
    AnyOfRule,
    CnsMetastasesRule,
    LabRule,
    PerformanceStatusRule,
    ProcedureRule,
    Window,
    describe_rule,
)
from oncotrial.eligibility.screening import screen_patient

from .builders import (
    item_status,
    read_item,
    read_items_agree_on_random_patients,
)
from .random_patients import AS_OF

REGISTRATION = "registration (the screen's as-of date)"
# data/demo/<dir>/trials.json of jwlieb/clinical-trial-agent @387df1768929a7cefaa15dfbd4d9ca3dcddd3fde
BREAST = "results/06_breast_her2_positive"
NSCLC = "results/01_nsclc_kras_g12c_standard"
EGFR = "results/03_nsclc_egfr_exon19"
MELANOMA = "results/05_melanoma_braf_v600e"
BRAIN = "results/02_nsclc_kras_g12c_brain_mets"
SQUAMOUS = "v2-results/08_lung_squamous_pd_l1_high"
PANCREAS = "results/07_pancreatic_kras_g12d"
OVARIAN = "results/15_ovarian_brca1_platinum_sensitive"
RENAL = "v2-results/14_renal_cell_io_resistant"


@pytest.mark.parametrize(
    ("text", "reading", "source"),
    [
        (
            "Absolute neutrophil count (ANC) ≥ 1500/mm\\^3 (obtained ≤ 14 days prior to "
            "registration)",
            f"Absolute neutrophil count ≥ 1500 /mm^3 within 14 days before {REGISTRATION}",
            f"NCT06525766 {BREAST}",
        ),
        (
            "Platelets \\>= 100,000/mcl (within 14 days prior to registration)",
            f"Platelet count ≥ 100000 /uL within 14 days before {REGISTRATION}",
            f"NCT05256225 {BREAST}",
        ),
        (
            "Absolute neutrophil count \\>= 1,500/mcL (obtained =\\< 14 days prior to "
            "randomization)",
            f"Absolute neutrophil count ≥ 1500 /uL within 14 days before {REGISTRATION}",
            f"NCT04181060 {EGFR}",
        ),
        (
            "Leukocytes ≥ 3,000/mcL obtained ≤ 28 days prior to protocol randomization",
            f"White blood cell count ≥ 3000 /uL within 28 days before {REGISTRATION}",
            f"NCT06475989 {MELANOMA}",
        ),
        (
            "Hemoglobin ≥ 9 g/dL (within 14 days of enrollment)",
            f"Hemoglobin ≥ 9 g/dL within 14 days before {REGISTRATION}",
            f"NCT07012031 {BRAIN}",
        ),
        (
            "ECOG Performance Status of 0-1 within 28 days prior to registration.",
            f"ECOG performance status 0–1 within 28 days before {REGISTRATION}",
            f"NCT04317534 {NSCLC}",
        ),
        # "allocation", Merck's day of assignment to treatment
        (
            "Has Eastern Cooperative Oncology Group Performance Status (ECOG PS) score of 0 or 1 "
            "assessed within 7 days prior to allocation",
            f"ECOG performance status 0–1 within 7 days before {REGISTRATION}",
            f"NCT06422143 {NSCLC}",
        ),
        # words that name the first dose keep the first-dose anchor
        (
            "Hemoglobin \\>= 9.0 g/dL (measured within 14 days prior to administration of study "
            "treatment)",
            "Hemoglobin ≥ 9 g/dL within 14 days before the first dose",
            f"NCT05053971 {PANCREAS}",
        ),
        (
            "Absolute neutrophil count (ANC) \\>= 1,500 /mcL, performed within 10 days of "
            "treatment",
            "Absolute neutrophil count ≥ 1500 /uL within 10 days before the first dose",
            f"NCT03428802 {OVARIAN}",
        ),
        (
            "Aspartate aminotransferase (AST) =\\< 3.0 x ULN (within 30 days prior to day 1 of "
            "protocol therapy)",
            "Aspartate aminotransferase ≤ 3 × ULN within 30 days before the first dose",
            "NCT06815003 results/12_elderly_cll_poor_performance",
        ),
    ],
)
def test_a_window_after_a_limit_is_read_with_its_day(text: str, reading: str, source: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [reading], source
    assert criterion.unread == ()
    assert is_computable(criterion.rules, criterion.unread)


def test_the_window_is_read_but_a_subgroup_heading_stays_unread() -> None:
    # NCT04929028 (SQUAMOUS): the limit holds for one stratum only; the window is read, the
    # stratum is not, so the item stays with the investigator
    criterion = read_item(
        "HIGH-RISK STRATUM: Hemoglobin \\> 10 g/dL (within 2 weeks before enrollment)", "inclusion"
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        f"Hemoglobin > 10 g/dL within 2 weeks before {REGISTRATION}"
    ]
    assert criterion.unread == ("HIGH-RISK STRATUM",)


def test_a_window_after_alternatives_holds_for_each() -> None:
    criterion = read_item(
        "Creatinine ≤ 1.5 × ULN OR creatinine clearance ≥ 45 mL/min (obtained ≤ 14 days prior "
        "to registration)",
        "inclusion",
    )
    (either,) = criterion.rules
    assert isinstance(either, AnyOfRule)
    windows = {getattr(r, "within", None) for r in either.rules}
    assert windows == {Window(value=14, anchor="registration")}
    assert criterion.unread == ()


def test_a_window_after_two_limits_holds_for_both() -> None:
    criterion = read_item(
        "ANC ≥ 1500/mm3, platelets ≥ 100,000/mm3 (within 14 days prior to registration)",
        "inclusion",
    )
    assert [r.within for r in criterion.rules if isinstance(r, LabRule)] == [
        Window(value=14, anchor="registration")
    ] * 2


@pytest.mark.parametrize(
    ("text", "unread", "source"),
    [
        # NCI's step 0: a specimen sent for central testing, days or weeks before registration
        (
            "Absolute neutrophil count (ANC) \\>= 1500/mm\\^3 or \\>= 1.5 X 10\\^9/L (obtained "
            "=\\< 28 days prior to pre-registration)",
            "obtained ≤ 28 days prior to pre-registration",
            f"NCT05269381 {RENAL}",
        ),
        # a later step of a multi-step trial
        (
            "Leukocytes \\>= 3,000/uL (within 28 days prior to step 2 registration)",
            "within 28 days prior to step 2 registration",
            f"NCT05136196 {MELANOMA}",
        ),
        # Day 0 is the first dose in some protocols, randomisation in others (windows.py)
        (
            "Platelets ≥ 100,000/mm3 within 14 days prior to Day 0",
            "within 14 days prior to Day 0",
            "constructed",
        ),
        # a body-mass index is computed from the latest weight and height, in no window
        (
            "BMI ≥ 18 (within 14 days prior to registration)",
            "within 14 days prior to registration",
            "constructed",
        ),
        # which rule the window is for, the text does not say
        (
            "ECOG 0-1, ANC ≥ 1500/mm3 (within 14 days prior to registration)",
            "within 14 days prior to registration",
            "constructed",
        ),
    ],
)
def test_another_day_stays_unread(text: str, unread: str, source: str) -> None:
    criterion = read_item(text, "inclusion")
    assert unread in criterion.unread, (source, criterion.unread)
    assert not is_computable(criterion.rules, criterion.unread)
    assert all(getattr(r, "within", None) is None for r in criterion.rules)


# ---- evaluation: the window runs back from the as-of date, whatever the planned first dose

FIRST_DOSE = AS_OF + dt.timedelta(days=10)


def _anc(days_before: int | None, *, first_dose: dt.date | None = FIRST_DOSE) -> Patient:
    observations = (
        []
        if days_before is None
        else [
            {
                "analyte": "neutrophils",
                "value": 2000,
                "unit": "/mm^3",
                "date": (AS_OF - dt.timedelta(days=days_before)).isoformat(),
            }
        ]
    )
    return Patient.model_validate(
        {"id": "P", "planned_first_dose": first_dose, "observations": observations}
    )


ANC = "Absolute neutrophil count (ANC) ≥ 1500/mm\\^3 (obtained ≤ 14 days prior to registration)"  # NCT06525766


@pytest.mark.parametrize(
    ("days_before", "status"),
    [
        (0, Status.MET),
        (14, Status.MET),  # the window includes both ends
        (15, Status.UNKNOWN),  # only a result older than the window: not known now
        (-3, Status.UNKNOWN),  # after registration (before the first dose): not used
        (None, Status.UNKNOWN),  # no result
    ],
)
def test_a_lab_inside_or_outside_the_registration_window(
    days_before: int | None, status: Status
) -> None:
    criterion = read_item(ANC, "inclusion")
    assert item_status(criterion, _anc(days_before), as_of=AS_OF) is status


def test_the_first_dose_window_counts_from_the_first_dose_instead() -> None:
    # the same result 3 days after the as-of date counts for a window to the first dose
    criterion = read_item(
        "Absolute neutrophil count (ANC) \\>= 1,500 /mcL, performed within 10 days of treatment",
        "inclusion",
    )  # NCT03428802
    assert item_status(criterion, _anc(-3), as_of=AS_OF) is Status.MET
    assert item_status(criterion, _anc(14), as_of=AS_OF) is Status.UNKNOWN
    registration = read_item(ANC, "inclusion")
    assert item_status(registration, _anc(14), as_of=AS_OF) is Status.MET


def test_the_result_says_which_day_was_used() -> None:
    criterion = read_item(ANC, "inclusion")
    (result,) = screen_patient(Eligibility(inclusion=(criterion,)), _anc(3), as_of=AS_OF).criteria
    assert result.status is Status.MET
    assert any(
        "runs back from registration, taken as the as-of date 2025-03-01" in note
        and f"not the planned first dose {FIRST_DOSE.isoformat()}" in note
        for part in result.rules
        for note in part.notes
    ), result


def test_an_undated_performance_status_is_unknown() -> None:
    criterion = read_item(
        "ECOG Performance Status of 0-1 within 28 days prior to registration.", "inclusion"
    )  # NCT04317534
    for date, status in ((None, Status.UNKNOWN), (AS_OF, Status.MET), (FIRST_DOSE, Status.UNKNOWN)):
        patient = Patient.model_validate(
            {
                "id": "P",
                "planned_first_dose": FIRST_DOSE,
                "performance_status": [{"scale": "ECOG", "score": 1, "date": date}],
            }
        )
        assert item_status(criterion, patient, as_of=AS_OF) is status, date


def test_only_windows_the_evaluators_count_from_registration_are_allowed() -> None:
    # the brain-metastasis rule's periods run back from the first dose only (DoseWindow)
    with pytest.raises(ValueError, match="to registration is read for laboratory values"):
        CnsMetastasesRule.model_validate(
            {
                "kind": "cns_metastases",
                "id": "E1-1",
                "description": "d",
                "stable_for": {"value": 28, "anchor": "registration"},
            }
        )
    # a procedure's window may run back from registration (evaluate_history, batch_history)
    assert ProcedureRule.model_validate(
        {
            "kind": "procedure",
            "id": "E1-1",
            "description": "d",
            "procedure": "radiotherapy",
            "within": {"value": 28, "anchor": "registration"},
        }
    ).within == Window(value=28, anchor="registration")
    assert PerformanceStatusRule.model_validate(
        {
            "kind": "performance_status",
            "id": "I1-1",
            "description": "d",
            "allowed": [0, 1],
            "within": {"value": 28, "anchor": "registration"},
        }
    ).within == Window(value=28, anchor="registration")


# ---- the per-patient and the vectorised screen agree on random patients

ITEMS = (
    ("I1", ANC),
    ("I2", "Platelets \\>= 100,000/mcl (within 14 days prior to registration)"),  # NCT05256225
    ("I3", "ECOG Performance Status of 0-1 within 28 days prior to registration."),  # NCT04317534
    (
        "I4",
        "Creatinine ≤ 1.5 × ULN OR creatinine clearance ≥ 45 mL/min (obtained ≤ 14 days prior "
        "to registration)",
    ),
    ("I5", "Hemoglobin ≥ 9 g/dL (within 14 days of enrollment)"),  # NCT07012031
    ("I6", "Karnofsky ≥ 70% (within 2 weeks before enrollment)"),
    ("I7", "Total bilirubin ≤ 1.5 × ULN (obtained ≤ 1 month prior to randomization)"),
    ("I8", "Absolute neutrophil count ≥ 1,500/mcL, performed within 10 days of treatment"),
    ("I9", "QTcF ≤ 470 ms (within 14 days prior to registration)"),
)


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    read_items_agree_on_random_patients(ITEMS, as_of=AS_OF, seed=12)


def test_a_window_announced_for_a_list_of_tests_runs_to_registration() -> None:
    # NCT03574571 (results/09_prostate_brca2): the window the heading announces holds for each
    # test below it (parser._carried_window), now with the day it names
    text = (
        "Inclusion Criteria:\n\n"
        "* Normal organ function with acceptable initial laboratory values within 14 days of "
        "randomization:\n\n"
        "  * Albumin \\> 30 g/L\n"
        "  * ANC ≥ 1.5 x 10\\^9/L\n"
        "  * Hemoglobin ≥ 10 g/dL\n"
    )
    inclusion, _ = split_criteria(text)
    eligibility = propose_rules(Eligibility(inclusion=inclusion))
    tests = [r for c in eligibility.inclusion for r in c.rules if isinstance(r, LabRule)]
    assert len(tests) == 3
    assert {r.within for r in tests} == {Window(value=14, anchor="registration")}


@pytest.mark.parametrize(
    ("heading", "reading"),
    [
        # records of jwlieb/clinical-trial-agent at 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde
        (  # NCT06263543 (its heading, without the sentence after it)
            "Adequate organ and bone marrow function within 28 days before enrollment:",
            "Platelet count ≥ 100000 /mm^3 within 28 days before registration (the screen's "
            "as-of date)",
        ),
        (  # NCT06439693
            "Participants must meet the following organ and marrow function as defined below "
            "within 28 days prior to registration:",
            "Platelet count ≥ 100000 /mm^3 within 28 days before registration (the screen's "
            "as-of date)",
        ),
        ("Laboratory values within 14 days of randomization:", None),  # as before
        # another day named after the window: no window is carried (NCT06358430)
        (
            "Participants must have adequate organ function as defined below (Table 1) within "
            "10 days prior to the start of lymphodepleting chemotherapy:",
            "Platelet count ≥ 100000 /mm^3",
        ),
        (
            "Laboratory values within 10 days prior to the start of lymphodepleting chemotherapy:",
            "Platelet count ≥ 100000 /mm^3",
        ),
    ],
)
def test_a_heading_over_organ_function_carries_its_window(
    heading: str, reading: str | None
) -> None:
    eligibility = Eligibility(
        inclusion=(
            Criterion(id="I5", kind=CriterionKind.INCLUSION, text=heading),
            Criterion(id="I5.1", kind=CriterionKind.INCLUSION, text="Platelets ≥ 100,000/mm3"),
        )
    )
    sub = read_eligibility(eligibility)[1].criterion
    expected = reading or (
        "Platelet count ≥ 100000 /mm^3 within 14 days before registration (the screen's as-of date)"
    )
    assert [describe_rule(r) for r in sub.rules] == [expected]
