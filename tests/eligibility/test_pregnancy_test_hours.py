"""A pregnancy test "within 72 hours before the first dose" (73 development items of
jwlieb/clinical-trial-agent data/demo @387df17 give their pregnancy test's window in hours, 50 of
them partial for it). Records are dated by day, so a window of hours is read as the whole days
whose results are surely inside it — a result dated D days before the dose was taken at most
(D + 1) × 24 hours before — and never rounded up: 72 hours are the 2 days before the dose; a
result of the third day may be older than 72 hours and is not used (the test is then unknown, not
met). Under 48 hours no whole day is sure: the test is read, its window left unread."""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import assert_read_whole, item_statuses, read_item

AS_OF = dt.date(2025, 6, 10)  # screened on the day of the first dose
FIRST_DOSE = dt.date(2025, 6, 10)
TEXT = "Negative urine or serum pregnancy test within 72 hours before the first dose of study drug"


@pytest.mark.parametrize(
    ("text", "window"),
    [
        (TEXT, "within 2 days before the first dose"),
        (
            "Negative serum pregnancy test within 48 hours prior to receiving the first dose of "
            "study medication",
            "within 1 day before the first dose",
        ),
    ],
)
def test_hours_read_as_the_sure_whole_days(text: str, window: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [
        f"if sex is female: Pregnancy test (hCG) = negative {window}"
    ]
    assert is_computable(criterion.rules, criterion.unread)
    item = Criterion(id="I1", kind=CriterionKind.INCLUSION, text=text)
    assert any("whole days" in w for w in read_criterion(item).warnings)


def test_under_48_hours_the_window_stays_unread() -> None:
    criterion = read_item(
        "Negative pregnancy test within 24 hours before the first dose", "inclusion"
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        "if sex is female: Pregnancy test (hCG) = negative"
    ]
    assert criterion.unread == ("within 24 hours before the first dose",)


def _woman(pid: str, day: str, result: str = "negative") -> Patient:
    test = {"analyte": "hcg", "result": result, "date": day}
    return Patient.model_validate({"id": pid, "sex": "female", "observations": [test]})


def test_screened_alike_one_at_a_time_and_vectorised() -> None:
    criterion = read_item(TEXT, "inclusion")
    patients = [
        _woman("two_days_before", "2025-06-08"),  # at most 72 hours before: met
        _woman("dose_day", "2025-06-10"),
        _woman("three_days_before", "2025-06-07"),  # may be over 72 hours: not used, unknown
        _woman("positive", "2025-06-09", "positive"),
    ]
    found = item_statuses(criterion, patients, as_of=AS_OF, first_dose=FIRST_DOSE)
    assert found == {
        "two_days_before": "met",
        "dose_day": "met",
        "three_days_before": "unknown",
        "positive": "not met",
    }


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (  # Merck's template, its note on how a negative test is established
            "NCT04005690 I16",
            "Participants of childbearing potential must have a negative urine or serum pregnancy "
            "test within 72 hours prior to receiving the first dose of study medication. If the "
            "urine test is positive or cannot be confirmed as negative, a serum pregnancy test "
            "will be required.",
        ),
        (
            "NCT06222593 I6",
            "Female subject of childbearing potential should have a negative urine or serum "
            "pregnancy test within 72 hours prior to receiving the first dose of study medication.",
        ),
        (
            "NCT06697301 I10",
            "Have a negative serum pregnancy test within 72 hours prior to receiving the first "
            "dose of study medication (applies to women of childbearing potential \\[WOCBP\\]).",
        ),
    ],
)
def test_asked_of_women_of_childbearing_potential(source: str, text: str) -> None:
    reading = (
        "if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative "
        "within 2 days before the first dose"
    )
    assert_read_whole(text, "inclusion", [reading], source)
