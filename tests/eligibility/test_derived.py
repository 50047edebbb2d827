"""Derived values against hand computation from the published formulas."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from oncotrial.eligibility.derived import (
    COCKCROFT_GAULT_FEMALE_FACTOR,
    age_in_years,
    body_mass_index,
    cockcroft_gault,
    fridericia,
)


def test_cockcroft_gault() -> None:
    # (140 − 60) × 72 / (72 × 1.0) = 80 mL/min; a woman: 80 × 0.85 = 68
    assert cockcroft_gault(60.0, 72.0, 1.0, 1.0) == pytest.approx(80.0, rel=1e-12)
    assert cockcroft_gault(60.0, 72.0, 1.0, COCKCROFT_GAULT_FEMALE_FACTOR) == pytest.approx(68.0)
    # a woman of 75, 58 kg, creatinine 1.3 mg/dL: 65 × 58 / 93.6 × 0.85 = 34.24 mL/min
    assert cockcroft_gault(75.0, 58.0, 1.3, 0.85) == pytest.approx(65 * 58 / 93.6 * 0.85)
    assert round(cockcroft_gault(75.0, 58.0, 1.3, 0.85), 2) == 34.24


def test_fridericia() -> None:
    assert fridericia(400.0, 60.0) == pytest.approx(400.0)  # RR = 1 s
    # QT 360 ms at 75/min: RR 0.8 s; 0.8^(1/3) = 0.928318; 360 / 0.928318 = 387.80 ms
    assert fridericia(360.0, 75.0) == pytest.approx(360 / math.pow(0.8, 1 / 3))
    assert round(fridericia(360.0, 75.0), 2) == 387.80


def test_body_mass_index() -> None:
    assert body_mass_index(70.0, 175.0) == pytest.approx(70 / 1.75**2)
    assert round(body_mass_index(70.0, 175.0), 2) == 22.86


def test_formulas_work_on_arrays_like_on_floats() -> None:
    ages, weights = np.array([60.0, 75.0]), np.array([72.0, 58.0])
    scr, factor = np.array([1.0, 1.3]), np.array([1.0, 0.85])
    expected = [
        cockcroft_gault(float(a), float(w), float(s), float(f))
        for a, w, s, f in zip(ages, weights, scr, factor, strict=True)
    ]
    assert list(cockcroft_gault(ages, weights, scr, factor)) == expected


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        ("2007-02-20", "2025-02-20", 18),  # the birthday counts
        ("2007-02-21", "2025-02-20", 17),
        ("2008-02-29", "2025-02-28", 16),
        ("2008-02-29", "2025-03-01", 17),
    ],
)
def test_age_in_completed_years(birth: str, on: str, age: int) -> None:
    assert age_in_years(dt.date.fromisoformat(birth), dt.date.fromisoformat(on)) == age
