"""'History of <events>' without a window is the events ever (reading_history_of).

"Any history of stroke or transient ischemic attack at any time" (NCT00600210 E31, round-5 tuning
corpus) and "History of myocardial infarction" were checklist items: the event names were read
only with a window. A window after them is still the windowed reading's (or, not taken, leaves
the words unread: never 'ever' on a window's event); a bare name without "history of" is not
read (it may mean a current event).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        (
            "Any history of stroke or transient ischemic attack at any time",
            "exclusion",
            "(Stroke (cerebrovascular accident)) or (Transient ischaemic attack)",
        ),
        ("History of myocardial infarction", "exclusion", "Myocardial infarction"),
        ("No history of pulmonary embolism", "inclusion", "not (Pulmonary embolism)"),
        ("History of gastrointestinal perforation", "exclusion", "Gastrointestinal perforation"),
    ],
)
def test_history_of_events_is_ever(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Pulmonary embolism", "exclusion"),  # current or ever: not said
        ("History of myocardial infarction", "inclusion"),  # no criterion to enter
    ],
)
def test_not_read_without_history_or_a_negation(text: str, kind: str) -> None:
    assert not read_item(text, kind).rules


def test_a_window_stays_the_windowed_reading() -> None:
    criterion = read_item("History of stroke within 6 months", "exclusion")
    assert [describe_rule(r) for r in criterion.rules] == [
        "Stroke (cerebrovascular accident) with onset within 6 months before the first dose"
    ]


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        ([{"text": "stroke", "onset": "2010-05-01"}], Status.MET),
        ([{"text": "transient ischemic attack"}], Status.MET),  # ever: no date needed
        ([], Status.NOT_MET),
        (None, Status.UNKNOWN),
    ],
)
def test_screened_per_patient_and_vectorised(
    conditions: list[dict[str, Any]] | None, status: Status
) -> None:
    patient = Patient.model_validate({"id": "P", "conditions": conditions})
    criterion = read_item("Any history of stroke or transient ischemic attack at any time")
    assert item_status(criterion, patient, as_of=AS_OF) is status
