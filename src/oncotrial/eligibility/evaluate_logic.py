"""Evaluating the logic kinds for one patient: not, all of, any of, and conditional rules.

Their parts are evaluated with ``evaluate.evaluate_rule``, which the dispatcher passes in (this
module importing ``evaluate`` would be an import cycle: ``evaluate`` dispatches to it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from oncotrial.eligibility.evaluate_context import Context, _Partial
from oncotrial.eligibility.outcome import RuleResult, Status, combine_all, combine_any
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionalRule,
    NotRule,
    Rule,
    describe_rule,
)

# ``evaluate.evaluate_rule``: how a logic rule evaluates its parts (passed in, see above)
Evaluate = Callable[[Rule, Context], RuleResult]


def _combine(rule: AllOfRule | AnyOfRule, ctx: Context, evaluate_rule: Evaluate) -> _Partial:
    parts = tuple(evaluate_rule(r, ctx) for r in rule.rules)
    combine = combine_all if isinstance(rule, AllOfRule) else combine_any
    status = combine(p.status for p in parts)
    missing = _missing_of(parts) if status is Status.UNKNOWN else ()
    return _Partial(status, missing=missing, parts=parts)


def _not(rule: NotRule, ctx: Context, evaluate_rule: Evaluate) -> _Partial:
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


def _conditional(rule: ConditionalRule, ctx: Context, evaluate_rule: Evaluate) -> _Partial:
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
