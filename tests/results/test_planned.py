"""Outcome analyses from the trial's analysis plan: the single-arm primary's exact binomial test
against the plan's null rate, the design's decision, the test type, and each value's provenance
from the plan. Numbers are checked against an independent computation (scipy.stats.binomtest
on the counts posted in the measure) and against the trial report's facts."""

from __future__ import annotations

from datetime import datetime

from scipy.stats import binomtest

from oncotrial.plan.model import Sidedness

_ALTERNATIVE = {
    Sidedness.GREATER: "greater",
    Sidedness.LESS: "less",
    Sidedness.TWO_SIDED: "two-sided",
}


def _planned(demo, title_start: str = "Objective response"):  # type: ignore[no-untyped-def]
    api = demo.made.api()["resultsSection"]
    for i, measure in enumerate(api["outcomeMeasuresModule"]["outcomeMeasures"]):
        for j, analysis in enumerate(measure.get("analyses", [])):
            if analysis.get("statisticalMethod") == "Exact binomial test":
                assert measure["title"].lower().startswith(title_start.lower())
                return i, j, measure, analysis
    raise AssertionError("no planned exact binomial test")


def _p_text(p: float) -> str:
    return "<0.001" if p < 0.001 else f"={p:.3f}"


def test_single_arm_primaries_have_the_plans_exact_test(demo_trials) -> None:
    for trial in ("002", "003", "004"):
        demo = demo_trials[trial]
        _i, _j, measure, analysis = _planned(demo)
        assert measure["type"] == "PRIMARY", trial
        (n_text,) = [c["value"] for c in measure["denoms"][0]["counts"]]
        n = int(n_text)
        rate = float(measure["classes"][0]["categories"][0]["measurements"][0]["value"])
        k = round(rate * n / 100)
        (endpoint,) = [e for e in demo.results.sap.endpoints if e.hypothesis is not None]
        hyp = endpoint.hypothesis
        expected = binomtest(k, n, hyp.null.value, alternative=_ALTERNATIVE[hyp.sided.value])
        assert analysis["pValue"] == _p_text(expected.pvalue), trial
        assert analysis["nonInferiorityType"] == "OTHER"
        assert analysis["groupIds"] == [measure["groups"][0]["id"]]
        assert f"{k}/{n} responses" in analysis["estimateComment"], trial
        assert f"H0: p ≤ {100 * hyp.null.value:g}%" in analysis["groupDescription"]


def test_002_is_9_of_25_against_15_percent(demo_trials) -> None:
    # Issue 14's text: 9/25 responses, exact one-sided p = 0.008 against 15%; design n = 25,
    # H0 rejected with ≥ 8 responses.
    _i, _j, _measure, analysis = _planned(demo_trials["002"])
    assert analysis["pValue"] == "=0.008"
    assert abs(binomtest(9, 25, 0.15, alternative="greater").pvalue - 0.00797) < 5e-5
    assert "9/25 responses; H0 rejected" in analysis["estimateComment"]
    assert "Decision: H0 rejected (9 response(s) among 25 ≥ 8)" in analysis["estimateComment"]


def test_the_analysis_equals_the_reports_facts(demo_trials) -> None:
    from oncotrial.report.trial import build_trial_report

    for trial in ("002", "003", "004"):
        demo = demo_trials[trial]
        report = build_trial_report(demo.results, generated=datetime(2030, 1, 1))
        text = repr(report)
        _i, _j, _measure, analysis = _planned(demo)
        test = next(
            e.outcome.test for e in demo.results.endpoints if getattr(e.outcome, "test", None)
        )
        assert f"p = {test.test.p_value:.4g}" in text, trial
        assert analysis["pValue"] == _p_text(test.test.p_value)
        assert (
            f"Decision: {test.decision.decision} ({test.decision.reason})"
            in analysis["estimateComment"]
        )
        assert test.decision.reason in text, trial


def test_simon_designs_say_their_decision(demo_trials) -> None:
    for trial in ("003", "004"):
        _i, _j, _m, analysis = _planned(demo_trials[trial])
        assert "Simon two-stage" in analysis["estimateComment"], trial
        assert "stage 1:" in analysis["estimateComment"], trial


def test_each_planned_value_has_the_plans_provenance(demo_trials) -> None:
    demo = demo_trials["002"]
    i, j, _m, _a = _planned(demo)
    path = f"outcomeMeasuresModule.outcomeMeasures[{i}].analyses[{j}]"
    found = {(p.path, p.origin.value, p.source.split(":")[0]) for p in demo.made.provenance}
    # 002's plan: the null rate, sidedness and alpha are assumed by the seed review, the design
    # derived from them (data/plans/002.yaml).
    assert (f"{path}.pValue", "assumed", "analysis plan, null rate = 0.15") in found
    assert (
        f"{path}.estimateComment",
        "derived",
        "analysis plan, design = kind='single stage' n=25 critical=8",
    ) in found
    assert any(p == f"{path}.nonInferiorityType" and o == "derived" for p, o, _ in found)


def test_two_arm_comparisons_take_the_test_type_from_the_plan(demo_trials) -> None:
    demo = demo_trials["001"]
    api = demo.made.api()["resultsSection"]
    by_path = {p.path: p for p in demo.made.provenance}
    seen = 0
    for i, measure in enumerate(api["outcomeMeasuresModule"]["outcomeMeasures"]):
        for j, analysis in enumerate(measure.get("analyses", [])):
            record = by_path[
                f"outcomeMeasuresModule.outcomeMeasures[{i}].analyses[{j}].nonInferiorityType"
            ]
            if analysis["nonInferiorityType"] == "SUPERIORITY":
                seen += 1
                # 001's plan: H0 HR = 1 for the primary (derived); other comparisons assumed.
                assert ("null hazard ratio = 1.0" in record.source) == (
                    record.origin.value != "assumed"
                )
    assert seen >= 2
    primary = api["outcomeMeasuresModule"]["outcomeMeasures"][0]
    assert primary["type"] == "PRIMARY"
    record = by_path["outcomeMeasuresModule.outcomeMeasures[0].analyses[0].nonInferiorityType"]
    assert record.origin.value == "derived" and "H0 HR = 1" in record.source
