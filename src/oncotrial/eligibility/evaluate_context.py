"""What every evaluator of ``oncotrial.eligibility.evaluate`` shares: the patient's context,
the partial verdict an evaluator returns, and the pick of the latest usable result.

Dates follow ``oncotrial.eligibility.evaluate``: data after the reference date are ignored, time
windows include both ends, and among several qualifying results the latest is used (same date:
the one listed last).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from oncotrial.eligibility.analytes import ANALYTES, Analyte
from oncotrial.eligibility.outcome import Evidence, RuleResult, Status
from oncotrial.eligibility.patient import Observation, Patient
from oncotrial.eligibility.rules import Window
from oncotrial.eligibility.units import conversion_factor


@dataclass(frozen=True)
class Context:
    """The patient and the dates a screen is made for."""

    patient: Patient
    as_of: dt.date
    first_dose: dt.date | None

    @property
    def reference(self) -> dt.date:
        return self.first_dose or self.as_of

    def window_end(self, window: Window | None) -> dt.date:
        """The day a rule's window runs back to, and after which its data are not used: the
        as-of date for a window to registration (``rules.Window``), else the reference date."""
        if window is not None and window.anchor == "registration":
            return self.as_of
        return self.reference

    def window_note(self, window: Window | None) -> tuple[str, ...]:
        if window is not None and window.anchor == "registration":
            planned = (
                f", not the planned first dose {self.first_dose.isoformat()}"
                if self.first_dose is not None
                else ""
            )
            return (
                f"the {window} window runs back from registration, taken as the as-of date "
                f"{self.as_of.isoformat()} (the day eligibility is confirmed){planned}",
            )
        if window is None or self.first_dose is not None:
            return ()
        return (
            f"no planned first dose given: the {window} window runs back from the as-of date "
            f"{self.as_of.isoformat()}; check again against the first dose",
        )


@dataclass(frozen=True)
class _Partial:
    """What an evaluator decides; ``evaluate_rule`` adds the rule's id and description."""

    status: Status
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    parts: tuple[RuleResult, ...] = ()


def _met(ok: bool, evidence: Sequence[Evidence], notes: Sequence[str] = ()) -> _Partial:
    return _Partial(Status.MET if ok else Status.NOT_MET, tuple(evidence), (), tuple(notes))


def _unknown(
    missing: Sequence[str], evidence: Sequence[Evidence] = (), notes: Sequence[str] = ()
) -> _Partial:
    return _Partial(Status.UNKNOWN, tuple(evidence), tuple(missing), tuple(notes))


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if not name[:2].isupper() else name


def _num(value: float) -> str:
    return f"{value:.6g}"


def _days(a: dt.date, b: dt.date) -> int:
    return (b - a).days


T = TypeVar("T")


def _latest(items: Sequence[T], day: Callable[[T], dt.date | None]) -> T | None:
    """The item with the latest date; among equal dates the one listed last."""
    best: T | None = None
    best_day: dt.date | None = None
    for item in items:
        when = day(item)
        if when is None:
            continue
        if best_day is None or when >= best_day:
            best, best_day = item, when
    return best


@dataclass(frozen=True)
class _Pick:
    observation: Observation | None
    missing: str | None
    notes: tuple[str, ...] = ()


def pick_observation(ctx: Context, analyte: str, window: Window | None) -> _Pick:
    """The patient's latest usable result for ``analyte`` (on or before the reference date, or
    the as-of date for a window to registration: ``Context.window_end``)."""
    item = ANALYTES[analyte]
    found = [o for o in ctx.patient.observations if o.analyte == analyte]
    if not found:
        return _Pick(None, item.name)
    end = ctx.window_end(window)
    usable = [o for o in found if o.date <= end]
    if not usable:
        return _Pick(
            None,
            f"{item.name} on or before {end.isoformat()} (only later results recorded)",
        )
    notes = ctx.window_note(window)
    if window is not None:
        earliest = window.earliest(end)
        recent = [o for o in usable if o.date >= earliest]
        if not recent:
            last = _latest(usable, lambda o: o.date)
            assert last is not None
            return _Pick(
                None,
                f"{item.name} within {window} before {end.isoformat()} (latest result "
                f"{last.date.isoformat()} is {_days(last.date, end)} days before; "
                f"the window starts {earliest.isoformat()})",
                notes,
            )
        usable = recent
    return _Pick(_latest(usable, lambda o: o.date), None, notes)


def _observation_evidence(
    o: Observation,
    item: Analyte,
    threshold: str | None = None,
    converted: float | None = None,
    converted_unit: str | None = None,
    note: str | None = None,
) -> Evidence:
    return Evidence(
        item=item.name,
        value=o.value if o.value is not None else o.result,
        unit=o.unit,
        date=o.date,
        converted=converted,
        converted_unit=converted_unit,
        threshold=threshold,
        record=o.record,
        note=note,
    )


def _latest_measure(ctx: Context, analyte: str) -> Observation | None:
    usable = [
        o for o in ctx.patient.observations if o.analyte == analyte and o.date <= ctx.reference
    ]
    return _latest(usable, lambda o: o.date)


def _in_unit(o: Observation, unit: str) -> float:
    item = ANALYTES[o.analyte]
    assert o.value is not None and o.unit is not None
    return o.value * conversion_factor(o.unit, unit, item.molar_mass)
