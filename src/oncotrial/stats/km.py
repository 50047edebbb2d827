"""Kaplan-Meier estimator with Greenwood standard errors and R's pointwise confidence limits.

Conventions follow R ``survival`` 3.5-3 (``survfit(Surv(time, event) ~ 1)``) by default:

* S(t) = ∏_{tᵢ ≤ t} (nᵢ − dᵢ)/nᵢ over distinct times, nᵢ = number with time ≥ tᵢ (Kaplan &
  Meier, JASA 1958). Censorings tied with events are at risk at that time.
* Greenwood: Var(log S(t)) = Σ dᵢ / (nᵢ(nᵢ − dᵢ)); ``std_err`` is the SE of S(t),
  S(t)·√Var(log S(t)) (Greenwood 1926; R ``summary(fit)$std.err``). Where S(t) = 0 it is
  undefined (NaN), as in R.
* Pointwise limits (R ``survfit_confint``): ``log`` (R's default) S·exp(∓z·se), upper capped
  at 1; ``log-log`` (SAS PROC LIFETEST's default) exp(−exp(log(−log S) ∓ z·se/log S)); ``plain``
  S ∓ z·se·S clipped to [0, 1]. se is the SE of log S; z the normal quantile for the level.
* The median and its limits follow ``summary(fit)$table`` (``quantiles.r_median``), other
  quantiles ``quantile.survfit``; survival at landmark times follows
  ``summary(fit, times = ..., extend = TRUE)`` but a time after the last follow-up is an error
  unless ``extend=True`` is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats._arrays import FloatArray, IntArray, as_event, as_groups, as_time, frozen
from oncotrial.stats.quantiles import r_median, r_quantile

__all__ = [
    "ConfType",
    "KaplanMeier",
    "LandmarkEstimate",
    "QuantileEstimate",
    "kaplan_meier",
    "kaplan_meier_by_group",
    "number_at_risk",
]


class ConfType(StrEnum):
    """Transform for pointwise confidence limits of S(t)."""

    LOG = "log"  # R survfit default
    LOG_LOG = "log-log"  # SAS PROC LIFETEST default (CONFTYPE=LOGLOG)
    PLAIN = "plain"  # linear, Greenwood SE on the S(t) scale


@dataclass(frozen=True)
class QuantileEstimate:
    """A survival-time quantile with its confidence limits; None = not reached."""

    probability: float
    time: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class LandmarkEstimate:
    """S(t) at a landmark time with Greenwood SE, limits and the number still at risk."""

    time: float
    survival: float
    std_err: float
    lower: float | None
    upper: float | None
    n_risk: int


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier curve: one row per distinct observed time (events and censorings).

    Arrays are read-only. ``std_err`` is the Greenwood SE of S(t); ``se_log_survival`` the SE of
    log S(t) that the limits use. Undefined values (S = 0) are NaN.
    """

    times: FloatArray
    n_risk: IntArray
    n_event: IntArray
    n_censor: IntArray
    survival: FloatArray
    std_err: FloatArray
    se_log_survival: FloatArray
    lower: FloatArray
    upper: FloatArray
    conf_type: ConfType
    conf_level: float
    n: int
    label: str | None = None

    @property
    def events(self) -> int:
        return int(self.n_event.sum())

    @property
    def last_follow_up(self) -> float:
        """The largest observed time (event or censoring)."""
        return float(self.times[-1])

    @property
    def median(self) -> QuantileEstimate:
        """Median survival time and its limits as R's ``summary(fit)$table`` reports them."""
        return QuantileEstimate(
            0.5,
            r_median(self.times, self.survival),
            r_median(self.times, self.lower),
            r_median(self.times, self.upper),
        )

    def quantile(self, probability: float) -> QuantileEstimate:
        """Time by which a fraction ``probability`` has had the event (R ``quantile.survfit``)."""
        if not 0 <= probability <= 1:
            raise ValueProblem(
                f"quantile probability must be in [0, 1], got {probability}", field="probability"
            )
        return QuantileEstimate(
            probability,
            r_quantile(self.times, self.survival, probability),
            r_quantile(self.times, self.lower, probability),
            r_quantile(self.times, self.upper, probability),
        )

    def event_rows(self) -> npt.NDArray[np.bool_]:
        """Mask of the rows with at least one event (R ``summary(fit, censored = FALSE)``)."""
        mask: npt.NDArray[np.bool_] = self.n_event > 0
        return mask

    def survival_at(
        self, times: Sequence[float] | FloatArray, *, extend: bool = False
    ) -> tuple[LandmarkEstimate, ...]:
        """S(t) with SE, limits and number at risk at each time (R ``summary(fit, times=)``).

        A time after the last follow-up is an :class:`~oncotrial.errors.AnalysisError` unless
        ``extend`` is true, when the last value is carried forward with 0 at risk (R's
        ``extend = TRUE``).
        """
        wanted = as_time(times, field="landmark")
        if not extend:
            beyond = wanted[wanted > self.last_follow_up]
            if beyond.size:
                who = f" in group {self.label!r}" if self.label else ""
                raise AnalysisError(
                    f"landmark time {beyond[0]:g} is beyond the last follow-up{who} "
                    f"({self.last_follow_up:g}); S(t) is not estimable there",
                    field="landmark",
                    hint="Choose landmark times within follow-up.",
                )
        rows = np.searchsorted(self.times, wanted, side="right") - 1
        at_risk = number_at_risk(self, wanted)
        estimates = []
        for time, row, n_risk in zip(wanted, rows, at_risk, strict=True):
            if row < 0:
                # Before the first observed time nothing has happened: S = 1 exactly.
                estimates.append(LandmarkEstimate(float(time), 1.0, 0.0, 1.0, 1.0, int(n_risk)))
                continue
            estimates.append(
                LandmarkEstimate(
                    float(time),
                    float(self.survival[row]),
                    float(self.std_err[row]),
                    _none_if_nan(self.lower[row]),
                    _none_if_nan(self.upper[row]),
                    int(n_risk),
                )
            )
        return tuple(estimates)

    def risk_table(self, times: Sequence[float] | FloatArray) -> tuple[int, ...]:
        """Numbers at risk (time ≥ t) at each plotting time, for the table under a KM plot."""
        return tuple(int(v) for v in number_at_risk(self, as_time(times, field="time")))


def number_at_risk(curve: KaplanMeier, times: FloatArray) -> IntArray:
    """Subjects with time ≥ t for each t (0 after the last follow-up)."""
    # n_risk at row i counts time ≥ times[i]; between rows it equals the next row's value.
    rows = np.searchsorted(curve.times, times, side="left")
    padded = np.concatenate((curve.n_risk, [0]))
    result: IntArray = padded[rows].astype(np.int64)
    return result


def kaplan_meier(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    *,
    conf_type: ConfType | str = ConfType.LOG,
    conf_level: float = 0.95,
    label: str | None = None,
) -> KaplanMeier:
    """Kaplan-Meier estimate of S(t) with Greenwood SE and pointwise limits.

    ``time``: non-negative numbers; ``event``: 1 = event, 0 = censored. ``conf_type``:
    ``"log"`` (default, as R), ``"log-log"`` (as SAS) or ``"plain"``.
    """
    times = as_time(time)
    events = as_event(event, times.size)
    kind = _conf_type(conf_type)
    _check_level(conf_level)
    distinct, inverse = np.unique(times, return_inverse=True)
    n_event = np.bincount(inverse, weights=events, minlength=distinct.size).astype(np.int64)
    n_at = np.bincount(inverse, minlength=distinct.size).astype(np.int64)
    n_risk = (times.size - np.concatenate(([0], np.cumsum(n_at)[:-1]))).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival: FloatArray = np.cumprod((n_risk - n_event) / n_risk, dtype=np.float64)
        # Greenwood: a time where everyone at risk has the event adds d/(n·0) = ∞ (as R).
        increments = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        se_log = np.sqrt(np.cumsum(increments))
        std_err = se_log * survival
    lower, upper = pointwise_limits(survival, se_log, kind, conf_level)
    return KaplanMeier(
        times=frozen(distinct),
        n_risk=frozen(n_risk, np.int64),
        n_event=frozen(n_event, np.int64),
        n_censor=frozen(n_at - n_event, np.int64),
        survival=frozen(survival),
        std_err=frozen(std_err),
        se_log_survival=frozen(se_log),
        lower=frozen(lower),
        upper=frozen(upper),
        conf_type=kind,
        conf_level=conf_level,
        n=int(times.size),
        label=label,
    )


def kaplan_meier_by_group(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    conf_type: ConfType | str = ConfType.LOG,
    conf_level: float = 0.95,
) -> dict[str, KaplanMeier]:
    """One Kaplan-Meier curve per group label, in sorted label order."""
    times = as_time(time)
    events = as_event(event, times.size)
    names, codes = as_groups(group, times.size)
    return {
        name: kaplan_meier(
            times[codes == index],
            events[codes == index],
            conf_type=conf_type,
            conf_level=conf_level,
            label=name,
        )
        for index, name in enumerate(names)
    }


def pointwise_limits(
    survival: FloatArray, se_log: FloatArray, kind: ConfType, conf_level: float
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper limits of S(t) (R ``survfit_confint``, ``conf.lower = "usual"``)."""
    z = float(_st.norm.ppf(1 - (1 - conf_level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind is ConfType.LOG:
            s = np.where(survival == 0, np.nan, survival)
            lower = np.exp(np.log(s) - z * se_log)
            upper = np.minimum(np.exp(np.log(s) + z * se_log), 1.0)
        elif kind is ConfType.LOG_LOG:
            s = np.where((survival == 0) | (survival == 1), np.nan, survival)
            shift = z * se_log / np.log(s)
            lower = np.exp(-np.exp(np.log(-np.log(s)) - shift))
            upper = np.exp(-np.exp(np.log(-np.log(s)) + shift))
        else:
            half = z * se_log * survival
            lower = np.maximum(survival - half, 0.0)
            upper = np.minimum(survival + half, 1.0)
    return lower, upper


def _conf_type(value: ConfType | str) -> ConfType:
    try:
        return ConfType(value)
    except ValueError:
        choices = ", ".join(c.value for c in ConfType)
        raise ValueProblem(
            f"unknown confidence-interval transform {value!r}",
            field="conf_type",
            hint=f"Use one of {choices}.",
        ) from None


def _check_level(conf_level: float) -> None:
    if not 0 < conf_level < 1:
        raise ValueProblem(
            f"confidence level must be between 0 and 1, got {conf_level}", field="conf_level"
        )


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
