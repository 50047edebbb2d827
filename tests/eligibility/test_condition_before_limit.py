"""A subgroup's limit whose condition is written before it: "AST/ALT ≤ 2.5 × ULN; if liver
metastases, ≤ 5 × ULN", "…, or in case of liver metastases ≤ 5 × ULN", "(for patients with liver
metastases: ≤ 5 × ULN)". Read as the conditional the condition-after form gives ("≤ 5 × ULN in
patients with liver metastases"); before, the second limit and its condition stayed unread and
the conditional hand reading was not produced. Made-up texts in registry phrasings (the tuning
corpora write the condition after the limit); every corpus figure is unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, lab, read_item

AS_OF = dt.date(2025, 3, 1)
AFTER = "AST and ALT ≤ 2.5 × ULN or ≤ 5 × ULN in patients with liver metastases"


def _conditional(test: str, high: str, low: str) -> str:
    return f"if Liver metastases (current): {test} {high} × ULN; otherwise {test} {low} × ULN"


BOTH = [
    _conditional("Aspartate aminotransferase", "≤ 5", "≤ 2.5"),
    _conditional("Alanine aminotransferase", "≤ 5", "≤ 2.5"),
]


@pytest.mark.parametrize(
    "text",
    [
        "AST/ALT ≤ 2.5 × ULN; if liver metastases, ≤ 5 × ULN",
        "AST and ALT ≤ 2.5 × ULN, or in case of liver metastases ≤ 5 × ULN",
        "AST and ALT ≤ 2.5 × ULN (for patients with liver metastases: ≤ 5 × ULN)",
    ],
)
def test_read_as_the_condition_after(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == BOTH
    assert [describe_rule(r) for r in read_item(AFTER, "inclusion").rules] == BOTH
    assert is_computable(criterion.rules, criterion.unread)


def test_gilbert() -> None:
    criterion = read_item(
        "Total bilirubin ≤ 1.5 × ULN; for patients with Gilbert's syndrome ≤ 3 × ULN", "inclusion"
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        "if Gilbert's syndrome: Total bilirubin ≤ 3 × ULN; otherwise Total bilirubin ≤ 1.5 × ULN"
    ]


@pytest.mark.parametrize(
    "text",
    [
        # another condition than the cues oncotrial reads
        "AST and ALT ≤ 2.5 × ULN; if peritoneal metastases, ≤ 5 × ULN",
        # other words between the condition and the limit
        "AST and ALT ≤ 2.5 × ULN; if liver metastases are confirmed by biopsy, ≤ 5 × ULN",
    ],
)
def test_not_read(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not is_computable(criterion.rules, criterion.unread)


def _patient(ast: float, metastases: bool) -> Patient:
    data: dict[str, Any] = {
        "id": "P",
        "observations": [
            lab("ast", ast, "U/L", "2025-02-27", high=40),
            lab("alt", 30, "U/L", "2025-02-27", high=40),
        ],
        "conditions": [{"text": "Liver metastases"}] if metastases else [],
    }
    return Patient.model_validate(data)


@pytest.mark.parametrize(
    ("ast", "metastases", "status"),
    [
        (90, False, Status.MET),  # 2.25 × ULN
        (150, False, Status.NOT_MET),  # 3.75 × ULN
        (150, True, Status.MET),
        (210, True, Status.NOT_MET),  # 5.25 × ULN
    ],
)
def test_screening_both_paths(ast: float, metastases: bool, status: Status) -> None:
    criterion = read_item("AST/ALT ≤ 2.5 × ULN; if liver metastases, ≤ 5 × ULN", "inclusion")
    assert item_status(criterion, _patient(ast, metastases), as_of=AS_OF) is status


def test_bone_metastases_are_a_cue_now() -> None:
    # bone metastases became a condition concept (SNOMED CT 94222008, test_condition_cues)
    criterion = read_item("AST and ALT ≤ 2.5 × ULN; if bone metastases, ≤ 5 × ULN", "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [
        "if Bone metastases (current): Aspartate aminotransferase ≤ 5 × ULN; otherwise "
        "Aspartate aminotransferase ≤ 2.5 × ULN",
        "if Bone metastases (current): Alanine aminotransferase ≤ 5 × ULN; otherwise "
        "Alanine aminotransferase ≤ 2.5 × ULN",
    ]
    assert is_computable(criterion.rules, criterion.unread)
