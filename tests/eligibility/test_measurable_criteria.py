"""Measurable disease and the criteria that define it.

"Measurable disease per WHO criteria" was read as *at least one measurable lesion* and marked
computable: "WHO" and "criteria" were words of no meaning to the parser (WHO also names a
performance-status scale), so the item was decided on oncotrial's own measurability — but WHO's
measurable disease is bidimensional, another thing. RECIST of any version is read (the lesion
record's measurability is the investigator's, by the trial's criteria, and the rule names them);
other criteria leave the item with the investigator. Texts marked with an NCT number are real
items of the round-5 tuning corpus (tests/eligibility/corpus/tuning_round5.json).
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.rules import describe_rule

from .builders import read_item


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (
            "Measurable disease by RECIST criteria",
            "at least 1 measurable (RECIST)",
        ),  # NCT00602576 I1.2
        (
            "Measurable disease according to RECIST.",
            "at least 1 measurable (RECIST)",
        ),  # NCT00549328 I7
        ("Measurable disease per RECIST 1.1", "at least 1 measurable (RECIST 1.1)"),
        ("Measurable disease according to RECIST 1.0", "at least 1 measurable (RECIST 1.0)"),
        ("Measurable disease (RECIST v1.1)", "at least 1 measurable (RECIST 1.1)"),
        ("Measurable disease per mRECIST", "at least 1 measurable (mRECIST)"),
        ("Evidence of measurable disease", "at least 1 measurable"),
        (
            "At least one measurable lesion as defined by RECIST criteria",
            "at least 1 measurable (RECIST)",
        ),
    ],
)
def test_recist_of_any_version_is_read_with_the_rule(text: str, reading: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        "Measurable disease per WHO criteria",
        "At least one measurable lesion per WHO criteria",
        "Measurable disease according to RANO",
        "Measurable disease by Choi criteria",
    ],
)
def test_other_criteria_leave_the_item_with_the_investigator(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not any(r.kind == "lesion" for r in criterion.rules)
