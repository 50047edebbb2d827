"""Counts of prior therapy written the other way round: "No more than 1 prior chemotherapy
regimen", "No more than 2 prior systemic therapy regimens", "More than one prior systemic
therapy" — as "lines of …" already were.

"More than one prior systemic therapy" (an exclusion) was read as *at least 1 line* with "More
than one" quoted: the count now comes first, *at least 2 lines*. A chemotherapy regimen counts
only lines holding chemotherapy; a systemic therapy, any line. Texts marked with an NCT number
are real items of the round-5 tuning corpus (tests/eligibility/corpus/tuning_round5.json).
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
            "No more than 1 prior chemotherapy regimen",
            "inclusion",
            "prior lines of Cytotoxic chemotherapy: at most 1 lines",
        ),
        (
            "No more than 2 prior systemic therapy regimens",
            "inclusion",
            "prior lines of systemic therapy: at most 2 lines",
        ),
        (
            "At least one prior platinum-based chemotherapy regimen",
            "inclusion",
            "prior lines of Platinum-based chemotherapy: at least 1 lines",
        ),
        (  # NCT00556049 E2's words without "of any kind for renal cell carcinoma"
            "More than one prior systemic therapy",
            "exclusion",
            "prior lines of systemic therapy: at least 2 lines",
        ),
        (
            "More than 2 prior systemic treatments",
            "exclusion",
            "prior lines of systemic therapy: at least 3 lines",
        ),
    ],
)
def test_counts_before_the_therapy_are_read(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


def test_a_setting_after_the_count_stays_unread() -> None:
    # NCT00496756 I3.2: a line for another cancer does not count against it
    criterion = read_item("No more than one prior systemic therapy for RCC", "inclusion")
    assert "for RCC" in criterion.unread


def _line(drug: str) -> dict[str, Any]:
    return {"drugs": [{"text": drug}], "start": "2023-01-01"}


@pytest.mark.parametrize(
    ("text", "therapies", "status"),
    [
        # one chemotherapy line and one targeted line: one chemotherapy regimen, two systemic
        (
            "No more than 1 prior chemotherapy regimen",
            [_line("carboplatin"), _line("osimertinib")],
            Status.MET,
        ),
        (
            "No more than 1 prior systemic therapy regimen",
            [_line("carboplatin"), _line("osimertinib")],
            Status.NOT_MET,
        ),
        ("No more than 1 prior chemotherapy regimen", None, Status.UNKNOWN),
    ],
)
def test_counted_per_patient_and_vectorised(
    text: str, therapies: list[dict[str, Any]] | None, status: Status
) -> None:
    patient = Patient.model_validate({"id": "P", "therapies": therapies})
    assert item_status(read_item(text, "inclusion"), patient, as_of=AS_OF) is status
