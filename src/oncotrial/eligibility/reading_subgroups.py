"""An age that heads a subgroup: 'Patients > 16 years: Karnofsky ≥ 50', 'Patients ≤ 16 years:
Lansky ≥ 50' (issue 12).

An age limit followed by a colon says whom the limits after it apply to, up to the next ';' or
sentence end: in an inclusion *if* the age holds *then* those limits (met by anyone outside the
subgroup); in an exclusion the age *and* the limits (only the subgroup is excluded). Read
as two requirements, a child would fail an adults' limit that never applied to them (a wrong
reading the parser made before). A colon followed by no rule leaves the age a judgement (the
item undecided) rather than a requirement.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import AgeRule, AllOfRule, ConditionalRule, JudgementRule, Rule

__all__ = ["read_age_subgroups"]

_END = re.compile(r";|\.(?:\s|$)")


def read_age_subgroups(r: _Reader) -> None:
    text = r.text
    for age in sorted((f for f in r.found if isinstance(f.rule, AgeRule)), key=lambda f: f.start):
        colon = re.match(r"\s*:", text[age.end :])
        if colon is None or age not in r.found:
            continue
        start = age.end + colon.end()
        stop = _END.search(text, start)
        end = stop.start() if stop is not None else len(text)
        inside = [f for f in r.found if f is not age and start <= f.start and f.end <= end]
        r.found.remove(age)
        if not inside:
            what = f"applies to the subgroup '{text[age.start : age.end]}' only (not read)"
            rule: Rule = JudgementRule(
                kind="judgement", id="draft", description=what, source=r.span(age.start, age.end)
            )
            r.add(age.start, age.end, rule)
            continue
        then = inside[0].rule
        if len(inside) > 1:
            then = r.draft(
                AllOfRule, inside[0].start, inside[-1].end, rules=tuple(f.rule for f in inside)
            )
        for f in inside:
            r.found.remove(f)
        last = max(f.end for f in inside)
        if r.exclusion:
            # an exclusion excludes those of the subgroup who meet its limits: both must hold
            rule = r.draft(AllOfRule, age.start, last, rules=(age.rule, then))
        else:
            rule = r.draft(ConditionalRule, age.start, last, when=age.rule, then=then)
        r.add(age.start, last, rule)
