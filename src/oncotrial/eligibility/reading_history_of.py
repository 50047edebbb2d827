"""'History of <events>' with no window: the events ever, as the windowed reading's names.

"History of myocardial infarction", "Any history of stroke or transient ischemic attack at any
time", "No history of pulmonary embolism": a list of the events ``reading_history`` reads with a
window ("… within 6 months"), here with none. Only after the words "history of" (a bare
"Pulmonary embolism" may mean a current one), only when no window follows (the windowed reading
takes those, and one it did not take leaves the words unread), and any other word in the list
stays unread.
"""

from __future__ import annotations

import re
from itertools import pairwise

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_history import _WINDOWED_NAMES, _negated
from oncotrial.eligibility.rules import AnyOfRule, ConditionRule, NotRule, Rule
from oncotrial.eligibility.windows import _WINDOW

__all__ = ["read_history_of"]

_EVENTS = tuple((pattern, key) for pattern, kind, key in _WINDOWED_NAMES if kind == "condition")
_HISTORY = re.compile(
    r"\b(?:any\s+)?(?:(?:known|prior|previous|past)\s+)?history\s+of\s+(?:an?\s+)?", re.I
)
_JOIN = re.compile(r"\s*(?:,\s*(?:or\s+|and/or\s+)?|\s+or\s+|\s+and/or\s+)(?:an?\s+)?", re.I)
_EVER = re.compile(r"\s*(?:at\s+any\s+time|ever)\b", re.I)


def _event_at(text: str, at: int) -> tuple[int, str] | None:
    for pattern, key in _EVENTS:
        m = pattern.match(text, at)
        if m is not None:
            return m.end(), key
    return None


def read_history_of(r: _Reader) -> None:
    text = r.text
    for lead in _HISTORY.finditer(text):
        at = lead.end()
        found: list[tuple[int, int, str]] = []
        while (hit := _event_at(text, at)) is not None:
            end, key = hit
            found.append((at, end, key))
            join = _JOIN.match(text, end)
            if join is None or _event_at(text, join.end()) is None:
                break
            at = join.end()
        if not found:
            continue
        start, end = found[0][0], found[-1][1]
        if any(f.start < end and start < f.end for f in r.found):
            continue  # another reading took the names (a window after them)
        if re.match(r"[^.;]{0,80}?" + _WINDOW, text[end:], re.I):
            continue  # a window the windowed reading did not take: never read as 'ever'
        negate = _negated(text, lead.start()) and not r.exclusion
        if not r.exclusion and not negate:
            continue  # "history of MI" to enter is no criterion oncotrial reads
        rules = tuple(r.draft(ConditionRule, a, b, condition=key) for a, b, key in found)
        rule: Rule = rules[0] if len(rules) == 1 else r.draft(AnyOfRule, start, end, rules=rules)
        if negate:
            rule = r.draft(NotRule, start, end, rule=rule)
        r.add(lead.start(), end, rule)
        for (_, a_end, _), (b_start, _, _) in pairwise(found):
            r.consume(a_end, b_start)
        ever = _EVER.match(text, end)
        if ever is not None:
            r.consume(end, ever.end())
