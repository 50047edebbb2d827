"""Laboratory limits written as "normal" (issue 12): "Bilirubin normal", "total bilirubin within
normal institutional limits", "Serum creatinine within normal limits", "AST WNL", "for patients
with creatinine levels above institutional normal".

Two kinds, read as thresholds that ``reading_labs._read_labs`` takes like any other:

- **above / below normal** ("above institutional normal", "greater than normal", "below
  normal"): one side, said outright: > 1 × ULN or < 1 × LLN, for any test.
- **within normal** ("normal", "within (the) normal (institutional) limits / range", "within
  institutional limits of normal", "in the normal range", "WNL"): both sides of the reference
  range. For a test graded only upwards (``analytes.GRADED_UPWARDS_ONLY``: CTCAE v5.0 has no
  adverse event for a value below the range) it asks that the value not exceed the upper limit,
  ≤ 1 × ULN, in an inclusion. For any other test (haemoglobin, platelets, calcium …) a value
  below the range may be what the words exclude, and which way the protocol means is not said:
  not read. In an exclusion it is not read either ("bilirubin normal" would exclude whom?).

A "normal" phrase is taken only right after the test it qualifies ("Creatinine normal",
"bilirubin levels must be within normal limits"), never with other words between ("bilirubin
is not within normal limits", "abnormal" are not read), never where an existing limit already
has the word ("2.5 × upper limit of normal"), and never "for age" (a paediatric range the
record may not carry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncotrial.eligibility.analytes import ANALYTES, GRADED_UPWARDS_ONLY
from oncotrial.eligibility.reading import _mentions, _Reader, _Threshold
from oncotrial.eligibility.rules import (
    Comparator,
)

__all__ = ["WithinNormal", "normal_allowed", "with_normal_limits"]


@dataclass(frozen=True)
class WithinNormal(_Threshold):
    """'Within normal limits': read as ≤ 1 × ULN only where ``normal_allowed`` says so."""


_NORMAL = r"normal\b(?:\s+institutional)?(?:\s+(?:limits?|ranges?|values?|levels?))?"
# "above institutional normal" (NCT01336543 I8.7, round 5), "greater than normal", "below normal
# range": the side is said; only these plain words, never negated ("no greater than normal", "not
# exceeding normal" are not read)
_SIDE = re.compile(
    r"(?<![A-Za-z])(?P<comp>above|greater\s+than|higher\s+than|more\s+than|exceeding|"
    r"in\s+excess\s+of|>|below|less\s+than|lower\s+than|<)\s*(?:the\s+)?"
    r"(?:(?:institutional|institution's|local|laboratory)\s+)?"
    + _NORMAL
    + r"(?:\s*\((?P<abbr>ULN|LLN)\))?(?!\s*(?:for\s+(?:age|the\s+age)|upper|lower))",
    re.I,
)
_UP = {"above", "greater than", "higher than", "more than", "exceeding", "in excess of", ">"}
_NEGATED = re.compile(r"(?<![A-Za-z])(?:no|not|never|nor)\s*$", re.I)
# "less than normal limit": the one limit a value can be under is the upper one, so 'below' a
# singular limit may mean under the ULN; only the range ("below normal", "below normal limits")
# is read as under the LLN
_SINGULAR_LIMIT = re.compile(r"\blimit\b(?!s)", re.I)
_WITHIN = re.compile(
    r"(?<![A-Za-z])(?:"
    # "within normal institutional limits", "within the institutional normal range", "in the
    # normal range", "within institutional limits of normal"
    r"(?:within|in)\s+(?:the\s+)?(?:(?:institutional|local|laboratory)\s+)?normal\s+"
    r"(?:institutional\s+)?(?:limits?|ranges?|values?)(?:\s*\(WNL\))?"
    r"|within\s+(?:the\s+)?(?:institutional\s+)?limits\s+of\s+normal"
    r"|WNL"
    # "Bilirubin normal", "Creatinine normal OR …", "Total bilirubin normal (exception …)": the
    # bare word, only where nothing after it makes it an adjective ("normal renal function")
    r"|normal(?=\s*(?:$|[.,;:)(\]]|\b(?:or|and|unless|except)\b))"
    r")(?!\s*(?:for\s+(?:age|the\s+age)|upper|lower))",
    re.I,
)
# between the test and its "normal": "Serum creatinine: WNL", "AST(SGOT)/ALT(SGPT) within …",
# "bilirubin levels must be within normal limits"; nothing else (no "not", no other test)
_LEAD = re.compile(
    r"[\s:),\]-]*(?:(?:levels?|values?|concentrations?|results?)\s+)?"
    r"(?:(?:is|are|must\s+be|should\s+be|to\s+be|be)\s+)?",
    re.I,
)


def with_normal_limits(text: str, thresholds: list[_Threshold]) -> list[_Threshold]:
    """``thresholds`` and the "normal" limits of ``text`` that none of them already holds."""
    found = list(thresholds)
    ends = [m.end for m in _mentions(text)]
    for pattern in (_SIDE, _WITHIN):
        for m in pattern.finditer(text):
            if any(t.start < m.end() and m.start() < t.end for t in found):
                continue  # "2.5 × institutional upper limit of normal": already a limit
            if pattern is _SIDE:
                up = re.sub(r"\s+", " ", m.group("comp").lower()) in _UP
                relative = "ULN" if up else "LLN"
                if (
                    _NEGATED.search(text, max(0, m.start() - 8), m.start())
                    or m.group("abbr") not in {None, relative}
                    or (not up and _SINGULAR_LIMIT.search(m.group(0)))
                ):
                    continue
                comparator = Comparator.GT if up else Comparator.LT
                found.append(_Threshold(m.start(), m.end(), comparator, 1.0, relative_to=relative))
                continue
            before = [e for e in ends if e <= m.start()]
            if not before or _LEAD.fullmatch(text, max(before), m.start()) is None:
                continue
            found.append(WithinNormal(m.start(), m.end(), Comparator.LE, 1.0, relative_to="ULN"))
    return sorted(found, key=lambda t: t.start)


def normal_note(t: _Threshold, name: str) -> str | None:
    """What the rule assumed of a 'within normal' limit, shown with it (never silently)."""
    if not isinstance(t, WithinNormal):
        return None
    return (
        f"'normal' read as ≤ 1 × ULN: CTCAE v5.0 grades {name.lower()} only upwards, so a value "
        "below the reference range is not screened — confirm"
    )


def normal_allowed(r: _Reader, t: _Threshold, analyte: str) -> bool:
    """Whether ``t`` may be read for ``analyte``: any threshold but a 'within normal' one, which
    only for a test graded upwards only, in an inclusion (a warning says why not otherwise)."""
    if not isinstance(t, WithinNormal):
        return True
    name = ANALYTES[analyte].name
    if r.exclusion:
        r.warn(f"{name} 'normal' in an exclusion: which values exclude is not said; not read")
        return False
    if analyte not in GRADED_UPWARDS_ONLY:
        r.warn(f"{name} 'normal': below or above the reference range is not said; not read")
        return False
    return True
