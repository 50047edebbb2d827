"""The condition a laboratory limit applies under, and the words that introduce it (issue 12):
"≤ 5 × ULN in patients with liver metastases", "(if associated with liver metastases or
Gilbert's disease, ≤ 3 × ULN)", "QTc ≥ 470 ms for females". A cue is a condition (liver or bone
metastases, Gilbert's syndrome — or two of them joined by "or", either of which allows the limit)
or a sex; ``reading_labs`` turns a limit marked with one into a conditional rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeGuard

from oncotrial.eligibility.reading import _Found, _Mention, _Reader, _Threshold
from oncotrial.eligibility.rules import AnyOfRule, ConditionRule, Rule, SexRule

_CUES: tuple[tuple[str, str], ...] = (
    (
        "liver_metastases",
        # "… or liver metastases at baseline" (NCT07012031 I13, jwlieb/clinical-trial-agent
        # data/demo @387df17): present at screening, as the current condition the rule reads
        r"(?:liver|hepatic)\s+metastas[ie]s(?:\s+(?:are\s+|is\s+)?present|\s+at\s+baseline)?"
        r"|liver\s+involvement"
        # "For patients with hepatic involvement of their cancer" (NCT00079612 I8, round 5)
        r"|hepatic\s+involvement(?:\s+(?:of|by)\s+(?:their|the)\s+(?:cancer|tumou?r|disease))?",
    ),
    (
        "liver_metastases|bone_metastases",
        # "Patients with documented liver or bone metastases: ALP ≤ 5 × ULN" (NCT05168618 I18),
        # "< 5 × ULN if liver and/or bone metastasis are present" (NCT03093116 I11),
        # jwlieb/clinical-trial-agent data/demo @387df17: either one allows the limit
        r"(?:liver|hepatic)\s+(?:or|and/or)\s+bone\s+metastas[ie]s(?:\s+(?:are\s+|is\s+)?present)?",
    ),
    (
        "bone_metastases",
        # "ALP ≤ 5 × ULN with documented bone metastases" (NCT05931393 I12.5)
        r"(?:bone|osseous)\s+metastas[ie]s(?:\s+(?:are\s+|is\s+)?present)?",
    ),
    (
        "gilbert_syndrome",
        # "if Gilbert's disease is present" (NCT00602576 I2.6, round 5)
        # "documented Gilbert's syndrome (unconjugated hyperbilirubinemia)" (NCT06807619 I6.6): the
        # syndrome explained in brackets
        # "Gilbert s Syndrome" (NCT05155033, jwlieb/clinical-trial-agent data/demo @387df17):
        # the apostrophe lost in copying
        r"Gilbert(?:'s|’s|s|\s+s\b)?(?:\s+(?:syndrome|disease))?(?:\s+(?:is|are)\s+present)?"
        r"(?:\s*\((?:unconjugated|indirect)\s+hyperbilirubina?emia\))?",
    ),
    # "> 450 msec for male patients or > 470 msec for female patients" (NCT04390737 E14 and
    # others, jwlieb/clinical-trial-agent data/demo @387df17): the person noun is the cue's
    ("male", r"\b(?:males?|men)\b(?:\s+(?:patients|participants|subjects))?"),
    ("female", r"\b(?:females?|women)\b(?:\s+(?:patients|participants|subjects))?"),
)

# both sexes named together ("> 470 ms in males and females", NCT05785741 E6, "in both male and
# female", NCT05588648 E2.2, jwlieb/clinical-trial-agent data/demo @387df17): no sex cue — the
# limit is everyone's, never one sex's
_BOTH_SEXES = re.compile(
    r"\b(?:males?|men|females?|women)\s*(?:,|and/or|and|or|&|/)\s*"
    r"(?:males?|men|females?|women)\b",
    re.I,
)


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    what: str
    negated: bool


# two conditions either of which allows the limit: "(if associated with liver metastases or
# Gilbert's disease, ≤ 3 × ULN)" (NCT06130254 I1.12.4, jwlieb/clinical-trial-agent data/demo
# @387df17); "and" is not joined (both at once is another condition)
_CUE_OR = re.compile(r"\s*,?\s*(?:or|and/or|/)\s*(?:(?:documented|known|confirmed)\s+)?", re.I)


_CONDITION_CUES = frozenset({"liver_metastases", "bone_metastases", "gilbert_syndrome"})


# metastases are read as current at the reference date; Gilbert's syndrome is lifelong
_CURRENT_CUES = frozenset({"liver_metastases", "bone_metastases"})


# a cue the words before deny: "In absence of liver metastases, ALT and AST ≤ 3.0 × ULN"
# (NCT05386108 I14, NCT05455619, NCT05563220; development records) — never the condition of the
# limit that follows it (it had been: "if liver metastases: ALT ≤ 3"). Not "except": "(except for
# Gilbert's syndrome subjects, where total bilirubin must be < 51.3 µmol/L)" (seed 001 I9.3)
# names whom the limit after it is for. Also read whole before a conditional whose otherwise is
# that limit (reading_lab_without.read_absent_lead).
DENIED = re.compile(
    r"(?:(?:in\s+(?:the\s+)?)?absence\s+of|without|(?:if\s+(?:there\s+(?:is|are)\s+)?)?\bno)\s+"
    r"(?:(?:documented|known)\s+)?$",
    re.I,
)


def _cues(text: str) -> list[_Cue]:
    found = []
    both = [m.span() for m in _BOTH_SEXES.finditer(text)]
    for what, pattern in _CUES:
        for m in re.finditer(pattern, text, re.I):
            if what in {"male", "female"} and any(a <= m.start() < b for a, b in both):
                continue
            before = text[max(0, m.start() - 16) : m.start()].lower()
            # "except in patients with Gilbert's" names whom the limit after it is for (the
            # exception reading's); "Exception: If Gilbert's syndrome; then ≤ 5 × ULN" is a
            # condition like any "if"
            found.append(
                _Cue(m.start(), m.end(), what, re.search(r"\bexcept\b", before) is not None)
            )
    found.sort(key=lambda c: (c.start, -c.end))
    # "bone metastases" inside "liver or bone metastases" is the longer cue's
    found = [
        c
        for c in found
        if not any(
            o.start <= c.start
            and c.end <= o.end
            and o is not c
            and o.end - o.start > c.end - c.start
            for o in found
        )
    ]
    joined: list[_Cue] = []
    for cue in found:
        last = joined[-1] if joined else None
        if (
            last is not None
            and set(last.what.split("|")) <= _CONDITION_CUES
            and set(cue.what.split("|")) <= _CONDITION_CUES
            and not set(cue.what.split("|")) & set(last.what.split("|"))
            and not cue.negated
            and _CUE_OR.fullmatch(text, last.end, cue.start)
        ):
            joined[-1] = _Cue(last.start, cue.end, f"{last.what}|{cue.what}", last.negated)
            continue
        joined.append(cue)
    return joined


def _is_cue(what: str | None) -> TypeGuard[str]:
    """A condition or sex cue (``liver_metastases``, ``male``) or conditions joined by "or"."""
    return what is not None and (
        what in {"male", "female"} or set(what.split("|")) <= _CONDITION_CUES
    )


def _gap_ok(text: str, limit: int = 30) -> bool:
    return len(text) <= limit and not re.search(r"[\d;]|\.\s", text)


def _cue_rule(r: _Reader, cue: _Cue) -> Rule:
    if cue.what in {"male", "female"}:
        return r.draft(SexRule, cue.start, cue.end, sex=cue.what)
    conditions = [
        r.draft(
            ConditionRule,
            cue.start,
            cue.end,
            condition=what,
            current=what in _CURRENT_CUES,
        )
        for what in cue.what.split("|")
    ]
    if len(conditions) == 1:
        return conditions[0]
    return r.draft(AnyOfRule, cue.start, cue.end, rules=tuple(conditions))


# the people a condition cue is about: "in participants with liver metastases" (NCT06807619 I6.5,
# jwlieb/clinical-trial-agent data/demo @387df17), "for individuals with Gilbert syndrome"
_PERSONS = r"(?:patients|subjects|participants|individuals|persons|people|those)"
# "if patient has liver metastases ≤ 5.0 x ULN" (NCT04918186 I22), "or, if the subject has liver
# metastases, ≤ 5 times the ULN" (NCT03476681 I17.6; development records)
_HAS = r"(?:the\s+)?(?:patient|subject|participant)s?\s+(?:has|have)\s+"


# "AST/ALT ≤ 2.5 × ULN; if liver metastases, ≤ 5 × ULN": the condition written before the
# limit for the same tests (the cue is attached as when it follows the limit). Also a sentence
# of its own naming no test: "Total bilirubin ≤ 1.5 × ULN. For subjects with Gilbert's disease
# ≤ 3 × ULN" (NCT05168618 I16, NCT04868604 I12.3.4, NCT06224673 I14), and "unless": "≤ 2.5 ×
# ULN unless liver metastases are present, in which case they must be ≤ 5 × ULN" (NCT06145633
# I11, NCT04266730 E21.1, NCT04892953 I14), jwlieb/clinical-trial-agent data/demo @387df17 —
# "unless A, in which case B" is "if A then B, otherwise the first limit"
_CUE_BEFORE = re.compile(
    # "Bilirubin ≤ 1.5 times the institutional ULN. Exception: If Gilbert's syndrome; then ≤ 5
    # times ULN." (NCT04256018 I1.10.1, a development record of jwlieb/clinical-trial-agent
    # data/demo @387df17)
    r"[\s,;(.]*(?:or\s*,?\s+|exceptions?\s*:\s*)?(?:if|for|in|when|unless)\s+(?:"
    + _PERSONS
    + r"\s+with\s+|the\s+"
    r"presence\s+of\s+|(?:the\s+)?case\s+of\s+|associated\s+with\s+|" + _HAS + r")?"
    r"(?:(?:documented|known|confirmed)\s+)?",
    re.I,
)
# between the condition and the limit it allows: "if liver metastases, then ≤ 5 × ULN"
# (NCT06747845 I10.4), "…, in which case they must be ≤ 5 × ULN"
_CUE_THEN = re.compile(
    # a semicolon only before "then": "Exception: If Gilbert's syndrome; then ≤ 5 times ULN"
    r"\s*(?:[,:]|;(?=\s*then\b))?\s*(?:then\s+|in\s+which\s+case\s*,?\s*)?"
    # "…, then values must be ≤ 5 × ULN" (NCT05665361 I8.3)
    r"(?:(?:it|they|values?)\s+(?:must|should)\s+be\s+)?",
    re.I,
)


def _cue_between(text: str, cues: list[_Cue], start: int, end: int) -> bool:
    return any(
        start <= c.start
        and c.end <= end
        and not c.negated
        and _CUE_BEFORE.fullmatch(text, start, c.start)
        and _CUE_THEN.fullmatch(text, c.end, end)
        for c in cues
    )


def _attach_cue(
    r: _Reader,
    t: _Threshold,
    start: int,
    made: list[_Found],
    cues: list[_Cue],
    mentions: list[_Mention],
    used_cues: set[int],
) -> None:
    """Mark ``made`` with the condition cue that governs it (liver metastases, Gilbert's, sex),
    consuming the words that introduce it ("in patients with")."""
    text = r.text
    # a condition cue just before the analytes, or just after the threshold
    cue = next(
        (
            c
            for c in cues
            if id(c) not in used_cues
            and c.end <= start
            and not DENIED.search(text[max(0, c.start - 40) : c.start])
            and (_gap_ok(text[c.end : start], 40) or _CUE_THEN.fullmatch(text, c.end, start))
            and "," in text[c.end : start] + ","
            and not any(m.start >= c.end and m.end <= start for m in mentions)
        ),
        None,
    )
    if cue is None:
        cue = next(
            (
                c
                for c in cues
                if id(c) not in used_cues
                and c.start >= t.end
                and (_CUE_AFTER.fullmatch(text[t.end : c.start]) or _bracketed_sex(text, t.end, c))
                and not c.negated
            ),
            None,
        )
    if cue is not None:
        used_cues.add(id(cue))
        r.consume(cue.start, cue.end)
        close = _CLOSE.match(text, cue.end)
        cue_end = close.end() if close is not None and _bracketed_sex(text, t.end, cue) else cue.end
        r.consume(cue.end, cue_end)
        lead = _CUE_LEAD.search(text[max(0, cue.start - 60) : cue.start])
        if lead is not None and lead.group(0).strip():
            r.consume(max(0, cue.start - 60) + lead.start(), cue.start)
        if cue.start >= t.end:
            r.consume(t.end, cue.start)
        elif _CUE_THEN.fullmatch(text, cue.end, start):
            # the condition before the tests it allows: "unless there are liver metastases in
            # which case AST and ALT ≤ 5.0 x IULN" (NCT05187182 I8.5; development records)
            r.consume(cue.end, start)
        allowed = _ALLOWED.match(text, t.end)
        if cue.end <= t.start and allowed is not None:
            # "For participants with known Gilbert's Syndrome ≤ 3 × ULN is permitted"
            r.consume(t.end, allowed.end())
        for item in made:
            item.cue = cue.what
            item.start = min(item.start, cue.start)
            item.end = max(item.end, cue_end)


# a sex in brackets just after a limit: "> 470 msec (female subjects) or > 450 msec (male
# subjects)" (NCT05274048 E10), "≤ 450 msec (males) or ≤ 470 msec (females)" (NCT06575296 I29),
# "> 450 ms (for male) and > 470 ms (for female)" (NCT04390737 E14), jwlieb/clinical-trial-agent
# data/demo @387df17. Only a sex: a bracketed condition may be an example or a reason.
_OPEN = re.compile(r"\s*\(\s*(?:for\s+|in\s+)?", re.I)
_CLOSE = re.compile(r"\s*\)")


def _bracketed_sex(text: str, end: int, cue: _Cue) -> bool:
    return (
        cue.what in {"male", "female"}
        and cue.start >= end
        and _OPEN.fullmatch(text, end, cue.start) is not None
        and _CLOSE.match(text, cue.end) is not None
    )


# "(patients with known Gilbert's disease who have bilirubin level ≤ 3 x ULN may be enrolled)"
# (NCT05950464 I12, NCT06126276 I21, NCT06580314 I16, NCT06699602 I8, NCT07043608 I9.1;
# development records of jwlieb/clinical-trial-agent data/demo @387df17): the permission ends the
# limit the condition allows — only right after that one limit (a second test named before the
# permission, "… and direct bilirubin within normal limits are permitted", is of the branch too,
# which the reading does not hold: the words stay unread)
_ALLOWED = re.compile(
    r"\s*(?:(?:is|are)\s+(?:permitted|allowed|acceptable|eligible)|will\s+be\s+eligible|"
    r"(?:may|can)\s+be\s+(?:enrolled|eligible|included))\b",
    re.I,
)


# the words that introduce a condition cue: "except in patients with", "if", "for subjects with"
_CUE_LEAD = re.compile(
    # "unless there are liver metastases in which case …" (NCT05187182 I8.5)
    r"(?:(?:except|unless|but|if|when|for|in)\s+)?(?:there\s+(?:are|is)\s+)?(?:(?:in|for)\s+)?"
    r"(?:" + _PERSONS + r"\s+)?"
    r"(?:with\s+|who\s+have\s+|associated\s+with\s+|" + _HAS + r")?(?:(?:documented|known|"
    r"confirmed)\s+)?(?:the\s+presence\s+of\s+|(?:the\s+)?case\s+of\s+)?$",
    re.I,
)


# between a limit and the condition it applies under: "(< 5 × ULN in participants with liver
# metastases)" (NCT06807619 I6.5), "(5 × ULN allowed if liver metastases)" (NCT07288034 I14),
# "≤ 5 × ULN if associated with liver metastases"
_CUE_AFTER = re.compile(
    r"\s*(?:(?:is\s+|are\s+)?(?:allowed|permitted|acceptable)\s+)?(?:for|in|if|when|with)\s+"
    r"(?:" + _PERSONS + r"\s+with\s+|(?:the\s+)?presence\s+of\s+|(?:the\s+)?case\s+of\s+|"
    # "(≤ 5 × ULN if subject has liver metastases)" (NCT06440850 I15)
    r"associated\s+with\s+|" + _HAS + r")?"
    r"(?:(?:documented|known|confirmed)\s+)?",
    re.I,
)
