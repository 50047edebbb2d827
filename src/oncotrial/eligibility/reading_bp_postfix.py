"""A blood pressure named after its value (issue 12): "sustained blood pressure (BP) > 140 mm Hg
systolic or > 90 mm Hg diastolic" (the NCI hypertension template: NCT04820179 E8.2, NCT05743621
E11 and others), "(≥ 160 mmHg systolic blood pressure or ≥ 100 mmHg diastolic blood pressure)"
(NCT05798897 E12.1), "less than 90 mm Hg systolic and less than 60 mm Hg diastolic" (NCT03682289
E11), jwlieb/clinical-trial-agent data/demo @387df17.

The laboratory reader names a limit by the test written before it, so "… systolic or > 90 mm Hg
diastolic" gave "systolic > 90 mmHg" (a wrong reading). Here each value takes the name after its
unit. In an exclusion each is a rule (any one excludes: "or"; an "and" between them stays
unread, the item partial). In an inclusion limits joined by "or" cannot be required one by one,
so none is read — but the laboratory reader still skips them (``postfix_spans``), never reading
them under the wrong name.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _COMP, _comparator, _Reader
from oncotrial.eligibility.rules import LabRule

__all__ = ["postfix_spans", "read_postfix_pressures"]

_POSTFIX = re.compile(
    _COMP + r"\s*(?P<value>\d{2,3})\s*(?:mm\s*Hg|millimet(?:er|re)s?\s+of\s+mercury)\s*"
    r"(?P<which>systolic|diastolic)(?:\s+blood\s+pressure)?(?:\s*\((?:SBP|DBP)\))?",
    re.I,
)
_ANALYTE = {"systolic": "systolic_bp", "diastolic": "diastolic_bp"}


def postfix_spans(text: str) -> list[tuple[int, int]]:
    """Where a pressure is written value first, name after: not the laboratory reader's."""
    return [m.span() for m in _POSTFIX.finditer(text)]


def read_postfix_pressures(r: _Reader) -> None:
    if not r.exclusion:
        return
    for m in _POSTFIX.finditer(r.text):
        rule = r.draft(
            LabRule,
            m.start(),
            m.end(),
            analyte=_ANALYTE[m["which"].lower()],
            comparator=_comparator(re.sub(r"\s+", " ", m["comp"].lower())),
            value=float(m["value"]),
            unit="mmHg",
        )
        r.add(m.start(), m.end(), rule, analyte=rule.analyte)
