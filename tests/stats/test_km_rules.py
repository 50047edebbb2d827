"""Kaplan-Meier rules on hand-checkable data: R's median rules, landmarks, limits, bad input.

Expected values are worked by hand from the definitions in R survival 3.5-3's source
(R/print.survfit.R ``survmean``/``minmin`` for the table median, R/quantile.survfit.R ``findq``
for quantiles, R/survfitKM.R and survfit_confint for the limits).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from oncotrial.errors import AnalysisError, OncotrialError, ValueProblem
from oncotrial.stats import kaplan_meier
from oncotrial.stats.quantiles import r_median, r_quantile


def test_uncensored_median_is_the_usual_midpoint() -> None:
    # survfit(Surv(1:4) ~ 1): S = .75, .5, .25, 0 — flat at exactly 0.5 on [2, 3) → 2.5
    curve = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert curve.median.time == 2.5
    assert curve.quantile(0.5).time == 2.5
    assert kaplan_meier([1, 2, 3], [1, 1, 1]).median.time == 2  # odd n: the middle time


def test_flat_half_after_censoring_uses_the_next_drop() -> None:
    # events at 1, 2 (S = .75, .5), censored at 3, event at 5 (S = 0): flat at .5 on [2, 5)
    curve = kaplan_meier([1, 2, 3, 5], [1, 1, 0, 1])
    assert curve.median.time == (2 + 5) / 2
    assert curve.quantile(0.5).time == (2 + 5) / 2


def test_curve_ending_flat_at_half_table_rule_and_quantile_rule_differ() -> None:
    # events at 1, 2 then censored at 3, 4: S ends flat at 0.5.
    # summary(fit)$table (minmin): no later drop → 2; quantile(fit, .5) (findq): (2 + 4)/2 = 3
    curve = kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0])
    assert curve.median.time == 2
    assert curve.quantile(0.5).time == 3


def test_not_reached_is_none() -> None:
    curve = kaplan_meier([3, 5, 6, 7, 9], [1, 0, 0, 0, 0])
    assert curve.median.time is None
    assert curve.median.upper is None
    assert curve.quantile(0.1).time == 3  # S(3) = 0.8 ≤ 0.9


def test_other_quantiles_follow_quantile_survfit() -> None:
    # Surv(1:10): S drops by .1 at each time; the 25th percentile: S = .75 first reached at 3
    curve = kaplan_meier(np.arange(1, 11), np.ones(10))
    assert curve.quantile(0.25).time == 3
    assert curve.quantile(0.2).time == 2.5  # S = 0.8 on [2, 3): midpoint
    assert curve.quantile(0.0).time == 0  # R returns start.time (0) for p = 0
    assert curve.quantile(1.0).time == 10


def test_quantile_probability_outside_0_1_is_an_error() -> None:
    with pytest.raises(ValueProblem, match="probability"):
        kaplan_meier([1, 2], [1, 1]).quantile(1.5)


def test_tolerance_treats_rounding_error_as_exactly_half() -> None:
    times = np.array([1.0, 2.0, 3.0])
    assert r_median(times, np.array([0.75, 0.5 + 1e-12, 0.2])) == 2.5
    assert r_quantile(times, np.array([0.75, 0.5 - 1e-12, 0.2]), 0.5) == 2.5


def test_greenwood_and_limits_by_hand() -> None:
    # 5 subjects, events at 1 and 3, censored 2, 4, 5
    curve = kaplan_meier([1, 2, 3, 4, 5], [1, 0, 1, 0, 0], conf_type="plain")
    s1, s3 = 4 / 5, 4 / 5 * 2 / 3
    var_log = 1 / (5 * 4) + 1 / (3 * 2)
    rows = curve.event_rows()
    np.testing.assert_allclose(curve.survival[rows], [s1, s3], rtol=1e-15)
    np.testing.assert_allclose(curve.std_err[rows][1], s3 * math.sqrt(var_log), rtol=1e-14)
    z = 1.959963984540054
    np.testing.assert_allclose(curve.lower[rows][1], s3 - z * s3 * math.sqrt(var_log))
    log_log = kaplan_meier([1, 2, 3, 4, 5], [1, 0, 1, 0, 0], conf_type="log-log")
    shift = z * math.sqrt(var_log) / math.log(s3)
    np.testing.assert_allclose(
        log_log.upper[log_log.event_rows()][1], math.exp(-math.exp(math.log(-math.log(s3)) + shift))
    )


def test_everyone_dies_std_err_and_limits_undefined() -> None:
    # S reaches 0: R's std.err is NaN (0·∞) and the limits NA, for every transform
    for kind in ("log", "log-log", "plain"):
        curve = kaplan_meier([1, 2, 3], [1, 1, 1], conf_type=kind)
        assert curve.survival[-1] == 0
        assert np.isnan(curve.std_err[-1])
        assert np.isnan(curve.lower[-1])
        assert np.isnan(curve.upper[-1])


def test_landmarks_before_between_and_at_event_times() -> None:
    curve = kaplan_meier([2, 4, 4, 6, 8], [1, 1, 0, 1, 0])
    marks = curve.survival_at([1, 2, 3, 4, 8])
    assert [m.survival for m in marks] == pytest.approx([1, 0.8, 0.8, 0.6, 0.3])
    assert [m.n_risk for m in marks] == [5, 5, 4, 4, 1]
    assert marks[0].lower == 1
    assert marks[0].std_err == 0


def test_landmark_beyond_follow_up() -> None:
    curve = kaplan_meier([2, 4, 6], [1, 0, 1], label="arm A")
    with pytest.raises(AnalysisError, match="beyond the last follow-up in group 'arm A'"):
        curve.survival_at([3, 7])
    carried = curve.survival_at([7], extend=True)[0]
    assert carried.survival == curve.survival[-1]
    assert carried.n_risk == 0


def test_risk_table_for_plots() -> None:
    curve = kaplan_meier([1, 3, 3, 5, 9, 12], [1, 0, 1, 1, 0, 0])
    assert curve.risk_table([0, 3, 6, 12, 15]) == (6, 5, 2, 1, 0)


@pytest.mark.parametrize(
    ("time", "event", "message"),
    [
        ([1, -1, 2], [1, 0, 1], "time must be finite and ≥ 0 at observation 2"),
        ([1, float("nan"), 2], [1, 0, 1], "missing time at observation 2"),
        ([1, float("inf")], [1, 0], "finite"),
        ([1, 2, 3], [1, 2, 0], "event code must be 0 \\(censored\\) or 1 \\(event\\)"),
        ([1, 2, 3], [1, 0], "event has 2 values for 3 times"),
    ],
)
def test_bad_input_is_a_clear_error(time: list, event: list, message: str) -> None:
    with pytest.raises(OncotrialError, match=message):
        kaplan_meier(time, event)


def test_unknown_transform_and_level() -> None:
    with pytest.raises(ValueProblem, match="log, log-log, plain"):
        kaplan_meier([1, 2], [1, 1], conf_type="arcsin")
    with pytest.raises(ValueProblem, match="confidence level"):
        kaplan_meier([1, 2], [1, 1], conf_level=95)


def test_results_are_immutable() -> None:
    curve = kaplan_meier([1, 2, 3], [1, 0, 1])
    with pytest.raises(ValueError, match="read-only"):
        curve.survival[0] = 0.5
    with pytest.raises(AttributeError):
        curve.n = 4  # type: ignore[misc]


def test_agrees_with_statsmodels_survfunc() -> None:
    # Independent implementation: statsmodels SurvfuncRight (Greenwood SE of S(t)).
    from statsmodels.duration.survfunc import SurvfuncRight

    rng = np.random.default_rng(7)
    time = np.round(rng.exponential(10, 200), 1)
    event = (rng.random(200) < 0.7).astype(int)
    ours = kaplan_meier(time, event)
    theirs = SurvfuncRight(time, event)
    rows = ours.event_rows()
    np.testing.assert_allclose(ours.times[rows], theirs.surv_times)
    np.testing.assert_allclose(ours.survival[rows], theirs.surv_prob, rtol=1e-12)
    np.testing.assert_allclose(ours.std_err[rows], theirs.surv_prob_se, rtol=1e-10)
