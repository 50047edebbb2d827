"""Values computed from others: age, creatinine clearance, QTc, body mass index.

Each formula is written once and works on floats and on numpy arrays alike, so that screening
one patient and screening a hundred thousand at once compute the same numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar, overload

import numpy as np
import numpy.typing as npt

__all__ = [
    "COCKCROFT_GAULT_FEMALE_FACTOR",
    "age_in_years",
    "bazett",
    "body_mass_index",
    "ckd_epi_2021",
    "cockcroft_gault",
    "fridericia",
]

Num = TypeVar("Num", float, npt.NDArray[np.float64])

# Cockcroft & Gault (Nephron 1976;16:31-41) derived the formula in men and proposed 15 % less
# for women "because of their smaller muscle mass".
COCKCROFT_GAULT_FEMALE_FACTOR = 0.85


def age_in_years(birth: date, on: date) -> int:
    """Completed years on ``on`` (the birthday counts: 18 on the 18th birthday)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def cockcroft_gault(age: Num, weight_kg: Num, creatinine_mg_dl: Num, sex_factor: Num) -> Num:
    """Creatinine clearance in mL/min: (140 − age) × weight / (72 × SCr) × sex factor.

    Age in years, actual body weight in kg (the 1976 paper used total body weight), serum
    creatinine in mg/dL; ``sex_factor`` is 1 for men and 0.85 for women. Not normalised to body
    surface area.
    """
    return (140 - age) * weight_kg / (72 * creatinine_mg_dl) * sex_factor


def ckd_epi_2021(age: Any, creatinine_mg_dl: Any, female: Any) -> Any:
    """eGFR in mL/min/1.73 m² by the race-free CKD-EPI 2021 creatinine equation.

    142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age × 1.012 (female); κ 0.7 (female)
    or 0.9 (male), α −0.241 (female) or −0.302 (male). Inker LA et al., N Engl J Med
    2021;385:1737-49. Floats or numpy arrays alike.
    """
    kappa = np.where(female, 0.7, 0.9)
    alpha = np.where(female, -0.241, -0.302)
    ratio = np.asarray(creatinine_mg_dl, dtype=np.float64) / kappa
    value = (
        142.0
        * np.minimum(ratio, 1.0) ** alpha
        * np.maximum(ratio, 1.0) ** -1.200
        * 0.9938 ** np.asarray(age, dtype=np.float64)
        * np.where(female, 1.012, 1.0)
    )
    return float(value) if np.ndim(value) == 0 else value


@overload
def fridericia(qt_ms: float, heart_rate: float) -> float: ...
@overload
def fridericia(
    qt_ms: npt.NDArray[np.float64], heart_rate: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...
def fridericia(qt_ms: Any, heart_rate: Any) -> Any:
    """QTcF in ms: QT / RR^(1/3), RR = 60 / heart rate in seconds (Fridericia 1920)."""
    rr_seconds = 60.0 / heart_rate
    return qt_ms / rr_seconds ** (1.0 / 3.0)


@overload
def bazett(qt_ms: float, heart_rate: float) -> float: ...
@overload
def bazett(
    qt_ms: npt.NDArray[np.float64], heart_rate: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...
def bazett(qt_ms: Any, heart_rate: Any) -> Any:
    """QTcB in ms: QT / RR^(1/2), RR = 60 / heart rate in seconds (Bazett 1920)."""
    rr_seconds = 60.0 / heart_rate
    return qt_ms / rr_seconds**0.5


def body_mass_index(weight_kg: Num, height_cm: Num) -> Num:
    """Weight (kg) / height (m)² (Quetelet; WHO)."""
    metres = height_cm / 100.0
    return weight_kg / (metres * metres)
