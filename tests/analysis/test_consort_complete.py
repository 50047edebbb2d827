"""The participant flow accounts for everyone (issue 14: "CONSORT omits losses to follow-up and
completed treatment"; CONSORT 2010 items 13a-b): completed treatment, lost to follow-up, still
followed, still in screening. The expected counts are set in the subject table by this test.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.flow import consort_counts
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.report import Table
from oncotrial.report.trial import build_trial_report
from oncotrial.simulate.trial import simulate_trial


@pytest.fixture(scope="module")
def results_001():
    trial = simulate_trial(find_protocol("001"), 40, 11)
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    return analyse_trial(data)


def test_completed_lost_in_follow_up_and_in_screening_are_counted(results_001) -> None:
    r = results_001
    adsl = r.adsl.copy()
    enrolled = adsl[adsl["RANDFL"] == "Y"]
    first_arm = r.arms[0].label
    members = enrolled[enrolled["ARM"].astype(str) == first_arm].index
    adsl.loc[members, ["EOTSTT", "DCSREAS", "EOSSTT"]] = ["DISCONTINUED", "DEATH", "DISCONTINUED"]
    adsl.loc[members[:3], "EOTSTT"] = "COMPLETED"
    adsl.loc[members[3:5], "DCSREAS"] = "LOST TO FOLLOW-UP"
    adsl.loc[members[5:6], "EOSSTT"] = "ONGOING"
    waiting = adsl.iloc[[0]].assign(
        USUBJID="001-99-9999", SCRFFL="N", RANDFL="N", SAFFL="N", ARM=None
    )
    adsl = pd.concat([adsl, waiting], ignore_index=True)
    counts = consort_counts(r.protocol, adsl, {}, r.arms, r.sets)
    (arm,) = [a for a in counts.arms if a.label == first_arm]
    assert (arm.completed, arm.lost_to_follow_up, arm.in_follow_up) == (3, 2, 1)
    assert counts.in_screening == 1
    assert counts.screened == len(adsl)


def test_the_flow_table_shows_them(results_001) -> None:
    report = build_trial_report(results_001, generated=datetime(2026, 1, 1))
    (table,) = [
        b
        for top in report.sections
        for s in top.walk()
        for b in s.blocks
        if isinstance(b, Table) and b.id == "flow"
    ]
    labels = [c.label for c in table.columns]
    for wanted in ("Completed treatment", "Lost to follow-up", "In follow-up at cut-off"):
        assert wanted in labels
    assert "still in screening at the cut-off" in table.footnotes[0]
    ongoing = results_001.adsl[results_001.adsl["RANDFL"] == "Y"]
    followed = {
        a.label: int((ongoing[ongoing["ARM"] == a.label]["EOSSTT"] == "ONGOING").sum())
        for a in results_001.arms
    }
    column = labels.index("In follow-up at cut-off")
    assert {row.cells[0]: row.cells[column] for row in table.rows} == followed


def test_the_diagram_boxes_show_them() -> None:
    from oncotrial.report.figures.consort import ConsortArm, ConsortFlow, plot_consort

    flow = ConsortFlow(
        enrolled=10,
        screened=14,
        randomized=True,
        in_screening=2,
        arms=(
            ConsortArm("A", 5, received=5, discontinued=3, analysed=5, completed=2,
                       lost_to_follow_up=1),
            ConsortArm("B", 5, received=5, discontinued=5, analysed=5, completed=0,
                       lost_to_follow_up=0),
        ),
    )  # fmt: skip
    fig = plot_consort(flow)
    text = "\n".join(t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text")))
    assert "Completed treatment (n = 2)" in text and "Completed treatment (n = 0)" in text
    assert "Lost to follow-up (n = 1)" in text
    assert "Still in screening at the cut-off (n = 2)" in text
