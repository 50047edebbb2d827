"""Screening many patients at once: the rules evaluated column-wise over data frames.

``screen_frames`` gives, for every patient and criterion, the same status as
``screening.screen_patient`` (tests hold the two equal on random patients), without the
evidence: it is for screening a registry or a simulated population; screen one patient with
``screen_patient`` to see why. Patients are rows; their labs, history and lesions are long
tables keyed by the patient's row number (``PatientFrames``). Dates are days since 1970-01-01 as
floats, NaN when unknown.

Semantics follow ``oncotrial.eligibility.evaluate`` rule by rule: latest result on or before the
reference date (ties: the one listed last, ``order``), windows [earliest, reference], units
converted with one factor per unit, ×ULN from the result's own range, closed-world history lists
only when the record provides them (``has_*`` columns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncotrial.eligibility.analytes import ANALYTES, DERIVED, ordinal_rank
from oncotrial.eligibility.criteria import CriterionKind, Eligibility
from oncotrial.eligibility.derived import (
    COCKCROFT_GAULT_FEMALE_FACTOR,
    bazett,
    body_mass_index,
    ckd_epi_2021,
    cockcroft_gault,
    fridericia,
)
from oncotrial.eligibility.evaluate import matches_stage
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.performance import mapped_scores
from oncotrial.eligibility.rules import (
    TOLERANCE,
    AgeRule,
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
    Comparator,
    ConditionalRule,
    ConditionRule,
    DerivedRule,
    DiagnosisRule,
    JudgementRule,
    LabResultRule,
    LabRule,
    LesionRule,
    MedicationRule,
    NotRule,
    PerformanceStatusRule,
    PriorLinesRule,
    ProcedureRule,
    RegimenRule,
    Rule,
    SexRule,
    StageRule,
    TumourSizeRule,
    Window,
    children,
)
from oncotrial.eligibility.screening import REGISTRY, Overall, registry_rules
from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import RuleError

__all__ = ["PatientFrames", "frames_from_patients", "rule_statuses", "screen_frames"]

Codes = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

NOT_MET, MET, UNKNOWN, INVESTIGATOR = np.int8(0), np.int8(1), np.int8(2), np.int8(3)
STATUS = {
    NOT_MET: Status.NOT_MET,
    MET: Status.MET,
    UNKNOWN: Status.UNKNOWN,
    INVESTIGATOR: Status.INVESTIGATOR,
}
# priority of each code when combining (index = code): all-of and any-of (outcome module)
_ALL_RANK = np.array([3, 0, 2, 1], dtype=np.int8)
_ANY_RANK = np.array([0, 3, 2, 1], dtype=np.int8)
_ALL_CODE = np.array([MET, INVESTIGATOR, UNKNOWN, NOT_MET], dtype=np.int8)
_ANY_CODE = np.array([NOT_MET, INVESTIGATOR, UNKNOWN, MET], dtype=np.int8)

EPOCH = dt.date(1970, 1, 1)


def day_number(value: dt.date | None) -> float:
    return float("nan") if value is None else float((value - EPOCH).days)


@dataclass(frozen=True)
class PatientFrames:
    """A population in long tables; ``patient`` columns are row numbers of ``patients``.

    patients:     id, sex ('female'/'male'/None), birth, consent, first_dose (day numbers),
                  has_conditions, has_medications, has_therapies, has_procedures,
                  has_biomarkers, has_lesions (bool)
    observations: patient, analyte, value, result, unit, date, low, high, range_unit, order
    performance:  patient, scale, score, date, order
    diagnosis:    patient, confirmed_by, stage, t, n, m, edition, size_mm, date
    diagnosis_concepts: patient, concept
    conditions:   patient, concept, onset, abatement (the diagnosis included, as the scalar
                  screen counts it among the records of a condition)
    exposures:    patient, therapy, start, end (medications and each drug of each line)
    procedures:   patient, procedure, date
    lines:        patient, line_id, line, cycles;  line_classes: line_id, therapy
    biomarkers:   patient, marker, status, value, date, order
    lesions:      patient, organ, measurable, cmr (1.0/0.0/NaN), date
    """

    patients: pd.DataFrame
    observations: pd.DataFrame
    performance: pd.DataFrame
    diagnosis: pd.DataFrame
    diagnosis_concepts: pd.DataFrame
    conditions: pd.DataFrame
    exposures: pd.DataFrame
    procedures: pd.DataFrame
    lines: pd.DataFrame
    line_classes: pd.DataFrame
    biomarkers: pd.DataFrame
    lesions: pd.DataFrame

    @property
    def size(self) -> int:
        return len(self.patients)


_COLUMNS: dict[str, tuple[str, ...]] = {
    "observations": (
        "patient",
        "analyte",
        "value",
        "result",
        "unit",
        "date",
        "low",
        "high",
        "range_unit",
        "order",
    ),
    "performance": ("patient", "scale", "score", "date", "order"),
    "diagnosis": ("patient", "confirmed_by", "stage", "t", "n", "m", "edition", "size_mm", "date"),
    "diagnosis_concepts": ("patient", "concept"),
    "conditions": ("patient", "concept", "onset", "abatement"),
    "exposures": ("patient", "therapy", "start", "end"),
    "procedures": ("patient", "procedure", "date"),
    "lines": ("patient", "line_id", "line", "cycles"),
    "line_classes": ("line_id", "therapy"),
    "biomarkers": ("patient", "marker", "status", "value", "date", "order"),
    "lesions": ("patient", "organ", "measurable", "cmr", "date"),
}


def _frame(name: str, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(_COLUMNS[name]))


def frames_from_patients(patients: Sequence[Patient]) -> PatientFrames:
    """The long tables of ``patients`` (a loop over records; the screening itself is not)."""
    people: list[dict[str, Any]] = []
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _COLUMNS}
    line_id = 0
    for i, p in enumerate(patients):
        people.append(
            {
                "id": p.id,
                "sex": p.sex,
                "birth": day_number(p.birth_date),
                "consent": day_number(p.consent_date),
                "first_dose": day_number(p.planned_first_dose),
                "has_conditions": p.conditions is not None,
                "has_medications": p.medications is not None or p.therapies is not None,
                "has_therapies": p.therapies is not None,
                "has_procedures": p.procedures is not None,
                "has_biomarkers": p.biomarkers is not None,
                "has_lesions": p.lesions is not None,
            }
        )
        for k, o in enumerate(p.observations):
            rows["observations"].append(
                (
                    i,
                    o.analyte,
                    o.value,
                    o.result,
                    o.unit,
                    day_number(o.date),
                    o.low,
                    o.high,
                    o.range_unit,
                    k,
                )
            )
        for k, s in enumerate(p.performance_status):
            rows["performance"].append((i, s.scale, s.score, day_number(s.date), k))
        d = p.diagnosis
        if d is not None:
            rows["diagnosis"].append(
                (
                    i,
                    d.confirmed_by,
                    d.stage,
                    d.t,
                    d.n,
                    d.m,
                    d.edition,
                    d.tumour_size_mm,
                    day_number(d.date),
                )
            )
            for concept in d.concepts("condition"):
                rows["diagnosis_concepts"].append((i, concept))
        for c in p.conditions or ():
            for concept in c.concepts("condition"):
                rows["conditions"].append(
                    (i, concept, day_number(c.onset), day_number(c.abatement))
                )
        if p.conditions is not None and d is not None:
            for concept in d.concepts("condition"):
                rows["conditions"].append((i, concept, day_number(d.date), float("nan")))
        for m in p.medications or ():
            for therapy in m.concepts("therapy"):
                rows["exposures"].append((i, therapy, day_number(m.start), day_number(m.end)))
        for line in p.therapies or ():
            line_id += 1
            rows["lines"].append(
                (
                    i,
                    line_id,
                    float(line.line) if line.line else float("nan"),
                    float(line.cycles) if line.cycles is not None else float("nan"),
                )
            )
            classes: set[str] = set()
            for drug in line.drugs:
                found = drug.concepts("therapy")
                classes |= found
                for therapy in found:
                    rows["exposures"].append(
                        (
                            i,
                            therapy,
                            day_number(drug.start or line.start),
                            day_number(drug.end or line.end),
                        )
                    )
            for therapy in classes:
                rows["line_classes"].append((line_id, therapy))
        for proc in p.procedures or ():
            for concept in proc.concepts():
                rows["procedures"].append((i, concept, day_number(proc.date)))
        for k, b in enumerate(p.biomarkers or ()):
            rows["biomarkers"].append(
                (i, b.marker.strip().upper(), b.status, b.value, day_number(b.date), k)
            )
        for lesion in p.lesions or ():
            rows["lesions"].append(
                (
                    i,
                    lesion.organ.strip().casefold(),
                    _flag(lesion.measurable),
                    _flag(lesion.complete_metabolic_response),
                    day_number(lesion.date),
                )
            )
    return PatientFrames(pd.DataFrame(people), **{k: _frame(k, v) for k, v in rows.items()})


def _flag(value: bool | None) -> float:
    return float("nan") if value is None else float(value)


# ---------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Ctx:
    frames: PatientFrames
    reference: Floats  # day numbers per patient
    as_of: float
    earliest_cache: dict[Window, Floats]

    @property
    def n(self) -> int:
        return self.frames.size

    def earliest(self, window: Window) -> Floats:
        if window not in self.earliest_cache:
            self.earliest_cache[window] = _earliest(window, self.reference)
        return self.earliest_cache[window]


def _earliest(window: Window, reference: Floats) -> Floats:
    if window.unit in ("days", "weeks"):
        return reference - window.value * (7 if window.unit == "weeks" else 1)
    days = pd.to_datetime(pd.Series(reference), unit="D")
    offset = (
        pd.DateOffset(months=window.value)
        if window.unit == "months"
        else pd.DateOffset(years=window.value)
    )
    shifted = days - offset
    return np.asarray((shifted - pd.Timestamp(EPOCH)).dt.days, dtype=np.float64)


def _holds(comparator: Comparator, value: Floats, threshold: Floats | float) -> Bools:
    diff = value - threshold
    tol = TOLERANCE * np.maximum(np.abs(value), np.abs(threshold))
    if comparator is Comparator.GE:
        return np.asarray(diff >= -tol)
    if comparator is Comparator.GT:
        return np.asarray(diff > tol)
    if comparator is Comparator.LE:
        return np.asarray(diff <= tol)
    if comparator is Comparator.LT:
        return np.asarray(diff < -tol)
    return np.asarray(np.abs(diff) <= tol)


def _codes(n: int, value: np.int8) -> Codes:
    return np.full(n, value, dtype=np.int8)


def _decided(ok: Bools, known: Bools) -> Codes:
    out = np.where(ok, MET, NOT_MET).astype(np.int8)
    out[~known] = UNKNOWN
    return out


def _combine_all(parts: Sequence[Codes], n: int) -> Codes:
    if not parts:
        return _codes(n, MET)
    rank = np.max(np.stack([_ALL_RANK[p] for p in parts]), axis=0)
    return np.asarray(_ALL_CODE[rank], dtype=np.int8)


def _combine_any(parts: Sequence[Codes], n: int) -> Codes:
    if not parts:
        return _codes(n, NOT_MET)
    rank = np.max(np.stack([_ANY_RANK[p] for p in parts]), axis=0)
    return np.asarray(_ANY_CODE[rank], dtype=np.int8)


def _latest(frame: pd.DataFrame, order: Sequence[str] = ("date", "order")) -> pd.DataFrame:
    """One row per patient: the latest (by date, then by order in the record)."""
    if frame.empty:
        return frame
    ordered = frame.sort_values(["patient", *order], kind="stable")
    return pd.DataFrame(ordered.drop_duplicates("patient", keep="last"))


def _per_patient(n: int, index: Any, values: Any, fill: float = np.nan) -> Floats:
    out = np.full(n, fill, dtype=np.float64)
    out[np.asarray(index, dtype=np.int64)] = np.asarray(values, dtype=np.float64)
    return out


def _usable(
    ctx: _Ctx, frame: pd.DataFrame, window: Window | None, column: str = "date"
) -> pd.DataFrame:
    patient = frame["patient"].to_numpy()
    dates = frame[column].to_numpy(dtype=np.float64)
    keep = dates <= ctx.reference[patient]
    if window is not None:
        keep &= dates >= ctx.earliest(window)[patient]
    return pd.DataFrame(frame[keep])


def _pick(ctx: _Ctx, analyte: str, window: Window | None) -> pd.DataFrame:
    obs = ctx.frames.observations
    return _latest(_usable(ctx, obs[obs["analyte"] == analyte], window))


def _factors(units: pd.Series, target: str, molar_mass: float | None) -> Floats:
    table = {u: conversion_factor(u, target, molar_mass) for u in units.dropna().unique()}
    return np.asarray(units.map(table), dtype=np.float64)


# ---------------------------------------------------------------- rule kinds


def _lab(rule: LabRule, ctx: _Ctx) -> Codes:
    item = ANALYTES[rule.analyte]
    picked = _pick(ctx, rule.analyte, rule.within)
    value = picked["value"].to_numpy(dtype=np.float64)
    if rule.relative_to is None:
        assert rule.unit is not None
        converted = value * _factors(picked["unit"], rule.unit, item.molar_mass)
        ok = _holds(rule.comparator, converted, rule.value)
        known = np.ones(len(picked), dtype=bool)
    else:
        limit = picked["high" if rule.relative_to == "ULN" else "low"].to_numpy(dtype=np.float64)
        range_unit = picked["range_unit"].where(picked["range_unit"].notna(), picked["unit"])
        factor = np.ones(len(picked))
        differs = (range_unit != picked["unit"]).to_numpy()
        if differs.any():
            factor[differs] = [
                conversion_factor(a, b, item.molar_mass)
                for a, b in zip(range_unit[differs], picked["unit"][differs], strict=True)
            ]
        threshold = rule.value * limit * factor
        known = ~np.isnan(limit)
        ok = _holds(rule.comparator, value, threshold) & known
    out = _codes(ctx.n, UNKNOWN)
    patients = picked["patient"].to_numpy()
    out[patients] = _decided(ok, known)
    return out


def _lab_result(rule: LabResultRule, ctx: _Ctx) -> Codes:
    item = ANALYTES[rule.analyte]
    picked = _pick(ctx, rule.analyte, rule.within)
    ranks = {r: ordinal_rank(item, r) for r in picked["result"].dropna().unique()}
    value = np.asarray(picked["result"].map(ranks), dtype=np.float64)
    ok = _holds(rule.comparator, value, float(ordinal_rank(item, rule.result)))
    out = _codes(ctx.n, UNKNOWN)
    out[picked["patient"].to_numpy()] = np.where(ok, MET, NOT_MET)
    return out


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
    ps = ps[(ps["scale"] == rule.scale) == own]
    patient = ps["patient"].to_numpy()
    dates = ps["date"].to_numpy(dtype=np.float64)
    keep = np.isnan(dates) | (dates <= ctx.reference[patient])
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
            mapped_scores(scale, int(score))
            for scale, score in zip(picked["scale"], picked["score"], strict=True)
        )
    ]
    out[picked["patient"].to_numpy()] = np.asarray(codes, dtype=np.int8)
    return out


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


def _diagnosis(rule: DiagnosisRule, ctx: _Ctx) -> Codes:
    d = ctx.frames.diagnosis
    concepts = ctx.frames.diagnosis_concepts
    out = _codes(ctx.n, UNKNOWN)
    has = np.zeros(ctx.n, dtype=bool)
    has[d["patient"].to_numpy()] = True
    any_concept = np.zeros(ctx.n, dtype=bool)
    any_concept[concepts["patient"].to_numpy()] = True
    match = np.zeros(ctx.n, dtype=bool)
    match[concepts.loc[concepts["concept"] == rule.condition, "patient"].to_numpy()] = True
    out[has & any_concept & ~match] = NOT_MET
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
        table = {
            v: any(matches_stage(str(v), a, prefix) for a in allowed)
            for v in values.dropna().unique()
        }
        ok = values.map(table)
        missing[patients[values.isna().to_numpy()]] = True
        verdict_false[patients[(ok == False).to_numpy()]] = True  # noqa: E712 (NaN-aware)
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


def _history(hit: Bools, undated: Bools, provided: Bools) -> Codes:
    out = np.where(hit, MET, np.where(undated, UNKNOWN, NOT_MET)).astype(np.int8)
    out[~provided] = UNKNOWN
    return out


def _flags(n: int, patients: Any) -> Bools:
    out = np.zeros(n, dtype=bool)
    out[np.asarray(patients, dtype=np.int64)] = True
    return out


def _medication(rule: MedicationRule, ctx: _Ctx) -> Codes:
    e = ctx.frames.exposures
    e = e[e["therapy"] == rule.therapy]
    patient = e["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    start = e["start"].to_numpy(dtype=np.float64)
    end = e["end"].to_numpy(dtype=np.float64)
    ref = ctx.reference[patient]
    received = ~(start > ref)  # NaN start passes, as in the scalar screen
    if rule.ongoing:
        undated = received & np.isnan(start)
        hit = received & ~np.isnan(start) & (np.isnan(end) | (end >= ref))
    elif rule.within is None:
        undated = np.zeros(len(e), dtype=bool)
        hit = received
    else:
        last = np.where(np.isnan(end), start, end)
        undated = received & np.isnan(last)
        hit = received & ~np.isnan(last) & (last >= ctx.earliest(rule.within)[patient])
    provided = ctx.frames.patients["has_medications"].to_numpy(dtype=bool)
    return _history(_flags(ctx.n, patient[hit]), _flags(ctx.n, patient[undated]), provided)


def _procedure(rule: ProcedureRule, ctx: _Ctx) -> Codes:
    f = ctx.frames.procedures
    f = f[f["procedure"] == rule.procedure]
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    date = f["date"].to_numpy(dtype=np.float64)
    ref = ctx.reference[patient]
    if rule.within is None:
        hit = np.isnan(date) | (date <= ref)
        undated = np.zeros(len(f), dtype=bool)
    else:
        undated = np.isnan(date)
        hit = ~undated & (date <= ref) & (date >= ctx.earliest(rule.within)[patient])
    provided = ctx.frames.patients["has_procedures"].to_numpy(dtype=bool)
    return _history(_flags(ctx.n, patient[hit]), _flags(ctx.n, patient[undated]), provided)


def _condition(rule: ConditionRule, ctx: _Ctx) -> Codes:
    f = ctx.frames.conditions
    f = f[f["concept"] == rule.condition]
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    onset = f["onset"].to_numpy(dtype=np.float64)
    abatement = f["abatement"].to_numpy(dtype=np.float64)
    ref = ctx.reference[patient]
    keep = ~(onset > ref)
    if rule.current:
        keep &= ~(abatement <= ref)
    if rule.within is not None:
        undated = keep & np.isnan(onset)
        hit = keep & ~np.isnan(onset) & (onset >= ctx.earliest(rule.within)[patient])
    else:
        undated = np.zeros(len(f), dtype=bool)
        hit = keep
    provided = ctx.frames.patients["has_conditions"].to_numpy(dtype=bool)
    return _history(_flags(ctx.n, patient[hit]), _flags(ctx.n, patient[undated]), provided)


def _regimen(rule: RegimenRule, ctx: _Ctx) -> Codes:
    lines = ctx.frames.lines
    classes = ctx.frames.line_classes
    wanted = classes[classes["therapy"].isin(rule.therapies)]
    count = wanted.groupby("line_id")["therapy"].nunique()
    has_all = lines["line_id"].map(count).fillna(0).to_numpy() >= len(set(rule.therapies))
    number = lines["line"].to_numpy(dtype=np.float64)
    cycles = lines["cycles"].to_numpy(dtype=np.float64)
    verdict = np.full(len(lines), -1, dtype=np.int8)  # -1: the line does not count
    if rule.line is not None:
        verdict[np.isnan(number) & has_all] = UNKNOWN
        counts = number == rule.line
    else:
        counts = np.ones(len(lines), dtype=bool)
    verdict[counts & ~has_all] = NOT_MET
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
    if rule.therapy is not None:
        classes = ctx.frames.line_classes
        lines = lines[
            lines["line_id"].isin(classes.loc[classes["therapy"] == rule.therapy, "line_id"])
        ]
    count = np.bincount(lines["patient"].to_numpy(dtype=np.int64), minlength=ctx.n)
    ok = np.ones(ctx.n, dtype=bool)
    if rule.min_lines is not None:
        ok &= count >= rule.min_lines
    if rule.max_lines is not None:
        ok &= count <= rule.max_lines
    out = np.where(ok, MET, NOT_MET).astype(np.int8)
    out[~ctx.frames.patients["has_therapies"].to_numpy(dtype=bool)] = UNKNOWN
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


def _not(rule: NotRule, ctx: _Ctx) -> Codes:
    inner = evaluate(rule.rule, ctx)
    out = inner.copy()
    out[inner == MET] = NOT_MET
    out[inner == NOT_MET] = MET
    return out


def _all(rule: AllOfRule, ctx: _Ctx) -> Codes:
    return _combine_all([evaluate(r, ctx) for r in rule.rules], ctx.n)


def _any(rule: AnyOfRule, ctx: _Ctx) -> Codes:
    return _combine_any([evaluate(r, ctx) for r in rule.rules], ctx.n)


def _conditional(rule: ConditionalRule, ctx: _Ctx) -> Codes:
    when = evaluate(rule.when, ctx)
    then = evaluate(rule.then, ctx)
    other = evaluate(rule.otherwise, ctx) if rule.otherwise is not None else _codes(ctx.n, MET)
    out = np.where(when == MET, then, other).astype(np.int8)
    undecided = (when == UNKNOWN) | (when == INVESTIGATOR)
    agree = (then == other) & ((then == MET) | (then == NOT_MET))
    any_unknown = (then == UNKNOWN) | (other == UNKNOWN)
    any_not_met = (then == NOT_MET) | (other == NOT_MET)
    judged = np.where(any_not_met | ~any_unknown, INVESTIGATOR, UNKNOWN)
    undetermined = np.where(when == UNKNOWN, UNKNOWN, judged)
    out[undecided] = np.where(agree, then, undetermined)[undecided]
    return out


_KINDS: dict[type[Any], Callable[[Any, _Ctx], Codes]] = {
    AgeRule: _age,
    SexRule: _sex,
    PerformanceStatusRule: _performance,
    LabRule: _lab,
    LabResultRule: _lab_result,
    DerivedRule: _derived,
    DiagnosisRule: _diagnosis,
    StageRule: _stage,
    TumourSizeRule: _tumour_size,
    BiomarkerRule: _biomarker,
    MedicationRule: _medication,
    ProcedureRule: _procedure,
    ConditionRule: _condition,
    RegimenRule: _regimen,
    PriorLinesRule: _prior_lines,
    LesionRule: _lesions,
    NotRule: _not,
    AllOfRule: _all,
    AnyOfRule: _any,
    ConditionalRule: _conditional,
}


def evaluate(rule: Rule, ctx: _Ctx) -> Codes:
    if isinstance(rule, JudgementRule):
        return _codes(ctx.n, INVESTIGATOR)
    kind = _KINDS.get(type(rule))
    if kind is None:
        raise RuleError(f"rule {rule.id}: no vectorised evaluator for rule kind {rule.kind!r}")
    return kind(rule, ctx)


def _context(frames: PatientFrames, as_of: dt.date, first_dose: dt.date | None) -> _Ctx:
    people = frames.patients
    first = people["first_dose"].to_numpy(dtype=np.float64)
    if first_dose is not None:
        first = np.full(len(people), day_number(first_dose))
    reference = np.where(np.isnan(first), day_number(as_of), first)
    return _Ctx(frames, reference, day_number(as_of), {})


_LABELS = np.array(
    [s.value for s in (Status.NOT_MET, Status.MET, Status.UNKNOWN, Status.INVESTIGATOR)],
    dtype=object,
)


def rule_statuses(
    eligibility: Eligibility,
    frames: PatientFrames,
    *,
    as_of: dt.date,
    first_dose: dt.date | None = None,
) -> pd.DataFrame:
    """The status of every rule, nested ones included (a column per rule id), per patient."""
    ctx = _context(frames, as_of, first_dose)
    columns: dict[str, Any] = {}

    def walk(rule: Rule) -> None:
        columns[rule.id] = _LABELS[evaluate(rule, ctx)]
        for part in children(rule):
            walk(part)

    for rule in registry_rules(eligibility):
        walk(rule)
    for criterion in eligibility.criteria:
        for rule in criterion.rules:
            walk(rule)
    return pd.DataFrame(
        columns, index=pd.Index(frames.patients["id"].to_numpy(), name="patient_id")
    )


def screen_frames(
    eligibility: Eligibility,
    frames: PatientFrames,
    *,
    as_of: dt.date,
    first_dose: dt.date | None = None,
) -> pd.DataFrame:
    """Every criterion's status (a column each) and the overall verdict, one row per patient."""
    people = frames.patients
    ctx = _context(frames, as_of, first_dose)
    n = ctx.n
    columns: dict[str, Codes] = {}
    kinds: dict[str, str] = {}
    registry = registry_rules(eligibility)
    if registry:
        columns[REGISTRY] = _combine_all([evaluate(r, ctx) for r in registry], n)
        kinds[REGISTRY] = CriterionKind.INCLUSION
    for criterion in eligibility.criteria:
        if not criterion.rules or criterion.unread:
            # unread words: a checklist item whatever its rules say (eligibility.logic)
            columns[criterion.id] = _codes(n, INVESTIGATOR)
        else:
            parts = [evaluate(r, ctx) for r in criterion.rules]
            combine = _combine_any if criterion.kind is CriterionKind.EXCLUSION else _combine_all
            columns[criterion.id] = combine(parts, n)
        kinds[criterion.id] = criterion.kind
    fails = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    for cid, codes in columns.items():
        fails |= codes == (MET if kinds[cid] == CriterionKind.EXCLUSION else NOT_MET)
        unknown |= codes == UNKNOWN
    overall = np.where(
        fails,
        Overall.NOT_ELIGIBLE.value,
        np.where(unknown, Overall.INCOMPLETE.value, Overall.ELIGIBLE.value),
    )
    result = pd.DataFrame(
        {cid: _LABELS[codes] for cid, codes in columns.items()},
        index=pd.Index(people["id"].to_numpy(), name="patient_id"),
    )
    result["overall"] = overall
    return result
