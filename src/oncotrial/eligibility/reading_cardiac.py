"""Reading the New York Heart Association (NYHA) functional class of heart failure (issue 12):
'New York Heart Association class II-IV congestive heart failure', 'Congestive Heart Failure
(NYHA Class 3 or 4)', 'NYHA Grade II or greater congestive heart failure', 'No NYHA class
III-IV heart failure'.

The class is an ordinal measurement (analyte ``nyha_class``, LOINC 88020-3, I < II < III < IV),
so a rule on it is a ``LabResultRule``: a range or list of classes reaching class IV is "≥ its
lowest class" ("II-IV", "3 or 4", "II or greater"), one starting at class I is "≤ its highest".
The patient's latest recorded class decides; none recorded leaves the rule unknown — a record
without a NYHA class says nothing about heart failure, so it never makes the rule "not met".

A NYHA class is a class of heart failure: only a patient with heart failure has one, so the words
"(congestive) heart failure" beside it add no condition of their own ("congestive heart failure
NYHA class III-IV" is the NYHA rule alone) and are read with it. "Symptomatic" is read with them
only when every class the rule names is II or more (class I: "no limitation of physical
activity", the NYHA's 1994 criteria, Dolgin M et al., 9th ed.; II-IV have symptoms).

What is not read, and why:

* an inclusion item's class not negated ("No …") that does not start at class I: a sub-item of
  "No concurrent serious illness including any of the following:" (NCT00602576 I2.11.3) is the
  parent's negation, not a requirement of heart failure;
* an exclusion item's negated class ("No NYHA class …"), whose double negation is not guessed;
* a class in a sentence naming a history ("history of", "prior", "previous", "past"): the
  latest class is not the worst one ever recorded, so the rule would pass a patient once in
  class III who is now in class II;
* classes that are not one run ("I or III"), or a comparator that leaves no class ("> IV").

Any other word stays unread and is quoted ("No significant cardiovascular disease, defined as",
"angina pectoris requiring nitrate therapy", "Patients with a history of class II heart failure
may be considered eligible provided …"), so the item is never decided on a fragment.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _NEGATION
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    Comparator,
    LabResultRule,
    LabRule,
    NotRule,
    Rule,
)

__all__ = ["read_nyha"]

_CLASSES = ("I", "II", "III", "IV")
_ARABIC = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_COMPARATORS = {
    "≥": Comparator.GE,
    "≤": Comparator.LE,
    ">": Comparator.GT,
    "<": Comparator.LT,
    "greater than or equal to": Comparator.GE,
    "equal to or greater than": Comparator.GE,
    "at least": Comparator.GE,
    "greater than": Comparator.GT,
    "more than": Comparator.GT,
    "higher than": Comparator.GT,
    "worse than": Comparator.GT,
    "above": Comparator.GT,
    "less than or equal to": Comparator.LE,
    "equal to or less than": Comparator.LE,
    "less than": Comparator.LT,
    "lower than": Comparator.LT,
    "better than": Comparator.LT,
    "below": Comparator.LT,
}
_CMP = (
    r"(?:[≥≤<>]|(?<![A-Za-z])(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_COMPARATORS, key=len)[::-1])
    + r")(?![A-Za-z]))"
)
# one class: a Roman numeral or its Arabic digit, never part of a word or a decimal
_C = r"(?:IV|I{1,3}|[1-4])(?![A-Za-z0-9]|\.\d)"
# "II, III or IV", "III/IV": a comma only in a list that an 'or' or 'and' closes, so that "class
# III, 2 prior infarctions" is never the list "II, III"
_LAST = r"\s*(?:,\s*or|,\s*and|and/or|or|and|/)\s*"
_MORE = r"greater|higher|above|worse|more|over"
_LESS = r"less|lower|better|below"
# "New York Heart Association (NYHA)", "NYHA (New York Heart Association)" (NCT06572618 E3.2, a
# development record of jwlieb/clinical-trial-agent data/demo @387df17)
_ASSOCIATION = (
    r"(?:New\s+York\s+Heart\s+Association(?:\s*[(\[]\s*NYHA\s*[)\]])?"
    r"|NYHA(?:\s*[(\[]\s*New\s+York\s+Heart\s+Association\s*[)\]])?)"
)
# "NYHA heart failure class III-IV", "NYHA CHF classification III or IV" (NCT05702853 E3.13):
# the heart failure the class is of, named inside the class's name
_NAME = (
    rf"{_ASSOCIATION}(?:\s+(?:heart\s+failure|CHF))?"
    r"(?:\s+(?:functional\s+)?(?:class(?:ification)?|grade))?"
)
# one run of classes: "III-IV", "3 or 4", "II, III, or IV", "≥ II", "II or greater"
_RUN = (
    rf"{_CMP}\s*(?:class\s+)?{_C}"
    rf"|{_C}\s*(?:-|to|through)\s*(?:class\s+)?{_C}"
    rf"|{_C}(?:(?:\s*,\s*(?:class\s+)?{_C})*{_LAST}(?:class\s+)?{_C})?"
    rf"(?:\s+or\s+(?:{_MORE}|{_LESS}))?"
)
# "Congestive heart failure (New York Heart Association Classification class >= II)"
# (NCT06575296 E17.3), "Functional Classification of class II or better" (NCT05673200 I14)
_CORE = re.compile(
    rf"(?:(?P<pre>{_CMP})\s*{_NAME}\s*(?:class\s+)?(?P<one>{_C})"
    rf"|{_NAME}\s*(?::\s*|of\s+)?(?:class(?:es)?\s+)?(?P<classes>{_RUN}))",
    re.I,
)
_HF = (
    r"(?:(?P<symptomatic>symptomatic)\s+)?(?:congestive\s+)?(?:heart|cardiac)\s+failure"
    r"(?:\s*\(\s*C?HF\s*\))?|(?P<symptomatic2>symptomatic)\s+CHF|CHF"
)
# The class written first and the classification named after it: "Class III or IV congestive
# heart failure per New York Heart Association" (NCT05487859 E8), "Congestive heart failure Grades
# II-IV according to the New York Heart Association" (NCT05573126 E9), "Class III/IV
# cardiovascular disability according to the New York Heart Association (NYHA) Classification"
# (NCT04690595 E5), "Class III or IV cardiovascular disease according to the NYHA functional
# criteria" (NCT05361720 E9.1), "… as defined by the New York Heart Association functional
# classification system [NYHA, 1994]" (NCT05874193 E2.3); development records of
# jwlieb/clinical-trial-agent data/demo @387df17. The NYHA classes patients with cardiac disease
# by the limitation of physical activity (the NYHA's 1994 criteria), so "class III cardiac
# disease" or "cardiovascular disability" per the NYHA is the functional class, as heart failure
# is; a class of any other scale ("Grade III-V cardiac failure") is no NYHA class.
_CLASSED = (
    r"(?:(?:congestive\s+)?(?:heart|cardiac)\s+failure|CHF|(?:cardiac|heart|cardiovascular)\s+"
    r"(?:disease|insufficiency|disability))"
)
_CLASS_FIRST = re.compile(
    rf"(?:class(?:es)?|grades?)\s+(?P<classes>{_RUN})(?:\s+(?P<hf>{_CLASSED}))?\s*,?\s*"
    r"(?:as\s+defined\s+by|defined\s+by|per|according\s+to)\s+(?:the\s+)?"
    + _ASSOCIATION
    + r"(?:\s+(?:functional\s+)?(?:classification|criteria)(?:\s+system)?)?"
    r"(?:\s*[(\[]\s*NYHA(?:\s*,\s*\d{4})?\s*[)\]])?",
    re.I,
)
# heart failure named before the class: "Congestive Heart Failure (NYHA Class 3 or 4)",
# "Congestive heart failure defined as NYHA class III or IV", "heart failure > NYHA class 2"
_HF_BEFORE = re.compile(
    rf"(?:{_HF})\s*(?:(?P<open>\(\s*)(?:defined\s+as\s+|i\.?e\.?,?\s+)?|,?\s*defined\s+as\s+"
    r"|\s+(?:of|with|per)\s+|\s*[:,]\s*|\s+)$",
    re.I,
)
# "New York Heart Association Class III or IV cardiac disease": the class's cardiac disease
_HF_AFTER = re.compile(rf"\s*(?:{_HF}|{_CLASSED})", re.I)
# a verb between the negation and the class: the negation may belong to another clause ("must not
# be pregnant and must have NYHA class I-II"), so whose it is is not guessed
_OTHER_CLAUSE = re.compile(
    r"\b(?:must|should|shall|have|has|had|is|are|be|been|will|may|can|eligible|allowed|"
    r"permitted)\b",
    re.I,
)
_HISTORY = re.compile(r"\b(?:history|prior|previous|previously|past)\b", re.I)


def _rank(token: str) -> int:
    return _CLASSES.index(_ARABIC.get(token, token.upper()))


def _classes(m: re.Match[str]) -> tuple[int, int] | None:
    """The run of classes (lowest, highest rank) the match names; None if not one run."""
    comparator: Comparator | None
    if m.groupdict().get("one") is not None:
        comparator, ranks = _COMPARATORS[" ".join(m["pre"].lower().split())], [_rank(m["one"])]
    else:
        text = m["classes"]
        cmp = re.match(_CMP, text, re.I)
        comparator = None if cmp is None else _COMPARATORS[" ".join(cmp.group(0).lower().split())]
        tokens = re.findall(_C, text[cmp.end() if cmp else 0 :], re.I)
        if len({t.isdigit() for t in tokens}) > 1:
            return None  # "II or 3": Roman and Arabic mixed, not one list
        ranks = [_rank(t) for t in tokens]
        if cmp is None and re.search(r"-|to|through", text, re.I) and len(ranks) == 2:
            lo, hi = ranks
            return (lo, hi) if lo < hi else None
        more = re.search(rf"or\s+(?:{_MORE})$", text, re.I)
        less = re.search(rf"or\s+(?:{_LESS})$", text, re.I)
        if (more or less) and len(ranks) != 1:
            return None  # "II, III or higher": not guessed
        if more:
            comparator = Comparator.GE
        elif less:
            comparator = Comparator.LE
    if comparator is None:
        ordered = sorted(set(ranks))
        if ordered != list(range(ordered[0], ordered[-1] + 1)) or len(ordered) != len(ranks):
            return None  # "I or III": not one run of classes
        return ordered[0], ordered[-1]
    (rank,) = ranks
    lo, hi = {
        Comparator.GE: (rank, 3),
        Comparator.GT: (rank + 1, 3),
        Comparator.LE: (0, rank),
        Comparator.LT: (0, rank - 1),
    }[comparator]
    return (lo, hi) if lo <= hi else None


def _rule(r: _Reader, start: int, end: int, lo: int, hi: int) -> Rule:
    def limit(comparator: Comparator, rank: int) -> LabResultRule:
        return r.draft(
            LabResultRule,
            start,
            end,
            analyte="nyha_class",
            comparator=comparator,
            result=_CLASSES[rank],
        )

    if hi == 3:
        return limit(Comparator.GE, lo)
    if lo == 0:
        return limit(Comparator.LE, hi)
    if lo == hi:
        return limit(Comparator.EQ, lo)
    return r.draft(
        AllOfRule, start, end, rules=(limit(Comparator.GE, lo), limit(Comparator.LE, hi))
    )


def read_nyha(r: _Reader) -> None:
    """A NYHA class, with the heart failure it classes (see the module's docstring)."""
    text = r.text
    found = [*_CORE.finditer(text), *_CLASS_FIRST.finditer(text)]
    for m in sorted(found, key=lambda f: f.start()):
        start, end = m.start(), m.end()
        if any(f.start < end and start < f.end for f in r.found):
            continue
        run = _classes(m)
        if run is None:
            continue
        lo, hi = run
        sentence = max(text.rfind(". ", 0, start), text.rfind(";", 0, start)) + 1
        if _HISTORY.search(text, sentence, start):
            continue
        window = max(sentence, start - 60)
        negation = _NEGATION.search(text, window, start)
        if negation is not None and _OTHER_CLAUSE.search(text, negation.start(), start):
            continue
        negated = negation is not None
        if r.exclusion and negated:
            continue
        if not r.exclusion and not negated and lo != 0:
            continue
        # the heart failure the class is of, before it (closing a parenthesis it opened) or after
        before = _HF_BEFORE.search(text, max(sentence, start - 60), start)
        symptomatic = False
        if before is not None:
            close = re.match(r"\s*\)", text[end:]) if before["open"] else None
            if before["open"] is None or close is not None:
                symptomatic = bool(before["symptomatic"] or before["symptomatic2"])
                start = before.start()
                end += close.end() if close is not None else 0
        elif m.re is _CORE:  # the class written first holds its heart failure's words
            after = _HF_AFTER.match(text, end)
            if after is not None:
                symptomatic = bool(after["symptomatic"] or after["symptomatic2"])
                end = after.end()
        if symptomatic and lo == 0:
            continue  # "symptomatic" with class I named: not the same set of patients
        if any(f.start < end and start < f.end for f in r.found):
            continue  # the heart failure's words are another rule's
        rule = _rule(r, start, end, lo, hi)
        r.add(start, end, r.draft(NotRule, start, end, rule=rule) if negated else rule)


# "Poorly controlled hypertension (systolic blood pressure of 140mmHG or greater or diastolic
# blood pressure of 90mmHg or greater)" (NCT00549328 E7, round 5), "Uncontrolled hypertension,
# defined as …": the blood-pressure limits right after the words define the control asked for, so
# the words are no judgement of the investigator's; read with the limits. Any other word ("on
# antihypertensive medications", "despite optimal management") stays unread.
_DEFINED_HYPERTENSION = re.compile(
    r"\b(?:uncontrolled|poorly\s+controlled|inadequately\s+controlled)\s+(?:arterial\s+)?"
    r"hypertension\s*(?:,\s*|\(\s*|\[\s*)?(?:defined\s+as\s*|i\.\s?e\.,?\s*)?",
    re.I,
)
_BP = {"systolic_bp", "diastolic_bp"}


def _blood_pressure_only(rule: Rule) -> bool:
    if isinstance(rule, LabRule):
        return rule.analyte in _BP
    if isinstance(rule, AnyOfRule):
        return all(_blood_pressure_only(x) for x in rule.rules)
    return False


def read_defined_hypertension(r: _Reader) -> None:
    for m in _DEFINED_HYPERTENSION.finditer(r.text):
        after = sorted((f for f in r.found if f.start >= m.end()), key=lambda f: f.start)
        if after and after[0].start == m.end() and _blood_pressure_only(after[0].rule):
            r.consume(m.start(), m.end())
