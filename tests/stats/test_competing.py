"""Cumulative incidence (Aalen-Johansen) and Gray's test against R's cmprsk 2.2-11.

Values from oracle_analysis/generate.R (case 4): ``cuminc`` estimates and variances at 3, 6,
12, 18 and 24 months, which equal ``survfit``'s multi-state ``pstate``; Gray's test for each
cause between two arms, for three groups in two strata, and with ρ = 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _survival_oracle import RTOL

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats.competing import cumulative_incidence, gray_test
from oncotrial.stats.km import kaplan_meier

OWN = Path(__file__).parent / "oracle_analysis"


@pytest.fixture(scope="module")
def oracle() -> dict:
    return json.loads((OWN / "competing.expected.json").read_text())


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(OWN / "competing.csv")


def test_aalen_johansen_matches_cuminc_and_survfit(oracle: dict, data: pd.DataFrame) -> None:
    local = cumulative_incidence(data.time, data.status, data.arm, cause=1)
    death = cumulative_incidence(data.time, data.status, data.arm, cause=2)
    for arm, want in oracle["aalen_johansen"].items():
        got = local[arm].at(oracle["times"])
        np.testing.assert_allclose([g.estimate for g in got], want["local"], rtol=RTOL)
        np.testing.assert_allclose([g.variance for g in got], want["cuminc_var"], rtol=RTOL)
        other = death[arm].at(oracle["times"])
        np.testing.assert_allclose([g.estimate for g in other], want["death"], rtol=RTOL)


def test_the_states_add_up_to_one(data: pd.DataFrame) -> None:
    # F_local + F_death + S_all-cause = 1 at every time (Aalen-Johansen is a proper distribution)
    for arm in ("control", "radiotherapy"):
        rows = data[data.arm == arm]
        times = sorted(rows.time.unique())
        f1 = cumulative_incidence(rows.time, rows.status, cause=1)["all"].at(times)
        f2 = cumulative_incidence(rows.time, rows.status, cause=2)["all"].at(times)
        s = kaplan_meier(rows.time, rows.status > 0).survival_at(times)
        total = np.array(
            [a.estimate + b.estimate + c.survival for a, b, c in zip(f1, f2, s, strict=True)]
        )
        np.testing.assert_allclose(total, 1.0, rtol=1e-12)


def test_without_competing_events_it_is_one_minus_km(data: pd.DataFrame) -> None:
    status = np.where(data.status == 2, 0, data.status)
    f = cumulative_incidence(data.time, status)["all"].at([6, 12, 24])
    s = kaplan_meier(data.time, status).survival_at([6, 12, 24])
    np.testing.assert_allclose([g.estimate for g in f], [1 - e.survival for e in s], rtol=1e-12)


@pytest.mark.parametrize(("cause", "key"), [(1, "local"), (2, "death")])
def test_gray_two_groups(oracle: dict, data: pd.DataFrame, cause: int, key: str) -> None:
    got = gray_test(data.time, data.status, data.arm, cause=cause)
    want = oracle["gray"][key]
    assert got.df == want["df"]
    assert got.chisq == pytest.approx(want["stat"], rel=RTOL)
    assert got.p == pytest.approx(want["p"], rel=RTOL)


def test_gray_three_groups_stratified_and_weighted(oracle: dict) -> None:
    data = pd.read_csv(OWN / "competing3.csv")
    stratified = gray_test(data.time, data.status, data.group, strata=data.stratum)
    want = oracle["gray_three_groups_stratified"]
    assert stratified.df == want["df"] == 2
    assert stratified.chisq == pytest.approx(want["stat"], rel=RTOL)
    weighted = gray_test(data.time, data.status, data.group, rho=1)
    assert weighted.chisq == pytest.approx(oracle["gray_three_groups_rho1"]["stat"], rel=RTOL)


def test_limits_stay_inside_zero_one(data: pd.DataFrame) -> None:
    for estimate in cumulative_incidence(data.time, data.status, data.arm)["control"].at(
        [3, 12, 24]
    ):
        assert estimate.lower is not None and estimate.upper is not None
        assert 0 < estimate.lower < estimate.estimate < estimate.upper < 1


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueProblem, match="observation 2"):
        cumulative_incidence([1, 2, 3], [0, 1.5, 2])
    with pytest.raises(AnalysisError, match="one level"):
        gray_test([1, 2, 3], [1, 0, 2], ["a", "a", "a"])
