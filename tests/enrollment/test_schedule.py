"""Visit schedules from the protocol, and visit states on a date."""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.enrollment import (
    SCHEDULE_RULES,
    VisitKind,
    VisitState,
    compute_visit_schedule,
    derive_visit_statuses,
)
from oncotrial.enrollment.schedule import study_day
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.protocol.dosing import Dosing
from oncotrial.protocol.model import Protocol

D = dt.date


@pytest.fixture(scope="module")
def seed002() -> Protocol:
    return find_protocol("NCT07064876")


def test_seed_002_serplulimab_q3w_six_cycles_after_cryoablation(seed002: Protocol) -> None:
    s = compute_visit_schedule(seed002, reference=D(2025, 3, 3), first_dose=D(2025, 3, 5))
    names = [v.visit for v in s.visits]
    cycles = [v for v in s.visits if v.kind is VisitKind.TREATMENT]
    assert [v.visit for v in cycles] == [f"CYCLE {c} DAY 1" for c in range(1, 7)]
    assert [v.target for v in cycles] == [
        D(2025, 3, 5) + dt.timedelta(days=21 * k) for k in range(6)
    ]
    assert [v.visitnum for v in cycles] == [101, 102, 103, 104, 105, 106]
    assert cycles[0].activities == ("Serplulimab",)
    assert s.cycle_days == 21
    procedure = s.visit("PROCEDURE: CT-GUIDED CRYOABLATION")
    assert procedure is not None and procedure.latest == D(2025, 3, 4)
    assert procedure.earliest == D(2025, 3, 5) - dt.timedelta(days=28)
    # imaging every 42 days ± 7 from the reference date, up to a year: weeks 6, 12, …, 48
    scans = [v for v in s.visits if v.kind is VisitKind.IMAGING]
    assert [v.visit for v in scans] == [f"WEEK {6 * k}" for k in range(1, 9)]
    assert scans[0].target == D(2025, 4, 14) and scans[0].day == 43
    assert (scans[0].earliest, scans[0].latest) == (D(2025, 4, 7), D(2025, 4, 21))
    assert [v.visitnum for v in scans] == list(range(201, 209))
    assert names[0] == "SCREENING"
    assert s.visits == tuple(sorted(s.visits, key=lambda v: (v.target, v.visitnum)))
    assert s.notes == ()


def test_protocol_without_dosing_says_so_instead_of_guessing() -> None:
    protocol = find_protocol("004")  # tislelizumab + anlotinib: the record gives no schedule
    s = compute_visit_schedule(protocol, reference=D(2025, 1, 1))
    assert not [v for v in s.visits if v.kind is VisitKind.TREATMENT]
    assert any("no dosing schedule for Tislelizumab" in n for n in s.notes)
    assert not any("until the first dose is recorded" in n for n in s.notes)  # no cycles
    assert [v for v in s.visits if v.kind is VisitKind.IMAGING]


def test_daily_oral_and_three_weekly_infusion_make_21_day_cycles(seed002: Protocol) -> None:
    drugs = (
        seed002.interventions[0].model_copy(
            update={"name": "Toripalimab", "dosing": Dosing(interval_days=21, max_cycles=4)}
        ),
        seed002.interventions[0].model_copy(
            update={"name": "Regorafenib", "dosing": Dosing(interval_days=1)}
        ),
    )
    protocol = seed002.model_copy(update={"interventions": drugs})
    s = compute_visit_schedule(protocol, reference=D(2025, 1, 1), horizon_days=120)
    cycles = [v for v in s.visits if v.kind is VisitKind.TREATMENT]
    assert s.cycle_days == 21
    assert len(cycles) == 6  # days 0 … 105 within 120 days; regorafenib has no limit
    assert cycles[0].activities == ("Toripalimab", "Regorafenib (every 1 days in the cycle)")
    assert cycles[4].activities == ("Regorafenib (every 1 days in the cycle)",)
    assert any("No maximum number of cycles for Regorafenib" in n for n in s.notes)
    assert any("until the first dose is recorded" in n for n in s.notes)


def test_visit_states_on_a_date(seed002: Protocol) -> None:
    s = compute_visit_schedule(seed002, reference=D(2025, 3, 3), first_dose=D(2025, 3, 5))
    done = {"SCREENING": D(2025, 2, 20), "cycle 1 day 1": D(2025, 3, 5), "WEEK 6": D(2025, 4, 25)}
    states = {x.visit.visit: x for x in derive_visit_statuses(s, done, as_of=D(2025, 4, 18))}
    assert states["SCREENING"].state is VisitState.DONE
    assert states["CYCLE 1 DAY 1"].state is VisitState.DONE
    assert states["WEEK 6"].state is VisitState.DONE_OUT_OF_WINDOW  # 25 April > 21 April
    assert states["CYCLE 2 DAY 1"].state is VisitState.OVERDUE  # 26 March ± 3
    assert states["CYCLE 2 DAY 1"].days_overdue == 20  # window closed on 29 March
    assert states["CYCLE 3 DAY 1"].state is VisitState.DUE  # 16 April ± 3 → open on 18 April
    assert states["CYCLE 4 DAY 1"].state is VisitState.UPCOMING
    assert states["PROCEDURE: CT-GUIDED CRYOABLATION"].state is VisitState.OVERDUE


def test_end_of_treatment_and_study_stop_the_schedule(seed002: Protocol) -> None:
    s = compute_visit_schedule(seed002, reference=D(2025, 3, 3), first_dose=D(2025, 3, 3))
    states = derive_visit_statuses(
        s, {}, as_of=D(2025, 3, 1), treatment_ended=D(2025, 4, 1), study_ended=D(2025, 6, 1)
    )
    by_name = {x.visit.visit: x.state for x in states}
    assert by_name["CYCLE 2 DAY 1"] is VisitState.UPCOMING  # 24 March, before the end
    assert by_name["CYCLE 3 DAY 1"] is VisitState.NOT_NEEDED
    assert by_name["WEEK 6"] is VisitState.UPCOMING  # imaging continues after treatment
    assert by_name["WEEK 18"] is VisitState.NOT_NEEDED  # after the end of study


def test_study_day_has_no_day_zero() -> None:
    assert study_day(D(2025, 1, 1), D(2025, 1, 1)) == 1
    assert study_day(D(2024, 12, 31), D(2025, 1, 1)) == -1
    assert study_day(D(2025, 2, 12), D(2025, 1, 1)) == 43


def test_no_scans_after_documented_progression(seed002: Protocol) -> None:
    s = compute_visit_schedule(seed002, reference=D(2025, 3, 3), first_dose=D(2025, 3, 3))
    states = derive_visit_statuses(
        s, {"WEEK 6": D(2025, 4, 14)}, as_of=D(2025, 9, 1), progression=D(2025, 4, 14)
    )
    by_name = {x.visit.visit: x.state for x in states}
    assert by_name["WEEK 6"] is VisitState.DONE
    assert by_name["WEEK 12"] is VisitState.NOT_NEEDED
    assert by_name["CYCLE 6 DAY 1"] is VisitState.OVERDUE  # treatment is another matter


def test_schedule_rules_are_declared() -> None:
    assert [r.id for r in SCHEDULE_RULES] == [f"SCHED-{n}" for n in range(1, 7)]
    assert "RECIST 1.1" in SCHEDULE_RULES[0].source
