"""A laboratory limit restated in a second unit (issue 12; the hand readings count it as one
limit): "Hb ≥ 90 g/L (9 g/dL)", "ANC ≥ 1,500/mm³ (≥ 1.5 × 10^9/L)", "creatinine ≤ 1.5 mg/dL
(133 µmol/L)", "hemoglobin ≥ 9 g/dL or 5.6 mmol/L", "platelets ≥ 100 × 10^9/L [100,000/µL]".

The second number is a restatement only when it is the first limit converted to its unit (the
molar mass of the test where mass and amount differ) and written to the precision it shows:
within half a unit of its last digit ("133" for 132.6 µmol/L, "5.6" for 5.585 mmol/L) and never
more than 2 % apart, so "Hb ≥ 9 g/dL (6 mmol/L)" — 9.7 g/dL — is two limits, not one. A
comparator written with it must be the first one's; after "or", "/" or a comma no bracket is
needed. Anything else (another number, "(≤ 5 × ULN for …)") is not a restatement.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.reading import _NUM, _comparator, _Found, _number, _read_unit, _Threshold
from oncotrial.eligibility.rules import LabRule
from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import DictionaryError, RuleError

__all__ = ["restatement"]

_UNIT_PART = r"[^\s()\[\],;]+"
# "Hemoglobin ≥90 g/L (or ≥9 g/dL)" (NCT05076760 I17.2), "ANC ≥ 1.5 x 109/L (≥ 1500 per mm3)"
# (NCT05035836 I8.2; jwlieb/clinical-trial-agent data/demo @387df17): "or" inside the bracket, and
# "per" before the unit
_RESTATED = re.compile(
    r"\s*(?:(?P<open>[(\[])(?:\s*or\b)?|(?:,|/|\bor\b)(?=\s*[≥≤<>]?\s*\d))\s*"
    r"(?:(?P<comp>[≥≤<>])\s*|=\s*)?"
    # "Platelets ≥ 90 x 10^9/L (90 000/µL)" (NCT06492122 I11.3): a space between thousands
    rf"(?P<num>\d{{1,3}}(?:[ \u2009\u202f]\d{{3}})+(?=\s*/)|{_NUM})\s*"
    rf"(?P<unit>(?:[×xX*·]\s*|per\s+)?{_UNIT_PART}(?:\s*/\s*{_UNIT_PART})?)"
    r"\s*(?(open)[)\]])",
    re.I,
)
_MOST_APART = 0.02


def _decimals(written: str) -> int:
    m = re.fullmatch(r"\d+\.(\d+)", written)
    return len(m.group(1)) if m else 0


def restatement(text: str, t: _Threshold, made: list[_Found]) -> int | None:
    """Where the restatement of the limit ``t`` (read as the rules ``made``) ends, if it has
    one right after it."""
    m = _RESTATED.match(text, t.end)
    if m is None or t.value is None or t.unit is None:
        return None
    if m.group("comp") and _comparator(m.group("comp")) is not t.comparator:
        return None
    unit, _ = _read_unit(m.group("unit"))
    if unit is None:
        return None
    number = re.sub(r"[ \u2009\u202f]", "", m.group("num"))
    written = _number(number)
    slack = 0.5 * 10 ** -_decimals(number)
    for item in made:
        rule = item.rule
        if not isinstance(rule, LabRule) or rule.unit is None:
            return None
        try:
            factor = conversion_factor(rule.unit, unit, ANALYTES[rule.analyte].molar_mass)
        except (DictionaryError, RuleError):  # units that do not convert: not a restatement
            return None
        expected = rule.value * factor
        apart = abs(expected - written)
        if apart > 1e-6 * max(abs(expected), abs(written)) and (
            apart > slack * (1 + 1e-9) or apart > _MOST_APART * abs(expected)
        ):
            return None
    return m.end()
