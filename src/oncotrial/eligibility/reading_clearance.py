"""A creatinine clearance that may be calculated or measured (issue 12): "Creatinine clearance
(calculated or measured) ≥ 60 mL/min", "calculated or measured creatinine clearance ≥ 50 mL/min",
"measured or calculated CrCl ≥ 45 mL/min".

The protocol accepts either way of knowing the clearance, so the limit is met when either is:
one any-of rule, the Cockcroft-Gault estimate (the reading convention for a calculated
clearance that names no method, stated in the rule's warning) or the clearance measured on a
timed urine collection (``analytes.creatinine_clearance_measured``), never the estimate alone —
which would refuse a patient whose measured clearance the protocol accepts, and leave the words
"or measured" unread (the item then stayed with the investigator). In an exclusion ("calculated
or measured creatinine clearance < 30 mL/min") the patient is excluded only when both are below
(an all-of rule): one adequate clearance is what the protocol accepts, and a missing measurement
leaves the item unknown, never a wrong exclusion.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Mention, _Reader, _Threshold
from oncotrial.eligibility.rules import AllOfRule, AnyOfRule, DerivedRule, LabRule, Rule, Window

__all__ = ["EITHER_CLEARANCE", "either_clearance_mentions", "either_clearance_rule"]

# the key of a mention of such a clearance: neither an analyte nor a derived quantity, both
EITHER_CLEARANCE = "creatinine_clearance_calculated_or_measured"

_CLEARANCE = r"(?:creatinine\s+clearance|CrCl|CLcr)(?:\s*\((?:CrCl|CLcr)\))?"
_CALCULATED = r"calculated(?:\s*\(Cockc?roft[-\s]Gault\))?"
_MEASURED = r"measured(?:\s*\((?:by\s+)?24[-\s]?h(?:ou)?r?\s+urine(?:\s+collection)?\))?"
_EITHER = (
    rf"(?:{_CALCULATED}\s*(?:,?\s*or|/)\s*{_MEASURED}|{_MEASURED}\s*(?:,?\s*or|/)\s*{_CALCULATED})"
)
_PHRASE = re.compile(
    rf"{_EITHER}\s+{_CLEARANCE}|{_CLEARANCE}\s*(?:\(\s*{_EITHER}\s*\)|,\s*{_EITHER}\s*,?)",
    re.I,
)


def either_clearance_mentions(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """``mentions`` with each phrase above as one mention of both clearances (the mentions of
    the calculated or the measured clearance inside it dropped)."""
    phrases = [m.span() for m in _PHRASE.finditer(text)]
    if not phrases:
        return mentions
    kept = [m for m in mentions if not any(m.start < b and a < m.end for a, b in phrases)]
    either = [_Mention(a, b, EITHER_CLEARANCE, True) for a, b in phrases]
    return sorted([*kept, *either], key=lambda m: m.start)


def either_clearance_rule(
    r: _Reader, t: _Threshold, start: int, window: Window | None
) -> Rule | None:
    """The limit ``t`` on the calculated or the measured clearance: either meets it in an
    inclusion, both must in an exclusion."""
    if t.value is None or t.unit is None or t.relative_to is not None:
        return None
    limit = {"comparator": t.comparator, "value": t.value, "unit": t.unit, "within": window}
    try:
        calculated = r.draft(DerivedRule, start, t.end, quantity="creatinine_clearance", **limit)
        measured = r.draft(LabRule, start, t.end, analyte="creatinine_clearance_measured", **limit)
    except ValueError:
        r.warn(f"creatinine clearance: the unit {t.unit} does not fit it; not read")
        return None
    if r.exclusion:
        return r.draft(AllOfRule, start, t.end, rules=(calculated, measured))
    return r.draft(AnyOfRule, start, t.end, rules=(calculated, measured))
