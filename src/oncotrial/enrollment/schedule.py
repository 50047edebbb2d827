"""A subject's visit schedule from the protocol, and the status of each visit on a date.

``compute_visit_schedule`` lays out (rules ``SCHEDULE_RULES``):

- ``SCREENING`` (VISITNUM 1): baseline assessments and the baseline scan, in the 28 days before
  the reference date;
- one ``PROCEDURE: <name>`` visit (VISITNUM 50 + n) for each one-off intervention done before the
  first dose (a cryoablation before immunotherapy), in the 28 days before cycle 1;
- ``CYCLE c DAY 1`` (VISITNUM 100 + c) every cycle, the cycle being the longest dosing interval of
  the repeated interventions (serplulimab Q3W → 21 days), until the last cycle any intervention
  allows (``max_cycles``) or the horizon; each visit lists what is given;
- tumour assessments every ``analysis.imaging_interval_days`` from the reference date, named
  ``WEEK w`` (VISITNUM 200 + k) as in docs/sdtm.md, each with ± ``imaging_window_days``.

Visit names and numbers are those of docs/sdtm.md, so recorded visits match planned ones by name.
What the protocol does not say is not invented: without a dosing schedule, no treatment visits
are planned and ``notes`` says so; the ±3-day window of treatment visits is oncotrial's default
(the registrations give none) and is a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from oncotrial.catalogue.rule import Rule
from oncotrial.errors import ValueProblem
from oncotrial.protocol.dosing import Timing
from oncotrial.protocol.model import Intervention, Protocol

__all__ = [
    "SCHEDULE_RULES",
    "PlannedVisit",
    "VisitKind",
    "VisitSchedule",
    "VisitState",
    "VisitStatus",
    "compute_visit_schedule",
    "derive_visit_statuses",
    "study_day",
]

SCREENING_DAYS = 28
MAX_CYCLES = 99  # VISITNUM 100 + c must stay below the imaging numbers (200 + k)

SCHEDULE_RULES = (
    Rule(
        "SCHED-1",
        "Baseline scan and screening assessments within the 28 days before the reference date.",
        "RECIST 1.1 (Eisenhauer 2009) §3.2.1: baseline evaluations no more than 4 weeks before "
        "the start of treatment",
    ),
    Rule(
        "SCHED-2",
        "Treatment cycles every longest dosing interval from the first dose, up to the largest "
        "max_cycles of the interventions (else to the horizon); window ± 3 days unless set.",
        "protocol interventions[].dosing; the window is oncotrial's default (registrations "
        "give none)",
    ),
    Rule(
        "SCHED-3",
        "Tumour assessments every imaging_interval_days from the reference date, within ± "
        "imaging_window_days; visit 'WEEK w', VISITNUM 200 + k.",
        "protocol analysis.imaging_interval_days / imaging_window_days; docs/sdtm.md visits",
    ),
    Rule(
        "SCHED-4",
        "One-off procedures before the first dose are planned in the 28 days before cycle 1.",
        "protocol interventions[].dosing.timing ('before first dose')",
    ),
    Rule(
        "SCHED-5",
        "A visit is overdue when its window has closed without a record, due while its window "
        "is open, upcoming before; treatment visits after the end of treatment and all visits "
        "after the end of study are not needed.",
        "oncotrial visit status convention",
    ),
    Rule(
        "SCHED-6",
        "Tumour assessments after documented progression are not needed (the subject continues "
        "in survival follow-up); under iRECIST a confirmation scan follows the first PD, so the "
        "caller passes no progression date until it is confirmed.",
        "protocols' 'imaging until disease progression'; iRECIST (Seymour 2017) iUPD → iCPD",
    ),
)


class VisitKind(StrEnum):
    SCREENING = "screening"
    PROCEDURE = "procedure"
    TREATMENT = "treatment"
    IMAGING = "imaging"


@dataclass(frozen=True)
class PlannedVisit:
    visitnum: int
    visit: str
    kind: VisitKind
    target: dt.date
    earliest: dt.date
    latest: dt.date
    day: int  # study day of the target (reference date = day 1, no day 0)
    activities: tuple[str, ...] = ()
    rule: str = ""


@dataclass(frozen=True)
class VisitSchedule:
    reference: dt.date
    reference_name: str
    first_dose: dt.date
    cycle_days: int | None
    visits: tuple[PlannedVisit, ...]
    notes: tuple[str, ...] = ()

    def visit(self, name: str) -> PlannedVisit | None:
        key = name.strip().upper()
        return next((v for v in self.visits if v.visit == key), None)


def study_day(date: dt.date, reference: dt.date) -> int:
    """SDTM study day: the reference date is day 1 and the day before it day −1 (no day 0)."""
    delta = (date - reference).days
    return delta + 1 if delta >= 0 else delta


def _window(target: dt.date, before: int, after: int) -> tuple[dt.date, dt.date]:
    return target - dt.timedelta(days=before), target + dt.timedelta(days=after)


def _week_name(days: int) -> str:
    return f"WEEK {days // 7}" if days % 7 == 0 else f"DAY {days + 1}"


def compute_visit_schedule(
    protocol: Protocol,
    *,
    reference: dt.date,
    first_dose: dt.date | None = None,
    horizon_days: int = 365,
    treatment_window_days: int = 3,
) -> VisitSchedule:
    """The planned visits of one subject (module docstring); ``reference`` is time zero."""
    if horizon_days < 1:
        raise ValueProblem("the schedule horizon must be at least one day", field="horizon_days")
    if treatment_window_days < 0:
        raise ValueProblem(
            "the treatment visit window cannot be negative", field="treatment_window_days"
        )
    analysis = protocol.analysis
    reference_name = analysis.reference_date.value if analysis.reference_date else "enrollment"
    notes: list[str] = []
    planned_from_reference = first_dose is None
    if first_dose is None:
        first_dose = reference
    end = reference + dt.timedelta(days=horizon_days)
    visits: list[PlannedVisit] = []

    earliest, _ = _window(reference, SCREENING_DAYS, 0)
    visits.append(
        PlannedVisit(
            visitnum=1,
            visit="SCREENING",
            kind=VisitKind.SCREENING,
            target=reference,
            earliest=earliest,
            latest=reference,
            day=1,
            activities=("eligibility", "baseline tumour assessment", "baseline labs"),
            rule="SCHED-1",
        )
    )

    repeated = _once_given(protocol, first_dose, reference, visits, notes)

    cycle_days: int | None = None
    if repeated and planned_from_reference:
        notes.append("Cycles are planned from the reference date until the first dose is recorded.")
    if repeated:
        cycle_days = _treatment_visits(
            repeated, first_dose, reference, end, treatment_window_days, horizon_days, visits, notes
        )

    _imaging_visits(protocol, reference, horizon_days, visits, notes)

    visits.sort(key=lambda v: (v.target, v.visitnum))
    return VisitSchedule(
        reference=reference,
        reference_name=reference_name,
        first_dose=first_dose,
        cycle_days=cycle_days,
        visits=tuple(visits),
        notes=tuple(notes),
    )


class VisitState(StrEnum):
    DONE = "done"
    DONE_OUT_OF_WINDOW = "done, out of window"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"
    NOT_NEEDED = "not needed"


@dataclass(frozen=True)
class VisitStatus:
    visit: PlannedVisit
    state: VisitState
    performed: dt.date | None = None
    days_overdue: int = 0


def _once_given(
    protocol: Protocol,
    first_dose: dt.date,
    reference: dt.date,
    visits: list[PlannedVisit],
    notes: list[str],
) -> list[Intervention]:
    """Adds the procedure visits of the interventions given once before the first dose; returns
    the interventions given in cycles."""
    repeated: list[Intervention] = []
    for n, intervention in enumerate(protocol.interventions):
        dosing = intervention.dosing
        if dosing.once:
            if dosing.timing is Timing.BEFORE_FIRST_DOSE:
                target = first_dose - dt.timedelta(days=1)
                visits.append(
                    PlannedVisit(
                        visitnum=50 + n + 1,
                        visit=f"PROCEDURE: {intervention.name.upper()}",
                        kind=VisitKind.PROCEDURE,
                        target=target,
                        earliest=first_dose - dt.timedelta(days=SCREENING_DAYS),
                        latest=target,
                        day=study_day(target, reference),
                        activities=(intervention.name,),
                        rule="SCHED-4",
                    )
                )
            else:
                notes.append(
                    f"{intervention.name} is given once, but the protocol does not say when; "
                    "it is not planned."
                )
        elif dosing.interval_days is not None:
            repeated.append(intervention)
        else:
            notes.append(
                f"The protocol gives no dosing schedule for {intervention.name}; its treatment "
                "visits are not planned (add the dose and schedule to the protocol)."
            )
    return repeated


def _treatment_visits(
    repeated: list[Intervention],
    first_dose: dt.date,
    reference: dt.date,
    end: dt.date,
    treatment_window_days: int,
    horizon_days: int,
    visits: list[PlannedVisit],
    notes: list[str],
) -> int:
    """Adds a visit at day 1 of each cycle while an intervention is given; returns the cycle
    length (the longest dosing interval)."""
    cycle_days = max(i.dosing.interval_days or 1 for i in repeated)
    last_day: dict[str, int | None] = {}
    for intervention in repeated:
        interval = intervention.dosing.interval_days or 1
        cycles = intervention.dosing.max_cycles
        # max_cycles counts the intervention's own cycles; its last dose day from day 0.
        last_day[intervention.name] = None if cycles is None else (cycles - 1) * interval
    for c in range(1, MAX_CYCLES + 1):
        offset = (c - 1) * cycle_days
        target = first_dose + dt.timedelta(days=offset)
        if target > end:
            break
        given = []
        for intervention in repeated:
            limit = last_day[intervention.name]
            if limit is not None and offset > limit:
                continue
            interval = intervention.dosing.interval_days or 1
            if interval >= cycle_days:
                given.append(intervention.name)
            else:
                given.append(f"{intervention.name} (every {interval} days in the cycle)")
        if not given:
            break
        earliest, latest = _window(target, treatment_window_days, treatment_window_days)
        if c == 1:
            earliest = target  # cycle 1 day 1 is the first dose itself
        visits.append(
            PlannedVisit(
                visitnum=100 + c,
                visit=f"CYCLE {c} DAY 1",
                kind=VisitKind.TREATMENT,
                target=target,
                earliest=earliest,
                latest=latest,
                day=study_day(target, reference),
                activities=tuple(given),
                rule="SCHED-2",
            )
        )
    if any(v is None for v in last_day.values()):
        notes.append(
            "No maximum number of cycles for "
            + ", ".join(k for k, v in last_day.items() if v is None)
            + f": cycles are shown up to {horizon_days} days."
        )
    return cycle_days


def _imaging_visits(
    protocol: Protocol,
    reference: dt.date,
    horizon_days: int,
    visits: list[PlannedVisit],
    notes: list[str],
) -> None:
    """Adds the tumour assessments every imaging interval from the reference date."""
    analysis = protocol.analysis
    imaging_interval = analysis.imaging_interval_days
    if imaging_interval is None:
        notes.append(
            "The protocol sets no imaging interval (analysis.imaging_interval_days); tumour "
            "assessments are not planned."
        )
    else:
        window = analysis.imaging_window_days
        if window is None:
            window = 0
            notes.append("The protocol sets no imaging window; scans are due on the day.")
        k = 1
        while k * imaging_interval <= horizon_days:
            days = k * imaging_interval
            target = reference + dt.timedelta(days=days)
            earliest, latest = _window(target, window, window)
            visits.append(
                PlannedVisit(
                    visitnum=200 + k,
                    visit=_week_name(days),
                    kind=VisitKind.IMAGING,
                    target=target,
                    earliest=earliest,
                    latest=latest,
                    day=study_day(target, reference),
                    activities=("tumour assessment (CT/MRI)",),
                    rule="SCHED-3",
                )
            )
            k += 1


def derive_visit_statuses(
    schedule: VisitSchedule,
    performed: Mapping[str, dt.date],
    *,
    as_of: dt.date,
    treatment_ended: dt.date | None = None,
    study_ended: dt.date | None = None,
    progression: dt.date | None = None,
) -> tuple[VisitStatus, ...]:
    """Each planned visit's state on ``as_of`` (rules SCHED-5 and SCHED-6).

    ``performed`` maps a VISIT name (as recorded) to the date it was done.
    """
    done = {name.strip().upper(): date for name, date in performed.items()}
    statuses = []
    for visit in schedule.visits:
        when = done.get(visit.visit)
        if when is not None:
            inside = visit.earliest <= when <= visit.latest
            statuses.append(
                VisitStatus(
                    visit,
                    VisitState.DONE if inside else VisitState.DONE_OUT_OF_WINDOW,
                    performed=when,
                )
            )
            continue
        if (
            (study_ended is not None and visit.target > study_ended)
            or (
                treatment_ended is not None
                and visit.kind is VisitKind.TREATMENT
                and visit.target > treatment_ended
            )
            or (
                progression is not None
                and visit.kind is VisitKind.IMAGING
                and visit.target > progression
            )
        ):
            statuses.append(VisitStatus(visit, VisitState.NOT_NEEDED))
        elif visit.latest < as_of:
            statuses.append(
                VisitStatus(visit, VisitState.OVERDUE, days_overdue=(as_of - visit.latest).days)
            )
        elif visit.earliest <= as_of:
            statuses.append(VisitStatus(visit, VisitState.DUE))
        else:
            statuses.append(VisitStatus(visit, VisitState.UPCOMING))
    return tuple(statuses)
