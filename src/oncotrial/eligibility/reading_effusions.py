"""Pleural and pericardial effusions and ascites, with what narrows them (issue 12).

"Uncontrolled pleural effusion, pericardial effusion, or ascites requiring recurrent drainage
procedures (once monthly or more frequently)" (the atezolizumab template), "Has symptomatic
ascites or pleural effusion", "Clinically significant pleural or pericardial effusion", "Malignant
ascites". Each effusion is a condition of ``concepts_effusions``, read as current: a record not
resolved by the reference date.

What no record shows — that the effusion is uncontrolled, symptomatic, clinically significant,
malignant, or requires (recurrent) drainage — is the rule's qualifier (``rules.QUALIFIER``, as
``reading_infection``): no current record of the effusions is not met; a current record is
unknown, asking the screener to confirm the words; never met on the record alone. The words only
narrow the effusion, and so does a note that admits patients ("Indwelling catheters (e.g.,
PleurX®) are allowed", "A subject who is clinically stable following treatment for these
conditions … is eligible"): both are what the screener confirms, so reading them so is never a
wrong verdict. A bare "Ascites" has no qualifier and is met by a current record.

Read only at the item's start and as a whole sentence. A window ("requiring drainage within 2
weeks"), a grade ("> Grade 1 pleural effusion"), a method ("detected by CT"), an amount or
another requirement stays unread with the item.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_qualified import WHO_HAS, template_at_start
from oncotrial.eligibility.rules import AnyOfRule, ConditionRule, NotRule, Rule

__all__ = ["read_effusions"]

# words before an effusion that narrow it (quoted in the qualifier)
_NARROW_WORD = (
    r"(?:clinically\s+)?(?:uncontroll(?:ed|able)|poorly\s+controlled|significant|symptomatic"
    r"|refractory|recurrent|malignant|unmanageable|massive)"
)
_NARROW = r"(?:" + _NARROW_WORD + r"(?:\s*,\s*(?:and/?or\s+|or\s+)?|\s+(?:and/)?or\s+|\s+))*"
_EFFUSION = {
    "pleural": "pleural_effusion",
    "pericardial": "pericardial_effusion",
    "ascites": "ascites",
}
_ONE = (
    r"(?:pleural\s+(?:or|and/or|and)\s+pericardial|pericardial\s+(?:or|and/or|and)\s+pleural)"
    r"\s+effusions?|(?:pleural|pericardial)\s+effusions?|pericardial\s+fluid|ascites"
)
_JOIN = r"(?:\s*,\s*(?:and/or\s+|or\s+)?|\s+(?:and/)?or\s+)"
_LIST = rf"(?:{_NARROW})(?:{_ONE})(?:{_JOIN}(?:{_NARROW})(?:{_ONE}))*"
_DRAINAGE = (
    r"(?:(?:recurrent|repeated|repeat|frequent|recent|regular)\s+)?(?:therapeutic\s+)?"
    r"(?:drainage|draining)(?:\s+procedures?|s)?(?:\s+or\s+medical\s+intervention)?"
)
# what the effusion requires, or how it shows: "requiring recurrent drainage procedures (once
# monthly or more frequently)", "that is clinically symptomatic", "that require drainage"
_AFTER = (
    r"(?P<after>\s*,?\s*(?:(?:that|which)\s+(?:is|are)\s+clinically\s+symptomatic"
    r"|(?:(?:that|which)\s+)?(?:requir(?:ing|es?)|needing|needs?)\s+" + _DRAINAGE + r")"
    r"(?:\s*\((?:e\.g\.,?\s*)?(?:once\s+(?:monthly|a\s+month)|monthly|biweekly|weekly)"
    r"\s+or\s+more\s+frequently\))?)?"
    # now, as the effusion is read: "Malignant ascites at time of study enrollment"
    r"(?:\s+at\s+(?:the\s+)?time\s+of\s+(?:study\s+)?(?:enrol(?:l)?ment|screening|registration)"
    r"|\s+at\s+screening)?"
)
_TEMPLATE = re.compile(
    WHO_HAS
    + r"(?:(?:the\s+)?presence\s+of\s+)?(?:an?\s+)?(?:known\s+)?(?P<list>"
    + _LIST
    + r")"
    + _AFTER,
    re.I,
)
_SENTENCE_END = re.compile(r"\s*(?:[.;]|$)")
# A note that admits some of the patients only narrows the effusion further: "Indwelling
# catheters (e.g., PleurX®) are allowed." (NCT05800587 E10), "with the exception of participants
# with indwelling catheters (e.g., PleurX(R)) who are allowed." (NCT06161532 E10), "A subject who
# is clinically stable following treatment for these conditions (including therapeutic thoraco-
# or paracentesis) is eligible" (NCT05041153 E19); development records of
# jwlieb/clinical-trial-agent data/demo @387df17
_PARENS = r"\s*\((?:[^()]|\([^()]*\))*\)"
_ADMITTED = re.compile(
    r"\s*[.;,]?\s*(?P<note>(?:(?:participants|patients|subjects)\s+(?:managed\s+)?with\s+)?"
    r"indwelling\s+catheters?(?:" + _PARENS + r")?\s+(?:is|are)\s+(?:allowed|permitted)"
    r"|with\s+the\s+exception\s+of\s+(?:participants|patients|subjects)\s+with\s+indwelling\s+"
    r"catheters?(?:" + _PARENS + r")?\s+who\s+are\s+(?:allowed|permitted|eligible)"
    r"|(?:an?\s+)?(?:subject|participant|patient)s?\s+who\s+(?:is|are)\s+clinically\s+stable\s+"
    r"following\s+treatment\s+for\s+these\s+conditions(?:" + _PARENS + r")?\s+(?:is|are)\s+"
    r"eligible)(?=\s*(?:[.;]|$))",
    re.I,
)


def _keys(words: str) -> list[str]:
    """The effusions a list names, in the order written, each once."""
    found: list[str] = []
    for m in re.finditer(r"pleural|pericardial|ascites", words, re.I):
        key = _EFFUSION[m.group(0).lower()]
        if key not in found:
            found.append(key)
    return found


def _qualifier(m: re.Match[str], note: re.Match[str] | None) -> str | None:
    narrowing = re.findall(_NARROW_WORD, m.group("list"), re.I)
    words = [" ".join(w.split()) for w in narrowing]
    if m.group("after") and m.group("after").strip(" ,"):
        words.append(" ".join(m.group("after").split()).strip(" ,"))
    if note is not None:
        words.append(" ".join(note.group("note").split()))
    return "; ".join(dict.fromkeys(words)) or None


def read_effusions(r: _Reader) -> None:
    """'(No / Has) (uncontrolled) pleural effusion, pericardial effusion, or ascites (requiring
    recurrent drainage procedures)' at the item's start (see the module's text)."""
    found = template_at_start(r, _TEMPLATE)
    if found is None:
        return
    m, negated = found
    note = _ADMITTED.match(r.text, m.end())
    if note is None and _SENTENCE_END.match(r.text, m.end()) is None:
        return  # words of their own after the effusions: the sentence is not read
    qualifier = _qualifier(m, note)
    a, b = m.start("list"), m.end("list")
    rules = [
        r.draft(ConditionRule, a, b, condition=key, current=True, qualifier=qualifier)
        for key in _keys(m.group("list"))
    ]
    rule: Rule = rules[0] if len(rules) == 1 else r.draft(AnyOfRule, a, b, rules=tuple(rules))
    if negated:
        rule = r.draft(NotRule, a, b, rule=rule)
    r.add(m.start(), m.end(), rule)
    if note is not None:
        r.consume(note.start("note"), note.end())
