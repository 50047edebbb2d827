"""Dose, route and schedule read from an intervention's registry text.

"300 mg intravenous infusion, once every 3 weeks (Q3W) for up to 6 cycles" → 300 mg, IV, every
21 days, at most 6 cycles. "Procedure done once (per-protocol) prior to systemic therapy" → once,
before the first dose. Only what the text states is read; anything else stays None for a person
to add (and the protocol's provenance then says so).
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Dosing", "Route", "Timing", "parse_dosing"]


class Route(StrEnum):
    IV = "intravenous"
    ORAL = "oral"
    SC = "subcutaneous"
    IM = "intramuscular"
    PERCUTANEOUS = "percutaneous"
    INTRATUMORAL = "intratumoral"
    INHALED = "inhaled"
    TOPICAL = "topical"


class Timing(StrEnum):
    """When a one-off intervention happens relative to systemic treatment."""

    BEFORE_FIRST_DOSE = "before first dose"
    AFTER_FIRST_DOSE = "after first dose"


class Dosing(BaseModel):
    """The computable reading of an intervention's dose and schedule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dose: float | None = Field(None, gt=0)
    unit: str | None = None
    route: Route | None = None
    interval_days: int | None = Field(None, gt=0, description="Days between doses (Q3W = 21).")
    frequency: str | None = Field(None, description="The schedule as written, e.g. 'Q3W'.")
    max_cycles: int | None = Field(None, gt=0)
    once: bool = Field(False, description="A single administration or procedure.")
    timing: Timing | None = None

    @property
    def is_empty(self) -> bool:
        return self == Dosing()

    def describe(self) -> str:
        parts = []
        if self.dose is not None:
            parts.append(f"{self.dose:g} {self.unit or ''}".strip())
        if self.route is not None:
            parts.append("IV" if self.route is Route.IV else self.route.value)
        if self.once:
            parts.append("once")
        elif self.interval_days is not None:
            parts.append(f"every {self.interval_days} days")
        if self.max_cycles is not None:
            parts.append(f"max {self.max_cycles} cycles")
        if self.timing is not None:
            parts.append(self.timing.value)
        return ", ".join(parts)


_UNITS = r"mg/m2|mg/m²|mg/kg|µg/kg|μg/kg|mcg/kg|mg|µg|μg|mcg|g|gy|iu|units?|ml"
_DOSE = re.compile(
    rf"(?<![\w.])(?P<dose>\d+(?:\.\d+)?)\s*(?P<unit>{_UNITS})(?![\w/])", re.IGNORECASE
)

_ROUTES = [
    # "IV" alone is also a Roman numeral ("stage IV"); take it as a route only beside a dose,
    # an infusion or a schedule.
    (
        re.compile(
            r"\bintravenous(?:ly)?\b|\bi\.v\.|(?:mg|mg/kg|mg/m2)\s*,?\s*IV\b|"
            r"\bIV\s+(?:infusion|injection|drip|bolus|over|every|q\d|on\s+day)",
            re.I,
        ),
        Route.IV,
    ),
    (re.compile(r"\b(?:oral(?:ly)?|by mouth|p\.?o\.?)\b", re.I), Route.ORAL),
    (re.compile(r"\bsubcutaneous(?:ly)?|\bs\.?c\.?\b", re.I), Route.SC),
    (re.compile(r"\bintramuscular(?:ly)?|\bi\.?m\.?\b", re.I), Route.IM),
    (re.compile(r"\bpercutaneous(?:ly)?\b", re.I), Route.PERCUTANEOUS),
    (re.compile(r"\bintratumou?ral(?:ly)?\b", re.I), Route.INTRATUMORAL),
]

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8}

# Qn(W|D) abbreviations and their spelled-out forms, e.g. Q3W, q21d, "every 3 weeks".
_Q_ABBREV = re.compile(r"\bq\s*(?P<n>\d+)\s*(?P<unit>w|wk|d|day)s?\b", re.IGNORECASE)
_EVERY = re.compile(
    r"\b(?:once\s+)?every\s+(?P<n>\d+|one|two|three|four|six|eight)\s+(?P<unit>weeks?|days?)\b",
    re.IGNORECASE,
)
_NAMED = [
    (re.compile(r"\b(?:once\s+)?daily\b|\bqd\b|\bonce a day\b", re.I), 1, "QD"),
    (re.compile(r"\b(?:once\s+)?weekly\b|\bqw\b|\bonce a week\b", re.I), 7, "QW"),
    (re.compile(r"\bbiweekly\b|\bevery other week\b", re.I), 14, "Q2W"),
]
_CYCLES = re.compile(
    r"\b(?:up\s+to|maximum\s+of|max(?:imum)?\.?|at\s+most|for)\s+(?P<n>\d+|"
    + "|".join(_WORD_NUMBERS)
    + r")\s+cycles?\b",
    re.IGNORECASE,
)
_ONCE = re.compile(
    r"\b(?:done|performed|given|administered)?\s*once\b(?!\s+(?:every|daily|a))", re.I
)
_BEFORE = re.compile(
    r"\b(?:prior\s+to|before)\s+(?:the\s+)?(?:systemic\s+therapy|first\s+dose|"
    r"(?:start|initiation)\s+of\s+(?:systemic\s+)?(?:therapy|treatment)|immunotherapy|"
    r"drug\s+(?:therapy|treatment))",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"\b(?:after|following)\s+(?:the\s+)?(?:first\s+dose|start\s+of\s+(?:systemic\s+)?therapy)",
    re.IGNORECASE,
)


def _number(raw: str) -> int:
    return _WORD_NUMBERS.get(raw.lower()) or int(raw)


def parse_dosing(text: str | None) -> Dosing:
    """Dose, route, interval, cycle limit and timing stated in ``text``."""
    if not text:
        return Dosing()
    dose = unit = None
    if match := _DOSE.search(text):
        dose = float(match.group("dose"))
        unit = match.group("unit").replace("μ", "µ").replace("²", "2")
        unit = {"gy": "Gy", "iu": "IU"}.get(unit.lower(), unit.lower())
    route = next((r for pattern, r in _ROUTES if pattern.search(text)), None)

    interval = frequency = None
    if match := _Q_ABBREV.search(text):
        n = int(match.group("n"))
        interval = n * 7 if match.group("unit").lower().startswith("w") else n
        frequency = match.group(0).upper().replace(" ", "")
    elif match := _EVERY.search(text):
        n = _number(match.group("n"))
        weeks = match.group("unit").lower().startswith("week")
        interval = n * 7 if weeks else n
        frequency = f"Q{n}{'W' if weeks else 'D'}"
    else:
        for pattern, days, code in _NAMED:
            if pattern.search(text):
                interval, frequency = days, code
                break
    if frequency and (abbrev := _Q_ABBREV.search(text)):
        frequency = abbrev.group(0).upper().replace(" ", "")

    cycles = _number(m.group("n")) if (m := _CYCLES.search(text)) else None
    once = interval is None and bool(_ONCE.search(text))
    timing = None
    if _BEFORE.search(text):
        timing = Timing.BEFORE_FIRST_DOSE
    elif once and _AFTER.search(text):
        timing = Timing.AFTER_FIRST_DOSE
    return Dosing(
        dose=dose,
        unit=unit,
        route=route,
        interval_days=interval,
        frequency=frequency,
        max_cycles=cycles,
        once=once,
        timing=timing,
    )
