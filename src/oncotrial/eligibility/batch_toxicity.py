"""Toxicities of prior therapy recovered, over a population (as ``evaluate_toxicity``): the
adverse events ongoing on each patient's reference date, each distinct (term, grade, baseline
grade) decided once by ``evaluate_toxicity.event_status``, then every event recovered, per
patient."""

from __future__ import annotations

import math

import numpy as np

from oncotrial.eligibility.batch_context import (
    MET,
    UNKNOWN,
    Codes,
    _codes,
    _Ctx,
    decide_records,
)
from oncotrial.eligibility.evaluate_toxicity import event_status
from oncotrial.eligibility.rules import ToxicityRule

__all__ = ["toxicity"]

_KEY = ["term", "grade", "baseline"]


def _grade(value: float) -> int | None:
    return None if math.isnan(value) else int(value)


def toxicity(rule: ToxicityRule, ctx: _Ctx) -> Codes:
    f = ctx.frames.adverse_events
    if f is None:
        return _codes(ctx.n, UNKNOWN)
    patient = f["patient"].to_numpy(dtype=np.int64)  # an empty frame is of objects
    day = ctx.reference[patient]
    start = f["start"].to_numpy(dtype=np.float64)
    end = f["end"].to_numpy(dtype=np.float64)
    # ongoing on the reference date: begun by then (or no start recorded), not resolved by then
    f = f[~(start > day) & (np.isnan(end) | (end > day))]
    out = _codes(ctx.n, MET)
    decide_records(
        f,
        _KEY,
        lambda row: event_status(
            rule, str(row.term), _grade(float(row.grade)), _grade(float(row.baseline))
        )[0],
        out,
        every=True,
    )
    out[~ctx.frames.patients["has_adverse_events"].to_numpy(dtype=bool)] = UNKNOWN
    return out
