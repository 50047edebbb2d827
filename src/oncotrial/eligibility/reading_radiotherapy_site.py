"""Previous radiotherapy to a body site (issue 12): 'Previous radiotherapy to the prostate',
'Previous radiotherapy in the head and neck region', 'No prior abdominopelvic radiotherapy'.
Read after the named conditions (``reading_conditions``), whose rules it leaves alone.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts_oncology import site_key
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _NEGATION, _taken
from oncotrial.eligibility.rules import NotRule, ProcedureRule, Rule
from oncotrial.eligibility.windows import HISTORY_WINDOW, history_window

__all__ = ["read_radiotherapy_site"]


_SITE_WORDS = r"head\s+and\s+neck|prostate(?:\s+bed)?|pelvis|chest|thorax|abdomen|lungs?|larynx"
_RADIOTHERAPY_SITE = re.compile(
    r"(?:previous|prior)\s+(?:(?P<adj>abdominopelvic|pelvic|thoracic|chest|prostate)\s+)?"
    r"(?:radiotherapy|radiation(?:\s+therapy)?|irradiation)"
    r"(?:\s+(?:to|in|of|on)\s+(?:the\s+)?(?P<site>" + _SITE_WORDS + r")(?:\s+(?:region|area))?)?",
    re.I,
)


def read_radiotherapy_site(r: _Reader) -> None:
    """'Previous radiotherapy to the prostate', 'Previous radiotherapy in the head and neck
    region', 'No prior abdominopelvic radiotherapy': radiotherapy to a body site, ever or within
    the window that follows. A site oncotrial does not know leaves the words unread."""
    text = r.text
    for m in _RADIOTHERAPY_SITE.finditer(text):
        words = m.group("site") or m.group("adj")
        if words is None or _taken(r, m.start(), m.end()):
            continue
        site = site_key(re.sub(r"\s+", " ", words))
        if site is None:
            continue
        negate = not r.exclusion
        if negate and _NEGATION.search(text[max(0, m.start() - 40) : m.start()]) is None:
            continue
        fields: dict[str, object] = {"procedure": "radiotherapy", "site": site}
        end = m.end()
        window = re.match(r"\s*" + HISTORY_WINDOW, text[end:], re.I)
        if window is not None:
            fields["within"] = history_window(window)
            end += window.end()
        rule: Rule = r.draft(ProcedureRule, m.start(), end, **fields)
        if negate:
            rule = r.draft(NotRule, m.start(), end, rule=rule)
        r.add(m.start(), end, rule)
