"""Cochran-Armitage test for a linear trend in proportions (R ``prop.trend.test``).

With xᵢ successes of nᵢ in ordered category i with score sᵢ, N = Σnᵢ, p̄ = Σxᵢ/N and
s̄ = Σnᵢsᵢ/N: T = Σxᵢ(sᵢ − s̄) and χ² = T² / (p̄(1 − p̄) Σnᵢ(sᵢ − s̄)²) on 1 degree of freedom
(Cochran 1954; Armitage 1955). This is R's statistic (the weighted-regression sum of squares of
``prop.trend.test``), without the (N − 1)/N factor of the linear-by-linear association test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, ValueProblem

__all__ = ["TrendResult", "cochran_armitage"]


@dataclass(frozen=True)
class TrendResult:
    """χ² for trend (1 df), the signed z (positive: proportion rises with score) and p."""

    chisq: float
    z: float
    p: float
    scores: tuple[float, ...]


def cochran_armitage(
    successes: Sequence[int] | npt.ArrayLike,
    totals: Sequence[int] | npt.ArrayLike,
    *,
    scores: Sequence[float] | None = None,
) -> TrendResult:
    """Trend test of successes/totals over ordered categories (scores default 1, 2, …)."""
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(totals, dtype=np.float64)
    if x.ndim != 1 or x.shape != n.shape or x.size < 2:
        raise ValueProblem(
            "successes and totals must be two lists of equal length, at least two categories",
            field="successes",
        )
    if (x < 0).any() or (x > n).any() or (n < 0).any():
        raise ValueProblem("each count must lie between 0 and its category total", field="totals")
    s = np.arange(1, x.size + 1, dtype=np.float64) if scores is None else np.asarray(scores, float)
    if s.shape != x.shape:
        raise ValueProblem(f"{s.size} scores for {x.size} categories", field="scores")
    total = n.sum()
    p_bar = x.sum() / total if total > 0 else 0.0
    s_bar = (n * s).sum() / total if total > 0 else 0.0
    spread = (n * (s - s_bar) ** 2).sum()
    if total == 0 or p_bar in (0.0, 1.0) or spread == 0:
        raise AnalysisError(
            "no trend test is possible: every subject has the same outcome, or all are in one "
            "category",
            field="successes",
        )
    t = (x * (s - s_bar)).sum()
    z = t / np.sqrt(p_bar * (1 - p_bar) * spread)
    return TrendResult(
        chisq=float(z * z),
        z=float(z),
        p=float(_st.chi2.sf(z * z, 1)),
        scores=tuple(float(v) for v in s),
    )
