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

__all__ = ["NormalisedText", "normalise_text", "unescape_markdown"]

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
    ("⩽", "≤"),
    ("≧", "≥"),
    ("≦", "≤"),
    ("＞", ">"),
    ("＜", "<"),
    ("–", "-"),
    ("—", "-"),
    ("−", "-"),
    ("\u00a0", " "),
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
)


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
    """Unescape markdown, write comparisons as one symbol each and units spelled out in words
    as their symbol, keeping positions."""
    starts = list(range(len(original)))
    ends = [i + 1 for i in range(len(original))]
    text, starts, ends = _rewrite(
        original,
        starts,
        ends,
        [(m.start(), m.end(), m.group(1)) for m in _ESCAPE.finditer(original)],
    )
    replace = [(m.start(), m.end(), _OPERATOR_SYMBOL[m.group()]) for m in _OPERATOR.finditer(text)]
    text, starts, ends = _rewrite(text, starts, ends, replace)
    units = [
        (m.start(), m.end(), word) for pattern, word in _UNIT_WORDS for m in pattern.finditer(text)
    ]
    if units:
        text, starts, ends = _rewrite(text, starts, ends, units)
    return NormalisedText(original, text, tuple(starts), tuple(ends))


def unescape_markdown(text: str) -> str:
    """'\\>' → '>', '\\^' → '^', '\\[' → '[' (markdown escapes in registry text)."""
    return _ESCAPE.sub(r"\1", text)
