"""A test's range written without comparators (issue 12): "BMI 18.5-30 kg/m2", "HbA1c between
7% and 10%", "Body weight between 50 and 100 kg", "Systolic blood pressure 140-179 mmHg".

Read in an inclusion as two limits, at least the lower and at most the upper bound (the ends
included, as an age range "18-75 years" is read), each the rule the laboratory reader would
make of "≥ low" and "≤ high". Only right after the test's name (with "of", ":" or "between"
between), only with a unit after the upper bound (or the same unit after both), the lower bound
below the upper one; in an exclusion a range says nothing of which side excludes: not read.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _NUM, _mentions, _number, _read_unit, _Reader, _Threshold
from oncotrial.eligibility.reading_labs import _lab_rule, _lab_window
from oncotrial.eligibility.rules import Comparator

__all__ = ["read_lab_ranges"]

_UNIT = r"(?:%|[A-Za-zµμ/^.\d²³]+(?:\s*/\s*[A-Za-z\d.²³^]+)?)"
_RANGE = re.compile(
    r"\s*(?:(?:level|value|count)s?\s+)?(?:of\s+|:\s*|was\s+|is\s+)?"
    rf"(?:(?P<between>between|from)\s+)?(?P<lo>{_NUM})\s*(?P<u1>{_UNIT})?\s*"
    rf"(?:-|–|to|and)\s*(?P<hi>{_NUM})\s*(?P<u2>{_UNIT})(?![\w/])",
    re.I,
)


def read_lab_ranges(r: _Reader) -> None:
    if r.exclusion:
        return
    text = r.text
    window = r.carried_window or _lab_window(text)  # as the laboratory reader's limits have
    for mention in _mentions(text):
        m = _RANGE.match(text, mention.end)
        if m is None or any(f.start < m.end() and mention.start < f.end for f in r.found):
            continue
        joined = text[m.start("hi") - 8 : m.start("hi")].lower()
        if (m["between"] or "").lower() == "between" and not re.search(r"\band\s*$", joined):
            continue  # "between 7 - 10": not the words of a range here
        if not m["between"] and re.search(r"\band\s*$", joined):
            continue  # "HbA1c 7 and 10 %": a list, not a range
        unit, used = _read_unit(m["u2"])
        if unit is None or used != len(m["u2"].rstrip(".:*")):
            continue
        if m["u1"] and _read_unit(m["u1"])[0] != unit:
            continue
        low, high = _number(m["lo"]), _number(m["hi"])
        if not low < high:
            continue
        made = [
            _lab_rule(
                r, mention, _Threshold(m.start("lo"), m.end(), comparator, value, unit), s, window
            )
            for comparator, value, s in (
                (Comparator.GE, low, mention.start),
                (Comparator.LE, high, mention.start),
            )
        ]
        if any(rule is None for rule in made):
            continue
        for rule in made:
            assert rule is not None
            r.add(mention.start, m.end(), rule, analyte=mention.key)
