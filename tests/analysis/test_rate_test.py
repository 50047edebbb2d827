"""The plan's primary test of a single-arm response rate: exact binomial test and the design's
decision, checked against SciPy's binomtest and the design's rule applied by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binomtest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.hypothesis import rate_test
from oncotrial.analysis.results import RateOutcome
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.plan.model import SimonTwoStageDesign
from oncotrial.simulate.trial import simulate_trial


def _primary(key: str, n: int, seed: int):
    trial = simulate_trial(find_protocol(key), n, seed)
    data = TrialData(trial.protocol, trial.frames, f"simulated {key}", simulated=True)
    plan = find_plan(key).plan
    results = analyse_trial(data, sap=plan)
    (outcome,) = [
        e.outcome
        for e in results.endpoints
        if isinstance(e.outcome, RateOutcome) and e.endpoint.level.value == "primary"
    ]
    return plan, results, outcome


def test_002_exact_one_sided_test_against_15_percent() -> None:
    plan, _, outcome = _primary("002", 25, 7)
    test = outcome.test
    assert test is not None
    rate = outcome.rate.arms[0].proportion
    assert (test.test.events, test.test.n) == (rate.count, rate.total)
    expected = binomtest(rate.count, rate.total, 0.15, alternative="greater").pvalue
    assert test.test.p_value == pytest.approx(expected, rel=1e-9)
    design = plan.endpoint("ORR").hypothesis.design.value
    assert test.decision.decision == (
        "H0 rejected" if rate.count >= design.critical else "H0 not rejected"
    )


def test_the_issue_figure_9_of_25_gives_p_0008() -> None:
    # issue 14: 002's demo ORR 9/25, one-sided exact p = 0.008 against 15%
    planned = find_plan("002").plan.endpoint("ORR")
    table = pd.DataFrame({"USUBJID": [str(i) for i in range(25)]})
    responder = pd.Series([True] * 9 + [False] * 16)
    order = pd.Series(pd.date_range("2025-01-01", periods=25))
    found = rate_test(planned, table, responder, order)
    assert found is not None and round(found.test.p_value, 3) == 0.008
    assert found.decision.decision == "H0 rejected"


def test_simon_stage_1_counts_the_first_n1_enrolled() -> None:
    plan, results, outcome = _primary("004", 29, 3)
    design = plan.endpoint("ORR").hypothesis.design.value
    assert isinstance(design, SimonTwoStageDesign)
    table = outcome.response.table
    enrolled = results.sets.efficacy.set_index("USUBJID")["RANDDT"]
    ranked = table.assign(D=pd.to_datetime(table["USUBJID"].map(enrolled))).sort_values(
        ["D", "USUBJID"]
    )
    responds = ranked["BOR"].isin(outcome.definition.responders)
    stage1 = int(responds.head(design.n1).sum())
    total = int(responds.head(design.n).sum())
    decision = outcome.test.decision.decision
    if stage1 <= design.r1:
        assert decision == "stop for futility"
    elif total > design.r:
        assert decision == "promising"
    else:
        assert decision == "not promising"


def test_randomized_trials_get_no_single_arm_test() -> None:
    trial = simulate_trial(find_protocol("001"), 40, 2)
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    results = analyse_trial(data, sap=find_plan("001").plan)
    assert all(
        e.outcome.test is None for e in results.endpoints if isinstance(e.outcome, RateOutcome)
    )
