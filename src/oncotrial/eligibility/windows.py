"""The windows of eligibility rules as criteria text writes them: "within 28 days prior to the
first dose", "within the past 6 months", "within 14 days of Day 1".

Every window of a rule counts back from the first dose (``rules.Window``); the words that name
that day are declared here once and read with the window.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.rules import Window

__all__ = ["FIRST_DOSE", "WINDOW_TO_FIRST_DOSE"]

# The day every window of a rule counts back to (``Window``) is the first dose; records name it
# "the first dose (of study drug)", "the start / initiation of (study) treatment", "start of
# dosing", "(first) study drug", "Day 1", "cycle 1 day 1" or "C1D1". Naming it adds no condition,
# so a window's words take it with them. "Day 0" is not among them: protocols use it for the
# first dose and for randomisation alike, and the words stay unread.
FIRST_DOSE = (
    r"(?:the\s+)?(?:(?:first|1st|initial)\s+(?:dose|administration)(?:\s+of\s+(?:the\s+)?"
    r"(?:(?:study|trial|protocol)\s+)?(?:drug|treatment|therapy|medication|intervention|agent)s?"
    r"(?:\s+administration)?)?"
    r"|(?:start|initiation|beginning|commencement)\s+of\s+(?:the\s+)?"
    r"(?:(?:study|trial|protocol)\s+)?(?:drug\s+)?(?:treatment|therapy|dosing|drug|medication|"
    r"intervention)(?:\s+administration)?"
    r"|(?:first\s+)?(?:study|trial)\s+(?:drug|treatment|medication|dose|therapy|intervention)"
    r"|(?:cycle\s+1,?\s+)?day\s+1\b(?:\s+of\s+cycle\s+1\b)?|C1D1\b)"
)
_WINDOW_SPAN = (
    r"within\s+(?:the\s+)?(?:last\s+|past\s+)?(?P<n>\d+)\s+(?P<unit>day|week|month|year)s?"
)
# the window counted back from the first dose, in the words that name it
WINDOW_TO_FIRST_DOSE = _WINDOW_SPAN + r"\s+(?:prior\s+to|before|of|from)\s+" + FIRST_DOSE
# a window, with the first dose named or not (any other day named stays unread, or warns)
_WINDOW = _WINDOW_SPAN + r"(?:\s+(?:prior\s+to|before|of|from)\s+" + FIRST_DOSE + r")?"


def _window(m: re.Match[str]) -> Window:
    return _window_of(m.group("n"), m.group("unit"))


def _window_of(number: str, unit: str) -> Window:
    return Window.model_validate({"value": int(number), "unit": unit.lower() + "s"})
