"""Vectorised Kaplan-Meier medians and log-rank tests over many replicate trials at once.

For simulation (operating characteristics of a design): R replicate two-arm trials of n
patients each, given as (R, n) arrays, are analysed in one pass of numpy operations — no Python
loop over replicates. The numbers are the same as :func:`~oncotrial.stats.km.kaplan_meier`'s
median (R's ``summary(fit)$table`` rule) and :func:`~oncotrial.stats.logrank.logrank_test`
for each replicate (tests check this), including tied times.

Method: sort each row by time; for every tie group of equal times find its first position, and
from prefix sums the numbers at risk and the events per arm at that time. The KM factor
(n − d)/n of each arm is applied at the group's last position and multiplied along the row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, SchemaError, ValueProblem
from oncotrial.stats._arrays import FloatArray, frozen
from oncotrial.stats.quantiles import TOLERANCE

__all__ = ["BatchTwoArm", "batch_km_median", "batch_two_arm"]


@dataclass(frozen=True)
class BatchTwoArm:
    """Per-replicate results: medians per arm (NaN = not reached) and the log-rank test.

    ``median[:, 0]`` is arm 0 (control), ``median[:, 1]`` arm 1; ``observed``/``expected``
    likewise. Arrays are read-only.
    """

    median: FloatArray
    observed: FloatArray
    expected: FloatArray
    variance: FloatArray
    chisq: FloatArray
    p: FloatArray

    @property
    def replicates(self) -> int:
        return int(self.chisq.shape[0])


def batch_km_median(time: npt.ArrayLike, event: npt.ArrayLike) -> FloatArray:
    """Kaplan-Meier median of each row of (R, n) ``time``/``event`` (NaN = not reached)."""
    times, events = _check(time, event)
    arm = np.zeros(times.shape, dtype=np.float64)
    sorted_t, parts = _tie_groups(times, events, arm)
    result: FloatArray = frozen(_median(sorted_t, parts["d"], parts["n"]))
    return result


def batch_two_arm(time: npt.ArrayLike, event: npt.ArrayLike, arm: npt.ArrayLike) -> BatchTwoArm:
    """KM median per arm and the log-rank test for each of R replicate two-arm trials.

    ``time`` and ``event`` are (R, n); ``arm`` is 0/1 per patient, either (n,) shared by every
    replicate or (R, n). Every replicate needs patients in both arms.
    """
    times, events = _check(time, event)
    arms = np.asarray(arm, dtype=np.float64)
    if arms.ndim == 1:
        arms = np.broadcast_to(arms, times.shape)
    if arms.shape != times.shape:
        raise SchemaError(f"arm must be (n,) or {times.shape}, got {arms.shape}", field="arm")
    if not np.isin(arms, (0.0, 1.0)).all():
        raise ValueProblem("arm codes must be 0 or 1", field="arm")
    in_arm1 = arms.sum(axis=1)
    if np.any(in_arm1 == 0) or np.any(in_arm1 == times.shape[1]):
        row = int(np.flatnonzero((in_arm1 == 0) | (in_arm1 == times.shape[1]))[0])
        raise AnalysisError(
            f"replicate {row + 1} has patients in one arm only; a two-arm comparison needs both",
            record=f"replicate {row + 1}",
            field="arm",
        )
    sorted_t, parts = _tie_groups(times, events, arms)
    d, n, d1, n1 = parts["d"], parts["n"], parts["d1"], parts["n1"]
    median = np.column_stack((_median(sorted_t, d - d1, n - n1), _median(sorted_t, d1, n1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(d > 0, n1 / n, 0.0)
        expected1 = (d * share).sum(axis=1)
        factor = np.where((d > 0) & (n > 1), d * (n - d) / (n - 1), 0.0)
        variance = (factor * share * (1 - share)).sum(axis=1)
        observed1 = d1.sum(axis=1)
        total = d.sum(axis=1)
        chisq = np.where(variance > 0, (observed1 - expected1) ** 2 / variance, 0.0)
    observed = np.column_stack((total - observed1, observed1))
    expected = np.column_stack((total - expected1, expected1))
    return BatchTwoArm(
        median=frozen(median),
        observed=frozen(observed),
        expected=frozen(expected),
        variance=frozen(variance),
        chisq=frozen(chisq),
        p=frozen(_st.chi2.sf(chisq, 1)),
    )


def _check(time: npt.ArrayLike, event: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    times = np.asarray(time, dtype=np.float64)
    events = np.asarray(event, dtype=np.float64)
    if times.ndim != 2 or times.shape != events.shape or times.shape[1] == 0:
        raise SchemaError(
            f"time and event must be (replicates, patients) arrays of one shape, got "
            f"{times.shape} and {events.shape}",
            field="time",
        )
    if not (np.isfinite(times).all() and (times >= 0).all()):
        raise ValueProblem("times must be finite and ≥ 0", field="time")
    if not np.isin(events, (0.0, 1.0)).all():
        raise ValueProblem("event codes must be 0 (censored) or 1 (event)", field="event")
    return times, events


def _tie_groups(
    times: FloatArray, events: FloatArray, arms: FloatArray
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Sorted times and, at the last position of each tie group, d, n, d1, n1 (else 0)."""
    replicates, n_pat = times.shape
    order = np.argsort(times, axis=1, kind="stable")
    t = np.take_along_axis(times, order, axis=1)
    e = np.take_along_axis(events, order, axis=1)
    a = np.take_along_axis(np.ascontiguousarray(arms), order, axis=1)
    same_as_next = t[:, 1:] == t[:, :-1]
    is_start = np.ones(t.shape, dtype=bool)
    is_start[:, 1:] = ~same_as_next
    is_end = np.ones(t.shape, dtype=bool)
    is_end[:, :-1] = ~same_as_next
    position = np.arange(n_pat)
    start = np.maximum.accumulate(np.where(is_start, position, 0), axis=1)
    zero = np.zeros((replicates, 1))
    cum_e = np.concatenate((zero, np.cumsum(e, axis=1)), axis=1)
    cum_a = np.concatenate((zero, np.cumsum(a, axis=1)), axis=1)
    cum_ea = np.concatenate((zero, np.cumsum(e * a, axis=1)), axis=1)
    after = position[None, :] + 1
    d = np.take_along_axis(cum_e, after, axis=1) - np.take_along_axis(cum_e, start, axis=1)
    d1 = np.take_along_axis(cum_ea, after, axis=1) - np.take_along_axis(cum_ea, start, axis=1)
    n = (n_pat - start).astype(np.float64)
    n1 = cum_a[:, -1:] - np.take_along_axis(cum_a, start, axis=1)
    keep = is_end
    return t, {
        "d": np.where(keep, d, 0.0),
        "n": np.where(keep, n, 0.0),
        "d1": np.where(keep, d1, 0.0),
        "n1": np.where(keep, n1, 0.0),
    }


def _median(t: FloatArray, d: FloatArray, n: FloatArray) -> FloatArray:
    """R ``minmin`` median per row of a KM curve whose factors are (n − d)/n where d > 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(d > 0, (n - d) / n, 1.0)
    survival = np.cumprod(factor, axis=1)
    rows = np.arange(t.shape[0])
    reached = survival < 0.5 + TOLERANCE
    has = reached.any(axis=1)
    first = np.argmax(reached, axis=1)
    level = survival[rows, first]
    lower = survival < level[:, None]
    has_lower = lower.any(axis=1)
    second = np.argmax(lower, axis=1)
    flat = (np.abs(level - 0.5) < TOLERANCE) & has_lower
    value = np.where(flat, (t[rows, first] + t[rows, second]) / 2, t[rows, first])
    result: FloatArray = np.where(has, value, np.nan)
    return result
