"""Binomial intervals, two-proportion differences, Fisher's exact test and the trend test.

Expected values come from independent implementations (statsmodels, scipy) and from R's own
documentation examples, cited beside each test.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats import (
    binomial_ci,
    binomial_test,
    cochran_armitage,
    fisher_exact,
    fisher_exact_table,
    proportion_difference,
)

COUNTS = [(0, 10), (1, 10), (5, 25), (7, 25), (12, 12), (3, 17), (40, 100), (682, 925)]


def test_clopper_pearson_r_documentation_example() -> None:
    # R: binom.test(c(682, 243), p = 3/4)  (Mendel's peas, ?binom.test)
    #    p-value = 0.3825; 95 percent confidence interval: 0.7076683 0.7654066
    result = binomial_ci(682, 925)
    assert result.lower == pytest.approx(0.7076683, abs=5e-8)
    assert result.upper == pytest.approx(0.7654066, abs=5e-8)
    assert binomial_test(682, 925, 0.75) == pytest.approx(0.3825, abs=5e-5)


@pytest.mark.parametrize(("x", "n"), COUNTS)
def test_intervals_match_statsmodels(x: int, n: int) -> None:
    for method, theirs in (("clopper-pearson", "beta"), ("wilson", "wilson")):
        ours = binomial_ci(x, n, method=method)
        low, high = proportion_confint(x, n, alpha=0.05, method=theirs)
        np.testing.assert_allclose([ours.lower, ours.upper], [low, high], rtol=1e-9, atol=1e-12)
    assert binomial_ci(x, n).estimate == x / n


@pytest.mark.parametrize(("x", "n"), COUNTS)
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_binomial_test_matches_scipy(x: int, n: int, alternative: str) -> None:
    ours = binomial_test(x, n, 0.3, alternative=alternative)
    assert ours == pytest.approx(stats.binomtest(x, n, 0.3, alternative=alternative).pvalue)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(7, 20, 3, 22), (0, 15, 4, 15), (12, 30, 12, 30), (25, 25, 20, 25)]
)
def test_difference_matches_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    for method, theirs in (("newcombe", "newcomb"), ("wald", "wald")):
        ours = proportion_difference(x1, n1, x2, n2, method=method)
        low, high = confint_proportions_2indep(x1, n1, x2, n2, method=theirs, compare="diff")
        if method == "wald":
            low, high = max(low, -1), min(high, 1)
        np.testing.assert_allclose([ours.lower, ours.upper], [low, high], rtol=1e-9, atol=1e-12)
        assert ours.difference == pytest.approx(x1 / n1 - x2 / n2)


def test_proportion_describe_and_bad_counts() -> None:
    assert binomial_ci(7, 25).describe() == "7/25 (28.0%; 95% CI 12.1–49.4)"
    with pytest.raises(ValueProblem, match="denominator"):
        binomial_ci(0, 0)
    with pytest.raises(ValueProblem, match="outside"):
        binomial_ci(5, 3)
    with pytest.raises(ValueProblem, match="clopper-pearson or wilson"):
        binomial_ci(1, 3, method="jeffreys")


TABLES = [
    [[3, 1], [1, 3]],  # R's TeaTasting
    [[10, 3], [2, 15]],
    [[0, 5], [6, 2]],
    [[7, 12], [9, 3]],
    [[1, 24], [5, 20]],
    [[20, 0], [3, 9]],
    [[12, 13], [12, 13]],
]


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_fisher_matches_scipy_conditional_mle(table: list, alternative: str) -> None:
    # scipy's odds_ratio(kind="conditional") solves the same noncentral hypergeometric
    # equations as R's fisher.test, independently of our code.
    ours = fisher_exact(table, alternative=alternative)
    ref = odds_ratio(table, kind="conditional")
    ci = ref.confidence_interval(alternative=alternative)
    np.testing.assert_allclose(ours.odds_ratio, ref.statistic, rtol=1e-9)
    np.testing.assert_allclose([ours.lower, ours.upper], [ci.low, ci.high], rtol=1e-8)
    np.testing.assert_allclose(
        ours.p, stats.fisher_exact(table, alternative=alternative).pvalue, rtol=1e-10
    )


def test_fisher_tea_tasting_r_documentation() -> None:
    # R: fisher.test(TeaTasting, alternative = "greater")  (?fisher.test): p-value = 0.2429
    assert fisher_exact([[3, 1], [1, 3]], alternative="greater").p == pytest.approx(
        0.2429, abs=5e-5
    )
    # two-sided p-value 0.4857 (R prints it for fisher.test(TeaTasting))
    assert fisher_exact([[3, 1], [1, 3]]).p == pytest.approx(0.4857, abs=5e-5)


def _brute_force_2xk(table: np.ndarray) -> float:
    columns = table.sum(axis=0)
    first = int(table[0].sum())
    observed = stats.multivariate_hypergeom.pmf(table[0], columns, first)
    total = 0.0
    for row in itertools.product(*(range(c + 1) for c in columns)):
        if sum(row) == first:
            p = stats.multivariate_hypergeom.pmf(row, columns, first)
            if p <= observed * (1 + 1e-7):
                total += p
    return total


@pytest.mark.parametrize(
    "table",
    [
        [[2, 5, 9], [10, 6, 3]],
        [[0, 3, 8], [7, 4, 1]],
        [[1, 1, 1], [2, 2, 2]],
        [[4, 2, 3, 6], [1, 5, 2, 0]],
    ],
)
def test_fisher_2xk_matches_brute_force_enumeration(table: list) -> None:
    ours = fisher_exact_table(table)
    assert ours == pytest.approx(_brute_force_2xk(np.array(table)), rel=1e-10)
    assert fisher_exact_table(np.array(table).T.tolist()) == pytest.approx(ours, rel=1e-12)


def test_fisher_2x2_via_table_equals_scipy() -> None:
    assert fisher_exact_table([[7, 12], [9, 3]]) == pytest.approx(
        stats.fisher_exact([[7, 12], [9, 3]]).pvalue, rel=1e-10
    )


def test_fisher_bad_tables() -> None:
    with pytest.raises(ValueProblem, match="2×2"):
        fisher_exact([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueProblem, match="whole numbers"):
        fisher_exact([[1, -2], [3, 4]])
    with pytest.raises(AnalysisError, match="empty"):
        fisher_exact([[0, 0], [3, 4]])


def test_cochran_armitage_r_documentation_example() -> None:
    # R: smokers <- c(83, 90, 129, 70); patients <- c(86, 93, 136, 82)
    #    prop.trend.test(smokers, patients)  (?prop.trend.test)
    #    X-squared = 8.2249, df = 1, p-value = 0.004132
    result = cochran_armitage([83, 90, 129, 70], [86, 93, 136, 82])
    assert result.chisq == pytest.approx(8.2249, abs=5e-5)
    assert result.p == pytest.approx(0.004132, abs=5e-7)
    assert result.z < 0  # the proportion falls with the score


def test_cochran_armitage_equals_scaled_linear_by_linear() -> None:
    # statsmodels' linear-by-linear association test: M² = (N − 1) r²; CA (R) is N r²
    from statsmodels.stats.contingency_tables import Table

    x = np.array([2, 7, 11])
    n = np.array([15, 20, 14])
    ordinal = Table(np.column_stack((x, n - x))).test_ordinal_association(
        row_scores=np.array([0, 1, 2]), col_scores=np.array([1, 0])
    )
    ours = cochran_armitage(x, n, scores=[0, 1, 2])
    total = n.sum()
    assert ours.chisq == pytest.approx(ordinal.zscore**2 * total / (total - 1), rel=1e-10)


def test_cochran_armitage_degenerate() -> None:
    with pytest.raises(AnalysisError, match="same outcome"):
        cochran_armitage([0, 0, 0], [5, 6, 7])
