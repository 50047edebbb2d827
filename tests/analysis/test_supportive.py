"""Supportive ORR, DCR and DoR of the randomized trial 001, per arm, as its plan states (issue 14:
"supportive ORR/DCR/DoR for randomized trials"; CONSORT 2010 item 17a).

Expected intervals and tests are R 4's, run on the counts this test recounts from the response
table itself:

    binom.test(5, 30)$conf.int   # 0.0564216965 0.3472116988
    binom.test(10, 30)$conf.int  # 0.1728742215 0.5281200448
    binom.test(18, 30)$conf.int  # 0.4060349301 0.7734423512
    binom.test(24, 30)$conf.int  # 0.6143334890 0.9228644880
    fisher.test(matrix(c(10, 5, 20, 25), 2))$p.value  # 0.2325984704
    fisher.test(matrix(c(24, 18, 6, 12), 2))$p.value  # 0.1580620518
    # fisher.test's conditional MLE and limits solve with uniroot's default tolerance (~1e-4);
    # the same equations (R's dnhyper/pnhyper, code in fisher.test) with uniroot(tol = 1e-13):
    # OR 2.4618702265 (0.6397664033-10.7547572658); OR 2.6226234061 (0.7387615803-10.2754401827)
    # Newcombe's hybrid score interval (method 10) from prop.test(correct = FALSE) intervals:
    # ORR 10/30 - 5/30: -0.0534291491 0.3684046691; DCR 24/30 - 18/30: -0.0317187671 0.4055997172
"""

from __future__ import annotations

from datetime import datetime

import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.results import RateOutcome, TteOutcome
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.report import RegistryQuote
from oncotrial.report.trial import build_trial_report
from oncotrial.simulate.trial import simulate_trial

CONTROL = "Maintenance therapy"
RT = "Maintenance therapy + radiotherapy"


@pytest.fixture(scope="module")
def results_001():
    trial = simulate_trial(find_protocol("001"), 60, 11)
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    return analyse_trial(data, sap=find_plan("001").plan)


def _counts(results, responders: set[str]) -> dict[str, int]:
    table = results.response.table
    return {
        arm: int(table[table["ARM"] == arm]["BOR"].isin(responders).sum()) for arm in (CONTROL, RT)
    }


def test_the_plan_adds_orr_dcr_dor_after_the_registered_outcomes(results_001) -> None:
    assert [s.endpoint.reading.kind.value for s in results_001.supportive] == ["ORR", "DCR", "DoR"]
    assert [s.id for s in results_001.supportive] == ["sup1", "sup2", "sup3"]
    assert all(s.supportive and not s.reasons for s in results_001.supportive)
    # the registered endpoints are unchanged: supportive ones are never mixed with them
    assert not any(e.supportive for e in results_001.endpoints)


@pytest.mark.parametrize(
    ("index", "responders", "expected"),
    [
        (0, {"CR", "PR"}, {CONTROL: (5, 0.0564216965, 0.3472116988), RT: (10, 0.1728742215, 0.5281200448)}),
        (1, {"CR", "PR", "SD", "NON-CR/NON-PD"}, {CONTROL: (18, 0.4060349301, 0.7734423512), RT: (24, 0.6143334890, 0.9228644880)}),
    ],
)  # fmt: skip
def test_rates_per_arm_with_clopper_pearson_intervals(
    results_001, index, responders, expected
) -> None:
    outcome = results_001.supportive[index].outcome
    assert isinstance(outcome, RateOutcome)
    recount = _counts(results_001, responders)
    for arm_rate in outcome.rate.arms:
        count, lower, upper = expected[arm_rate.arm]
        assert arm_rate.proportion.count == recount[arm_rate.arm] == count
        assert arm_rate.proportion.total == 30
        assert arm_rate.proportion.lower == pytest.approx(lower, abs=1e-9)
        assert arm_rate.proportion.upper == pytest.approx(upper, abs=1e-9)


@pytest.mark.parametrize(
    ("index", "odds", "p", "difference"),
    [
        (0, (2.4618702265, 0.6397664033, 10.7547572658), 0.2325984704, (-0.0534291491, 0.3684046691)),
        (1, (2.6226234061, 0.7387615803, 10.2754401827), 0.1580620518, (-0.0317187671, 0.4055997172)),
    ],
)  # fmt: skip
def test_the_arms_are_compared_radiotherapy_against_control(
    results_001, index, odds, p, difference
) -> None:
    comparison = results_001.supportive[index].outcome.rate.comparison
    assert (comparison.reference, comparison.compared) == (CONTROL, RT)
    assert (comparison.fisher.odds_ratio, comparison.fisher.lower, comparison.fisher.upper) == (
        pytest.approx(odds, rel=1e-9)
    )
    assert comparison.fisher.p == pytest.approx(p, abs=1e-9)
    assert (comparison.difference.lower, comparison.difference.upper) == pytest.approx(
        difference, abs=1e-9
    )


def test_duration_of_response_per_arm_among_responders(results_001) -> None:
    outcome = results_001.supportive[2].outcome
    assert isinstance(outcome, TteOutcome)
    responders = _counts(results_001, {"CR", "PR"})
    assert {label: curve.n for label, curve in outcome.curves} == responders
    assert outcome.logrank is not None


def test_the_report_has_a_supportive_section_without_registry_quotes(results_001) -> None:
    report = build_trial_report(results_001, generated=datetime(2026, 1, 1))
    (section,) = [s for s in report.sections if s.id == "supportive"]
    assert [s.id for s in section.subsections] == ["sup1", "sup2", "sup3"]
    for sub in section.subsections:
        assert not any(isinstance(b, RegistryQuote) for b in sub.blocks)
        assert "not a registered outcome" in sub.blocks[0].text
