"""QoL change from baseline compared between the arms of trial 001, with the missing-data
pattern beside it (issue 14: "QoL descriptive only with uneven attrition").

Expected values: R 4 on the exported QS rows of QLQGHS (baseline QSBLFL = Y), control as reference:

    f <- lm(CHG ~ ARM + BASE, data = p[p$VISIT == v, ]); summary(f); confint(f)
    # WEEK 8:  -0.0234062348 SE 2.7442725926 (-5.5253415168, 5.4785290472) p 0.9932262604; n 28/29
    # WEEK 16:  5.5359068886 SE 3.4410516473 (-1.4428693142, 12.5146830915) p 0.1163995526; n 17/22
    # WEEK 48: -13.4682600920 SE 6.3147502672 (-27.3669317198, 0.4304115359) p 0.0563026694; n 3/11
    table(p$ARM, p$VISITNUM)  # returned: control 28 17 12 8 7 3 3 2 1 0 0; RT 29 22 19 18 13 11 11 8 1 2 1
    # per-patient patterns (complete / monotone / intermittent / baseline only):
    # control 0 / 27 / 2 / 1; radiotherapy 0 / 21 / 8 / 1
"""

from __future__ import annotations

from datetime import datetime

import pytest

from oncotrial.analysis import TrialData, analyse_trial
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


def _qol(results):
    (item,) = [e for e in results.endpoints if e.endpoint.reading.kind is EndpointKind.QOL]
    return item


@pytest.mark.parametrize(
    ("visit", "expected"),
    [
        ("WEEK 8", (-0.0234062348, 2.7442725926, -5.5253415168, 5.4785290472, 0.9932262604, (28, 29))),
        ("WEEK 16", (5.5359068886, 3.4410516473, -1.4428693142, 12.5146830915, 0.1163995526, (17, 22))),
        ("WEEK 48", (-13.4682600920, 6.3147502672, -27.3669317198, 0.4304115359, 0.0563026694, (3, 11))),
    ],
)  # fmt: skip
def test_ancova_of_the_change_matches_r_lm(results_001, visit, expected) -> None:
    outcome = _qol(results_001).outcome
    assert outcome.reference == CONTROL
    (row,) = [c for c in outcome.comparison if c.visit == visit]
    difference, se, lower, upper, p, n = expected
    assert (row.difference, row.se, row.lower, row.upper, row.p) == pytest.approx(
        (difference, se, lower, upper, p), abs=1e-8
    )
    assert row.n == n


def test_the_missing_data_pattern_is_shown_per_arm(results_001) -> None:
    missing = _qol(results_001).outcome.missing
    assert missing.arms == (CONTROL, RT)
    returned = {arm: [v.observed for v in missing.visits if v.arm == arm] for arm in missing.arms}
    assert returned == {
        CONTROL: [28, 17, 12, 8, 7, 3, 3, 2, 1, 0, 0],
        RT: [29, 22, 19, 18, 13, 11, 11, 8, 1, 2, 1],
    }
    assert {v.expected for v in missing.visits} == {30}
    assert (missing.complete, missing.monotone, missing.intermittent, missing.no_follow_up) == (
        (0, 0),
        (27, 21),
        (2, 8),
        (1, 1),
    )


def test_the_report_shows_the_comparison_with_the_missing_table(results_001) -> None:
    report = build_trial_report(results_001, generated=datetime(2026, 1, 1))
    item = _qol(results_001)
    tables = {
        b.id: b
        for top in report.sections
        for s in top.walk()
        for b in s.blocks
        if isinstance(b, Table)
    }
    ancova = tables[f"{item.id}-qol-ancova"]
    assert ancova.title == f"Change from baseline compared: {RT} − {CONTROL}"
    assert ancova.rows[0].cells[:3] == ("WEEK 8", 28, 29)
    missing = tables[f"{item.id}-qol-missing"]
    assert "27 stop early" in missing.footnotes[0]
