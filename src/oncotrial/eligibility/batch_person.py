"""Rules on the person over a population, column-wise: age, sex and performance status (as
``evaluate_person``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.eligibility.batch_context import (
    MET,
    NOT_MET,
    UNKNOWN,
    Codes,
    Floats,
    _codes,
    _Ctx,
    _decided,
    _holds,
    _latest,
)
from oncotrial.eligibility.performance import mapped_from, mapped_scores
from oncotrial.eligibility.rules import AgeRule, PerformanceStatusRule, SexRule


def _age_years(birth: Floats, on: Floats) -> Floats:
    """Completed years between two day numbers (NaN stays NaN)."""
    known = ~(np.isnan(birth) | np.isnan(on))
    out = np.full(len(birth), np.nan)
    if known.any():
        b = pd.to_datetime(pd.Series(birth[known]), unit="D")
        o = pd.to_datetime(pd.Series(on[known]), unit="D")
        years = o.dt.year - b.dt.year
        before = (o.dt.month < b.dt.month) | ((o.dt.month == b.dt.month) & (o.dt.day < b.dt.day))
        out[known] = (years - before.astype(int)).to_numpy(dtype=np.float64)
    return out


def _age(rule: AgeRule, ctx: _Ctx) -> Codes:
    people = ctx.frames.patients
    birth = people["birth"].to_numpy(dtype=np.float64)
    if rule.at == "consent":
        consent = people["consent"].to_numpy(dtype=np.float64)
        on = np.where(np.isnan(consent), ctx.as_of, consent)
    else:
        on = ctx.reference
    age = _age_years(birth, on)
    known = ~np.isnan(age)
    return _decided(_holds(rule.comparator, np.nan_to_num(age), rule.value) & known, known)


def _sex(rule: SexRule, ctx: _Ctx) -> Codes:
    sex = ctx.frames.patients["sex"]
    known = sex.notna().to_numpy()
    return _decided((sex == rule.sex).to_numpy() & known, known)


def _performance(rule: PerformanceStatusRule, ctx: _Ctx) -> Codes:
    out = _performance_on(rule, ctx, own=True)
    has_own = np.zeros(ctx.n, dtype=bool)
    own = ctx.frames.performance
    has_own[own.loc[own["scale"] == rule.scale, "patient"].to_numpy()] = True
    mapped = _performance_on(rule, ctx, own=False)
    # no score on the rule's scale at all: the other scale's, mapped (eligibility.performance)
    return np.where(has_own, out, mapped).astype(np.int8)


def _performance_on(rule: PerformanceStatusRule, ctx: _Ctx, own: bool) -> Codes:
    ps = ctx.frames.performance
    # its own scale's scores, or those of the scales mapped onto it (eligibility.performance)
    ps = ps[ps["scale"] == rule.scale] if own else ps[ps["scale"].isin(mapped_from(rule.scale))]
    patient = ps["patient"].to_numpy()
    dates = ps["date"].to_numpy(dtype=np.float64)
    keep = np.isnan(dates) | (dates <= ctx.end(rule.within)[patient])
    if rule.within is not None:
        keep &= dates >= ctx.earliest(rule.within)[patient]
    ps = ps[keep].assign(dated=lambda f: f["date"].notna())
    picked = _latest(ps, ("dated", "date", "order"))
    out = _codes(ctx.n, UNKNOWN)
    if own:
        ok = picked["score"].isin(rule.allowed).to_numpy()
        out[picked["patient"].to_numpy()] = np.where(ok, MET, NOT_MET)
        return out
    allowed = set(rule.allowed)
    codes = [
        MET if grades and grades <= allowed else NOT_MET if not grades & allowed else UNKNOWN
        for grades in (
            mapped_scores(scale, int(score), rule.scale)
            for scale, score in zip(picked["scale"], picked["score"], strict=True)
        )
    ]
    out[picked["patient"].to_numpy()] = np.asarray(codes, dtype=np.int8)
    return out
