"""Words between a quantity's name and its limit are read or quoted, never skipped.

"PD-L1 TPS or CPS ≥ 1%" was read as *PD-L1 (the tumour proportion score) ≥ 1 %* and marked
computable, so a patient with TPS 0 % and CPS 5 failed an item they may meet; "Tumour diameter
or volume ≤ 5 cm" dropped the volume. The words are now quoted and the item goes to the
investigator (issue 12: never decided on the understood fragment alone), while the usual
fillers ("expression", "tumour proportion score (TPS)", "of") still read.
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.rules import describe_rule


def _read(text: str) -> Criterion:
    return read_criterion(Criterion(id="I1", kind=CriterionKind.INCLUSION, text=text)).criterion


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("PD-L1 TPS or CPS ≥ 1%", "TPS or CPS"),
        ("PD-L1 combined positive score ≥ 10%", "combined positive score"),
        ("PD-L1 expression on immune cells ≥ 1%", "expression on immune cells"),
        ("Tumour diameter or volume ≤ 5 cm", "or volume"),
    ],
)
def test_another_quantity_is_quoted(text: str, unread: str) -> None:
    criterion = _read(text)
    assert criterion.rules and unread in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("PD-L1 expression ≥ 50%", "PD-L1 ≥ 50 %"),
        ("PD-L1 tumour proportion score (TPS) ≥ 1%", "PD-L1 ≥ 1 %"),
        ("PD-L1 expression on tumor cells ≥ 1%", "PD-L1 ≥ 1 %"),
        ("Tumor size of ≤ 3 cm", "tumour size ≤ 3 cm"),
    ],
)
def test_fillers_still_read(text: str, reading: str) -> None:
    criterion = _read(text)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == ()
