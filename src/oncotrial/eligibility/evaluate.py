"""Evaluating one rule for one patient: the reference semantics of every rule kind.

Dates. The reference date is the planned first dose when known, else the as-of date; time
windows ("within 14 days before the first dose") run back from it and include both ends
(``Window.earliest``). Data dated after the reference date are not baseline data and are
ignored. When several results qualify, the latest is used (same date: the one listed last).

The vectorised screen (``oncotrial.eligibility.batch``) implements the same semantics over data
frames; tests hold the two to the same statuses on random patients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from oncotrial.eligibility.analytes import ANALYTES, DERIVED, Analyte, ordinal_rank
from oncotrial.eligibility.concepts import CONDITIONS, PROCEDURES, THERAPIES
from oncotrial.eligibility.derived import (
    COCKCROFT_GAULT_FEMALE_FACTOR,
    age_in_years,
    bazett,
    body_mass_index,
    ckd_epi_2021,
    cockcroft_gault,
    fridericia,
)
from oncotrial.eligibility.outcome import (
    Evidence,
    RuleResult,
    Status,
    combine_all,
    combine_any,
    with_unit,
)
from oncotrial.eligibility.patient import (
    ConditionRecord,
    Diagnosis,
    MedicationRecord,
    Observation,
    Patient,
)
from oncotrial.eligibility.performance import mapped_scores
from oncotrial.eligibility.rules import (
    AgeRule,
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
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
    describe_rule,
)
from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import RuleError

__all__ = ["Context", "evaluate_rule", "matches_stage"]


@dataclass(frozen=True)
class Context:
    """The patient and the dates a screen is made for."""

    patient: Patient
    as_of: dt.date
    first_dose: dt.date | None

    @property
    def reference(self) -> dt.date:
        return self.first_dose or self.as_of

    def window_note(self, window: Window | None) -> tuple[str, ...]:
        if window is None or self.first_dose is not None:
            return ()
        return (
            f"no planned first dose given: the {window} window runs back from the as-of date "
            f"{self.as_of.isoformat()}; check again against the first dose",
        )


@dataclass(frozen=True)
class _Partial:
    """What an evaluator decides; ``evaluate_rule`` adds the rule's id and description."""

    status: Status
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    parts: tuple[RuleResult, ...] = ()


def _met(ok: bool, evidence: Sequence[Evidence], notes: Sequence[str] = ()) -> _Partial:
    return _Partial(Status.MET if ok else Status.NOT_MET, tuple(evidence), (), tuple(notes))


def _unknown(
    missing: Sequence[str], evidence: Sequence[Evidence] = (), notes: Sequence[str] = ()
) -> _Partial:
    return _Partial(Status.UNKNOWN, tuple(evidence), tuple(missing), tuple(notes))


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if not name[:2].isupper() else name


def _num(value: float) -> str:
    return f"{value:.6g}"


def _days(a: dt.date, b: dt.date) -> int:
    return (b - a).days


T = TypeVar("T")


def _latest(items: Sequence[T], day: Callable[[T], dt.date | None]) -> T | None:
    """The item with the latest date; among equal dates the one listed last."""
    best: T | None = None
    best_day: dt.date | None = None
    for item in items:
        when = day(item)
        if when is None:
            continue
        if best_day is None or when >= best_day:
            best, best_day = item, when
    return best


@dataclass(frozen=True)
class _Pick:
    observation: Observation | None
    missing: str | None
    notes: tuple[str, ...] = ()


def pick_observation(ctx: Context, analyte: str, window: Window | None) -> _Pick:
    """The patient's latest usable result for ``analyte`` (on or before the reference date)."""
    item = ANALYTES[analyte]
    found = [o for o in ctx.patient.observations if o.analyte == analyte]
    if not found:
        return _Pick(None, item.name)
    usable = [o for o in found if o.date <= ctx.reference]
    if not usable:
        return _Pick(
            None,
            f"{item.name} on or before {ctx.reference.isoformat()} (only later results recorded)",
        )
    notes = ctx.window_note(window)
    if window is not None:
        earliest = window.earliest(ctx.reference)
        recent = [o for o in usable if o.date >= earliest]
        if not recent:
            last = _latest(usable, lambda o: o.date)
            assert last is not None
            return _Pick(
                None,
                f"{item.name} within {window} before {ctx.reference.isoformat()} (latest result "
                f"{last.date.isoformat()} is {_days(last.date, ctx.reference)} days before; "
                f"the window starts {earliest.isoformat()})",
                notes,
            )
        usable = recent
    return _Pick(_latest(usable, lambda o: o.date), None, notes)


def _observation_evidence(
    o: Observation,
    item: Analyte,
    threshold: str | None = None,
    converted: float | None = None,
    converted_unit: str | None = None,
    note: str | None = None,
) -> Evidence:
    return Evidence(
        item=item.name,
        value=o.value if o.value is not None else o.result,
        unit=o.unit,
        date=o.date,
        converted=converted,
        converted_unit=converted_unit,
        threshold=threshold,
        record=o.record,
        note=note,
    )


def _lab(rule: LabRule, ctx: Context) -> _Partial:
    item = ANALYTES[rule.analyte]
    pick = pick_observation(ctx, rule.analyte, rule.within)
    o = pick.observation
    if o is None:
        return _unknown([pick.missing or item.name], notes=pick.notes)
    assert o.value is not None and o.unit is not None  # quantitative results always have both
    if rule.relative_to is None:
        assert rule.unit is not None
        factor = conversion_factor(o.unit, rule.unit, item.molar_mass)
        value = o.value * factor
        threshold = f"{rule.comparator.symbol} {_num(rule.value)} {with_unit(rule.unit)}"
        converted = None if factor == 1.0 else value
        evidence = _observation_evidence(o, item, threshold, converted, rule.unit)
        return _met(rule.comparator.holds(value, rule.value), [evidence], pick.notes)
    limit = o.high if rule.relative_to == "ULN" else o.low
    if limit is None:
        side = "upper" if rule.relative_to == "ULN" else "lower"
        return _unknown(
            [
                f"{side} limit of normal (reference range) of the {item.name} result of "
                f"{o.date.isoformat()}"
            ],
            [_observation_evidence(o, item)],
            pick.notes,
        )
    limit_in_unit = limit * conversion_factor(o.range_unit or o.unit, o.unit, item.molar_mass)
    threshold_value = rule.value * limit_in_unit
    threshold = (
        f"{rule.comparator.symbol} {_num(rule.value)} × {rule.relative_to} "
        f"({rule.relative_to} {_num(limit_in_unit)} {o.unit}) = {_num(threshold_value)} {o.unit}"
    )
    evidence = _observation_evidence(o, item, threshold)
    return _met(rule.comparator.holds(o.value, threshold_value), [evidence], pick.notes)


def _lab_result(rule: LabResultRule, ctx: Context) -> _Partial:
    item = ANALYTES[rule.analyte]
    pick = pick_observation(ctx, rule.analyte, rule.within)
    o = pick.observation
    if o is None:
        return _unknown([pick.missing or item.name], notes=pick.notes)
    assert o.result is not None
    held = rule.comparator.holds(
        float(ordinal_rank(item, o.result)), float(ordinal_rank(item, rule.result))
    )
    threshold = f"{rule.comparator.symbol} {rule.result}"
    return _met(held, [_observation_evidence(o, item, threshold)], pick.notes)


def _age(rule: AgeRule, ctx: Context) -> _Partial:
    p = ctx.patient
    if p.birth_date is None:
        return _unknown(["date of birth"])
    notes: tuple[str, ...] = ()
    if rule.at == "consent":
        on = p.consent_date or ctx.as_of
        if p.consent_date is None:
            notes = (f"no consent date: age on the as-of date {ctx.as_of.isoformat()}",)
    else:
        on = ctx.reference
    age = age_in_years(p.birth_date, on)
    evidence = Evidence(
        item="age",
        value=float(age),
        unit="years",
        date=on,
        threshold=f"{rule.comparator.symbol} {_num(rule.value)} years",
        note=f"born {p.birth_date.isoformat()}",
    )
    return _met(rule.comparator.holds(float(age), rule.value), [evidence], notes)


def _sex(rule: SexRule, ctx: Context) -> _Partial:
    if ctx.patient.sex is None:
        return _unknown(["sex"])
    return _met(ctx.patient.sex == rule.sex, [Evidence(item="sex", value=ctx.patient.sex)])


def _performance(rule: PerformanceStatusRule, ctx: Context) -> _Partial:
    name = f"{rule.scale} performance status"
    scored = [s for s in ctx.patient.performance_status if s.scale == rule.scale]
    if not scored:
        return _performance_mapped(rule, ctx, name)
    dated = [s for s in scored if s.date is None or s.date <= ctx.reference]
    if rule.within is not None:
        earliest = rule.within.earliest(ctx.reference)
        dated = [s for s in dated if s.date is not None and s.date >= earliest]
        if not dated:
            return _unknown([f"{name} within {rule.within} before {ctx.reference.isoformat()}"])
    if not dated:
        return _unknown([f"{name} on or before {ctx.reference.isoformat()}"])
    undated = [s for s in dated if s.date is None]
    latest = _latest(dated, lambda s: s.date) or undated[-1]
    evidence = Evidence(
        item=name,
        value=float(latest.score),
        date=latest.date,
        threshold=f"one of {', '.join(map(str, rule.allowed))}",
        record=latest.record,
    )
    return _met(latest.score in rule.allowed, [evidence], ctx.window_note(rule.within))


def _performance_mapped(rule: PerformanceStatusRule, ctx: Context, name: str) -> _Partial:
    """The other scale's latest score, mapped (``eligibility.performance``); decided only when
    every grade it maps to agrees."""
    other = [
        s
        for s in ctx.patient.performance_status
        if s.scale != rule.scale and (s.date is None or s.date <= ctx.reference)
    ]
    if rule.within is not None:
        earliest = rule.within.earliest(ctx.reference)
        other = [s for s in other if s.date is not None and s.date >= earliest]
    undated = [s for s in other if s.date is None]
    latest = _latest(other, lambda s: s.date) or (undated[-1] if undated else None)
    if latest is None:
        return _unknown([name])
    grades = mapped_scores(latest.scale, latest.score)
    evidence = Evidence(
        item=f"{latest.scale} performance status",
        value=float(latest.score),
        date=latest.date,
        threshold=f"{rule.scale} one of {', '.join(map(str, rule.allowed))}",
        record=latest.record,
        note=f"derived: {rule.scale} {' or '.join(map(str, sorted(grades)))} by the published "
        "correspondence",
    )
    if grades and grades <= set(rule.allowed):
        return _met(True, [evidence], ctx.window_note(rule.within))
    if not grades & set(rule.allowed):
        return _met(False, [evidence], ctx.window_note(rule.within))
    return _unknown([name], [evidence], ctx.window_note(rule.within))


def _derived(rule: DerivedRule, ctx: Context) -> _Partial:
    quantity = DERIVED[rule.quantity]
    if quantity.key == "creatinine_clearance":
        found = _creatinine_clearance(rule, ctx)
    elif quantity.key in {"qtc", "qtcb"}:
        found = _qtc(rule, ctx)
    elif quantity.key == "egfr":
        found = _egfr(rule, ctx)
    else:
        found = _bmi(ctx)
    value, evidence, missing, notes = found
    if value is None:
        return _unknown(missing, evidence, notes)
    threshold_value = rule.value * conversion_factor(rule.unit, quantity.unit)
    result = Evidence(
        item=quantity.name,
        value=round(value, 4),
        unit=quantity.unit,
        threshold=f"{rule.comparator.symbol} {_num(rule.value)} {rule.unit}",
        note=f"computed ({quantity.source})",
    )
    return _met(rule.comparator.holds(value, threshold_value), [*evidence, result], notes)


_Found = tuple[float | None, list[Evidence], list[str], tuple[str, ...]]


def _latest_measure(ctx: Context, analyte: str) -> Observation | None:
    usable = [
        o for o in ctx.patient.observations if o.analyte == analyte and o.date <= ctx.reference
    ]
    return _latest(usable, lambda o: o.date)


def _in_unit(o: Observation, unit: str) -> float:
    item = ANALYTES[o.analyte]
    assert o.value is not None and o.unit is not None
    return o.value * conversion_factor(o.unit, unit, item.molar_mass)


def _creatinine_clearance(rule: DerivedRule, ctx: Context) -> _Found:
    p = ctx.patient
    evidence: list[Evidence] = []
    missing: list[str] = []
    pick = pick_observation(ctx, "creatinine", rule.within)
    creatinine = pick.observation
    if creatinine is None:
        missing.append(pick.missing or "serum creatinine")
    else:
        mg_dl = _in_unit(creatinine, "mg/dL")
        evidence.append(
            _observation_evidence(
                creatinine,
                ANALYTES["creatinine"],
                None,
                None if creatinine.unit == "mg/dL" else mg_dl,
                "mg/dL",
            )
        )
    weight = _latest_measure(ctx, "weight")
    if weight is None:
        missing.append(f"body weight on or before {ctx.reference.isoformat()}")
    else:
        evidence.append(
            _observation_evidence(weight, ANALYTES["weight"], note="actual body weight")
        )
    if p.birth_date is None:
        missing.append("date of birth")
    if p.sex is None:
        missing.append("sex")
    if missing or creatinine is None or weight is None or p.birth_date is None or p.sex is None:
        return None, evidence, missing, pick.notes
    age = age_in_years(p.birth_date, creatinine.date)
    evidence.append(
        Evidence(
            item="age",
            value=float(age),
            unit="years",
            date=creatinine.date,
            note="on the day of the creatinine sample",
        )
    )
    factor = COCKCROFT_GAULT_FEMALE_FACTOR if p.sex == "female" else 1.0
    evidence.append(Evidence(item="sex", value=p.sex, note=f"factor {factor:g}"))
    value = cockcroft_gault(
        float(age), _in_unit(weight, "kg"), _in_unit(creatinine, "mg/dL"), factor
    )
    return value, evidence, [], pick.notes


def _egfr(rule: DerivedRule, ctx: Context) -> _Found:
    p = ctx.patient
    evidence: list[Evidence] = []
    missing: list[str] = []
    pick = pick_observation(ctx, "creatinine", rule.within)
    creatinine = pick.observation
    if creatinine is None:
        missing.append(pick.missing or "serum creatinine")
    else:
        evidence.append(_observation_evidence(creatinine, ANALYTES["creatinine"]))
    if p.birth_date is None:
        missing.append("date of birth")
    if p.sex is None:
        missing.append("sex")
    if missing or creatinine is None or p.birth_date is None or p.sex is None:
        return None, evidence, missing, pick.notes
    age = age_in_years(p.birth_date, creatinine.date)
    evidence.append(Evidence(item="age", value=float(age), unit="years", date=creatinine.date))
    evidence.append(Evidence(item="sex", value=p.sex))
    value = ckd_epi_2021(float(age), _in_unit(creatinine, "mg/dL"), p.sex == "female")
    return float(value), evidence, [], pick.notes


def _qtc(rule: DerivedRule, ctx: Context) -> _Found:
    evidence: list[Evidence] = []
    reference = ctx.reference
    earliest = rule.within.earliest(reference) if rule.within else None

    def usable(*analytes: str) -> list[Observation]:
        return [
            o
            for o in ctx.patient.observations
            if o.analyte in analytes
            and o.date <= reference
            and (earliest is None or o.date >= earliest)
        ]

    # the ECG's rate: a heart rate, or an RR interval (rate = 60 000 / RR ms), listed order kept
    qts = usable("qt")
    rates = usable("heart_rate", "rr_interval")
    same_day = {o.date for o in qts} & {o.date for o in rates}
    if not same_day:
        where = f" within {rule.within} before {reference.isoformat()}" if rule.within else ""
        return (
            None,
            evidence,
            [f"QT interval and heart rate (or RR interval) from the same ECG (same date){where}"],
            ctx.window_note(rule.within),
        )
    day = max(same_day)
    qt = _latest([o for o in qts if o.date == day], lambda o: o.date)
    rate = _latest([o for o in rates if o.date == day], lambda o: o.date)
    assert qt is not None and rate is not None
    evidence.append(_observation_evidence(qt, ANALYTES["qt"]))
    evidence.append(_observation_evidence(rate, ANALYTES[rate.analyte]))
    formula = bazett if rule.quantity == "qtcb" else fridericia
    per_minute = (
        60000.0 / _in_unit(rate, "ms") if rate.analyte == "rr_interval" else _in_unit(rate, "/min")
    )
    value = formula(_in_unit(qt, "ms"), per_minute)
    return value, evidence, [], ctx.window_note(rule.within)


def _bmi(ctx: Context) -> _Found:
    weight, height = _latest_measure(ctx, "weight"), _latest_measure(ctx, "height")
    missing = [
        f"{name} on or before {ctx.reference.isoformat()}"
        for name, o in (("body weight", weight), ("body height", height))
        if o is None
    ]
    if weight is None or height is None:
        return None, [], missing, ()
    evidence = [
        _observation_evidence(weight, ANALYTES["weight"]),
        _observation_evidence(height, ANALYTES["height"]),
    ]
    return body_mass_index(_in_unit(weight, "kg"), _in_unit(height, "cm")), evidence, [], ()


def _diagnosis(rule: DiagnosisRule, ctx: Context) -> _Partial:
    d = ctx.patient.diagnosis
    if d is None:
        return _unknown(["primary diagnosis"])
    concepts = d.concepts("condition")
    shown = Evidence(
        item="diagnosis",
        value=d.text or d.concept or d.code,
        date=d.date,
        note=f"confirmed by {d.confirmed_by}" if d.confirmed_by else None,
        record=d.record,
    )
    if rule.condition not in concepts:
        if not concepts:
            return _unknown(
                [
                    f"primary diagnosis coded so that oncotrial can read it (as {rule.condition}, "
                    "a SNOMED CT code or a listed name)"
                ],
                [shown],
            )
        return _met(False, [shown])
    if rule.confirmed_by:
        if d.confirmed_by is None:
            return _unknown(
                [f"how the diagnosis was confirmed ({' or '.join(rule.confirmed_by)})"], [shown]
            )
        return _met(d.confirmed_by in rule.confirmed_by, [shown])
    return _met(True, [shown])


def _stage_code(text: str, prefix: str = "") -> str:
    code = text.strip().upper().replace(" ", "")
    if code.startswith("STAGE"):
        code = code[5:]
    if prefix:
        # clinical, pathological, post-therapy, recurrence prefixes: cT1b, pT1b, ypT0, rT2
        for lead in ("YP", "YC", "C", "P", "R", "A"):
            if code.startswith(lead + prefix):
                code = code[len(lead) :]
                break
    return code


def matches_stage(value: str, allowed: str, prefix: str = "") -> bool:
    """'IA2' is within 'IA'; 'T1b' within 'T1'; 'IV' is not within 'I', nor 'IIIA' within 'II'."""
    a, b = _stage_code(value, prefix), _stage_code(allowed, prefix)
    if a == b:
        return True
    return (
        a.startswith(b)
        and a[len(b)] in "ABC0123456789"
        and not (prefix == "" and b[-1:] in "ABC" and a[len(b)] in "ABC")
    )


def _stage(rule: StageRule, ctx: Context) -> _Partial:
    d = ctx.patient.diagnosis
    if d is None:
        return _unknown(["primary diagnosis with its stage"])
    missing: list[str] = []
    evidence: list[Evidence] = []
    verdicts: list[bool] = []
    if rule.editions:
        if d.edition is None:
            missing.append(
                f"AJCC edition of the stage (the rule needs edition "
                f"{' or '.join(map(str, rule.editions))})"
            )
        elif d.edition not in rule.editions:
            missing.append(
                f"stage by AJCC edition {' or '.join(map(str, rule.editions))} "
                f"(recorded by edition {d.edition})"
            )
        else:
            evidence.append(Evidence(item="AJCC edition", value=float(d.edition)))
    for label, allowed, value, prefix in (
        ("stage group", rule.groups, d.stage, ""),
        ("T category", rule.t, d.t, "T"),
        ("N category", rule.n, d.n, "N"),
        ("M category", rule.m, d.m, "M"),
    ):
        if not allowed:
            continue
        if value is None:
            missing.append(label)
            continue
        ok = any(matches_stage(value, a, prefix) for a in allowed)
        verdicts.append(ok)
        evidence.append(
            Evidence(item=label, value=value, threshold=" or ".join(allowed), record=d.record)
        )
    if not all(verdicts):
        return _met(False, evidence)
    if missing:
        return _unknown(missing, evidence)
    return _met(True, evidence)


def _tumour_size(rule: TumourSizeRule, ctx: Context) -> _Partial:
    d = ctx.patient.diagnosis
    if d is None or d.tumour_size_mm is None:
        return _unknown(["primary tumour size (greatest dimension, mm)"])
    scale = 10.0 if rule.unit == "cm" else 1.0
    ok = all(b.comparator.holds(d.tumour_size_mm, b.value * scale) for b in rule.bounds)
    bounds = " and ".join(f"{b.comparator.symbol} {_num(b.value)} {rule.unit}" for b in rule.bounds)
    return _met(
        ok,
        [
            Evidence(
                item="tumour size",
                value=d.tumour_size_mm,
                unit="mm",
                threshold=bounds,
                record=d.record,
            )
        ],
    )


def _biomarker(rule: BiomarkerRule, ctx: Context) -> _Partial:
    results = ctx.patient.biomarkers
    if results is None:
        return _unknown([f"{rule.marker} result"])
    mine = [
        b
        for b in results
        if b.marker.strip().upper() == rule.marker.upper()
        and (b.date is None or b.date <= ctx.reference)
    ]
    if not mine:
        return _unknown([f"{rule.marker} result"])
    dated = _latest(mine, lambda b: b.date)
    latest = dated if dated is not None else mine[-1]
    shown = Evidence(
        item=rule.marker,
        value=latest.status or latest.value,
        date=latest.date,
        record=latest.record,
    )
    if rule.status is not None:
        status = latest.status
        if status == "failed":
            if rule.failed_as is None:
                return _unknown([f"{rule.marker} result (the test failed; repeat it)"], [shown])
            status = rule.failed_as
        if status is None:
            return _unknown([f"{rule.marker} status (detected or not detected)"], [shown])
        return _met(status == rule.status, [shown.model_copy(update={"threshold": rule.status})])
    assert rule.comparator is not None and rule.value is not None
    if latest.value is None:
        return _unknown([f"{rule.marker} level (%)"], [shown])
    threshold = f"{rule.comparator.symbol} {_num(rule.value)} %"
    return _met(
        rule.comparator.holds(latest.value, rule.value),
        [shown.model_copy(update={"threshold": threshold, "unit": "%"})],
    )


def _exposures(ctx: Context) -> list[tuple[MedicationRecord, dt.date | None, dt.date | None, str]]:
    """Every drug the patient received: medications plus each drug of each therapy line."""
    found: list[tuple[MedicationRecord, dt.date | None, dt.date | None, str]] = []
    for m in ctx.patient.medications or ():
        found.append((m, m.start, m.end, m.record or "medication"))
    for line in ctx.patient.therapies or ():
        for drug in line.drugs:
            found.append(
                (
                    drug,
                    drug.start or line.start,
                    drug.end or line.end,
                    line.record or "therapy line",
                )
            )
    return found


def _medication(rule: MedicationRule, ctx: Context) -> _Partial:
    name = THERAPIES[rule.therapy].name
    p = ctx.patient
    if p.medications is None and p.therapies is None:
        return _unknown([f"medication history (to check for {_lower_first(name)})"])
    reference = ctx.reference
    earliest = rule.within.earliest(reference) if rule.within else None
    evidence: list[Evidence] = []
    undated: list[str] = []
    for drug, start, end, record in _exposures(ctx):
        if rule.therapy not in drug.concepts("therapy"):
            continue
        label = drug.text or drug.concept or drug.code or "medication"
        if start is not None and start > reference:
            continue  # planned, not received before the first dose
        if rule.ongoing:
            if start is None:
                undated.append(f"start date of {label}")
                continue
            if end is None or end >= reference:
                evidence.append(
                    Evidence(
                        item=name,
                        value=label,
                        date=start,
                        record=record,
                        note="ongoing" if end is None else f"until {end}",
                    )
                )
            continue
        if earliest is None:
            evidence.append(Evidence(item=name, value=label, date=start, record=record))
            continue
        last = end or start
        if last is None:
            undated.append(f"dates of {label}")
            continue
        if last >= earliest:
            evidence.append(
                Evidence(
                    item=name,
                    value=label,
                    date=start or end,
                    record=record,
                    threshold=f"on or after {earliest.isoformat()}",
                )
            )
    notes = ctx.window_note(rule.within)
    if evidence:
        return _met(True, evidence, notes)
    if undated:
        return _unknown(undated, notes=notes)
    count = len(_exposures(ctx))
    return _met(
        False,
        [
            Evidence(
                item=name,
                value="none recorded",
                note=f"none among the {count} medications recorded",
            )
        ],
        notes,
    )


def _procedure(rule: ProcedureRule, ctx: Context) -> _Partial:
    name = PROCEDURES[rule.procedure].name
    procedures = ctx.patient.procedures
    if procedures is None:
        return _unknown([f"procedure history (to check for {_lower_first(name)})"])
    reference = ctx.reference
    earliest = rule.within.earliest(reference) if rule.within else None
    evidence: list[Evidence] = []
    undated: list[str] = []
    for proc in procedures:
        if rule.procedure not in proc.concepts():
            continue
        label = proc.text or proc.category or proc.code or "procedure"
        if proc.date is None:
            if earliest is None:
                evidence.append(Evidence(item=name, value=label, record=proc.record))
            else:
                undated.append(f"date of {label}")
            continue
        if proc.date > reference:
            continue
        if earliest is None or proc.date >= earliest:
            evidence.append(Evidence(item=name, value=label, date=proc.date, record=proc.record))
    notes = ctx.window_note(rule.within)
    if evidence:
        return _met(True, evidence, notes)
    if undated:
        return _unknown(undated, notes=notes)
    return _met(
        False,
        [
            Evidence(
                item=name,
                value="none recorded",
                note=f"none among the {len(procedures)} procedures recorded",
            )
        ],
        notes,
    )


def _condition(rule: ConditionRule, ctx: Context) -> _Partial:
    name = CONDITIONS[rule.condition].name
    p = ctx.patient
    records = list(p.conditions or ())
    if p.conditions is None:
        return _unknown([f"medical history (to check for {_lower_first(name)})"])
    records_diag: list[Diagnosis] = [p.diagnosis] if p.diagnosis is not None else []
    reference = ctx.reference
    earliest = rule.within.earliest(reference) if rule.within else None
    evidence: list[Evidence] = []
    undated: list[str] = []
    found_records: list[ConditionRecord | Diagnosis] = [*records, *records_diag]
    for record in found_records:
        if rule.condition not in record.concepts("condition"):
            continue
        label = record.text or record.concept or record.code or name
        if record.code:
            label += f" ({record.system or 'code'} {record.code})"
        onset = getattr(record, "onset", None) or getattr(record, "date", None)
        where = record.record
        if onset is not None and onset > reference:
            continue
        abated = getattr(record, "abatement", None)
        if rule.current and abated is not None and abated <= reference:
            continue
        if earliest is not None:
            if onset is None:
                undated.append(f"onset date of {label}")
                continue
            if onset < earliest:
                continue
        evidence.append(Evidence(item=name, value=label, date=onset, record=where))
    notes = ctx.window_note(rule.within)
    if evidence:
        return _met(True, evidence, notes)
    if undated:
        return _unknown(undated, notes=notes)
    return _met(
        False,
        [
            Evidence(
                item=name,
                value="none recorded",
                note=f"none among the {len(records)} conditions recorded",
            )
        ],
        notes,
    )


def _regimen(rule: RegimenRule, ctx: Context) -> _Partial:
    lines = ctx.patient.therapies
    if lines is None:
        return _unknown(["prior lines of systemic therapy (drugs, line, cycles)"])
    wanted = set(rule.therapies)
    evidence: list[Evidence] = []
    missing: list[str] = []
    verdicts: list[Status] = []
    for line in lines:
        classes: set[str] = set()
        for drug in line.drugs:
            classes |= drug.concepts("therapy")
        label = " + ".join(d.text or d.concept or d.code or "?" for d in line.drugs)
        if rule.line is not None and line.line is None:
            if wanted <= classes:
                missing.append(f"line number of {label}")
                verdicts.append(Status.UNKNOWN)
            continue
        if rule.line is not None and line.line != rule.line:
            continue
        if not wanted <= classes:
            evidence.append(
                Evidence(
                    item=f"line {line.line or '?'}",
                    value=label,
                    record=line.record,
                    note="does not contain "
                    + ", ".join(THERAPIES[t].name for t in sorted(wanted - classes)),
                )
            )
            verdicts.append(Status.NOT_MET)
            continue
        if rule.min_cycles is None and rule.max_cycles is None:
            evidence.append(
                Evidence(item=f"line {line.line or '?'}", value=label, record=line.record)
            )
            verdicts.append(Status.MET)
            continue
        if line.cycles is None:
            missing.append(f"number of cycles of {label}")
            verdicts.append(Status.UNKNOWN)
            continue
        ok = (rule.min_cycles is None or line.cycles >= rule.min_cycles) and (
            rule.max_cycles is None or line.cycles <= rule.max_cycles
        )
        evidence.append(
            Evidence(
                item=f"line {line.line or '?'}",
                value=label,
                record=line.record,
                note=f"{line.cycles} cycles",
            )
        )
        verdicts.append(Status.MET if ok else Status.NOT_MET)
    status = combine_any(verdicts)
    if status is Status.UNKNOWN:
        return _unknown(missing, evidence)
    if not verdicts:
        what = f"line {rule.line} therapy" if rule.line else "a matching therapy line"
        return _met(
            False,
            [
                Evidence(
                    item="therapy",
                    value="none recorded",
                    note=f"no {what} among {len(lines)} lines recorded",
                )
            ],
        )
    return _met(status is Status.MET, evidence)


def _prior_lines(rule: PriorLinesRule, ctx: Context) -> _Partial:
    lines = ctx.patient.therapies
    if lines is None:
        return _unknown(["prior lines of systemic therapy (their drugs)"])
    counted = [
        line
        for line in lines
        if rule.therapy is None
        or any(rule.therapy in drug.concepts("therapy") for drug in line.drugs)
    ]
    n = len(counted)
    ok = (rule.min_lines is None or n >= rule.min_lines) and (
        rule.max_lines is None or n <= rule.max_lines
    )
    what = THERAPIES[rule.therapy].name if rule.therapy else "systemic therapy"
    return _met(ok, [Evidence(item="prior lines", value=str(n), note=f"of {what}")])


def _lesions(rule: LesionRule, ctx: Context) -> _Partial:
    lesions = ctx.patient.lesions
    if lesions is None:
        return _unknown(["current tumour lesions (organ, measurable)"])
    reference = ctx.reference
    usable = [x for x in lesions if x.date is None or x.date <= reference]
    if rule.within is not None:
        earliest = rule.within.earliest(reference)
        usable = [x for x in usable if x.date is not None and x.date >= earliest]
        if not usable:
            return _unknown(
                [f"tumour assessment within {rule.within} before {reference.isoformat()}"],
                notes=ctx.window_note(rule.within),
            )
    dates = {x.date for x in usable if x.date is not None}
    if dates:
        # the most recent assessment describes the current lesions
        last = max(dates)
        usable = [x for x in usable if x.date is None or x.date == last]
    missing: list[str] = []
    verdicts: list[bool] = []
    evidence: list[Evidence] = []
    counted = usable
    if rule.exclude_complete_metabolic_response and (
        rule.max_lesions is not None or rule.max_organs is not None
    ):
        if any(x.complete_metabolic_response is None for x in usable):
            missing.append("metabolic response (complete or not) of each lesion on PET-CT")
        counted = [x for x in usable if x.complete_metabolic_response is not True]
    if rule.max_lesions is not None and not missing:
        verdicts.append(len(counted) <= rule.max_lesions)
        evidence.append(
            Evidence(item="lesions", value=float(len(counted)), threshold=f"≤ {rule.max_lesions}")
        )
    if rule.max_organs is not None and not missing:
        organs = sorted({x.organ.strip().casefold() for x in counted})
        verdicts.append(len(organs) <= rule.max_organs)
        evidence.append(
            Evidence(
                item="organs",
                value=float(len(organs)),
                threshold=f"≤ {rule.max_organs}",
                note=", ".join(organs),
            )
        )
    if rule.min_measurable is not None:
        n = sum(1 for x in usable if x.measurable)
        if n < rule.min_measurable and any(x.measurable is None for x in usable):
            missing.append(f"measurability of each lesion ({rule.criteria or 'RECIST 1.1'})")
        else:
            verdicts.append(n >= rule.min_measurable)
            evidence.append(
                Evidence(
                    item="measurable lesions", value=float(n), threshold=f"≥ {rule.min_measurable}"
                )
            )
    notes = ctx.window_note(rule.within)
    if not all(verdicts):
        return _met(False, evidence, notes)
    if missing:
        return _unknown(missing, evidence, notes)
    return _met(True, evidence, notes)


def _combine(rule: AllOfRule | AnyOfRule, ctx: Context) -> _Partial:
    parts = tuple(evaluate_rule(r, ctx) for r in rule.rules)
    combine = combine_all if isinstance(rule, AllOfRule) else combine_any
    status = combine(p.status for p in parts)
    missing = _missing_of(parts) if status is Status.UNKNOWN else ()
    return _Partial(status, missing=missing, parts=parts)


def _not(rule: NotRule, ctx: Context) -> _Partial:
    inner = evaluate_rule(rule.rule, ctx)
    flipped = {Status.MET: Status.NOT_MET, Status.NOT_MET: Status.MET}.get(
        inner.status, inner.status
    )
    return _Partial(flipped, missing=inner.missing, parts=(inner,))


def _missing_of(parts: Sequence[RuleResult]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in parts:
        if part.status is Status.UNKNOWN:
            for item in part.missing:
                seen.setdefault(item, None)
    return tuple(seen)


def _conditional(rule: ConditionalRule, ctx: Context) -> _Partial:
    when = evaluate_rule(rule.when, ctx)
    then = evaluate_rule(rule.then, ctx)
    otherwise = evaluate_rule(rule.otherwise, ctx) if rule.otherwise is not None else None
    other_status = otherwise.status if otherwise is not None else Status.MET
    parts = tuple(x for x in (when, then, otherwise) if x is not None)
    # only the branch that applies is shown (and decides); both when ``when`` is unknown
    if when.status is Status.MET:
        return _Partial(then.status, missing=then.missing, parts=(when, then))
    if when.status is Status.NOT_MET:
        shown = (when, otherwise) if otherwise is not None else (when,)
        notes: tuple[str, ...] = () if otherwise is not None else ("does not apply",)
        return _Partial(
            other_status, missing=otherwise.missing if otherwise else (), notes=notes, parts=shown
        )
    if then.status == other_status and then.status in (Status.MET, Status.NOT_MET):
        same = f"the same whether or not {describe_rule(rule.when)}"
        return _Partial(then.status, notes=(same,), parts=parts)
    branches = [then] + ([otherwise] if otherwise is not None else [])
    if when.status is Status.INVESTIGATOR:
        status = combine_all([Status.INVESTIGATOR, *(b.status for b in branches)])
        if status is Status.NOT_MET:
            status = Status.INVESTIGATOR
        return _Partial(status, missing=_missing_of(branches), parts=parts)
    return _Partial(Status.UNKNOWN, missing=_missing_of([when, *branches]), parts=parts)


_EVALUATORS: dict[type[Any], Callable[[Any, Context], _Partial]] = {
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
    AllOfRule: _combine,
    AnyOfRule: _combine,
    ConditionalRule: _conditional,
}


def evaluate_rule(rule: Rule, ctx: Context) -> RuleResult:
    """The status of ``rule`` for ``ctx.patient``, with the evidence and what is missing."""
    if isinstance(rule, JudgementRule):
        found = _Partial(Status.INVESTIGATOR)
    else:
        evaluator = _EVALUATORS.get(type(rule))
        if evaluator is None:  # a rule kind added to the model without an evaluator
            raise RuleError(f"rule {rule.id}: no evaluator for rule kind {rule.kind!r}")
        found = evaluator(rule, ctx)
    return RuleResult(
        rule_id=rule.id,
        kind=rule.kind,
        description=rule.description,
        status=found.status,
        evidence=found.evidence,
        missing=found.missing,
        notes=found.notes,
        parts=found.parts,
    )
