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

A glomerular filtration rate that names no method ("Glomerular filtration rate (GFR) ≥ 60
mL/min/1.73 m^2", NCI's CTEP template, whose note says GFR "can also be used in place of
creatinine or CrCl"; NCT04071236 I17, NCT05839119 I15, jwlieb/clinical-trial-agent data/demo
@387df17) is proposed the same way: the measured GFR (``analytes.gfr_measured``) or the
creatinine estimate (eGFR, CKD-EPI 2021), either in an inclusion, both in an exclusion. Which
estimate the protocol accepts is not said, and a patient whose two values fall either side of
the limit would be decided on a guess: the rules are proposed and screened as evidence, and the
GFR's words are quoted unread (``unnamed_gfr``), so the item stays with the investigator.
"Calculated", "estimated", "measured" or "radioisotope" GFR names its method and is read as
that quantity alone (or not at all).
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Mention, _Reader, _Threshold
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    DerivedRule,
    LabRule,
    Rule,
    Window,
    leaf_rules,
)

__all__ = [
    "CKD_EPI_NAMED",
    "EITHER_CLEARANCE",
    "EITHER_GFR",
    "another_renal_formula",
    "either_clearance_mentions",
    "either_clearance_rule",
    "unnamed_gfr",
]

# the key of a mention of such a clearance: neither an analyte nor a derived quantity, both
EITHER_CLEARANCE = "creatinine_clearance_calculated_or_measured"
# the key of a mention of a GFR that names no method: the measured GFR or the eGFR
EITHER_GFR = "gfr_measured_or_estimated"

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

# "glomerular filtration rate (GFR)", "GFR": no word before it that names a method ("estimated",
# "calculated", "measured", "radioisotope", "24-hour", "eGFR" is one word), nor a word after it
# ("GFR by Cockcroft-Gault", "GFR (CKD-EPI)", "GFR as determined by …", "… calculated using …"),
# which another reading takes or leaves unread
# a GFR's name, with no word before it that names its method
_NO_METHOD_BEFORE = (
    r"(?<![\w-])(?<!estimated\s)(?<!measured\s)(?<!radioisotope\s)(?<!radionuclide\s)"
    r"(?<!nuclear\s)(?<!isotope\s)(?<!24h\s)(?<!hour\s)(?<!urine\s)"
)
_GFR_NAME = r"(?:glomerular\s+filtration\s+rate(?:\s*[(\[]\s*GFR\s*[)\]])?|GFR)\b"
_UNQUALIFIED_GFR = re.compile(
    _NO_METHOD_BEFORE
    + r"(?<!calculated\s)"
    + _GFR_NAME
    + r"(?!(?:[^.;]|\.(?=\d)){0,80}?(?:Cockc?roft|Gault|CKD[-\s]?EPI|MDRD|Schwartz|formula|"
    r"equation|calculated|estimated|measured|radioisotope|nuclear|urine|determined|method))",
    re.I,
)

# The CKD-EPI equation named, before or after an eGFR's limit: "Estimated glomerular filtration
# rate < 30 mL/min/1.73 m2 (calculated using the Chronic Kidney Disease Epidemiology Collaboration
# formula)", "eGFR ≥ 30 mL/min/1.73 m2 per Chronic Kidney Disease Epidemiology Collaboration
# (CKD-EPI) creatinine equation" (NCT06771544 E19, NCT06639074 I14; development records of
# jwlieb/clinical-trial-agent data/demo @387df17). The eGFR oncotrial computes is CKD-EPI's (2021,
# analytes.DERIVED 'egfr'), so the words restate the rule; an equation of another year ("CKD-EPI
# 2009 formula") or on cystatin C is another quantity and stays unread.
_CKD_EPI = (
    r"(?:CKD[-\s]?EPI|Chronic\s+Kidney\s+Disease[-\s]+Epidemiology\s+Collaboration"
    r"(?:\s*\(\s*CKD[-\s]?EPI\s*\))?)(?:\s+2021)?"
)
_NOT_ANOTHER_CKD_EPI = r"(?!\s*\d|[-\s]*(?:creatinine[-\s]*)?(?:and\s+|-)?cystatin)"
CKD_EPI_NAMED = re.compile(
    r"\s*,?\s*(?P<bracket>[(\[]\s*)?(?:(?:as\s+)?(?:calculated|estimated|determined)\s+)?"
    r"(?:(?:as\s+)?(?:using|by|per|with|according\s+to|based\s+on)\s+)?(?:the\s+)?"
    + _CKD_EPI
    + _NOT_ANOTHER_CKD_EPI
    + r"(?:\s+(?:creatinine\s+)?(?:formula|equation|method))?"
    + _NOT_ANOTHER_CKD_EPI
    + r"(?(bracket)\s*[)\]])",
    re.I,
)
# A GFR whose only method named is the CKD-EPI equation, before or after its limit, is the eGFR:
# "Glomerular filtration rate (calculated using the Chronic Kidney Disease Epidemiology
# Collaboration formula) < 30 mL/min" (NCT06771544 E19), "GFR ≥ 45 mL/min/1.73 m2 (CKD-EPI)"
_GFR_BY_CKD_EPI = re.compile(
    _NO_METHOD_BEFORE
    + _GFR_NAME
    + r"(?=(?:(?!Cockc?roft|Gault|MDRD|Schwartz|measured|radioisotope|nuclear|urine)[^.;]|\.(?=\d))"
    r"{0,80}?" + _CKD_EPI + _NOT_ANOTHER_CKD_EPI + ")",
    re.I,
)

# a GFR in a bracket after another name of a renal measure glosses that name, which decides:
# "Estimated glomerular filtration rate (GFR)" (NCT06447103 E6.2), "radioisotope glomerular
# filtration rate (GFR)" (NCT04315324 I14), "Measured or calculated creatinine clearance
# (glomerular filtration rate)" (NCT04130516 I24.5; jwlieb/clinical-trial-agent data/demo
# @387df17)
_GLOSSED = re.compile(r"(?:filtration\s+rate|clearance|CrCl|CLcr|GFR)\s*[(\[]\s*$", re.I)


def either_clearance_mentions(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """``mentions`` with each phrase above as one mention of both clearances (the mentions of
    the calculated or the measured clearance inside it dropped), and each GFR that names no
    method as one mention of the measured GFR and the eGFR."""
    phrases = [(*m.span(), EITHER_CLEARANCE) for m in _PHRASE.finditer(text)]
    phrases += [
        (*m.span(), EITHER_GFR)
        for m in _UNQUALIFIED_GFR.finditer(text)
        if not _GLOSSED.search(text, 0, m.start())
    ]
    ckd_epi = [
        (*m.span(), "egfr")
        for m in _GFR_BY_CKD_EPI.finditer(text)
        if not _GLOSSED.search(text, 0, m.start())
    ]
    phrases += ckd_epi
    if not phrases:
        return mentions
    kept = [m for m in mentions if not any(m.start < b and a < m.end for a, b, _ in phrases)]
    either = [_Mention(a, b, key, True) for a, b, key in phrases]
    return sorted([*kept, *either], key=lambda m: m.start)


def either_clearance_rule(
    r: _Reader, t: _Threshold, start: int, window: Window | None, key: str = EITHER_CLEARANCE
) -> Rule | None:
    """The limit ``t`` on the calculated or the measured clearance (``key`` EITHER_CLEARANCE),
    or on the eGFR or the measured GFR (EITHER_GFR): either meets it in an inclusion, both must
    in an exclusion."""
    if t.value is None or t.unit is None or t.relative_to is not None:
        return None
    limit = {"comparator": t.comparator, "value": t.value, "unit": t.unit, "within": window}
    gfr = key == EITHER_GFR
    name = "glomerular filtration rate" if gfr else "creatinine clearance"
    try:
        calculated = r.draft(
            DerivedRule, start, t.end, quantity="egfr" if gfr else "creatinine_clearance", **limit
        )
        analyte = "gfr_measured" if gfr else "creatinine_clearance_measured"
        measured = r.draft(LabRule, start, t.end, analyte=analyte, **limit)
    except ValueError:
        r.warn(f"{name}: the unit {t.unit} does not fit it; not read")
        return None
    if gfr:
        r.warn(
            "the GFR names no method: proposed as "
            + (
                "excluding when the measured GFR and the eGFR are both beyond it"
                if r.exclusion
                else "met by a measured GFR or the eGFR"
            )
            + "; the investigator decides the item"
        )
    if r.exclusion:
        return r.draft(AllOfRule, start, t.end, rules=(calculated, measured))
    return r.draft(AnyOfRule, start, t.end, rules=(calculated, measured))


def unnamed_gfr(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """The words of each GFR read without its method (an eGFR and a measured GFR proposed from
    the same words), quoted: the item is not decided on them."""
    quoted: list[str] = []
    leaves = [leaf for rule in rules for leaf in leaf_rules(rule)]
    estimated = {
        leaf.source.text
        for leaf in leaves
        if isinstance(leaf, DerivedRule) and leaf.quantity == "egfr" and leaf.source is not None
    }
    for leaf in leaves:
        if (
            isinstance(leaf, LabRule)
            and leaf.analyte == "gfr_measured"
            and leaf.source is not None
            and leaf.source.text in estimated
        ):
            quoted.append(f"{' '.join(leaf.source.text.split())} (the GFR's method is not named)")
    return tuple(dict.fromkeys(quoted))


# The renal formulas by the quantity each computes, and the names of the others. A rule on one
# named beside another formula is a guess at which value the protocol means: "Estimated glomerular
# filtration rate (GFR) ≥45 mL/min using Cockcroft Gault formula" (NCT06747845 I10.6, a
# development record of jwlieb/clinical-trial-agent data/demo @387df17) was read as the CKD-EPI
# eGFR, "Creatinine clearance ≥ 45 mL/min (CKD-EPI)" as the Cockcroft-Gault clearance — the
# formula's name a filler word (unread._FILLER), the warning "the text names no formula" wrong.
_OTHER_RENAL_FORMULAS = {
    "creatinine_clearance": re.compile(r"CKD[-\s]?EPI|MDRD|Schwartz", re.I),
    "egfr": re.compile(r"Cockc?roft(?:[-\s]+(?:and\s+)?Gault)?|Gault|MDRD|Schwartz", re.I),
}
_SENTENCE_END = re.compile(r"[.;](?:\s|$)")


def another_renal_formula(rules: tuple[Rule, ...], text: str) -> tuple[str, ...]:
    """The name of another renal formula than the one a Cockcroft-Gault clearance or an eGFR
    rule computes, written from the rule's words up to the next rule or the sentence's end,
    quoted: the item is not decided on a quantity the text does not name."""
    leaves = sorted(
        (leaf for rule in rules for leaf in leaf_rules(rule) if leaf.source is not None),
        key=lambda leaf: leaf.source.start if leaf.source is not None else 0,
    )
    quoted: list[str] = []
    for k, leaf in enumerate(leaves):
        if not isinstance(leaf, DerivedRule) or leaf.source is None:
            continue
        other = _OTHER_RENAL_FORMULAS.get(leaf.quantity)
        if other is None:
            continue
        end = min(len(text), leaf.source.end + 80)
        later = [n.source.start for n in leaves[k + 1 :] if n.source is not None]
        if later and leaf.source.end <= later[0] < end:
            end = later[0]
        stop = _SENTENCE_END.search(text, leaf.source.end, end)
        if stop is not None:
            end = stop.start()
        for name in other.finditer(text, leaf.source.start, end):
            quoted.append(f"{name.group(0)} (a formula other than the rule's)")
    return tuple(dict.fromkeys(quoted))
