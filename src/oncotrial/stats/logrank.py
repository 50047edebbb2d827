"""Log-rank test for two or more groups, optionally stratified (R ``survdiff``, rho = 0).

At each distinct event time j (within a stratum) with nⱼ at risk, dⱼ events, and n_gj at risk
in group g: O_g = Σ d_gj, E_g = Σ dⱼ n_gj / nⱼ, and
V_gh = Σ dⱼ (nⱼ − dⱼ)/(nⱼ − 1) · (n_gj/nⱼ)(δ_gh − n_hj/nⱼ) (Mantel 1966; Peto & Peto 1972).
Stratified: O, E and V are summed over strata. χ² = (O − E)ᵀ V⁻ (O − E) on the groups with
E > 0, dropping the first (R's generalised inverse), with k − 1 degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError
from oncotrial.stats._arrays import as_event, as_groups, as_time

__all__ = ["LogRankResult", "logrank_test"]


@dataclass(frozen=True)
class LogRankResult:
    """Observed and expected events per group, the χ² statistic and its p-value."""

    groups: tuple[str, ...]
    n: tuple[int, ...]
    observed: tuple[float, ...]
    expected: tuple[float, ...]
    variance: tuple[tuple[float, ...], ...]
    chisq: float
    df: int
    p: float
    stratified: bool = False


def logrank_test(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    strata: npt.ArrayLike | None = None,
) -> LogRankResult:
    """Log-rank (Mantel-Haenszel) test that the groups share one survival curve.

    Groups are reported in sorted label order. A group column with one level is an
    :class:`~oncotrial.errors.AnalysisError`.
    """
    times = as_time(time)
    events = as_event(event, times.size)
    names, codes = as_groups(group, times.size)
    if len(names) < 2:
        raise AnalysisError(
            f"the log-rank test compares groups, but the group column has one level ({names[0]!r})",
            field="group",
            hint="Give a group column with at least two levels.",
        )
    stratum_codes = (
        np.zeros(times.size, dtype=np.int64)
        if strata is None
        else as_groups(strata, times.size, field="strata")[1]
    )
    k = len(names)
    observed = np.zeros(k)
    expected = np.zeros(k)
    variance = np.zeros((k, k))
    for stratum in np.unique(stratum_codes):
        mask = stratum_codes == stratum
        o, e, v = _stratum_terms(times[mask], events[mask], codes[mask], k)
        observed += o
        expected += e
        variance += v
    chisq = _chisq(observed, expected, variance)
    df = int((expected > 0).sum()) - 1
    return LogRankResult(
        groups=names,
        n=tuple(int(v) for v in np.bincount(codes, minlength=k)),
        observed=tuple(float(v) for v in observed),
        expected=tuple(float(v) for v in expected),
        variance=tuple(tuple(float(v) for v in row) for row in variance),
        chisq=chisq,
        df=df,
        p=float(_st.chi2.sf(chisq, df)) if df > 0 else float("nan"),
        stratified=strata is not None,
    )


def _stratum_terms(
    times: npt.NDArray[np.float64],
    events: npt.NDArray[np.bool_],
    codes: npt.NDArray[np.int64],
    k: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    distinct, inverse = np.unique(times, return_inverse=True)
    m = distinct.size
    # per distinct time and group: number leaving (any reason) and number of events
    cell = inverse * k + codes
    leaving = np.bincount(cell, minlength=m * k).reshape(m, k).astype(np.float64)
    dying = np.bincount(cell, weights=events, minlength=m * k).reshape(m, k)
    at_risk = np.cumsum(leaving[::-1], axis=0)[::-1]  # n_gj: time ≥ t_j
    n = at_risk.sum(axis=1)
    d = dying.sum(axis=1)
    use = d > 0
    at_risk, n, d, dying = at_risk[use], n[use], d[use], dying[use]
    share = at_risk / n[:, None]
    observed = dying.sum(axis=0)
    expected = (d[:, None] * share).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    weighted = factor[:, None] * share
    variance = np.diag(weighted.sum(axis=0)) - weighted.T @ share
    return observed, expected, variance


def _chisq(
    observed: npt.NDArray[np.float64],
    expected: npt.NDArray[np.float64],
    variance: npt.NDArray[np.float64],
) -> float:
    keep = expected > 0
    if keep.sum() < 2:
        return 0.0
    diff = (observed - expected)[keep][1:]
    v = variance[np.ix_(keep, keep)][1:, 1:]
    return float(diff @ np.linalg.solve(v, diff))
