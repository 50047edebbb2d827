"""Exceptions to a laboratory limit that give no second limit (issue 12).

Two kinds, as the development corpus writes them (jwlieb/clinical-trial-agent data/demo/...
@387df17):

- **Gilbert's syndrome** after a bilirubin limit: "Total bilirubin ≤ 1.5 × institutional upper
  limit of normal (ULN), unless known Gilbert syndrome has been diagnosed." (NCT04130516 I25.4),
  "(unless has Gilbert's disease)" (NCT06859008), "(except for patients with documented
  Gilbert's Syndrome)" (NCT04991025), "unless due to Gilbert's syndrome" (NCT03263572).
- **Anticoagulation** after a coagulation limit (INR, PT, aPTT): "aPTT ≤ 1.5 × ULN unless
  undergoing anticoagulation therapy." (NCT06249048), "aPTT ≤ 1.5 x ULN unless subject is
  receiving anticoagulant therapy and within therapeutic range of intended use of
  anticoagulants" (NCT06385262 I14.9), "INR and aPTT ≤ 1.5 × ULN unless on medication known to
  alter INR and/or aPTT" (NCT05892068 I10.4).

The limit does not hold for the exempt patient and the text gives none in its place. The
hand-read corpora read such a limit as one that cannot be read without guessing ("~bilirubin
≤ 1.5 × ULN except in Gilbert's disease (no limit given)", oncology_records.json; "a limit
qualified by medication", tuning_round5.json's reading rules), so it is never decided for them:
*the limit, or (the exemption and a judgement)* — Gilbert's syndrome recorded, or an
anticoagulant (``anticoagulant``: WHO ATC B01AA/AB/AE/AF, fondaparinux, rivaroxaban;
concepts_medications) ongoing at the reference date, with the investigator judging the limit
for them (or the therapeutic range the text names). A patient within the limit is met whichever
applies; a patient over it without the exemption is not met; an exempt patient over it is the
investigator's, never not met on the limit. In an exclusion ("Bilirubin > 2X institutional
upper limit of normal unless Gilbert syndrome", NCT06680661): *over the limit and not exempt*.
Wider exemptions are a judgement alone: "except for unconjugated hyperbilirubinemia (example,
Gilbert's syndrome)" (NCT04300556 I17.1: haemolysis is one too), "medication known to alter
INR" (any drug may be).

A window or any other words after the exception leave it unread (the words stay quoted): an
exception is read only when it ends the item, a ';' or a bracket.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionRule,
    JudgementRule,
    LabRule,
    MedicationRule,
    NotRule,
    Rule,
)

__all__ = ["read_lab_exceptions"]

_BILIRUBINS = frozenset({"bilirubin", "bilirubin_direct"})
_COAGULATION = frozenset({"inr", "pt", "aptt"})

# what ends an exception read whole: the item's end, a ';', or a bracket (a window after it)
_END = r"\s*\)?\s*\.?\s*(?=$|;|\()"

_GILBERT_WORD = r"Gilbert(?:'s|’s|s|\s+s\b)?(?:\s+(?:syndrome|disease))?"
_GILBERT = re.compile(
    r"[\s,;*]*\(?\s*\*?(?:with\s+the\s+exception\s+of|exception\s+(?:made\s+)?(?:for|in)"
    r"|except(?:ing)?(?:\s+(?:for|in))?|unless)\s+"
    r"(?:(?:in\s+)?(?:the\s+)?case\s+of\s+)?"
    r"(?:(?:patients?|subjects?|participants?|those|individuals?)\s+(?:with|who\s+ha(?:ve|s))\s+"
    r"|(?:the\s+)?(?:patient|subject|participant)\s+has\s+(?:an?\s+)?|has\s+)?"
    r"(?:(?:known|documented|confirmed|(?:a\s+)?(?:documented\s+)?history\s+of)\s+)*"
    r"(?P<due>(?:(?:bilirubin\s+)?(?:rise|elevation)\s+is\s+|elevated\s+)?"
    r"(?:(?:considered|felt\s+to\s+be|thought\s+to\s+be)\s+)?"
    r"(?:due\s+to|secondary\s+to|attributed\s+to|attributable\s+to)\s+)?"
    r"(?:unconjugated\s+hyperbilirubina?emia\s+(?:of|due\s+to)\s+"
    r"|(?P<wider>unconjugated\s+hyperbilirubina?emia\s*(?:\(\s*(?:example|e\.?\s?g\.?|for\s+"
    r"example|such\s+as)[,:.]?\s*|,?\s*or\s+)))?"
    r"(?P<cue>" + _GILBERT_WORD + r")(?:\s+(?:has\s+been|is)\s+diagnosed)?\s*\)?" + _END,
    re.I,
)

_ANTICOAGULATED = re.compile(
    r"[\s,;]*\(?\s*(?:unless|except(?:\s+(?:for|in))?)\s+"
    r"(?:(?:the\s+)?(?:patients?|subjects?|participants?|individuals?)\s+)?"
    r"(?:(?:who\s+)?(?:is|are)\s+)?(?P<on>receiving|on|undergoing|taking)\s+"
    r"(?:(?P<class>(?:(?:therapeutic|an?)\s+)?(?:anti-?coagula(?:nt|tion)(?:\s+(?:therapy|"
    r"treatment|medications?|agents?))?|anti-?coagulants))"
    r"|(?P<alter>medications?\s+(?:that\s+(?:is|are)\s+)?known\s+to\s+alter\s+"
    r"(?:INR|PT|a?PTT)(?:\s*(?:and/or|and|or|/)\s*(?:INR|PT|a?PTT))*))"
    r"(?:\s*,?\s*(?:as\s+long\s+as|and|if|in\s+which\s+case|provided(?:\s+that)?)\s+"
    r"(?P<range>[^.;()]*?within\s+(?:the\s+)?(?:intended\s+)?(?:therapeutic|target)\s+range"
    r"[^.;()]*?|an?\s+therapeutic\s+(?:INR|PT|a?PTT)\s+is\s+acceptable))?" + _END,
    re.I,
)


def _judgement(r: _Reader, start: int, end: int, what: str) -> JudgementRule:
    return JudgementRule(kind="judgement", id="draft", description=what, source=r.span(start, end))


def _gilbert(r: _Reader, m: re.Match[str]) -> Rule:
    """What may exempt from the limit: Gilbert's syndrome recorded and the investigator's
    judgement of the bilirubin (the text gives no limit for it); after 'unconjugated
    hyperbilirubinemia', the judgement alone (another cause may be meant)."""
    a, b = m.span("cue")
    if m.group("wider"):
        return _judgement(
            r,
            m.start("wider"),
            b,
            "whether the raised bilirubin is an unconjugated hyperbilirubinaemia (Gilbert's "
            "syndrome or another cause), for which the text gives no limit",
        )
    condition = r.draft(ConditionRule, a, b, condition="gilbert_syndrome")
    limit = _judgement(
        r,
        m.start(),
        m.end(),
        "the bilirubin limit for patients with Gilbert's syndrome (the text gives none)",
    )
    return r.draft(AllOfRule, a, b, rules=(condition, limit))


def _anticoagulated(r: _Reader, m: re.Match[str]) -> Rule:
    """What may exempt from the limit: an anticoagulant ongoing and the investigator's judgement
    (of the range the text names, or of a limit it does not give); after 'medication known to
    alter', the judgement alone (any drug may be meant)."""
    if m.group("alter"):
        words = " ".join(m.group("alter").split())
        return _judgement(
            r,
            *m.span("alter"),
            f"whether the patient is on a {words} (the text gives no limit then)",
        )
    a, b = m.span("class")
    drug = r.draft(MedicationRule, a, b, therapy="anticoagulant", ongoing=True)
    if m.group("range"):
        words = " ".join(m.group("range").split())
        within = _judgement(r, *m.span("range"), f"on anticoagulant therapy, confirm: {words}")
        return r.draft(AllOfRule, a, m.end("range"), rules=(drug, within))
    limit = _judgement(
        r, a, b, "the limit for patients on anticoagulant therapy (the text gives none)"
    )
    return r.draft(AllOfRule, a, b, rules=(drug, limit))


def read_lab_exceptions(r: _Reader) -> None:
    """Each bilirubin or coagulation limit followed by an exception that gives no limit: the
    limit or the exception (module text)."""
    for k, found in enumerate(r.found):
        rule = found.rule
        if not isinstance(rule, LabRule) or found.cue == "done":
            continue
        m: re.Match[str] | None = None
        exempt: Rule | None = None
        if rule.analyte in _BILIRUBINS:
            m = _GILBERT.match(r.text, found.end)
            exempt = _gilbert(r, m) if m is not None else None
        elif rule.analyte in _COAGULATION and not r.exclusion:
            m = _ANTICOAGULATED.match(r.text, found.end)
            exempt = _anticoagulated(r, m) if m is not None else None
        if m is None or exempt is None:
            continue
        end = m.end()
        both: Rule
        if r.exclusion:
            # "Bilirubin > 2X ULN unless Gilbert syndrome": over the limit and not exempt
            negated = r.draft(NotRule, m.start("cue"), m.end("cue"), rule=exempt)
            both = r.draft(AllOfRule, found.start, end, rules=(rule, negated))
        else:
            both = r.draft(AnyOfRule, found.start, end, rules=(rule, exempt))
        r.found[k] = _Found(found.start, end, both, found.analyte, "done")
        r.consume(found.end, end)
