"""An age that heads a subgroup: 'Patients > 16 years: Karnofsky ≥ 50', 'Patients ≤ 16 years:
Lansky ≥ 50' (issue 12).

An age limit followed by a colon says whom the limits after it apply to, up to the next ';' or
sentence end: in an inclusion *if* the age holds *then* those limits (met by anyone outside the
subgroup); in an exclusion the age *and* the limits (only the subgroup is excluded). Read
as two requirements, a child would fail an adults' limit that never applied to them (a wrong
reading the parser made before). A colon followed by no rule leaves the age a judgement (the
item undecided) rather than a requirement. An age opening a bracket after the limits of its
sentence ("ECOG ≤ 2 (Patients aged ≥ 75 years)") is read the same way, for those limits.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.rules import AgeRule, AllOfRule, ConditionalRule, JudgementRule, Rule

__all__ = ["read_age_subgroups"]

_END = re.compile(r";|\.(?:\s|$)")


# An age in a bracket after the limits it is for: "ECOG performance ≤ 2 (Patients aged ≥ 75
# years, at the time of consent)" (NCT06357182 I4, a development record of
# jwlieb/clinical-trial-agent data/demo @387df17); read as a requirement of its own, every
# patient under 75 failed.
_GROUP = r"(?:patients|participants|subjects|those)"
_BRACKET = re.compile(r"\(\s*(?:(?:for|in)\s+)?(?P<group>" + _GROUP + r"\s*)?$", re.I)
_GROUP_FIRST = re.compile(_GROUP + r"\b", re.I)


def _bracketed_subgroup(r: _Reader, age: _Found) -> bool:
    """The age heads a bracket after the limits of its sentence: those limits hold *if* the age
    does (an inclusion), or the age *and* the limits exclude (an exclusion)."""
    # the group's word before the age, or opening the age's own words ("(Patients aged ≥ 75")
    lead = _BRACKET.search(r.text, max(0, age.start - 25), age.start)
    if lead is None or not (lead.group("group") or _GROUP_FIRST.match(r.text, age.start)):
        return False
    close = r.text.find(")", age.start)
    close = len(r.text) if close < 0 else close + 1
    if any(
        isinstance(f.rule, AgeRule) and f is not age and lead.start() <= f.start < close
        for f in r.found
    ):
        # a range of ages ("(for patients age 11 to 21)") is two rules: left as it was read,
        # its words unread
        return False
    ends = [m.end() for m in _END.finditer(r.text, 0, lead.start())]
    sentence = ends[-1] if ends else 0
    before = [f for f in r.found if f is not age and sentence <= f.start and f.end <= lead.start()]
    if not before or any(isinstance(f.rule, AgeRule) for f in before):
        return False
    _for_subgroup(r, age, before, before[0].start, age.end)
    r.consume(lead.start(), age.start)
    return True


def _for_subgroup(r: _Reader, age: _Found, limits: list[_Found], start: int, end: int) -> None:
    """``limits`` for the subgroup ``age`` names, in place of them and the age: in an inclusion
    *if* the age holds *then* the limits; in an exclusion the age *and* the limits (only the
    subgroup is excluded)."""
    then = limits[0].rule
    if len(limits) > 1:
        then = r.draft(
            AllOfRule, limits[0].start, limits[-1].end, rules=tuple(f.rule for f in limits)
        )
    for f in (*limits, age):
        r.found.remove(f)
    rule: Rule
    if r.exclusion:
        rule = r.draft(AllOfRule, start, end, rules=(age.rule, then))
    else:
        rule = r.draft(ConditionalRule, start, end, when=age.rule, then=then)
    r.add(start, end, rule)


def read_age_subgroups(r: _Reader) -> None:
    text = r.text
    for age in sorted((f for f in r.found if isinstance(f.rule, AgeRule)), key=lambda f: f.start):
        if age in r.found and _bracketed_subgroup(r, age):
            continue
        colon = re.match(r"\s*:", text[age.end :])
        if colon is None or age not in r.found:
            continue
        start = age.end + colon.end()
        stop = _END.search(text, start)
        end = stop.start() if stop is not None else len(text)
        inside = [f for f in r.found if f is not age and start <= f.start and f.end <= end]
        if not inside:
            r.found.remove(age)
            what = f"applies to the subgroup '{text[age.start : age.end]}' only (not read)"
            rule: Rule = JudgementRule(
                kind="judgement", id="draft", description=what, source=r.span(age.start, age.end)
            )
            r.add(age.start, age.end, rule)
            continue
        _for_subgroup(r, age, inside, age.start, max(f.end for f in inside))
