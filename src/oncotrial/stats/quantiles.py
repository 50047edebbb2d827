"""Survival-time quantiles read off a step curve exactly as R's survival package does.

Two R rules exist and we keep both, because R itself uses both:

* :func:`r_median` — the median and its limits of ``summary(fit)$table`` and ``print(fit)``
  (``survmean``'s ``minmin``): the first time the curve (or a confidence band) is ≤ 0.5; if it
  equals 0.5 within √ε (1.49e-8), the midpoint of that time and the next time the curve drops;
  if it never drops again, that time itself.
* :func:`r_quantile` — ``quantile.survfit`` (any probability): the same midpoint rule on a flat
  segment, except that a curve ending flat at exactly ``1 - p`` gives the midpoint of that time
  and the last follow-up time.

A quantile the curve (or band) never reaches is ``None`` ("not reached"). The two rules differ
only for a curve that ends flat at exactly 0.5; docs/statistics.md records the difference.
Reference: Therneau, survival 3.5-3, R/print.survfit.R and R/quantile.survfit.R.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from oncotrial.stats._arrays import FloatArray

__all__ = ["TOLERANCE", "r_median", "r_quantile"]

#: R's ``sqrt(.Machine$double.eps)``, the tolerance both rules use to detect a flat at 1 - p.
TOLERANCE = math.sqrt(np.finfo(np.float64).eps)


def r_median(times: FloatArray, curve: FloatArray) -> float | None:
    """Median (or a limit of its CI) from a curve given at every distinct time (R ``minmin``).

    ``times`` are the curve's distinct times (events and censorings, ascending), ``curve`` the
    survival estimate or a confidence band at those times (NaN where undefined).
    """
    keep = ~np.isnan(curve) & (curve < 0.5 + TOLERANCE)
    if not keep.any():
        return None
    x = times[keep]
    y = curve[keep]
    if abs(y[0] - 0.5) < TOLERANCE:
        below = np.flatnonzero(y < y[0])
        if below.size:
            return float((x[0] + x[below[0]]) / 2)
    return float(x[0])


def r_quantile(
    times: FloatArray, curve: FloatArray, probability: float, *, start: float = 0.0
) -> float | None:
    """Time at which ``curve`` falls to ``1 - probability`` (R ``quantile.survfit``'s ``findq``).

    ``times``/``curve`` as for :func:`r_median`; ``start`` is the curve's origin (R's
    ``start.time``, 0 by default), returned for ``probability == 0``.
    """
    x = np.concatenate(([start], times))
    y = np.concatenate(([0.0], 1.0 - curve))
    if np.all(np.isnan(y)) or np.nanmax(y) < probability:
        return None
    last_time = x[-1]
    # R drops duplicated y values (the censorings; NaN counts as equal to NaN) before `approx`.
    unique = ~pd.Series(y).duplicated().to_numpy()
    x = x[unique]
    y = y[unique]
    if probability == 0:
        return float(x[0])
    defined = ~np.isnan(y)
    positions = np.flatnonzero(defined)
    first = _approx_constant_index(y[defined] + TOLERANCE, positions, probability)
    second = _approx_constant_index(y[defined] - TOLERANCE, positions, probability)
    if first is None:
        return None
    if not np.isnan(y[-1]) and abs(probability - y[-1]) < TOLERANCE:
        return float((x[first] + last_time) / 2)
    if second is None:
        return None
    return float((x[first] + x[second]) / 2)


def _approx_constant_index(xs: FloatArray, index: np.ndarray, value: float) -> int | None:
    """R ``approx(xs, index, value, method="constant", f=1)$y`` (``rule = 1``: NA outside)."""
    if xs.size == 0 or value < xs[0] or value > xs[-1]:
        return None
    found = int(np.searchsorted(xs, value, side="left"))
    return int(index[found])
