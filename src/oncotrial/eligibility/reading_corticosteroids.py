"""A systemic corticosteroid at a prednisone-equivalent daily dose, within a window or ongoing
(issue 12): 'Corticosteroids (> 10 mg daily prednisone equivalents) … within 14 days', 'current
use of systemic steroids at a dose > 10 mg/day of prednisone or equivalent'. Read after the
named conditions (``reading_conditions``), whose rules it leaves alone.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _NEGATION, _taken
from oncotrial.eligibility.rules import Bound, Comparator, MedicationRule, NotRule, Rule
from oncotrial.eligibility.windows import _WINDOW, TO_REGISTRATION, _window

__all__ = ["read_corticosteroids"]


_STEROIDS = r"(?:systemic\s+)?(?:cortico)?steroids?(?:\s+(?:therapy|treatment|medications?))?"
_DOSE = (
    r"(?P<op>>|≥|>=|greater\s+than|more\s+than|exceeding|in\s+excess\s+of|above)\s*(?P<n>\d+(?:\.\d+)?)"
    r"\s*mg(?:\s*/\s*day|\s+(?:per\s+day|daily|a\s+day)|/d)?(?:\s+(?:per\s+day|daily))?\s*(?:of\s+)?"
    r"(?:prednisone|prednisolone)(?:\s*-?\s*equivalents?|\s+(?:or|and/or)\s+(?:its\s+|an\s+)?"
    r"equivalents?(?:\s+dose)?|\s+equivalent\s+dose)?"
)
_STEROID_DOSE = re.compile(
    r"(?P<what>"
    + _STEROIDS
    + r")\s*(?:\(\s*|,\s*|at\s+(?:a\s+)?doses?\s+(?:of\s+)?)?"
    + _DOSE
    + r"(?:\s*\))?",
    re.I,
)
_ONGOING = re.compile(
    r"\b(?:current(?:ly)?|ongoing|receiving|concurrent|concomitant)\b[^.;]{0,40}$", re.I
)


def read_corticosteroids(r: _Reader) -> None:
    """'Corticosteroids (> 10 mg daily prednisone equivalents) … within 14 days', 'current use of
    systemic steroids at a dose > 10 mg/day of prednisone or equivalent': the prednisone-
    equivalent daily dose of a systemic corticosteroid, within the window or ongoing. Without
    a window or a word saying it is current, nothing is read (the item stays unread)."""
    text = r.text
    m = _STEROID_DOSE.search(text)
    if m is None or _taken(r, m.start(), m.end()):
        return
    op = m.group("op").lower()
    comparator = Comparator.GE if op in {"≥", ">="} else Comparator.GT
    fields: dict[str, object] = {
        "therapy": "systemic_corticosteroid",
        "daily_dose": Bound(comparator=comparator, value=float(m.group("n"))),
    }
    spans = [(m.start(), m.end())]
    window = re.search(_WINDOW, text[m.end() :], re.I)
    if window is not None and re.fullmatch(
        r"[^.;]{0,80}", text[m.end() : m.end() + window.start()]
    ):
        within = _window(window)
        day = TO_REGISTRATION.match(text, m.end() + window.end())
        if day is not None:  # "within 14 days prior to registration": back from registration
            within = within.model_copy(update={"anchor": "registration"})
        fields["within"] = within
        spans.append((m.end() + window.start(), day.end() if day else m.end() + window.end()))
        tail = text[m.end() + window.end() : m.end() + window.end() + 30]
        to = re.search(r"registration|randomi[sz]ation|enrol?ment|screening", tail, re.I)
        if to is not None and day is None:
            r.warn(
                f"the window runs to {to.group(0).lower()}, not the first dose; oncotrial "
                "counts windows back from the first dose — confirm"
            )
    elif _ONGOING.search(text[max(0, m.start() - 60) : m.start()]):
        ongoing = _ONGOING.search(text[max(0, m.start() - 60) : m.start()])
        assert ongoing is not None
        fields["ongoing"] = True
        start = max(0, m.start() - 60) + ongoing.start()
        word = re.match(r"\w+", ongoing.group(0))
        assert word is not None
        spans.append((start, start + word.end()))
    else:
        return
    negate = not r.exclusion
    if negate and _NEGATION.search(text[max(0, m.start() - 60) : m.start()]) is None:
        return
    rule: Rule = r.draft(MedicationRule, m.start(), m.end(), **fields)
    if negate:
        rule = r.draft(NotRule, m.start(), m.end(), rule=rule)
    r.add(m.start(), m.end(), rule)
    for x, y in spans:
        r.consume(x, y)
