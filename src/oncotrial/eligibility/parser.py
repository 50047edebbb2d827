"""Reading criteria text into proposed rules, each tied to the span of text it came from.

The parser proposes; a person accepts or edits (the reviewed rules of the bundled seed protocols
are marked as such in their provenance). It reads what registry criteria commonly write —
"Neutrophils ≥ 1.5×10\\^9/L", "AST ≤ 2.5×ULN; ALT ≤ 2.5×ULN; if liver metastases present, ALT
and AST ≤ 5×ULN", "creatinine clearance \\> 50ml/min (Cockcroft-Gault formula)", "Age ≥ 18
years", "ECOG performance status of 0 or 1", "=\\< 1.5 x upper limit of normal", "1,500/mm\\^3" —
and flags what looks wrong instead of guessing: an ECOG list with a gap ("0 or 2") becomes a rule
for what is written plus a warning; a clearance or QTc without its formula gets the usual one
plus a warning; an item that also asks for a judgement ("uncontrolled", "as judged by the
investigator") says that the rules cover only its numbers.

What it does not read stays as text: the coverage report (``oncotrial.eligibility.coverage``)
lists every number the rules do not account for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeVar, get_args

from pydantic import BaseModel

from oncotrial.eligibility.analytes import ANALYTES, DERIVED, Scale
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.rules import (
    AgeRule,
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
    Bound,
    Comparator,
    ConditionalRule,
    ConditionRule,
    DerivedRule,
    DiagnosisRule,
    JudgementRule,
    LabResultRule,
    LabRule,
    LesionRule,
    MedicationRule,
    NotRule,
    PerformanceStatusRule,
    ProcedureRule,
    RegimenRule,
    Rule,
    SexRule,
    Span,
    StageRule,
    TumourSizeRule,
    Window,
    children,
    describe_rule,
)
from oncotrial.eligibility.text import NormalisedText, normalise_text
from oncotrial.eligibility.units import parse_unit
from oncotrial.errors import DictionaryError

__all__ = [
    "CriterionReading",
    "NumberInText",
    "numbers_in",
    "propose_rules",
    "read_criterion",
    "read_eligibility",
]


R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class NumberInText:
    """A number written in a criterion, and whether a proposed rule accounts for it."""

    text: str
    start: int
    end: int
    understood: bool


@dataclass(frozen=True)
class CriterionReading:
    """A criterion with the rules the parser proposes, its warnings and its numbers."""

    criterion: Criterion
    warnings: tuple[str, ...]
    numbers: tuple[NumberInText, ...]

    @property
    def not_understood(self) -> tuple[NumberInText, ...]:
        return tuple(n for n in self.numbers if not n.understood)


# ---------------------------------------------------------------- building blocks

_NUM = r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?"
_WORD_COMPARATORS = {
    "greater than or equal to": Comparator.GE,
    "less than or equal to": Comparator.LE,
    "at least": Comparator.GE,
    "no less than": Comparator.GE,
    "not less than": Comparator.GE,
    "no more than": Comparator.LE,
    "not more than": Comparator.LE,
    "no greater than": Comparator.LE,
    "not exceeding": Comparator.LE,
    "up to": Comparator.LE,
    "more than": Comparator.GT,
    "greater than": Comparator.GT,
    "above": Comparator.GT,
    "exceeding": Comparator.GT,
    "less than": Comparator.LT,
    "below": Comparator.LT,
}
_SYMBOLS = {"≥": Comparator.GE, "≤": Comparator.LE, ">": Comparator.GT, "<": Comparator.LT}
_COMP = (
    r"(?P<comp>[≥≤<>]|"
    + "|".join(re.escape(w) for w in sorted(_WORD_COMPARATORS, key=len, reverse=True))
    + r")"
)


def _limit(name: str) -> str:
    return (
        r"(?:[×x*]\s*|times\s+)?(?:the\s+)?(?:institutional\s+)?"
        rf"(?P<{name}>ULN|LLN|upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s*(?:range\s*)?\(ULN\))?|"
        r"lower\s+limits?\s+of\s+(?:the\s+)?normal(?:\s*\(LLN\))?)"
    )


_THRESHOLD = re.compile(
    _COMP
    + r"(?:\s*to(?=\s*\d))?\s*(?:"
    + r"(?P<ordinal>[1-4]\+|trace|negative)(?![\w+])"
    + r"|(?:(?P<num>"
    + _NUM
    + r")\s*(?:"
    + _limit("limit")
    + r"|(?P<scale>[×x*]\s*10\s*(?:\^\s*\d+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[eE]\d+|(?:9|12|3|6)(?=\s*/)))?\s*"
    + r"(?P<unit>(?:per\s+|cells\s*/\s*|/\s+)?[^\s,;()]+)?))"
    + r"|"
    + _limit("bare_limit")
    + r")",
    re.IGNORECASE,
)
# a number, not part of a name ("PD-1", "CTLA-4", "22C3", "T1N0M0", "v5.0")
_NUMBER = re.compile(r"(?<![\w.,])(?<![A-Za-z]-)(?:" + _NUM + r")(?![\w])")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _comparator(text: str) -> Comparator:
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    return _WORD_COMPARATORS[re.sub(r"\s+", " ", text.lower())]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@dataclass(frozen=True)
class _Threshold:
    start: int
    end: int
    comparator: Comparator
    value: float | None = None
    unit: str | None = None
    relative_to: str | None = None
    ordinal: str | None = None
    unit_problem: str | None = None


def _thresholds(text: str) -> list[_Threshold]:
    found = []
    for m in _THRESHOLD.finditer(text):
        comparator = _comparator(m.group("comp"))
        if m.group("ordinal"):
            found.append(_Threshold(m.start(), m.end(), comparator, ordinal=m.group("ordinal")))
            continue
        limit = m.group("limit") or m.group("bare_limit")
        value = _number(m.group("num")) if m.group("num") else 1.0
        if limit:
            relative = "LLN" if limit.upper().startswith(("LLN", "LOWER")) else "ULN"
            found.append(_Threshold(m.start(), m.end(), comparator, value, relative_to=relative))
            continue
        unit_text = m.group("unit")
        scale = m.group("scale")
        end = m.end()
        unit, problem = None, None
        if unit_text or scale:
            candidate = (scale or "") + (unit_text or "")
            unit, used = _read_unit(candidate)
            if unit is None:
                problem = candidate
                end = m.start("unit") if unit_text else m.end()
            else:
                end = (m.start("scale") if scale else m.start("unit")) + used
        found.append(_Threshold(m.start(), end, comparator, value, unit=unit, unit_problem=problem))
    return found


def _read_unit(candidate: str) -> tuple[str | None, int]:
    """``candidate`` as an accepted unit (trailing '.' or ':' dropped), and its length."""
    piece = candidate.rstrip(".:")
    if not piece:
        return None, 0
    try:
        return parse_unit(piece).spelling, len(piece)
    except DictionaryError:
        return None, 0


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    key: str
    derived: bool


def _synonym_pattern(name: str) -> re.Pattern[str]:
    escaped = re.escape(name).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?")
    flags = 0 if (len(name) <= 4 or name.isupper()) else re.IGNORECASE
    return re.compile(r"(?<![A-Za-z0-9])" + escaped + r"(?![A-Za-z0-9])", flags)


_SYNONYMS: list[tuple[re.Pattern[str], str, bool]] = sorted(
    [(_synonym_pattern(s), a.key, False) for a in ANALYTES.values() for s in a.synonyms]
    + [(_synonym_pattern(s), d.key, True) for d in DERIVED.values() for s in d.synonyms],
    key=lambda item: -len(item[0].pattern),
)


def _mentions(text: str) -> list[_Mention]:
    taken: list[tuple[int, int]] = []
    found: list[_Mention] = []
    for pattern, key, derived in _SYNONYMS:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(_Mention(m.start(), m.end(), key, derived))
    return sorted((_corrected(text, f) for f in found), key=lambda x: x.start)


def _corrected(text: str, mention: _Mention) -> _Mention:
    """'QT interval … using Fridericia's formula (QTcF)' is QTcF, not the uncorrected QT."""
    if mention.key not in {"qt", "qtc"}:
        return mention
    near = text[mention.start : mention.end + 80]
    fridericia = re.search(r"Fridericia|QTcF", near, re.I)
    bazett = re.search(r"Bazett|QTcB", near, re.I)
    if fridericia and not bazett:
        return _Mention(mention.start, mention.end, "qtc", True)
    if bazett and not fridericia:
        return _Mention(mention.start, mention.end, "qtcb", True)
    if mention.key == "qt" and re.search(
        r"\bcorrect|\bQTc\b", text[max(0, mention.start - 30) : mention.end + 80], re.I
    ):
        # corrected, but by which formula the text does not say: not read as uncorrected QT
        return _Mention(mention.start, mention.end, "qtc", True)
    return mention


# ---------------------------------------------------------------- the reading of one item


@dataclass
class _Found:
    """A proposed rule with the normalised-text span it covers."""

    start: int
    end: int
    rule: Rule
    analyte: str | None = None
    cue: str | None = None


@dataclass
class _Reader:
    criterion: Criterion
    nt: NormalisedText
    carried_window: Window | None = None
    found: list[_Found] = field(default_factory=list)
    consumed: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.nt.text

    @property
    def exclusion(self) -> bool:
        return self.criterion.kind is CriterionKind.EXCLUSION

    def span(self, start: int, end: int) -> Span:
        a, b = self.nt.span(start, end)
        return Span(start=a, end=b, text=self.nt.original[a:b])

    def add(self, start: int, end: int, rule: Rule, **extra: Any) -> _Found:
        found = _Found(start, end, rule, **extra)
        self.found.append(found)
        self.consume(start, end)
        return found

    def consume(self, start: int, end: int) -> None:
        self.consumed.append((start, end))

    def draft(self, cls: type[R], start: int, end: int, **fields: Any) -> R:
        kind = get_args(cls.model_fields["kind"].annotation)[0]
        return cls(
            kind=kind, id="draft", description="draft", source=self.span(start, end), **fields
        )

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.criterion.id}: {message}")


def _sentence_window(r: _Reader, start: int) -> Window | None:
    """'within 14 days' (or weeks, months) in the sentence around ``start``."""
    text = r.text
    sentence_start = max(text.rfind(". ", 0, start), text.rfind(";", 0, start)) + 1
    stop = [i for i in (text.find(". ", start), text.find(";", start)) if i >= 0]
    sentence = text[sentence_start : min(stop) if stop else len(text)]
    m = re.search(_WINDOW, sentence, re.I)
    if not m:
        return None
    r.consume(sentence_start + m.start(), sentence_start + m.end())
    return _window(m)


_WINDOW = r"within\s+(?:the\s+)?(?:last\s+|past\s+)?(?P<n>\d+)\s+(?P<unit>day|week|month|year)s?"


def _window(m: re.Match[str]) -> Window:
    return _window_of(m.group("n"), m.group("unit"))


def _window_of(number: str, unit: str) -> Window:
    return Window.model_validate({"value": int(number), "unit": unit.lower() + "s"})


# ---- demographics, performance status


def _read_age(r: _Reader) -> None:
    patterns = (
        r"\b(?:age[ds]?\b[^.;0-9]{0,20}?)?(?:between\s*)?(?P<lo>1[6-9]|[2-9]\d)\s*(?:years?\s*)?"
        r"(?:-|to)\s*(?P<hi>\d{2,3})\s*years?\s*(?:of\s+age|old)",
        r"\b(?:age[ds]?\b[^.;0-9]{0,20}?)?between\s*(?P<lo>\d+)\s*(?:years?\s*)?(?:and|-|to)\s*"
        r"(?P<hi>\d+)\s*years?(?:\s*(?:of\s+age|old))?(?:\s*\(inclusive\))?",
        r"\bage[ds]?\b\s*(?:of\s*)?(?P<lo>\d+)\s*(?:-|to)\s*(?P<hi>\d+)\s*years?",
        r"\bage[ds]?\b[^.;0-9]{0,25}?" + _COMP + r"\s*(?:to\s+)?(?P<n>\d+)\s*(?:years?)?",
        _COMP + r"\s*(?:to\s+)?(?P<n>\d+)\s*years?\s*(?:of\s+age|old)",
        r"\b(?:patients?|participants?|subjects?|adults?)\s*(?:aged\s*)?"
        + _COMP
        + r"\s*(?P<n>\d+)\s*years?\b",
        r"(?P<n2>\d+)\s*years?\s*(?:of\s+age\s*|old\s*)?(?:or|and)\s+(?:older|over|above)",
    )
    at_consent = re.search(r"informed consent|\bICF\b|consent", r.text, re.I) is not None
    for pattern in patterns:
        for m in re.finditer(pattern, r.text, re.I):
            if any(
                f.start < m.end() and m.start() < f.end for f in r.found if f.rule.kind == "age"
            ):
                continue  # "Age 18-25 years old" matches two phrasings: one reading
            if m.groupdict().get("lo"):
                for comparator, value in (
                    (Comparator.GE, m.group("lo")),
                    (Comparator.LE, m.group("hi")),
                ):
                    r.add(
                        m.start(),
                        m.end(),
                        r.draft(
                            AgeRule, m.start(), m.end(), comparator=comparator, value=float(value)
                        ),
                    )
                continue
            value = m.groupdict().get("n") or m.groupdict().get("n2")
            assert value is not None
            comp = m.groupdict().get("comp")
            comparator = _comparator(comp) if comp else Comparator.GE
            rule = r.draft(AgeRule, m.start(), m.end(), comparator=comparator, value=float(value))
            r.add(m.start(), m.end(), rule)
            if not at_consent:
                r.warn("the age limit does not say when it applies; read as age at consent")
            return


def _read_sex(r: _Reader) -> None:
    m = re.search(r"\b(female|male)\s+(?:patients|participants|subjects)\s+only\b", r.text, re.I)
    if m:
        r.add(m.start(), m.end(), r.draft(SexRule, m.start(), m.end(), sex=m.group(1).lower()))


def _read_performance(r: _Reader) -> None:
    # Zubrod and WHO performance status are the ECOG scale (Oken et al. 1982: the ECOG scale is
    # also called the Zubrod score, and WHO adopted it)
    for m in re.finditer(
        r"\bECOG\b|Eastern Cooperative Oncology Group|\bZubrod\b|\bWHO\b(?=\s*(?:PS|perf))",
        r.text,
    ):
        if any(f.start <= m.start() < f.end for f in r.found):
            continue  # "Eastern Cooperative Oncology Group (ECOG)": one mention
        tail_end = min(len(r.text), m.end() + 90)
        stop = re.search(r"[.;]\s|\bLife expectancy\b|\bKarnofsky\b", r.text[m.end() : tail_end])
        tail = r.text[m.end() : m.end() + stop.start() if stop else tail_end]
        scores = None
        for pattern in (
            r"(?P<lo>[0-5])\s*(?:-|~|to)\s*(?P<hi>[0-5])(?!\d)",
            r"(?P<list>[0-5](?:\s*,\s*[0-5])*\s*(?:,\s*)?(?:or|and)\s*[0-5])(?!\d)",
            r"(?P<comp>[≤<]|less\s+than\s+or\s+equal\s+to|less\s+than|no\s+more\s+than|"
            r"not\s+more\s+than|no\s+greater\s+than)\s*(?P<max>[0-5])(?![\d.])",
            r"(?:PS|status|score)\s*(?:of\s*|:\s*)?(?P<one>[0-5])(?![\d.])",
        ):
            scores = re.search(pattern, tail)
            if scores:
                break
        if not scores:
            continue
        start, end = m.start(), m.end() + scores.end()
        groups = scores.groupdict()
        if groups.get("lo"):
            allowed = tuple(range(int(scores.group("lo")), int(scores.group("hi")) + 1))
        elif groups.get("list"):
            allowed = tuple(sorted({int(x) for x in re.findall(r"[0-5]", scores.group("list"))}))
        elif groups.get("comp"):
            strict = scores.group("comp") == "<" or scores.group("comp").lower() == "less than"
            top = int(scores.group("max")) - (1 if strict else 0)
            allowed = tuple(range(top + 1))
        else:
            allowed = (int(scores.group("one")),)
        note = None
        if allowed != tuple(range(allowed[0], allowed[-1] + 1)):
            written = r.text[m.end() + scores.start() : m.end() + scores.end()]
            likely = f"{allowed[0]}–{allowed[-1]}"
            note = (
                f"the text says '{written.strip()}': a list with a gap is unusual for "
                f"performance status (likely {likely}); the rule keeps what is written — "
                "confirm with the protocol"
            )
            r.warn(f"ECOG: {note}")
        rule = r.draft(PerformanceStatusRule, start, end, scale="ECOG", allowed=allowed, note=note)
        r.add(start, end, rule)
    for m in re.finditer(
        r"\b(?:Karnofsky|KPS)\b[^.;0-9]{0,40}?(?P<comp>[≥>])\s*(?P<n>\d{2,3})\s*%?", r.text
    ):
        low = int(m.group("n")) + (1 if m.group("comp") == ">" else 0)
        allowed = tuple(v for v in range(0, 101, 10) if v >= low)
        r.add(
            m.start(),
            m.end(),
            r.draft(PerformanceStatusRule, m.start(), m.end(), scale="Karnofsky", allowed=allowed),
        )


# ---- labs and derived values


_CUES: tuple[tuple[str, str], ...] = (
    (
        "liver_metastases",
        r"(?:liver|hepatic)\s+metastas[ie]s(?:\s+(?:are\s+|is\s+)?present)?"
        r"|liver\s+involvement",
    ),
    ("gilbert_syndrome", r"Gilbert(?:'s|’s|s)?(?:\s+(?:syndrome|disease))?"),
    ("male", r"\b(?:males?|men)\b"),
    ("female", r"\b(?:females?|women)\b"),
)


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    what: str
    negated: bool


def _cues(text: str) -> list[_Cue]:
    found = []
    for what, pattern in _CUES:
        for m in re.finditer(pattern, text, re.I):
            before = text[max(0, m.start() - 16) : m.start()].lower()
            found.append(_Cue(m.start(), m.end(), what, "except" in before))
    return sorted(found, key=lambda c: c.start)


def _gap_ok(text: str, limit: int = 30) -> bool:
    return len(text) <= limit and not re.search(r"[\d;]|\.\s", text)


def _cue_rule(r: _Reader, cue: _Cue) -> Rule:
    if cue.what in {"male", "female"}:
        return r.draft(SexRule, cue.start, cue.end, sex=cue.what)
    return r.draft(
        ConditionRule,
        cue.start,
        cue.end,
        condition=cue.what,
        current=cue.what == "liver_metastases",
    )


def _groups(text: str, mentions: list[_Mention]) -> list[list[_Mention]]:
    groups: list[list[_Mention]] = []
    for mention in mentions:
        if groups:
            between = text[groups[-1][-1].end : mention.start]
            if re.fullmatch(r"[\s(),/&]*(?:(?:and|or|and/or)[\s(),/&]*)?", between, re.I):
                groups[-1].append(mention)
                continue
        groups.append([mention])
    return groups


def _lab_rule(
    r: _Reader, mention: _Mention, t: _Threshold, start: int, window: Window | None
) -> Rule | None:
    if mention.derived:
        quantity = DERIVED[mention.key]
        if t.value is None or t.unit is None:
            return None
        return r.draft(
            DerivedRule,
            start,
            t.end,
            quantity=quantity.key,
            comparator=t.comparator,
            value=t.value,
            unit=t.unit,
            within=window if quantity.key == "creatinine_clearance" else None,
        )
    item = ANALYTES[mention.key]
    if item.scale is not Scale.QUANTITATIVE:
        if t.ordinal is None:
            return None
        result = {"negative": "negative", "trace": "trace"}.get(t.ordinal.lower(), t.ordinal)
        return r.draft(
            LabResultRule,
            start,
            t.end,
            analyte=item.key,
            comparator=t.comparator,
            result=result,
            within=window,
        )
    if t.value is None:
        return None
    unit = t.unit
    if unit is not None and item.key == "urine_protein_24h" and unit in {"g", "mg"}:
        unit = f"{unit}/24h"  # "24-hour urine protein < 1 g": grams per 24 hours
    if t.relative_to is None and unit is None and item.unit == "{ratio}":
        unit = "{ratio}"  # "INR ≤ 1.5": a ratio has no unit to write
    if t.relative_to is None and unit is None:
        return None
    try:
        return r.draft(
            LabRule,
            start,
            t.end,
            analyte=item.key,
            comparator=t.comparator,
            value=t.value,
            unit=unit,
            relative_to=t.relative_to,
            within=window,
        )
    except ValueError:
        r.warn(f"{item.name}: the unit {unit} does not fit this test; not read")
        return None


def _read_labs(r: _Reader) -> None:
    text = r.text
    mentions = _mentions(text)
    thresholds = _thresholds(text)
    cues = _cues(text)
    window = r.carried_window or _lab_window(text)
    groups = _groups(text, mentions)
    used_cues: set[int] = set()
    last: _Found | None = None
    last_keys: list[_Mention] = []
    pending_alternative: _Found | None = None
    for t in thresholds:
        start = -1
        group = next(
            (
                g
                for g in reversed(groups)
                if g[-1].end <= t.start
                and _gap_ok(text[g[-1].end : t.start])
                and not any(m.start >= g[-1].end and m.end <= t.start for m in mentions)
            ),
            None,
        )
        between_last = text[last.end : t.start] if last else ""
        qualifier = _redundant_qualifier(r, text, t, group, mentions)
        if qualifier is not None:
            # "creatinine ≤ 1.5 × ULN or CrCl ≥ 50 for patients with creatinine > 1.5 × ULN":
            # A or (not A and B) is A or B; the qualifier only restates the first branch
            r.consume(qualifier, t.end)
            if last is not None and last.rule.kind in {"lab", "lab_result"}:
                pending_alternative = last
            continue
        exception = (
            _EXCEPTION.fullmatch(between_last) if group is None and last is not None else None
        )
        exception_cue: _Cue | None = None
        if exception is not None and last is not None:
            # "bilirubin ≤ 2.0 mg/dL, except in patients with Gilbert's syndrome, who must have
            # ≤ 3.0 mg/dL": the same tests, another limit, under the cue
            exception_cue = next(
                (c for c in cues if last.end <= c.start and c.end <= t.start), None
            )
        if exception_cue is not None:
            group = list(last_keys)
            start = t.start
        elif (
            group is None
            and last is not None
            and re.fullmatch(r"[\s,;(]*(?:or|and)?\s*", between_last, re.I)
            and last_keys
        ):
            # "AST/ALT ≤ 2.5 × ULN, or ≤ 5 × ULN in patients with liver metastases": the tests of
            # the limit before, all of them
            group = list(last_keys)
            start = t.start
        elif (
            group is None and last is not None and re.fullmatch(r"[\s,;]*if\s*", between_last, re.I)
        ):
            # "Serum creatinine ≤ 1.5 × ULN; if > 1.5 × ULN, …": the next rule is the alternative
            r.consume(t.start, t.end)
            if last.rule.kind == "lab" or last.rule.kind == "lab_result":
                pending_alternative = last
            continue
        if (
            group is None
            and last is not None
            and last.analyte is not None
            and re.fullmatch(
                r"[\s,]*(?:for\s+)?(?:males?|men|females?|women)?[\s,]*(?:or|and)\s*",
                between_last,
                re.I,
            )
        ):
            group = [m for m in mentions if m.key == last.analyte][
                -1:
            ]  # "… or ≥ 470 ms for females"
            if not group:
                continue
            start = t.start
        elif exception_cue is not None or (group is not None and start == t.start):
            pass
        else:
            if group is None:
                continue
            start = group[0].start
        if group is None:
            continue
        keys: list[_Mention] = []
        for mention in group:
            if mention.key not in {k.key for k in keys}:
                keys.append(mention)
        made: list[_Found] = []
        for mention in keys:
            rule = _lab_rule(r, mention, t, start, window)
            if rule is None:
                if t.unit_problem and not re.match(
                    r"(?i)(?:day|week|month|year)s?$", t.unit_problem
                ):
                    r.warn(
                        f"unit {t.unit_problem!r} after {text[mention.start : mention.end]} is "
                        "not a unit oncotrial knows; not read"
                    )
                continue
            made.append(r.add(start, t.end, rule, analyte=mention.key))
        if not made:
            continue
        r.consume(min(group[0].start, start) if group else t.start, t.end)
        restated = _restatement(text, t, made)
        if restated is not None:
            # "ANC ≥ 1.5 × 10^9/L (1500/µL)": the same limit in another unit
            r.consume(t.end, restated)
            for item in made:
                item.end = max(item.end, restated)
        if exception_cue is not None:
            used_cues.add(id(exception_cue))
            r.consume(last.end if last else t.start, t.start)
            for item in made:
                item.cue = exception_cue.what
                item.start = min(item.start, exception_cue.start)
            last = made[-1]
            last_keys = keys
            continue
        if (
            last is not None
            and pending_alternative is None
            and re.fullmatch(r"[\s,;]*or\s*(?:an?\s+|the\s+)?", text[last.end : start], re.I)
            and last.rule.kind in {"lab", "derived", "any_of"}
            and last.cue is None
            and not any(m.key == last.analyte for m in keys)
        ):
            # "creatinine ≤ 1.5 × ULN or CrCl ≥ 50 mL/min": alternatives, never both required
            r.consume(last.end, start)
            pending_alternative = last
        # a condition cue just before the analytes, or just after the threshold
        cue = next(
            (
                c
                for c in cues
                if id(c) not in used_cues
                and c.end <= start
                and _gap_ok(text[c.end : start], 40)
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
                    and re.fullmatch(
                        r"\s*(?:for|in|if|when|with)\s+(?:patients\s+with\s+|"
                        r"subjects\s+with\s+|the\s+presence\s+of\s+)?",
                        text[t.end : c.start],
                        re.I,
                    )
                    and not c.negated
                ),
                None,
            )
        if cue is not None:
            used_cues.add(id(cue))
            r.consume(cue.start, cue.end)
            lead = _CUE_LEAD.search(text[max(0, cue.start - 60) : cue.start])
            if lead is not None and lead.group(0).strip():
                r.consume(max(0, cue.start - 60) + lead.start(), cue.start)
            if cue.start >= t.end:
                r.consume(t.end, cue.start)
            for item in made:
                item.cue = cue.what
                item.start = min(item.start, cue.start)
                item.end = max(item.end, cue.end)
        if pending_alternative is not None:
            for item in made:
                item.cue = f"alternative:{id(pending_alternative)}"
            pending_alternative = None
        last = made[-1]
        last_keys = keys
    _assemble_conditions(r)


_RESTATED = re.compile(
    r"\s*\(\s*(?:=\s*)?(?P<num>" + _NUM + r")\s*(?P<unit>[^\s()]+(?:\s*/\s*[^\s()]+)?)\s*\)"
)


def _restatement(text: str, t: _Threshold, made: list[_Found]) -> int | None:
    """Where a parenthesised restatement of the limit just read ends, if it is one.

    Only when the number in the other unit converts to the same limit (1e-6 relative): "Hb ≥ 90
    g/L (9 g/dL)" is restated; "(≥ 5 × ULN for …)" or "(75,000/µL)" after a different number is
    not.
    """
    from oncotrial.eligibility.units import conversion_factor

    m = _RESTATED.match(text, t.end)
    if m is None or t.value is None or t.unit is None:
        return None
    unit, _ = _read_unit(m.group("unit"))
    if unit is None:
        return None
    for item in made:
        rule = item.rule
        if not isinstance(rule, LabRule) or rule.unit is None:
            return None
        molar = ANALYTES[rule.analyte].molar_mass
        try:
            value = _number(m.group("num")) * conversion_factor(unit, rule.unit, molar)
        except Exception:  # units that do not convert: not a restatement
            return None
        if abs(value - rule.value) > 1e-6 * max(abs(value), abs(rule.value)):
            return None
    return m.end()


_EXCEPTION = re.compile(
    r"[\s,;(]*(?:except|unless|but)\s+(?:(?:in|for)\s+)?(?:(?:patients|subjects|participants|"
    r"those)\s+)?(?:with\s+|who\s+have\s+)?(?:(?:documented|known|confirmed)\s+)?"
    r"[A-Za-z'’\s-]{3,40}?[\s,]*(?:(?:who|which|where)\s+(?:must|should|may|can)\s+"
    r"(?:have|be)\s*|in\s+whom\s*|then\s*|:\s*|,\s*)?(?:(?:total\s+)?(?:bilirubin|it)\s*)?",
    re.I,
)
# the words that introduce a condition cue: "except in patients with", "if", "for subjects with"
_CUE_LEAD = re.compile(
    r"(?:(?:except|unless|but|if|when|for|in)\s+)?(?:(?:in|for)\s+)?(?:(?:patients|subjects|"
    r"participants|those)\s+)?(?:with\s+|who\s+have\s+)?(?:(?:documented|known|confirmed)"
    r"\s+)?(?:the\s+presence\s+of\s+)?$",
    re.I,
)
_QUALIFIER = re.compile(
    r"(?:(?:for|in)\s+(?:patients|subjects|participants|those)\s+(?:with|who\s+have)\s+|"
    r"\bif\s+)(?:an?\s+|the\s+)?(?:serum\s+)?$",
    re.I,
)


def _redundant_qualifier(
    r: _Reader,
    text: str,
    t: _Threshold,
    group: list[_Mention] | None,
    mentions: list[_Mention],
) -> int | None:
    """Where "for patients with creatinine > 1.5 × ULN" starts, if it negates an earlier rule.

    The qualifier names the same test and the opposite limit of a rule already read, so it only
    says when the alternative applies.
    """
    if group is None or len(group) != 1 or t.value is None:
        return None
    mention = group[0]
    lead = _QUALIFIER.search(text[max(0, mention.start - 60) : mention.start])
    if lead is None:
        return None
    for found in r.found:
        rule = found.rule
        if (
            isinstance(rule, LabRule)
            and rule.analyte == mention.key
            and rule.value == t.value
            and rule.relative_to == t.relative_to
            and rule.unit == t.unit
            and rule.comparator.negated is t.comparator
        ):
            return max(0, mention.start - 60) + lead.start()
    return None


def _lab_window(text: str) -> Window | None:
    m = re.search(r"laborator(?:y|ies)[^.;:]{0,40}?" + _WINDOW, text, re.I)
    return _window(m) if m else None


def _assemble_conditions(r: _Reader) -> None:
    """Turn cue-marked lab rules into conditionals and alternatives into any-of rules."""
    result: list[_Found] = []
    for item in r.found:
        if item.cue and item.cue.startswith("alternative:"):
            target = next((f for f in result if f"alternative:{id(f)}" == item.cue), None)
            if target is None:
                target = next((f for f in reversed(result) if f.analyte and f.cue is None), None)
            if target is not None:
                rule = r.draft(
                    AnyOfRule,
                    min(target.start, item.start),
                    item.end,
                    rules=(target.rule, item.rule),
                )
                result[result.index(target)] = _Found(
                    min(target.start, item.start), item.end, rule, target.analyte
                )
                continue
        if item.cue in {"liver_metastases", "gilbert_syndrome", "male", "female"}:
            cue_span = next(
                (
                    c
                    for c in _cues(r.text)
                    if c.what == item.cue and item.start <= c.start < item.end
                ),
                None,
            )
            when_start, when_end = (
                (cue_span.start, cue_span.end) if cue_span else (item.start, item.end)
            )
            when = _cue_rule(r, _Cue(when_start, when_end, item.cue, False))
            base = next(
                (
                    f
                    for f in result
                    if f.analyte == item.analyte
                    and f.cue is None
                    and f.rule.kind in {"lab", "lab_result", "derived"}
                ),
                None,
            )
            sibling = next(
                (
                    f
                    for f in result
                    if f.analyte == item.analyte
                    and f.cue in {"male", "female"}
                    and item.cue in {"male", "female"}
                    and f.cue != item.cue
                    and isinstance(f.rule, ConditionalRule)
                    and f.rule.otherwise is None
                ),
                None,
            )
            conditional: Rule
            if sibling is not None:
                assert isinstance(sibling.rule, ConditionalRule)
                conditional = r.draft(
                    ConditionalRule,
                    min(sibling.start, item.start),
                    item.end,
                    when=sibling.rule.when,
                    then=sibling.rule.then,
                    otherwise=item.rule,
                )
                result[result.index(sibling)] = _Found(
                    min(sibling.start, item.start), item.end, conditional, item.analyte, "done"
                )
                continue
            if base is not None:
                conditional = r.draft(
                    ConditionalRule,
                    min(base.start, item.start),
                    max(base.end, item.end),
                    when=when,
                    then=item.rule,
                    otherwise=base.rule,
                )
                result[result.index(base)] = _Found(
                    min(base.start, item.start),
                    max(base.end, item.end),
                    conditional,
                    item.analyte,
                    "done",
                )
                continue
            conditional = r.draft(ConditionalRule, item.start, item.end, when=when, then=item.rule)
            result.append(_Found(item.start, item.end, conditional, item.analyte, item.cue))
            continue
        result.append(item)
    r.found[:] = result
    for item in r.found:
        for sub in [item.rule, *children(item.rule)]:
            if isinstance(sub, DerivedRule):
                _check_method(r, sub)


def _check_method(r: _Reader, rule: DerivedRule) -> None:
    named = {
        "creatinine_clearance": r"Cockcroft",
        "qtc": r"Fridericia|QTcF",
        "qtcb": r"Bazett|QTcB",
        "bmi": r".",
    }[rule.quantity]
    if not re.search(named, r.text, re.I):
        method = DERIVED[rule.quantity].method
        r.warn(
            f"{DERIVED[rule.quantity].name.split(' (')[0]}: the text names no formula; "
            f"{method} is assumed — confirm"
        )


# ---- diagnosis, stage, size, biomarkers


def _read_diagnosis(r: _Reader) -> None:
    text = r.text
    m = re.search(
        r"(?P<how>(?:histologically|cytologically|pathologically)"
        r"(?:\s*(?:or|and/or|and|,)\s*(?:histologically|cytologically|pathologically))?)"
        r"\s+(?:confirmed|documented|proven)",
        text,
        re.I,
    )
    cancer = re.search(r"non[-\s]?small[-\s]cell lung (?:cancer|carcinoma)|\bNSCLC\b", text, re.I)
    if not (m and cancer):
        return
    how = m.group("how").lower()
    confirmed = tuple(x for x in ("histology", "cytology") if x[:5] in how)
    start, end = m.start(), max(m.end(), cancer.end())
    r.add(start, end, r.draft(DiagnosisRule, start, end, condition="nsclc", confirmed_by=confirmed))
    advanced = re.search(
        r"\b(?:advanced|metastatic|recurrent|unresectable)\b", text[: cancer.end()], re.I
    )
    if advanced:
        what = (
            f"disease is {advanced.group(0).lower()} (no stage is stated: the investigator "
            "confirms)"
        )
        r.add(advanced.start(), cancer.end(), _judgement(r, advanced.start(), cancer.end(), what))


def _judgement(r: _Reader, start: int, end: int, what: str) -> Rule:
    rule = JudgementRule(kind="judgement", id="draft", description=what, source=r.span(start, end))
    return rule


def _read_stage(r: _Reader) -> None:
    text = r.text
    groups: list[str] = []
    start = end = None
    for m in re.finditer(
        r"\bstage\s+(?P<list>(?:(?:IV|I{1,3})[ABC]?\d?)"
        r"(?:\s*(?:,|or|and|/)?\s*(?:IV|I{1,3})[ABC]?\d?(?![\w]))*)(?![\w])",
        text,
        re.I,
    ):
        groups += [g.upper() for g in re.findall(r"(?:IV|I{1,3})[ABC]?\d?", m.group("list"), re.I)]
        start = m.start() if start is None else start
        end = m.end()
    tnm = re.search(r"\b(?P<t>T[0-4](?:[a-c]|is|mi)?)(?P<n>N[0-3][a-c]?)(?P<m>M[01][a-c]?)\b", text)
    edition = re.search(
        r"(?P<ed>\d+)(?:st|nd|rd|th)\s+edition\s+of\s+(?:the\s+)?(?:AJCC|American Joint Committee)"
        r"|(?:AJCC|American Joint Committee on Cancer)[^.;]{0,40}?(?P<ed2>\d+)(?:st|nd|rd|th)"
        r"\s+edition",
        text,
        re.I,
    )
    partial = re.search(r"\bT[0-4](?:-[0-4])?N[0-3](?!M)", text)
    if partial and not tnm:
        r.warn(f"the TNM qualifier '{partial.group(0)}' is not read (no M category)")
    if not groups and not tnm:
        return
    if not (tnm or re.search(r"lung\s+cancer|NSCLC|non-small", text, re.I)):
        return  # a stage of something else ("stage I malignancies" of a second cancer)
    spans = [
        (a, b)
        for a, b in ((start, end), (tnm.start(), tnm.end()) if tnm else (None, None))
        if a is not None and b is not None
    ]
    if edition:
        spans.append((edition.start(), edition.end()))
    a, b = min(s[0] for s in spans), max(s[1] for s in spans)
    fields: dict[str, Any] = {"groups": tuple(dict.fromkeys(groups))}
    if tnm:
        fields.update(t=(tnm.group("t"),), n=(tnm.group("n"),), m=(tnm.group("m"),))
    if edition:
        fields["editions"] = (int(edition.group("ed") or edition.group("ed2")),)
    rule = r.draft(StageRule, a, b, **fields)
    r.add(a, b, rule)
    for s in spans:
        r.consume(*s)


def _read_tumour_size(r: _Reader) -> None:
    m = re.search(
        r"(?:tumou?r\s+(?:size|diameter)|diameter|lesion\s+size)[^.;0-9]{0,12}?"
        r"(?P<c1>[<>≤≥])\s*(?P<v1>\d+(?:\.\d+)?)\s*(?P<u1>cm|mm)"
        r"(?:\s*(?:and|,|-|to)\s*(?P<c2>[<>≤≥])\s*(?P<v2>\d+(?:\.\d+)?)\s*(?P<u2>cm|mm))?",
        r.text,
        re.I,
    )
    if not m:
        return
    unit = m.group("u1").lower()
    bounds = [Bound(comparator=_SYMBOLS[m.group("c1")], value=float(m.group("v1")))]
    if m.group("c2"):
        value = float(m.group("v2"))
        if m.group("u2").lower() != unit:
            value = value * (10 if unit == "mm" else 0.1)
        bounds.append(Bound(comparator=_SYMBOLS[m.group("c2")], value=value))
    r.add(
        m.start(),
        m.end(),
        r.draft(TumourSizeRule, m.start(), m.end(), bounds=tuple(bounds), unit=unit),
    )


_MARKERS = r"EGFR|ALK|ROS1|KRAS|BRAF|MET|RET"
_SEP = r"\s*(?:,\s*)?(?:,|or|and|/)\s*"


def _read_biomarkers(r: _Reader) -> None:
    text = r.text
    patterns = (
        r"\b(?i:no|without|negative\s+for)\s+(?i:detectable\s+|known\s+|sensiti[sz]ing\s+|"
        r"actionable\s+)?(?i:driver\s+)?(?i:gene\s+)?(?i:mutations?|alterations?|rearrangements?)"
        r"\s+(?i:in\s+)?(?i:the\s+)?(?P<list>(?:"
        + _MARKERS
        + r")(?:"
        + _SEP
        + r"(?:"
        + _MARKERS
        + r"))*)",
        r"(?P<list>(?:" + _MARKERS + r")(?:" + _SEP + r"(?:" + _MARKERS + r"))*)"
        r"\s*(?i:wild[-\s]type|negative)",
        r"\b(?i:no)\s+(?P<list>" + _MARKERS + r")\b[^.;]{0,40}?(?i:mutation|rearrangement|deletion"
        r"|fusion)",
    )
    done: set[str] = set()
    failed_negative = re.search(r"failed\s+testing\s+is\s+considered\s+negative", text, re.I)
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            for marker in re.findall(_MARKERS, m.group("list")):
                if marker in done:
                    continue
                done.add(marker)
                end = m.end()
                failed = None
                if failed_negative and failed_negative.start() - m.end() < 60:
                    failed = "not_detected"
                    end = failed_negative.end()
                r.add(
                    m.start(),
                    end,
                    r.draft(
                        BiomarkerRule,
                        m.start(),
                        end,
                        marker=marker,
                        status="not_detected",
                        failed_as=failed,
                    ),
                )
    if done and re.search(r"applicable to|only\)", text, re.I):
        r.warn(
            "the biomarker requirement applies to a subgroup only (e.g. non-squamous); the "
            "rules apply to every patient — edit them if needed"
        )
    for m in re.finditer(r"PD-?L1[^.;0-9]{0,40}?(?P<comp>[≥>≤<])\s*(?P<n>\d+(?:\.\d+)?)\s*%", text):
        r.add(
            m.start(),
            m.end(),
            r.draft(
                BiomarkerRule,
                m.start(),
                m.end(),
                marker="PD-L1",
                comparator=_SYMBOLS[m.group("comp")],
                value=float(m.group("n")),
            ),
        )


# ---- therapy, procedures, conditions, time windows


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].lower()
    return (
        re.search(
            r"\b(?:no|without|not\s+(?:have\s+)?(?:received|had)|must\s+not)\b[^.;]*$", before
        )
        is not None
    )


def _wrap(r: _Reader, rule: Rule, start: int, end: int, negate: bool) -> Rule:
    if not negate:
        return rule
    return r.draft(NotRule, start, end, rule=rule)


def _read_therapy(r: _Reader) -> None:
    text = r.text
    for m in re.finditer(
        r"(?:prior|previous)\s+(?:treatment|therapy)\s+with\s+(?:any\s+)?(?:an?\s+)?"
        r"(?:immune\s+checkpoint\s+inhibitors?|anti-PD-?1|anti-PD-?L1|PD-1\s+inhibitors?)"
        r"|(?:prior|previous)\s+(?:immune\s+checkpoint\s+inhibitors?|anti-PD-?1|anti-PD-?L1|"
        r"immunotherapy)",
        text,
        re.I,
    ):
        negate = _negated(text, m.start()) and not r.exclusion
        rule = r.draft(MedicationRule, m.start(), m.end(), therapy="immune_checkpoint_inhibitor")
        r.add(m.start(), m.end(), _wrap(r, rule, m.start(), m.end(), negate))
    m2 = re.search(
        r"(?P<lo>\d+)\s*(?:-|to)\s*(?P<hi>\d+)\s+cycles\s+of\s+(?P<first>first[-\s]line\s+)?"
        r"(?P<platinum>platinum[-\s](?:based|doublet)\s+)?(?:chemotherapy|chemo)"
        r"(?P<io>\s+(?:combined\s+with|plus|and|with)\s+(?:immunotherapy|an?\s+immune\s+checkpoint"
        r"\s+inhibitor|anti-PD-?1|PD-1\s+inhibitor))?",
        text,
        re.I,
    )
    if m2:
        therapies = []
        if m2.group("platinum"):
            therapies.append("platinum_chemotherapy")
        if m2.group("io"):
            therapies.append("immune_checkpoint_inhibitor")
        if therapies:
            r.add(
                m2.start(),
                m2.end(),
                r.draft(
                    RegimenRule,
                    m2.start(),
                    m2.end(),
                    line=1 if m2.group("first") else None,
                    therapies=tuple(therapies),
                    min_cycles=int(m2.group("lo")),
                    max_cycles=int(m2.group("hi")),
                ),
            )
            if not m2.group("platinum"):
                r.warn("the chemotherapy is not said to be platinum-based; not required")


_SUPPORT = {
    "transfusion": ("procedure", "transfusion"),
    "albumin": ("therapy", "albumin_infusion"),
    "thrombopoietin": ("therapy", "thrombopoietin"),
    "colony-stimulating factor": ("therapy", "colony_stimulating_factor"),
    "g-csf": ("therapy", "colony_stimulating_factor"),
}


def _exposure_rule(
    r: _Reader, kind: str, key: str, start: int, end: int, window: Window | None
) -> Rule:
    if kind == "procedure":
        return r.draft(ProcedureRule, start, end, procedure=key, within=window)
    return r.draft(MedicationRule, start, end, therapy=key, within=window)


def _read_windows(r: _Reader) -> None:
    text = r.text
    specs: tuple[tuple[str, str, str], ...] = (
        (
            r"live(?:\s+or\s+(?:live[-\s])?attenuated)?(?:\s+attenuated)?\s+vaccines?",
            "therapy",
            "live_vaccine",
        ),
        (r"major\s+surgery|major\s+surgical\s+procedure", "procedure", "major_surgery"),
        (
            r"radical\s+radiotherapy|radical\s+radiation\s+therapy|definitive\s+radiotherapy",
            "procedure",
            "radical_radiotherapy",
        ),
        (r"myocardial\s+infarction", "condition", "myocardial_infarction"),
        (r"(?:blood\s+)?transfusions?", "procedure", "transfusion"),
        (
            r"systemic\s+anti(?:microbial|biotic|infective)s?\s+(?:therapy|treatment)",
            "therapy",
            "systemic_antimicrobial",
        ),
    )
    for pattern, kind, key in specs:
        for m in re.finditer(r"(?:" + pattern + r")[^.;]{0,40}?" + _WINDOW, text, re.I):
            if key == "transfusion" and not _negated(text, m.start()):
                continue
            window = _window(m)
            if kind == "condition":
                rule: Rule = r.draft(
                    ConditionRule, m.start(), m.end(), condition=key, within=window
                )
            else:
                rule = _exposure_rule(r, kind, key, m.start(), m.end(), window)
            negate = _negated(text, m.start()) and not r.exclusion
            r.add(m.start(), m.end(), _wrap(r, rule, m.start(), m.end(), negate))
            tail = text[m.end() : m.end() + 40].lower()
            if "registration" in tail or "randomi" in tail or "screening" in tail:
                to = next(w for w in ("registration", "randomi", "screening") if w in tail)
                r.warn(
                    f"the window runs to {'randomization' if to == 'randomi' else to}, not the "
                    "first dose; oncotrial counts windows back from the first dose — confirm"
                )
    support = re.search(
        r"without\s+(?:prior\s+)?(?P<list>(?:transfusion|albumin|thrombopoietin|"
        r"colony-stimulating\s+factor|G-CSF)(?:[^.;:]{0,60}?(?:transfusion|albumin|"
        r"thrombopoietin|colony-stimulating\s+factor|G-CSF))*)[^.;:]{0,20}?support",
        text,
        re.I,
    )
    if support:
        m = support
        within = _sentence_window(r, m.start())
        found: list[tuple[str, str]] = []
        for name in re.findall(
            r"transfusion|albumin|thrombopoietin|colony-stimulating\s+factor|G-CSF",
            m.group("list"),
            re.I,
        ):
            kind, key = _SUPPORT[re.sub(r"\s+", " ", name).lower()]
            if key not in {k for _, k in found}:
                found.append((kind, key))
        rules = tuple(
            _exposure_rule(r, kind, key, m.start(), m.end(), within) for kind, key in found
        )
        inner: Rule = (
            rules[0] if len(rules) == 1 else r.draft(AnyOfRule, m.start(), m.end(), rules=rules)
        )
        r.add(m.start(), m.end(), r.draft(NotRule, m.start(), m.end(), rule=inner))
        if within is None:
            r.warn("no time window for the supportive care named; 'ever' is assumed — confirm")
    for m in re.finditer(
        r"ongoing\s+(?P<list>(?:anticoagulant|antiplatelet)(?:\s+(?:or|and)\s+"
        r"(?:anticoagulant|antiplatelet))?)\s+(?:therapy|treatment)",
        text,
        re.I,
    ):
        for name in re.findall(r"anticoagulant|antiplatelet", m.group("list"), re.I):
            rule = r.draft(MedicationRule, m.start(), m.end(), therapy=name.lower(), ongoing=True)
            r.add(m.start(), m.end(), rule)


_CONDITION_NAMES = (
    (r"interstitial\s+lung\s+disease", "interstitial_lung_disease"),
    (r"(?:known\s+)?HIV\s+infection|human\s+immunodeficiency\s+virus", "hiv"),
    (r"deep\s+vein\s+thrombosis", "deep_vein_thrombosis"),
    (r"ground[-\s]glass\s+(?:nodules?|opacit(?:y|ies))", "ground_glass_nodule"),
    (r"Gilbert(?:'s|’s)?\s+syndrome", "gilbert_syndrome"),
)


def _read_conditions(r: _Reader) -> None:
    text = r.text
    for pattern, key in _CONDITION_NAMES:
        for m in re.finditer(pattern, text, re.I):
            if any(f.start <= m.start() < f.end for f in r.found):
                continue  # already part of a rule (a window, a lab condition)
            if key == "gilbert_syndrome":
                continue  # only a branch of a bilirubin limit
            after = text[m.end() : m.end() + 40].lower()
            if r.exclusion:
                rule: Rule = r.draft(ConditionRule, m.start(), m.end(), condition=key)
            elif "excluded" in after or _negated(text, m.start()):
                rule = r.draft(
                    NotRule,
                    m.start(),
                    m.end(),
                    rule=r.draft(ConditionRule, m.start(), m.end(), condition=key),
                )
            else:
                continue
            r.add(m.start(), m.end(), rule)


def _read_transplant(r: _Reader) -> None:
    m = re.search(
        r"(?:organ|bone\s+marrow|stem\s+cell|allogeneic[^.;]{0,25}?)\s+transplant(?:ation)?",
        r.text,
        re.I,
    )
    if not m:
        return
    rule: Rule = r.draft(ProcedureRule, m.start(), m.end(), procedure="organ_transplant")
    if not r.exclusion:
        if not _negated(r.text, m.start()):
            return
        rule = r.draft(NotRule, m.start(), m.end(), rule=rule)
    r.add(m.start(), m.end(), rule)
    if re.search(r"\bplanned\b", r.text[max(0, m.start() - 30) : m.start()], re.I):
        r.warn(
            "a planned transplantation cannot be read from the record; the rule checks past "
            "ones only"
        )


def _read_lesions(r: _Reader) -> None:
    text = r.text
    fields: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    m = re.search(
        r"no\s+more\s+than\s+(?P<n>\d+)\s+(?:residual\s+)?(?:lesions?|tumou?rs?|metastases)"
        r"|(?P<n2>\d+)\s+or\s+fewer\s+(?:residual\s+)?(?:lesions?|tumou?rs?|metastases)"
        r"|≤\s*(?P<n3>\d+)\s+(?:residual\s+)?(?:lesions?|metastases)",
        text,
        re.I,
    )
    if m:
        fields["max_lesions"] = int(m.group("n") or m.group("n2") or m.group("n3"))
        spans.append((m.start(), m.end()))
        cmr = re.search(r"complete\s+metabolic\s+response", text[m.end() : m.end() + 80], re.I)
        if cmr:
            fields["exclude_complete_metabolic_response"] = True
            spans.append((m.end() + cmr.start(), m.end() + cmr.end()))
    m = re.search(
        r"(?:involving\s+|in\s+)?no\s+more\s+than\s+(?P<n>\d+)\s+organs?"
        r"|(?:≤|at\s+most)\s*(?P<n2>\d+)\s+organs?",
        text,
        re.I,
    )
    if m:
        fields["max_organs"] = int(m.group("n") or m.group("n2"))
        spans.append((m.start(), m.end()))
    m = re.search(
        r"at\s+least\s+(?P<n>one|1|\d+)\s+measurable\s+(?:target\s+)?(?:lesions?|disease)"
        r"(?P<tail>(?:[^.;]|\.(?=\d)){0,120})",
        text,
        re.I,
    )
    if m:
        n = m.group("n")
        fields["min_measurable"] = 1 if n.lower() == "one" else int(n)
        spans.append((m.start(), m.start("tail")))
        criteria = re.search(
            r"\b(m?RECIST|iRECIST)\s*(?:v(?:ersion)?\s*)?(\d\.\d)?(?:\s*\((\d{4})\))?",
            m.group("tail"),
        )
        if criteria:
            name = criteria.group(1) + (f" {criteria.group(2)}" if criteria.group(2) else "")
            name += f" ({criteria.group(3)})" if criteria.group(3) else ""
            fields["criteria"] = name
            spans.append((m.start("tail") + criteria.start(), m.start("tail") + criteria.end()))
        window = re.search(
            r"within\s+(?P<n>\d+)\s+(?P<unit>day|week|month)s?", m.group("tail"), re.I
        )
        if window:
            fields["within"] = _window_of(window.group("n"), window.group("unit"))
            spans.append((m.start("tail") + window.start(), m.start("tail") + window.end()))
    if not fields:
        return
    a, b = min(s[0] for s in spans), max(s[1] for s in spans)
    r.add(a, b, r.draft(LesionRule, a, b, **fields))
    for s in spans:
        r.consume(*s)


def _read_pregnancy(r: _Reader) -> None:
    m = re.search(
        r"negative\s+(?:serum\s+|urine\s+)?pregnancy\s+test[^.;]{0,40}?"
        + _WINDOW
        + r"|negative\s+(?:serum\s+|urine\s+)?pregnancy\s+test[^.;]{0,20}?[≤<]\s*"
        r"(?P<n2>\d+)\s+days\s+(?:prior|before)"
        r"|negative\s+(?:serum\s+|urine\s+)?pregnancy\s+test",
        r.text,
        re.I,
    )
    if not m:
        return
    days = m.group("n") or m.group("n2")
    window = Window(value=int(days), unit="days") if days else None
    if m.group("n2") and re.search(r"registration|randomi", r.text[m.end() : m.end() + 20], re.I):
        r.warn(
            "the pregnancy test window runs to registration; oncotrial counts it back from "
            "the first dose — confirm"
        )
    test = r.draft(
        LabResultRule, m.start(), m.end(), analyte="hcg", result="negative", within=window
    )
    who = re.search(r"female|women", r.text[max(0, m.start() - 80) : m.start()], re.I)
    when = r.draft(SexRule, m.start(), m.end(), sex="female")
    r.add(m.start(), m.end(), r.draft(ConditionalRule, m.start(), m.end(), when=when, then=test))
    if re.search(r"childbearing", r.text, re.I):
        r.warn(
            "the pregnancy test is for women of childbearing potential; the rule asks it of "
            "every woman — edit it if needed"
        )
    elif who is None:
        r.warn("a pregnancy test is asked for; read as applying to women")


def _read_blood_pressure(r: _Reader) -> None:
    m = re.search(
        r"blood\s+pressure\s*(?P<comp>[≥>])\s*(?P<s>\d{2,3})\s*/\s*(?P<d>\d{2,3})\s*mmHg",
        r.text,
        re.I,
    )
    if not m:
        return
    comparator = _SYMBOLS[m.group("comp")]
    rules = (
        r.draft(
            LabRule,
            m.start(),
            m.end(),
            analyte="systolic_bp",
            comparator=comparator,
            value=float(m.group("s")),
            unit="mmHg",
        ),
        r.draft(
            LabRule,
            m.start(),
            m.end(),
            analyte="diastolic_bp",
            comparator=comparator,
            value=float(m.group("d")),
            unit="mmHg",
        ),
    )
    r.add(m.start(), m.end(), r.draft(AnyOfRule, m.start(), m.end(), rules=rules))


def _read_judgements(r: _Reader) -> None:
    """Numbers that belong to an investigator's judgement: life expectancy, toxicity grades."""
    text = r.text
    for pattern, what in (
        (
            r"(?:life\s+expectancy|expected\s+survival(?:\s+time)?)[^.;0-9]{0,15}?[≥>]\s*\d+\s*"
            r"(?:weeks|months)",
            "life expectancy (the investigator's estimate)",
        ),
        (
            r"(?:recovered|resolved)\s+to\s+[≤<]\s*grade\s+\d(?:[^.;]{0,40}?CTCAE\s*v?\d\.\d)?",
            "toxicities of prior therapy recovered (CTCAE grade)",
        ),
        (r"Grade\s*[≥>]\s*\d,?\s*per\s+(?:NCI-)?CTCAE\s*v?\d\.\d", "severity graded by CTCAE"),
        (r"\([≥>]\s*grade\s+\d\)", "severity graded by CTCAE"),
    ):
        for m in re.finditer(pattern, text, re.I):
            if any(f.start <= m.start() < f.end for f in r.found):
                continue
            r.add(m.start(), m.end(), _judgement(r, m.start(), m.end(), what + ": " + m.group(0)))


_JUDGEMENT_WORDS = re.compile(
    r"\b(?:uncontrolled|symptomatic|clinically\s+significant|as\s+judged\s+by|in\s+the\s+opinion"
    r"|investigator(?:'s)?\s+(?:assessment|judgement|judgment|discretion)|poorly\s+controlled"
    r"|adequate|active|suspected|severe)\b",
    re.I,
)


def _finish(rule: Rule, rule_id: str) -> Rule:
    """Give a draft rule (and its parts) its id and generated description."""
    update: dict[str, Any] = {"id": rule_id}
    if isinstance(rule, AllOfRule | AnyOfRule):
        update["rules"] = tuple(_finish(x, f"{rule_id}.{i}") for i, x in enumerate(rule.rules, 1))
    elif isinstance(rule, NotRule):
        update["rule"] = _finish(rule.rule, f"{rule_id}.1")
    elif isinstance(rule, ConditionalRule):
        update["when"] = _finish(rule.when, f"{rule_id}.1")
        update["then"] = _finish(rule.then, f"{rule_id}.2")
        if rule.otherwise is not None:
            update["otherwise"] = _finish(rule.otherwise, f"{rule_id}.3")
    finished = rule.model_copy(update=update)
    if not isinstance(finished, JudgementRule):
        finished = finished.model_copy(update={"description": describe_rule(finished)})
    return finished


_READERS: tuple[Callable[[_Reader], None], ...] = (
    _read_age,
    _read_sex,
    _read_performance,
    _read_diagnosis,
    _read_stage,
    _read_tumour_size,
    _read_biomarkers,
    _read_therapy,
    _read_windows,
    _read_labs,
    _read_blood_pressure,
    _read_pregnancy,
    _read_lesions,
    _read_conditions,
    _read_transplant,
    _read_judgements,
)


def numbers_in(
    nt: NormalisedText, understood: Sequence[tuple[int, int]], original_spans: bool = False
) -> tuple[NumberInText, ...]:
    """Every number of a criterion's text; understood when inside one of the given spans.

    Spans are positions in the normalised text, or in the original with ``original_spans``.
    Not counted: parts of names ("PD-1", "22C3", "T1N0M0", "v5.0"), ordinals ("9th") and years
    in parentheses ("mRECIST (2019)").
    """
    found = []
    for m in _NUMBER.finditer(nt.text):
        if _YEAR.match(m.group(0)) and nt.text[max(0, m.start() - 1) : m.start()] == "(":
            continue
        if re.match(r"\s*(?:st|nd|rd|th)\b", nt.text[m.end() :]):
            continue
        a, b = nt.span(m.start(), m.end())
        where = (a, b) if original_spans else (m.start(), m.end())
        ok = any(s <= where[0] and where[1] <= e for s, e in understood)
        found.append(NumberInText(nt.original[a:b], a, b, ok))
    return tuple(found)


def _numbers(r: _Reader) -> tuple[NumberInText, ...]:
    return numbers_in(r.nt, r.consumed)


# Words that change an item's logic: left unread they may be an alternative that rescues a
# patient ("or CrCl ≥ 50 mL/min") or an exception that excludes one ("except …, who must have").
_LOGIC_WORDS = re.compile(
    r"\b(?:or|except|exceptions?|unless|otherwise|if|but|however|whichever|either|neither|nor|"
    r"without|allowed|permitted|acceptable|eligible|note)\b"
    r"|\b(?:for|in)\s+(?:[\w-]+\s+){0,3}?(?:patients|subjects|participants|those|women|men)\b",
    re.I,
)


# "or" that joins words without changing the logic of an item
_BENIGN_OR = re.compile(
    r"\b(?:male\s+or\s+female|men\s+or\s+women|females?\s+or\s+males?|"
    r"histologically\s+or\s+cytologically|cytologically\s+or\s+histologically)\b",
    re.I,
)


def _unread(r: _Reader, numbers: tuple[NumberInText, ...]) -> tuple[str, ...]:
    """The parts of the text no rule reads that hold a number or a word of logic, quoted."""
    text = r.text
    covered = [False] * len(text)
    for start, end in r.consumed:
        for i in range(max(start, 0), min(end, len(text))):
            covered[i] = True
    found: list[str] = []
    i = 0
    while i < len(text):
        if covered[i]:
            i += 1
            continue
        j = i
        while j < len(text) and not covered[j]:
            j += 1
        gap = text[i:j]
        orig_a, orig_b = r.nt.span(i, j)
        has_number = any(
            not n.understood and orig_a <= n.start and n.end <= orig_b for n in numbers
        )
        if has_number or _LOGIC_WORDS.search(_BENIGN_OR.sub(" ", gap)):
            quote = " ".join(gap.strip(" ,;:.()[]").split())
            if quote:
                found.append(quote)
        i = j
    return tuple(found)


def read_criterion(criterion: Criterion, carried_window: Window | None = None) -> CriterionReading:
    """Propose rules for one criterion item (replacing any it has) and list its numbers."""
    reader = _Reader(criterion, normalise_text(criterion.text), carried_window)
    for read in _READERS:
        read(reader)
    ordered = sorted(reader.found, key=lambda f: (f.start, f.end))
    rules = tuple(_finish(f.rule, f"{criterion.id}-{i}") for i, f in enumerate(ordered, 1))
    if (
        rules
        and _JUDGEMENT_WORDS.search(reader.text)
        and not any(r.kind == "judgement" for r in rules)
    ):
        word = _JUDGEMENT_WORDS.search(reader.text)
        assert word is not None
        reader.warn(
            f"the item also asks for a judgement ('{word.group(0)}'); the proposed rules "
            "cover only what is computable — add a judgement rule if needed"
        )
    numbers = _numbers(reader)
    unread = _unread(reader, numbers) if rules else ()
    unread += _same_test_twice(rules)
    return CriterionReading(
        criterion=criterion.model_copy(update={"rules": rules, "unread": unread}),
        warnings=tuple(reader.warnings),
        numbers=numbers,
    )


def _same_test_twice(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """Two plain limits for one test in one item: a subgroup the text names but no rule reads.

    "INR or aPTT ≤ 1.5 × ULN. Note: for HCC patients INR or aPTT should be ≤ 2 × ULN" must not
    require both limits of everyone; the item goes to the checklist, quoting both.
    """
    seen: dict[tuple[str, str, str | None], Rule] = {}
    found: list[str] = []
    for rule in rules:
        if not isinstance(rule, LabRule):
            continue
        direction = "upper" if rule.comparator in {Comparator.LE, Comparator.LT} else "lower"
        key = (rule.analyte, direction, rule.relative_to)
        if key in seen and rule.source is not None:
            first = seen[key].source
            found.append(
                f"{first.text if first else ''} … {rule.source.text} (two limits for one test)"
            )
        seen.setdefault(key, rule)
    return tuple(found)


def _introduces_window(criterion: Criterion) -> Window | None:
    """An item ending with ':' that sets a window for the laboratory values that follow."""
    text = normalise_text(criterion.text).text.rstrip()
    if not text.endswith(":"):
        return None
    return _lab_window(text)


_ENDS_WITH_OR = re.compile(r"(?:\bor|\band/or)\s*[,;:.]?\s*$", re.I)
_STARTS_WITH_OR = re.compile(r"^\s*(?:or|and/or)\b", re.I)


def _alternative_items(items: tuple[Criterion, ...]) -> dict[str, str]:
    """Items joined to a neighbour by "or" ("Creatinine ≤ 1.5 × ULN or" / "creatinine clearance
    ≥ 45 mL/min"): neither may be decided alone, so each carries the other's words as unread."""
    joined: dict[str, str] = {}
    for before, after in pairwise(items):
        if _ENDS_WITH_OR.search(before.text) or _STARTS_WITH_OR.search(after.text):
            joined[before.id] = f"or (item {after.id}): {after.text[:80]}"
            joined[after.id] = f"or (item {before.id}): {before.text[:80]}"
    return joined


def read_eligibility(eligibility: Eligibility) -> tuple[CriterionReading, ...]:
    """Read every criterion item; a lab window announced by an item carries to the next one."""
    readings: list[CriterionReading] = []
    for items in (eligibility.inclusion, eligibility.exclusion):
        carried: Window | None = None
        alternatives = _alternative_items(items)
        for criterion in items:
            reading = read_criterion(criterion, carried)
            if criterion.id in alternatives and reading.criterion.rules:
                joined = (*reading.criterion.unread, alternatives[criterion.id])
                reading = CriterionReading(
                    reading.criterion.model_copy(update={"unread": joined}),
                    reading.warnings,
                    reading.numbers,
                )
            if carried is not None and any(
                getattr(r, "within", None) == carried for r in _all(reading.criterion.rules)
            ):
                reading = CriterionReading(
                    reading.criterion,
                    (
                        *reading.warnings,
                        f"{criterion.id}: the {carried} window of the item before is applied to "
                        "its laboratory values — confirm",
                    ),
                    reading.numbers,
                )
            readings.append(reading)
            carried = _introduces_window(criterion)
    return tuple(readings)


def _all(rules: Sequence[Rule]) -> Iterator[Rule]:
    for rule in rules:
        yield rule
        yield from _all(children(rule))


def propose_rules(eligibility: Eligibility) -> Eligibility:
    """``eligibility`` with every item's rules replaced by the parser's proposal."""
    readings = {r.criterion.id: r.criterion for r in read_eligibility(eligibility)}
    return eligibility.model_copy(
        update={
            "inclusion": tuple(readings[c.id] for c in eligibility.inclusion),
            "exclusion": tuple(readings[c.id] for c in eligibility.exclusion),
        }
    )
