"""The windows of eligibility rules as criteria text writes them: "within 28 days prior to the
first dose", "within the past 6 months", "within 14 days of Day 1", "obtained ≤ 14 days prior to
registration".

A window of a rule counts back from the first dose, or, for laboratory values and performance
status, from registration (``rules.Window.anchor``); the words that name those days are declared
here once and read with the window.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.rules import Window
from oncotrial.eligibility.text import NUMBER_WORDS

__all__ = [
    "ANCHORED_WINDOW",
    "DAY_AFTER_WINDOW",
    "FIRST_DOSE",
    "HISTORY_WINDOW",
    "OR_HALF_LIVES",
    "OR_HALF_LIVES_AFTER",
    "REGISTRATION",
    "TO_REGISTRATION",
    "WINDOW_TO_DAY",
    "WINDOW_TO_FIRST_DOSE",
    "WITHIN_WINDOW",
    "history_window",
    "or_half_lives",
    "trailing_window",
    "window_to_day",
]

# The day a window of a rule counts back to (``Window``) is the first dose unless the words name
# registration (``REGISTRATION`` below); records name the first dose "the first dose (of study
# drug)", "the start / initiation of (study) treatment", "start of dosing", "(first) study drug",
# "administration of study treatment", "Day 1 (of protocol therapy)", "cycle 1 day 1" or "C1D1".
# Naming it adds no condition, so a window's words take it with them. "Day 0" is not among them:
# protocols use it for the first dose and for randomisation alike, and the words stay unread.
FIRST_DOSE = (
    r"(?:the\s+)?(?:(?:first|1st|initial)\s+(?:dose|administration)(?:\s+of\s+(?:the\s+)?"
    r"(?:(?:study|trial|protocol)\s+)?(?:drug|treatment|therapy|medication|intervention|agent)s?"
    r"(?:\s+administration)?)?"
    # "within 30 days of planned start of study therapy" (Merck's live-vaccine item, 11
    # development records): the planned first dose is the screen's
    r"|(?:planned\s+)?(?:start|initiation|beginning|commencement)\s+of\s+(?:the\s+)?"
    r"(?:(?:study|trial|protocol)\s+)?(?:drug\s+)?(?:treatment|therapy|dosing|drug|medication|"
    r"intervention)(?:\s+administration)?"
    # "prior to study treatment initiation" (NCT04862663 E2), "prior to study intervention
    # administration" (NCT06136650 E20; development records of jwlieb/clinical-trial-agent
    # data/demo @387df17): its start, the first dose
    r"|(?:first\s+)?(?:study|trial)\s+(?:drug|treatment|medication|dose|therapy|intervention)"
    r"(?:\s+(?:initiation|start|administration)\b)?"
    # "prior to administration of study treatment" (NCT05053971): its first administration
    r"|administration\s+of\s+(?:the\s+)?(?:study|trial|protocol)\s+(?:drug|treatment|therapy|"
    r"medication|intervention)s?"
    # "day 1 of protocol therapy" (NCT07288034): the first day of the study's own treatment;
    # "study Day 1" (the reference start of CDISC SDTM's study days, "usually … when the subject
    # was first exposed to study treatment": RFSTDTC), "Cycle1 Day1" (written without spaces)
    # "the start of Cycle 1 day 1" (NCT04679012 E14), "planned cycle 1 day 1 of study
    # treatment" (NCT06631521 E2; the planned first dose is the screen's), "cycle 1 day 1
    # (C1D1)" (NCT05168618 I12): the same day, its numbers part of its name
    r"|(?:start\s+of\s+)?(?:(?:the\s+)?planned\s+)?(?:(?:study|trial)\s+)?(?:cycle\s*1,?\s*)?"
    r"day\s*1\b(?:\s+of\s+cycle\s*1\b|\s+of\s+"
    r"(?:the\s+)?(?:protocol|study|trial)\s+(?:therapy|treatment|drug|intervention))?"
    r"(?:\s*\(C1D1\))?|(?:planned\s+)?C1D1\b"
    # "prior to initiating protocol therapy" (NCT05239546 E5), "prior to starting study
    # treatment": the first day of the study's own treatment, as "the start of" it is
    r"|(?:initiating|starting)\s+(?:the\s+)?(?:study|trial|protocol)\s+(?:drug\s+)?"
    r"(?:treatment|therapy|drug|medication|intervention)s?\b"
    # "prior to initiation of investigational agents" (NCT06678269 E4, an NCI record): after
    # "initiation of", the study's own investigational agents, given from its first dose
    r"|(?:the\s+)?initiation\s+of\s+(?:the\s+)?investigational\s+agents?\b"
    # "within 2 weeks of the first protocol treatment" (NCT04974671 E2, E5, E12): its first dose
    r"|(?:the\s+)?first\s+(?:protocol|study|trial)\s+(?:treatment|therapy|dose)\b)"
    # "the first dose of study treatment on Cycle 1, Day 1" (NCT05313243): the same day twice
    r"(?:\s+on\s+(?:cycle\s*1,?\s*day\s*1\b|C1D1\b))?"
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


# The day of registration, in the words records use for it: "registration", "randomization" /
# "randomisation", "enrollment" / "enrolment", "study entry", "protocol randomization". These are
# one day in a screen: the day eligibility is confirmed and the patient is entered (``Window``).
# So are "step 1 registration" / "step 1 randomization" (the first entry of a multi-step trial,
# NCT05136196) and "sub-study randomization" (the entry to the trial the record is, a sub-study
# of a master protocol: "Absolute neutrophil count >= 1.5 x 10^3/uL (within 28 days prior to
# sub-study randomization)", NCT05642572 I10; jwlieb/clinical-trial-agent data/demo @387df17),
# and "the date / day / time of" any of them. Not among them: "pre-registration" (NCI's step 0,
# days or weeks before registration, when a specimen is sent for central testing), "step 2
# registration" (a later step, after the treatment of step 1) and "screening" (but see
# ``_OF_SCREENING``): each is another day, and stays unread.
REGISTRATION = (
    r"(?<![-\w])(?:the\s+)?(?:(?:date|day|time)\s+of\s+(?:the\s+)?)?"
    r"(?:(?:study|trial|protocol|sub-?study)\s+|step\s+(?:1|I|one)\s+)?"
    # "allocation" / "treatment allocation": Merck's word for the day a participant is assigned
    # to treatment, randomised or not ("… within 4 weeks prior to allocation", "ECOG PS of 0 or
    # 1 assessed within 7 days prior to allocation", NCT06422143 I4; jwlieb/clinical-trial-agent
    # data/demo @387df17)
    r"(?:registration|randomi[sz]ation|enrol{1,2}ment|entry|(?:treatment\s+)?allocation)\b"
    r"(?!\s*(?:step|\d))"
)
# The words after a window that name the day it counts back to, when a reader read the window
# without them: "within 4 weeks prior to screening", "… before randomization", "… of study
# entry", "… of signing consent", and the test's own day ("without transfusion support within 7
# days of assessment", "… prior to the lab test"). Quoted unread by ``unread`` (a rule that read
# the window counts it from its own anchor, never from that day).
DAY_AFTER_WINDOW = re.compile(
    r"^\W*(?:prior\s+to|before|preceding|of|from|after)\s+(?:the\s+)?"
    r"(?:(?:date|day|time)\s+of\s+(?:the\s+)?)?(?:(?:study|trial|protocol)\s+)?"
    r"(?:screening|registration|randomi[sz]ation|enrol{1,2}ment|entry|allocation|consent|"
    r"signing|assessments?|(?:lab|laboratory)(?:\s+(?:tests?|assessments?|values?))?|tests?|"
    r"testing|samples?|sampling|collection)\b",
    re.I,
)
# "International normalized ratio (INR) < 1.5 within 6 weeks of screening" (NCT04693377 I5;
# jwlieb/clinical-trial-agent data/demo @387df17): a result from the 6 weeks around screening,
# read after a laboratory value or a performance status as a window to registration. The screen's
# day (registration) is on or after screening, so each result it takes is at most 6 weeks older
# than that day, never older than 6 weeks before screening; the results it takes that a literal
# "before screening" would not are those of screening itself, the ones the limit is checked on.
# Only "of screening" at the end of the words is read: "prior to screening" asks for a result
# before the screening tests, and "of screening laboratory sample collection", "the screening
# visit" name another day (they stay unread).
_OF_SCREENING = r"(?P<screening>(?:the\s+)?screening)\b(?!\s*[-\w(])"
# the study's treatment named by the word alone, read only in a window after a laboratory value
# or a performance status ("performed within 10 days of treatment"), where no other treatment is
# spoken of: the values decide eligibility for the study's treatment, so they precede it
# "Negative serum pregnancy test within 7 days prior to starting treatment" (development records
# of jwlieb/clinical-trial-agent data/demo @387df17): starting it, as the start of it
_TREATMENT = (
    r"(?:the\s+)?(?:(?:start\s+of|starting|initiating|initiation\s+of)\s+)?(?:the\s+)?"
    r"(?:treatment|therapy)\b(?:\s+(?:start|initiation)\b)?"
)
# "within 14 days", "≤ 14 days" ("=\\< 14 days" in the records' markdown), "no more than 14 days"
_SPAN = (
    r"(?:within\s+(?:the\s+)?(?:last\s+|past\s+)?|(?:≤|<=|=<)\s*|no\s+more\s+than\s+)"
    r"(?P<n>\d+)\s*(?P<unit>day|week|month|year)s?"
)
# a window after a laboratory value or a performance status, to the first dose or to registration:
# "(obtained ≤ 14 days prior to registration)", "within 14 days of enrollment", "measured within
# 14 days prior to administration of study treatment", "(within 2 weeks before enrollment)",
# "(To be performed within 14 days prior to Day 1 of protocol therapy)" (NCT05672355 I7),
# "(specimens must be collected within 5 days prior to the start of study treatment)"
# (NCT05041153 I9), "(last measurement within 7 days prior to enrollment)" (NCT06033196 E20),
# "(these labs must be obtained ≤ 28 days prior to step 1 randomization)" (NCT06732401 I9.4;
# jwlieb/clinical-trial-agent data/demo @387df17): the words say when the test is done, no more
ANCHORED_WINDOW = (
    r"(?:(?:(?:(?:(?:these|all)\s+)?(?:specimens?|samples?|labs?|tests?)\s+)?(?:(?:must|should|are\s+to|will)\s+)?(?:to\s+)?be\s+)?"
    r"(?:obtained|measured|performed|done|assessed|documented|drawn|collected)\s+"
    r"|(?:the\s+)?last\s+measurement\s+)?"
    + _SPAN
    + r"\s+(?:(?:prior\s+to|before|of|from)\s+(?:(?P<registration>"
    + REGISTRATION
    + r")|"
    + FIRST_DOSE
    + r"|"
    + _TREATMENT
    + r")|of\s+"
    + _OF_SCREENING
    + r")"
)
# a window to the first dose or to registration, in the words that name the day: "All labs should
# be obtained within 14 days prior to registration" over a list of tests (parser), "Laboratory
# values within 14 days prior to registration:" before them (reading_labs)
WINDOW_TO_DAY = (
    _WINDOW_SPAN
    + r"\s+(?:prior\s+to|before|of|from)\s+(?:(?P<registration>"
    + REGISTRATION
    + r")|"
    + FIRST_DOSE
    + r")"
)
# A window of a history rule (a condition, a procedure, a medication, another malignancy), with
# its day: "within 6 months prior to enrollment", "within 14 days of registration" (registration,
# ``Window.anchor``), "within 4 weeks of the first dose" or no day named (the first dose). Also
# the time-limited history of "Has received any type of organ transplant in the past 12 months"
# (NCT00068003 E12), "… within the previous 3 years", "no blood transfusions in the preceding 28
# days": "in / during the past, last, preceding or previous N" is the window before the day the
# screen counts back from, as "within the past N" is. "Screening", "consent" and "pre-registration"
# are other days: not matched here, their words stay for the reader (unread, or a warning).
_TO_DAY = (
    # "within 30 days prior enrollment" (NCT06083883 E20): "to" left out
    r"(?:\s+(?:prior(?:\s+to)?|before|of|from)\s+(?:(?P<registration>"
    + REGISTRATION
    + r")|"
    + FIRST_DOSE
    + r"))?"
)
HISTORY_WINDOW = (
    r"(?:within\s+(?:the\s+)?(?:(?:last|past|preceding|previous)\s+)?"
    r"|(?:in|during)\s+the\s+(?:last|past|preceding|previous)\s+)"
    r"(?P<n>\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"\s+(?P<unit>day|week|month|year)s?\b" + _TO_DAY
)
# "within N days", with its day, alone: after a list of treatments, where "in the past 6
# months" may open a clause of its own ("For patients who have received chemotherapy in the past
# 6 months, a CD4 count < 250 cells/mcL during chemotherapy is permitted", NCT05142592 E9)
WITHIN_WINDOW = _WINDOW_SPAN + _TO_DAY


def history_window(m: re.Match[str]) -> Window:
    """The window of a match of ``HISTORY_WINDOW``, with its day (a number written as a word
    too)."""
    n = m.group("n").lower()
    window = _window_of(str(NUMBER_WORDS.get(n) or n), m.group("unit"))
    if m.group("registration") is not None:
        return window.model_copy(update={"anchor": "registration"})
    return window


TO_REGISTRATION = re.compile(r"\s+(?:prior\s+to|before|of|from)\s+" + REGISTRATION, re.I)


def window_to_day(m: re.Match[str]) -> Window:
    """The window of a match of ``WINDOW_TO_DAY`` (or of ``_WINDOW`` followed by the words of
    registration), with its day."""
    window = _window(m)
    to_registration = (
        m.group("registration") is not None
        or ("screening" in m.re.groupindex and m.group("screening") is not None)
        if "registration" in m.re.groupindex
        else TO_REGISTRATION.match(m.string, m.end()) is not None
    )
    return window.model_copy(update={"anchor": "registration"}) if to_registration else window


_TRAILING = re.compile(r"\s*\)?\s*[,;]?\s*(?P<open>\()?\s*" + ANCHORED_WINDOW, re.I)


def trailing_window(
    text: str, end: int, *, of_screening: bool = False
) -> tuple[Window, int] | None:
    """The window written right after ``end`` (a limit's end) and where its words end, with
    the closing parenthesis of one the window opened; None when no window follows. A window
    "of screening" is read only with ``of_screening`` (after a laboratory limit)."""
    m = _TRAILING.match(text, end)
    if m is None or (m.group("screening") is not None and not of_screening):
        return None
    stop = m.end()
    close = re.match(r"\s*\)", text[stop:]) if m.group("open") else None
    if close is not None:
        stop += close.end()
    return window_to_day(m), stop


# "or 5 half-lives", "or within 5 half-lives of investigational agent", "or five half-lives",
# "or 5 drug-elimination half-lives", "or 5 times the half-life", after a window's days, with the
# words that say which of the two the window is: "(whichever is shorter)", ", whichever is
# shorter,", "(whichever is greater)", or inside brackets, "(or 5 half-lives, whichever is
# shorter)" (rule_window.Window); or after the day: "within 14 days prior to registration or
# within 5 half-lives of the investigational product, whichever is longer" (NCT04886531 E7).
# Without "whichever" the window is not read: "within 14 days or 5 half-lives of Cycle 1 Day 1"
# says neither. "If known" changes nothing: an unknown half-life leaves the days.
_HALF_LIFE_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}


def _half_life(tag: str) -> str:
    return (
        r"(?:within\s+)?"
        rf"(?P<k_{tag}>\d+|two|three|four|five)\s*(?:(?:drug[-\s])?(?:elimination\s+)?"
        r"half[-\s]?li(?:ves|fes|fe|ve)\b"
        r"|(?:times|x|×)\s*(?:the\s+|its\s+|their\s+)?(?:terminal\s+)?(?:elimination\s+)?"
        r"half[-\s]?life\b)"
        r"(?:\s+of\s+(?:the\s+|that\s+|each\s+|any\s+)?(?:previous\s+|prior\s+)?"
        r"(?:investigational\s+|therapeutic\s+)?(?:drug|agent|therapy|treatment|product)s?\b)?"
        r"(?:\s*\(if\s+known\))?"
    )


def _whichever(tag: str) -> str:
    which = rf"(?P<which_{tag}>shorter|longer|greater|lesser|less)\b"
    return r"whichever\s+(?:is|was)\s+(?:the\s+)?" + which


def _or_half_lives(tag: str) -> str:
    """ "or 5 half-lives (whichever is shorter)" or "or 5 half-lives, whichever is shorter"."""
    return (
        r"\s+or(?:,?\s+if\s+known,)?\s+"
        + _half_life(tag)
        + r"(?:\s*\(\s*"
        + _whichever(tag + "a")
        + r"\s*\)|\s*,\s*"
        + _whichever(tag + "b")
        + r")"
    )


# after the days, before the day
OR_HALF_LIVES = (
    r"(?P<half_lives>"
    + _or_half_lives("a")
    + r"|\s*\(\s*or\s+"
    + _half_life("b")
    + r"\s*,?\s*"
    + _whichever("b")
    + r"\s*\))\s*,?"
)
# after the day
OR_HALF_LIVES_AFTER = r"(?P<half_lives_after>\s*,?" + _or_half_lives("c") + r")"


def or_half_lives(window: Window, m: re.Match[str]) -> Window:
    """``window`` with the half-lives of a match of ``OR_HALF_LIVES`` or ``OR_HALF_LIVES_AFTER``
    (unchanged when the match has none)."""
    found = {k: v for k, v in m.groupdict().items() if v is not None}
    k = next((v for name, v in found.items() if name.startswith("k_")), None)
    which = next((v for name, v in found.items() if name.startswith("which_")), None)
    if k is None or which is None:
        return window
    longer = which.lower() in ("longer", "greater")
    return Window.model_validate(
        window.model_dump()
        | {
            "half_lives": _HALF_LIFE_WORDS.get(k.lower()) or int(k),
            "whichever": "longer" if longer else "shorter",
        }
    )
