"""The vectorised batch path gives the same medians and log-rank tests as the single path."""

from __future__ import annotations

import numpy as np
import pytest

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats import batch_km_median, batch_two_arm, kaplan_meier, logrank_test


def _trials(seed: int, replicates: int, n: int, digits: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    arm = np.repeat([0, 1], n // 2)
    t = np.round(rng.exponential(np.where(arm == 0, 7.0, 11.0), size=(replicates, n)), digits)
    c = np.round(rng.uniform(3, 20, size=(replicates, n)), digits)
    return np.minimum(t, c), (t <= c).astype(int), arm


@pytest.mark.parametrize("digits", [0, 1, 3])  # 0 digits: many ties, 3: almost none
def test_batch_equals_single_path(digits: int) -> None:
    time, event, arm = _trials(11 + digits, 150, 40, digits)
    batch = batch_two_arm(time, event, arm)
    for r in range(time.shape[0]):
        for a in (0, 1):
            median = kaplan_meier(time[r][arm == a], event[r][arm == a]).median.time
            got = batch.median[r, a]
            assert (median is None and np.isnan(got)) or median == got, (r, a)
        single = logrank_test(time[r], event[r], arm)
        np.testing.assert_allclose(batch.chisq[r], single.chisq, rtol=1e-10)
        np.testing.assert_allclose(batch.p[r], single.p, rtol=1e-9)
        np.testing.assert_allclose(batch.observed[r], single.observed)
        np.testing.assert_allclose(batch.expected[r], single.expected, rtol=1e-12)


def test_arm_per_replicate_and_single_arm_medians() -> None:
    time, event, _ = _trials(5, 60, 30, 1)
    rng = np.random.default_rng(2)
    arms = rng.integers(0, 2, size=time.shape)
    arms[:, 0], arms[:, 1] = 0, 1
    batch = batch_two_arm(time, event, arms)
    for r in range(time.shape[0]):
        single = logrank_test(time[r], event[r], arms[r])
        np.testing.assert_allclose(batch.chisq[r], single.chisq, rtol=1e-10)
    medians = batch_km_median(time, event)
    for r in range(time.shape[0]):
        median = kaplan_meier(time[r], event[r]).median.time
        assert (median is None and np.isnan(medians[r])) or median == medians[r]


def test_flat_half_midpoint_in_batch() -> None:
    batch = batch_km_median([[1, 2, 3, 4], [1, 2, 3, 4]], [[1, 1, 1, 1], [1, 1, 0, 0]])
    assert batch.tolist() == [2.5, 2.0]


def test_bad_batches() -> None:
    with pytest.raises(AnalysisError, match="replicate 2 has patients in one arm only"):
        batch_two_arm([[1, 2], [1, 2]], [[1, 1], [1, 0]], [[0, 1], [1, 1]])
    with pytest.raises(ValueProblem, match="event codes"):
        batch_two_arm([[1, 2]], [[1, 3]], [0, 1])
    with pytest.raises(ValueProblem, match="times"):
        batch_km_median([[1, -2]], [[1, 1]])
