"""Allergies and intolerances over a population (as ``evaluate_allergy``): each allergy record
decided by ``evaluate_allergy.record_status`` once per distinct record (substance concepts,
grades, statuses: a population holds few), then any record counting, per patient."""

from __future__ import annotations

import math

import numpy as np

from oncotrial.eligibility.batch_context import (
    NOT_MET,
    UNKNOWN,
    Codes,
    _codes,
    _Ctx,
    decide_records,
)
from oncotrial.eligibility.evaluate_allergy import record_status
from oncotrial.eligibility.rules import AllergyRule

__all__ = ["allergy"]

_KEY = ["concepts", "grade_low", "grade_high", "clinical", "verification", "type"]


def _grades(low: float, high: float) -> tuple[int, int] | None:
    return None if math.isnan(low) else (int(low), int(high))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def allergy(rule: AllergyRule, ctx: _Ctx) -> Codes:
    f = ctx.frames.allergies
    if f is None:
        return _codes(ctx.n, UNKNOWN)
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    dates = f["date"].to_numpy(dtype=np.float64)
    f = f[~(dates > ctx.reference[patient])]
    out = _codes(ctx.n, NOT_MET)
    decide_records(
        f,
        _KEY,
        lambda row: record_status(
            rule,
            frozenset(filter(None, str(row.concepts).split("|"))),
            _grades(float(row.grade_low), float(row.grade_high)),
            _text(row.clinical),
            _text(row.verification),
            _text(row.type),
        )[0],
        out,
        every=False,
    )
    out[~ctx.frames.patients["has_allergies"].to_numpy(dtype=bool)] = UNKNOWN
    return out
