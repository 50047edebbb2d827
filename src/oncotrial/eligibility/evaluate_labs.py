"""Evaluating laboratory rules for one patient: a result against a value or a multiple of its
own reference range (×ULN, ×LLN), and an ordinal result (negative, trace, 1+...).
"""

from __future__ import annotations

from oncotrial.eligibility.analytes import ANALYTES, ordinal_rank
from oncotrial.eligibility.evaluate_context import (
    Context,
    _met,
    _num,
    _observation_evidence,
    _Partial,
    _unknown,
    pick_observation,
)
from oncotrial.eligibility.outcome import with_unit
from oncotrial.eligibility.rules import LabResultRule, LabRule
from oncotrial.eligibility.units import conversion_factor


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
