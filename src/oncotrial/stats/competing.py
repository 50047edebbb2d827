"""Competing risks: cumulative incidence (Aalen-Johansen) and Gray's test between groups.

When death precludes the event of interest (local failure of an irradiated lesion cannot be
seen after death), 1 − KM that censors deaths overstates the incidence. The cumulative incidence
of cause k is F_k(t) = Σ_{tⱼ ≤ t} S(tⱼ₋) d_kj / nⱼ, with S the all-cause Kaplan-Meier estimate
(Aalen & Johansen, Scand J Stat 1978; Kalbfleisch & Prentice 2002, §8.2) — R's
``cmprsk::cuminc`` and ``survfit`` with a multi-state status give it.

* Variance: the delta-method estimate of ``cmprsk::cuminc`` (Gray's ``cinc``), which is updated
  at the event times of the cause of interest; the pointwise interval uses the log(−log)
  transform, F^{exp(±z·SE/(F·log F))}, which keeps it inside (0, 1).
* Gray's test (Ann Stat 1988;16:1141): a k-sample test of equal subdistributions of one cause,
  the weighted difference of each group's cause-specific subdistribution hazard from the pooled
  one, weight (1 − F(t−))^ρ (ρ = 0 by default, as ``cuminc``); χ² with k − 1 df, summed over
  strata.

Status codes follow ``cuminc``: ``censor`` (0) is censored, ``cause`` (1) the event of interest,
any other code a competing event. Checked against cmprsk 2.2-11 (tests/stats/oracle_analysis).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats._arrays import FloatArray, as_groups, as_time, frozen

__all__ = [
    "CumulativeIncidence",
    "GrayTest",
    "IncidenceEstimate",
    "cumulative_incidence",
    "gray_test",
]


@dataclass(frozen=True)
class IncidenceEstimate:
    """F(t) at one time with its variance, log(−log) limits and the number at risk."""

    time: float
    estimate: float
    variance: float
    lower: float | None
    upper: float | None
    n_risk: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "estimate": self.estimate,
            "std_err": float(np.sqrt(self.variance)),
            "lower": self.lower,
            "upper": self.upper,
            "n_risk": self.n_risk,
        }


@dataclass(frozen=True)
class CumulativeIncidence:
    """The step function F(t) of one cause in one group: a row per distinct observed time."""

    label: str
    cause: int
    n: int
    events: int
    competing: int
    times: FloatArray
    n_risk: npt.NDArray[np.int64]
    estimate: FloatArray
    variance: FloatArray
    conf_level: float

    def at(self, times: Sequence[float]) -> tuple[IncidenceEstimate, ...]:
        """F(t) at each time (the last step at or before t; 0 before the first)."""
        z = float(_st.norm.ppf(1 - (1 - self.conf_level) / 2))
        result = []
        for t in times:
            row = int(np.searchsorted(self.times, t, side="right")) - 1
            at_risk = int(self.n_risk[row + 1]) if row + 1 < self.times.size else 0
            if row < 0:
                result.append(IncidenceEstimate(float(t), 0.0, 0.0, None, None, self.n))
                continue
            f, v = float(self.estimate[row]), float(self.variance[row])
            lower, upper = _loglog_limits(f, v, z)
            result.append(IncidenceEstimate(float(t), f, v, lower, upper, at_risk))
        return tuple(result)


@dataclass(frozen=True)
class GrayTest:
    cause: int
    groups: tuple[str, ...]
    chisq: float
    df: int
    p: float
    rho: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "groups": list(self.groups),
            "chisq": self.chisq,
            "df": self.df,
            "p": self.p,
            "rho": self.rho,
            "method": "Gray (1988) k-sample test of cumulative incidence (cmprsk::cuminc)",
        }


def _loglog_limits(f: float, variance: float, z: float) -> tuple[float | None, float | None]:
    if not 0 < f < 1 or variance <= 0:
        return None, None
    # log F < 0, so the shift is negative: F^exp(−shift) is the lower limit
    shift = z * np.sqrt(variance) / (f * np.log(f))
    return float(f ** np.exp(-shift)), float(f ** np.exp(shift))


def _status(values: npt.ArrayLike, n: int) -> npt.NDArray[np.int64]:
    codes = np.asarray(values, dtype=np.float64)
    if codes.shape != (n,):
        raise ValueProblem(f"status has {codes.size} values for {n} times", field="status")
    bad = ~np.isfinite(codes) | (codes != np.round(codes)) | (codes < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueProblem(
            f"status {codes[row]:g} is not a whole number ≥ 0 (0 censored, 1 the event of "
            "interest, 2… competing events)",
            record=f"observation {row + 1}",
            field="status",
        )
    return codes.astype(np.int64)


def _one_group(
    label: str,
    times: FloatArray,
    status: npt.NDArray[np.int64],
    cause: int,
    censor: int,
    conf_level: float,
) -> CumulativeIncidence:
    distinct, inverse = np.unique(times, return_inverse=True)
    m = distinct.size
    leaving = np.bincount(inverse, minlength=m)
    d1 = np.bincount(inverse, weights=status == cause, minlength=m)
    d2 = np.bincount(inverse, weights=(status != cause) & (status != censor), minlength=m)
    n_risk = times.size - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    estimate = np.zeros(m)
    variance = np.zeros(m)
    s_before, f, var = 1.0, 0.0, 0.0
    v1 = v2 = v3 = 0.0
    for j in range(m):
        n, a, b = float(n_risk[j]), float(d1[j]), float(d2[j])
        if a + b > 0:
            s_after = s_before * (n - a - b) / n
            f += s_before * a / n
            # the delta-method terms of cmprsk's cinc: competing events, then the cause
            if b > 0 and s_after > 0:
                t6 = s_before**2 * (1 - (b - 1) / (n - 1) if b > 1 else 1.0) * b / n**2
                v1 += (f / s_after) ** 2 * t6
                v2 += f / s_after**2 * t6
                v3 += t6 / s_after**2
            if a > 0:
                t6 = s_before**2 * (1 - (a - 1) / (n - 1) if a > 1 else 1.0) * a / n**2
                inv = 1 / s_after if s_after > 0 else 0.0
                t4 = 1 + inv * f
                v1 += t4 * t4 * t6
                v2 += inv * t4 * t6
                v3 += inv * inv * t6
                var = v1 + f * f * v3 - 2 * f * v2
            s_before = s_after
        estimate[j], variance[j] = f, var
    return CumulativeIncidence(
        label=label,
        cause=cause,
        n=int(times.size),
        events=int(d1.sum()),
        competing=int(d2.sum()),
        times=frozen(distinct),
        n_risk=frozen(n_risk, np.int64),
        estimate=frozen(estimate),
        variance=frozen(variance),
        conf_level=conf_level,
    )


def cumulative_incidence(
    time: npt.ArrayLike,
    status: npt.ArrayLike,
    group: Sequence[str] | npt.ArrayLike | None = None,
    *,
    cause: int = 1,
    censor: int = 0,
    conf_level: float = 0.95,
) -> Mapping[str, CumulativeIncidence]:
    """F(t) of ``cause`` per group (sorted labels), or ``all`` without a group."""
    times = as_time(time)
    codes = _status(status, times.size)
    if cause == censor:
        raise ValueProblem("the cause of interest cannot be the censoring code", field="cause")
    if group is None:
        return MappingProxyType({"all": _one_group("all", times, codes, cause, censor, conf_level)})
    names, groups = as_groups(group, times.size)
    return MappingProxyType(
        {
            name: _one_group(
                name, times[groups == i], codes[groups == i], cause, censor, conf_level
            )
            for i, name in enumerate(names)
        }
    )


def gray_test(
    time: npt.ArrayLike,
    status: npt.ArrayLike,
    group: Sequence[str] | npt.ArrayLike,
    *,
    cause: int = 1,
    censor: int = 0,
    rho: float = 0.0,
    strata: Sequence[str] | npt.ArrayLike | None = None,
) -> GrayTest:
    """Gray's test that ``cause`` has the same cumulative incidence in every group."""
    times = as_time(time)
    codes = _status(status, times.size)
    names, groups = as_groups(group, times.size)
    k = len(names)
    if k < 2:
        raise AnalysisError(
            f"Gray's test compares groups; the group has one level ({names[0]!r})", field="group"
        )
    kind = np.where(codes == censor, 0, np.where(codes == cause, 1, 2))
    stratum = (
        np.zeros(times.size, dtype=np.int64)
        if strata is None
        else as_groups(strata, times.size, field="strata")[1]
    )
    score = np.zeros(k - 1)
    variance = np.zeros((k - 1, k - 1))
    for s in np.unique(stratum):
        mask = stratum == s
        part_score, part_var = _gray_stratum(times[mask], kind[mask], groups[mask], k, rho)
        score += part_score
        variance += part_var
    try:
        chisq = float(score @ np.linalg.solve(variance, score))
    except np.linalg.LinAlgError:
        raise AnalysisError(
            "Gray's test is not computable: the variance of the scores is singular (a group "
            "without events of either kind?)",
            field="group",
        ) from None
    return GrayTest(cause, names, chisq, k - 1, float(_st.chi2.sf(chisq, k - 1)), rho)


def _gray_stratum(
    times: FloatArray,
    kind: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64],
    k: int,
    rho: float,
) -> tuple[FloatArray, FloatArray]:
    """Scores of groups 1..k−1 and their covariance within one stratum (Gray 1988, §2)."""
    distinct, inverse = np.unique(times, return_inverse=True)
    m = distinct.size
    counts = np.zeros((m, 3, k))
    np.add.at(counts, (inverse, kind, groups), 1.0)
    at_risk = np.bincount(groups, minlength=k).astype(np.float64)
    f1_before = np.zeros(k)  # each group's F(t−) of the cause
    km_before = np.ones(k)  # each group's all-cause KM S(t−)
    f_before = 0.0  # pooled F(t−), the weight's argument
    score = np.zeros(k - 1)
    var = np.zeros((k - 1, k - 1))
    c = np.zeros((k, k))
    v2 = np.zeros((k - 1, k))
    v3 = np.zeros(k)
    for j in range(m):
        d1, d2 = counts[j, 1], counts[j, 2]
        nd1, nd2 = d1.sum(), d2.sum()
        live = at_risk > 0
        if nd1 + nd2 > 0:
            km_after = km_before.copy()
            km_after[live] = km_before[live] * (at_risk[live] - d1[live] - d2[live]) / at_risk[live]
            f1_after = f1_before.copy()
            f1_after[live] = f1_before[live] + km_before[live] * d1[live] / at_risk[live]
            weight_risk = np.where(live, at_risk / np.where(live, km_before, 1.0), 0.0)
            tr = weight_risk.sum()
            tq = (weight_risk * (1 - f1_before)).sum()
            f = f_before + nd1 / tr
            fb = (1 - f_before) ** rho
            a = -fb * np.outer(weight_risk, weight_risk) / tr
            a[np.diag_indices(k)] = fb * weight_risk * (1 - weight_risk / tr)
            a[~live, :] = 0.0
            a[:, ~live] = 0.0
            c += a * nd1 / (tr * (1 - f_before))
            share = np.where(live, at_risk * (1 - f1_before) / np.where(live, km_before, 1.0), 0)
            score += (fb * np.where(live, d1 - nd1 * share / tq, 0.0))[: k - 1]
            if nd1 > 0:
                for g in np.flatnonzero(live):
                    t4 = 1 - (1 - f) / km_after[g] if km_after[g] > 0 else 1.0
                    t5 = 1 - (nd1 - 1) / (tr * km_before[g] - 1) if nd1 > 1 else 1.0
                    t3 = t5 * km_before[g] * nd1 / (tr * at_risk[g])
                    v3[g] += t4 * t4 * t3
                    t1 = a[: k - 1, g] - t4 * c[: k - 1, g]
                    v2[:, g] += t1 * t4 * t3
                    var += np.outer(t1, t1) * t3
            if nd2 > 0:
                for g in np.flatnonzero((km_after > 0) & (d2 > 0)):
                    t4 = (1 - f) / km_after[g]
                    t5 = 1 - (d2[g] - 1) / (at_risk[g] - 1) if d2[g] > 1 else 1.0
                    t3 = t5 * km_before[g] ** 2 * d2[g] / at_risk[g] ** 2
                    v3[g] += t4 * t4 * t3
                    t1 = t4 * c[: k - 1, g]
                    v2[:, g] -= t1 * t4 * t3
                    var += np.outer(t1, t1) * t3
            f_before, f1_before, km_before = f, f1_after, km_after
        at_risk -= counts[j].sum(axis=0)
    cc = c[: k - 1, :]
    var += (cc * v3) @ cc.T + cc @ v2.T + v2 @ cc.T
    return score, var
