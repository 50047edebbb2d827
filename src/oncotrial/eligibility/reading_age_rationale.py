"""The NCI template's reason for an adult age limit (issue 12): "Because no dosing or adverse
event data are currently available on the use of <agent> in patients < 18 years of age, children
are excluded from this study[, but will be eligible for future pediatric trials]" (NCT04929028
I4.1, NCT06102902 I2, NCT06015659 I4 "As no dosing …, children and adolescents are excluded",
and 23 more development records: jwlieb/clinical-trial-agent data/demo @387df17).

The sentence states the age limit once more: those under N are excluded, so an inclusion admits
age ≥ N (an exclusion excludes age < N). Before, the age reader took "patients < 18 years of age"
as the limit itself ("age at consent < 18 years": every adult would fail the inclusion, a wrong
reading). The sentence is read whole as that one limit; when the item already states a limit at that
age ("Age ≥ 18 years. Because …", "Age > 18 years. Because …") it is not repeated.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.rules import AgeRule, Comparator

__all__ = ["read_age_rationale"]

_RATIONALE = re.compile(
    r"(?:Because|Since|As)\s+(?:there\s+are\s+)?no\s+dosing\s+(?:or|and)\s+adverse\s+events?\s+"
    r"(?:\(AEs?\)\s+)?data\s+(?:are|is)\s+currently\s+available\s+"
    r"(?:on\s+the\s+(?:long-term\s+)?use\s+of\s+[^.;]{1,160}?\s+)?in\s+"
    r"(?:patients|participants|subjects|[\w-]+(?:\s+[\w-]+)?\s+recipients)\s*"
    r"(?:<|under|less\s+than|younger\s+than)\s*(?P<n>\d{1,2})\s+years\s+of\s+age\s*,\s*"
    r"children(?:\s+and\s+adolescents)?\s+are\s+excluded\s+from\s+(?:this|the)\s+study"
    r"(?:\s*,?\s*but\s+(?:will|may)\s+be\s+eligible\s+for\s+future\s+pediatric\s+"
    r"(?:trials|studies)(?:\s*,?\s*if\s+applicable)?)?",
    re.I,
)


def read_age_rationale(r: _Reader) -> None:
    for m in _RATIONALE.finditer(r.text):
        years = float(m["n"])
        inside = [
            f
            for f in r.found
            if isinstance(f.rule, AgeRule) and m.start() <= f.start and f.end <= m.end()
        ]
        if any(not isinstance(f.rule, AgeRule) for f in r.found if _overlaps(f, m)):
            continue  # another rule in the sentence: not the template alone
        for f in inside:
            r.found.remove(f)
        comparator = Comparator.LT if r.exclusion else Comparator.GE
        # "Age > 18 years. Because … < 18 …": the item's own limit stands as written
        same_side = (
            {Comparator.LT, Comparator.LE} if r.exclusion else {Comparator.GE, Comparator.GT}
        )
        stated = any(
            isinstance(f.rule, AgeRule) and f.rule.comparator in same_side and f.rule.value == years
            for f in r.found
        )
        if not stated:
            rule = r.draft(AgeRule, m.start(), m.end(), comparator=comparator, value=years)
            r.add(m.start(), m.end(), rule)
        r.consume(m.start(), m.end())


def _overlaps(f: _Found, m: re.Match[str]) -> bool:
    return f.start < m.end() and m.start() < f.end
