"""Visit schedules of enrolled subjects from the protocol and what has been recorded.

The schedule starts from the subject's reference date as the protocol defines it
(``analysis.reference_date``: randomization/enrollment, or first dose — the enrollment date until
a first dose is recorded). A visit counts as done when a record carries its VISIT name: study
drug (``CYCLE c DAY 1``), tumour assessments (``WEEK w``), the local therapy for ``PROCEDURE:``
visits, and the screening decision for ``SCREENING``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oncotrial.catalogue import subject as subject_terms
from oncotrial.catalogue.tumour import OVERALL_RESPONSE, PD
from oncotrial.enrollment import (
    VisitSchedule,
    VisitStatus,
    compute_visit_schedule,
    derive_visit_statuses,
)
from oncotrial.protocol.endpoints import Origin
from oncotrial.protocol.model import Protocol
from oncotrial.store import models as db
from oncotrial.store.conduct import ScreeningRecord
from oncotrial.web.entry import parse_date

__all__ = ["SubjectVisits", "subject_visits"]


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


def _progression(
    protocol: Protocol, subject: db.Subject, ended_treatment: db.Disposition | None
) -> dt.date | None:
    """The date progression was documented (SCHED-6): the first overall response PD, or an end
    of treatment for progressive disease. Under iRECIST the first PD needs confirmation
    (iCPD), so only an end of treatment for progression counts."""
    dates = []
    if ended_treatment is not None and ended_treatment.decod == subject_terms.PROGRESSIVE_DISEASE:
        dates.append(parse_date(ended_treatment.stdtc))
    criteria = protocol.analysis.response.criteria if protocol.analysis.response else None
    if criteria is None or criteria.value != "iRECIST":
        for when in db.TumourAssessment.objects.filter(
            subject=subject, response__testcd=OVERALL_RESPONSE.testcd, response__stresc=PD
        ).values_list("dtc", flat=True):
            dates.append(parse_date(when))
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def subject_visits(
    protocol: Protocol, subject: db.Subject, *, as_of: dt.date
) -> SubjectVisits | None:
    """The schedule and visit states of an enrolled subject (None before enrollment)."""
    allocation = db.Disposition.objects.filter(
        subject=subject, decod__in=list(db.Disposition.ALLOCATION_TERMS)
    ).first()
    allocated = parse_date(allocation.stdtc) if allocation else None
    if allocated is None:
        return None
    doses = [
        parse_date(d)
        for d in db.Exposure.objects.filter(subject=subject).values_list("stdtc", flat=True)
    ]
    known = [d for d in doses if d]
    first_dose = min(known) if known else None
    reference = allocated
    if protocol.analysis.reference_date is Origin.FIRST_DOSE and first_dose is not None:
        reference = first_dose
    schedule = compute_visit_schedule(protocol, reference=reference, first_dose=first_dose)

    performed: dict[str, dt.date] = {}
    for visit, when in db.Exposure.objects.filter(subject=subject).values_list("visit", "stdtc"):
        _earliest(performed, visit, when)
    for visit, when in db.TumourAssessment.objects.filter(subject=subject).values_list(
        "visit", "dtc"
    ):
        _earliest(performed, visit, when)
    for trt, when in db.Procedure.objects.filter(subject=subject).values_list("trt", "stdtc"):
        _earliest(performed, f"PROCEDURE: {trt}" if trt else None, when)
    # The screening visit starts at informed consent (ICH E6 §4.8.8: no trial procedure before
    # it), not on the day the record was keyed in (issue 13 item 11: it showed today's date).
    if subject.rficdtc:
        _earliest(performed, "SCREENING", subject.rficdtc)
    else:
        screening = ScreeningRecord.objects.filter(subject=subject).first()
        if screening is not None:
            performed.setdefault("SCREENING", screening.as_of)

    ended_treatment = db.Disposition.objects.filter(
        subject=subject, scat=subject_terms.END_OF_TREATMENT
    ).first()
    ended_study = (
        db.Disposition.objects.filter(subject=subject, scat=subject_terms.END_OF_STUDY)
        .order_by("stdtc")
        .first()
    )
    statuses = derive_visit_statuses(
        schedule,
        performed,
        as_of=as_of,
        treatment_ended=parse_date(ended_treatment.stdtc) if ended_treatment else None,
        study_ended=parse_date(ended_study.stdtc) if ended_study else None,
        progression=_progression(protocol, subject, ended_treatment),
    )
    return SubjectVisits(usubjid=subject.usubjid, schedule=schedule, statuses=statuses)
