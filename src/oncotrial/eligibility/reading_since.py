"""Reading the time since a prior treatment, and windows written with "≤", as real records
write them (issue 12; the development corpus of jwlieb/clinical-trial-agent data/demo @387df17).

"At least 4 weeks from any prior major surgery" (NCT06249048 I7; an inclusion), "Participants
must be ≥2 weeks since any major surgery (excluding vascular access placement, …)"
(NCT03586453 I12): no such treatment within the window, read as "no major surgery within 4
weeks" is (``reading_history.read_time_since``, the older NCI phrasing "at least 4 weeks since
prior …", which needs "prior"). A patient whose surgery was exactly 4 weeks before the day is
counted inside the window (``Window.earliest``: both ends included), as that reader counts it.
Only "at least" / "a minimum of" / "≥": "more than 4 weeks" is another boundary. Words after the
name ("(excluding vascular access placement, …)", "for this lung cancer") stay unread, so the
item is partial.

"Surgery ≤3 weeks prior to study treatment", "Radiation therapy ≤2 weeks prior to study
treatment" (NCT05961709 E7.1, E7.3), "Patients who received radiation therapy ≤14 days prior to
initiation of investigational agents are excluded." (NCT06678269 E4): "≤ N days"
is "within N days" (both ends included, ``Window``). Only a window that names its day is read:
the first dose (``windows.FIRST_DOSE``) or registration ("≤ 14 days prior to registration",
``windows.REGISTRATION``: the window runs back from the screen's as-of date, ``Window.anchor``);
screening, consent or pre-registration are other days, and the words stay unread. "< 28 days"
is not read: a surgery exactly 28 days before would be inside the window, against the text.

"Patients who … are excluded", "Subjects with … will be excluded", "… are not eligible" /
"are ineligible" at the end of an exclusion item say what the exclusion list says of each of its
items: read as nothing, once the item has a rule. In the inclusion list the same words invert
the item, and they stay unread; a reason after them ("because …") stays unread too.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _taken
from oncotrial.eligibility.reading_history import _SINCE_WHAT, _exposure_rule
from oncotrial.eligibility.rules import NotRule
from oncotrial.eligibility.text import NUMBER_WORDS
from oncotrial.eligibility.windows import FIRST_DOSE, REGISTRATION, _window_of

__all__ = ["read_excluded_framing", "read_le_windows", "read_since_any"]

_COUNT = r"(?P<n>\d+|one|two|three|four|five|six|eight|twelve)"
_UNIT = r"\s*(?P<unit>day|week|month)s?"
# the treatments a time since or a window is read for: surgery, radiotherapy, chemotherapy and the
# drugs with a concept of their own (``reading_history._SINCE_WHAT``), and "a major surgical
# procedure", "surgical intervention" (the concepts' own names of major surgery and surgery)
_WHAT: tuple[tuple[str, str, str], ...] = (
    (r"major\s+surgical\s+procedures?", "procedure", "major_surgery"),
    (r"surgical\s+(?:intervention|procedure)s?", "procedure", "surgery"),
    *_SINCE_WHAT,
)
_ONE = "|".join(f"(?:{p})" for p, _, _ in _WHAT)
_LIST = rf"(?P<list>(?:{_ONE})(?:\s*(?:,\s*or|,|or|and|and/or)\s*(?:{_ONE}))*)(?![\w-])"

# "at least 4 weeks from any prior major surgery", "≥2 weeks since any major surgery", "a
# minimum of 28 days must have elapsed since the last radiotherapy"
_SINCE = re.compile(
    r"\b(?:(?:must\s+)?be\s+)?(?:at\s+least|a\s+minimum\s+of|≥|>=|=>)\s*"
    + _COUNT
    + _UNIT
    + r"\s+(?:(?:must\s+)?(?:have\s+)?(?:elapsed|passed)\s+)?"
    r"(?:since|from)\s+(?:the\s+)?(?:completion\s+of\s+|date\s+of\s+)?(?:the\s+)?(?:any\s+)?"
    r"(?:(?:prior|previous|last|most\s+recent)\s+)?" + _LIST,
    re.I,
)

# another day named after the treatments ("at least 4 weeks from radiation at the time of
# registration", NCT04585958 I26): the time since runs to that day, not to the first dose, and
# its words are all of them words an item may hold without a condition (unread._FILLER), so
# nothing would quote them; such an item is not read here at all
_OTHER_DAY = re.compile(
    r"[^.;]{0,60}?\b(?:at\s+(?:the\s+)?time\s+of|"
    + REGISTRATION
    + r"|screening|consent|pre-?registration)",
    re.I,
)


def _split(
    r: _Reader,
    start: int,
    lst: str,
    window_n: str,
    unit: str,
    negate: bool,
    to_registration: bool = False,
) -> None:
    n = window_n.lower()
    window = _window_of(str(NUMBER_WORDS.get(n) or n), unit)
    if to_registration:
        window = window.model_copy(update={"anchor": "registration"})
    for t in re.finditer(_ONE, lst, re.I):
        a, b = start + t.start(), start + t.end()
        kind, key = next((k, y) for p, k, y in _WHAT if re.fullmatch(p, t[0], re.I))
        rule = _exposure_rule(r, kind, key, a, b, window)
        r.add(a, b, r.draft(NotRule, a, b, rule=rule) if negate else rule)


def read_since_any(r: _Reader) -> None:
    """'At least 4 weeks from any prior major surgery', '≥2 weeks since any major surgery'
    (inclusions): not (the treatment within the window)."""
    if r.exclusion:
        return  # "at least 4 weeks since …" states what admits, never what excludes
    for m in _SINCE.finditer(r.text):
        if _taken(r, m.start(), m.end()) or _OTHER_DAY.match(r.text, m.end()):
            continue
        _split(r, m.start("list"), m.group("list"), m.group("n"), m.group("unit"), negate=True)
        r.consume(m.start(), m.end())


# "Surgery ≤3 weeks prior to study treatment", "Major surgery less than or equal to 3 weeks
# prior to initiating protocol therapy": the names, then only a lead of no meaning of its own
# ("performed", "received"), then the window and its day
_LE = re.compile(
    r"(?<![\w-])" + _LIST + r"\s*(?:(?:performed|received|given|administered|completed)\s+)?"
    r"(?:≤|=<|<=|\\?=\\?<|less\s+than\s+or\s+equal\s+to|no\s+more\s+than)\s*"
    + _COUNT
    + _UNIT
    + r"\s+(?:prior\s+to|before|of|from)\s+(?:(?P<registration>"
    + REGISTRATION
    + r")|"
    + FIRST_DOSE
    + r")",
    re.I,
)
# "No …", "Must not have had …" before the names of an inclusion
_NEGATION = re.compile(
    r"\b(?:no|without|(?:must|should)\s+not\s+(?:have\s+)?(?:had|received|undergone)?)\s*$", re.I
)


def read_le_windows(r: _Reader) -> None:
    """'Surgery ≤3 weeks prior to study treatment' (an exclusion), 'No radiotherapy ≤ 14 days
    prior to the first dose' (an inclusion, negated)."""
    text = r.text
    for m in _LE.finditer(text):
        if _taken(r, m.start(), m.end()):
            continue
        negation = None if r.exclusion else _NEGATION.search(text, 0, m.start())
        if not r.exclusion and negation is None:
            continue
        _split(
            r,
            m.start("list"),
            m.group("list"),
            m.group("n"),
            m.group("unit"),
            negate=not r.exclusion,
            to_registration=m.group("registration") is not None,
        )
        r.consume(m.start(), m.end())
        if negation is not None:
            r.consume(negation.start(), negation.end())


# "are excluded", "will be excluded", "are not eligible", "are ineligible (for this study)", at
# the end of the item
_EXCLUDED = re.compile(
    r"\b(?:are|is|will\s+be|shall\s+be|should\s+be)\s+(?:excluded|not\s+eligible|ineligible)"
    r"(?:\s+(?:from|for)\s+(?:this|the)\s+(?:study|trial|clinical\s+trial))?\s*[.;]?\s*$",
    re.I,
)


def read_excluded_framing(r: _Reader) -> None:
    """'Patients who received radiation therapy ≤14 days prior to … are excluded.': the last
    words say what an exclusion item is, and are read once the item has a rule."""
    if not r.exclusion or not r.found:
        return
    m = _EXCLUDED.search(r.text)
    if m is not None and not _taken(r, m.start(), m.end()):
        r.consume(m.start(), m.end())
