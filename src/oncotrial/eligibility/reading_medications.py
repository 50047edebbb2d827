"""Reading concomitant medications from criteria text (issue 12): "No concurrent Hypericum
perforatum (St. John's wort)" (NCT00496756 I3.9), "Current antiretroviral therapy" and
"Treatment with anticoagulants" as exclusions (NCT01347788 E7, E4), "No concurrent angiotension
converting enzyme inhibitors (ACE-I)" (NCT01005199 I3.13).

Each class is a concept of ``concepts_medications``; the rule is a medication taken at the first
dose (``MedicationRule.ongoing``). An inclusion is read only when it is negated ("No concurrent
…"); an exclusion only when not. Words between the lead and the class ("full-dose",
"therapeutic", "prophylactic", "combination") stay unread and are quoted: a dose or purpose is
never decided on the class alone. So are the words after it ("for HIV-positive patients", a
subgroup; "with coumarin derivatives"). A window after the class ("within 4 weeks") or "allowed"
is left to the readers of windows, or not read.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts_drugs import INVESTIGATIONAL
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _taken
from oncotrial.eligibility.rules import MedicationRule, NotRule, Rule
from oncotrial.eligibility.windows import _WINDOW

__all__ = ["read_concomitant_medications"]

_SUFFIX = r"(?:\s+(?:therapy|treatment|medications?|drugs?|agents?|use))?"
_JOHNS_WORT = r"St\.?\s+John(?:'s|’s|s)?\s+wort"
# (pattern, concept key): the class as criteria name it
_CLASSES: tuple[tuple[str, str], ...] = (
    (r"anti-?coagula(?:nts?|tion)" + _SUFFIX, "anticoagulant"),
    (
        r"(?:anti-?retroviral(?:s\b|\s+(?:therapy|treatment|drugs?|agents?|medications?))"
        r"|HAART\b|cART\b)(?:\s+\((?:c?ART|HAART)\))?",
        "hiv_antiretroviral",
    ),
    (
        # "angiotension" is the spelling of NCT01005199 I3.13
        r"(?:angiotensi?[io]n[-\s]converting[-\s]enzyme|ACE)[-\s]inhibitors?"
        r"(?:\s+\((?:ACE[-\s]?Is?|ACEIs?)\))?",
        "ace_inhibitor",
    ),
    (
        rf"(?:Hypericum\s+perforatum|{_JOHNS_WORT})"
        rf"(?:\s+\((?:{_JOHNS_WORT}|Hypericum\s+perforatum)\))?",
        "st_johns_wort",
    ),
)
# another study's agent taken now: "Patients who are receiving any other investigational agents"
# (NCI's template: NCT06378398 E4 and 20 more development records), "Concomitant use of other
# investigational agents" (jwlieb/clinical-trial-agent data/demo @387df17). "Other" than the
# study's own, which no record holds before the first dose; a drug record oncotrial cannot
# classify leaves the rule unknown (concepts_drugs.therapy_keys)
_CLASSES += (
    (
        r"(?:any\s+)?(?:(?:other|another|additional)\s+)?investigational\s+"
        r"(?:agents?|drugs?|therap(?:y|ies)|therapeutic\s+agents?|products?)(?:\(s\))?"
        r"(?:\s+concurrently)?",
        INVESTIGATIONAL,
    ),
)
_CLASS = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<c{i}>{p})" for i, (p, _) in enumerate(_CLASSES)) + ")",
    re.I,
)
# The lead of a medication taken now; "no" before "concurrent" negates it.
_LEAD = re.compile(
    r"(?P<no>\bno\s+)?\b(?:concurrent|concomitant)\s+(?:(?:use|treatment|therapy)\s+(?:with|of)\s+)?"
    r"|(?P<now>\b(?:current(?:ly)?\s+(?:(?:use|treatment|therapy)\s+(?:with|of)\s+|receiving\s+"
    r"|taking\s+|on\s+)?|(?:receiving|taking)\s+))"
    r"|(?P<head>^\s*(?:treatment|therapy)\s+with\s+)",
    re.I,
)
# a word between the lead and the class (up to four: "full-dose oral or parenteral"): unread
_WORD = re.compile(r"[\w-]+\s+")
_ALLOWED = re.compile(r"[^.;]*\b(?:allowed|permitted|acceptable|eligible)\b", re.I)


def _class_after(text: str, at: int) -> re.Match[str] | None:
    """The class named at ``at`` or after up to four words."""
    for _ in range(5):
        found = _CLASS.match(text, at)
        if found is not None:
            return found
        word = _WORD.match(text, at)
        if word is None:
            return None
        at = word.end()
    return None


def read_concomitant_medications(r: _Reader) -> None:
    """'No concurrent X' (inclusion), 'Current X therapy', 'Treatment with X', 'currently
    receiving X' (exclusion): X a medication class of ``concepts_medications`` taken at the
    first dose."""
    text = r.text
    for lead in _LEAD.finditer(text):
        negated = lead.group("no") is not None
        if negated == r.exclusion or (lead.group("head") and not r.exclusion):
            continue
        found = _class_after(text, lead.end())
        if found is None or _taken(r, lead.start(), found.end()):
            continue
        after = text[found.end() :]
        if _ALLOWED.match(after) or re.match(r"[\s,]*" + _WINDOW, after, re.I):
            continue  # no condition stated, or a window the windowed reading takes
        key = next(_CLASSES[int(g[1:])][1] for g, v in found.groupdict().items() if v)
        start, end = lead.start(), found.end()
        rule: Rule = r.draft(MedicationRule, start, end, therapy=key, ongoing=True)
        if negated:
            rule = r.draft(NotRule, start, end, rule=rule)
        # the words between the lead and the class stay unread (a dose, a purpose)
        r.add_reading(start, end, rule, ((start, lead.end()), (found.start(), end)))
