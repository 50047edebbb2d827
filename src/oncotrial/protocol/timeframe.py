"""Time frames of registry outcomes read as durations.

Registrations write time frames as free text: "6 months", "Up to 2 years", "assessed up to 18
months", "24 months", "From date of randomization until …, assessed up to18 months", "Up to 1
years". The reading takes the last duration the text states (the assessment horizon follows the
narrative) and whether it is an "up to" horizon or a time point. Months convert to days with the
mean Gregorian month, 30.4375 days (365.25 / 12), the convention for display throughout oncotrial.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from oncotrial.catalogue.durations import DAYS_PER_MONTH, DAYS_PER_WEEK, DAYS_PER_YEAR
from oncotrial.eligibility.text import NUMBER_WORDS

__all__ = ["DAYS_PER_MONTH", "DAYS_PER_YEAR", "Duration", "TimeUnit", "parse_duration"]


class TimeUnit(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


_DAYS_PER_UNIT = {
    TimeUnit.DAYS: 1.0,
    TimeUnit.WEEKS: DAYS_PER_WEEK,
    TimeUnit.MONTHS: DAYS_PER_MONTH,
    TimeUnit.YEARS: DAYS_PER_YEAR,
}

_UNIT_WORDS = {
    "day": TimeUnit.DAYS,
    "days": TimeUnit.DAYS,
    "d": TimeUnit.DAYS,
    "week": TimeUnit.WEEKS,
    "weeks": TimeUnit.WEEKS,
    "wk": TimeUnit.WEEKS,
    "wks": TimeUnit.WEEKS,
    "w": TimeUnit.WEEKS,
    "month": TimeUnit.MONTHS,
    "months": TimeUnit.MONTHS,
    "mo": TimeUnit.MONTHS,
    "mos": TimeUnit.MONTHS,
    "year": TimeUnit.YEARS,
    "years": TimeUnit.YEARS,
    "yr": TimeUnit.YEARS,
    "yrs": TimeUnit.YEARS,
    "y": TimeUnit.YEARS,
}


# "up to18 months" (no space) occurs in real records, hence \s* between "to" and the number.
_DURATION = re.compile(
    r"(?P<upto>\b(?:up\s+to|within|through|until|for)\s*)?"
    r"(?P<number>\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")"
    r"\s*-?\s*(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?|[dwy])\b",
    re.IGNORECASE,
)


# "Week 16", "Day 28", "Month 6": a visit named by its unit and number is a time point.
_VISIT = re.compile(r"\b(?P<unit>day|week|month|year)\s*(?P<number>\d+(?:\.\d+)?)\b", re.IGNORECASE)


class Duration(BaseModel):
    """A stated length of time: a value in a unit, as a horizon ("up to") or a time point."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(gt=0)
    unit: TimeUnit
    up_to: bool = Field(False, description="True for a horizon ('up to 2 years').")

    @property
    def days(self) -> float:
        return self.value * _DAYS_PER_UNIT[self.unit]

    @property
    def months(self) -> float:
        return self.days / DAYS_PER_MONTH

    def __str__(self) -> str:
        number = f"{self.value:g}"
        unit = self.unit.value[:-1] if self.value == 1 else self.unit.value
        return f"{'up to ' if self.up_to else ''}{number} {unit}"


def parse_duration(text: str | None) -> Duration | None:
    """The last duration stated in ``text`` (None when it states none)."""
    if not text:
        return None
    found = [(m.start(), m, False) for m in _DURATION.finditer(text)]
    found += [(m.start(), m, True) for m in _VISIT.finditer(text)]
    if not found:
        return None
    _, match, is_visit = max(found, key=lambda item: item[0])
    raw = match.group("number").lower()
    value = float(NUMBER_WORDS[raw]) if raw in NUMBER_WORDS else float(raw)
    if value <= 0:
        return None
    unit = _UNIT_WORDS[match.group("unit").lower()]
    up_to = not is_visit and (
        bool(match.group("upto")) or bool(re.search(r"\bup\s*to\b", text, re.IGNORECASE))
    )
    return Duration(value=value, unit=unit, up_to=up_to)
