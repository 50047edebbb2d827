"""The window of a rule (``Window``): a period before a day the criterion names, "14 days",
"3 months", "30 days or 5 half-lives, whichever is shorter". Re-exported by ``rules``.

A window of half-lives ("within 30 days or 5 half-lives, whichever is shorter, of the first dose
of study drug", NCT04130516 E10 in jwlieb/clinical-trial-agent data/demo/... @387df17) is the
shorter (or longer) of the days and of k half-lives of the drug received. oncotrial keeps no
table of half-lives (a rule's class, "investigational agent", "systemic anticancer therapy",
names no drug, and an investigational agent's half-life is in no label), so such a window is
decided on its days alone where the days decide it, and is unknown where only the half-life
would (``half_life_status``). Only medication rules take one (``DayWindow``, ``DoseWindow``
refuse it).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = ["DayWindow", "DoseWindow", "Window", "half_life_status"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Window(_Frozen):
    """A period before a day the criterion names: '14 days', '3 months'.

    ``anchor`` is that day. ``first_dose`` (the default): the planned first dose, or the as-of
    date when none is planned ("within 28 days prior to the first dose", "… to Day 1").
    ``registration``: the day of registration, randomisation or enrolment ("obtained ≤ 14 days
    prior to registration"), a day the trial's records do not hold apart from the screen itself:
    a screen's ``as_of`` date is the day eligibility is confirmed, and so the day of registration.
    A registration window runs back from the as-of date, and results after it are not used, even
    when a planned first dose is given (the first dose comes days or weeks later). The rules that
    take such a window are those the parser reads it for: laboratory values, derived values and
    performance status (``windows.ANCHORED_WINDOW``), medications ("any investigational drug
    within 30 days prior to registration": ``reading_washout``), procedures, conditions and
    other malignancies ("Major surgery within 14 days of enrollment": ``reading_history``).

    ``half_lives`` and ``whichever``: the window is the shorter (or the longer) of ``value``
    ``unit`` and that many half-lives of the drug ("within 4 weeks or 5 half-lives (whichever is
    shorter)"); medication rules only (see the module).
    """

    value: int = Field(gt=0)
    unit: Literal["days", "weeks", "months", "years"] = "days"
    anchor: Literal["first_dose", "registration"] = Field(
        "first_dose", description="The day the window runs back from (see the model's text)."
    )
    half_lives: int | None = Field(
        None, gt=0, description="Or this many half-lives of the drug (with ``whichever``)."
    )
    whichever: Literal["shorter", "longer"] | None = Field(
        None, description="Which of the days and the half-lives the window is."
    )

    @model_validator(mode="after")
    def _check(self) -> Window:
        if (self.half_lives is None) != (self.whichever is None):
            raise ValueError("a window of half-lives says whichever is shorter or longer")
        return self

    def earliest(self, reference: date) -> date:
        """The first day inside the window of days; the window is [earliest, reference], both
        included (for a window of half-lives, the window of its days).

        Months and years are calendar months and years (3 months before 31 May is 28 or 29
        February), as a protocol's "within 3 months" is read in practice.
        """
        if self.unit == "days":
            return reference - timedelta(days=self.value)
        if self.unit == "weeks":
            return reference - timedelta(weeks=self.value)
        months = self.value * (12 if self.unit == "years" else 1)
        year, month = divmod(reference.year * 12 + reference.month - 1 - months, 12)
        day = min(reference.day, calendar.monthrange(year, month + 1)[1])
        return date(year, month + 1, day)

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.value == 1 else self.unit
        return f"{self.value} {unit}"

    @property
    def or_half_lives(self) -> str:
        """', or 5 half-lives, whichever is shorter,' as a description says it ('' without)."""
        if self.half_lives is None:
            return ""
        return f" or {self.half_lives} half-lives, whichever is {self.whichever},"

    @property
    def day(self) -> str:
        """The day the window runs back from, as a description names it."""
        if self.anchor == "registration":
            return "registration (the screen's as-of date)"
        return "the first dose"


def half_life_status(window: Window, in_days: bool, on_the_day: bool) -> bool | None:
    """Whether a drug last taken in (``in_days``) or before the window's days, or on its very
    day (``on_the_day``: taken up to the day, inside any window), is within the window: True,
    False, or None (unknown: only the drug's half-life would say). For a window of days alone,
    ``in_days``."""
    if window.whichever is None or on_the_day:
        return in_days
    if window.whichever == "shorter":
        # outside the days is outside the shorter window; inside, the half-lives may end sooner
        return False if not in_days else None
    # inside the days is inside the longer window; beyond them, the half-lives may reach further
    return True if in_days else None


def _days_only(window: Window) -> Window:
    if window.half_lives is not None:
        raise ValueError(
            "a window of half-lives is read for medications only; this rule's windows are days"
        )
    return window


def _first_dose_window(window: Window) -> Window:
    if window.anchor != "first_dose":
        raise ValueError(
            "a window to registration is read for laboratory values, derived values, performance "
            "status, medications, procedures, conditions and other malignancies only; this "
            "rule's windows run back from the first dose"
        )
    return _days_only(window)


# a window of days (no half-lives), to the first dose or to registration: laboratory values,
# derived values, performance status, procedures, conditions, other malignancies
DayWindow = Annotated[Window, AfterValidator(_days_only)]
# a window of a rule kind whose evaluators count from the first dose (or as-of date) only
DoseWindow = Annotated[Window, AfterValidator(_first_dose_window)]
