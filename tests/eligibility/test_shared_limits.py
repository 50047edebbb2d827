"""A limit shared by tests joined with 'and' / 'or': every test must be one oncotrial knows.

"Creatinine and potassium ≤ 1.5 × ULN" was read as *creatinine ≤ 1.5 × ULN* and marked computable:
potassium is no analyte of oncotrial's, the words between the creatinine and its limit were taken
as read, and a patient with any potassium passed (found by the wave/normal helper while reading
"normal" limits). Such an item now stays unread, quoted, with the investigator. Made-up texts of
the shape real records use.
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.rules import describe_rule

from .builders import read_item


@pytest.mark.parametrize(
    "text",
    [
        "Creatinine and potassium ≤ 1.5 × ULN",
        "Bilirubin or potassium ≤ 1.5 × ULN",
        "Platelets and magnesium ≥ 100,000/mm3",
        "Creatinine, potassium ≤ 1.5 × ULN",
        # a measured clearance is offered beside the calculated one: not Cockcroft-Gault alone
        # (read since as either one, test_clearance_either.py); another qualifier still is not
        "Creatinine clearance (calculated or estimated) ≥ 60 mL/min",
    ],
)
def test_an_unknown_test_sharing_the_limit_leaves_it_unread(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not criterion.rules or not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        (
            "AST and ALT ≤ 2.5 × ULN",
            ["Aspartate aminotransferase ≤ 2.5 × ULN", "Alanine aminotransferase ≤ 2.5 × ULN"],
        ),
        (
            "Hemoglobin and albumin ≥ 9 g/dL",
            ["Hemoglobin ≥ 9 g/dL", "Serum albumin ≥ 9 g/dL"],
        ),
    ],
)
def test_known_tests_sharing_a_limit_are_still_read(text: str, readings: list[str]) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == readings
