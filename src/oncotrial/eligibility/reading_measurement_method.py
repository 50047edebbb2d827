"""The methods named after a left ventricular ejection fraction: "Left ventricular ejection
fraction (LVEF) < 50% assessed by echocardiogram (ECHO) or multigated acquisition scan (MUGA)"
(NCT05815173 E14.2), "LVEF ≥ 50% by either an echocardiogram (ECHO) or multigated acquisition
(MUGA) scan within 28 days before enrollment" (NCT07012031 I18), "as measured either by
radionuclide angiography or echocardiogram" (NCT04421820 E6.7); records of
jwlieb/clinical-trial-agent data/demo @387df17.

A patient's ejection fraction is an observation of LOINC 10230-1 "Left ventricular Ejection
fraction", which names no method (``analytes``; ``patient.Observation`` refuses any other code
for it), so no record says how its value was measured, and words that name the method cannot be
contradicted by one. They are read (consumed, with no rule of their own) only when they name the
two methods the protocols accept side by side, an echocardiogram and a radionuclide scan (MUGA,
radionuclide angiography): together they are the way the value is measured, not a restriction a
record could fail. One method alone ("by echocardiogram") stays unread: a value measured another
way (a radionuclide scan, a cardiac MRI) would pass it, and the record cannot say which it was.
A scan "at Screening" (NCT07125183 E13: "by 2D ECHO or MUGA scan at Screening") or "on
screening echocardiogram" (NCT05552755 I8.1) names a visit, not a window a screen can count: the
words stay unread whole (the words "at screening" alone count as filler elsewhere, and the method
words would leave the limit decided on an ejection fraction of any age). A window to the first
dose or registration after the methods is read by ``reading_lab_windows``.

The same holds for the formula named after a calculated creatinine clearance, "using the
Cockcroft-Gault formula" (NCT06525766 I11): the clearance oncotrial computes is Cockcroft-Gault's
(``analytes.DERIVED``), so the words restate the rule; another formula named (MDRD) stays unread.
Both ways named ("per 24 hour urine test or the Cockcroft-Gault formula") accept either
clearance: the limit is read as that of a calculated or measured clearance (``reading_clearance``:
either meets it in an inclusion, both must be beyond it in an exclusion).
"""

from __future__ import annotations

import re

from oncotrial.eligibility.qt_names import BAZETT_NAME, FRIDERICIA_NAME
from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.reading_clearance import CKD_EPI_NAMED
from oncotrial.eligibility.reading_lab_windows import past_read_words
from oncotrial.eligibility.rules import AllOfRule, AnyOfRule, DerivedRule, LabRule, Rule

__all__ = ["COCKCROFT_GAULT_NAMED", "on_an_ecg", "read_measurement_methods"]

# the analytes whose method words are read: the ejection fraction (see the module's text)
_MEASURED_BY_ECHO_OR_MUGA = frozenset({"lvef"})

_ECHO = (
    r"(?:(?:2D|two-dimensional|transthoracic)\s+)?"
    r"(?:echocardiogra(?:m|phy)(?:\s*\(\s*(?:ECHO|TTE)\s*\))?|ECHO|TTE)"
)
_SCAN = r"(?:\s+scan(?:s|ning)?\b)?"
_MUGA = (
    r"(?:(?:multi-?\s?gated|multiple[-\s]gated)\s+acquisition|radionuclide\s+(?:angiography|"
    r"ventriculography|scan)|MUGA)" + _SCAN + r"(?:\s*\(\s*MUGA\s*\)" + _SCAN + r")?"
)
_OR = r"\s*(?:,?\s*(?:and/)?or\b|/)\s*(?:an?\s+)?"
_METHODS = re.compile(
    r"\s*,?\s*(?:(?:as\s+)?(?:assessed|measured|determined|documented|evaluated)\s+)?"
    r"(?:either\s+)?by\s+(?:either\s+)?(?:an?\s+)?"
    r"(?:" + _ECHO + _OR + _MUGA + r"|" + _MUGA + _OR + _ECHO + r")" + _SCAN + r"(?:\s*\))?",
    re.I,
)
# a scan of the screening visit: the words stay unread whole (see the module's text)
_AT_SCREENING = re.compile(r"\s*,?\s*(?:at|during|on|from)\s+(?:the\s+)?screening", re.I)
# "Calculated creatinine clearance ≥ 45 ml/min using the Cockcroft-Gault formula (obtained ≤ 14
# days prior to registration)" (NCT06525766 I11): the formula the rule computes (analytes.DERIVED
# 'creatinine_clearance' is Cockcroft-Gault), named again before a window
# In brackets too, before a window: "Creatinine clearance >= 30mL/min (by Cockcroft Gault) within
# 28 days prior to registration" (NCT04269902 I17, jwlieb/clinical-trial-agent data/demo @387df17)
COCKCROFT_GAULT_NAMED = re.compile(
    r"\s*,?\s*(?P<bracket>\(\s*)?(?:(?:as\s+)?(?:calculated|estimated|determined)\s+)?"
    # "Calculated creatinine clearance (determined as per Cockcroft-Gault) ≥ 60mL/min"
    # (NCT06412198 I12.6, a development record of jwlieb/clinical-trial-agent data/demo @387df17)
    r"(?:as\s+)?(?:using|by|per)\s+(?:the\s+)?"
    r"Cockc?roft[-\s]+(?:and\s+)?Gault(?:\s*\(CG\))?(?:\s+(?:formula|equation|method))?"
    # the paper cited: "by the Cockcroft-Gault formula (Cockcroft and Gault 1976)" (NCT04892953)
    r"(?:\s*\(\s*Cockcroft\s+(?:and|&)\s+Gault,?\s+1976\s*\))?"
    r"(?(bracket)\s*\))",
    re.I,
)
# "Measured creatinine clearance (CL) > 40 mL/min or calculated creatinine CL > 40 mL/min by the
# Cockcroft-Gault formula (Cockcroft and Gault 1976) or by 24-hour urine collection for
# determination of creatinine clearance" (NCT04499053 I6.7, NCT04892953 I15, NCT06860815 I23,
# jwlieb/clinical-trial-agent data/demo/... @387df17): the clearance of a 24-hour urine
# collection is the measured one, whose limit the item gave first; read only when that limit is
# the same as the estimate's, among the same alternatives
_OR_BY_URINE = re.compile(
    r"\s*,?\s*or\s+by\s+(?:a\s+)?24[-\s]*h(?:ou)?r\s+urine\s+collection"
    r"(?:\s+for\s+(?:the\s+)?determination\s+of\s+(?:the\s+)?creatinine\s+clearance)?",
    re.I,
)


# Both ways named after the limit: "Creatinine clearance of ≥ 30 mL/min per 24 hour urine test or
# the Cockcroft-Gault formula" (ECOG-ACRIN's template, NCT07275216 I31, NCT06815003 I10),
# "CrCl > 60 mL/min (using the Cockcroft-Gault formula or 24- hour urine collection)"
# (NCT06047379 I14.5), "… ≥ 51 mL/min using the Cockcroft-Gault equation or based on a 24-hour
# urine test" (NCT04633239 I11; development records of jwlieb/clinical-trial-agent data/demo
# @387df17): either clearance is accepted, the estimate or the one measured on the collection —
# the reading of "calculated or measured creatinine clearance" (reading_clearance)
_BY = (
    r"(?:(?:as\s+)?(?:calculated|estimated|measured|determined)\s+)?"
    r"(?:using|by|per|based\s+on|via|with)\s+"
)
_CG = (
    r"(?:the\s+)?(?:standard\s+)?Cockc?roft[-\s]+(?:and\s+)?Gault"
    r"(?:\s+(?:formula|equation|method))?"
)
_URINE = (
    r"(?:(?:a|the)\s+)?24[-\s]*h(?:ou)?r?s?\.?[-\s]*urine"
    r"(?:\s+(?:test|collection|creatinine\s+clearance))?"
)
_OR_BY = rf"\s*,?\s*or\s+(?:{_BY})?"
_EITHER_METHOD = re.compile(
    rf"\s*,?\s*(?P<bracket>\(\s*)?{_BY}(?:{_CG}{_OR_BY}{_URINE}|{_URINE}{_OR_BY}{_CG})"
    r"(?(bracket)\s*\))",
    re.I,
)


def _either_clearance(r: _Reader, f: _Found, estimate: DerivedRule) -> Rule | None:
    """The estimate's limit on the calculated or the measured clearance: either meets it in an
    inclusion, both must be beyond it in an exclusion (reading_clearance)."""
    limit = {"comparator": estimate.comparator, "value": estimate.value, "unit": estimate.unit}
    try:
        measured = r.draft(
            LabRule,
            f.start,
            f.end,
            analyte="creatinine_clearance_measured",
            within=estimate.within,
            **limit,
        )
    except ValueError:
        return None
    if r.exclusion:
        return r.draft(AllOfRule, f.start, f.end, rules=(estimate, measured))
    return r.draft(AnyOfRule, f.start, f.end, rules=(estimate, measured))


# A QT interval is measured on an electrocardiogram and nowhere else: "QTcF > 500 ms per
# electrocardiogram (ECG)", "… by electrocardiogram (ECG)" (the cabozantinib template; development
# records) restate how, not which value. Not "on screening ECG" (a visit) nor "from triplicate
# ECGs" (a mean of three, which no single observation is): those stay unread.
_BY_ECG = re.compile(
    r"\s*,?\s*(?:(?:as\s+)?(?:measured|assessed|determined)\s+)?(?:per|by|on)\s+(?:an?\s+|the\s+)?"
    r"(?:(?:12|twelve)[-\s]lead\s+)?(?:electrocardiogram|ECG|EKG)(?:\s*\(\s*(?:ECG|EKG)\s*\))?",
    re.I,
)


# The correction named after a corrected QT's limit: "QTc < 470 msec (using Fridericia's
# correction)", "QTc ≤ 480 ms (Fridericia's formula)", "QTc > 470 msec by Fredericia criteria
# (QTcF)", "QT interval > 480 msec corrected using Fridericia's formula" (development records).
# reading._corrected has already read the rule as the quantity those words name (qt_names): they
# restate it. Only the rule's own formula: the other one named would contradict it.
_FORMULA_AFTER = re.compile(
    r"\s*,?\s*(?P<bracket>[(\[]\s*)?(?:(?:as\s+)?(?:corrected|calculated|determined)\s+)?"
    r"(?:(?:using|by|per|with|based\s+on|according\s+to)\s+)?(?:the\s+)?"
    rf"(?:(?P<fridericia>{FRIDERICIA_NAME})|(?P<bazett>{BAZETT_NAME}))(?:['’]s)?"
    r"(?:\s+(?:QT\s+)?(?:correction|corrected|cube\s+root))?"
    r"(?:\s+(?:formulae?|method|criteria|calculation|correction))?"
    r"(?:\s*\(\s*QTc[FB]\s*\))?(?(bracket)\s*[)\]])",
    re.I,
)


def _formula_named_after(r: _Reader, rule: Rule, start: int) -> int | None:
    """Where the rule's own QT correction, named after its limit, ends."""
    m = _FORMULA_AFTER.match(r.text, start)
    if m is None or not isinstance(rule, DerivedRule):
        return None
    own = {"qtc": "fridericia", "qtcb": "bazett"}.get(rule.quantity)
    return m.end() if own is not None and m.group(own) else None


def on_an_ecg(rule: Rule) -> bool:
    return (isinstance(rule, DerivedRule) and rule.quantity in {"qtc", "qtcb"}) or (
        isinstance(rule, LabRule) and rule.analyte == "qt"
    )


def _clearance_estimate(rule: Rule) -> DerivedRule | None:
    """The Cockcroft-Gault clearance that ends ``rule`` (alone, or the last of alternatives)."""
    last = rule.rules[-1] if isinstance(rule, AnyOfRule) and rule.rules else rule
    if isinstance(last, DerivedRule) and last.quantity == "creatinine_clearance":
        return last
    return None


def _same_measured_limit(rule: Rule, estimate: DerivedRule) -> bool:
    """Whether ``rule``'s alternatives hold a measured clearance with the estimate's limit."""
    return isinstance(rule, AnyOfRule) and any(
        isinstance(m, LabRule)
        and m.analyte == "creatinine_clearance_measured"
        and (m.comparator, m.value, m.unit) == (estimate.comparator, estimate.value, estimate.unit)
        for m in rule.rules
    )


def read_measurement_methods(r: _Reader) -> None:
    """The methods named right after an ejection fraction's limit, the formula after a
    Cockcroft-Gault clearance's or an eGFR's (CKD-EPI) and the electrocardiogram after a QT
    interval's, consumed (module text)."""
    for f in r.found:
        estimate = _clearance_estimate(f.rule)
        if estimate is not None:
            start = past_read_words(r, f.end)
            both = _EITHER_METHOD.match(r.text, start)
            if both is not None and f.rule is estimate:
                either = _either_clearance(r, f, estimate)
                if either is not None:
                    f.rule = either
                    r.consume(start, both.end())
                continue
            m = COCKCROFT_GAULT_NAMED.match(r.text, start)
            if m is not None:
                r.consume(start, m.end())
                urine = _OR_BY_URINE.match(r.text, m.end())
                if urine is not None and _same_measured_limit(f.rule, estimate):
                    r.consume(m.end(), urine.end())
            continue
        if isinstance(f.rule, DerivedRule) and f.rule.quantity == "egfr":
            start = past_read_words(r, f.end)
            m = CKD_EPI_NAMED.match(r.text, start)
            if m is not None:
                r.consume(start, m.end())
            continue
        if on_an_ecg(f.rule):
            start = past_read_words(r, f.end)
            end = _formula_named_after(r, f.rule, start)
            if end is not None:
                r.consume(start, end)
                start = past_read_words(r, end)
            m = _BY_ECG.match(r.text, start)
            if m is not None:
                r.consume(start, m.end())
            continue
        if not (isinstance(f.rule, LabRule) and f.rule.analyte in _MEASURED_BY_ECHO_OR_MUGA):
            continue
        start = past_read_words(r, f.end)
        m = _METHODS.match(r.text, start)
        if m is not None and _AT_SCREENING.match(r.text, m.end()) is None:
            r.consume(start, m.end())
