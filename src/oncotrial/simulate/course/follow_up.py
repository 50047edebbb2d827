"""After treatment: subsequent therapy, death or the end of study, and the demographics row
(which records the reference days the course ended up with)."""

from __future__ import annotations

from oncotrial.catalogue import subject, treatment
from oncotrial.catalogue.common import (
    SCREENING,
    SURVIVAL_FOLLOW_UP_VISIT,
    VISITNUM_SCREENING,
    VISITNUM_SURVIVAL_FOLLOW_UP,
    YES,
)
from oncotrial.simulate.course.adverse_events import AdverseEvents, Event
from oncotrial.simulate.course.context import Context, Course, Patient
from oncotrial.simulate.course.scans import Scans
from oncotrial.simulate.course.screening import Screening
from oncotrial.simulate.course.timeline import DeferredDraws, Timeline
from oncotrial.simulate.frames import Tables
from oncotrial.simulate.plan import TrialPlan
from oncotrial.simulate.profiles import Disease

__all__ = ["follow_up", "write_screen_failure"]

_EAST_ASIA = ("CHN", "JPN", "KOR", "TWN", "HKG")  # recorded as RACE ASIAN (simulated data)
_ASIAN, _NOT_REPORTED = "ASIAN", "NOT REPORTED"
_NOT_HISPANIC = "NOT HISPANIC OR LATINO"


def follow_up(
    c: Context,
    s: Screening,
    timeline: Timeline,
    deferred: DeferredDraws,
    drawn: AdverseEvents,
    reported: tuple[Event, ...],
    scans: Scans,
    doses: tuple[int, ...],
) -> Course:
    """Follow-up to the cutoff; ``reported`` are the adverse events written to AE."""
    p, t, u, rng = c.p, c.t, c.u, c.rng
    end_of_data = min(c.cutoff, timeline.dropout)
    _subsequent_therapy(c, scans, drawn.death, end_of_data)
    death: int | None = None
    if drawn.death <= end_of_data:
        death = drawn.death
        fatal = drawn.fatal_event
        if fatal is not None and fatal in reported:
            cause = subject.death_cause_of_adverse_event(fatal.spec.term)
        elif scans.pd_day is not None or not p.death_first or rng.random() < 0.7:
            cause = subject.PROGRESSIVE_DISEASE
        else:
            cause = subject.OTHER_CAUSE
        t.put("DS", USUBJID=u, **subject.death_record(cause), DSSTDTC=death)
        last_contact = death
    elif timeline.dropout <= c.cutoff:
        reason = deferred.dropout_reason()
        t.put(
            "DS",
            USUBJID=u,
            **subject.disposition_record(subject.END_OF_STUDY, reason),
            DSSTDTC=timeline.dropout,
        )
        last_contact = timeline.dropout
    else:
        latest = max([scans.last_scan, *(doses or [s.allocation])])
        last_contact = max(latest, c.cutoff - int(rng.integers(0, 31)))
        t.put(
            "DS",
            USUBJID=u,
            **subject.disposition_record(subject.ALIVE, subject.ALIVE),
            VISIT=SURVIVAL_FOLLOW_UP_VISIT,
            VISITNUM=float(VISITNUM_SURVIVAL_FOLLOW_UP),
            DSSTDTC=last_contact,
        )
    first = timeline.first_dose if p.treated and doses else None
    last = max(doses) if doses else None
    not_treated = None if first is not None else subject.ASSIGNED_NOT_TREATED
    _demographics(t, p, c.plan, first, last, last_contact, death, not_treated)
    return Course(first, last, last_contact, death)


def _subsequent_therapy(c: Context, scans: Scans, death: int, end_of_data: int) -> None:
    """After progression, some patients start a further line of therapy (a CM row)."""
    rng = c.rng
    if scans.pd_day is not None and rng.random() < c.params.subsequent_therapy_rate:
        start = scans.pd_day + int(rng.integers(14, 61))
        if start < min(death, end_of_data):
            options = (
                ("FRUQUINTINIB", "TRIFLURIDINE/TIPIRACIL")
                if c.plan.disease is Disease.CRC_LIVER
                else ("DOCETAXEL", "PEMETREXED", "ANLOTINIB")
            )
            c.t.put(
                "CM",
                USUBJID=c.u,
                CMTRT=str(options[int(rng.integers(len(options)))]),
                CMCAT=treatment.SUBSEQUENT_THERAPY,
                CMINDC=subject.PROGRESSIVE_DISEASE,
                CMSTDTC=start,
            )


def write_screen_failure(t: Tables, p: Patient, plan: TrialPlan, day: int) -> Course:
    """A screen failure's consent, failure, unmet criterion and demographics rows."""
    assert p.failed_criterion is not None
    code, category, text = p.failed_criterion
    t.put("DS", USUBJID=p.usubjid, **subject.consent_record(), DSSTDTC=p.consent_day)
    t.put("DS", USUBJID=p.usubjid, **subject.screen_failure_record(text), DSSTDTC=day)
    t.put(
        "IE",
        USUBJID=p.usubjid,
        **subject.criterion_not_met_record(code, text, category),
        VISIT=SCREENING,
        VISITNUM=VISITNUM_SCREENING,
        IEDTC=day,
    )
    _demographics(t, p, plan, None, None, day, None, subject.SCREEN_FAILURE)
    return Course(None, None, day, None)


def _demographics(
    t: Tables,
    p: Patient,
    plan: TrialPlan,
    first: int | None,
    last: int | None,
    end: int,
    death: int | None,
    reason: str | None,
) -> None:
    arm = p.arm
    treated = first is not None
    t.put(
        "DM",
        USUBJID=p.usubjid,
        SUBJID=p.subjid,
        RFSTDTC=first,
        RFENDTC=last,
        RFXSTDTC=first,
        RFXENDTC=last,
        RFICDTC=p.consent_day,
        RFPENDTC=end,
        DTHDTC=death,
        DTHFL=YES if death is not None else None,
        SITEID=p.site,
        BRTHDTC=str(p.birth_year),
        AGE=float(p.age),
        AGEU=subject.AGE_UNIT,
        SEX=p.sex,
        RACE=_ASIAN if p.country in _EAST_ASIA else _NOT_REPORTED,
        ETHNIC=_NOT_HISPANIC if p.country in _EAST_ASIA else _NOT_REPORTED,
        ARMCD=arm.code if arm else None,
        ARM=arm.label if arm else None,
        ACTARMCD=arm.code if arm and treated else None,
        ACTARM=arm.label if arm and treated else None,
        ARMNRS=reason,
        COUNTRY=p.country or None,
        DMDTC=p.consent_day,
    )
