"""Cox and log-rank beyond the oracle cases: several covariates, strata, k groups, edge cases.

Independent references: statsmodels' PHReg and survdiff (separate implementations), and the
identity that without tied times the Cox score test equals the log-rank statistic.
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import survdiff

from oncotrial.errors import AnalysisError
from oncotrial.stats import cox_ph, cox_two_groups, logrank_test


def _data(seed: int, n: int = 300, digits: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    age = rng.normal(60, 10, n)
    site = rng.choice(["A", "B", "C"], n)
    t = np.round(rng.exponential(10 * np.exp(-0.4 * arm + 0.02 * (age - 60))), digits)
    c = np.round(rng.uniform(5, 30, n), digits)
    return {
        "time": np.minimum(t, c),
        "event": (t <= c).astype(int),
        "arm": arm,
        "age": age,
        "site": site,
    }


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("stratified", [False, True])
def test_cox_matches_statsmodels_phreg(ties: str, stratified: bool) -> None:
    d = _data(3)
    x = np.column_stack((d["arm"], d["age"]))
    strata = d["site"] if stratified else None
    ours = cox_ph(d["time"], d["event"], x, names=["arm", "age"], ties=ties, strata=strata)
    model = PHReg(d["time"], x, status=d["event"], ties=ties, strata=strata).fit()
    np.testing.assert_allclose([t.coef for t in ours.terms], model.params, rtol=1e-7)
    np.testing.assert_allclose([t.se for t in ours.terms], model.bse, rtol=1e-6)
    assert ours.df == 2
    assert ours.stratified is stratified


def test_stratified_logrank_matches_statsmodels_survdiff() -> None:
    d = _data(5)
    ours = logrank_test(d["time"], d["event"], d["arm"], strata=d["site"])
    chisq, p = survdiff(d["time"], d["event"], d["arm"], strata=d["site"])
    np.testing.assert_allclose(ours.chisq, chisq, rtol=1e-10)
    np.testing.assert_allclose(ours.p, p, rtol=1e-9)
    assert ours.stratified


def test_three_groups_logrank_matches_statsmodels() -> None:
    d = _data(8)
    ours = logrank_test(d["time"], d["event"], d["site"])
    chisq, p = survdiff(d["time"], d["event"], d["site"])
    assert ours.df == 2
    assert ours.groups == ("A", "B", "C")
    np.testing.assert_allclose(ours.chisq, chisq, rtol=1e-10)
    np.testing.assert_allclose(ours.p, p, rtol=1e-9)


def test_score_test_equals_logrank_without_ties() -> None:
    # With no tied times the Cox score test and the log-rank statistic are the same number.
    d = _data(9, digits=8)
    assert np.unique(d["time"]).size == d["time"].size
    for strata in (None, d["site"]):
        lr = logrank_test(d["time"], d["event"], d["arm"], strata=strata)
        cox = cox_two_groups(d["time"], d["event"], d["arm"], ties="breslow", strata=strata)
        np.testing.assert_allclose(cox.score_chisq, lr.chisq, rtol=1e-10)


def test_cox_k_groups_and_reference() -> None:
    d = _data(4)
    cox = cox_two_groups(d["time"], d["event"], d["site"], reference="B")
    assert cox.reference == "B"
    assert [t.name for t in cox.terms] == ["A", "C"]
    assert cox.df == 2
    with pytest.raises(Exception, match="reference group 'Z'"):
        cox_two_groups(d["time"], d["event"], d["site"], reference="Z")


def test_one_group_and_no_events_are_errors() -> None:
    with pytest.raises(AnalysisError, match="one level"):
        logrank_test([1, 2, 3], [1, 0, 1], ["a", "a", "a"])
    with pytest.raises(AnalysisError, match="one level"):
        cox_two_groups([1, 2, 3], [1, 0, 1], ["a", "a", "a"])
    with pytest.raises(AnalysisError, match="no events"):
        cox_ph([1, 2, 3, 4], [0, 0, 0, 0], [0, 1, 0, 1])
    with pytest.raises(AnalysisError, match="constant"):
        cox_ph([1, 2, 3, 4], [1, 0, 1, 0], [1, 1, 1, 1])


def test_monotone_likelihood_is_flagged() -> None:
    # every event in group 1, none in group 0: the HR estimate runs off to infinity
    time = [1, 2, 3, 4, 5, 6, 7, 8]
    event = [1, 1, 1, 1, 0, 0, 0, 0]
    group = [1, 1, 1, 1, 0, 0, 0, 0]
    cox = cox_ph(time, event, group)
    assert any("may be infinite" in w for w in cox.warnings)
