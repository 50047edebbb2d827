"""Test of proportional hazards from scaled Schoenfeld residuals (R ``cox.zph``).

Grambsch & Therneau (Biometrika 1994) test whether each coefficient drifts with a function g(t)
of time: the score test, at the fitted β̂, of adding the covariates xᵢ·g(t) to the model. With
g centred over the event times, the score of the added terms is
U = Σ_events g(tⱼ)(xᵢ − x̄ⱼ), and the information matrix of (β, γ) has the blocks
Σₖ Vₖ, Σₖ gₖVₖ and Σₖ gₖ²Vₖ (Vₖ the risk-set covariance, Efron terms as in the fit). A term's
χ² is uᵀ I⁻¹ u over all p model columns plus the term's added ones, with the score of the model
columns set to 0; ``GLOBAL`` adds all p (df = p). As survival 3.5-3 (``cox.zph(fit,
transform = "km", terms = TRUE)``, C routine ``zph1``): a factor is tested as one term with as
many df as it has columns.

``transform = "km"``: g(t) = 1 − S(t−), S the Kaplan-Meier estimate of the whole sample (strata
ignored), left-continuous. ``"identity"``, ``"rank"`` and ``"log"`` are the other transforms R
offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from scipy import stats as _st

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats._arrays import FloatArray
from oncotrial.stats.cox import event_moments, prepare_stratum
from oncotrial.stats.cox_model import CoxModel
from oncotrial.stats.km import kaplan_meier

__all__ = ["PhTest", "PhTestRow", "TimeTransform", "cox_zph"]


class TimeTransform(StrEnum):
    KM = "km"  # R's default
    IDENTITY = "identity"
    RANK = "rank"
    LOG = "log"


@dataclass(frozen=True)
class PhTestRow:
    """One term (or ``GLOBAL``): χ², degrees of freedom and p."""

    term: str
    chisq: float
    df: int
    p: float


@dataclass(frozen=True)
class PhTest:
    rows: tuple[PhTestRow, ...]
    transform: TimeTransform

    def row(self, term: str) -> PhTestRow:
        for row in self.rows:
            if row.term == term:
                return row
        raise KeyError(term)

    def to_dict(self) -> dict[str, Any]:
        return {row.term: {"chisq": row.chisq, "df": row.df, "p": row.p} for row in self.rows}


def _transformed_times(model: CoxModel, transform: TimeTransform) -> FloatArray:
    times = model.time
    if transform is TimeTransform.IDENTITY:
        return times
    if transform is TimeTransform.LOG:
        if (times <= 0).any():
            raise ValueProblem("the log transform needs times > 0", field="time")
        result: FloatArray = np.log(times)
        return result
    if transform is TimeTransform.RANK:
        ranked: FloatArray = _st.rankdata(times).astype(np.float64)
        return ranked
    curve = kaplan_meier(times, model.event)
    # S(t−): the estimate at the last distinct time strictly before t (1 before the first)
    before = np.searchsorted(curve.times, times, side="left")
    left = np.concatenate(([1.0], curve.survival))[before]
    km: FloatArray = 1.0 - left
    return km


def cox_zph(model: CoxModel, *, transform: TimeTransform | str = TimeTransform.KM) -> PhTest:
    """Per term and ``GLOBAL``: the proportional-hazards score test (module docstring)."""
    kind = TimeTransform(transform)
    beta = np.array([t.coef for t in model.fit.terms], dtype=np.float64)
    p = beta.size
    x = model.x - model.x.mean(axis=0)
    g_all = _transformed_times(model, kind)
    g_all = g_all - g_all[model.event].mean()
    codes = model.strata if model.strata is not None else np.zeros(model.n, dtype=np.int64)
    u = np.zeros(p)
    info = np.zeros((2 * p, 2 * p))
    for stratum in np.unique(codes):
        mask = codes == stratum
        part = prepare_stratum(model.time[mask], model.event[mask], x[mask], model.fit.ties)
        if not part.efron_time.size:
            continue
        _, mean, covariance = event_moments(part, beta)
        # g is a function of time, so equal for every subject at one event time
        g_time = np.zeros(part.m)
        g_time[part.inverse[part.dead]] = g_all[mask][part.dead]
        g = g_time[part.efron_time]
        u += (g_all[mask][part.dead, None] * x[mask][part.dead]).sum(axis=0)
        u -= (g[:, None] * mean).sum(axis=0)
        info[:p, :p] += covariance.sum(axis=0)
        cross = (g[:, None, None] * covariance).sum(axis=0)
        info[:p, p:] += cross
        info[p:, :p] += cross.T
        info[p:, p:] += (g[:, None, None] ** 2 * covariance).sum(axis=0)
    rows = []
    for term, columns in zip(model.terms, model.assign, strict=True):
        if not columns:
            continue  # every column aliased: R drops the term
        rows.append(_score_row(term.name, u, info, p, list(columns)))
    rows.append(_score_row("GLOBAL", u, info, p, list(range(p))))
    return PhTest(rows=tuple(rows), transform=kind)


def _score_row(name: str, u: FloatArray, info: FloatArray, p: int, columns: list[int]) -> PhTestRow:
    keep = list(range(p)) + [p + j for j in columns]
    score = np.concatenate((np.zeros(p), u[columns]))
    try:
        chisq = float(score @ np.linalg.solve(info[np.ix_(keep, keep)], score))
    except np.linalg.LinAlgError:
        raise AnalysisError(
            f"the proportional-hazards test of {name!r} is not computable (singular information)",
            field=name,
        ) from None
    df = len(columns)
    return PhTestRow(name, chisq, df, float(_st.chi2.sf(chisq, df)))
