"""Treatment: local therapy (radiotherapy, surgery, ablation), drug cycles with their delays and
pre-dose labs, and the end of treatment."""

from __future__ import annotations

from dataclasses import dataclass

from oncotrial.catalogue import subject, treatment
from oncotrial.catalogue.common import (
    END_OF_TREATMENT_VISIT,
    EPOCH_TREATMENT,
    VISITNUM_END_OF_TREATMENT,
    cycle_visit,
)
from oncotrial.simulate.course.adverse_events import INTERRUPTED, AdverseEvents
from oncotrial.simulate.course.context import NEVER, Context
from oncotrial.simulate.course.labs import write_cycle_labs
from oncotrial.simulate.course.lesions import LEFT, RIGHT
from oncotrial.simulate.course.scans import Scans
from oncotrial.simulate.course.scores import write_ecog
from oncotrial.simulate.course.screening import Screening
from oncotrial.simulate.course.timeline import DeferredDraws, Timeline
from oncotrial.simulate.profiles import Disease

__all__ = ["Treatment", "treat"]

_LIVER, _LUNG = "LIVER", "LUNG"  # the ablated primary tumour's organ


@dataclass(frozen=True)
class Treatment:
    """The days treatment was given (local therapy and drug cycles, in order given)."""

    doses: tuple[int, ...]


def treat(
    c: Context,
    s: Screening,
    timeline: Timeline,
    deferred: DeferredDraws,
    drawn: AdverseEvents,
    scans: Scans,
) -> Treatment:
    if not c.p.treated:
        return Treatment(())
    doses = _local_therapy(c, timeline, deferred, drawn, scans)
    if not c.arm.drugs:
        return Treatment(tuple(doses))
    stop = min(
        scans.pd_day if scans.pd_day is not None else NEVER,
        drawn.death,
        timeline.dropout,
        c.cutoff + 1,
        drawn.withdrawn + 1,
    )
    cycle = _drug_cycles(c, s, timeline, drawn, stop, doses)
    _end_of_treatment(c, timeline, deferred, drawn, scans, cycle, doses)
    return Treatment(tuple(doses))


def _local_therapy(
    c: Context, timeline: Timeline, deferred: DeferredDraws, drawn: AdverseEvents, scans: Scans
) -> list[int]:
    """The PR rows of the arm's local therapies; returns the days they were given."""
    rng, t, u = c.rng, c.t, c.u
    days: list[int] = []
    for intervention in c.arm.local:
        start = deferred.local_day(intervention)
        if start >= min(drawn.death, timeline.dropout, c.cutoff):
            continue
        end = start + (13 if intervention.kind == "radiation" else 0)
        target_site = _LIVER if c.plan.disease is Disease.CRC_LIVER else _LUNG
        side = LEFT if rng.random() < 0.45 else RIGHT
        # Radiotherapy treats the recorded residual lesions (trial 001: "local radiotherapy to
        # all residual tumors"), one record per lesion linked by PRLNKID = TULNKID so that
        # local control can be judged lesion by lesion (docs/sdtm.md, PR). An ablation treats
        # the primary tumour, which is not a recorded lesion.
        sites: list[tuple[str, str | None, str | None]] = (
            [(lesion.organ, lesion.side, lesion.link) for lesion in scans.lesions]
            if intervention.kind == "radiation" and scans.lesions
            else [(target_site, side, None)]
        )
        for location, laterality, link in sites:
            t.put(
                "PR",
                USUBJID=u,
                PRTRT=intervention.sdtm_name,
                PRCAT=treatment.LOCAL_THERAPY,
                PRDOSE=intervention.dose if intervention.kind == "radiation" else None,
                PRDOSU=intervention.unit
                if intervention.kind == "radiation" and intervention.dose
                else None,
                PRLOC=location,
                PRLAT=laterality,
                PRLNKID=link,
                EPOCH=EPOCH_TREATMENT,
                PRSTDTC=start,
                PRENDTC=end,
            )
        days.append(start)
    return days


def _drug_cycles(
    c: Context, s: Screening, timeline: Timeline, drawn: AdverseEvents, stop: int, doses: list[int]
) -> int:
    """The EX rows of each cycle before ``stop``, appending the cycles' days to ``doses``;
    returns the number of cycles begun."""
    rng, t, u = c.rng, c.t, c.u
    drugs = c.arm.drugs
    lab_events = drawn.lab_events
    interruptions = [
        (e.onset, e.end) for e in drawn.events if e.action == INTERRUPTED and e.source > 0
    ]
    max_cycles = max(d.max_cycles for d in drugs)
    cycle_days = drugs[0].interval_days
    day = timeline.first_dose
    cycle = 0
    while cycle < max_cycles and day < stop:
        cycle += 1
        adjustment = None
        if cycle > 1:
            held = [end for onset, end in interruptions if onset <= day <= end]
            if held:
                day = max(held) + int(rng.integers(1, 8))
                adjustment = treatment.DELAYED_FOR_AE
            elif rng.random() < c.params.dose_delay_rate:
                day += int(rng.integers(3, 11))
                adjustment = treatment.DELAYED_FOR_SCHEDULING
            if day >= stop:
                break
        visit, number = cycle_visit(cycle)
        visitnum = float(number)
        for drug in drugs:
            if cycle > drug.max_cycles:
                continue
            end = day + cycle_days - 1 if drug.oral_daily else day
            end = min(end, stop - 1)
            t.put(
                "EX",
                USUBJID=u,
                EXTRT=drug.sdtm_name,
                EXDOSE=drug.dose,
                EXDOSU=drug.unit if drug.dose is not None else None,
                EXDOSFRM=drug.form,
                EXDOSFRQ=drug.frequency,
                EXROUTE=drug.route,
                EXADJ=adjustment,
                EPOCH=EPOCH_TREATMENT,
                VISIT=visit,
                VISITNUM=visitnum,
                EXSTDTC=day,
                EXENDTC=end,
            )
        doses.append(day)
        write_cycle_labs(c, s, lab_events, day, visit, visitnum, cycle)
        day += cycle_days
    return cycle


def _end_of_treatment(
    c: Context,
    timeline: Timeline,
    deferred: DeferredDraws,
    drawn: AdverseEvents,
    scans: Scans,
    cycle: int,
    doses: list[int],
) -> None:
    """The end-of-treatment disposition (the first of progression, withdrawal for an AE, death,
    drop-out, or all cycles given) and the ECOG at that visit."""
    rng = c.rng
    drugs = c.arm.drugs
    max_cycles = max(d.max_cycles for d in drugs)
    cycle_days = drugs[0].interval_days
    last = doses[-1] if doses else None
    candidates = [
        (
            scans.pd_day + int(rng.integers(1, 8)) if scans.pd_day is not None else NEVER,
            subject.PROGRESSIVE_DISEASE,
        ),
        (drawn.withdrawn, subject.ADVERSE_EVENT),
        (drawn.death, subject.DEATH),
        (timeline.dropout, deferred.dropout_reason()),
    ]
    day_, reason = min(candidates, key=lambda candidate: candidate[0])
    if cycle >= max_cycles and last is not None and last + cycle_days <= day_:
        day_, reason = last + cycle_days, subject.COMPLETED
    if day_ <= c.cutoff and day_ < NEVER:
        eot_day = max(day_, last or day_)
        c.t.put(
            "DS",
            USUBJID=c.u,
            **subject.disposition_record(subject.END_OF_TREATMENT, reason),
            VISIT=END_OF_TREATMENT_VISIT,
            VISITNUM=float(VISITNUM_END_OF_TREATMENT),
            DSSTDTC=eot_day,
        )
        if reason != subject.DEATH and eot_day < min(drawn.death, timeline.dropout):
            worse = min(5, c.p.ecog + (1 if reason == subject.PROGRESSIVE_DISEASE else 0))
            write_ecog(c, worse, END_OF_TREATMENT_VISIT, VISITNUM_END_OF_TREATMENT, eot_day)
