"""Latent times to progression and death, and who responds.

The model (docs/simulator.md, "Outcome model"):

- PFS time from the reference date is exponential with the arm's median (proportional hazards
  between arms, so the hazard ratio is the ratio of the medians' reciprocals).
- A share ``q`` of PFS events are deaths without progression; the others are progressions,
  followed by exponential post-progression survival whose rate is solved so that the mixture's
  median OS equals the arm's median OS.
- A progression is seen at the scheduled assessment nearest the latent time (at the first one
  if earlier), so that scan-dated PFS reproduces the designed distribution up to the assessment
  interval's resolution.
- Responders are drawn among patients whose progression comes late enough for a response and its
  confirmation (the confirming scan at least the protocol's confirmation interval later), with
  odds rising with the PD-L1 tumour proportion score; the intercept is solved so that the
  expected response rate equals the arm's ORR.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from oncotrial.catalogue.durations import DAYS_PER_MONTH
from oncotrial.errors import ValueProblem

__all__ = [
    "detection_scan",
    "os_mixture_cdf",
    "post_progression_rate",
    "response_probabilities",
]

LN2 = math.log(2.0)


def _hypoexponential_cdf(t: float, rate1: float, rate2: float) -> float:
    """P(X + Y <= t) for independent exponentials with rates ``rate1`` and ``rate2``."""
    if abs(rate1 - rate2) < 1e-12 * max(rate1, rate2):
        return 1.0 - math.exp(-rate1 * t) * (1.0 + rate1 * t)
    return 1.0 - (rate2 * math.exp(-rate1 * t) - rate1 * math.exp(-rate2 * t)) / (rate2 - rate1)


def os_mixture_cdf(t: float, pfs_rate: float, pps_rate: float, death_share: float) -> float:
    """P(OS <= t) when a share of PFS events are deaths and the rest are followed by PPS."""
    first = 1.0 - math.exp(-pfs_rate * t)
    return death_share * first + (1.0 - death_share) * _hypoexponential_cdf(t, pfs_rate, pps_rate)


def post_progression_rate(median_pfs: float, median_os: float, death_share: float) -> float:
    """The post-progression survival rate giving the designed median OS (bisection on log rate)."""
    pfs_rate = LN2 / median_pfs
    if os_mixture_cdf(median_os, pfs_rate, 1e-12, death_share) >= 0.5:
        raise ValueProblem(
            f"median OS {median_os / DAYS_PER_MONTH:.1f} months cannot be reached when "
            f"{death_share:.0%} of PFS events are deaths and median PFS is "
            f"{median_pfs / DAYS_PER_MONTH:.1f} months",
            field="median_os_months",
            hint="Lower the median OS or the share of deaths without progression.",
        )
    low, high = math.log(1e-9), math.log(1e3)
    for _ in range(200):
        middle = 0.5 * (low + high)
        if os_mixture_cdf(median_os, pfs_rate, math.exp(middle), death_share) < 0.5:
            low = middle
        else:
            high = middle
    return math.exp(0.5 * (low + high))


def detection_scan(pfs_days: npt.NDArray[np.float64], interval: int) -> npt.NDArray[np.int64]:
    """The scheduled assessment (1, 2, …) at which each latent progression is seen."""
    return np.maximum(1, np.rint(pfs_days / interval)).astype(np.int64)


def response_probabilities(
    eligible: npt.NDArray[np.bool_],
    tps: npt.NDArray[np.float64],
    orr: float,
    odds_ratio_per_10: float,
) -> npt.NDArray[np.float64]:
    """Per-patient response probabilities averaging ``orr`` over all patients.

    p = expit(a + log(OR) × (TPS − 25) / 10) for eligible patients, 0 otherwise; ``a`` is solved
    by bisection. Raises when the ORR cannot be reached because too few patients stay free of
    progression long enough to respond and confirm it.
    """
    n = len(eligible)
    if n == 0 or orr == 0.0:
        return np.zeros(n)
    share = float(eligible.mean())
    if orr >= share:
        raise ValueProblem(
            f"an ORR of {orr:.0%} is not reachable: only {share:.0%} of patients stay free of "
            "progression long enough for a response and its confirmation",
            field="orr",
            hint="Raise the median PFS or lower the ORR.",
        )
    slope = math.log(odds_ratio_per_10)
    z = slope * (np.nan_to_num(tps, nan=25.0) - 25.0) / 10.0

    def mean_probability(intercept: float) -> float:
        p = 1.0 / (1.0 + np.exp(-(intercept + z)))
        return float(np.where(eligible, p, 0.0).mean())

    low, high = -40.0, 40.0
    for _ in range(200):
        middle = 0.5 * (low + high)
        if mean_probability(middle) < orr:
            low = middle
        else:
            high = middle
    p = 1.0 / (1.0 + np.exp(-(0.5 * (low + high) + z)))
    return np.asarray(np.where(eligible, p, 0.0), dtype=np.float64)
