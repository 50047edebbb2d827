"""'Active infection', with what narrows it: the infection exclusions of the templates (issue 12).

"Has an active infection requiring systemic therapy" (Merck's KEYNOTE template), "Active
infection requiring IV antibiotics", "Serious active infection", "Ongoing or active infection",
"No active infection requiring systemic treatment" (an inclusion). The infection is the concept
``infection`` (``concepts_infection``), read with its clinical status (``ConditionRule.active``,
as ``reading_active``): a record of an infection that is active, a recurrence or a relapse.

What no record shows — that the infection requires systemic therapy or antibiotics, that it is
serious, systemic, bacterial, viral or fungal — is the rule's qualifier (``rules.QUALIFIER``,
``reading_qualified``): no record of an active infection is not met, whatever the words say; a
record of one is unknown, asking the screener to confirm the words; never met on the record
alone. The words only narrow the infection, so reading them so is never a wrong verdict. A bare
"active infection" has no qualifier and is met by an active record of an infection.

Read only at the item's start and as a whole sentence: "active" before the infection (an
"infection" alone may be a history), the narrowing words and the requirement, then the end of
the sentence. An infection that the sentence goes on to name or bound ("active infection with
HIV, HBV, HCV", "… within 14 days prior to the first dose", "…, symptomatic congestive heart
failure, …") is not read here.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_qualified import WHO_HAS, template_at_start
from oncotrial.eligibility.rules import ConditionRule, NotRule, Rule

__all__ = ["read_active_infection"]

# words that narrow the infection to fewer records: quoted in the qualifier
_NARROWING_WORD = r"(?:serious|severe|significant|uncontrolled|systemic|bacterial|viral|fungal)"
_NARROWING = r"(?P<narrow>(?:" + _NARROWING_WORD + r"(?:\s*,\s*(?:or\s+)?|\s+(?:and/)?or\s+|\s+))*)"
_ACTIVE = (
    r"(?:known\s+)?(?P<pre>(?:serious|uncontrolled|significant)\s+)?"
    r"(?:(?:current|ongoing)\s+(?:and/)?or\s+|concurrent\s+|clinically\s+)?active\s*,?\s+"
)
_THERAPY = (
    r"(?:(?:systemic|intravenous|IV|parenteral|oral\s+or\s+(?:intravenous|IV))\s+)?"
    r"(?:\[?\(?IV\)?\]?\s+)?"
    r"(?:therapy|treatment|antibiotics?(?:\s+therapy)?|antimicrobials?(?:\s+(?:therapy|treatment))?"
    r"|anti-?infectives?(?:\s+(?:therapy|treatment|agents?))?"
    r"|antibiotics?\s*,\s*antivirals?\s*,?\s*(?:and/)?or\s+antifungals?)"
)
_REQUIRING = (
    r"(?P<req>\s*,?\s*(?:(?:that|which)\s+(?:is\s+)?|and\s+)?(?:requir(?:ing|es?)|needing)\s+"
    r"(?:current\s+)?(?:treatment\s+with\s+)?"
    + _THERAPY
    # the time the requirement holds ("at the time of treatment initiation"): quoted with it
    + r"(?:\s+at\s+(?:the\s+)?time\s+of\s+(?:treatment\s+initiation|initiating\s+study\s+"
    r"treatment|screening|enrol?ment|registration))?)?"
)
_TEMPLATE = re.compile(
    WHO_HAS
    + r"(?:an\s+)?"
    + _ACTIVE
    + _NARROWING
    + r"(?P<infection>infections?)\b"
    + _REQUIRING
    + r"(?=\s*(?:[.;]|$))",
    re.I,
)

# A note that prophylaxis is allowed only narrows the infection further (what the screener
# confirms): "Note: Prophylactic antimicrobial treatments (antibiotics, antimycotic, antiviral)
# are allowed.", "NOTE: Patients receiving prophylactic antibiotics (e.g., to prevent a urinary
# tract infection …) are eligible for the study." (NCT06863311 E8; jwlieb/clinical-trial-agent
# data/demo @387df17)
_PROPHYLAXIS = re.compile(
    r"\s*[.;]?\s*(?P<note>(?:note:\s*)?(?:(?:patients|participants|subjects)\s+receiving\s+)?"
    r"prophylactic\s+(?:antibiotics?|antimicrobials?|anti-?infectives?)"
    r"(?:\s+(?:treatments?|therapy|therapies))?\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?"
    r"(?:is|are)\s+(?:allowed|permitted|eligible(?:\s+for\s+the\s+study)?))(?=\s*(?:[.;]|$))",
    re.I,
)


def _qualifier(m: re.Match[str], note: re.Match[str] | None) -> str | None:
    words = [
        " ".join(m.group(g).split()).strip(" ,")
        for g in ("pre", "narrow", "req")
        if m.group(g) and m.group(g).strip(" ,")
    ]
    if note is not None:
        words.append(" ".join(note.group("note").split()))
    return "; ".join(words) or None


def read_active_infection(r: _Reader) -> None:
    """'(No / Has an) active infection (requiring systemic therapy)' at the item's start: the
    infection's clinical status, with the narrowing words as the qualifier."""
    found = template_at_start(r, _TEMPLATE)
    if found is None:
        return
    m, negated = found
    a, b = m.start("infection"), m.end("infection")
    note = _PROPHYLAXIS.match(r.text, m.end())
    rule: Rule = r.draft(
        ConditionRule, a, b, condition="infection", active=True, qualifier=_qualifier(m, note)
    )
    if negated:
        rule = r.draft(NotRule, a, b, rule=rule)
    r.add(m.start(), m.end(), rule)
    if note is not None:
        r.consume(note.start("note"), note.end())
