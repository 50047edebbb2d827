"""Waterfall bars of patients whose progression was not by the target sum are marked "N" (new
lesion) or "NT" (non-target progression), and the caption explains it (issue 14: "waterfall PD
bars with shrinkage (new lesions) are not annotated"; RECIST 1.1 §4.3).

The expected marks are recounted here from the response engine's timepoint responses with a
plain loop over each patient's assessments in date order.
"""

from __future__ import annotations

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.report.trial.figures import pd_not_by_target, waterfall_figure
from oncotrial.simulate.trial import simulate_trial


def test_pd_by_new_or_non_target_lesions_is_marked() -> None:
    trial = simulate_trial(find_protocol("001"), 60, 11)
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    run = analyse_trial(data, sap=find_plan("001").plan).response
    expected = {}
    for subject, rows in run.result.timepoints.groupby("USUBJID"):
        for row in rows.sort_values("ADT").to_dict("records"):
            if row["OVRLRESP"] != "PD":
                continue
            if row["TRGRESP"] != "PD":
                expected[str(subject)] = "N" if row["NEWLIND"] == "Y" else "NT"
            break
    assert expected  # the simulated trial has such progressions
    assert pd_not_by_target(run) == expected
    figure = waterfall_figure(run, tuple(sorted(set(run.table["ARM"]))), figure_id="w")
    assert "N: progression by a new lesion" in figure.caption
