"""Names of tests that were not read, and headings naming an organ system before its limits
("Hematology:", "Adequate hematologic function (…)"): the European 'thrombocytes', 'ASAT' /
'ALAT', the singular 'platelet' and plural 'platelet counts', and 'aminotransferases' for both
AST and ALT (as 'transaminases'). Made-up texts in registry phrasings (none of the tuning corpora
writes them); every corpus figure is unchanged.
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.rules import describe_rule

from .builders import read_item

BOTH = ["Aspartate aminotransferase ≤ 2.5 × ULN", "Alanine aminotransferase ≤ 2.5 × ULN"]


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("Platelet ≥ 100,000/mm3", ["Platelet count ≥ 100000 /mm^3"]),
        ("Platelet counts ≥ 100 x 10^9/L", ["Platelet count ≥ 100 × 10^9/L"]),
        ("Thrombocytes ≥ 100 x 10^9/L", ["Platelet count ≥ 100 × 10^9/L"]),
        ("Thrombocyte count ≥ 100 G/L", ["Platelet count ≥ 100 G/L"]),
        ("ASAT and ALAT ≤ 2.5 x ULN", BOTH),
        ("Aminotransferases ≤ 2.5 x ULN", BOTH),
        ("Serum aminotransferases ≤ 2.5 × ULN", BOTH),
    ],
)
def test_read(text: str, readings: list[str]) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert is_computable(criterion.rules, criterion.unread)


def test_a_platelet_transfusion_is_no_count() -> None:
    criterion = read_item("No platelet transfusion within 7 days", "inclusion")
    assert all(r.kind != "lab" for r in criterion.rules)


@pytest.mark.parametrize(
    "text",
    [
        "Hematology: ANC ≥ 1.5 × 10^9/L, platelets ≥ 100 × 10^9/L",
        "Adequate hematologic function (ANC ≥ 1.5 × 10^9/L, platelets ≥ 100 × 10^9/L)",
        "Adequate haematological function defined as: ANC ≥ 1.5 × 10^9/L",
        "Adequate kidney function: creatinine ≤ 1.5 × ULN",
        "Adequate coagulation: INR ≤ 1.5",
    ],
)
def test_a_heading_naming_the_system_is_read_with_its_limits(text: str) -> None:
    # the name of the organ system the limits define is no condition of its own
    criterion = read_item(text, "inclusion")
    assert criterion.rules and is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("inclusion", "Coagulation disorder, INR > 1.5"),
        ("exclusion", "History of coagulation disorder or INR > 1.5"),
    ],
)
def test_a_condition_of_the_system_stays_quoted(kind: str, text: str) -> None:
    criterion = read_item(text, kind)
    assert not is_computable(criterion.rules, criterion.unread)
