"""Rules on the tumour over a population, column-wise: diagnosis, stage, tumour size,
biomarkers and current lesions (as ``evaluate_tumour``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.eligibility.batch_context import (
    MET,
    NOT_MET,
    UNKNOWN,
    Codes,
    _codes,
    _Ctx,
    _decided,
    _flags,
    _holds,
    _latest,
    _per_patient,
)
from oncotrial.eligibility.concepts_cancers import contradicting_cancers
from oncotrial.eligibility.evaluate_tumour import stage_verdict
from oncotrial.eligibility.extent import METASTASIS_CONDITIONS, extent_verdict
from oncotrial.eligibility.rules import (
    BiomarkerRule,
    DiagnosisRule,
    LesionRule,
    StageRule,
    TumourSizeRule,
)


def _diagnosis(rule: DiagnosisRule, ctx: _Ctx) -> Codes:
    d = ctx.frames.diagnosis
    concepts = ctx.frames.diagnosis_concepts
    out = _codes(ctx.n, UNKNOWN)
    has = np.zeros(ctx.n, dtype=bool)
    has[d["patient"].to_numpy()] = True
    other = np.zeros(ctx.n, dtype=bool)
    refuting = concepts["concept"].isin(contradicting_cancers(rule.condition))
    other[concepts.loc[refuting, "patient"].to_numpy()] = True
    match = np.zeros(ctx.n, dtype=bool)
    match[concepts.loc[concepts["concept"] == rule.condition, "patient"].to_numpy()] = True
    # a broader record ("lung cancer" for an NSCLC rule) stays unknown, as per patient
    out[has & other & ~match] = NOT_MET
    ok = has & match
    if not rule.confirmed_by:
        out[ok] = MET
        return out
    confirmed = pd.Series([None] * ctx.n, dtype=object)
    confirmed[d["patient"].to_numpy()] = d["confirmed_by"].to_numpy()
    known = confirmed.notna().to_numpy()
    good = confirmed.isin(rule.confirmed_by).to_numpy()
    out[ok & known & good] = MET
    out[ok & known & ~good] = NOT_MET
    return out


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _stage(rule: StageRule, ctx: _Ctx) -> Codes:
    d = ctx.frames.diagnosis
    n = ctx.n
    verdict_false = np.zeros(n, dtype=bool)
    missing = np.zeros(n, dtype=bool)
    has = np.zeros(n, dtype=bool)
    has[d["patient"].to_numpy()] = True
    patients = d["patient"].to_numpy()
    if rule.editions:
        edition = d["edition"]
        missing[patients[(edition.isna() | ~edition.isin(rule.editions)).to_numpy()]] = True
    for allowed, column, prefix in (
        (rule.groups, "stage", ""),
        (rule.t, "t", "T"),
        (rule.n, "n", "N"),
        (rule.m, "m", "M"),
    ):
        if not allowed:
            continue
        values = d[column]
        table = {v: stage_verdict(str(v), allowed, prefix) for v in values.dropna().unique()}
        ok = values.map(table)
        undecided = {v for v, verdict in table.items() if verdict is None}
        coarser = values.isin(undecided)
        missing[patients[(values.isna() | coarser).to_numpy()]] = True
        verdict_false[patients[(ok == False).to_numpy()]] = True  # noqa: E712 (NaN-aware)
    if rule.extent:
        # the one function of the per-patient path, over each row's (extent, stage, M) and
        # whether the patient has a record of distant metastases by the reference date
        c = ctx.frames.conditions
        onset = c["onset"].to_numpy(dtype=np.float64)
        dated = np.isnan(onset) | (onset <= ctx.reference[c["patient"].to_numpy()])
        distant = np.zeros(n, dtype=bool)
        distant[c.loc[c["concept"].isin(METASTASIS_CONDITIONS).to_numpy() & dated, "patient"]] = (
            True
        )
        rows = zip(d["extent"], d["stage"], d["m"], distant[patients], strict=True)
        verdicts = [
            extent_verdict(rule.extent, _text(e), _text(s), _text(m), bool(x))[0]
            for e, s, m, x in rows
        ]
        missing[patients[np.array([v is None for v in verdicts], dtype=bool)]] = True
        verdict_false[patients[np.array([v is False for v in verdicts], dtype=bool)]] = True
    out = _codes(n, UNKNOWN)
    out[has & ~missing] = MET
    out[has & verdict_false] = NOT_MET
    return out


def _tumour_size(rule: TumourSizeRule, ctx: _Ctx) -> Codes:
    d = ctx.frames.diagnosis
    size = _per_patient(ctx.n, d["patient"], d["size_mm"].to_numpy(dtype=np.float64))
    scale = 10.0 if rule.unit == "cm" else 1.0
    known = ~np.isnan(size)
    ok = np.ones(ctx.n, dtype=bool)
    for bound in rule.bounds:
        ok &= _holds(bound.comparator, np.nan_to_num(size), bound.value * scale)
    return _decided(ok & known, known)


def _biomarker(rule: BiomarkerRule, ctx: _Ctx) -> Codes:
    b = ctx.frames.biomarkers
    b = b[b["marker"] == rule.marker.upper()]
    patient = b["patient"].to_numpy()
    dates = b["date"].to_numpy(dtype=np.float64)
    b = b[np.isnan(dates) | (dates <= ctx.reference[patient])]
    picked = _latest(b.assign(dated=lambda f: f["date"].notna()), ("dated", "date", "order"))
    out = _codes(ctx.n, UNKNOWN)
    p = picked["patient"].to_numpy()
    if rule.variant is not None:
        return _variant(rule, b, picked, out)
    if rule.status is not None:
        status = picked["status"].copy()
        if rule.failed_as is not None:
            status = status.where(status != "failed", rule.failed_as)
        known = status.isin(["detected", "not_detected"]).to_numpy()
        ok = (status == rule.status).to_numpy()
        out[p[known]] = np.where(ok[known], MET, NOT_MET)
        return out
    assert rule.comparator is not None and rule.value is not None
    value = picked["value"].to_numpy(dtype=np.float64)
    known = ~np.isnan(value)
    out[p[known]] = np.where(_holds(rule.comparator, value[known], rule.value), MET, NOT_MET)
    return out


def _variant(rule: BiomarkerRule, b: pd.DataFrame, picked: pd.DataFrame, out: Codes) -> Codes:
    """As ``evaluate_tumour._variant``: the latest test is every result of the latest
    result's day (every undated result when none is dated)."""
    assert rule.variant is not None
    if picked.empty:
        return out
    day = b["patient"].map(picked.set_index("patient")["date"]).to_numpy(dtype=np.float64)
    dates = b["date"].to_numpy(dtype=np.float64)
    test = b[(dates == day) | (np.isnan(dates) & np.isnan(day))]
    n = len(out)
    status = test["status"]
    detected = (status == "detected").to_numpy()
    recorded = test["variant"].notna().to_numpy()
    hit = _flags(
        n, test.loc[detected & test["variant"].isin(list(rule.variant)).to_numpy(), "patient"]
    )
    unsure = detected & ~recorded
    if rule.failed_as != "not_detected":
        unsure |= (status == "failed").to_numpy()
    unsure |= status.isna().to_numpy()
    unknown = _flags(n, test.loc[unsure, "patient"])
    out[picked["patient"].to_numpy()] = NOT_MET
    out[unknown] = UNKNOWN
    out[hit] = MET
    return out


def _lesions(rule: LesionRule, ctx: _Ctx) -> Codes:
    n = ctx.n
    f = ctx.frames.lesions
    patient = f["patient"].to_numpy()
    dates = f["date"].to_numpy(dtype=np.float64)
    keep = np.isnan(dates) | (dates <= ctx.reference[patient])
    provided = ctx.frames.patients["has_lesions"].to_numpy(dtype=bool)
    out = _codes(n, UNKNOWN)
    if rule.within is not None:
        keep &= ~np.isnan(dates) & (dates >= ctx.earliest(rule.within)[patient])
    f = f[keep]
    last = f.groupby("patient")["date"].max()
    day = f["patient"].map(last).to_numpy(dtype=np.float64)
    dates = f["date"].to_numpy(dtype=np.float64)
    f = f[np.isnan(dates) | np.isnan(day) | (dates == day)]
    present = _flags(n, f["patient"])
    missing = np.zeros(n, dtype=bool)
    false = np.zeros(n, dtype=bool)
    counted = f
    if rule.exclude_complete_metabolic_response and (
        rule.max_lesions is not None or rule.max_organs is not None
    ):
        missing |= _flags(n, f.loc[f["cmr"].isna(), "patient"])
        counted = f[f["cmr"] != 1.0]
    if rule.max_lesions is not None:
        number = np.bincount(counted["patient"].to_numpy(dtype=np.int64), minlength=n)
        false |= ~missing & (number > rule.max_lesions)
    if rule.max_organs is not None:
        organs = counted.groupby("patient")["organ"].nunique()
        in_organs = _per_patient(n, organs.index, organs.to_numpy(), 0.0)
        false |= ~missing & (in_organs > rule.max_organs)
    if rule.min_measurable is not None:
        measurable = np.bincount(
            f.loc[f["measurable"] == 1.0, "patient"].to_numpy(dtype=np.int64), minlength=n
        )
        undetermined = _flags(n, f.loc[f["measurable"].isna(), "patient"])
        short = measurable < rule.min_measurable
        missing |= short & undetermined
        false |= short & ~undetermined
    out[provided] = MET
    out[provided & missing] = UNKNOWN
    out[provided & false] = NOT_MET
    if rule.within is not None:
        out[provided & ~present] = UNKNOWN  # no assessment in the window
    return out
