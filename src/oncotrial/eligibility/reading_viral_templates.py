"""The NCI protocol template's items on chronic viral infections, read whole.

Since 2018 NCI-sponsored trials (and many that copy them) let patients with a controlled viral
infection in, in fixed words:

- "Patients with evidence of chronic hepatitis B virus (HBV) infection, the HBV viral load must
  be undetectable on suppressive therapy, if indicated";
- "Patients with a history of hepatitis C virus (HCV) infection must have been treated and
  cured. For patients with HCV infection who are currently on treatment, they are eligible if
  they have an undetectable HCV viral load";
- "HIV-infected patients on effective anti-retroviral therapy with undetectable viral load
  within 6 months are eligible for this trial".

Each is a conditional: the requirement holds for the patients with the infection, and every
other patient meets the item (``ConditionalRule`` without ``otherwise``). Piecemeal, the other
readers took the words for a requirement on everyone ("undetectable HCV viral load") or left
most of them unread, so the item was never decided.

What is read, and why it is exact:

- HBV: a current (not resolved) hepatitis B record, then HBV DNA not detected (LOINC 29610-3).
  "On suppressive therapy, if indicated" adds no requirement a record can check: whether
  therapy is indicated is the treating physician's call, and the viral load is what the item
  requires.
- HCV: a current hepatitis C record, then HCV RNA not detected. A record resolved before the
  reference date is the "treated and cured" patient; a patient still recorded with hepatitis C
  is eligible only with an undetectable viral load, whether cured since or on treatment — a
  detectable one fails both ways.
- HIV: an HIV record, then an antiretroviral ongoing and HIV-1 RNA not detected within the
  window the item states.

Only the template's own sentences are read; any other word of the item stays unread.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import (
    AllOfRule,
    ConditionalRule,
    ConditionRule,
    LabResultRule,
    MedicationRule,
    Rule,
)
from oncotrial.eligibility.windows import FIRST_DOSE, REGISTRATION, _window_of

__all__ = ["read_testing_notes", "read_viral_templates"]

_WHO = r"(?:patients|participants|subjects)"
_HBV = re.compile(
    rf"(?:for\s+)?{_WHO}\s+with\s+evidence\s+of\s+chronic\s+hepatitis\s+B\s+virus\s*"
    r"(?:\(\s*HBV\s*\)\s*)?infection,?\s+(?:the\s+HBV\s+viral\s+load\s+must\s+be\s+undetectable"
    r"|must\s+have\s+an?\s+undetectable\s+HBV\s+viral\s+load)\s+on\s+suppressive\s+therapy,?\s+"
    r"if\s+indicated\.?",
    re.I,
)
_HCV = re.compile(
    rf"{_WHO}\s+with\s+(?:a\s+)?history\s+of\s+hepatitis\s+C\s+virus\s*(?:\(\s*HCV\s*\)\s*)?"
    r"infection\s+must\s+have\s+been\s+treated\s+and\s+cured\.?\s+"
    rf"for\s+{_WHO}\s+with\s+HCV\s+infection\s+who\s+are\s+currently\s+on\s+treatment,?\s+"
    r"(?:they\s+are\s+eligible\s+if\s+they\s+have\s+an?\s+undetectable\s+HCV\s+viral\s+load|"
    r"the\s+HCV\s+viral\s+load\s+must\s+be\s+undetectable(?:\s+to\s+be\s+eligible\s+for\s+"
    r"(?:this|the)\s+(?:trial|study))?)\.?",
    re.I,
)
# Merck's KEYNOTE-era inclusion: "Participants with (a) history of hepatitis C virus (HCV)
# infection are eligible if HCV (ribonucleic acid (RNA)) viral load is undetectable (at
# screening)" (NCT06136650 I11, NCT05947851 I9, NCT06843447 I10 and more; jwlieb/clinical-trial-
# agent data/demo @387df17). The history is any record of hepatitis C, cured or not: the item
# asks every such patient for the viral load, so a cured patient without a test is unknown.
_HCV_HISTORY = re.compile(
    rf"{_WHO}\s+with\s+(?:a\s+)?(?:known\s+)?history\s+of\s+(?:hepatitis\s+C(?:\s+virus)?\s*"
    r"(?:\(\s*HCV\s*\)\s*)?|HCV\s+)infection\s+are\s+eligible\s+if\s+(?:the\s+)?HCV\s+"
    r"(?:ribonucleic\s+acid\s*\(\s*RNA\s*\)\s+|RNA\s+)?viral\s+load\s+is\s+undetectable"
    r"(?:\s+at\s+screening)?(?=\s*(?:[.;]|$))\.?",
    re.I,
)
# Its copies name the day the window counts back to ("within 6 months of randomization",
# NCT05638295-like; "within 3 months of study drug start") and the people "individuals", and
# add NCI's note that no HIV test is required ("Testing for HIV is not required for entry onto
# the study"): with no HIV record the item is met anyway (the rule's ``when`` is not met).
_HIV = re.compile(
    r"(?:known\s+)?(?:human\s+immunodeficiency\s+virus\s*\(\s*HIV\s*\)|HIV)[\s-]*"
    r"(?:infected|positive)\s+"
    rf"(?:{_WHO}|individuals)\s+on\s+effective\s+anti-?\s*retroviral\s+therapy,?\s+with\s+"
    r"(?:an?\s+)?undetectable\s+viral\s+load\s+within\s+(?P<n>\d+)\s+"
    r"(?P<unit>day|week|month|year)s?"
    r"(?:\s+(?:of|prior\s+to|before)\s+(?:(?P<registration>"
    + REGISTRATION
    + r")|"
    + FIRST_DOSE
    + r"))?"
    r",?\s+are\s+eligible(?:\s+for\s+(?:this|the)\s+(?:trial|study))?\.?"
    r"(?:\s*\(?\s*(?:HIV\s+)?testing\s+(?:for\s+HIV\s+)?(?:is\s+)?not\s+required(?:\s+at\s+"
    r"screening|\s+for\s+entry\s+onto\s+the\s+study)?\s*\)?\.?)?",
    re.I,
)


def _not_detected(r: _Reader, m: re.Match[str], analyte: str, **fields: object) -> Rule:
    return r.draft(LabResultRule, m.start(), m.end(), analyte=analyte, result="negative", **fields)


def _template(r: _Reader, m: re.Match[str]) -> Rule:
    a, b = m.start(), m.end()
    if m.re is _HBV:
        when: Rule = r.draft(ConditionRule, a, b, condition="hepatitis_b", current=True)
        then = _not_detected(r, m, "hbv_dna_detected")
    elif m.re is _HCV:
        when = r.draft(ConditionRule, a, b, condition="hepatitis_c", current=True)
        then = _not_detected(r, m, "hcv_rna_detected")
    elif m.re is _HCV_HISTORY:
        when = r.draft(ConditionRule, a, b, condition="hepatitis_c")
        then = _not_detected(r, m, "hcv_rna_detected")
    else:
        when = r.draft(ConditionRule, a, b, condition="hiv")
        window = _window_of(m.group("n"), m.group("unit"))
        if m.group("registration"):
            window = window.model_copy(update={"anchor": "registration"})
        treated = r.draft(MedicationRule, a, b, therapy="hiv_antiretroviral", ongoing=True)
        undetectable = _not_detected(r, m, "hiv_rna_detected", within=window)
        then = r.draft(AllOfRule, a, b, rules=(treated, undetectable))
    return r.draft(ConditionalRule, a, b, when=when, then=then)


def read_viral_templates(r: _Reader) -> None:
    """The template's sentences, each one rule; what other readers found inside them (a
    hepatitis mention, "undetectable HCV viral load") is replaced by it."""
    if r.exclusion:
        return  # the template is an inclusion; elsewhere the words mean something else
    for pattern in (_HBV, _HCV, _HCV_HISTORY, _HIV):
        for m in pattern.finditer(r.text):
            r.found[:] = [f for f in r.found if not (m.start() <= f.start and f.end <= m.end())]
            r.add(m.start(), m.end(), _template(r, m))


# Merck's note after its hepatitis item ("Has a known history of Hepatitis B (…) or known
# active Hepatitis C virus (…) infection. Note: No testing for Hepatitis B and Hepatitis C is
# required unless mandated by local health authority", NCT05313243 E22; "Testing for HBV and HCV
# is not required unless mandated by a local health authority", NCT05378425 E21;
# jwlieb/clinical-trial-agent data/demo @387df17): it says which tests the site need not do,
# not who is eligible. Read as such, the infections it names are no rules of their own; a
# patient never tested stays unknown on the item's rules (never excluded on a guess, never
# passed on one: the investigator confirms "known history" from the chart).
_VIRUSES = r"(?:[^.;]{0,80}?\b(?:hepatitis|HBV|HCV|HIV)\b[^.;]{0,40}?)"
_TESTING_NOTE = re.compile(
    r"(?:note\s*:\s*)?(?:no\s+testing\s+for" + _VIRUSES + r"\s+is\s+required"
    r"|testing\s+for" + _VIRUSES + r"\s+is\s+not\s+required)"
    r"(?:\s+unless\s+(?:mandated|required)\s+by\s+(?:the\s+|a\s+)?local\s+"
    r"(?:health\s+authorit(?:y|ies)|regulations?|authorit(?:y|ies)))?\.?",
    re.I,
)


def read_testing_notes(r: _Reader) -> None:
    """The note that no test for the viruses is required: understood, no rule of its own (what
    other readers found inside it is dropped)."""
    for m in _TESTING_NOTE.finditer(r.text):
        r.found[:] = [f for f in r.found if not (m.start() <= f.start and f.end <= m.end())]
        r.consume(m.start(), m.end())
