"""Events and sample size for a log-rank / Cox comparison of two arms (Schoenfeld 1983).

D = (z_{1−α/s} + z_{1−β})² / (w(1 − w) (log HR)²), with s = 2 for a two-sided α (1 for one-
sided) and w the fraction allocated to one arm (w = a/(a + b) for an a:b ratio). Schoenfeld,
Biometrika 1981;68:316-9 and Biometrics 1983;39:499-503. The number of patients is D divided
by the probability that a patient has an event during the trial, which the user supplies (it
depends on accrual, follow-up and the control hazard).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _st

from oncotrial.errors import ValueProblem

__all__ = ["EventsRequirement", "parse_ratio", "schoenfeld_events"]


@dataclass(frozen=True)
class EventsRequirement:
    """Events needed (exact and rounded up) and, given P(event), the patients needed."""

    hazard_ratio: float
    alpha: float
    sides: int
    power: float
    ratio: tuple[float, float]
    events: float
    events_rounded: int
    event_probability: float | None
    patients: float | None
    patients_rounded: int | None
    patients_per_arm: tuple[int, int] | None


def parse_ratio(text: str) -> tuple[float, float]:
    """``"2:1"`` → (2.0, 1.0); a single number r means r:1."""
    parts = text.split(":")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueProblem(
            f"allocation ratio {text!r} is not a:b", field="ratio", hint="Write e.g. 2:1."
        ) from None
    if len(values) == 1:
        values = (values[0], 1.0)
    if len(values) != 2 or min(values) <= 0:
        raise ValueProblem(
            f"allocation ratio {text!r} is not two positive numbers a:b",
            field="ratio",
            hint="Write e.g. 2:1.",
        )
    return values[0], values[1]


def schoenfeld_events(
    hazard_ratio: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: tuple[float, float] = (1.0, 1.0),
    sides: int = 2,
    event_probability: float | None = None,
) -> EventsRequirement:
    """Events (and patients, if ``event_probability`` is given) to detect ``hazard_ratio``."""
    if hazard_ratio <= 0 or hazard_ratio == 1:
        raise ValueProblem(
            f"the hazard ratio must be positive and not 1, got {hazard_ratio}", field="hr"
        )
    if not 0 < alpha < 1:
        raise ValueProblem(f"alpha must be in (0, 1), got {alpha}", field="alpha")
    if not 0 < power < 1:
        raise ValueProblem(f"power must be in (0, 1), got {power}", field="power")
    if sides not in (1, 2):
        raise ValueProblem(f"sides must be 1 or 2, got {sides}", field="sides")
    if min(ratio) <= 0:
        raise ValueProblem(f"allocation ratio must be positive, got {ratio}", field="ratio")
    if event_probability is not None and not 0 < event_probability <= 1:
        raise ValueProblem(
            f"event probability must be in (0, 1], got {event_probability}",
            field="event_probability",
        )
    w = ratio[0] / (ratio[0] + ratio[1])
    z_alpha = float(_st.norm.ppf(1 - alpha / sides))
    z_beta = float(_st.norm.ppf(power))
    events = (z_alpha + z_beta) ** 2 / (w * (1 - w) * math.log(hazard_ratio) ** 2)
    events_rounded = math.ceil(events - 1e-9)
    patients = patients_rounded = None
    per_arm = None
    if event_probability is not None:
        patients = events / event_probability
        first = math.ceil(patients * w - 1e-9)
        second = math.ceil(patients * (1 - w) - 1e-9)
        per_arm = (first, second)
        patients_rounded = first + second
    return EventsRequirement(
        hazard_ratio=hazard_ratio,
        alpha=alpha,
        sides=sides,
        power=power,
        ratio=ratio,
        events=events,
        events_rounded=events_rounded,
        event_probability=event_probability,
        patients=patients,
        patients_rounded=patients_rounded,
        patients_per_arm=per_arm,
    )
