"""Days, weeks, months and years: the one conversion oncotrial uses.

Time is integer days from the reference date the analysis plan names; months are for display
and for reading registry time frames only. A month is the mean Gregorian month, 365.25 / 12 =
30.4375 days — the convention of ADaM time-to-event analyses and of admiral's
``compute_duration`` — and a year 365.25 days.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DAYS_PER_MONTH", "DAYS_PER_WEEK", "DAYS_PER_YEAR", "days_to_months"]

DAYS_PER_WEEK: Final = 7.0
DAYS_PER_YEAR: Final = 365.25
DAYS_PER_MONTH: Final = DAYS_PER_YEAR / 12  # 30.4375, exactly representable


def days_to_months(days: float) -> float:
    """``days`` as months of 30.4375 days (for display)."""
    return days / DAYS_PER_MONTH
