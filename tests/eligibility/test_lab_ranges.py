"""A test's range written without comparators (reading_ranges): "BMI 18.5-30 kg/m2", "HbA1c
between 7% and 10%", "Body weight between 50 and 100 kg" — at least the lower and at most the
upper bound, as an age range is read. Before, nothing of such an item was read. Made-up texts in
the phrasings of registry records of other fields than oncology (the held-out corpus draws on
them; none of the tuning corpora writes a range so); every corpus figure is unchanged.
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
    ("text", "readings"),
    [
        ("BMI 18.5-30 kg/m2", ["Body mass index ≥ 18.5 kg/m^2", "Body mass index ≤ 30 kg/m^2"]),
        ("BMI of 18 to 32 kg/m2", ["Body mass index ≥ 18 kg/m^2", "Body mass index ≤ 32 kg/m^2"]),
        ("HbA1c between 7% and 10%", ["HbA1c ≥ 7 %", "HbA1c ≤ 10 %"]),
        ("HbA1c 7.0-10.5%", ["HbA1c ≥ 7 %", "HbA1c ≤ 10.5 %"]),
        ("Body weight between 50 and 100 kg", ["Body weight ≥ 50 kg", "Body weight ≤ 100 kg"]),
        (
            "Systolic blood pressure 140-179 mmHg",
            ["Systolic blood pressure ≥ 140 mmHg", "Systolic blood pressure ≤ 179 mmHg"],
        ),
    ],
)
def test_read(text: str, readings: list[str]) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("exclusion", "BMI 18.5-30 kg/m2"),  # which side excludes is not said
        ("inclusion", "BMI 30-18 kg/m2"),  # reversed
        ("inclusion", "Weight 50-100"),  # no unit
        ("inclusion", "HbA1c 7 and 10 %"),  # a list, not a range
        ("inclusion", "PSA between 2.5 and 10 if 50-60 years of age"),  # NCT00056407 I3's shape
    ],
)
def test_not_read(kind: str, text: str) -> None:
    criterion = read_item(text, kind)
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("hba1c", "status"),
    [(8.2, Status.MET), (6.5, Status.NOT_MET), (10.4, Status.NOT_MET), (None, Status.UNKNOWN)],
)
def test_screening_both_paths(hba1c: float | None, status: Status) -> None:
    observations = [] if hba1c is None else [lab("hba1c", hba1c, "%", "2025-02-27")]
    patient = Patient.model_validate({"id": "P", "observations": observations})
    criterion = read_item("HbA1c between 7% and 10%", "inclusion")
    assert item_status(criterion, patient, as_of=AS_OF) is status
