"""Incidence rates per person-time with the exact (Garwood) interval, as R's ``poisson.test``.

For x events over T units of person-time the rate is x/T; the exact 1 − α limits are
qgamma(α/2, x)/T and qgamma(1 − α/2, x + 1)/T (Garwood, Biometrika 1936), 0 as the lower limit
when x = 0. Exposure-adjusted AE incidence rates (FDA/PhUSE white paper on exposure-adjusted
incidence, 2018) report them per 100 patient-years.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats as _st

from oncotrial.errors import ValueProblem

__all__ = ["PoissonRate", "poisson_rate"]


@dataclass(frozen=True)
class PoissonRate:
    events: int
    exposure: float
    rate: float
    lower: float
    upper: float
    conf_level: float
    per: float = 1.0

    def describe(self, unit: str = "patient-years", digits: int = 1) -> str:
        scale = f"{self.per:g} {unit}"
        return (
            f"{self.events} events / {self.exposure:.1f} {unit}: {self.per * self.rate:.{digits}f} "
            f"per {scale} ({100 * self.conf_level:g}% CI {self.per * self.lower:.{digits}f}–"
            f"{self.per * self.upper:.{digits}f})"
        )


def poisson_rate(
    events: int, exposure: float, *, conf_level: float = 0.95, per: float = 1.0
) -> PoissonRate:
    """x/T with its exact interval; ``per`` only scales the description (e.g. 100)."""
    if int(events) != events or events < 0:
        raise ValueProblem(
            f"the event count must be a whole number ≥ 0, got {events}", field="events"
        )
    if not exposure > 0:
        raise ValueProblem(
            f"the person-time must be positive, got {exposure}",
            field="exposure",
            hint="A rate needs some time at risk.",
        )
    if not 0 < conf_level < 1:
        raise ValueProblem(
            f"confidence level must be in (0, 1), got {conf_level}", field="conf_level"
        )
    alpha = 1 - conf_level
    x = int(events)
    lower = 0.0 if x == 0 else float(_st.gamma.ppf(alpha / 2, x)) / exposure
    upper = float(_st.gamma.ppf(1 - alpha / 2, x + 1)) / exposure
    return PoissonRate(x, float(exposure), x / exposure, lower, upper, conf_level, per)
