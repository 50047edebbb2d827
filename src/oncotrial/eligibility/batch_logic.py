"""The logic kinds over a population, column-wise: not, all of, any of, and conditional rules
(as ``evaluate_logic``).

Their parts are evaluated with ``batch.evaluate``, which the dispatcher passes in (this module
importing ``batch`` would be an import cycle: ``batch`` dispatches to it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from oncotrial.eligibility.batch_context import (
    INVESTIGATOR,
    MET,
    NOT_MET,
    UNKNOWN,
    Codes,
    _codes,
    _combine_all,
    _combine_any,
    _Ctx,
)
from oncotrial.eligibility.rules import AllOfRule, AnyOfRule, ConditionalRule, NotRule, Rule

# ``batch.evaluate``: how a logic rule evaluates its parts (passed in, see above)
Evaluate = Callable[[Rule, _Ctx], Codes]


def _not(rule: NotRule, ctx: _Ctx, evaluate: Evaluate) -> Codes:
    inner = evaluate(rule.rule, ctx)
    out = inner.copy()
    out[inner == MET] = NOT_MET
    out[inner == NOT_MET] = MET
    return out


def _all(rule: AllOfRule, ctx: _Ctx, evaluate: Evaluate) -> Codes:
    return _combine_all([evaluate(r, ctx) for r in rule.rules], ctx.n)


def _any(rule: AnyOfRule, ctx: _Ctx, evaluate: Evaluate) -> Codes:
    return _combine_any([evaluate(r, ctx) for r in rule.rules], ctx.n)


def _conditional(rule: ConditionalRule, ctx: _Ctx, evaluate: Evaluate) -> Codes:
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
