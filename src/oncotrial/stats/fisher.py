"""Fisher's exact test: 2×2 with R's conditional odds ratio and interval, and 2×K tables.

2×2 (R ``fisher.test``): given the margins, the count a of cell [1, 1] follows Fisher's
noncentral hypergeometric distribution with odds ratio ψ. The estimate is the conditional MLE
(E_ψ[a] = a_obs), the interval inverts the one-sided tests (P_ψ(A ≥ a) = α/2 for the lower
limit, P_ψ(A ≤ a) = α/2 for the upper), and the two-sided p-value sums the tables no more
probable than the observed one under ψ = 1 (relative tolerance 1 + 10⁻⁷, as R). R solves the
equations with ``uniroot``'s default tolerance (about 1.2·10⁻⁴ on its internal scale), so its
printed estimate and limits can differ from ours in the 4th–6th significant digit; we solve to
full double precision (docs/statistics.md).

2×K (and K×2): the exact p-value by enumerating every table with the observed margins
(multivariate hypergeometric), summing those no more probable than the observed (R's
``fisher.test`` on an r×c table, which uses the network algorithm for the same sum).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize as _opt
from scipy import special as _sp

from oncotrial.errors import AnalysisError, ValueProblem

__all__ = ["FisherResult", "fisher_exact", "fisher_exact_table"]

_REL_ERR = 1 + 1e-7
_MAX_TABLES = 5_000_000


@dataclass(frozen=True)
class FisherResult:
    """Fisher's exact test of a 2×2 table with the conditional MLE odds ratio and its CI."""

    table: tuple[tuple[int, int], tuple[int, int]]
    odds_ratio: float
    lower: float
    upper: float
    p: float
    alternative: str
    conf_level: float


def _as_table(table: npt.ArrayLike) -> npt.NDArray[np.int64]:
    array = np.asarray(table, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ValueProblem(f"a contingency table must be 2-dimensional, got {array.shape}")
    if not np.isfinite(array).all() or (array < 0).any() or (array != np.round(array)).any():
        raise ValueProblem("table cells must be non-negative whole numbers", field="table")
    return array.astype(np.int64)


class _NoncentralHypergeometric:
    """The conditional distribution of cell [1, 1] of a 2×2 table given its margins."""

    def __init__(self, table: npt.NDArray[np.int64]) -> None:
        self.x = int(table[0, 0])
        m = int(table[:, 0].sum())  # first column total
        n = int(table[:, 1].sum())  # second column total
        k = int(table[0, :].sum())  # first row total
        self.lo = max(0, k - n)
        self.hi = min(k, m)
        self.support = np.arange(self.lo, self.hi + 1)
        s = self.support
        self.log_base = (
            _log_choose(m, s) + _log_choose(n, k - s) - _log_choose(m + n, k)
        )  # log dhyper

    def density(self, log_psi: float) -> npt.NDArray[np.float64]:
        d = self.log_base + log_psi * self.support
        d = np.exp(d - d.max())
        result: npt.NDArray[np.float64] = d / d.sum()
        return result

    def mean(self, log_psi: float) -> float:
        return float((self.support * self.density(log_psi)).sum())

    def cdf(self, q: int, log_psi: float, *, upper_tail: bool = False) -> float:
        d = self.density(log_psi)
        mask = self.support >= q if upper_tail else self.support <= q
        return float(d[mask].sum())


def _log_choose(n: npt.ArrayLike, k: npt.ArrayLike) -> npt.NDArray[np.float64]:
    n_arr = np.asarray(n, dtype=np.float64)
    k_arr = np.asarray(k, dtype=np.float64)
    result: npt.NDArray[np.float64] = (
        _sp.gammaln(n_arr + 1) - _sp.gammaln(k_arr + 1) - _sp.gammaln(n_arr - k_arr + 1)
    )
    return result


def _solve_log_psi(func: Callable[[float], float], target: float) -> float:
    """Root in log ψ of a function increasing in log ψ (bracket grows until it holds)."""
    low, high = -1.0, 1.0
    while func(low) > target:
        low *= 2
        if low < -1e3:
            return -np.inf
    while func(high) < target:
        high *= 2
        if high > 1e3:
            return np.inf
    return float(_opt.brentq(lambda v: func(v) - target, low, high, xtol=1e-14, rtol=1e-15))


def fisher_exact(
    table: npt.ArrayLike, *, alternative: str = "two-sided", conf_level: float = 0.95
) -> FisherResult:
    """Fisher's exact test of a 2×2 table ``[[a, b], [c, d]]`` (R ``fisher.test``).

    The odds ratio is (a·d)/(b·c)'s conditional maximum-likelihood counterpart;
    ``alternative`` is ``"two-sided"``, ``"greater"`` (ψ > 1) or ``"less"``.
    """
    cells = _as_table(table)
    if cells.shape != (2, 2):
        raise ValueProblem(
            f"fisher_exact needs a 2×2 table, got {cells.shape[0]}×{cells.shape[1]}",
            field="table",
            hint="Use fisher_exact_table for larger tables.",
        )
    if alternative not in {"two-sided", "greater", "less"}:
        raise ValueProblem(
            f"unknown alternative {alternative!r}",
            field="alternative",
            hint="Use two-sided, greater or less.",
        )
    if not 0 < conf_level < 1:
        raise ValueProblem(f"confidence level must be in (0, 1), got {conf_level}")
    if (cells.sum(axis=0) == 0).any() or (cells.sum(axis=1) == 0).any():
        raise AnalysisError(
            "a row or column of the 2×2 table is empty; the odds ratio is not defined",
            field="table",
        )
    dist = _NoncentralHypergeometric(cells)
    x, lo, hi = dist.x, dist.lo, dist.hi
    if alternative == "less":
        p = dist.cdf(x, 0.0)
    elif alternative == "greater":
        p = dist.cdf(x, 0.0, upper_tail=True)
    else:
        d = dist.density(0.0)
        p = float(min(1.0, d[d <= d[x - lo] * _REL_ERR].sum()))

    # conditional MLE: E_ψ[A] = x; 0 or ∞ at the ends of the support
    if x == lo:
        estimate = 0.0
    elif x == hi:
        estimate = np.inf
    else:
        estimate = float(np.exp(_solve_log_psi(dist.mean, x)))

    def upper_limit(alpha: float) -> float:
        if x == hi:
            return np.inf
        # P_ψ(A ≤ x) decreases in ψ: solve P = α
        return float(np.exp(_solve_log_psi(lambda v: -dist.cdf(x, v), -alpha)))

    def lower_limit(alpha: float) -> float:
        if x == lo:
            return 0.0
        return float(np.exp(_solve_log_psi(lambda v: dist.cdf(x, v, upper_tail=True), alpha)))

    if alternative == "less":
        lower, upper = 0.0, upper_limit(1 - conf_level)
    elif alternative == "greater":
        lower, upper = lower_limit(1 - conf_level), np.inf
    else:
        alpha = (1 - conf_level) / 2
        lower, upper = lower_limit(alpha), upper_limit(alpha)
    return FisherResult(
        table=((int(cells[0, 0]), int(cells[0, 1])), (int(cells[1, 0]), int(cells[1, 1]))),
        odds_ratio=estimate,
        lower=lower,
        upper=upper,
        p=p,
        alternative=alternative,
        conf_level=conf_level,
    )


def fisher_exact_table(table: npt.ArrayLike) -> float:
    """Two-sided exact p-value for a 2×K or K×2 table of counts (Freeman-Halton extension)."""
    cells = _as_table(table)
    if cells.shape[0] != 2 and cells.shape[1] == 2:
        cells = cells.T
    if cells.shape[0] != 2:
        raise ValueProblem(
            f"fisher_exact_table handles 2×K tables, got {cells.shape[0]}×{cells.shape[1]}",
            field="table",
        )
    cells = cells[:, cells.sum(axis=0) > 0]  # empty columns carry no information
    if cells.shape[1] < 2 or (cells.sum(axis=1) == 0).any():
        return 1.0
    columns = cells.sum(axis=0)
    first_row = int(cells[0].sum())
    total = int(columns.sum())
    # Enumerate the first row column by column, keeping partial sums that can still reach it.
    sums = np.zeros(1, dtype=np.int64)
    logp = np.zeros(1)
    remaining = int(columns.sum())
    for size in columns:
        remaining -= int(size)
        x = np.arange(size + 1)
        new_sums = (sums[:, None] + x[None, :]).ravel()
        new_logp = (logp[:, None] + _log_choose(int(size), x)[None, :]).ravel()
        feasible = (new_sums <= first_row) & (new_sums + remaining >= first_row)
        sums, logp = new_sums[feasible], new_logp[feasible]
        if sums.size > _MAX_TABLES:
            raise AnalysisError(
                f"too many tables to enumerate for the exact test (more than {_MAX_TABLES:,})",
                field="table",
                hint="Combine sparse categories, or use a chi-squared or trend test.",
            )
    logp = logp - _log_choose(total, first_row)
    observed = float(_log_choose(columns, cells[0]).sum() - _log_choose(total, first_row))
    prob = np.exp(logp)
    return float(min(1.0, prob[prob <= np.exp(observed) * _REL_ERR].sum()))
