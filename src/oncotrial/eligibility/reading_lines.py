"""Reading how many prior lines of systemic therapy, as real records count them (issue 12; the
development corpus of jwlieb/clinical-trial-agent data/demo @387df17): "Has received at least 2
prior lines of therapy", "Have received 0 to 4 prior systemic therapies for metastatic sarcoma"
(NCT07125183 I6), "has received ≤ 2 prior lines of prior systemic therapy" (NCT04130516 I11),
"One to two prior lines of therapy including …" (NCT06881784 I6), "received up to 4 lines of
systemic therapy …" (NCT04300556 I4.2), "Received more than 1 line of systemic therapy in the
locally advanced or metastatic setting" (NCT07155187 E2), "with 1+ prior line(s) of therapy"
(NCT06412198 I1).

The rule is a ``PriorLinesRule`` on every line (``therapy`` None): a line of therapy is a line of
systemic therapy, as the patient's record keeps them (``patient.TherapyLine``), and so is a
prior regimen and a prior systemic therapy. "Lines of chemotherapy" and "at least one line of
platinum-based chemotherapy" are ``reading_conditions.read_prior_lines``'s, read before this.

What the record of lines does not hold stays unread, so the item is partial, never decided on
the count alone: the setting ("for metastatic disease", "in the advanced setting"), a kind
("of standard systemic therapy": "standard" is not read), what the lines must have held
("including an anti-PD-1 agent"), progression on them ("must have progressed on at least 1
prior line": "progressed on" stays unread). "More than" after a negation is at most: "must not have
received more than three previous lines of systemic treatment" (NCT06975293 I7); any other count
after a negation is not read (the negation would turn the bound over).
"""

from __future__ import annotations

import re
from itertools import pairwise

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _taken
from oncotrial.eligibility.rules import PriorLinesRule

__all__ = ["read_counted_lines"]

_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_N = r"(?:\d+|zero|one|two|three|four|five|six)"
# "prior lines of (prior) (systemic) (anticancer) therapy", "regimens", "line(s) of therapy";
# or the other order, "prior systemic therapies", "prior systemic regimen", "prior regimens"
_LINES = (
    r"(?:(?:prior|previous)\s+)?(?:lines?|regimens?)(?:\s*\(s\))?"
    r"(?:\s+of\s+(?:prior\s+)?(?:systemic\s+)?(?:anti-?\s?cancer\s+|anti-?\s?neoplastic\s+)?"
    r"(?:therapy|therapies|treatments?))?"
    r"|(?:prior|previous)\s+(?:systemic\s+(?:anti-?\s?cancer\s+|anti-?\s?neoplastic\s+)?"
    r"(?:therapy|therapies|treatments?|regimens?)|(?:treatment\s+)?regimens?)"
)
_COUNTED = re.compile(
    r"(?<![\w-])(?:"
    # "at least 1, but no more than 2, prior lines of therapy" (NCT04486352 I1)
    r"at\s+least\s+(?P<b_low>" + _N + r"),?\s+but\s+(?:no|not)\s+more\s+than\s+"
    r"(?P<b_high>" + _N + r"),?"
    r"|(?P<min>at\s+least|a\s+minimum\s+of|≥|>=|=>)\s*(?P<n_min>" + _N + r")"
    r"|(?P<max>no\s+more\s+than|not\s+more\s+than|at\s+most|a\s+maximum\s+of|up\s+to|≤|<=|=<)"
    r"\s*(?P<n_max>" + _N + r")"
    r"|(?P<above>more\s+than|greater\s+than)\s+(?P<n_above>" + _N + r")"
    r"|(?P<n_low>" + _N + r")\s*(?:to|-|–)\s*(?P<n_high>" + _N + r")"
    r"|(?P<n_plus>" + _N + r")\s*(?:\+|or\s+more\b)"
    r")\s+(?P<lines>" + _LINES + r")(?![\w-])",
    re.I,
)
# a negation before the count in its clause turns the bound over: not read
_NEGATED = re.compile(r"(?:\b(?:no|not|never|without|nor|cannot)|n't)\b[^.;,:]*$", re.I)

# the words of that negation, read with the count ("must not have received more than …")
_NOT_RECEIVED = re.compile(
    r"\b(?:(?:must|should|may|can)\s+not|cannot)\s+(?:have\s+)?(?:received|had)\s*$", re.I
)


def _n(word: str) -> int:
    return _WORDS[word.lower()] if word.lower() in _WORDS else int(word)


def read_counted_lines(r: _Reader) -> None:
    """'At least 2 prior lines of therapy', '0 to 4 prior systemic therapies', 'up to 3 prior
    lines of systemic therapy', 'more than 1 line of systemic therapy', '1+ prior line(s)'."""
    text = r.text
    found: list[tuple[int, int]] = []
    for m in _COUNTED.finditer(text):
        if _taken(r, m.start(), m.end()):
            continue
        negated = _NEGATED.search(text, max(0, m.start() - 60), m.start()) is not None
        if negated and m.group("above") is None:
            continue
        fields: dict[str, int]
        if negated:
            # "must not have received more than three previous lines" (NCT06975293 I7),
            # "cannot have had more than two prior lines of treatment" (NCT06626516 I3)
            fields = {"max_lines": _n(m.group("n_above"))}
        elif m.group("min") is not None:
            fields = {"min_lines": _n(m.group("n_min"))}
        elif m.group("max") is not None:
            fields = {"max_lines": _n(m.group("n_max"))}
        elif m.group("above") is not None:
            fields = {"min_lines": _n(m.group("n_above")) + 1}
        elif m.group("n_plus") is not None:
            fields = {"min_lines": _n(m.group("n_plus"))}
        else:
            both = m.group("b_low") is not None
            low = _n(m.group("b_low") if both else m.group("n_low"))
            high = _n(m.group("b_high") if both else m.group("n_high"))
            if low > high:
                continue
            fields = {"min_lines": low, "max_lines": high} if low else {"max_lines": high}
        if fields.get("min_lines") == 0:
            continue
        r.add(m.start(), m.end(), r.draft(PriorLinesRule, m.start(), m.end(), **fields))
        words = _NOT_RECEIVED.search(text, 0, m.start()) if negated else None
        if words is not None:
            r.consume(words.start(), words.end())  # the negation is the rule's own words
        found.append((m.start(), m.end()))
    for (_, end), (start, _) in pairwise(sorted(found)):
        # "at least one prior systemic regimen, but no more than 2 prior regimens": both bounds
        if re.fullmatch(r"\s*,?\s*(?:but|and)\s*", text[end:start], re.I):
            r.consume(end, start)
