"""Evaluating derived quantities for one patient: creatinine clearance (Cockcroft-Gault), eGFR
(CKD-EPI 2021), corrected QT (Fridericia, Bazett) and body-mass index, computed from the
latest usable measurements (formulas in ``oncotrial.eligibility.derived``).
"""

from __future__ import annotations

from oncotrial.eligibility.analytes import ANALYTES, DERIVED
from oncotrial.eligibility.derived import (
    COCKCROFT_GAULT_FEMALE_FACTOR,
    age_in_years,
    bazett,
    body_mass_index,
    ckd_epi_2021,
    cockcroft_gault,
    fridericia,
)
from oncotrial.eligibility.evaluate_context import (
    Context,
    _in_unit,
    _latest,
    _latest_measure,
    _met,
    _num,
    _observation_evidence,
    _Partial,
    _unknown,
    pick_observation,
)
from oncotrial.eligibility.outcome import Evidence
from oncotrial.eligibility.patient import Observation
from oncotrial.eligibility.rules import DerivedRule
from oncotrial.eligibility.units import conversion_factor


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
    reference = ctx.window_end(rule.within)
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
