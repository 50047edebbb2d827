"""Logistic regression OR per unit and ROC AUC with DeLong's interval, against independent
computations written here from the definitions (direct likelihood maximisation; the O(m·n)
placement-value formula of DeLong et al. 1988)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats import logistic_regression, roc_auc


def _sample(seed: int, n: int = 80) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    tps = rng.integers(0, 101, n).astype(float)
    respond = (rng.random(n) < 1 / (1 + np.exp(-(tps - 45) / 18))).astype(int)
    return tps, respond


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_logistic_matches_direct_maximum_likelihood(seed: int) -> None:
    x, y = _sample(seed)

    def nll(theta: np.ndarray) -> float:
        eta = theta[0] + theta[1] * x
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    fit = optimize.minimize(
        nll,
        np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000},
    )
    alpha, beta = fit.x
    p = 1 / (1 + np.exp(-(alpha + beta * x)))
    design = np.column_stack((np.ones_like(x), x))
    information = design.T @ (design * (p * (1 - p))[:, None])
    se = np.sqrt(np.linalg.inv(information)[1, 1])
    ours = logistic_regression(y, x, per=10, name="tps")
    assert ours.coef == pytest.approx(beta, rel=1e-5)
    assert ours.se == pytest.approx(se, rel=1e-4)
    assert ours.odds_ratio == pytest.approx(np.exp(10 * beta), rel=1e-4)
    z = stats.norm.ppf(0.975)
    assert ours.lower == pytest.approx(np.exp(10 * (beta - z * se)), rel=1e-4)
    assert ours.events == int(y.sum())


def test_logistic_separation_and_degenerate() -> None:
    with pytest.raises(AnalysisError, match="separates"):
        logistic_regression([0, 0, 1, 1], [1, 2, 3, 4])
    with pytest.raises(AnalysisError, match="same outcome"):
        logistic_regression([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueProblem, match="0/1"):
        logistic_regression([0, 2, 1], [1, 2, 3])


def _delong_by_definition(marker: np.ndarray, case: np.ndarray) -> tuple[float, float]:
    x = marker[case == 1]
    y = marker[case == 0]
    psi = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    auc = psi.mean()
    return auc, np.sqrt(v10.var(ddof=1) / x.size + v01.var(ddof=1) / y.size)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_delong_matches_definition_and_mann_whitney(seed: int) -> None:
    x, y = _sample(seed)
    x = np.round(x / 10)  # many ties
    ours = roc_auc(x, y)
    auc, se = _delong_by_definition(x, y)
    assert ours.auc == pytest.approx(auc, rel=1e-12)
    assert ours.se == pytest.approx(se, rel=1e-10)
    u = stats.mannwhitneyu(x[y == 1], x[y == 0]).statistic
    assert ours.auc == pytest.approx(u / (ours.cases * ours.controls), rel=1e-12)
    z = stats.norm.ppf(0.975)
    assert ours.lower == pytest.approx(max(0, auc - z * se))
    assert ours.upper == pytest.approx(min(1, auc + z * se))


def test_direction_and_limits() -> None:
    flipped = roc_auc([5, 4, 3, 2, 1, 0], [1, 1, 1, 0, 0, 0], higher_is_case=False)
    assert flipped.auc == 0
    perfect = roc_auc([0, 1, 2, 3, 4, 5], [0, 0, 0, 1, 1, 1])
    assert (perfect.auc, perfect.upper) == (1, 1)
    with pytest.raises(AnalysisError, match="at least 2 cases"):
        roc_auc([1, 2, 3], [1, 0, 0])
