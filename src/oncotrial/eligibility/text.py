"""Criteria text as the parser reads it, with every character traced back to the original.

Registry text escapes markdown (``\\>``, ``\\<``, ``\\^``, ``\\[``) and writes comparisons in
several ways (``>=``, ``=<``, ``≥``, ``⩾``). The parser reads a normalised copy, but the rules it
proposes must point at the *original* text (``Criterion.text`` as stored in the protocol), so the
normalisation records, for each character it produces, where in the original it came from.
The protocol importers keep their own ``unescape_markdown`` for display; this one differs in that
it returns the position map the parser's spans need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NUMBER_WORDS", "NormalisedText", "normalise_text", "unescape_markdown"]

# Numbers written as words, as criteria and time frames write counts and windows ("at least two
# prior lines", "within six months", "up to twenty-four months"): one table for every reader
# (each reader's pattern says which words it takes)
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
    "thirty-six": 36,
}

# Markdown escapes: a backslash before ASCII punctuation stands for that punctuation (CommonMark
# §2.4). ClinicalTrials.gov stores criteria as markdown, so '\>' in the record reads '>'.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

# Comparison operators as registry text writes them → one symbol each. Order matters: longer
# spellings first so that '>=' is not read as '>' followed by '='.
_OPERATORS: tuple[tuple[str, str], ...] = (
    # '>/=' and '</=': a typed '≥' and '≤' of older records ("Hemoglobin >/= 9.0 g/dl"); '=/<'
    # is '≤' too, never '<' after a stray '=/'; "< or =" spelled out
    (">/=", "≥"),
    ("</=", "≤"),
    ("=/>", "≥"),
    ("=/<", "≤"),
    ("≥/=", "≥"),
    ("≤/=", "≤"),
    ("> or =", "≥"),
    ("< or =", "≤"),
    (">or=", "≥"),
    ("<or=", "≤"),
    (">=", "≥"),
    ("=>", "≥"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("⩾", "≥"),
    # the modifier letter arrowheads (U+02C2, U+02C3) a word processor puts for '<' and '>':
    # "Hemoglobin ˃ 9.0 g/dL" (NCT04930783 I1.6.4; jwlieb/clinical-trial-agent data/demo @387df17)
    ("˃", ">"),
    ("˂", "<"),
    ("⩽", "≤"),
    ("≧", "≥"),
    ("≦", "≤"),
    ("＞", ">"),
    ("＜", "<"),
    ("–", "-"),
    ("—", "-"),
    ("−", "-"),
    ("\u00a0", " "),
    # "At least 18 years-of-age" (NCT05748834 I2; jwlieb/clinical-trial-agent data/demo
    # @387df17): the hyphens of a compound, spaces in every age phrasing
    ("years-of-age", "years of age"),
    ("Years-of-Age", "Years of Age"),
    # full-width punctuation of Chinese registry text ("（ULN）", "；", "≥50×10⁹/L，"): the ASCII
    # character it stands for (Unicode's halfwidth and fullwidth forms block, U+FF01-FF5E)
    ("（", "("),
    ("）", ")"),
    ("；", ";"),
    ("，", ","),
    ("：", ":"),
    ("％", "%"),
    ("＝", "="),
    ("／", "/"),
    ("、", ","),
    ("\u3000", " "),
)

# One pattern for all spellings: a regular expression's alternatives are tried in their order at
# each position and the scan resumes after a match, so this reads exactly as trying ``_OPERATORS``
# in order at each character would (tested against that loop), in one pass instead of one
# ``startswith`` per spelling per character (a criterion's text was scanned ~40 times).
_OPERATOR = re.compile("|".join(re.escape(old) for old, _new in _OPERATORS))
_OPERATOR_SYMBOL: dict[str, str] = dict(_OPERATORS)


# Units spelled out in words after a number → their symbol (issue 12, development corpus:
# jwlieb/clinical-trial-agent data/demo/... @387df17): "Hemoglobin (Hgb) >=9.0 gram per
# deciliter (g/dL)", "ANC >=1.0*10^9 per liter (/L)", "creatinine clearance >=50 milliliters
# per minute (mL/min)" (NCT04300556 I16.3, I16.1, I18), "Hemoglobin ≥ 9.0 grams per deciliter",
# "Absolute neutrophil count ≥ 1,500 cells per microliter" (NCT06790602), "≥ 1.5 x One times
# ten to the ninth/L" (NCT05845671 I13). The symbol restated in brackets is part of the unit.
_UNIT_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?<=\d)\s*(?:grams?|gm)\s+per\s+deci-?lit(?:er|re)s?(?:\s*\(\s*g\s*/\s*dL\s*\))?",
            re.I,
        ),
        " g/dL",
    ),
    (
        re.compile(
            r"(?<=\d)\s*(?:milligrams?|mg)\s+per\s+deci-?lit(?:er|re)s?"
            r"(?:\s*\(\s*mg\s*/\s*dL\s*\))?",
            re.I,
        ),
        " mg/dL",
    ),
    (
        re.compile(
            r"(?<=\d)\s*milli-?lit(?:er|re)s?\s+per\s+min(?:ute)?(?:\s*\(\s*mL\s*/\s*min\s*\))?",
            re.I,
        ),
        " mL/min",
    ),
    (re.compile(r"(?<=\d)\s*per\s+lit(?:er|re)\s*\(\s*/\s*L\s*\)", re.I), "/L"),
    (re.compile(r"(?<=\d)\s*cells\s+per\s+micro-?lit(?:er|re)s?\b", re.I), "/uL"),
    (re.compile(r"\bone\s+times\s+ten\s+to\s+the\s+ninth(?=\s*/)", re.I), "10^9"),
    # "Hemoglobin ≥ 10.0 grams (g)/deciliter (dL)", "≥ 9.0 grams/deciliter (g/dL)" (NCT05552755
    # I9.3, NCT05563220 I7.3): the unit's words with a slash, each word's symbol in brackets
    (
        re.compile(
            r"(?<=\d)\s*grams?\s*(?:\(\s*g\s*\)\s*)?/\s*deci-?lit(?:er|re)s?"
            r"(?:\s*\(\s*(?:g\s*/\s*)?dL\s*\))?",
            re.I,
        ),
        " g/dL",
    ),
    # "creatinine clearance ≥50 milliliter per (mL) /minute" (NCT04300556 I14), "≥ 50
    # milliliters/minute (mL/min)" (NCT04771130 I3.1), "≥ 50 cc/min" (NCT06046040 I6.1)
    (
        re.compile(
            r"(?<=\d)\s*(?:milli-?lit(?:er|re)s?\s*(?:per\s*\(\s*mL\s*\)\s*/|/)\s*min(?:ute)?"
            r"(?:\s*\(\s*mL\s*/\s*min\s*\))?|cc\s*/\s*min(?:ute)?\b)",
            re.I,
        ),
        " mL/min",
    ),
    # "eGFR less than (<) 30 milliliter (mL)/min/1.73 square meter (m2)" (NCT05645107 E11)
    (
        re.compile(
            r"(?<=\d)\s*milli-?lit(?:er|re)s?\s*\(\s*mL\s*\)\s*/\s*min(?:ute)?\s*/\s*1\.73\s*"
            r"square\s+met(?:er|re)s?(?:\s*\(\s*m\s*(?:\^?2|²)\s*\))?",
            re.I,
        ),
        " mL/min/1.73m^2",
    ),
    # "ANC ≥ 1.5 × 10^9/liter (L)" (NCT05386108 I13.1, NCT05563220 I7.1)
    (re.compile(r"(?<=10\^9)\s*/\s*lit(?:er|re)\s*\(\s*L\s*\)", re.I), "/L"),
    # "systolic blood pressure >160 millimeter(s) of mercury (mmHg)" (NCT05498428 E6)
    (
        re.compile(
            r"(?<=\d)\s*millimet(?:er|re)\(s\)\s+of\s+mercury(?:\s*\(\s*mm\s*Hg\s*\))?", re.I
        ),
        " mmHg",
    ),
    # "heart rate < 50 beats per minute" (NCT04119024 E11), "> 110 beats per minute (bpm)"
    # (NCT07064473 E2)
    (
        re.compile(r"(?<=\d)\s*beats\s+per\s+min(?:ute)?(?:\s*\(\s*bpm\s*\))?", re.I),
        " bpm",
    ),
    # "QTcF greater than (>) 480 milliseconds (msec)" (NCT05498428 E6), "470 millisecond (msec)"
    # (NCT06533644 E10): the symbol restated in brackets is part of the unit
    (re.compile(r"(?<=\d)\s*milli-?seconds?\s*\(\s*m?secs?\s*\)", re.I), " ms"),
    # "24-hour urine protein is ≥1 gram" (NCT04300556 E37): a gram, when no volume or time
    # follows (those are the patterns above, or stay unread)
    (re.compile(r"(?<=\d)\s*grams?\b(?!\s*(?:/|per\b|\())", re.I), " g"),
)

# HTML character references left in registry text ("ANC &gt; 1.0 x10^9", "&lt;2.0 x UNL",
# "Fridericia&#39;s", and escaped twice, "&amp;amp;lt;1.5", NCT06100705, NCT06631521,
# NCT06632977 of the development corpus): the character they stand for (HTML 5 named and
# numeric references), read before the comparison operators so that "&lt;=" is '≤'
_ENTITY = re.compile(r"&(?:amp;)*(lt|gt|amp|quot|apos|#39|#x27|ge|le);", re.I)
_ENTITY_CHARACTER = {
    "lt": "<",
    "gt": ">",
    "amp": "&",
    "quot": '"',
    "apos": "'",
    "#39": "'",
    "#x27": "'",
    "ge": "≥",
    "le": "≤",
}

# A comparator in words with its symbol restated in brackets, as Janssen's templates write it:
# "serum creatinine less than or equal to (≤) 1.5 mg/dL" (NCT04300556 I14), "QTcF greater than
# (>) 480 milliseconds (msec)" (NCT05498428 E6), "eGFR less than (&lt;) 30" (NCT05645107 E11).
# One comparison, written as its symbol; when the words and the symbol disagree, the text is left
# as it is (neither is read).
_WORDS_AND_SYMBOL = re.compile(
    r"(?<![A-Za-z])(?P<words>(?:greater|more|less)\s+than(?:\s+or\s+equal\s+to)?)\s*"
    r"\(\s*(?P<symbol>[≥≤<>])\s*\)",
    re.I,
)


def _restated_symbol(m: re.Match[str]) -> str | None:
    words = re.sub(r"\s+", " ", m.group("words").lower())
    up = words.startswith(("greater", "more"))
    symbol = ("≥" if up else "≤") if words.endswith("equal to") else (">" if up else "<")
    return symbol if symbol == m.group("symbol") else None


@dataclass(frozen=True)
class NormalisedText:
    """Text for the parser plus, per character, its start and end in the original text."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for ``text[start:end]`` (``end`` exclusive)."""
        if not self.text:
            return (0, 0)
        end = max(end, start + 1)
        return (self.starts[start], self.ends[min(end, len(self.text)) - 1])

    def source(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def _rewrite(
    text: str, starts: list[int], ends: list[int], replace: list[tuple[int, int, str]]
) -> tuple[str, list[int], list[int]]:
    """Apply non-overlapping replacements (start, end, new) and carry the position maps."""
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    position = 0
    for a, b, new in sorted(replace):
        for i in range(position, a):
            out.append(text[i])
            new_starts.append(starts[i])
            new_ends.append(ends[i])
        for ch in new:
            out.append(ch)
            new_starts.append(starts[a])
            new_ends.append(ends[b - 1])
        position = b
    for i in range(position, len(text)):
        out.append(text[i])
        new_starts.append(starts[i])
        new_ends.append(ends[i])
    return "".join(out), new_starts, new_ends


def normalise_text(original: str) -> NormalisedText:
    """Unescape markdown and HTML character references, write comparisons as one symbol each
    and units spelled out in words as their symbol, keeping positions."""
    starts = list(range(len(original)))
    ends = [i + 1 for i in range(len(original))]
    text, starts, ends = _rewrite(
        original,
        starts,
        ends,
        [(m.start(), m.end(), m.group(1)) for m in _ESCAPE.finditer(original)],
    )
    entities = [
        (m.start(), m.end(), _ENTITY_CHARACTER[m.group(1).lower()]) for m in _ENTITY.finditer(text)
    ]
    if entities:
        text, starts, ends = _rewrite(text, starts, ends, entities)
    replace = [(m.start(), m.end(), _OPERATOR_SYMBOL[m.group()]) for m in _OPERATOR.finditer(text)]
    text, starts, ends = _rewrite(text, starts, ends, replace)
    restated = [
        (m.start(), m.end(), symbol)
        for m in _WORDS_AND_SYMBOL.finditer(text)
        if (symbol := _restated_symbol(m)) is not None
    ]
    if restated:
        text, starts, ends = _rewrite(text, starts, ends, restated)
    units: list[tuple[int, int, str]] = []
    for pattern, word in _UNIT_WORDS:
        for m in pattern.finditer(text):
            # one reading per span: a later pattern never rewrites words an earlier one took
            if not any(m.start() < b and a < m.end() for a, b, _ in units):
                units.append((m.start(), m.end(), word))
    if units:
        text, starts, ends = _rewrite(text, starts, ends, units)
    return NormalisedText(original, text, tuple(starts), tuple(ends))


def unescape_markdown(text: str) -> str:
    """'\\>' → '>', '\\^' → '^', '\\[' → '[' (markdown escapes in registry text)."""
    return _ESCAPE.sub(r"\1", text)
