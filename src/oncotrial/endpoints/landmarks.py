"""Landmark survival rates named by protocols (6-month PFS, 1-year OS, 24-month OS).

A landmark rate is the Kaplan-Meier estimate S(t) at the landmark with its pointwise interval
and the number still at risk (:meth:`~oncotrial.stats.km.KaplanMeier.survival_at`, R
``summary(fit, times = t)``). Months convert to days with 1 month = 365.25/12 = 30.4375 days,
the convention of ADaM time-to-event analyses (and of admiral's ``compute_duration``); a
landmark after the last follow-up is an error, never an extrapolation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from oncotrial.catalogue.durations import DAYS_PER_MONTH
from oncotrial.errors import ValueProblem
from oncotrial.stats.km import KaplanMeier, LandmarkEstimate

__all__ = [
    "DAYS_PER_MONTH",
    "LANDMARKS",
    "OS_12M",
    "OS_24M",
    "PFS_6M",
    "LandmarkDefinition",
    "LandmarkRate",
    "landmark_rate",
]


@dataclass(frozen=True)
class LandmarkDefinition:
    id: str
    endpoint: str  # PFS, OS, …
    months: float
    description: str
    source: str


PFS_6M = LandmarkDefinition(
    "PFS6M",
    "PFS",
    6,
    "Progression-free survival rate at 6 months",
    "registry records: PFS time frame 6 months (seeds 000 and 004)",
)
OS_12M = LandmarkDefinition(
    "OS12M",
    "OS",
    12,
    "Overall survival rate at 1 year",
    "registry record: '1-year OS rate' (seed 002, NCT07064876)",
)
OS_24M = LandmarkDefinition(
    "OS24M",
    "OS",
    24,
    "Overall survival rate at 24 months",
    "registry record: OS time frame 24 months (seed 000)",
)
LANDMARKS: Mapping[str, LandmarkDefinition] = MappingProxyType(
    {d.id: d for d in (PFS_6M, OS_12M, OS_24M)}
)


@dataclass(frozen=True)
class LandmarkRate:
    definition: LandmarkDefinition
    time: float  # in the curve's unit
    unit: str
    estimate: LandmarkEstimate


def landmark_rate(
    curve: KaplanMeier, definition: LandmarkDefinition | str, *, unit: str = "days"
) -> LandmarkRate:
    """The declared landmark rate read off ``curve`` whose times are in ``unit``."""
    rule = LANDMARKS[definition] if isinstance(definition, str) else definition
    if unit == "days":
        time = rule.months * DAYS_PER_MONTH
    elif unit == "months":
        time = float(rule.months)
    elif unit == "weeks":
        time = rule.months * DAYS_PER_MONTH / 7
    else:
        raise ValueProblem(
            f"unknown time unit {unit!r}", field="unit", hint="Use days, weeks or months."
        )
    (estimate,) = curve.survival_at([time])
    return LandmarkRate(definition=rule, time=time, unit=unit, estimate=estimate)
