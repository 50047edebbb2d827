"""What a trial designer sets: the true effect per arm and the conduct of the trial.

Every parameter has a documented default (docs/simulator.md) so that any protocol simulates with
``simulate_trial(protocol, n, seed)`` alone. Times are in months where a designer thinks in months
(medians, follow-up) and in days where the protocol counts days (imaging windows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from oncotrial.errors import ValueProblem

__all__ = ["ArmParameters", "DesignParameters"]


@dataclass(frozen=True)
class ArmParameters:
    """The true effect in one arm.

    ``orr``: probability of an objective response (CR or PR, confirmed at the next assessment) for
    a patient followed until progression with every scan done. ``median_pfs_months`` /
    ``median_os_months``: medians of the latent progression-free and overall survival times from
    the reference date (exponential PFS; OS = PFS plus post-progression survival).
    """

    orr: float = 0.35
    median_pfs_months: float = 6.0
    median_os_months: float = 15.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.orr < 1.0:
            raise ValueProblem(f"ORR {self.orr} must be in [0, 1)", field="orr")
        if not self.median_pfs_months > 0:
            raise ValueProblem("median PFS must be positive", field="median_pfs_months")
        if not self.median_os_months > self.median_pfs_months:
            raise ValueProblem(
                f"median OS ({self.median_os_months} months) must exceed median PFS "
                f"({self.median_pfs_months} months): death ends progression-free survival too",
                field="median_os_months",
            )


@dataclass(frozen=True)
class DesignParameters:
    """Everything the simulator draws from besides the protocol and the seed.

    ``arms`` maps an arm label (or code ``A``, ``B``…) to its effect; arms not named get
    ``experimental`` or ``control`` by their protocol arm type. With ``hazard_ratio`` (PFS,
    experimental vs control) the experimental arms' median PFS is the control median divided by
    it; ``os_hazard_ratio`` does the same for OS.
    """

    arms: dict[str, ArmParameters] = field(default_factory=dict)
    experimental: ArmParameters = field(default_factory=ArmParameters)
    control: ArmParameters = field(
        default_factory=lambda: ArmParameters(orr=0.2, median_pfs_months=4.2, median_os_months=11.0)
    )
    hazard_ratio: float | None = None
    os_hazard_ratio: float | None = None
    dropout_per_year: float = 0.05
    accrual_per_month: float | None = None
    start_date: date | None = None
    data_cutoff: date | None = None
    followup_months: float = 12.0
    screen_failure_rate: float = 0.15
    death_without_progression: float = 0.10
    complete_response_share: float = 0.12
    pdl1_odds_ratio_per_10: float = 1.2
    missed_scan_rate: float = 0.03
    unevaluable_scan_rate: float = 0.03
    dose_delay_rate: float = 0.08
    imaging_interval_days: int | None = None
    imaging_window_days: int | None = None
    subsequent_therapy_rate: float = 0.6

    def __post_init__(self) -> None:
        rates = {
            "dropout_per_year": self.dropout_per_year,
            "screen_failure_rate": self.screen_failure_rate,
            "death_without_progression": self.death_without_progression,
            "complete_response_share": self.complete_response_share,
            "missed_scan_rate": self.missed_scan_rate,
            "unevaluable_scan_rate": self.unevaluable_scan_rate,
            "dose_delay_rate": self.dose_delay_rate,
            "subsequent_therapy_rate": self.subsequent_therapy_rate,
        }
        for name, value in rates.items():
            if not 0.0 <= value < 1.0 or math.isnan(value):
                raise ValueProblem(f"{name} {value} must be in [0, 1)", field=name)
        for name, ratio in (
            ("hazard_ratio", self.hazard_ratio),
            ("os_hazard_ratio", self.os_hazard_ratio),
        ):
            if ratio is not None and not ratio > 0:
                raise ValueProblem(f"{name} must be positive", field=name)
        if self.accrual_per_month is not None and not self.accrual_per_month > 0:
            raise ValueProblem("accrual_per_month must be positive", field="accrual_per_month")
        if not self.followup_months >= 0:
            raise ValueProblem("followup_months must not be negative", field="followup_months")
        if not self.pdl1_odds_ratio_per_10 > 0:
            raise ValueProblem(
                "pdl1_odds_ratio_per_10 must be positive", field="pdl1_odds_ratio_per_10"
            )
        if self.imaging_interval_days is not None and self.imaging_interval_days < 7:
            raise ValueProblem(
                "imaging_interval_days must be at least 7", field="imaging_interval_days"
            )
        if self.imaging_window_days is not None and self.imaging_window_days < 0:
            raise ValueProblem(
                "imaging_window_days must not be negative", field="imaging_window_days"
            )

    def with_changes(self, **changes: Any) -> DesignParameters:
        """A copy with ``changes`` (field names and values, checked by ``__post_init__``)."""
        return replace(self, **changes)
