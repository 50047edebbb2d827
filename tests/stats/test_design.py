"""Simon two-stage designs and Schoenfeld events: the issue's golden values (clinfun ph2simon,
Simon 1989 Table 1) and operating characteristics recomputed by direct enumeration."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from scipy import stats

from oncotrial.cli import cli, main
from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats import (
    parse_ratio,
    schoenfeld_events,
    simon_characteristics,
    simon_decision,
    simon_designs,
)


def test_simon_golden_p0_20_p1_40() -> None:
    # clinfun: ph2simon(0.2, 0.4, 0.1, 0.1) → optimal 3/17, 10/37, EN0 26.02, PET0 0.5489;
    #                                        minimax 3/19, 10/36, EN0 28.26
    designs = simon_designs(0.2, 0.4, 0.1, 0.1)
    o, m = designs.optimal, designs.minimax
    assert (o.r1, o.n1, o.r, o.n) == (3, 17, 10, 37)
    assert round(o.en0, 2) == 26.02
    assert round(o.pet0, 4) == 0.5489
    assert (m.r1, m.n1, m.r, m.n) == (3, 19, 10, 36)
    assert round(m.en0, 2) == 28.26


def test_simon_golden_p0_05_p1_25() -> None:
    # clinfun: ph2simon(0.05, 0.25, 0.05, 0.2) → optimal 0/9, 2/17, EN0 11.96
    #          (Simon 1989, Table 1: minimax 0/12, 2/16, EN0 13.8)
    designs = simon_designs(0.05, 0.25, 0.05, 0.2)
    o, m = designs.optimal, designs.minimax
    assert (o.r1, o.n1, o.r, o.n) == (0, 9, 2, 17)
    assert round(o.en0, 2) == 11.96
    assert (m.r1, m.n1, m.r, m.n) == (0, 12, 2, 16)
    assert round(m.en0, 1) == 13.8


def _reject_by_enumeration(r1: int, n1: int, r: int, n: int, p: float) -> float:
    total = 0.0
    for x1 in range(r1 + 1, n1 + 1):
        for x2 in range(n - n1 + 1):
            if x1 + x2 > r:
                total += stats.binom.pmf(x1, n1, p) * stats.binom.pmf(x2, n - n1, p)
    return total


@pytest.mark.parametrize(
    "args", [(0.2, 0.4, 0.1, 0.1), (0.05, 0.25, 0.05, 0.2), (0.1, 0.3, 0.05, 0.2)]
)
def test_designs_meet_their_constraints(args: tuple[float, float, float, float]) -> None:
    p0, p1, alpha, beta = args
    designs = simon_designs(p0, p1, alpha, beta)
    for d in (designs.optimal, designs.minimax):
        assert d.alpha == pytest.approx(_reject_by_enumeration(d.r1, d.n1, d.r, d.n, p0))
        assert d.power == pytest.approx(_reject_by_enumeration(d.r1, d.n1, d.r, d.n, p1))
        assert d.alpha <= alpha
        assert d.power >= 1 - beta
        assert d.pet0 == pytest.approx(stats.binom.cdf(d.r1, d.n1, p0))
        assert d.en0 == pytest.approx(d.n1 + (1 - d.pet0) * (d.n - d.n1))
    assert designs.minimax.n <= designs.optimal.n
    assert designs.optimal.en0 <= designs.minimax.en0


def test_simon_no_design_and_bad_arguments() -> None:
    with pytest.raises(AnalysisError, match="no two-stage design"):
        simon_designs(0.2, 0.3, 0.05, 0.1, nmax=20)
    with pytest.raises(ValueProblem, match="0 < p0 < p1 < 1"):
        simon_designs(0.4, 0.2, 0.1, 0.1)


@pytest.mark.parametrize(
    ("responses", "evaluated", "decision"),
    [
        (3, 17, "stop for futility"),
        (4, 17, "continue enrolment"),
        (4, 10, "continue enrolment"),  # already past r1 = 3
        (0, 15, "stop for futility"),  # even 2 more responses leave ≤ 3
        (1, 10, "continue enrolment"),
        (11, 37, "promising"),
        (10, 37, "not promising"),
        (11, 30, "continue enrolment"),  # H0 will be rejected once n = 37 is reached
        (4, 35, "not promising"),  # at most 6 responses possible, ≤ 10
    ],
)
def test_running_trial_decisions(responses: int, evaluated: int, decision: str) -> None:
    design = simon_characteristics(3, 17, 10, 37, 0.2, 0.4)
    assert simon_decision(design, responses, evaluated).decision == decision


def test_schoenfeld_golden_values() -> None:
    # issue 4: HR 0.7, two-sided α 0.05, power 0.8 → 246.79 events (277.64 with 2:1)
    assert round(schoenfeld_events(0.7).events, 2) == 246.79
    two_to_one = schoenfeld_events(0.7, ratio=parse_ratio("2:1"))
    assert round(two_to_one.events, 2) == 277.64
    assert two_to_one.events_rounded == 278
    with_patients = schoenfeld_events(0.7, event_probability=0.5)
    assert with_patients.patients == pytest.approx(2 * with_patients.events)
    assert with_patients.patients_per_arm == (247, 247)
    with pytest.raises(ValueProblem, match="not 1"):
        schoenfeld_events(1.0)
    with pytest.raises(ValueProblem, match="a:b"):
        parse_ratio("2-1")


def test_design_cli_json_and_text() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "design",
            "simon",
            "--p0",
            "0.2",
            "--p1",
            "0.4",
            "--alpha",
            "0.1",
            "--beta",
            "0.1",
            "--format",
            "json",
            "--responses",
            "4",
            "--evaluated",
            "17",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [doc["optimal"][k] for k in ("r1", "n1", "r", "n")] == [3, 17, 10, 37]
    assert [doc["minimax"][k] for k in ("r1", "n1", "r", "n")] == [3, 19, 10, 36]
    assert doc["decision"]["decision"] == "continue enrolment"
    text = runner.invoke(
        cli, ["design", "simon", "--p0", "0.05", "--p1", "0.25", "--alpha", "0.05", "--beta", "0.2"]
    ).stdout
    assert "0/9" in text
    assert "2/17" in text
    assert "11.96" in text
    events = runner.invoke(
        cli, ["design", "events", "--hr", "0.7", "--ratio", "2:1", "--format", "json"]
    )
    assert events.exit_code == 0
    assert round(json.loads(events.stdout)["events"], 2) == 277.64


def test_design_cli_bad_input_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["design", "events", "--hr", "1"])
    assert stop.value.code == 1
    assert "hazard ratio must be positive and not 1" in capsys.readouterr().err


def test_simon_decision_at_each_stage() -> None:
    from oncotrial.stats.simon import simon_characteristics, simon_stages

    # trial 003's plan: Simon optimal for p0 = 0.05, p1 = 0.20 — stop if 0/10, promising if > 3/29
    design = simon_characteristics(0, 10, 3, 29, 0.05, 0.20)
    futile = simon_stages(design, [False] * 10)
    assert [d.decision for d in futile] == ["stop for futility"]
    passed = simon_stages(design, [False] * 9 + [True] + [False] * 15 + [True] * 4)
    assert [(d.stage, d.decision) for d in passed] == [(1, "continue enrolment"), (2, "promising")]
    assert passed[1].responses == 5 and passed[1].evaluated == 29
    # a responder after the tenth patient does not rescue stage 1
    late = simon_stages(design, [False] * 10 + [True] * 3)
    assert [d.decision for d in late] == ["stop for futility"]
    running = simon_stages(design, [False] * 4)
    assert [(d.stage, d.decision) for d in running] == [(1, "continue enrolment")]
