"""Evaluating rules on the person for one patient: age, sex and performance status (scored on
the rule's scale, or mapped from the other scale when only that one is recorded).
"""

from __future__ import annotations

from oncotrial.eligibility.derived import age_in_years
from oncotrial.eligibility.evaluate_context import Context, _latest, _met, _num, _Partial, _unknown
from oncotrial.eligibility.outcome import Evidence
from oncotrial.eligibility.performance import mapped_from, mapped_scores
from oncotrial.eligibility.rules import AgeRule, PerformanceStatusRule, SexRule


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
    end = ctx.window_end(rule.within)
    dated = [s for s in scored if s.date is None or s.date <= end]
    if rule.within is not None:
        earliest = rule.within.earliest(end)
        dated = [s for s in dated if s.date is not None and s.date >= earliest]
        if not dated:
            return _unknown(
                [f"{name} within {rule.within} before {end.isoformat()}"],
                notes=ctx.window_note(rule.within),
            )
    if not dated:
        return _unknown([f"{name} on or before {end.isoformat()}"])
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
        if s.scale in mapped_from(rule.scale)
        and (s.date is None or s.date <= ctx.window_end(rule.within))
    ]
    if rule.within is not None:
        earliest = rule.within.earliest(ctx.window_end(rule.within))
        other = [s for s in other if s.date is not None and s.date >= earliest]
    undated = [s for s in other if s.date is None]
    latest = _latest(other, lambda s: s.date) or (undated[-1] if undated else None)
    if latest is None:
        return _unknown([name])
    grades = mapped_scores(latest.scale, latest.score, rule.scale)
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
