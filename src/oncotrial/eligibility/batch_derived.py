"""Derived quantities over a population, column-wise: creatinine clearance, eGFR, corrected QT
and body-mass index (as ``evaluate_derived``).
"""

from __future__ import annotations

import numpy as np

from oncotrial.eligibility.analytes import ANALYTES, DERIVED
from oncotrial.eligibility.batch_context import (
    MET,
    NOT_MET,
    UNKNOWN,
    Codes,
    Floats,
    _codes,
    _Ctx,
    _factors,
    _holds,
    _latest,
    _per_patient,
    _pick,
    _usable,
)
from oncotrial.eligibility.batch_person import _age_years
from oncotrial.eligibility.derived import (
    COCKCROFT_GAULT_FEMALE_FACTOR,
    bazett,
    body_mass_index,
    ckd_epi_2021,
    cockcroft_gault,
    fridericia,
)
from oncotrial.eligibility.rules import DerivedRule
from oncotrial.eligibility.units import conversion_factor


def _derived(rule: DerivedRule, ctx: _Ctx) -> Codes:
    quantity = DERIVED[rule.quantity]
    n = ctx.n
    if quantity.key == "creatinine_clearance":
        value = _creatinine_clearance(rule, ctx)
    elif quantity.key in {"qtc", "qtcb"}:
        value = _qtc(rule, ctx)
    elif quantity.key == "egfr":
        value = _egfr(rule, ctx)
    else:
        weight = _measure(ctx, "weight", "kg")
        height = _measure(ctx, "height", "cm")
        value = body_mass_index(weight, height)
    threshold = rule.value * conversion_factor(rule.unit, quantity.unit)
    known = ~np.isnan(value)
    out = _codes(n, UNKNOWN)
    out[known] = np.where(_holds(rule.comparator, value[known], threshold), MET, NOT_MET)
    return out


def _measure(ctx: _Ctx, analyte: str, unit: str) -> Floats:
    picked = _pick(ctx, analyte, None)
    item = ANALYTES[analyte]
    value = picked["value"].to_numpy(dtype=np.float64) * _factors(
        picked["unit"], unit, item.molar_mass
    )
    return _per_patient(ctx.n, picked["patient"], value)


def _creatinine_clearance(rule: DerivedRule, ctx: _Ctx) -> Floats:
    picked = _pick(ctx, "creatinine", rule.within)
    mg_dl = picked["value"].to_numpy(dtype=np.float64) * _factors(
        picked["unit"], "mg/dL", ANALYTES["creatinine"].molar_mass
    )
    creatinine = _per_patient(ctx.n, picked["patient"], mg_dl)
    sample_day = _per_patient(ctx.n, picked["patient"], picked["date"])
    weight = _measure(ctx, "weight", "kg")
    people = ctx.frames.patients
    age = _age_years(people["birth"].to_numpy(dtype=np.float64), sample_day)
    sex = people["sex"]
    factor = np.where(sex == "female", COCKCROFT_GAULT_FEMALE_FACTOR, 1.0)
    factor = np.where(sex.isna().to_numpy(), np.nan, factor)
    return cockcroft_gault(age, weight, creatinine, factor)


def _egfr(rule: DerivedRule, ctx: _Ctx) -> Floats:
    picked = _pick(ctx, "creatinine", rule.within)
    mg_dl = picked["value"].to_numpy(dtype=np.float64) * _factors(
        picked["unit"], "mg/dL", ANALYTES["creatinine"].molar_mass
    )
    creatinine = _per_patient(ctx.n, picked["patient"], mg_dl)
    sample_day = _per_patient(ctx.n, picked["patient"], picked["date"])
    people = ctx.frames.patients
    age = _age_years(people["birth"].to_numpy(dtype=np.float64), sample_day)
    sex = people["sex"]
    value = np.asarray(ckd_epi_2021(age, creatinine, (sex == "female").to_numpy()))
    return np.where(sex.isna().to_numpy(), np.nan, value)


def _qtc(rule: DerivedRule, ctx: _Ctx) -> Floats:
    obs = ctx.frames.observations
    qt = _usable(ctx, obs[obs["analyte"] == "qt"], rule.within)
    # the ECG's rate: a heart rate, or an RR interval (rate = 60 000 / RR ms), as evaluate does
    hr = _usable(ctx, obs[obs["analyte"].isin(("heart_rate", "rr_interval"))], rule.within)
    common = qt[["patient", "date"]].merge(hr[["patient", "date"]]).drop_duplicates()
    last_day = common.groupby("patient")["date"].max().rename("last").reset_index()
    qt = qt.merge(last_day, on="patient")
    hr = hr.merge(last_day, on="patient")
    qt = _latest(qt[qt["date"] == qt["last"]])
    hr = _latest(hr[hr["date"] == hr["last"]])
    qt_ms = _per_patient(
        ctx.n,
        qt["patient"],
        qt["value"].to_numpy(dtype=np.float64) * _factors(qt["unit"], "ms", None),
    )
    values = hr["value"].to_numpy(dtype=np.float64)
    rr = (hr["analyte"] == "rr_interval").to_numpy()
    per_minute = np.where(
        rr,
        60000.0 / (values * _factors(hr["unit"].where(rr), "ms", None)),
        values * _factors(hr["unit"].where(~rr), "/min", None),
    )
    rate = _per_patient(ctx.n, hr["patient"], per_minute)
    return bazett(qt_ms, rate) if rule.quantity == "qtcb" else fridericia(qt_ms, rate)
