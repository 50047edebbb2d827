"""History rules over a population, column-wise: medications, procedures, conditions, therapy
regimens and prior lines (as ``evaluate_history``); a history list is read as complete only
when the record provides it (the ``has_*`` columns).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.eligibility.batch_context import (
    _ANY_CODE,
    _ANY_RANK,
    MET,
    NOT_MET,
    UNKNOWN,
    Bools,
    Codes,
    Floats,
    _codes,
    _Ctx,
    _flags,
)
from oncotrial.eligibility.concepts import UNCLEAR_CONDITIONS, UNSPECIFIED
from oncotrial.eligibility.concepts_drugs import vague_for
from oncotrial.eligibility.concepts_oncology import site_relation
from oncotrial.eligibility.patient import CLINICAL_STATUS_ACTIVE, CLINICAL_STATUS_OVER
from oncotrial.eligibility.rules import (
    TOLERANCE,
    Comparator,
    ConditionRule,
    MedicationRule,
    OtherMalignancyRule,
    PriorLinesRule,
    ProcedureRule,
    RegimenRule,
    Window,
)


def _history(hit: Bools, undated: Bools, provided: Bools) -> Codes:
    out = np.where(hit, MET, np.where(undated, UNKNOWN, NOT_MET)).astype(np.int8)
    out[~provided] = UNKNOWN
    return out


def _medication(rule: MedicationRule, ctx: _Ctx) -> Codes:
    e = ctx.frames.exposures
    e = e[(e["therapy"] == rule.therapy) | e["therapy"].isin(vague_for(rule.therapy))]
    patient = e["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    start = e["start"].to_numpy(dtype=np.float64)
    end = e["end"].to_numpy(dtype=np.float64)
    # a window to registration runs back from the as-of date (_Ctx.end)
    ref = ctx.end(rule.within)[patient]
    received = ~(start > ref)  # NaN start passes, as in the scalar screen
    if rule.ongoing:
        undated = received & np.isnan(start)
        hit = received & ~np.isnan(start) & (np.isnan(end) | (end >= ref))
    elif rule.within is None:
        undated = np.zeros(len(e), dtype=bool)
        hit = received
    else:
        # no end date is an exposure still going on (MedicationRecord.end): taken up to now
        last = np.where(np.isnan(end), np.where(np.isnan(start), np.nan, ref), end)
        undated = received & np.isnan(last)
        dated = received & ~np.isnan(last)
        in_days = dated & (last >= ctx.earliest(rule.within)[patient])
        hit, unsure = _half_lives(rule.within, dated, in_days, dated & (last >= ref))
        undated = undated | unsure
    if rule.daily_dose is not None:
        met, unknown = _dose_beyond(rule, e)
        undated = undated | (hit & unknown)
        hit = hit & met
    # a record of the drug's class that names no drug ('chemotherapy'): it may be the drug
    maybe = (e["therapy"] != rule.therapy).to_numpy(dtype=bool)
    undated = undated | (hit & maybe)
    hit = hit & ~maybe
    provided = ctx.frames.patients["has_medications"].to_numpy(dtype=bool)
    return _history(_flags(ctx.n, patient[hit]), _flags(ctx.n, patient[undated]), provided)


def _half_lives(
    window: Window, dated: Bools, in_days: Bools, on_the_day: Bools
) -> tuple[Bools, Bools]:
    """(within, unknown) per exposure row, as ``rule_window.half_life_status``."""
    if window.whichever is None:
        return in_days, np.zeros(len(in_days), dtype=bool)
    if window.whichever == "shorter":
        return on_the_day, in_days & ~on_the_day
    return in_days, dated & ~in_days


def _holds(comparator: Comparator, value: Floats, threshold: float) -> Bools:
    """``Comparator.holds`` over an array (NaN holds nothing)."""
    diff = value - threshold
    tol = TOLERANCE * np.maximum(np.abs(value), abs(threshold))
    with np.errstate(invalid="ignore"):
        if comparator is Comparator.GE:
            return diff >= -tol
        if comparator is Comparator.GT:
            return diff > tol
        if comparator is Comparator.LE:
            return diff <= tol
        if comparator is Comparator.LT:
            return diff < -tol
        return np.abs(diff) <= tol


def _dose_beyond(rule: MedicationRule, e: pd.DataFrame) -> tuple[Bools, Bools]:
    """(met, unknown) per exposure row, as ``evaluate_history.dose_status``."""
    assert rule.daily_dose is not None
    if "dose_low" not in e.columns:  # a source that does not read doses
        return np.zeros(len(e), dtype=bool), np.ones(len(e), dtype=bool)
    low = e["dose_low"].to_numpy(dtype=np.float64)
    high = e["dose_high"].to_numpy(dtype=np.float64)
    a = _holds(rule.daily_dose.comparator, low, rule.daily_dose.value)
    b = _holds(rule.daily_dose.comparator, high, rule.daily_dose.value)
    known = ~np.isnan(low) & ~np.isnan(high)
    met = known & a & b
    return met, ~met & ~(known & ~a & ~b)


def _procedure(rule: ProcedureRule, ctx: _Ctx) -> Codes:
    f = ctx.frames.procedures
    vague = UNSPECIFIED.get(rule.procedure)
    f = f[(f["procedure"] == rule.procedure) | (f["procedure"] == vague)]
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    date = f["date"].to_numpy(dtype=np.float64)
    ref = ctx.end(rule.within)[patient]  # the as-of date for a window to registration
    if rule.within is None:
        hit = np.isnan(date) | (date <= ref)
        undated = np.zeros(len(f), dtype=bool)
    else:
        undated = np.isnan(date)
        hit = ~undated & (date <= ref) & (date >= ctx.earliest(rule.within)[patient])
    if vague is not None:
        # a record of the kind "stem cell transplantation" alone: allogeneic or not is unknown
        unspecified = (f["procedure"] == vague).to_numpy(dtype=bool)
        undated = undated | (hit & unspecified)
        hit = hit & ~unspecified
    if rule.site is not None:
        wanted = rule.site
        sites = f["site"] if "site" in f.columns else pd.Series([None] * len(f), dtype=object)
        where = sites.map(
            lambda s: site_relation(wanted, s if isinstance(s, str) and s != "?" else None)
        ).to_numpy(dtype=object)
        undated = undated | (hit & (where == "unclear"))
        hit = hit & (where == "within")
    provided = ctx.frames.patients["has_procedures"].to_numpy(dtype=bool)
    return _history(_flags(ctx.n, patient[hit]), _flags(ctx.n, patient[undated]), provided)


def _condition(rule: ConditionRule, ctx: _Ctx) -> Codes:
    f = ctx.frames.conditions
    unclear = UNCLEAR_CONDITIONS.get(rule.condition, frozenset())
    f = f[(f["concept"] == rule.condition) | f["concept"].isin(unclear)]
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    onset = f["onset"].to_numpy(dtype=np.float64)
    abatement = f["abatement"].to_numpy(dtype=np.float64)
    ref = ctx.end(rule.within)[patient]  # the as-of date for a window to registration
    keep = ~(onset > ref)
    if rule.current or rule.active:
        keep &= ~(abatement <= ref)
    # a source without the column records no clinical status (the OMOP reader)
    status = f["status"] if "status" in f.columns else pd.Series([None] * len(f), dtype=object)
    if rule.current:  # as evaluate_history: a status that says it is over
        keep &= ~status.isin(CLINICAL_STATUS_OVER).to_numpy(dtype=bool)
    if rule.active:
        # as evaluate_history: active, recurrence, relapse count; no status is unknown
        undated = keep & status.isna().to_numpy(dtype=bool)
        hit = keep & status.isin(CLINICAL_STATUS_ACTIVE).to_numpy(dtype=bool)
    elif rule.within is not None:
        undated = keep & np.isnan(onset)
        hit = keep & ~np.isnan(onset) & (onset >= ctx.earliest(rule.within)[patient])
    else:
        undated = np.zeros(len(f), dtype=bool)
        hit = keep
    # as evaluate_history: a record the rule may or may not mean (HIV for immunodeficiency)
    maybe = f["concept"].isin(unclear).to_numpy(dtype=bool)
    undated = undated | (hit & maybe)
    hit = hit & ~maybe
    provided = ctx.frames.patients["has_conditions"].to_numpy(dtype=bool)
    if rule.qualifier is not None:  # the condition AND words no record shows: never met
        hit, undated = np.zeros(len(f), dtype=bool), hit | undated
    return _history(_flags(ctx.n, patient[hit]), _flags(ctx.n, patient[undated]), provided)


def _other_malignancy(rule: OtherMalignancyRule, ctx: _Ctx) -> Codes:
    """As ``evaluate_history.malignancy_verdict``, over the malignancy records' frame."""
    f = ctx.frames.malignancies
    if f is None:
        return _codes(ctx.n, UNKNOWN)
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    onset = f["onset"].to_numpy(dtype=np.float64)
    abatement = f["abatement"].to_numpy(dtype=np.float64)
    kinds = f["kinds"].astype(str).str.split("|")
    has = {
        k: kinds.map(lambda ks, k=k: k in ks).to_numpy(dtype=bool)
        for k in (
            "malignancy",
            "nonmelanoma_skin_cancer",
            *rule.exceptions,
        )
    }
    ref = ctx.end(rule.within)[patient]  # the as-of date for a window to registration
    counts = ~(onset > ref)
    for key in rule.exceptions:
        counts &= ~has[key]
    if rule.current:
        counts &= ~(abatement <= ref)
        # as evaluate_history.malignancy_verdict: a status that says it is over (a source
        # without the column records none)
        if "status" in f.columns:
            counts &= ~f["status"].isin(CLINICAL_STATUS_OVER).to_numpy(dtype=bool)
    elif rule.within is not None:
        counts &= ~(abatement < ctx.earliest(rule.within)[patient])
    unclear = f["unclear"].to_numpy(dtype=bool) | ~has["malignancy"]
    if (
        "skin_basal_squamous_carcinoma" in rule.exceptions
        and "nonmelanoma_skin_cancer" not in rule.exceptions
    ):
        unclear |= has["nonmelanoma_skin_cancer"]
    provided = ctx.frames.patients["has_conditions"].to_numpy(dtype=bool)
    if rule.qualifier is not None:  # as evaluate_history.confirming: a record is unknown
        unclear = np.ones(len(f), dtype=bool)
    return _history(
        _flags(ctx.n, patient[counts & ~unclear]),
        _flags(ctx.n, patient[counts & unclear]),
        provided,
    )


def _regimen(rule: RegimenRule, ctx: _Ctx) -> Codes:
    lines = ctx.frames.lines
    classes = ctx.frames.line_classes
    wanted = classes[classes["therapy"].isin(rule.therapies)]
    count = wanted.groupby("line_id")["therapy"].nunique()
    has_all = lines["line_id"].map(count).fillna(0).to_numpy() >= len(set(rule.therapies))
    # each wanted class there, or a drug recorded by a wider class that may be it
    maybe_all = np.ones(len(lines), dtype=bool)
    for therapy in set(rule.therapies):
        near = classes["therapy"].isin({therapy, *vague_for(therapy)})
        maybe_all &= lines["line_id"].isin(classes.loc[near, "line_id"]).to_numpy(dtype=bool)
    number = lines["line"].to_numpy(dtype=np.float64)
    cycles = lines["cycles"].to_numpy(dtype=np.float64)
    verdict = np.full(len(lines), -1, dtype=np.int8)  # -1: the line does not count
    if rule.line is not None:
        verdict[np.isnan(number) & maybe_all] = UNKNOWN
        counts = number == rule.line
    else:
        counts = np.ones(len(lines), dtype=bool)
    verdict[counts & ~maybe_all] = NOT_MET
    verdict[counts & maybe_all & ~has_all] = UNKNOWN
    eligible = counts & has_all
    if rule.min_cycles is None and rule.max_cycles is None:
        verdict[eligible] = MET
    else:
        unknown_cycles = eligible & np.isnan(cycles)
        verdict[unknown_cycles] = UNKNOWN
        ok = np.ones(len(lines), dtype=bool)
        if rule.min_cycles is not None:
            ok &= cycles >= rule.min_cycles
        if rule.max_cycles is not None:
            ok &= cycles <= rule.max_cycles
        decided = eligible & ~np.isnan(cycles)
        verdict[decided] = np.where(ok[decided], MET, NOT_MET)
    frame = pd.DataFrame({"patient": lines["patient"].to_numpy(), "verdict": verdict})
    frame = frame[frame["verdict"] >= 0]
    ranks = _ANY_RANK[frame["verdict"].to_numpy()]
    best = pd.Series(ranks).groupby(frame["patient"].to_numpy()).max()
    out = _codes(ctx.n, UNKNOWN)
    provided = ctx.frames.patients["has_therapies"].to_numpy(dtype=bool)
    out[provided] = NOT_MET
    out[best.index.to_numpy()] = _ANY_CODE[best.to_numpy()]
    return out


def _prior_lines(rule: PriorLinesRule, ctx: _Ctx) -> Codes:
    lines = ctx.frames.lines
    unsure = lines.iloc[:0]  # lines that may be of the therapy ('chemotherapy'): none yet
    if rule.therapy is not None:
        classes = ctx.frames.line_classes
        sure = lines["line_id"].isin(classes.loc[classes["therapy"] == rule.therapy, "line_id"])
        vague = classes["therapy"].isin(vague_for(rule.therapy))
        unsure = lines[~sure & lines["line_id"].isin(classes.loc[vague, "line_id"])]
        lines = lines[sure]
    low = np.bincount(lines["patient"].to_numpy(dtype=np.int64), minlength=ctx.n)
    high = low + np.bincount(unsure["patient"].to_numpy(dtype=np.int64), minlength=ctx.n)
    # as evaluate_history.lines_verdict: the limits bound an interval of counts
    floor = rule.min_lines if rule.min_lines is not None else 0
    ceiling = np.full(ctx.n, rule.max_lines) if rule.max_lines is not None else high
    every = (floor <= low) & (high <= ceiling)
    none = np.maximum(low, floor) > np.minimum(high, ceiling)
    out = np.where(every, MET, np.where(none, NOT_MET, UNKNOWN)).astype(np.int8)
    out[~ctx.frames.patients["has_therapies"].to_numpy(dtype=bool)] = UNKNOWN
    return out
