"""Comparators written in words that were not read: 'at most', 'does not exceed', 'not to
exceed', and a multiple of the ULN followed by 'or less' / 'or greater' ('bilirubin 1.5 × ULN or
less'; the same after a unit was read already), 'upper limit normal' and 'ULRR' (the upper limit
of the reference range). Made-up texts in registry phrasings (none of the
tuning corpora writes them); every corpus figure is unchanged. 'under' and 'over' stay the age
words only (a BMI 'under 18.5' was once misread by taking them as comparators of every test).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, lab, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("kind", "text", "readings"),
    [
        ("inclusion", "Bilirubin at most 1.5 x ULN", ["Total bilirubin ≤ 1.5 × ULN"]),
        ("inclusion", "Age at most 75 years", ["age at consent ≤ 75 years"]),
        ("inclusion", "Creatinine does not exceed 1.5 x ULN", ["Serum creatinine ≤ 1.5 × ULN"]),
        ("inclusion", "Creatinine not to exceed 1.5 mg/dL", ["Serum creatinine ≤ 1.5 mg/dL"]),
        ("inclusion", "Bilirubin 1.5 x ULN or less", ["Total bilirubin ≤ 1.5 × ULN"]),
        (
            "inclusion",
            "AST and ALT 2.5 times the upper limit of normal or lower",
            ["Aspartate aminotransferase ≤ 2.5 × ULN", "Alanine aminotransferase ≤ 2.5 × ULN"],
        ),
        ("exclusion", "Creatinine 1.5 x ULN or more", ["Serum creatinine ≥ 1.5 × ULN"]),
        # the upper limit of normal without 'of', and the reference range's (UK laboratories)
        ("inclusion", "Bilirubin ≤ 1.5 x upper limit normal", ["Total bilirubin ≤ 1.5 × ULN"]),
        ("inclusion", "Bilirubin ≤ 1.5 x ULRR", ["Total bilirubin ≤ 1.5 × ULN"]),
        # the limit itself allowed: 'at or above' was read as 'above' alone, strict (NCT03971409
        # I5.1, a development record of jwlieb/clinical-trial-agent data/demo @387df17)
        (
            "inclusion",
            "Cardiac ejection fraction at or above the institutional lower limit of normal",
            ["Left ventricular ejection fraction ≥ 1 × LLN"],
        ),
        ("inclusion", "Hemoglobin at or above 9 g/dL", ["Hemoglobin ≥ 9 g/dL"]),
        ("inclusion", "Total bilirubin at or below 1.5 x ULN", ["Total bilirubin ≤ 1.5 × ULN"]),
        (
            "inclusion",
            "Platelets above or equal to 100 x 10^9/L",
            ["Platelet count ≥ 100 × 10^9/L"],
        ),
        ("exclusion", "Creatinine higher than or equal to 2 mg/dL", ["Serum creatinine ≥ 2 mg/dL"]),
        # a negated comparator is the other way round: "not below" was read as "below" and "not
        # greater than" as "greater than", inverted limits (constructed; the negated form is in a
        # development record, NCT06826768 I10)
        ("inclusion", "Platelets not below 100,000/mm3", ["Platelet count ≥ 100000 /mm^3"]),
        ("inclusion", "Hemoglobin not greater than 9 g/dL", ["Hemoglobin ≤ 9 g/dL"]),
        # "to" left out, "equal or above", "at least equal to"
        ("inclusion", "Hemoglobin greater than or equal 9 g/dL", ["Hemoglobin ≥ 9 g/dL"]),
        ("inclusion", "Bilirubin less than or equal 1.5 x ULN", ["Total bilirubin ≤ 1.5 × ULN"]),
        ("inclusion", "Hemoglobin equal or above 9 g/dL", ["Hemoglobin ≥ 9 g/dL"]),
        ("inclusion", "Hemoglobin at least equal to 9 g/dL", ["Hemoglobin ≥ 9 g/dL"]),
    ],
)
def test_read(kind: str, text: str, readings: list[str]) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        "Hemoglobin over 9 g/dL",  # 'over' is an age word only
        "At most 2 prior lines of therapy for metastatic disease",  # no limit of a test
        # 'or less than': the comparator of the number after, not a postfix
        "Bilirubin 1.5 x ULN or less than 3 mg/dL",
    ],
)
def test_not_read_as_a_limit(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("bilirubin", "status"), [(1.7, Status.MET), (1.9, Status.NOT_MET), (None, Status.UNKNOWN)]
)
def test_screening_both_paths(bilirubin: float | None, status: Status) -> None:
    observations = [] if bilirubin is None else [lab("bilirubin", bilirubin, "mg/dL", "2025-02-27")]
    observations = [{**o, "high": 1.2} for o in observations]  # 1.5 × ULN = 1.8 mg/dL
    patient = Patient.model_validate({"id": "P", "observations": observations})
    criterion = read_item("Bilirubin 1.5 x ULN or less", "inclusion")
    assert item_status(criterion, patient, as_of=AS_OF) is status


@pytest.mark.parametrize(
    "text",
    [
        "Hemoglobin not superior to 9 g/dL",
        "Hemoglobin is not > 9 g/dL",
        "Platelets no ≥ 100,000/mm3",
        "Hemoglobin never below 9 g/dL",
    ],
)
def test_a_negated_comparator_not_declared_is_never_read_as_the_plain_one(text: str) -> None:
    # before, "not" was skipped and the plain comparator read: the limit inverted
    assert not read_item(text, "inclusion").rules
