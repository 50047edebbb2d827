"""Two tests joined by "or", then two limits joined by "or", one for each test (issue 12):
"Serum creatinine or Creatinine clearance ≤ 1.5 x ULN OR ≥ 40 mL/min" (NCT04093167 I15.6),
"Creatinine OR Calculated creatinine clearance: ≤ 1.5 x ULN OR ≥ 40 mL/min" (NCT06794229),
jwlieb/clinical-trial-agent data/demo/... @387df17.

Read respectively — *(creatinine ≤ 1.5 × ULN) or (creatinine clearance ≥ 40 mL/min)*, as
"Serum creatinine ≤ 1.5 × ULN or creatinine clearance ≥ 40 mL/min" is read (reading_labs) —
only when the units pair them one way and not the other: each limit fits its own test and
neither fits the other's (a clearance has no upper limit of normal; a serum creatinine is never
in mL/min). Otherwise the words stay with ``reading_labs``, which leaves "or" between two tests
with one limit unread. Inclusions only.
"""

from __future__ import annotations

import re
from itertools import pairwise

from oncotrial.eligibility.analytes import ANALYTES, DERIVED
from oncotrial.eligibility.reading import _Mention, _mentions, _Reader, _Threshold, _thresholds
from oncotrial.eligibility.reading_clearance import either_clearance_mentions
from oncotrial.eligibility.reading_labs import _lab_rule, _lab_window
from oncotrial.eligibility.rules import AnyOfRule
from oncotrial.eligibility.units import compatible
from oncotrial.errors import DictionaryError

__all__ = ["read_respective_limits"]

_OR = re.compile(r"\s+or\s+(?:(?:calculated|estimated)\s+)?", re.I)
_BEFORE_LIMIT = re.compile(r"\s*:?\s*")
_BETWEEN_LIMITS = re.compile(r"\s*,?\s*or\s+", re.I)


def _fits(mention: _Mention, t: _Threshold) -> bool:
    """Whether ``t`` can be a limit of the test ``mention`` names (no warning either way)."""
    try:
        if mention.derived:
            quantity = DERIVED.get(mention.key)
            return (
                quantity is not None
                and t.relative_to is None
                and t.unit is not None
                and compatible(t.unit, quantity.unit)
            )
        item = ANALYTES[mention.key]
        if t.relative_to is not None:
            return True
        return (
            t.unit is not None
            and item.unit is not None
            and (compatible(t.unit, item.unit, item.molar_mass))
        )
    except (DictionaryError, KeyError):
        return False


def read_respective_limits(r: _Reader) -> None:
    """'A or B ≤ x OR ≥ y': (A ≤ x) or (B ≥ y), when the units pair them (module text)."""
    if r.exclusion:
        return
    text = r.text
    mentions = either_clearance_mentions(text, _mentions(text))
    thresholds = {t.start: t for t in _thresholds(text) if t.value is not None}
    for a, b in pairwise(mentions):
        joined = _OR.fullmatch(text, a.end, b.start)
        lead = _BEFORE_LIMIT.match(text, b.end) if joined else None
        first = thresholds.get(lead.end()) if lead else None
        gap = _BETWEEN_LIMITS.match(text, first.end) if first else None
        second = thresholds.get(gap.end()) if gap else None
        if first is None or second is None:
            continue
        if not (_fits(a, first) and _fits(b, second)) or _fits(a, second) or _fits(b, first):
            continue
        window = r.carried_window or _lab_window(text)
        one = _lab_rule(r, a, first, a.start, window)
        other = _lab_rule(r, b, second, b.start, window)
        if one is None or other is None:
            continue
        rule = r.draft(AnyOfRule, a.start, second.end, rules=(one, other))
        r.add(a.start, second.end, rule, analyte=a.key, cue="respective")
