"""Binomial proportions: exact (Clopper-Pearson) and Wilson intervals, exact tests, differences.

* Clopper-Pearson (1934), R ``binom.test``: lower = B(α/2; x, n − x + 1), upper =
  B(1 − α/2; x + 1, n − x), with B the beta quantile; 0 and 1 at x = 0 and x = n.
* Wilson (1927) score interval without continuity correction, R
  ``prop.test(x, n, correct = FALSE)``: (p̂ + z²/2n ∓ z√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n).
* Difference of two independent proportions p₁ − p₂: Newcombe's hybrid score interval (1998,
  method 10; the default) from the two Wilson intervals, or the Wald interval
  p̂₁ − p̂₂ ∓ z√(p̂₁(1−p̂₁)/n₁ + p̂₂(1−p̂₂)/n₂) (R ``prop.test(correct = FALSE)``'s interval).
* Exact one-sample binomial test of H₀: p = p₀ (R ``binom.test``; two-sided p sums outcomes no
  more likely than the observed one, with R's relative tolerance 1 + 10⁻⁷).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from scipy import stats as _st

from oncotrial.errors import ValueProblem

__all__ = [
    "BinomialTest",
    "CiMethod",
    "DiffMethod",
    "Proportion",
    "ProportionDifference",
    "binomial_ci",
    "binomial_test",
    "exact_binomial_test",
    "proportion_difference",
]

_REL_ERR = 1 + 1e-7  # R's tolerance for "as or less likely than observed"


class CiMethod(StrEnum):
    """Confidence interval for one binomial proportion."""

    CLOPPER_PEARSON = "clopper-pearson"  # exact; R binom.test, SAS EXACT BINOMIAL
    WILSON = "wilson"  # score; R prop.test(correct = FALSE)


class DiffMethod(StrEnum):
    """Confidence interval for a difference of two independent proportions."""

    NEWCOMBE = "newcombe"  # hybrid score (Newcombe 1998, method 10)
    WALD = "wald"  # normal approximation


@dataclass(frozen=True)
class Proportion:
    """count/total with its estimate and confidence interval."""

    count: int
    total: int
    estimate: float
    lower: float
    upper: float
    method: CiMethod
    conf_level: float

    @property
    def percent(self) -> float:
        return 100.0 * self.estimate

    def describe(self, digits: int = 1) -> str:
        """``"7/25 (28.0%; 95% CI 12.1–49.4)"``."""
        level = f"{100 * self.conf_level:g}%"
        return (
            f"{self.count}/{self.total} ({self.percent:.{digits}f}%; {level} CI "
            f"{100 * self.lower:.{digits}f}–{100 * self.upper:.{digits}f})"
        )


@dataclass(frozen=True)
class ProportionDifference:
    """p₁ − p₂ with its confidence interval."""

    first: Proportion
    second: Proportion
    difference: float
    lower: float
    upper: float
    method: DiffMethod
    conf_level: float


def _check_counts(count: int, total: int, field: str = "count") -> None:
    if int(count) != count or int(total) != total:
        raise ValueProblem(f"counts must be whole numbers, got {count}/{total}", field=field)
    if total <= 0:
        raise ValueProblem(
            f"the denominator must be at least 1, got {total}",
            field=field,
            hint="A rate needs at least one subject in the analysis population.",
        )
    if not 0 <= count <= total:
        raise ValueProblem(f"count {count} is outside 0..{total}", field=field)


def _check_level(conf_level: float) -> None:
    if not 0 < conf_level < 1:
        raise ValueProblem(
            f"confidence level must be between 0 and 1, got {conf_level}", field="conf_level"
        )


def binomial_ci(
    count: int,
    total: int,
    *,
    method: CiMethod | str = CiMethod.CLOPPER_PEARSON,
    conf_level: float = 0.95,
) -> Proportion:
    """count/total with an exact Clopper-Pearson (default) or Wilson confidence interval."""
    _check_counts(count, total)
    _check_level(conf_level)
    try:
        kind = CiMethod(method)
    except ValueError:
        raise ValueProblem(
            f"unknown interval method {method!r}",
            field="method",
            hint="Use clopper-pearson or wilson.",
        ) from None
    x, n = int(count), int(total)
    alpha = 1 - conf_level
    if kind is CiMethod.CLOPPER_PEARSON:
        lower = 0.0 if x == 0 else float(_st.beta.ppf(alpha / 2, x, n - x + 1))
        upper = 1.0 if x == n else float(_st.beta.ppf(1 - alpha / 2, x + 1, n - x))
    else:
        lower, upper = _wilson(x, n, conf_level)
    return Proportion(x, n, x / n, lower, upper, kind, conf_level)


def _wilson(x: int, n: int, conf_level: float) -> tuple[float, float]:
    z = float(_st.norm.ppf(1 - (1 - conf_level) / 2))
    p = x / n
    z22n = z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z22n / (2 * n))
    lower = max(0.0, (p + z22n - spread) / (1 + 2 * z22n))
    upper = min(1.0, (p + z22n + spread) / (1 + 2 * z22n))
    return float(lower), float(upper)


def binomial_test(count: int, total: int, p0: float, *, alternative: str = "two-sided") -> float:
    """Exact binomial test p-value of H₀: p = p₀ (``alternative``: two-sided, greater, less)."""
    _check_counts(count, total)
    if not 0 <= p0 <= 1:
        raise ValueProblem(f"p0 must be in [0, 1], got {p0}", field="p0")
    x, n = int(count), int(total)
    if alternative == "greater":
        return float(_st.binom.sf(x - 1, n, p0))
    if alternative == "less":
        return float(_st.binom.cdf(x, n, p0))
    if alternative != "two-sided":
        raise ValueProblem(
            f"unknown alternative {alternative!r}",
            field="alternative",
            hint="Use two-sided, greater or less.",
        )
    density = _st.binom.pmf(np.arange(n + 1), n, p0)
    observed = density[x]
    return float(min(1.0, density[density <= observed * _REL_ERR].sum()))


@dataclass(frozen=True)
class BinomialTest:
    """R ``binom.test``: the test of H₀ p = p₀ and the exact interval of the rate.

    The interval is the two-sided Clopper-Pearson interval (``binom.test(x, n)$conf.int``)
    whatever the alternative, so that it matches the reported rate in a table; the p-value is
    that of the stated alternative (one-sided for a single-arm phase II primary, ICH E9 §5.5).
    """

    events: int
    n: int
    null: float
    alternative: str
    estimate: float
    lower: float
    upper: float
    p_value: float
    conf_level: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "n": self.n,
            "null": self.null,
            "alternative": self.alternative,
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "p_value": self.p_value,
            "conf_level": self.conf_level,
            "method": "exact binomial test; Clopper-Pearson interval (R binom.test)",
        }

    def describe(self) -> str:
        sided = (
            "two-sided" if self.alternative == "two-sided" else f"one-sided ({self.alternative})"
        )
        level = f"{100 * self.conf_level:g}%"
        return (
            f"{self.events}/{self.n} ({100 * self.estimate:.1f}%; {level} CI "
            f"{100 * self.lower:.1f}–{100 * self.upper:.1f}); {sided} exact p = "
            f"{self.p_value:.4g} against p0 = {self.null:g}"
        )


def exact_binomial_test(
    count: int,
    total: int,
    p0: float,
    *,
    alternative: str = "two-sided",
    conf_level: float = 0.95,
) -> BinomialTest:
    """The exact test against ``p0`` with the estimate and its Clopper-Pearson interval."""
    p = binomial_test(count, total, p0, alternative=alternative)
    interval = binomial_ci(count, total, conf_level=conf_level)
    return BinomialTest(
        events=int(count),
        n=int(total),
        null=float(p0),
        alternative=alternative,
        estimate=interval.estimate,
        lower=interval.lower,
        upper=interval.upper,
        p_value=p,
        conf_level=conf_level,
    )


def proportion_difference(
    count1: int,
    total1: int,
    count2: int,
    total2: int,
    *,
    method: DiffMethod | str = DiffMethod.NEWCOMBE,
    conf_level: float = 0.95,
) -> ProportionDifference:
    """p₁ − p₂ with Newcombe's hybrid score interval (default) or the Wald interval."""
    _check_counts(count1, total1, "count1")
    _check_counts(count2, total2, "count2")
    _check_level(conf_level)
    try:
        kind = DiffMethod(method)
    except ValueError:
        raise ValueProblem(
            f"unknown difference interval {method!r}", field="method", hint="Use newcombe or wald."
        ) from None
    first = binomial_ci(count1, total1, method=CiMethod.WILSON, conf_level=conf_level)
    second = binomial_ci(count2, total2, method=CiMethod.WILSON, conf_level=conf_level)
    p1, p2 = first.estimate, second.estimate
    diff = p1 - p2
    if kind is DiffMethod.NEWCOMBE:
        lower = diff - np.sqrt((p1 - first.lower) ** 2 + (second.upper - p2) ** 2)
        upper = diff + np.sqrt((first.upper - p1) ** 2 + (p2 - second.lower) ** 2)
    else:
        z = float(_st.norm.ppf(1 - (1 - conf_level) / 2))
        half = z * np.sqrt(p1 * (1 - p1) / total1 + p2 * (1 - p2) / total2)
        lower, upper = max(-1.0, diff - half), min(1.0, diff + half)
    return ProportionDifference(
        first=first,
        second=second,
        difference=diff,
        lower=float(lower),
        upper=float(upper),
        method=kind,
        conf_level=conf_level,
    )
