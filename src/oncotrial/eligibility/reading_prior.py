"""Reading prior targeted and anti-angiogenic therapy from criteria text: "Prior treatment with
bevacizumab or other VEGF inhibitors", "previously treated with an EGFR TKI", "No prior
docetaxel".

Each name is a concept of ``oncotrial.eligibility.concepts`` (a class: VEGF/VEGFR inhibitors, EGFR
TKIs, ALK inhibitors; or a drug with a concept of its own: docetaxel). A drug named with its class
("bevacizumab or other VEGF inhibitors") is the class; a drug named alone that has no concept of
its own ("prior bevacizumab") is not read: a rule on its class would exclude patients given
another drug of the class. An exclusion excludes on any exposure ever; an inclusion is read only
when it is negated ("No prior …"). Any other word of the list stays unread, so the item goes to
the checklist (issue 12: never decided on the understood fragment alone).
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts import THERAPIES
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _NEGATION, _taken
from oncotrial.eligibility.rules import AnyOfRule, MedicationRule, NotRule, PriorLinesRule, Rule

__all__ = ["read_prior_systemic_therapy", "read_prior_therapies"]

# (pattern, concept key, names the class itself): a class name, or a drug of it.
_CLASS_NAMES: tuple[tuple[str, str], ...] = (
    (
        # not "anti-angiogenic": the words also cover endostatin and others outside the class
        r"(?:anti-?\s?VEGF(?:R)?|VEGF(?:R)?(?:[-\s]?(?:targeted|targeting))?)"
        r"(?:\s+(?:receptor\s+)?(?:tyrosine\s+kinase\s+)?(?:inhibitors?|agents?|drugs?|therap(?:y|ies)"
        r"|antibod(?:y|ies)|TKIs?))",
        "vegf_inhibitor",
    ),
    (
        r"EGFR[-\s](?:tyrosine\s+kinase\s+inhibitors?|TKIs?)|EGFR[-\s]targeted\s+TKIs?",
        "egfr_tki",
    ),
    (
        r"ALK(?:[-\s]targeted)?\s+(?:tyrosine\s+kinase\s+)?inhibitors?|ALK[-\s]TKIs?",
        "alk_inhibitor",
    ),
    (r"docetaxel", "docetaxel"),
)
_DRUG_CLASS = {
    name.lower(): key
    for key in ("vegf_inhibitor", "egfr_tki", "alk_inhibitor")
    for name in THERAPIES[key].names
}
_DRUG = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in _DRUG_CLASS) + r")\b", re.I)
_CLASS = re.compile(
    "|".join(
        f"(?P<c{i}>(?:{p})(?:\\s+(?:therapy|treatment))?)" for i, (p, _) in enumerate(_CLASS_NAMES)
    ),
    re.I,
)
_LEAD = re.compile(
    r"\b(?:prior|previous(?:ly)?)\s+(?:(?:treatment|therapy|exposure|use)\s+(?:with|to|of)\s+|"
    r"treated\s+with\s+|received\s+)?(?:an?\s+|any\s+)?",
    re.I,
)
_JOINER = re.compile(r"\s*(?:,\s*)?(?:or|and/or|,)\s*(?:(?:any\s+)?other\s+)?", re.I)


def _names(text: str, at: int) -> list[tuple[int, int, str, bool]]:
    """The names listed from ``at``: (start, end, concept key, is a class name)."""
    found: list[tuple[int, int, str, bool]] = []
    while True:
        klass = _CLASS.match(text, at)
        drug = _DRUG.match(text, at)
        if klass is not None:
            key = next(_CLASS_NAMES[int(g[1:])][1] for g, v in klass.groupdict().items() if v)
            found.append((klass.start(), klass.end(), key, True))
            at = klass.end()
        elif drug is not None:
            found.append((drug.start(), drug.end(), _DRUG_CLASS[drug.group(0).lower()], False))
            at = drug.end()
        else:
            return found
        join = _JOINER.match(text, at)
        if join is None or join.end() == at:
            return found
        at = join.end()


def read_prior_therapies(r: _Reader) -> None:
    text = r.text
    for lead in _LEAD.finditer(text):
        names = _names(text, lead.end())
        if not names or _taken(r, lead.start(), names[-1][1]):
            continue
        negate = not r.exclusion
        if negate and _NEGATION.search(text[max(0, lead.start() - 40) : lead.start()]) is None:
            continue
        classes = {key for _, _, key, is_class in names if is_class}
        drugs = {key for _, _, key, is_class in names if not is_class}
        # a drug counts only as a member of a class named beside it; docetaxel is its own class
        if not drugs <= classes:
            continue
        start, end = lead.start(), names[-1][1]
        rules: list[Rule] = [
            r.draft(MedicationRule, start, end, therapy=key)
            for key in dict.fromkeys(key for _, _, key, is_class in names if is_class)
        ]
        rule = rules[0] if len(rules) == 1 else r.draft(AnyOfRule, start, end, rules=tuple(rules))
        if negate:
            rule = r.draft(NotRule, start, end, rule=rule)
        r.add(start, end, rule)


_SYSTEMIC = re.compile(
    r"\b(?:prior|previous)\s+systemic\s+(?:anti-?\s?cancer\s+|anti-?\s?neoplastic\s+)?"
    r"(?:therapy|therapies|treatment|treatments)\b",
    re.I,
)


_SYSTEMIC_NEGATION = re.compile(
    r"\b(?:no|without|(?:must\s+)?not\s+(?:have\s+|has\s+)?(?:received|had)|"
    r"never\s+(?:received|had))\s*$",
    re.I,
)


def read_prior_systemic_therapy(r: _Reader) -> None:
    """'No prior systemic therapy' (inclusion) and 'Prior systemic anticancer therapy'
    (exclusion): no line of systemic therapy recorded. A setting named after it ("for
    metastatic disease", "except adjuvant …") stays unread, so such an item is partial."""
    text = r.text
    m = _SYSTEMIC.search(text)
    if m is None or _taken(r, m.start(), m.end()):
        return
    if r.exclusion:
        r.add(m.start(), m.end(), r.draft(PriorLinesRule, m.start(), m.end(), min_lines=1))
        return
    # the negation is the rule's own words here ("no prior …" is *at most 0 lines*)
    negation = _SYSTEMIC_NEGATION.search(text, 0, m.start())
    if negation is None:
        return
    r.add(m.start(), m.end(), r.draft(PriorLinesRule, m.start(), m.end(), max_lines=0))
    r.consume(negation.start(), negation.end())
