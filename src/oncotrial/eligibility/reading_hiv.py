"""Reading HIV with its CD4 count and viral load (issue 12): 'Known HIV infection with detectable
viral load or CD4+ count < 200 cells/µL' (an exclusion: HIV *and* one of the tests), 'Patients
with HIV are eligible if CD4+ count ≥ 350 cells/µL and viral load undetectable' (an inclusion:
*if* HIV *then* the tests; met by anyone without HIV).

The tests are the rules the laboratory and viral readers found (``cd4``, ``hiv_rna``,
``hiv_rna_detected``), joined all by 'and' or all by 'or' (mixed joins are not read). An inclusion
is read only when the words say the tests are what makes a person with HIV eligible ('are
eligible if', 'must have', '… are eligible'); otherwise the HIV words stay unread and the item
undecided. Runs after the condition readers, whose HIV rule for the same words it replaces.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionalRule,
    ConditionRule,
    LabResultRule,
    LabRule,
    NotRule,
    Rule,
)

__all__ = ["read_hiv_combination", "read_hiv_negative"]

_HIV = re.compile(
    r"(?:human\s+immunodeficiency\s+virus\s*(?:\(HIV\)\s*)?|\bHIV(?:-1)?\b)"
    r"(?:\s*-?\s*(?:infected|positive)|\s+infection|\s+positivity)?",
    re.I,
)
_LINK = re.compile(
    r"\s*(?:patients?|participants?|subjects?|persons?)?\s*"
    r"(?P<verb>with|who\s+have|must\s+have|are\s+eligible\s+if|(?:are\s+)?eligible\s+provided"
    r"(?:\s+that)?|if)\s+(?:an?\s+|their\s+)?",
    re.I,
)
_JOIN = re.compile(r"\s*,?\s*(?P<op>and|or)\s+(?:an?\s+)?", re.I)
_ELIGIBLE = re.compile(r"\s*(?:are|is)\s+(?:eligible|allowed|permitted)", re.I)
_TESTS = frozenset({"cd4", "hiv_rna", "hiv_rna_detected"})


def _test(rule: Rule) -> bool:
    return isinstance(rule, LabRule | LabResultRule) and rule.analyte in _TESTS


def read_hiv_combination(r: _Reader) -> None:
    text = r.text
    m = _HIV.search(text)
    if m is None:
        return
    link = _LINK.match(text, m.end())
    if link is None:
        return
    tests = sorted((f for f in r.found if _test(f.rule)), key=lambda f: f.start)
    chain: list[_Found] = []
    ops: set[str] = set()
    at = link.end()
    for f in tests:
        if f.start < at:
            continue
        if chain:
            join = _JOIN.fullmatch(text, at, f.start)
            if join is None:
                break
            ops.add(join["op"].lower())
        elif f.start != at:
            break
        chain.append(f)
        at = f.end
    if not chain or len(ops) > 1:
        return
    end = chain[-1].end
    eligible = _ELIGIBLE.match(text, end)
    verb = link["verb"].lower()
    if not r.exclusion and eligible is None and not re.match(r"must|are|eligible|if", verb):
        return  # "HIV patients with CD4 ≥ 350": a requirement or a description? not said
    if r.exclusion and re.match(r"are|eligible|if|must", verb):
        return  # an exclusion that says who is eligible: read nothing rather than misread
    if re.search(r"\b(?:no|not|without)\s+(?:known\s+)?$", text[: m.start()], re.I):
        return
    parts = tuple(f.rule for f in chain)
    combined: Rule = parts[0]
    if len(parts) > 1 and ops == {"or"}:
        combined = r.draft(AnyOfRule, chain[0].start, end, rules=parts)
    elif len(parts) > 1:
        combined = r.draft(AllOfRule, chain[0].start, end, rules=parts)
    hiv = r.draft(ConditionRule, m.start(), m.end(), condition="hiv")
    rule: Rule
    if r.exclusion:
        rule = r.draft(AllOfRule, m.start(), end, rules=(hiv, combined))
    else:
        rule = r.draft(ConditionalRule, m.start(), end, when=hiv, then=combined)
    start = m.start()
    known = re.search(
        r"(?:\b(?:patients?|participants?|subjects?)\s+(?:with|who\s+have)\s+)?(?:\bknown\s+)?$",
        text[:start],
        re.I,
    )
    if known is not None and known.group(0):
        start = known.start()
    if eligible is not None:
        end = eligible.end()
    drop = {id(f) for f in chain}
    r.found[:] = [
        f
        for f in r.found
        if id(f) not in drop and not (_hiv_condition(f.rule) and f.start < end and start < f.end)
    ]
    r.add(start, end, rule)


def _hiv_condition(rule: Rule) -> bool:
    inner = rule.rule if isinstance(rule, NotRule) else rule
    return isinstance(inner, ConditionRule) and inner.condition == "hiv"


# "HIV negative", "HIV-negative", "negative HIV test", "seronegative for HIV", "HIV 1/2 antibody
# negative": the serology or status, never a viral load or RNA (reading_viral reads those)
_SEROLOGY = (
    r"(?:\s*-?\s*(?:1\s*/\s*2|-1/2|-1)?)?"
    r"(?:\s+(?:antibody|antibodies|serology|test(?:ing)?|status))?"
)
_HIV_NAME = r"(?:human\s+immunodeficiency\s+virus(?:\s*[\[(]HIV[\])])?|\bHIV)"
_NEGATIVE = re.compile(
    rf"{_HIV_NAME}{_SEROLOGY}\s*(?:-|:|(?:is|must\s+be|should\s+be)\s+)?\s*(?:sero)?negative\b"
    rf"|\b(?:sero)?negative\s+(?:for\s+)?(?:an?\s+|the\s+)?{_HIV_NAME}{_SEROLOGY}",
    re.I,
)

_WHO = re.compile(
    r"\s+(?:patients?|participants?|subjects?|persons?|individuals?|wom[ae]n|men)\b", re.I
)


def read_hiv_negative(r: _Reader) -> None:
    """'HIV negative' in an inclusion: no HIV infection in the medical history (as 'No known
    HIV infection' is read). In an exclusion the words say nothing to exclude on: not read."""
    if r.exclusion:
        return
    for m in _NEGATIVE.finditer(r.text):
        if any(f.start < m.end() and m.start() < f.end for f in r.found):
            continue
        if re.search(r"\b(?:not|no|non)\W*$", r.text[: m.start()], re.I):
            continue  # "not HIV negative", "non-negative": a double negation, not read
        if _WHO.match(r.text, m.end()):
            continue  # "HIV-negative patients with …": whom the rest is about, not a requirement
        hiv = r.draft(ConditionRule, m.start(), m.end(), condition="hiv")
        r.add(m.start(), m.end(), r.draft(NotRule, m.start(), m.end(), rule=hiv))
