"""Checked conversion of survival inputs to numpy arrays (shared by the estimators).

Every estimator in :mod:`oncotrial.stats` takes plain sequences or arrays and calls these helpers,
so that a negative or missing time, an event code other than 0/1 or a length mismatch is the
same clear :class:`~oncotrial.errors.ValueProblem` whichever function meets it first. Records
are numbered from 1 in the order given ("observation 3").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncotrial.errors import AnalysisError, Problem, SchemaError, ValueProblem

__all__ = [
    "FloatArray",
    "IntArray",
    "as_event",
    "as_groups",
    "as_time",
    "frozen",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MAX_LISTED = 20


def frozen(values: npt.ArrayLike, dtype: Any = np.float64) -> Any:
    """A read-only copy, so that result objects stay immutable."""
    array = np.array(values, dtype=dtype, copy=True)
    array.setflags(write=False)
    return array


def _problems_error(kind: str, field: str, problems: list[Problem]) -> ValueProblem:
    first = problems[0]
    more = f" ({len(problems)} observations in all)" if len(problems) > 1 else ""
    return ValueProblem(
        f"{first.message} at {first.record}{more}",
        record=first.record,
        field=field,
        hint=f"Correct the {kind} and run again.",
        problems=problems[:_MAX_LISTED],
    )


def as_time(values: npt.ArrayLike, *, field: str = "time") -> FloatArray:
    """Times as float64: finite and non-negative, at least one."""
    try:
        times = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueProblem(
            f"{field} values must be numbers ({exc})", field=field, hint="Give numeric times."
        ) from exc
    if times.ndim != 1:
        raise SchemaError(f"{field} must be one-dimensional, got shape {times.shape}", field=field)
    if times.size == 0:
        raise AnalysisError(f"no observations: {field} is empty", field=field)
    bad = ~np.isfinite(times) | (times < 0)
    if bad.any():
        problems = []
        for index in np.flatnonzero(bad)[:_MAX_LISTED]:
            value = times[index]
            reason = "missing time" if np.isnan(value) else "time must be finite and ≥ 0"
            problems.append(
                Problem(reason, record=f"observation {index + 1}", field=field, value=str(value))
            )
        raise _problems_error("times", field, problems)
    return times


def as_event(values: npt.ArrayLike, n: int, *, field: str = "event") -> npt.NDArray[np.bool_]:
    """Event indicators as booleans; only 0/1 (or False/True) are accepted."""
    try:
        codes = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueProblem(
            f"{field} codes must be 0 (censored) or 1 (event) ({exc})", field=field
        ) from exc
    if codes.shape != (n,):
        raise SchemaError(
            f"{field} has {codes.size} values for {n} times", field=field, hint="Give one per time."
        )
    bad = ~((codes == 0) | (codes == 1))
    if bad.any():
        problems = [
            Problem(
                "event code must be 0 (censored) or 1 (event)",
                record=f"observation {index + 1}",
                field=field,
                value=str(codes[index]),
            )
            for index in np.flatnonzero(bad)[:_MAX_LISTED]
        ]
        raise _problems_error("event codes", field, problems)
    flags: npt.NDArray[np.bool_] = codes == 1
    return flags


def as_groups(
    values: Sequence[Any] | npt.ArrayLike, n: int, *, field: str = "group"
) -> tuple[tuple[str, ...], IntArray]:
    """Group (or stratum) labels as sorted names and an integer code per observation.

    Labels sort as numbers when they are all numeric (as R's ``sort`` of a numeric column),
    otherwise as text. A missing or empty label is an error naming the observation.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    if series.size != n:
        raise SchemaError(
            f"{field} has {series.size} values for {n} times",
            field=field,
            hint="Give one per time.",
        )
    # factorize first (hash-based, fast); missing labels get code −1, empty text is a unique
    codes, uniques = pd.factorize(series.reset_index(drop=True), sort=False)
    found = list(uniques)
    blank = [i for i, v in enumerate(found) if isinstance(v, str) and not v.strip()]
    missing = (codes < 0) | np.isin(codes, blank)
    if missing.any():
        problems = [
            Problem("missing label", record=f"observation {index + 1}", field=field)
            for index in np.flatnonzero(missing)[:_MAX_LISTED]
        ]
        raise _problems_error(f"{field} labels", field, problems)
    numeric = pd.api.types.is_numeric_dtype(series.dtype) or all(
        isinstance(v, int | float | np.integer | np.floating) for v in found
    )
    order = sorted(range(len(found)), key=lambda i: found[i] if numeric else str(found[i]))
    rank = np.empty(len(found), dtype=np.int64)
    rank[order] = np.arange(len(found))
    names = tuple(_label(found[i]) for i in order)
    if len(set(names)) != len(names):
        raise ValueProblem(
            f"{field} labels {', '.join(names)} are not distinct as text", field=field
        )
    result: IntArray = rank[codes]
    return names, result


def _label(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
