"""Toxicities of prior therapy recovered, for one patient (``ToxicityRule``): 'All toxicities
(except alopecia) from prior cancer treatments must have resolved to ≤ Grade 1 or returned to
baseline levels prior to enrollment' (CTCAE v5.0 grades).

The adverse events of prior therapy that count are those ongoing on the reference date (begun on
or before it, or with no start recorded, and not resolved by it: ``end`` None or after it). Each
is recovered (met), not recovered (not met) or may be (unknown) when any of these holds, in
three-valued logic (Kleene 'or': one holding decides, one unknown leaves it unknown):

- its grade now is at most the rule's grade (no grade recorded: unknown);
- when the rule allows baseline ('or baseline'), its grade is at most its baseline grade (no
  baseline grade recorded: unknown);
- its term is one the rule excepts, at a grade within the exception's own limit ('grade 2
  neuropathy'); an exception with a qualifier no record shows ('stable', 'controlled by
  replacement therapy') leaves it unknown, quoting the qualifier;
- the rule keeps exceptions no concept reads (``unread``: 'laboratory values defined in the
  inclusion criteria'): any event may be one of them, so unknown.

The rule is met when every such event is recovered (none: met), not met when one is not. No list
of adverse events (``Patient.adverse_events`` None) is unknown. The vectorised screen
(``batch_toxicity``) decides each distinct event with ``event_status`` too.
"""

from __future__ import annotations

from oncotrial.eligibility.concepts_toxicity import TOXICITY_EXCEPTIONS, term_key
from oncotrial.eligibility.evaluate_context import Context, _met, _Partial, _unknown
from oncotrial.eligibility.outcome import Evidence, Status, combine_any
from oncotrial.eligibility.rules import ToxicityRule

__all__ = ["event_status", "toxicity"]

_ITEM = "toxicities of prior therapy"


def _excepted(rule: ToxicityRule, key: str, grade: int | None, label: str) -> tuple[Status, str]:
    parts: list[tuple[Status, str]] = [(Status.NOT_MET, "")]
    for exception in rule.exceptions:
        if key not in {term_key(t) for t in TOXICITY_EXCEPTIONS[exception.concept].terms}:
            continue
        if exception.max_grade is not None and grade is None:
            parts.append((Status.UNKNOWN, f"CTCAE grade of {label}"))
        elif exception.max_grade is not None and grade is not None and grade > exception.max_grade:
            continue
        elif exception.confirm is not None:
            parts.append((Status.UNKNOWN, f"whether {label} is {exception.confirm}"))
        else:
            return Status.MET, ""
    status = combine_any(s for s, _ in parts)
    return status, next((why for s, why in parts if s is Status.UNKNOWN), "")


def event_status(
    rule: ToxicityRule,
    term: str,
    grade: int | None,
    baseline_grade: int | None,
    label: str | None = None,
) -> tuple[Status, tuple[str, ...]]:
    """Whether one ongoing adverse event of prior therapy is recovered as ``rule`` asks, and
    what is missing to know."""
    label = label or term
    parts: list[tuple[Status, str]] = []
    if grade is None:
        parts.append((Status.UNKNOWN, f"CTCAE grade of {label}"))
    else:
        parts.append((Status.MET if grade <= rule.max_grade else Status.NOT_MET, ""))
    if rule.or_baseline:
        if baseline_grade is None:
            parts.append((Status.UNKNOWN, f"baseline CTCAE grade of {label}"))
        elif grade is not None:
            parts.append((Status.MET if grade <= baseline_grade else Status.NOT_MET, ""))
    parts.append(_excepted(rule, term_key(term), grade, label))
    if rule.unread:
        quoted = "; ".join(f'"{u}"' for u in rule.unread)
        parts.append((Status.UNKNOWN, f"whether {label} is among the exceptions {quoted}"))
    status = combine_any(s for s, _ in parts)
    if status is not Status.UNKNOWN:
        return status, ()
    return status, tuple(dict.fromkeys(why for s, why in parts if s is Status.UNKNOWN and why))


def toxicity(rule: ToxicityRule, ctx: Context) -> _Partial:
    events = ctx.patient.adverse_events
    if events is None:
        return _unknown(["adverse events of prior therapy (CTCAE v5.0 terms and grades now)"])
    day = ctx.reference
    ongoing = [
        e for e in events if (e.start is None or e.start <= day) and (e.end is None or e.end > day)
    ]
    against: list[Evidence] = []
    missing: list[str] = []
    for event in ongoing:
        label = f"{event.term} ({event.record})" if event.record else event.term
        status, why = event_status(rule, event.term, event.grade, event.baseline_grade, label)
        if status is Status.NOT_MET:
            baseline = event.baseline_grade
            against.append(
                Evidence(
                    item=_ITEM,
                    value=event.term,
                    date=event.start,
                    record=event.record,
                    threshold=f"grade ≤ {rule.max_grade}",
                    note=f"grade {event.grade} ongoing"
                    + (f" (baseline grade {baseline})" if baseline is not None else ""),
                )
            )
        elif status is Status.UNKNOWN:
            missing.extend(why)
    if against:
        return _met(False, against)
    if missing:
        return _unknown(list(dict.fromkeys(missing)))
    none = Evidence(
        item=_ITEM,
        value="recovered",
        note=f"{len(ongoing)} of the {len(events)} adverse events recorded ongoing, none beyond "
        "the limit",
    )
    return _met(True, [none])
