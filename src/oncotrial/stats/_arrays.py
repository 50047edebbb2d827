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

from oncotrial.errors import AnalysisError, Problem, SchemaError, ValueProblem

__all__ = [
    "FloatArray",
    "IntArray",
    "as_event",
    "as_labels",
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


def as_labels(values: Sequence[Any] | npt.ArrayLike, n: int, *, field: str = "group") -> Any:
    """Group or stratum labels as an object array of strings; missing labels are errors."""
    labels = np.asarray(values, dtype=object)
    if labels.shape != (n,):
        raise SchemaError(
            f"{field} has {labels.size} values for {n} times",
            field=field,
            hint="Give one per time.",
        )
    problems = []
    out = np.empty(n, dtype=object)
    for index, value in enumerate(labels):
        if value is None or (isinstance(value, float) and np.isnan(value)) or str(value) == "":
            problems.append(
                Problem("missing label", record=f"observation {index + 1}", field=field)
            )
            continue
        out[index] = str(value)
    if problems:
        raise _problems_error(f"{field} labels", field, problems)
    return out
