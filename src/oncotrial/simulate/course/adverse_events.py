"""Adverse events: drawn before the scans (a fatal one ends the course), written once the
treatment is known (only events up to 90 days after the last dose are reported)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from oncotrial.catalogue import treatment
from oncotrial.catalogue.common import EPOCH_FOLLOW_UP, EPOCH_TREATMENT
from oncotrial.catalogue.safety import (
    ACTIONS,
    FATAL,
    NOT_RECOVERED,
    NOT_RELATED,
    RECOVERED,
    RELATED,
    relatedness_variable,
)
from oncotrial.simulate.course.context import NEVER, Context
from oncotrial.simulate.course.timeline import DeferredDraws, Timeline
from oncotrial.simulate.plan import InterventionPlan
from oncotrial.simulate.profiles import AE_PROFILES, AeSpec

__all__ = ["AdverseEvents", "Event", "draw_adverse_events", "write_adverse_events"]

NOT_CHANGED, INTERRUPTED, _REDUCED, WITHDRAWN, NOT_APPLICABLE = ACTIONS.codes


@dataclass(frozen=True)
class Event:
    """One adverse event: its term's profile, days, grade and the action taken."""

    spec: AeSpec
    onset: int
    end: int
    grade: int
    serious: str
    action: str
    related: bool
    source: int  # the intervention's number in the plan (AERELn), 0 when not in it
    other: str | None


@dataclass(frozen=True)
class AdverseEvents:
    """The events drawn for the course and what they decide about it."""

    events: tuple[Event, ...]
    fatal_event: Event | None  # the event the patient died of, if one did
    death: int  # the latent death day, brought forward by a fatal event
    withdrawn: int  # the first day treatment was withdrawn for an event (NEVER if none)

    @property
    def lab_events(self) -> tuple[Event, ...]:
        """The events that show in laboratory values."""
        return tuple(e for e in self.events if e.spec.lab is not None)


def draw_adverse_events(c: Context, timeline: Timeline, deferred: DeferredDraws) -> AdverseEvents:
    events: list[Event] = []
    horizon = min(timeline.death, timeline.dropout, c.cutoff)
    planned_end = timeline.reference + int(c.p.pd_scan * c.plan.imaging_interval_days)
    drug_window_end = min(planned_end, horizon) + 90
    for position, intervention in enumerate(c.arm.interventions):
        source = _intervention_number(c, intervention)
        if intervention.kind == "drug":
            start = timeline.first_dose
            window_end = drug_window_end
        else:
            start = deferred.local_day(intervention)
            window_end = start + 120
        for profile in intervention.profiles:
            for spec in AE_PROFILES[profile]:
                if c.rng.random() >= spec.incidence:
                    continue
                onset = start + _onset(c, spec)
                if onset > window_end or onset >= horizon or onset < start:
                    continue
                events.append(_event(c, spec, onset, intervention, source, position))
    death = timeline.death
    fatal_event: Event | None = None
    fatal = [e for e in events if e.grade == 5]
    if fatal:
        # The first fatal event ends the course; any later one could not have been fatal.
        first = min(fatal, key=lambda e: e.onset)
        death_day = first.onset + int(c.rng.integers(0, 8))
        if death_day < death:
            death = death_day
            fatal_event = first
        events = [replace(e, grade=4) if e.grade == 5 and e is not first else e for e in events]
    withdrawn = min((e.onset for e in events if e.action == WITHDRAWN), default=NEVER)
    return AdverseEvents(tuple(events), fatal_event, death, withdrawn)


def _intervention_number(c: Context, intervention: InterventionPlan) -> int:
    try:
        return c.plan.interventions.index(intervention.name) + 1
    except ValueError:
        return 0


def _onset(c: Context, spec: AeSpec) -> int:
    if spec.onset_days <= 1:
        return int(c.rng.integers(0, 3))
    return round(float(c.rng.lognormal(math.log(spec.onset_days), 0.6)))


def _event(
    c: Context, spec: AeSpec, onset: int, intervention: InterventionPlan, source: int, position: int
) -> Event:
    rng = c.rng
    if rng.random() < spec.severe:
        grade = 5 if rng.random() < spec.fatal else (4 if rng.random() < 0.1 else 3)
    else:
        grade = 1 if rng.random() < 0.65 else 2
    grade = max(spec.min_grade, min(grade, spec.max_grade))
    if grade == 5 and spec.max_grade < 5:
        grade = spec.max_grade
    duration = max(
        1,
        round(float(rng.lognormal(math.log(spec.duration_days * (1 + 0.3 * (grade - 1))), 0.5))),
    )
    if intervention.kind != "drug":
        action = NOT_APPLICABLE
    elif grade >= 3 and spec.immune:
        action = WITHDRAWN if rng.random() < 0.7 else INTERRUPTED
    elif grade >= 3 or (grade == 2 and spec.immune and rng.random() < 0.5):
        action = INTERRUPTED
    else:
        action = NOT_CHANGED
    related = rng.random() < 0.9
    return Event(
        spec=spec,
        onset=onset,
        end=onset + duration,
        grade=grade,
        serious="Y" if grade >= 4 or (grade == 3 and rng.random() < 0.5) else "N",
        action=action,
        related=related,
        source=source,
        other=spec.other_action if grade >= 2 else None,
    )


def write_adverse_events(
    c: Context, drawn: AdverseEvents, dropout: int, doses: tuple[int, ...]
) -> tuple[Event, ...]:
    """Write the AE rows (and the medication treating each) of the reported events; returns them."""
    last_dose = doses[-1] if doses else None
    death = drawn.death
    limit = min(death, dropout, c.cutoff + 1)
    kept = tuple(
        event
        for event in sorted(drawn.events, key=lambda e: (e.onset, str(e.spec.term)))
        if not (event.onset >= limit or last_dose is None or event.onset > last_dose + 90)
    )
    for event in kept:
        spec = event.spec
        onset = event.onset
        if event.grade == 5 and drawn.fatal_event is event:
            outcome, end_value = FATAL, death
        elif event.end >= min(death, dropout, c.cutoff):
            outcome, end_value = NOT_RECOVERED, None
        else:
            outcome, end_value = RECOVERED, event.end
        epoch = EPOCH_TREATMENT if last_dose is None or onset <= last_dose + 30 else EPOCH_FOLLOW_UP
        entry = c.ae_terms.get(spec.term)
        c.t.put(
            "AE",
            USUBJID=c.u,
            AETERM=spec.term,
            AELLT=entry.llt if entry else None,
            AELLTCD=entry.code if entry else None,
            AEDECOD=spec.term,
            AEBODSYS=entry.soc if entry else None,
            AETOXGR=str(event.grade),
            AESER=event.serious,
            AEREL=RELATED if event.related else NOT_RELATED,
            AEACN=event.action,
            AEACNOTH=event.other,
            AEOUT=outcome,
            EPOCH=epoch,
            AESTDTC=onset,
            AEENDTC=end_value,
            **_relatedness(c, event),
        )
        if spec.medication and event.grade >= 2:
            c.t.put(
                "CM",
                USUBJID=c.u,
                CMTRT=spec.medication,
                CMCAT=treatment.CONCOMITANT,
                CMINDC=spec.term.upper(),
                CMSTDTC=onset,
                CMENDTC=end_value if spec.medication != "LEVOTHYROXINE" else None,
            )
    return kept


def _relatedness(c: Context, event: Event) -> dict[str, str | None]:
    """AERELn per intervention of the trial: missing for one the patient's arm does not give."""
    arm_interventions = {i.name for i in c.arm.interventions}
    relatedness: dict[str, str | None] = {}
    for number in range(1, len(c.plan.interventions) + 1):
        related = event.related and number == event.source
        in_arm = c.plan.interventions[number - 1] in arm_interventions
        relatedness[relatedness_variable(number)] = (
            (RELATED if related else NOT_RELATED) if in_arm else None
        )
    return relatedness
