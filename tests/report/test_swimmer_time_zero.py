"""The swimmer plot runs from the analysis time zero (randomization in 001), with the dosing gaps
and the procedures marked (issue 14: "the swimmer's time axis starts at first dose while analyses
start at randomization, dosing gaps are drawn as continuous treatment, procedures are not shown").

Expected days are computed here from the SDTM dates (DM/ADSL randomization, EX, PR).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.report.trial import figures
from oncotrial.report.trial.figures import dosing_gaps
from oncotrial.simulate.trial import simulate_trial


def test_dosing_gaps_by_hand() -> None:
    zero = pd.Timestamp("2024-01-01")
    doses = [zero + pd.Timedelta(days=d) for d in (0, 21, 42, 105, 126)]
    # median interval 21 days; 42 → 105 is 63 > 1.5 × 21: no treatment from day 63 to day 105
    assert dosing_gaps(doses, zero) == ((63.0, 105.0),)
    assert dosing_gaps(doses[:3], zero) == ()


def test_001_lanes_start_at_randomization_with_procedures(monkeypatch) -> None:
    trial = simulate_trial(find_protocol("001"), 40, 11)
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    results = analyse_trial(data, sap=find_plan("001").plan)
    captured = []
    real = figures.plot_swimmer
    monkeypatch.setattr(figures, "plot_swimmer", lambda plot: captured.append(plot) or real(plot))
    figure = figures.swimmer_figure(results, results.response, figure_id="swimmer")
    (plot,) = captured
    assert plot.x_label == "Time since randomization (months)"
    assert "from randomization" in figure.caption
    adsl = results.sets.efficacy.set_index("SUBJID")
    pr = trial.frames["PR"]
    checked = 0
    for lane in plot.lanes:
        row = adsl.loc[lane.subject_id]
        zero = pd.Timestamp(row["RANDDT"])
        assert lane.treatment_start == (pd.Timestamp(row["TRTSDT"]) - zero).days
        dates = pd.to_datetime(pr.loc[pr["USUBJID"] == row["USUBJID"], "PRSTDTC"].str[:10])
        assert sorted(lane.procedures) == sorted(float((d - zero).days) for d in dates)
        checked += bool(lane.procedures)
    assert checked > 0  # the radiotherapy arm's procedures are drawn
    assert any(lane.treatment_start > 0 for lane in plot.lanes)


@pytest.mark.parametrize("key", ["002"])
def test_procedure_before_the_first_dose_is_on_the_lane(key: str) -> None:
    trial = simulate_trial(find_protocol(key), 25, 7)
    data = TrialData(trial.protocol, trial.frames, f"simulated {key}", simulated=True)
    results = analyse_trial(data, sap=find_plan(key).plan)
    assert results.procedures is not None and not results.procedures.empty
    assert figures.swimmer_figure(results, results.response, figure_id="s") is not None
