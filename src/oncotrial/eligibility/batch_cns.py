"""Brain/CNS metastases not treated and stable, over a population (as ``evaluate_cns``): one
three-valued exemption per brain-metastasis record, Kleene-combined, any record counting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.eligibility.batch_context import (
    _ALL_CODE,
    _ALL_RANK,
    _ANY_CODE,
    _ANY_RANK,
    INVESTIGATOR,
    MET,
    NOT_MET,
    UNKNOWN,
    Codes,
    Floats,
    _codes,
    _Ctx,
)
from oncotrial.eligibility.batch_history import _medication
from oncotrial.eligibility.evaluate_cns import steroid_rule
from oncotrial.eligibility.rules import CnsMetastasesRule

__all__ = ["cns_metastases"]

_NOT = np.array([MET, NOT_MET, UNKNOWN, INVESTIGATOR], dtype=np.int8)  # Kleene not, by code


def _flag_codes(values: Floats, yes: np.int8) -> Codes:
    no = NOT_MET if yes == MET else MET
    out = np.where(values == 1.0, yes, no).astype(np.int8)
    out[np.isnan(values)] = UNKNOWN
    return out


def cns_metastases(rule: CnsMetastasesRule, ctx: _Ctx) -> Codes:
    f = ctx.frames.cns
    if f is None:
        return _codes(ctx.n, UNKNOWN)
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    onset = f["onset"].to_numpy(dtype=np.float64)
    abatement = f["abatement"].to_numpy(dtype=np.float64)
    ref = ctx.reference[patient]
    current = ~(onset > ref) & ~(abatement <= ref)
    parts = [_flag_codes(f["treated"].to_numpy(dtype=np.float64), MET)]
    if rule.stable_for is not None:
        since = f["stable_since"].to_numpy(dtype=np.float64)
        ok = since <= ctx.earliest(rule.stable_for)[patient]
        stable = np.where(ok, MET, NOT_MET).astype(np.int8)
        stable[np.isnan(since)] = UNKNOWN
        parts.append(stable)
    if rule.asymptomatic:
        parts.append(_flag_codes(f["symptomatic"].to_numpy(dtype=np.float64), NOT_MET))
    medication = steroid_rule(rule)
    if medication is not None:
        parts.append(_NOT[_medication(medication, ctx)][patient])
    if rule.confirm is not None:
        parts.append(np.full(len(f), UNKNOWN, dtype=np.int8))  # words no record shows
    rank = np.max(np.stack([_ALL_RANK[p] for p in parts]), axis=0)
    counts = _NOT[_ALL_CODE[rank]][current]
    out = _codes(ctx.n, NOT_MET)
    if len(counts):
        best = pd.Series(_ANY_RANK[counts]).groupby(patient[current]).max()
        out[best.index.to_numpy()] = _ANY_CODE[best.to_numpy()]
    out[~ctx.frames.patients["has_conditions"].to_numpy(dtype=bool)] = UNKNOWN
    return out
