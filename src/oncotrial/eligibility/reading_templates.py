"""Phrasings of industry and cooperative-group criteria templates that left an item one fragment
short of computable (issue 12), each read only where the words add no condition of their own:

- "HIV-infected participants with a history of Kaposi's sarcoma and/or Multicentric Castleman's
  Disease" (the Merck template): HIV *and* (Kaposi sarcoma *or* multicentric Castleman disease)
  recorded — ``read_hiv_tumours``;
- a pointer to the scale's table beside the item's one performance status rule ("ECOG
  performance status ≤ 1 OR Karnofsky ≥ 70%; see Appendix A", "ECOG 0-1 (Appendix A)") and
  "Clinical performance status of ECOG 0 or 1": the table restates the scale, "clinical" the
  kind of status the scale is;
- "Females only: Pregnant or breastfeeding": said of a pregnancy or breastfeeding rule only, which
  no male meets anyway; "Currently pregnant": the rule is of the reference date already;
- "Known history of HIV (HIV 1/2 antibodies)" and "human immunodeficiency virus (HIV-1 or
  HIV-2)": HIV infection is HIV-1 or HIV-2 infection (ICD-10 B20-B24 'HIV disease' and SNOMED CT
  86406008 'Human immunodeficiency virus infection' hold both), established by the HIV-1/HIV-2
  antibody tests (CDC and APHL, "Laboratory Testing for the Diagnosis of HIV Infection: Updated
  Recommendations", 2014: an HIV-1/2 antigen/antibody immunoassay, then an HIV-1/HIV-2 antibody
  differentiation immunoassay). The parenthesis names how the recorded infection is known; it is
  read only right after a mention of HIV that a rule reads (``read_template_words``).

Anything else around these words stays unread (quoted), as everywhere.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_measurement_method import on_an_ecg
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionRule,
    PerformanceStatusRule,
    Rule,
    leaf_rules,
)

__all__ = ["PREGNANCY_CONDITIONS", "read_hiv_tumours", "read_template_words"]

_WHO = r"(?:participants?|patients?|subjects?|persons?|individuals?)"
# "HIV-infected participants with a history of …", "Is HIV positive and has a history of …",
# "HIV-infected participants who have been newly diagnosed or with a history of …"
_HIV_TUMOURS = re.compile(
    r"(?:\b(?:is|are)\s+(?:an?\s+)?)?"
    r"(?:human\s+immunodeficiency\s+virus\s*\(HIV\)|\bHIV)\s*[-\s]\s*(?:infected|positive)\s+"
    r"(?:" + _WHO + r"\s+)?"
    r"(?:with|and\s+(?:has|have)|who\s+(?:has|have)(?:\s+been\s+newly\s+diagnosed\s+or\s+with)?)"
    r"\s+a\s+history\s+of\s+"
    r"(?P<ks>Kaposi(?:'s|’s)?\s+sarcoma)\s+(?:and/or|or)\s+"
    r"(?P<mcd>multicentric\s+Castlem[ae]n(?:'s|’s|s's)?\s+disease)",
    re.I,
)


def read_hiv_tumours(r: _Reader) -> None:
    """An exclusion of people with HIV who have had Kaposi sarcoma or multicentric Castleman
    disease: both conditions recorded at any time ("newly diagnosed or with a history of" is
    recorded now or before). An inclusion stating it is not read."""
    if not r.exclusion:
        return
    m = _HIV_TUMOURS.search(r.text)
    if m is None or any(f.start < m.end() and m.start() < f.end for f in r.found):
        return
    a, b = m.start(), m.end()
    hiv = r.draft(ConditionRule, a, b, condition="hiv")
    ks = r.draft(ConditionRule, m.start("ks"), m.end("ks"), condition="kaposi_sarcoma")
    mcd = r.draft(
        ConditionRule, m.start("mcd"), m.end("mcd"), condition="multicentric_castleman_disease"
    )
    either = r.draft(AnyOfRule, m.start("ks"), b, rules=(ks, mcd))
    r.add(a, b, r.draft(AllOfRule, a, b, rules=(hiv, either)))


def _has_performance(rule: Rule) -> bool:
    return any(isinstance(leaf, PerformanceStatusRule) for leaf in leaf_rules(rule))


# "see Appendix A", "(Appendix 13.1)"
_APPENDIX = re.compile(r"\(?\s*(?:see\s+)?appendix\s+[A-Z0-9]{1,3}(?:\.\d{1,2})*\b\s*\)?", re.I)
_CLINICAL = re.compile(r"\bclinical\s+(?=performance\s+status\b)", re.I)
_FEMALES_ONLY = re.compile(r"(?:females?|wom[ae]n)\s+only\s*:", re.I)
_HIV_ANTIBODIES = re.compile(
    r"\s*\(\s*(?:positive\s+)?HIV\s*-?\s*1\s*/\s*2\s+antibod(?:y|ies)\s*\)", re.I
)
_HIV_TYPES = re.compile(
    r"(?<=HIV)-?1\s*(?:or|and/or|/|,)\s*(?:HIV\s*)?-?2\b"
    r"(?!\s*(?:antibod|antigen|Ab\b|Ag\b|RNA|DNA|viral|test|serolog))"
    # "human immunodeficiency virus (HIV-1 or HIV-2) infection"
    r"(?:\s*\)\s*infections?\b)?",
    re.I,
)
# "Human immunodeficiency virus (HIV) seropositivity" (NCT04545762 E4; development records of
# jwlieb/clinical-trial-agent data/demo @387df17): a positive HIV serology is the infection the
# rule reads
_SEROPOSITIVITY = re.compile(r"\s*(?:sero-?positivity|seropositive)\b", re.I)
# "Hemoglobin ≥ 9.0 g/dL (within 14 days prior to day 1 of protocol therapy unless otherwise
# stated)" (NCI's template, 7 development records): the window is the protocol's default, and a
# window stated elsewhere in the item would have been read with its own limit
_OTHERWISE_STATED = re.compile(
    r"\s*,?\s*unless\s+otherwise\s+(?:stated|specified|noted|indicated)\b", re.I
)
# "Prolongation of the Fridericia corrected QT (QTcF) interval defined as > 450 ms for males",
# "Has prolongation of QTc using Fridericia's formula (QTcF) to > 480 ms" (development records):
# a prolonged QT is one over the limit the rule reads
_PROLONGATION = re.compile(r"\b(?:has\s+)?(?:an?\s+)?prolongation\s+of\s+(?:the\s+)?", re.I)
_A_WINDOW = re.compile(r"\b(?:within|prior\s+to|before)\b", re.I)
PREGNANCY_CONDITIONS = frozenset({"pregnancy", "breastfeeding"})
_CURRENTLY = re.compile(r"\bcurrently\s+", re.I)
_OR = re.compile(r"\s*(?:,\s*)?(?:or|and/or)\s*", re.I)


def _of_now(rule: Rule) -> bool:
    """A pregnancy or breastfeeding rule of the reference date (negated or not)."""
    return all(
        isinstance(x, ConditionRule) and x.condition in PREGNANCY_CONDITIONS and x.current
        for x in leaf_rules(rule)
    )


def _is_qt(rule: Rule) -> bool:
    """A limit on the QT interval, corrected or not (each leaf of one limit by sex)."""
    return all(on_an_ecg(x) or x.kind == "sex" for x in leaf_rules(rule))


def _is_hiv(rule: Rule) -> bool:
    return isinstance(rule, ConditionRule) and rule.condition == "hiv"


def read_template_words(r: _Reader) -> None:
    """The template words around rules other readers found (see the module's docstring)."""
    text = r.text
    performance = [f for f in r.found if _has_performance(f.rule)]
    for m in _APPENDIX.finditer(text):
        # right after the item's one performance status rule, nothing but punctuation between;
        # "ECOG 0-2 (Karnofsky ≥ 50%, see Appendix A)" is two rules, whose relation (the
        # equivalent on the other scale, an alternative) no rule reads: the words stay quoted
        if len(performance) == 1 and re.fullmatch(
            r"[\s,;(]*", text[performance[0].end : m.start()]
        ):
            r.consume(m.start(), m.end())
    for m in _CLINICAL.finditer(text):
        if any(f.start >= m.end() for f in performance):
            r.consume(m.start(), m.end())
    leaves = [leaf for f in r.found for leaf in leaf_rules(f.rule)]
    only = _FEMALES_ONLY.match(text, len(text) - len(text.lstrip()))
    if (
        only is not None
        and leaves
        and all(
            isinstance(x, ConditionRule) and x.condition in PREGNANCY_CONDITIONS for x in leaves
        )
    ):
        r.consume(only.start(), only.end())
    for m in _CURRENTLY.finditer(text):
        # "Currently pregnant", "Not currently pregnant or nursing": the rule is of now already
        if any(f.start == m.end() and _of_now(f.rule) for f in r.found):
            r.consume(m.start(), m.end())
            # "Are pregnant or currently breast feeding": an 'or' between two rules of an
            # exclusion says what its logic does already (parser._read_or_between_exclusions)
            before = [f.end for f in r.found if f.end <= m.start()]
            if r.exclusion and before and _OR.fullmatch(text, max(before), m.start()):
                r.consume(max(before), m.start())
    hiv = [f for f in r.found if _is_hiv(f.rule)]
    for m in _HIV_ANTIBODIES.finditer(text):
        if any(f.end == m.start() for f in hiv):
            r.consume(m.start(), m.end())
    for m in _HIV_TYPES.finditer(text):
        if any(f.start < m.start() <= f.end for f in hiv):
            r.consume(m.start(), m.end())
    for m in _SEROPOSITIVITY.finditer(text):
        if any(f.end == m.start() for f in hiv):
            r.consume(m.start(), m.end())
    for m in _PROLONGATION.finditer(text):
        if any(f.start == m.end() and _is_qt(f.rule) for f in r.found):
            r.consume(m.start(), m.end())
    for m in _OTHERWISE_STATED.finditer(text):
        # right after a window a rule read (its words consumed up to here)
        if any(end == m.start() and _A_WINDOW.search(text, a, end) for a, end in r.consumed):
            r.consume(m.start(), m.end())
