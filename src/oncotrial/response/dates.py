"""ISO 8601 assessment dates (SDTM --DTC) to analysis dates, with partial-date imputation.

SDTM dates may be complete (``2014-03-06``), carry a time (``2014-03-06T10:30``) or lack the day
(``2014-02``). A missing day is completed as the admiralonco ADRS template does
(``derive_vars_dt(highest_imputation = "D", date_imputation = "last")``) unless the settings say
otherwise, and flagged ``ADTF = "D"``. A date without a month cannot be completed that way and,
like text that is not a date, is reported. Parsing works on the distinct values only, so a
4-million-row column costs one pass of ``pandas.factorize``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["NO_DATE", "ParsedDates", "parse_dates", "to_datetime64"]

#: Day number used for "no date" in int64 day arrays (sorts after every real date).
NO_DATE = np.iinfo(np.int64).max

_FULL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?.*)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_EPOCH = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class ParsedDates:
    """Days since 1970-01-01 (``NO_DATE`` where unusable), imputation flags and problems."""

    days: np.ndarray  # int64
    imputed: np.ndarray  # bool: the day was imputed (ADTF = "D")
    problem: np.ndarray  # object: None or a message saying why the value is unusable
    bad: np.ndarray  # bool: the value is unusable (problem is not None)


def _one(text: str, partial_day: str) -> tuple[int, bool, str | None]:
    value = text.strip()
    match = _FULL.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return date(year, month, day).toordinal() - _EPOCH, False, None
        except ValueError:
            return NO_DATE, False, "not a calendar date (ISO 8601 YYYY-MM-DD expected)"
    match = _MONTH.match(value)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return NO_DATE, False, "not a calendar date (month out of range)"
        if partial_day == "reject":
            return NO_DATE, False, "the day is missing and partial dates are not accepted"
        day = calendar.monthrange(year, month)[1] if partial_day == "last" else 1
        return date(year, month, day).toordinal() - _EPOCH, True, None
    if _YEAR.match(value):
        return NO_DATE, False, "only the year is known; the month is needed to date an assessment"
    return NO_DATE, False, "not an ISO 8601 date (YYYY-MM-DD expected)"


def parse_dates(
    values: pd.Series, *, partial_day: Literal["first", "last", "reject"] = "last"
) -> ParsedDates:
    """Parse SDTM-style date text; missing values get the problem 'the date is missing'."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [_one(str(u), partial_day) for u in uniques]
    n_unique = len(parsed)
    u_days = np.fromiter((p[0] for p in parsed), dtype=np.int64, count=n_unique)
    u_imp = np.fromiter((p[1] for p in parsed), dtype=bool, count=n_unique)
    u_prob = np.empty(n_unique + 1, dtype=object)
    u_prob[:n_unique] = [p[2] for p in parsed]
    u_prob[n_unique] = "the date is missing"
    # Sentinel code -1 (missing) maps to the extra last slot.
    idx = np.where(codes < 0, n_unique, codes)
    u_bad = np.append(u_days == NO_DATE, True)
    days = np.append(u_days, NO_DATE)[idx]
    imputed = np.append(u_imp, False)[idx]
    return ParsedDates(days=days, imputed=imputed, problem=u_prob[idx], bad=u_bad[idx])


def to_datetime64(days: np.ndarray) -> np.ndarray:
    """Day numbers to ``datetime64[ns]`` (``NO_DATE`` becomes NaT)."""
    missing = days == NO_DATE
    out = np.where(missing, 0, days).astype("datetime64[D]").astype("datetime64[ns]")
    out[missing] = np.datetime64("NaT")
    return out
