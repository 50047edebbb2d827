"""The stages of one patient's simulated course (oncotrial.simulate.course), one at a time.

The whole-trial tests (test_simulator.py) and the demo's pinned SDTM exports check the stages
together; these check the rules each stage keeps on its own, over many patients.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from oncotrial.formats.protocol_files import find_protocol
from oncotrial.simulate import DesignParameters
from oncotrial.simulate.course.adverse_events import (
    WITHDRAWN,
    draw_adverse_events,
    write_adverse_events,
)
from oncotrial.simulate.course.context import NEVER, Context, Patient
from oncotrial.simulate.course.scans import read_scans
from oncotrial.simulate.course.screening import screen
from oncotrial.simulate.course.timeline import DeferredDraws, draw_timeline
from oncotrial.simulate.frames import Tables
from oncotrial.simulate.plan import TrialPlan, build_plan
from oncotrial.simulate.profiles import AE_PROFILES, AeSpec


def _plan(trial: str) -> TrialPlan:
    return build_plan(find_protocol(trial), DesignParameters())


def _patient(plan: TrialPlan, **changes: Any) -> Patient:
    patient = Patient(
        index=0,
        usubjid=f"{plan.studyid}-S1-0001",
        subjid="S1-0001",
        site="S1",
        country="CHN",
        consent_day=10,
        age=60,
        birth_year=1960,
        sex="M",
        enrolled=True,
        failed_criterion=None,
        arm=plan.arms[0],
        stratum=None,
        ecog=1,
        stage="IVA",
        histology="ADENOCARCINOMA",
        primary_site="LUNG",
        genes=(),
        tps=55.0,
        assay="22C3 PHARMDX",
        height=170.0,
        weight=65.0,
        pfs_days=200.0,
        death_first=False,
        os_days=500.0,
        dropout_days=float("inf"),
        responder=False,
        complete=False,
        onset_scan=1,
        pd_scan=4,
        mechanism="target",
        treated=True,
    )
    return replace(patient, **changes)


def _context(plan: TrialPlan, patient: Patient, seed: int, cutoff: int = 2000) -> Context:
    assert patient.arm is not None
    tables = Tables(plan.studyid, plan.start)
    rng = np.random.Generator(np.random.PCG64(seed))
    return Context(tables, patient, plan, DesignParameters(), rng, cutoff, {}, patient.arm)


@pytest.mark.parametrize("trial", ["001", "NCT07064876", "003"])
def test_a_fatal_event_ends_the_course_and_only_one_is_fatal(trial: str) -> None:
    plan = _plan(trial)
    fatal_seen = 0
    for seed in range(300):
        c = _context(plan, _patient(plan), seed)
        s = screen(c)
        timeline = draw_timeline(c, s)
        drawn = draw_adverse_events(c, timeline, DeferredDraws(c, s, timeline))
        assert sum(e.grade == 5 for e in drawn.events) <= 1
        assert drawn.death <= timeline.death
        if drawn.fatal_event is not None:
            fatal_seen += 1
            assert drawn.fatal_event in drawn.events
            assert drawn.fatal_event.grade == 5
            assert 0 <= drawn.death - drawn.fatal_event.onset <= 7
        else:
            assert drawn.death == timeline.death
        withdrawals = [e.onset for e in drawn.events if e.action == WITHDRAWN]
        assert drawn.withdrawn == min(withdrawals, default=NEVER)
        assert all(e.spec.lab is not None for e in drawn.lab_events)
    assert fatal_seen > 0, "no fatal event in 300 patients: the check above never ran"


def test_reported_events_end_90_days_after_the_last_dose() -> None:
    plan = _plan("NCT07064876")
    for seed in range(100):
        c = _context(plan, _patient(plan), seed)
        s = screen(c)
        timeline = draw_timeline(c, s)
        drawn = draw_adverse_events(c, timeline, DeferredDraws(c, s, timeline))
        last_dose = timeline.first_dose + 60
        reported = write_adverse_events(
            c, drawn, timeline.dropout, (timeline.first_dose, last_dose)
        )
        assert all(e.onset <= last_dose + 90 for e in reported)
        assert write_adverse_events(c, drawn, timeline.dropout, ()) == ()
        assert len(c.t.rows["AE"]) == len(reported)  # the second call wrote nothing


def test_deferred_draws_are_taken_once_when_first_needed() -> None:
    plan = _plan("001")
    radiation = next(i for a in plan.arms for i in a.interventions if i.kind == "radiation")
    c = _context(plan, _patient(plan), 5)
    s = screen(c)
    timeline = draw_timeline(c, s)
    deferred = DeferredDraws(c, s, timeline)
    state = c.rng.bit_generator.state
    day = deferred.local_day(radiation)
    assert c.rng.bit_generator.state != state  # drawn now
    state = c.rng.bit_generator.state
    assert deferred.local_day(radiation) == day  # and remembered
    reason = deferred.dropout_reason()
    assert deferred.dropout_reason() == reason
    assert 7 <= day - s.allocation < 22
    assert c.rng.bit_generator.state != state  # only the drop-out reason was drawn since


@pytest.mark.parametrize("trial", ["001", "NCT07064876", "004"])
def test_scans_stop_at_progression_and_before_death(trial: str) -> None:
    plan = _plan(trial)
    progressed = 0
    for seed in range(60):
        patient = _patient(plan, pd_scan=2 + seed % 4, responder=seed % 3 == 0)
        c = _context(plan, patient, seed)
        s = screen(c)
        timeline = draw_timeline(c, s)
        scans = read_scans(c, s, timeline)
        days = sorted({row["RSDTC"] for row in c.t.rows["RS"]})
        assert not days or days[-1] == scans.last_scan
        assert all(day < timeline.death for day in days)
        if scans.pd_day is not None:
            progressed += 1
            assert scans.pd_day == scans.last_scan  # nothing is read after progression
        assert len(scans.lesions) == len({row["TULNKID"] for row in c.t.rows["TU"]
                                          if row["VISIT"] == "SCREENING"})  # fmt: skip
    assert progressed > 0


def test_of_two_fatal_events_the_first_is_fatal_and_the_other_grade_4(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _plan("NCT07064876")
    drug = next(i for i in plan.arms[0].interventions if i.kind == "drug")
    always_fatal = (
        AeSpec("Pneumonitis", incidence=1.0, severe=1.0, fatal=1.0, onset_days=1),
        AeSpec("Sepsis", incidence=1.0, severe=1.0, fatal=1.0, onset_days=1),
    )
    monkeypatch.setitem(AE_PROFILES, drug.profiles[0], always_fatal)
    for seed in range(20):
        c = _context(plan, _patient(plan), seed)
        s = screen(c)
        timeline = draw_timeline(c, s)
        drawn = draw_adverse_events(c, timeline, DeferredDraws(c, s, timeline))
        grades = sorted(e.grade for e in drawn.events if e.spec in always_fatal)
        assert grades == [4, 5]
        first = min((e for e in drawn.events if e.spec in always_fatal), key=lambda e: e.onset)
        assert first.grade == 5
        assert drawn.fatal_event is first
