"""Windows and method words written with laboratory and organ-function limits (issue 12,
eligibility on real registry text).

Real phrasings that left otherwise-read laboratory items partial: a window to "sub-study
randomization" or "Step 1 registration", "within 6 weeks of screening", "(To be performed within
14 days prior to Day 1 of protocol therapy)", a window after a limit's subgroup words, "All
screening labs to be obtained within 28 days prior to registration" over the tests of a list, and
"by echocardiogram (ECHO) or multigated acquisition scan (MUGA)" after an ejection fraction.

The phrasings are quoted from ClinicalTrials.gov records kept in jwlieb/clinical-trial-agent at
commit 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, in data/demo/<dir>/trials.json (the NCT id
beside each; the development corpus, never a test corpus).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.criteria import Eligibility, split_criteria
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import propose_rules
from oncotrial.eligibility.patient import Observation, Patient
from oncotrial.eligibility.rules import LabRule, Window, describe_rule

from .builders import item_status, read_item, read_items_agree_on_random_patients
from .random_patients import AS_OF

REGISTRATION = "registration (the screen's as-of date)"
SOURCE = "jwlieb/clinical-trial-agent data/demo/.../trials.json @387df17"


@pytest.mark.parametrize(
    ("text", "kind", "reading", "source"),
    [
        # the entry to a sub-study of a master protocol, the first step of a multi-step trial
        (
            "Absolute neutrophil count \\>= 1.5 x 10\\^3/uL (within 28 days prior to sub-study "
            "randomization)",
            "inclusion",
            f"Absolute neutrophil count ≥ 1.5 × 10^3/uL within 28 days before {REGISTRATION}",
            "NCT05642572 I10",
        ),
        (
            "Leukocytes \\>= 3,000/uL (within 28 days prior to Step 1 registration)",
            "inclusion",
            f"White blood cell count ≥ 3000 /uL within 28 days before {REGISTRATION}",
            "constructed after NCT05136196 (its step 2 window stays unread)",
        ),
        # screening is on or before the screen's day: the window to it is read to registration
        (
            "International normalized ratio (INR) \\< 1.5 within 6 weeks of screening",
            "inclusion",
            f"International normalized ratio < 1.5 within 6 weeks before {REGISTRATION}",
            "NCT04693377 I5",
        ),
        (
            "Platelet count \\> 50,000/mm\\^3 within 6 weeks of screening",
            "inclusion",
            f"Platelet count > 50000 /mm^3 within 6 weeks before {REGISTRATION}",
            "NCT04693377 I4",
        ),
        # words that say when the test is done, to the first dose or registration
        (
            "White Blood Cells (WBC) \\>= 1,000/mm\\^3 (To be performed within 14 days prior to "
            "Day 1 of protocol therapy)",
            "inclusion",
            "White blood cell count ≥ 1000 /mm^3 within 14 days before the first dose",
            "NCT05672355 I7",
        ),
        (
            "Absolute neutrophil count (ANC) \\>= 1,500/uL (specimens must be collected within 5 "
            "days prior to the start of study treatment)",
            "inclusion",
            "Absolute neutrophil count ≥ 1500 /uL within 5 days before the first dose",
            "NCT05041153 I9",
        ),
        (
            "Patients with a platelet count \\< 100,000/mm\\^3 (last measurement within 7 days "
            "prior to enrollment)",
            "exclusion",
            f"Platelet count < 100000 /mm^3 within 7 days before {REGISTRATION}",
            "NCT06033196 E20",
        ),
        (
            "Leukocytes ≥ 3,000/mcL (these labs must be obtained ≤ 28 days prior to step 1 "
            "randomization)",
            "inclusion",
            f"White blood cell count ≥ 3000 /uL within 28 days before {REGISTRATION}",
            "NCT06732401 I9.4 (without its 'STEP 1:' label, which stays unread)",
        ),
        # the formula the clearance is computed by, named before the window
        (
            "Calculated creatinine clearance ≥ 45 ml/min using the Cockcroft-Gault formula "
            "(obtained ≤ 14 days prior to registration)",
            "inclusion",
            "Creatinine clearance (Cockcroft-Gault) ≥ 45 mL/min within 14 days before "
            f"{REGISTRATION} (lab inputs)",
            "NCT06525766 I11",
        ),
        (
            "Creatinine clearance \\>= 30mL/min (by Cockcroft Gault) within 28 days prior to "
            "registration",
            "inclusion",
            "Creatinine clearance (Cockcroft-Gault) ≥ 30 mL/min within 28 days before "
            f"{REGISTRATION} (lab inputs)",
            "NCT04269902 I17 (the formula in brackets)",
        ),
        (
            "Creatinine clearance ≥ 50 mL/min as calculated using the Cockcroft-Gault (CG) "
            "equation",
            "inclusion",
            "Creatinine clearance (Cockcroft-Gault) ≥ 50 mL/min",
            "after NCT03971409 I5.7",
        ),
        # a QT interval is measured on an electrocardiogram: the cabozantinib template's words
        (
            "Corrected QT interval calculated by the Fridericia formula (QTcF) \\> 500 ms per "
            "electrocardiogram (ECG) within 14 days before first dose of study treatment.",
            "exclusion",
            "QT interval corrected (Fridericia) > 500 ms within 14 days before the first dose "
            "(lab inputs)",
            "NCT05931393 E10 (and 12 other development records)",
        ),
        # the first day of cycle 1 is the first dose
        (
            "Platelets ≥ 100,000/mm3 (within 14 days prior to Cycle 1 Day 1)",
            "inclusion",
            "Platelet count ≥ 100000 /mm^3 within 14 days before the first dose",
            "constructed after NCT03260491 I35 (its organ function is the protocol's)",
        ),
        (
            "Platelets ≥ 100,000/mm3 within 7 days prior to Day 1 of Cycle 1",
            "inclusion",
            "Platelet count ≥ 100000 /mm^3 within 7 days before the first dose",
            "constructed after NCT05785741 I7 (its organ function is the protocol's)",
        ),
        (
            "Platelets ≥ 100,000/mm3 within 14 days prior to Cycle1 Day1",
            "inclusion",
            "Platelet count ≥ 100000 /mm^3 within 14 days before the first dose",
            "constructed after NCT06225804 I10 'the Cycle1 Day1'",
        ),
        (
            "Platelets ≥ 100,000/mm3 within 14 days prior to study Day 1",
            "inclusion",
            "Platelet count ≥ 100000 /mm^3 within 14 days before the first dose",
            "constructed after NCT02332668 E3 'prior to study Day 1'",
        ),
        (
            "Platelets ≥ 100,000/mm3 within 14 days prior to the first dose of study treatment on "
            "Cycle 1, Day 1",
            "inclusion",
            "Platelet count ≥ 100000 /mm^3 within 14 days before the first dose",
            "constructed after NCT05313243 E3",
        ),
        # the methods of an ejection fraction, no record can say another
        (
            "Has left ventricular ejection fraction (LVEF) \\< 50% by either echocardiogram (ECHO) "
            "or multigated acquisition scan (MUGA)",
            "exclusion",
            "Left ventricular ejection fraction < 50 %",
            "NCT03260491 I48",
        ),
        (
            "Left ventricular ejection fraction (LVEF) \\< 50% as measured either by radionuclide "
            "angiography or echocardiogram",
            "exclusion",
            "Left ventricular ejection fraction < 50 %",
            "NCT04421820 E6.7",
        ),
        (
            "Patients must have left ventricular ejection fraction (LVEF) ≥ 50% by either an "
            "echocardiogram (ECHO) or multigated acquisition (MUGA) scan within 28 days before "
            "enrollment",
            "inclusion",
            f"Left ventricular ejection fraction ≥ 50 % within 28 days before {REGISTRATION}",
            "NCT07012031 I18",
        ),
        (
            "LVEF ≥ 55% measured by echocardiogram (ECHO) or multiple-gated acquisition scan "
            "(MUGA) within 12 weeks of treatment start.",
            "inclusion",
            "Left ventricular ejection fraction ≥ 55 % within 12 weeks before the first dose",
            "NCT03803553 I21",
        ),
        (
            "The patient has a left ventricular ejection fraction (LVEF) ≥45% as determined by "
            "either echocardiography (ECHO) or multigated acquisition (MUGA) scanning",
            "inclusion",
            "Left ventricular ejection fraction ≥ 45 %",
            "NCT05378425 I12",
        ),
    ],
)
def test_a_window_or_method_is_read(text: str, kind: str, reading: str, source: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading], source
    assert criterion.unread == (), source
    assert is_computable(criterion.rules, criterion.unread)


def test_a_window_after_a_limits_subgroup_words_holds_for_the_limit() -> None:
    # NCT04887805 I16: the subgroup words "for participants with …" belong to the limit
    criterion = read_item(
        "Total serum bilirubin =\\< 1.5 x upper limit of normal (ULN) OR direct bilirubin =\\< "
        "ULN for participants with total bilirubin levels \\> 1.5 x ULN (performed within 14 days "
        "prior to day 1)",
        "inclusion",
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        "(Total bilirubin ≤ 1.5 × ULN within 14 days before the first dose) or (Direct bilirubin "
        "≤ 1 × ULN within 14 days before the first dose)"
    ]
    assert criterion.unread == ()


@pytest.mark.parametrize(
    ("text", "kind", "unread", "source"),
    [
        # a later step of a multi-step trial, the screening visit, a day before screening
        (
            "Leukocytes \\>= 3,000/uL (within 28 days prior to step 2 registration)",
            "inclusion",
            "within 28 days prior to step 2 registration",
            "NCT05136196",
        ),
        (
            "Absolute neutrophil count (ANC) \\>= 1.5 x 10\\^3/mm\\^3 (drawn at or not more than "
            "30 days prior to the screening visit)",
            "inclusion",
            "drawn at or not more than 30 days prior to the screening visit",
            "NCT04697576 I6",
        ),
        (
            "Platelets ≥ 100,000/mm3 within 14 days prior to screening",
            "inclusion",
            "within 14 days prior to screening",
            "constructed",
        ),
        # a performance status "of screening": the reader of scores reads no such window
        (
            "Eastern Cooperative Oncology Group (ECOG) performance status =\\< 1 (Karnofsky \\>= "
            "70%) within 6 weeks of screening",
            "inclusion",
            "within 6 weeks of screening",
            "NCT04693377",
        ),
        # a scan of the screening visit, and a method alone, stay unread
        (
            "Left Ventricular Ejection Fraction \\<50% by 2D ECHO or MUGA scan at Screening.",
            "exclusion",
            "by 2D ECHO or MUGA scan at Screening",
            "NCT07125183 E13",
        ),
        (
            "Left ventricular ejection fraction \\>50% as determined on screening echocardiogram "
            "(ECHO)/ multi-gated acquisition (MUGA)",
            "inclusion",
            "as determined on screening echocardiogram (ECHO)/ multi-gated acquisition (MUGA",
            "NCT05552755 I8.1",
        ),
        ("LVEF ≥ 50% by echocardiogram", "inclusion", "by echocardiogram", "constructed"),
        # an ECG of the screening visit, a mean of three: not one observation's value
        ("QTcF > 470 ms on screening ECG", "exclusion", "on screening ECG", "constructed"),
        ("QTcF > 470 ms from triplicate ECGs", "exclusion", "from triplicate ECGs", "constructed"),
        # another formula than the one the clearance is computed by, alone or beside it
        (
            "Creatinine clearance >= 30 mL/min (by Cockcroft-Gault or MDRD) within 28 days prior "
            "to registration",
            "inclusion",
            "by Cockcroft-Gault or MDRD) within 28 days prior to registration",
            "constructed",
        ),
        (
            "Creatinine clearance ≥ 45 ml/min using the MDRD formula (obtained ≤ 14 days prior to "
            "registration)",
            "inclusion",
            "using the MDRD formula (obtained ≤ 14 days prior to registration",
            "constructed",
        ),
    ],
)
def test_another_day_or_one_method_stays_unread(
    text: str, kind: str, unread: str, source: str
) -> None:
    criterion = read_item(text, kind)
    assert unread in criterion.unread, (source, criterion.unread)
    assert not is_computable(criterion.rules, criterion.unread)
    assert all(getattr(r, "within", None) is None for r in criterion.rules), source


def test_no_record_says_how_an_ejection_fraction_was_measured() -> None:
    # the method words are read because a record cannot contradict them: the ejection fraction
    # is LOINC 10230-1, which names no method, and an observation refuses any other code for it
    # (if a method's code is ever accepted, reading_measurement_method must check it)
    assert ANALYTES["lvef"].loinc == ("10230-1",)
    Observation.model_validate(
        {"loinc": "10230-1", "value": 55, "unit": "%", "date": AS_OF.isoformat()}
    )
    with pytest.raises(ValueError, match="does not report"):
        Observation.model_validate(
            {"analyte": "lvef", "loinc": "8634-8", "value": 55, "unit": "%", "date": "2025-01-01"}
        )


# ---- a window announced for the screening labs of a list


def test_all_screening_labs_to_be_obtained_holds_for_the_tests_listed() -> None:
    # NCT06248606 I10 over I10.1-I10.3 (NCT06863311 writes "are to be obtained")
    text = (
        "Inclusion Criteria:\n\n"
        "* Demonstrate adequate organ function as defined below. All screening labs to be "
        "obtained within 28 days prior to registration.\n\n"
        "  * Calculated creatinine clearance: ≥ 60 mL/min\n"
        "  * Bilirubin: ≤ 1.5 mg/dL\n"
        "  * Aspartate aminotransferase (AST): ≤ 3.0 × ULN\n"
    )
    inclusion, _ = split_criteria(text)
    eligibility = propose_rules(Eligibility(inclusion=inclusion))
    windows = [getattr(r, "within", None) for c in eligibility.inclusion[1:] for r in c.rules]
    assert windows == [Window(value=28, anchor="registration")] * 3


def test_the_window_of_a_parent_with_a_list_is_not_given_to_the_list_before() -> None:
    # a top-level item with sub-items of its own announces the window for those, not for the
    # sub-items of the item before it
    text = (
        "Inclusion Criteria:\n\n"
        "* Adequate bone marrow function:\n\n"
        "  * Platelets ≥ 100,000/mm3\n"
        "* Demonstrate adequate organ function as defined below. All screening labs are to be "
        "obtained within 2 weeks prior to registration.\n\n"
        "  * Bilirubin: ≤ 1.5 mg/dL\n"
    )
    inclusion, _ = split_criteria(text)
    eligibility = propose_rules(Eligibility(inclusion=inclusion))
    by_id = {c.id: c for c in eligibility.inclusion}
    (platelets,) = by_id["I1.1"].rules
    (bilirubin,) = by_id["I2.1"].rules
    assert isinstance(platelets, LabRule) and platelets.within is None
    assert isinstance(bilirubin, LabRule)
    assert bilirubin.within == Window(value=2, unit="weeks", anchor="registration")


# ---- evaluation: results inside and outside the windows


def _patient(analyte: str, value: float, unit: str, days_before: int | None) -> Patient:
    observations = (
        []
        if days_before is None
        else [
            {
                "analyte": analyte,
                "value": value,
                "unit": unit,
                "date": (AS_OF - dt.timedelta(days=days_before)).isoformat(),
            }
        ]
    )
    return Patient.model_validate(
        {
            "id": "P",
            "planned_first_dose": AS_OF + dt.timedelta(days=7),
            "observations": observations,
        }
    )


INR = "International normalized ratio (INR) \\< 1.5 within 6 weeks of screening"  # NCT04693377
ANC = (  # NCT05642572
    "Absolute neutrophil count \\>= 1.5 x 10\\^3/uL (within 28 days prior to sub-study "
    "randomization)"
)
LVEF = (  # NCT07012031
    "Patients must have left ventricular ejection fraction (LVEF) ≥ 50% by either an "
    "echocardiogram (ECHO) or multigated acquisition (MUGA) scan within 28 days before enrollment"
)


@pytest.mark.parametrize(
    ("text", "analyte", "value", "unit", "days_before", "status"),
    [
        (INR, "inr", 1.1, "{ratio}", 0, Status.MET),
        (INR, "inr", 1.1, "{ratio}", 42, Status.MET),  # 6 weeks: both ends included
        (INR, "inr", 1.1, "{ratio}", 43, Status.UNKNOWN),  # older than the window
        (INR, "inr", 1.8, "{ratio}", 10, Status.NOT_MET),
        (INR, "inr", 1.1, "{ratio}", -2, Status.UNKNOWN),  # after the as-of date: not used
        (ANC, "neutrophils", 2.0, "10^9/L", 28, Status.MET),
        (ANC, "neutrophils", 2.0, "10^9/L", 29, Status.UNKNOWN),
        (ANC, "neutrophils", 1.0, "10^9/L", 3, Status.NOT_MET),
        (LVEF, "lvef", 60, "%", 5, Status.MET),
        (LVEF, "lvef", 60, "%", 40, Status.UNKNOWN),
        (LVEF, "lvef", 45, "%", 5, Status.NOT_MET),
        (LVEF, "lvef", 60, "%", None, Status.UNKNOWN),
    ],
)
def test_a_result_inside_or_outside_the_window(
    text: str, analyte: str, value: float, unit: str, days_before: int | None, status: Status
) -> None:
    criterion = read_item(text, "inclusion")
    patient = _patient(analyte, value, unit, days_before)
    assert item_status(criterion, patient, as_of=AS_OF) is status


def test_a_first_dose_window_counts_from_the_first_dose() -> None:
    # NCT05672355 I7: a count 3 days after the as-of date, before the planned first dose
    criterion = read_item(
        "White Blood Cells (WBC) \\>= 1,000/mm\\^3 (To be performed within 14 days prior to Day "
        "1 of protocol therapy)",
        "inclusion",
    )
    assert (
        item_status(criterion, _patient("leukocytes", 4.0, "10^9/L", -3), as_of=AS_OF) is Status.MET
    )
    old = _patient("leukocytes", 4.0, "10^9/L", 10)  # 17 days before the first dose
    assert item_status(criterion, old, as_of=AS_OF) is Status.UNKNOWN


# ---- the per-patient and the vectorised screen agree on random patients

ITEMS = (
    ("I1", ANC),
    ("I2", INR),
    ("I3", LVEF),
    ("I4", "Platelet count \\> 50,000/mm\\^3 within 6 weeks of screening"),  # NCT04693377
    (
        "I5",
        "Platelets \\>= 100,000/mm\\^3 (To be performed within 14 days prior to Day 1 of protocol "
        "therapy)",  # the window of NCT05672355 I7
    ),
    (
        "I6",
        "Total serum bilirubin =\\< 1.5 x upper limit of normal (ULN) OR direct bilirubin =\\< "
        "ULN for participants with total bilirubin levels \\> 1.5 x ULN (performed within 14 "
        "days prior to day 1)",  # NCT04887805
    ),
    (
        "I7",
        "Has left ventricular ejection fraction (LVEF) ≥ 50% by either echocardiogram (ECHO) or "
        "multigated acquisition scan (MUGA)",  # after NCT03260491 I48
    ),
)


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    read_items_agree_on_random_patients(ITEMS, as_of=AS_OF, seed=13)
