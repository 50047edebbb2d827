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

__all__ = ["read_hbsag", "read_hepatitis_b", "read_viral_presence"]

_HBSAG = re.compile(
    r"(?:(?P<pre>positive|reactive)\s+(?:for\s+)?)?"
    # "Hepatitis B surface antigen [HBsAg] reactive" (Merck's template, NCT04946370 E8;
    # jwlieb/clinical-trial-agent data/demo @387df17): the abbreviation in either bracket
    r"(?:hepatitis\s+B\s+surface\s+antigen(?:\s*(?:\(HBsAg\)|\[HBsAg\]))?|HBsAg|HBs\s+antigen)"
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
    close = _CLOSE.match(text[end:])
    if defined is not None and close is not None:
        r.consume(defined.start(), start)
        r.consume(end, end + close.end())


# the parenthesis that closes a definition, with the "infection" its hepatitis names after it:
# "known active Hepatitis C virus (defined as HCV RNA [qualitative] is detected) infection"
_CLOSE = re.compile(r"\s*\)(?:\s+infection\b)?", re.I)


def _is_hbsag(rule: Rule) -> bool:
    inner = _inner(rule)
    return isinstance(inner, LabResultRule) and inner.analyte == "hbsag"


def _inner(rule: Rule) -> Rule:
    return rule.rule if isinstance(rule, NotRule) else rule


# "Detectable HCV RNA", "HCV RNA undetectable", "undetectable HIV viral load": the qualitative
# result (analytes hcv_rna_detected, hiv_rna_detected). A bare "viral load" is HIV's only when
# the item names HIV and no hepatitis; otherwise whose load it is stays unread.
_DETECTED = r"(?:not\s+detect(?:able|ed)|undetect(?:able|ed)|detect(?:able|ed)|positive|negative)"
# "HCV RNA [qualitative] is detected" (Merck's template): the qualitative test named as such
_HCV = (
    r"(?:hepatitis\s+C\s+virus\s+(?:\(HCV\)\s+)?RNA|HCV[-\s]?RNA|HCV\s+viral\s+load)"
    r"(?:\s*[\[(]qualitative[\])])?"
)
_HIV = r"(?:HIV(?:-1)?[-\s]?RNA|HIV(?:-1)?\s+viral\s+load|viral\s+load)"
_PRESENCE = re.compile(
    rf"(?P<pre>{_DETECTED})\s+(?:(?:serum|plasma)\s+)?(?P<test>{_HCV}|{_HIV})"
    rf"|(?P<test2>{_HCV}|{_HIV})\s*(?:(?:is|must\s+be|should\s+be)\s+|:\s*|-\s*)?"
    rf"(?P<post>{_DETECTED})(?![A-Za-z])",
    re.I,
)


def read_viral_presence(r: _Reader) -> None:
    text = r.text
    hepatitis = re.search(r"hepatitis|\bHBV\b|\bHCV\b", text, re.I) is not None
    for m in _PRESENCE.finditer(text):
        if any(f.start < m.end() and m.start() < f.end for f in r.found):
            continue
        test = m["test"] or m["test2"]
        word = (m["pre"] or m["post"]).lower()
        if re.match(r"HCV|hepatitis", test, re.I):
            analyte = "hcv_rna_detected"
        elif re.match(r"HIV", test, re.I) or (
            re.search(r"\bHIV\b|human\s+immunodeficiency", text, re.I) and not hepatitis
        ):
            analyte = "hiv_rna_detected"
        else:
            continue  # "undetectable viral load" of a virus not named
        result = "negative" if re.match(r"not|undetect|negative", word) else "positive"
        rule: Rule = r.draft(LabResultRule, m.start(), m.end(), analyte=analyte, result=result)
        # "No detectable HCV RNA": the item is met when the test is not positive
        negated = re.search(r"\b(?:no|without)\s+$", text[: m.start()], re.I)
        start = negated.start() if negated else m.start()
        if negated:
            rule = r.draft(NotRule, start, m.end(), rule=rule)
        r.add(start, m.end(), rule)
        if analyte == "hcv_rna_detected":
            _defined_hepatitis_c(r, start, m.end())


_DEFINED_C = re.compile(
    r"(?:(?:known\s+)?(?:active|chronic)\s+)?(?:hepatitis\s+C(?:\s+virus)?|HCV)(?:\s+infection)?"
    r"\s*\(\s*(?:HCV\s*\)\s*\(\s*)?(?:defined\s+as\s+|i\.?e\.?,?\s+)?$",
    re.I,
)


def _defined_hepatitis_c(r: _Reader, start: int, end: int) -> None:
    """'Active hepatitis C (detectable HCV RNA)': the parenthesis defines 'active', so no
    condition rule on the history of hepatitis C is read beside it (as for hepatitis B)."""
    defined = _DEFINED_C.search(r.text, 0, start)
    close = _CLOSE.match(r.text[end:])
    if defined is not None and close is not None:
        r.consume(defined.start(), start)
        r.consume(end, end + close.end())
