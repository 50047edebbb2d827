"""Visit schedules of enrolled subjects from the protocol and what has been recorded.

The schedule starts from the subject's reference date as the protocol defines it
(``analysis.reference_date``: randomization/enrollment, or first dose — the enrollment date until
a first dose is recorded). A visit counts as done when a record carries its VISIT name: study
drug (``CYCLE c DAY 1``), tumour assessments (``WEEK w``), the local therapy for ``PROCEDURE:``
visits, and the screening decision for ``SCREENING``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote

from django.utils.html import format_html
from django.utils.safestring import SafeString

from oncotrial.catalogue import subject as subject_terms
from oncotrial.catalogue.tumour import OVERALL_RESPONSE, PD
from oncotrial.enrollment import (
    VisitSchedule,
    VisitState,
    VisitStatus,
    compute_visit_schedule,
    derive_visit_statuses,
)
from oncotrial.protocol.endpoints import Origin
from oncotrial.protocol.model import Protocol
from oncotrial.store import models as db
from oncotrial.store.conduct import ScreeningRecord
from oncotrial.web.entry import parse_date
from oncotrial.web.templatetags.oncotrial_web import tone

__all__ = [
    "SubjectVisits",
    "shown_rows",
    "subject_href",
    "subject_visits",
    "trial_visit_rows",
    "visit_record",
    "visits_of",
]

_BATCH = 500  # subjects per round of queries (bounded IN lists)
_BY_TRIAL = 20  # from this many subjects of one trial on, read the trial's records
SUBJECT_SLOT = "__usubjid__"  # reversed into the subject URL once, replaced per row
_URL_SAFE = "!$&'()*+,;=/~:@"  # what Django's reverse() leaves unquoted (RFC 3986 sub-delims)


class SubjectRow(NamedTuple):
    """The columns of a subject a schedule reads, as a plain row (the Visits page reads 500)."""

    pk: int
    trial_id: int
    usubjid: str
    rficdtc: str | None


Scheduled = db.Subject | SubjectRow  # a subject whose schedule is computed


@dataclass(frozen=True)
class SubjectVisits:
    usubjid: str
    schedule: VisitSchedule
    statuses: tuple[VisitStatus, ...]


def _earliest(found: dict[str, dt.date], name: str | None, when: str | None) -> None:
    date = parse_date(when)
    if not name or date is None:
        return
    key = name.strip().upper()
    if key not in found or date < found[key]:
        found[key] = date


@dataclass
class _Records:
    """What one subject's schedule reads from the database (loaded for many subjects at once)."""

    allocated: str | None = None
    doses: list[tuple[str | None, str | None]] = field(default_factory=list)
    assessments: list[tuple[str | None, str | None]] = field(default_factory=list)
    procedures: list[tuple[str | None, str | None]] = field(default_factory=list)
    screened: dt.date | None = None
    ended_treatment: tuple[int, str | None, str | None] | None = None  # (pk, decod, date)
    ended_study: list[str | None] = field(default_factory=list)
    progressed: list[str | None] = field(default_factory=list)  # dates of overall response PD


def _load(protocol: Protocol, subjects: Sequence[Scheduled]) -> dict[int, _Records]:
    """The records of the subjects in a fixed number of queries (issue 13: the visits page made
    eight queries per enrolled subject, 1.3 s with 144 subjects on PostgreSQL). Many subjects of
    one trial are read by trial (no long IN list to build and send), rows of others skipped."""
    out = {s.pk: _Records() for s in subjects}
    trials = {s.trial_id for s in subjects}
    where: dict[str, object] = (
        {"trial_id": next(iter(trials))}
        if len(subjects) > _BY_TRIAL and len(trials) == 1
        else {"subject_id__in": list(out)}
    )
    ds = db.Disposition.objects.filter(**where).order_by("pk")
    for pk, subject_id, decod, scat, stdtc in ds.values_list(
        "pk", "subject_id", "decod", "scat", "stdtc"
    ):
        records = out.get(subject_id)
        if records is None:
            continue
        if decod in db.Disposition.ALLOCATION_TERMS and records.allocated is None:
            records.allocated = stdtc or ""
        if scat == subject_terms.END_OF_TREATMENT and records.ended_treatment is None:
            records.ended_treatment = (pk, decod, stdtc)
        if scat == subject_terms.END_OF_STUDY:
            records.ended_study.append(stdtc)
    for subject_id, visit, when in db.Exposure.objects.filter(**where).values_list(
        "subject_id", "visit", "stdtc"
    ):
        if subject_id in out:
            out[subject_id].doses.append((visit, when))
    for subject_id, visit, when in db.TumourAssessment.objects.filter(**where).values_list(
        "subject_id", "visit", "dtc"
    ):
        if subject_id in out:
            out[subject_id].assessments.append((visit, when))
    for subject_id, trt, when in db.Procedure.objects.filter(**where).values_list(
        "subject_id", "trt", "stdtc"
    ):
        if subject_id in out:
            out[subject_id].procedures.append((trt, when))
    for subject_id, as_of in ScreeningRecord.objects.filter(**where).values_list(
        "subject_id", "as_of"
    ):
        if subject_id in out:
            out[subject_id].screened = as_of
    criteria = protocol.analysis.response.criteria if protocol.analysis.response else None
    if criteria is None or criteria.value != "iRECIST":
        for subject_id, when in db.Response.objects.filter(
            **where, testcd=OVERALL_RESPONSE.testcd, stresc=PD
        ).values_list("subject_id", "assessment__dtc"):
            if subject_id in out:
                out[subject_id].progressed.append(when)
    return out


def _progression(records: _Records) -> dt.date | None:
    """The date progression was documented (SCHED-6): the first overall response PD, or an end
    of treatment for progressive disease. Under iRECIST the first PD needs confirmation
    (iCPD), so only an end of treatment for progression counts (``_load`` reads no PD then)."""
    dates = [parse_date(when) for when in records.progressed]
    ended = records.ended_treatment
    if ended is not None and ended[1] == subject_terms.PROGRESSIVE_DISEASE:
        dates.append(parse_date(ended[2]))
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def _visits(
    protocol: Protocol,
    subject: Scheduled,
    records: _Records,
    as_of: dt.date,
    schedules: dict[tuple[dt.date, dt.date | None], VisitSchedule],
) -> SubjectVisits | None:
    allocated = parse_date(records.allocated)
    if allocated is None:
        return None
    known = [d for d in (parse_date(when) for _, when in records.doses) if d]
    first_dose = min(known) if known else None
    reference = allocated
    if protocol.analysis.reference_date is Origin.FIRST_DOSE and first_dose is not None:
        reference = first_dose
    # The schedule depends only on the protocol and these two dates: subjects enrolled on the
    # same day share it (computed once per page, not once per subject).
    schedule = schedules.get((reference, first_dose))
    if schedule is None:
        schedule = compute_visit_schedule(protocol, reference=reference, first_dose=first_dose)
        schedules[(reference, first_dose)] = schedule

    performed: dict[str, dt.date] = {}
    for visit, when in records.doses:
        _earliest(performed, visit, when)
    for visit, when in records.assessments:
        _earliest(performed, visit, when)
    for trt, when in records.procedures:
        _earliest(performed, f"PROCEDURE: {trt}" if trt else None, when)
    # The screening visit starts at informed consent (ICH E6 §4.8.8: no trial procedure before
    # it), not on the day the record was keyed in (issue 13 item 11: it showed today's date).
    if subject.rficdtc:
        _earliest(performed, "SCREENING", subject.rficdtc)
    elif records.screened is not None:
        performed.setdefault("SCREENING", records.screened)

    ended_treatment = records.ended_treatment
    study_ends = [d for d in (parse_date(w) for w in records.ended_study) if d]
    statuses = derive_visit_statuses(
        schedule,
        performed,
        as_of=as_of,
        treatment_ended=parse_date(ended_treatment[2]) if ended_treatment else None,
        study_ended=min(study_ends) if study_ends else None,
        progression=_progression(records),
    )
    return SubjectVisits(usubjid=subject.usubjid, schedule=schedule, statuses=statuses)


def visits_of(
    protocol: Protocol, subjects: Sequence[Scheduled], *, as_of: dt.date
) -> list[SubjectVisits]:
    """The schedules and visit states of the enrolled ones among ``subjects``, in their order."""
    out: list[SubjectVisits] = []
    schedules: dict[tuple[dt.date, dt.date | None], VisitSchedule] = {}
    batch_size = len(subjects) if len({s.trial_id for s in subjects}) == 1 else _BATCH
    for start in range(0, len(subjects), max(batch_size, 1)):
        batch = subjects[start : start + max(batch_size, 1)]
        loaded = _load(protocol, batch)
        for subject in batch:
            visits = _visits(protocol, subject, loaded[subject.pk], as_of, schedules)
            if visits is not None:
                out.append(visits)
    return out


def subject_visits(
    protocol: Protocol, subject: db.Subject, *, as_of: dt.date
) -> SubjectVisits | None:
    """The schedule and visit states of an enrolled subject (None before enrollment)."""
    found = visits_of(protocol, [subject], as_of=as_of)
    return found[0] if found else None


VisitRow = tuple[str, VisitStatus]  # (USUBJID, the visit's status)


def trial_visit_rows(
    protocol: Protocol, trial: db.Trial, *, as_of: dt.date
) -> tuple[list[VisitRow], list[VisitRow], list[VisitRow]]:
    """The overdue, due and upcoming (next 4 weeks) visits of the trial's enrolled subjects,
    the most overdue and the soonest first (the Visits page and its JSON twin). Rows stay
    (subject, status) pairs: the page shows at most 100 per table, so only those become text
    (``shown_rows``), and only the JSON twin turns them all into records (``visit_record``)."""
    tables: dict[VisitState, list[VisitRow]] = {
        VisitState.OVERDUE: [],
        VisitState.DUE: [],
        VisitState.UPCOMING: [],
    }
    # Two plain reads by trial, matched here, not ``pk IN (subquery)``: on a freshly loaded
    # PostgreSQL table without statistics that became a nested-loop semi join comparing every
    # subject with every allocation (125,000 rows, 30-50 ms with 500 subjects; issue 13).
    allocated = set(
        db.Disposition.objects.filter(
            trial=trial, decod__in=list(db.Disposition.ALLOCATION_TERMS)
        ).values_list("subject_id", flat=True)
    )
    # Only the columns a schedule reads, as plain rows: 500 Subject objects, even with only these
    # fields, cost more than the six queries (issue 13).
    subjects = [
        SubjectRow(*row)
        for row in db.Subject.objects.filter(trial=trial)
        .order_by("usubjid")
        .values_list("pk", "trial_id", "usubjid", "rficdtc")
        if row[0] in allocated
    ]
    horizon = as_of + dt.timedelta(days=28)
    for visits in visits_of(protocol, subjects, as_of=as_of):
        usubjid = visits.usubjid
        for status in visits.statuses:
            table = tables.get(status.state)
            if table is None:
                continue
            if status.state is VisitState.UPCOMING and status.visit.earliest > horizon:
                continue
            table.append((usubjid, status))
    overdue, due, upcoming = tables.values()
    overdue.sort(key=lambda r: (-r[1].days_overdue, r[0]))
    upcoming.sort(key=lambda r: (r[1].visit.target, r[0]))
    return overdue, due, upcoming


def visit_record(row: VisitRow) -> dict[str, Any]:
    """A row of the JSON twin."""
    usubjid, status = row
    return {
        "usubjid": usubjid,
        "visit": status.visit.visit,
        "kind": status.visit.kind.value,
        "target": status.visit.target,
        "window": [status.visit.earliest, status.visit.latest],
        "days_overdue": status.days_overdue,
        "state": status.state.value,
    }


def subject_href(subject_url: str, usubjid: str) -> str:
    """The subject's page: ``subject_url`` reversed once with ``SUBJECT_SLOT`` for the id."""
    return subject_url.replace(SUBJECT_SLOT, quote(usubjid, safe=_URL_SAFE))


# A row of a Visits table, built here rather than by a template loop (issue 13: up to 150 rows
# a page; every value is escaped by format_html).
_ROW = (
    '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td class="small">{}</td>'
    '<td><span class="pill {}">{}</span></td></tr>'
)


def shown_rows(rows: Sequence[VisitRow], subject_url: str, limit: int | None) -> list[SafeString]:
    """The rows a table shows, as HTML: ``subject_url`` holds ``SUBJECT_SLOT`` for the link (one
    URL reversed per page, not one per row: 300 ``{% url %}`` tags were a third of the page)."""
    out = []
    for usubjid, status in rows[:limit]:
        days, visit, state = status.days_overdue, status.visit, status.state.value
        out.append(
            format_html(
                _ROW,
                subject_href(subject_url, usubjid),
                usubjid,
                visit.visit,
                visit.target.isoformat(),
                f"{visit.earliest.isoformat()} – {visit.latest.isoformat()}",
                tone(state),
                state + (f" · {days} days" if days else ""),
            )
        )
    return out
