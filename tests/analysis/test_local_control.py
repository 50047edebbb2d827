"""Local control of trial 001 compared between arms with death competing (issue 14: "local
control is analysed in the irradiated arm only"; the plan: residual lesions in both arms,
cumulative incidence and Gray's test).

Expected values: R 4 with cmprsk 2.2-11 on the endpoint's own ADTTE (written to CSV; status 1
for a local progression event, 2 for death, 0 censored):

    ci <- cuminc(d$AVAL, st, d$ARM)
    ci$Tests          # cause 1: stat 3.5630712878132, p 0.0590783345901, df 1
    timepoints(ci, 365.25)
    # est:  Maintenance therapy 1 0.716515151515; Maintenance therapy + radiotherapy 1 0.436115942029
    # var:  Maintenance therapy 1 0.00918705497922; ... + radiotherapy 1 0.00959842073144
    table(d$ARM, st)  # control 6/20/4, radiotherapy 9/17/4 (censored / local / death)
"""

from __future__ import annotations

from datetime import datetime

import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.local_control import competing_status
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.protocol.endpoints import EndpointKind
from oncotrial.report import Table
from oncotrial.report.trial import build_trial_report
from oncotrial.simulate.trial import simulate_trial

CONTROL = "Maintenance therapy"
RT = "Maintenance therapy + radiotherapy"


@pytest.fixture(scope="module")
def results_001():
    trial = simulate_trial(find_protocol("001"), 60, 11)
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    return analyse_trial(data, sap=find_plan("001").plan)


def _local_control(results):
    (item,) = [
        e for e in results.endpoints if e.endpoint.reading.kind is EndpointKind.LOCAL_CONTROL
    ]
    return item


def test_both_arms_are_followed_with_death_competing(results_001) -> None:
    outcome = _local_control(results_001).outcome
    assert outcome.population.startswith("Full analysis set (N = 60)")
    status = competing_status(outcome.adtte)
    arm = outcome.adtte["ARM"].astype(str).to_numpy()
    counts = {
        a: [int(((arm == a) & (status == s)).sum()) for s in (0, 1, 2)] for a in (CONTROL, RT)
    }
    assert counts == {CONTROL: [6, 20, 4], RT: [9, 17, 4]}
    curves = dict(outcome.incidence.curves)
    assert (curves[CONTROL].events, curves[CONTROL].competing) == (20, 4)
    assert (curves[RT].events, curves[RT].competing) == (17, 4)


def test_cumulative_incidence_and_gray_test_match_cmprsk(results_001) -> None:
    inc = _local_control(results_001).outcome.incidence
    assert inc.gray.chisq == pytest.approx(3.5630712878132, abs=1e-9)
    assert inc.gray.p == pytest.approx(0.0590783345901, abs=1e-9)
    assert inc.gray.df == 1
    assert str(inc.landmark) == "12 months"
    at = dict(inc.at_landmark)
    assert at[CONTROL].estimate == pytest.approx(0.716515151515, abs=1e-9)
    assert at[RT].estimate == pytest.approx(0.436115942029, abs=1e-9)
    assert at[CONTROL].variance == pytest.approx(0.00918705497922, abs=1e-12)
    assert at[RT].variance == pytest.approx(0.00959842073144, abs=1e-12)


def test_the_report_tables_the_incidence_with_the_competing_event_named(results_001) -> None:
    report = build_trial_report(results_001, generated=datetime(2026, 1, 1))
    item = _local_control(results_001)
    tables = [
        b
        for top in report.sections
        for s in top.walk()
        for b in s.blocks
        if isinstance(b, Table) and b.id == f"{item.id}-incidence"
    ]
    (table,) = tables
    assert "death without local progression competing" in table.title
    assert table.rows[0].cells[0] in (CONTROL, RT) and len(table.rows) == 2
    assert any("Gray's test" in f and "p = 0.059" in f for f in table.footnotes)
