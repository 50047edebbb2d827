"""Conditions named with words no record shows: 'qualified' conditions (issue 12).

The immunotherapy templates name a condition and then narrow it:

- "Has a history of (non-infectious) pneumonitis/interstitial lung disease that required
  steroids or has current pneumonitis/interstitial lung disease" (Merck's KEYNOTE template),
- "Has an active autoimmune disease that has required systemic treatment in the past 2 years
  (i.e. with use of disease modifying agents, corticosteroids or immunosuppressive drugs) …",
- "Has a known additional malignancy that is progressing or has required active treatment
  within the past 3 years".

Whether the pneumonitis required steroids, or the other cancer is progressing, no record in
oncotrial's patient model says. The words are read as the rule's ``qualifier``
(``rules.QUALIFIER``): the condition AND the quoted words. No record of the condition in a
provided list is not met, whatever the words say; a record of it is unknown, asking the screener
to confirm the words (never met on the record alone); no list is unknown. A qualifier only
narrows: it can turn what the condition alone would meet into unknown, never into met, so
reading it wider than the text meant ("ILD or pneumonitis that required steroids": both) is
never a wrong verdict. For the same reason a sentence that only narrows the words further
("Replacement therapy … is not considered a form of systemic treatment", "Participants with
basal cell carcinoma of the skin … that have undergone potentially curative therapy are not
excluded") is part of what the screener confirms. What may widen the item ("or where suspected
ILD/pneumonitis cannot be ruled out by imaging", "or any other diseases requiring
immunosuppressive therapy") stays unread, and the item with it.

"Or has current pneumonitis" is the condition now: its clinical status (``ConditionRule.active``,
``reading_active``), computable and able to exclude.

Two readers: ``read_qualified_lung`` reads the pneumonitis/ILD template whole (before
``reading_conditions`` reads the mentions one by one); ``read_qualifiers`` then adds the words
that follow the autoimmune-disease and other-malignancy rules ``reading_conditions`` read.
"""

from __future__ import annotations

import re
from typing import Any

from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionRule,
    NotRule,
    OtherMalignancyRule,
    Rule,
)

__all__ = ["WHO_HAS", "read_qualified_lung", "read_qualifiers", "template_at_start"]

# ---- pneumonitis / interstitial lung disease

_NONINFECTIOUS = r"(?:\(?\s*non-?\s?infectious\s*\)?\s*)?"
_LUNG = (
    (
        r"interstitial\s+(?:lung|pulmonary)\s+diseases?(?:\s*\(ILD\))?|\bILD\b"
        r"|interstitial\s+pneumon(?:ia|itis)|(?:idiopathic\s+)?pulmonary\s+fibrosis",
        "interstitial_lung_disease",
    ),
    (r"pneumonitis", "pneumonitis"),
)
_MENTION = _NONINFECTIOUS + r"(?:" + "|".join(p for p, _ in _LUNG) + r")"
_LIST = (
    _MENTION + r"(?:(?:\s*/\s*|\s*,\s*(?:or\s+)?|\s+(?:and/)?or\s+(?:of\s+)?)" + _MENTION + r")*"
)
# at the item's start: its number, a negation, who ("Has", "Patients with")
WHO_HAS = (
    r"^\s*(?:\(?\d{1,2}[.)]\s*)?(?P<neg>(?:(?:the\s+)?(?:patients?|participants?|subjects?)\s+)?"
    r"(?:must|should)\s+not\s+have\s+|no\s+)?"
    r"(?:(?:the\s+)?(?:patients?|participants?|subjects?)\s+(?:with\s+|who\s+ha(?:s|ve)\s+"
    r"|ha(?:s|ve)\s+)|ha(?:s|ve)\s+|there\s+is\s+|with\s+)?(?:(?:a|any)\s+)?"
)


def template_at_start(r: _Reader, template: re.Pattern[str]) -> tuple[re.Match[str], bool] | None:
    """A template opening with ``WHO_HAS`` matched at the item's start, with no other rule's
    words in it, and whether it is negated ("No …"). None when it does not match, or when the
    negation does not fit the list: "must not have" in an exclusion list (a double negative,
    not read) or an inclusion that does not negate the condition."""
    m = template.match(r.text)
    if m is None or any(f.start < m.end() and m.start() < f.end for f in r.found):
        return None
    negated = m.group("neg") is not None
    if negated == r.exclusion:
        return None
    return m, negated


# the history ("a history of", "Prior", "Active or history of": the qualifier reaches every
# mention after it)
_HISTORY = (
    r"(?:(?:known|prior|past|confirmed)\s+)?(?:(?:past\s+)?medical\s+)?"
    r"(?:active\s+or\s+(?:a\s+)?)?(?:history\s+of\s+(?:or\s+active\s+)?"
    r"(?:\(?non-?\s?infectious\)?\s+or\s+active\s+)?|prior\s+)"
)
_STEROIDS = (
    r"(?:treatment\s+with\s+)?(?:(?:systemic|oral\s+or\s+intravenous\s+\(IV\)|high-dose|"
    r"prolonged|active)\s+)?(?:cortico)?(?:steroids?|glucocorticoids?)"
    r"(?:\s+(?:treatment|therapy))?(?:\s+to\s+assist\s+with\s+management)?"
)
_REQUIRED_STEROIDS = (
    r"\s*\)?\s*,?\s*(?P<q>(?:(?:that|which)\s+(?:has\s+|have\s+)?(?:required|received)"
    r"|requiring)\s+" + _STEROIDS + r")"
)


def _now(words: str) -> str:
    """The condition now, after one of ``words``: its clinical status (reading_active)."""
    return r"(?:" + words + r")\s+(?P<now>" + _LIST + r")"


_LUNG_TEMPLATES = (
    # "History of (non-infectious) pneumonitis that required steroids or current pneumonitis"
    re.compile(
        WHO_HAS
        + _HISTORY
        + r"(?P<ever>"
        + _LIST
        + r")"
        + _REQUIRED_STEROIDS
        + r"(?:\s*,?\s*(?:or\s+)?(?:(?:has|have)\s+)?(?:the\s+presence\s+of\s+)?"
        + _now("current|ongoing")
        + r")?\s*\)?",
        re.I,
    ),
    # "No current pneumonitis or history of (non-infectious) pneumonitis that required
    # steroids" (NCT04267848 I10), "Active ILD/pneumonitis or a history of ILD/pneumonitis
    # requiring treatment with systemic steroids": the condition named again after the history,
    # so the qualifier is the history's alone
    re.compile(
        WHO_HAS
        + _now("current|ongoing|active")
        + r"\s*,?\s*or\s+(?:an?\s+)?"
        + _HISTORY
        + r"(?P<ever>"
        + _LIST
        + r")"
        + _REQUIRED_STEROIDS,
        re.I,
    ),
)


def _mentions(r: _Reader, start: int, end: int) -> list[tuple[int, int, str]]:
    found = []
    for m in re.finditer("|".join(f"(?:{p})" for p, _ in _LUNG), r.text[start:end], re.I):
        key = next(k for p, k in _LUNG if re.fullmatch(p, m.group(0), re.I))
        found.append((start + m.start(), start + m.end(), key))
    return found


def read_qualified_lung(r: _Reader) -> None:
    """'(A history of) pneumonitis/ILD that required steroids (or current pneumonitis/ILD)':
    each condition with the steroids as its qualifier, or, current, its clinical status."""
    m = next((m for t in _LUNG_TEMPLATES if (m := t.match(r.text)) is not None), None)
    if m is None or any(f.start < m.end() and m.start() < f.end for f in r.found):
        return
    negated = m.group("neg") is not None
    if negated == r.exclusion:
        return  # "must not have" in an exclusion list: a double negative, not read
    qualifier = " ".join(m.group("q").split())
    readings: list[tuple[int, int, dict[str, Any]]] = []
    for group, fields in (("ever", {"qualifier": qualifier}), ("now", {"active": True})):
        if m.group(group) is None:
            continue
        done: set[str] = set()  # "ILD/pneumonitis … ILD": one rule each
        for a, b, key in _mentions(r, *m.span(group)):
            if key not in done:
                done.add(key)
                readings.append((a, b, {"condition": key, **fields}))
    for a, b, fields in readings:
        rule: Rule = r.draft(ConditionRule, a, b, **fields)
        if negated:
            rule = r.draft(NotRule, a, b, rule=rule)
        r.add(a, b, rule)
    r.consume(m.start(), m.end())


# ---- autoimmune disease, other malignancy: the words after the rule reading_conditions read

_PERIOD = (
    r"(?:\s+(?:in|within)\s+(?:the\s+)?(?:(?:past|last)\s+)?(?:(?:\d+|one|two|three|five)\s+)?"
    r"years?(?:\s+(?:before\s+starting\s+treatment|of\s+start\s+of\s+study\s+drug))?)?"
)
_AUTOIMMUNE_WORDS = re.compile(
    r"\s*(?:(?:that|which)\s+(?:has\s+|have\s+)?(?:required|requires?)|requiring)\s+"
    r"(?:systemic\s+(?:treatment|therapy)(?:\s+with\s+immunosuppressive\s+agents)?"
    r"|treatment\s+with\s+systemic\s+immunosuppressive\s+treatments"
    r"|disease[-\s]modifying\s+therapy|(?:active\s+)?(?:treatment|therapy))"
    r"(?:\s*\(except\s+replacement\s+therapy\))?" + _PERIOD +
    # what systemic treatment means: "(i.e. with use of disease modifying agents, …)"
    r"(?:\s*\((?:i\.?\s?e\.?|ie)\.?,?\s+with\s+use\s+of\s+[^()]*\)"
    r"|\s*,\s*(?:i\.?\s?e\.?|ie)\.?,?\s+with\s+use\s+of\s+[^.;()]*)?",
    re.I,
)
_MALIGNANCY_WORDS = re.compile(
    r"\s*,?\s*(?:(?:(?:that|which)\s+(?:is\s+progressing|(?:has\s+)?progressed)\s+(?:or|and)\s+"
    r"(?:has\s+required|requires|required)"
    r"|(?:that\s+)?(?:requiring|requires|required)(?:\s+current)?"
    r"|and\s+currently\s+undergoing)\s+(?:active\s+)?(?:treatment|therapy)"
    + _PERIOD
    # "Has a history of a second malignancy, unless potentially curative treatment has been
    # completed with no evidence of malignancy for 2 years" (NCT04712851 E8;
    # jwlieb/clinical-trial-agent data/demo @387df17): an exception only narrows, as the
    # words above do — a record of another malignancy is the screener's to confirm
    + r"|unless\s+(?:potentially\s+)?curative\s+(?:treatment|therapy)\s+(?:has\s+been\s+)?"
    r"completed(?:,?\s+with\s+no\s+evidence\s+of\s+(?:malignancy|disease)\s+for\s+"
    r"(?:at\s+least\s+)?(?:\d+|one|two|three|five)\s+years?)?)",
    re.I,
)
# Sentences that only narrow the words: what the screener confirms, never an exclusion of
# their own (see the module's text).
_REPLACEMENT = re.compile(
    r"(?:endocrine\s+)?replacement\s+(?:hormone\s+)?therapy\s*(?:\((?:[^()]|\([^()]*\))*\)"
    r"|\[[^\]]*\])?\s*(?:is\s+not\s+considered\s+a\s+form\s+of\s+systemic\s+treatment"
    r"(?:\s+and\s+is\s+allowed)?|is\s+(?:allowed|acceptable|permitted))",
    re.I,
)
_WHO_CURED = r"(?:participants|patients|subjects)"
_CURED = re.compile(
    r"(?:note:\s*)?(?:"
    + _WHO_CURED
    + r"\s+with\s+|exceptions\s+(?:include|are\s+"
    + _WHO_CURED
    + r"\s+with)\s+|with\s+the\s+exception\s+of\s+)(?:[^().;]|\([^()]*\))*?\s+(?:that|who)\s+"
    r"ha(?:s|ve)\s+undergone\s+potentially\s+curative\s+therapy"
    r"(?:,?\s+(?:or\s+)?in\s+situ\s+cervical\s+cancer)?"
    r"(?:\s+are\s+(?:not\s+excluded|eligible|allowed|permitted)|\.\s+these\s+"
    + _WHO_CURED
    + r"\s+are\s+not\s+excluded)?",
    re.I,
)
_NARROWING: dict[str, tuple[re.Pattern[str], ...]] = {
    "autoimmune": (_REPLACEMENT,),
    "malignancy": (_CURED,),
}


def _narrowing(text: str, at: int, kind: str) -> int:
    """The end of the narrowing sentences that follow ``at`` (each whole, or none read)."""
    while True:
        lead = re.compile(r"\s*(?:[.;,]\s*)?(?P<open>\()?\s*", re.I).match(text, at)
        assert lead is not None  # the pattern matches the empty string
        for pattern in _NARROWING[kind]:
            m = pattern.match(text, lead.end())
            if m is None:
                continue
            end = m.end()
            if lead.group("open"):
                close = re.compile(r"\s*\)").match(text, end)
                if close is None:
                    continue
                end = close.end()
            if re.match(r"\s*(?:[.;)]|$)", text[end:]):
                at = end
                break
        else:
            return at


def _kind(rule: Rule) -> str | None:
    inner = rule.rule if isinstance(rule, NotRule) else rule
    if isinstance(inner, OtherMalignancyRule):
        return "malignancy"
    if isinstance(inner, AnyOfRule) and any(
        isinstance(x, ConditionRule) and x.condition == "autoimmune_disease" for x in inner.rules
    ):
        return "autoimmune"
    return None


def _qualify(rule: Rule, qualifier: str) -> Rule:
    """``rule`` with ``qualifier`` on each condition it reads (not under a negation of its own:
    "hypothyroidism on hormone replacement" stays as read)."""
    if isinstance(rule, ConditionRule | OtherMalignancyRule):
        return rule.model_copy(update={"qualifier": qualifier})
    if isinstance(rule, AnyOfRule | AllOfRule):
        return rule.model_copy(update={"rules": tuple(_qualify(x, qualifier) for x in rule.rules)})
    return rule


def read_qualifiers(r: _Reader) -> None:
    """The words after an autoimmune-disease or other-malignancy rule: its qualifier."""
    text = r.text
    for found in r.found:
        kind = _kind(found.rule)
        if kind is None:
            continue
        words = (_AUTOIMMUNE_WORDS if kind == "autoimmune" else _MALIGNANCY_WORDS).match(
            text, found.end
        )
        if words is None or any(a < words.end() and found.end < b for a, b in r.consumed):
            continue
        end = _narrowing(text, words.end(), kind)
        qualifier = " ".join(text[words.start() : end].strip(" ,").split())
        _set(found, qualifier)
        r.consume(words.start(), end)


def _set(found: _Found, qualifier: str) -> None:
    rule = found.rule
    if isinstance(rule, NotRule):
        found.rule = rule.model_copy(update={"rule": _qualify(rule.rule, qualifier)})
    else:
        found.rule = _qualify(rule, qualifier)
