"""The plan's time-frame use is applied, not only stated: 004's "up to 12 months" (PFS) and "up to
18 months" (OS) are maximum follow-up — times beyond them are censored there — while the plan's
time zero and imaging schedule replace the protocol's settings."""

from __future__ import annotations

import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.results import TteOutcome
from oncotrial.catalogue.durations import DAYS_PER_MONTH
from oncotrial.endpoints.tte import Param
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.plan.model import TimeFrameUse
from oncotrial.simulate.trial import simulate_trial


@pytest.fixture(scope="module")
def trial_004():
    trial = simulate_trial(find_protocol("004"), 29, 21)
    return TrialData(trial.protocol, trial.frames, "simulated 004", simulated=True)


def _tte(results, param: Param) -> tuple[TteOutcome, tuple[str, ...]]:
    return next(
        (e.outcome, e.notes)
        for e in results.endpoints
        if isinstance(e.outcome, TteOutcome) and e.outcome.param is param
    )


@pytest.mark.parametrize(("param", "months"), [(Param.PFS, 12), (Param.OS, 18)])
def test_004_frames_are_maximum_follow_up(trial_004, param: Param, months: int) -> None:
    plan = find_plan("004").plan
    planned = plan.endpoint(param.value)
    assert planned.time_frame_use.value is TimeFrameUse.MAXIMUM_FOLLOW_UP
    limit = months * DAYS_PER_MONTH
    capped, notes = _tte(analyse_trial(trial_004, sap=plan), param)
    full, _ = _tte(analyse_trial(trial_004), param)
    raw = full.adtte
    events = int(((raw["CNSR"] == 0) & (raw["AVAL"].astype(float) <= limit)).sum())
    assert sum(c.events for _, c in capped.curves) == events
    assert capped.adtte["AVAL"].astype(float).max() <= limit
    assert len(capped.adtte) == len(raw)
    assert any("maximum follow-up" in n for n in notes)
    beyond = raw["AVAL"].astype(float) > limit
    assert ((raw["CNSR"] == 0) & beyond).any()  # this draw has events beyond the frame
    if beyond.any():
        reasons = {r.reason for r in capped.censoring.rows if r.status == "censored"}
        assert any("maximum follow-up" in r for r in reasons)


def test_the_plans_time_zero_is_used(trial_004) -> None:
    results = analyse_trial(trial_004, sap=find_plan("004").plan)
    assert results.sets.reference == "TRTSDT"  # first dose, the plan's time zero (a departure)
    trial = simulate_trial(find_protocol("000"), 20, 3)
    data = TrialData(trial.protocol, trial.frames, "simulated 000", simulated=True)
    assert analyse_trial(data, sap=find_plan("000").plan).sets.reference_label == "enrollment"
