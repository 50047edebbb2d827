"""Laboratory rules over a population, column-wise: a result against a value or a multiple of
its own reference range, and an ordinal result (as ``evaluate_labs``).
"""

from __future__ import annotations

import numpy as np

from oncotrial.eligibility.analytes import ANALYTES, Analyte, ordinal_rank
from oncotrial.eligibility.batch_context import (
    UNKNOWN,
    Codes,
    _codes,
    _Ctx,
    _decided,
    _factors,
    _holds,
    _pick,
)
from oncotrial.eligibility.rules import LabResultRule, LabRule
from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import DictionaryError

# ---------------------------------------------------------------- rule kinds


def _lab(rule: LabRule, ctx: _Ctx) -> Codes:
    item = ANALYTES[rule.analyte]
    picked = _pick(ctx, rule.analyte, rule.within)
    value = picked["value"].to_numpy(dtype=np.float64)
    if rule.relative_to is None:
        assert rule.unit is not None
        converted = value * _factors(picked["unit"], rule.unit, item.molar_mass)
        known = ~np.isnan(converted)
        ok = _holds(rule.comparator, converted, rule.value) & known
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
    # A result off the analyte's scale (a warehouse's "moderate" on the dipstick scale) cannot be
    # compared: unknown for that patient, never an error for the whole population.
    ranks = {r: _rank(item, r) for r in picked["result"].dropna().unique()}
    value = np.asarray(picked["result"].map(ranks), dtype=np.float64)
    ok = _holds(rule.comparator, value, float(ordinal_rank(item, rule.result)))
    out = _codes(ctx.n, UNKNOWN)
    out[picked["patient"].to_numpy()] = _decided(ok, ~np.isnan(value))
    return out


def _rank(item: Analyte, result: str) -> float:
    try:
        return float(ordinal_rank(item, result))
    except DictionaryError:
        return float("nan")
