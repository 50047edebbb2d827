"""Reading hepatitis B with its serology and viral load (issue 12 item 3): 'Active hepatitis B
(HBsAg positive and HBV DNA > 500 IU/mL)', 'HBsAg positive'.

The HBsAg result is a nominal lab result; an HBV DNA limit the laboratory reader found, joined
to it by 'and', makes one rule with it (both must hold). A hepatitis named just before a
parenthesis that defines it by such tests ('Active hepatitis B (…)') is that definition: the
words are consumed and no condition rule is read for them, so 'active' is not decided by the
record's history of hepatitis B. Anything else in the parenthesis stays unread.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import AllOfRule, LabResultRule, LabRule, NotRule, Rule

__all__ = ["read_hbsag", "read_hepatitis_b"]

_HBSAG = re.compile(
    r"(?:(?P<pre>positive|reactive)\s+(?:for\s+)?)?"
    r"(?:hepatitis\s+B\s+surface\s+antigen(?:\s*\(HBsAg\))?|HBsAg|HBs\s+antigen)"
    r"(?(pre)|\s*(?:-|:)?\s*(?:positive|reactive|\(\+\)|\+))",
    re.I,
)
_DEFINED = re.compile(
    r"(?:(?:known\s+)?(?:active|chronic)\s+)?(?:hepatitis\s+B(?:\s+virus)?|HBV)(?:\s+infection)?"
    r"\s*(?:\(\s*(?:HBV\s*\)\s*\(\s*)?(?:defined\s+as\s+|i\.?e\.?,?\s+)?)$",
    re.I,
)


def read_hbsag(r: _Reader) -> None:
    """'HBsAg positive', 'positive HBsAg' (read before the laboratory limits, so that a list
    such as 'HBsAg or HCV RNA ≥ 15 IU/mL' never takes the serology for one of its tests)."""
    text = r.text
    m = _HBSAG.search(text)
    if m is None or any(f.start < m.end() and m.start() < f.end for f in r.found):
        return
    negate = not r.exclusion
    if negate and not re.search(r"\b(?:no|not|without)\b[^.;]{0,30}$", text[: m.start()], re.I):
        return
    rule: Rule = r.draft(LabResultRule, m.start(), m.end(), analyte="hbsag", result="positive")
    r.add(m.start(), m.end(), r.draft(NotRule, m.start(), m.end(), rule=rule) if negate else rule)


def read_hepatitis_b(r: _Reader) -> None:
    """'HBsAg positive and HBV DNA > 500 IU/mL' is one rule (both hold); a hepatitis B the
    parenthesis defines ('Active hepatitis B (…)') is that definition."""
    text = r.text
    found = next((f for f in r.found if _is_hbsag(f.rule)), None)
    if found is None:
        return
    start, end = found.start, found.end
    dna = next(
        (
            f
            for f in r.found
            if isinstance(f.rule, LabRule)
            and f.rule.analyte == "hbv_dna"
            and re.fullmatch(r"\s*(?:,\s*)?and\s+", text[end : f.start], re.I)
        ),
        None,
    )
    if dna is not None:
        hbsag = _inner(found.rule)
        r.found.remove(dna)
        r.found.remove(found)
        rule: Rule = r.draft(AllOfRule, start, dna.end, rules=(hbsag, dna.rule))
        if isinstance(found.rule, NotRule):
            rule = r.draft(NotRule, start, dna.end, rule=rule)
        r.consume(end, dna.start)
        end = dna.end
        r.add(start, end, rule)
    defined = _DEFINED.search(text, 0, start)
    close = re.match(r"\s*\)", text[end:])
    if defined is not None and close is not None:
        r.consume(defined.start(), start)
        r.consume(end, end + close.end())


def _is_hbsag(rule: Rule) -> bool:
    inner = _inner(rule)
    return isinstance(inner, LabResultRule) and inner.analyte == "hbsag"


def _inner(rule: Rule) -> Rule:
    return rule.rule if isinstance(rule, NotRule) else rule
