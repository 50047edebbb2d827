"""Pulmonary fibrosis is an interstitial lung disease, and leptomeningeal disease has its own
concept: both read where checkpoint-inhibitor trials exclude them ("Interstitial pneumonia or
pulmonary fibrosis", "Brain metastases or leptomeningeal disease", "carcinomatous
meningitis"). A qualifier the rule does not carry ("Active …") stays unread."""

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
    ("text", "reading"),
    [
        ("Interstitial pneumonia or pulmonary fibrosis", ["Interstitial lung disease"] * 2),
        ("History of idiopathic pulmonary fibrosis", ["Interstitial lung disease"]),
        (
            "Brain metastases or leptomeningeal disease",
            [
                "Brain or other central nervous system metastases (current)",
                "Leptomeningeal disease (current)",
            ],
        ),
        ("Carcinomatous meningitis", ["Leptomeningeal disease (current)"]),
    ],
)
def test_readings(text: str, reading: list[str]) -> None:
    criterion = read_item(text)
    assert [describe_rule(r) for r in criterion.rules] == reading
    assert is_computable(criterion.rules, criterion.unread)


def test_an_undefined_active_is_the_screeners_to_confirm() -> None:
    # 'active' that the item does not define is no record field: a qualifier on the current
    # condition (reading_active.CONFIRMED_ACTIVE), never read as untreated nor as the plain
    # condition
    criterion = read_item("Active brain metastases or carcinomatous meningitis")
    assert [describe_rule(r) for r in criterion.rules] == [
        'Brain or other central nervous system metastases (current), to confirm: "active"',
        'Leptomeningeal disease (current), to confirm: "active"',
    ]
    assert criterion.unread == ()


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        ([{"text": "leptomeningeal carcinomatosis", "onset": "2024-06-01"}], Status.MET),
        ([{"text": "pulmonary fibrosis", "onset": "2019-06-01"}], Status.NOT_MET),
        ([], Status.NOT_MET),
    ],
)
def test_verdicts(conditions: list[dict[str, Any]], status: Status) -> None:
    patient = Patient.model_validate({"id": "P", "conditions": conditions})
    criterion = read_item("Leptomeningeal disease")
    assert item_status(criterion, patient, as_of=AS_OF) is status
