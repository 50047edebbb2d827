"""The upper bound written right after a lower one (issue 12): "CrCl ≥ 30 mL/min to < 45
mL/min", "Age ≥ 18 and ≤ 75", "Greater than or equal to 18 years of age and less than or equal
to age 75".

A second limit joined by "to", "and" or "but" to a lower limit already read (≥ or >) of the same
test is that test's upper bound: in an inclusion both must hold, so it is a rule of its own, the
first one's copy with the upper comparator and number. Read only when its unit is the first
one's (or not written), the number above the lower bound, and nothing but the unit follows; in
an exclusion "≥ 30 to < 45" excludes those inside the range, which the item's rules (any one
excludes) cannot say: not read.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _NUM, _comparator, _Found, _number, _read_unit, _Reader
from oncotrial.eligibility.rules import AgeRule, Comparator, DerivedRule, LabRule

__all__ = ["read_upper_bounds"]

_UPPER = re.compile(
    r"\s*(?:to|and|but)\s+(?P<comp>[≤<]|less\s+than\s+or\s+equal\s+to|less\s+than)\s*"
    rf"(?:(?:the\s+)?age\s+(?:of\s+)?)?(?P<num>{_NUM})(?!\d|[.,]\d)",
    re.I,
)
_AGE_UNIT = re.compile(r"\s*(?:years?|yrs?)(?:\s+(?:of\s+age|old))?\b", re.I)
# where the bound ends: the item's end, a sentence or list break, or a bracket closing
_END = re.compile(r"\s*(?:$|[.;,)](?:\s|$)|\)|\(|or\b|and\b)", re.I)

_Bounded = LabRule | DerivedRule | AgeRule


def read_upper_bounds(r: _Reader) -> None:
    if r.exclusion:
        return
    for f in list(r.found):
        rule = f.rule
        if not isinstance(rule, _Bounded) or rule.comparator not in {Comparator.GE, Comparator.GT}:
            continue
        if isinstance(rule, LabRule) and rule.relative_to is not None:
            continue  # "≥ 0.5 × LLN to …": a multiple of a normal limit is not bounded here
        m = _UPPER.match(r.text, f.end)
        if m is None or any(g is not f and g.start < m.end() and f.end < g.end for g in r.found):
            continue
        end = _unit_end(r.text, m.end(), rule)
        value = _number(m["num"])
        if end is None or value <= rule.value or _END.match(r.text, end) is None:
            continue
        upper = rule.model_copy(
            update={
                "comparator": _comparator(re.sub(r"\s+", " ", m["comp"].lower())),
                "value": value,
                "source": r.span(m.start(), end),
            }
        )
        r.found.insert(r.found.index(f) + 1, _Found(m.start(), end, upper, f.analyte, f.cue))
        r.consume(m.start(), end)


def _unit_end(text: str, start: int, rule: _Bounded) -> int | None:
    """Where the upper bound's unit ends: at ``start`` when none is written, None when the unit
    written is not the lower bound's (another quantity: not this test's bound)."""
    if isinstance(rule, AgeRule):
        unit = _AGE_UNIT.match(text, start)
        return unit.end() if unit else start
    token = re.match(r"\s*([^\s,;()]+(?:\s*/\s*1\.73\s*m(?:\^?2|²))?)", text[start:])
    if token is None:
        return start
    spelling, length = _read_unit(token.group(1))
    if spelling is None:
        # a word, not a unit: the bound has none ("… to < 45 in …")
        return start if re.fullmatch(r"[A-Za-z]+", token.group(1).rstrip(".:")) else None
    same = rule.unit is not None and spelling in {rule.unit, _read_unit(rule.unit)[0]}
    return start + token.start(1) + length if same else None
