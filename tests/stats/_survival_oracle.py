"""Helpers for comparing results with the R oracle files in ../shared/oracles/survival."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RTOL = 1e-6  # the tolerance for probabilities, SEs, limits, statistics and p-values

CASES = (
    "lung_all",
    "lung_by_sex",
    "median_not_reached",
    "randomized_120",
    "single_arm_25",
    "tiny_ties",
    "veteran_by_trt",
)
TWO_GROUP_CASES = ("lung_by_sex", "randomized_120", "veteran_by_trt")


def load(shared: Path, case: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    folder = shared / "oracles" / "survival"
    data = pd.read_csv(folder / f"{case}.csv")
    expected = json.loads((folder / f"{case}.expected.json").read_text())
    return data, expected


def assert_close(actual: Sequence[Any], expected: Sequence[Any], what: str) -> None:
    """Equal length; None/NaN where R has null; otherwise within RTOL relative."""
    got = np.array([np.nan if v is None else v for v in actual], dtype=float)
    want = np.array([np.nan if v is None else v for v in expected], dtype=float)
    assert got.shape == want.shape, f"{what}: {got.shape} values, R has {want.shape}"
    assert np.array_equal(np.isnan(got), np.isnan(want)), f"{what}: undefined values differ"
    ok = ~np.isnan(want)
    np.testing.assert_allclose(got[ok], want[ok], rtol=RTOL, atol=0, err_msg=what)


def assert_exact(actual: Sequence[Any], expected: Sequence[Any], what: str) -> None:
    assert list(actual) == list(expected), f"{what}: {list(actual)} != R {list(expected)}"
