"""Reading hypersensitivity to named drugs (issue 12): 'Has severe hypersensitivity (≥Grade 3) to
pembrolizumab and/or any of its excipients', 'Known hypersensitivity to pembrolizumab or its
excipients', 'History of allergic reactions or hypersensitivity to bevacizumab or any of its
excipients', 'History of severe allergic reactions to cisplatin or other platinum-containing
compounds'.

Read: hypersensitivity, allergy, an allergic or hypersensitivity reaction, and two of them
joined by 'or'; optionally 'severe' or a CTCAE grade in parentheses before 'to' (CTCAE v5.0:
grade 3 is 'severe', so both are a grade of at least 3); then drugs with a concept of their own
(``concepts_drugs``), listed with commas, 'or' and 'and/or'; then optionally their excipients or
components ('… or any of its excipients'), which no record can be checked against
(``evaluate_allergy``); platinum compounds by name ('platinum agents', 'other
platinum-containing compounds'). An inclusion is read only as the negation it states
('Participants must not have severe hypersensitivity (≥ grade 3) to pembrolizumab').

The protocol's own products ('any of the study drugs', 'study intervention', 'investigational
product', 'components of the study treatment formulations') are read as the study drugs, which
the rule does not name: any allergy recorded leaves it unknown, none recorded is not met.

Not read, and so left in the item's unread words: a drug oncotrial has no concept of,
'compounds of similar chemical or biologic composition', 'immediate', 'anaphylaxis',
'intolerance', 'suspected', a class ('monoclonal antibodies'), 'and' between drugs (one of them,
or both?).
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts_drugs import DRUGS
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import AllergyRule, NotRule

__all__ = ["read_allergies"]

_NAMES = {name.casefold(): c.key for c in DRUGS for name in (c.key, c.name, *c.names)}
# A class by the words of WHO ATC L01XA "platinum compounds" (the concept platinum_chemotherapy):
# 'platinum agents', '(other) platinum-containing compounds'
_PLATINUM = r"(?:other\s+)?platinum(?:[-\s](?:containing|based))?\s+(?:agents?|compounds?|drugs?)"
# The protocol's own products, which the criterion does not name: 'any of the study drugs',
# 'study intervention', 'investigational product', 'any of the agents used in this study',
# 'components of the study treatment formulations' (jwlieb/clinical-trial-agent data/demo
# @387df17: NCT04317534, NCT06124118 and others). Read as ``AllergyRule.study_drugs``: any
# recorded allergy leaves the rule unknown, none recorded is not met (evaluate_allergy).
_PRODUCT = (
    r"(?:study|trial|investigational)\s+(?:drugs?|treatments?|interventions?|medications?|"
    r"medicinal\s+products?|products?|agents?|therap(?:y|ies))(?:\s*\(s\))?"
)
_STUDY = (
    # "study product excipients" (NCT06046040 E10), "the study drug excipients" (NCT04499053 E17;
    # jwlieb/clinical-trial-agent data/demo @387df17): the products' excipients
    r"(?:(?:any\s+(?:of\s+)?)?(?:the\s+)?" + _PRODUCT + r"(?:\s+(?:components?|excipients?))?"
    r"|(?:any\s+(?:of\s+(?:the\s+)?)?)?(?:components?|ingredients?)\s+(?:of|within)\s+"
    r"(?:the\s+)?" + _PRODUCT + r"(?:\s+formulations?)?"
    r"|(?:any\s+of\s+)?the\s+agents\s+used\s+in\s+(?:this|the)\s+(?:study|trial))"
)
_DRUG = (
    r"(?<![\w-])(?:"
    + _STUDY
    + "|"
    + _PLATINUM
    + "|"
    + "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True))
    + r")(?![\w-])"
)


_STUDY_DRUGS = "study drugs"


def _key(name: str) -> str:
    found = _NAMES.get(name.casefold())
    if found is not None:
        return found
    if re.fullmatch(_STUDY, name, re.I):
        return _STUDY_DRUGS
    return "platinum_chemotherapy"  # only _PLATINUM is left


_KIND = (
    r"(?:hypersensitivity(?:\s+reactions?)?|allerg(?:y|ies|ic\s+reactions?)"
    r"|hypersensitivity\s+reactions?)"
)
_GRADE = r"\(\s*(?:grade\s*(?:≥|>=)\s*(?P<g1>[1-5])|(?:≥|>=)\s*grade\s*(?P<g2>[1-5]))\s*\)"
_ALLERGY = re.compile(
    # "Previously identified allergy or hypersensitivity to …" (NCT04820179 E31)
    r"(?P<lead>(?:(?:a|any|known|prior|previous|previously\s+(?:identified|known|documented)|"
    r"history\s+of)\s+)*)"
    r"(?P<severe>severe\s+)?" + _KIND + r"(?:\s*,?\s*(?:or|and/or)\s+" + _KIND + r")?"
    r"(?:\s*" + _GRADE + r")?"
    r"\s+to\s+(?:either\s+)?"
    r"(?P<list>" + _DRUG + r"(?:\s*(?:,\s*(?:or\s+|and/or\s+)?|or\s+|and/or\s+)" + _DRUG + r")*)"
    r"(?P<excipients>\s*,?\s*(?:and/or|or)\s+(?:to\s+)?(?:any\s+(?:of\s+)?)?(?:its|their|the)?\s*"
    # "… or any of the study drug excipients" (NCT04499053 E17; jwlieb/clinical-trial-agent
    # data/demo @387df17)
    r"(?:(?:study|trial)\s+(?:drugs?|treatments?|medications?)(?:'s|s')?\s+)?"
    r"(?:excipients?|components?|constituents|ingredients)\b)?",
    re.I,
)
# "Participants must not have …", "No known …", "Patient must not have any history of …"
_NEGATION = re.compile(
    r"(?:\b(?:must|should|may)\s+not\s+have|\bno|\bwithout)\s+(?:any\s+)?(?:known\s+)?"
    r"(?:history\s+of\s+)?$",
    re.I,
)


def read_allergies(r: _Reader) -> None:
    for m in _ALLERGY.finditer(r.text):
        if any(f.start < m.end() and m.start() < f.end for f in r.found):
            continue
        before = r.text[: m.start()]
        negated = _NEGATION.search(before)
        if r.exclusion == (negated is not None):
            continue  # an exclusion that negates, or an inclusion that does not: not read
        grade = m["g1"] or m["g2"]
        if m["severe"] and grade and int(grade) != 3:
            continue  # "severe (grade ≥ 4)": which is meant?
        keys = tuple(dict.fromkeys(_key(d.group()) for d in re.finditer(_DRUG, m["list"], re.I)))
        start = negated.start() if negated is not None else m.start()
        rule = r.draft(
            AllergyRule,
            m.start(),
            m.end(),
            substances=tuple(k for k in keys if k != _STUDY_DRUGS),
            study_drugs=_STUDY_DRUGS in keys,
            # 'components of the study treatment' names what an excipient clause would
            excipients=m["excipients"] is not None
            or bool(re.search(r"components?|ingredients?|excipients?", m["list"], re.I)),
            min_grade=int(grade) if grade else 3 if m["severe"] else None,
        )
        if negated is not None:
            r.add(start, m.end(), r.draft(NotRule, start, m.end(), rule=rule))
        else:
            r.add(start, m.end(), rule)
