"""Outcome analyses as the trial's statistical analysis plan states them (``oncotrial sap``).

The numbers are the analysis pipeline's (``RateOutcome.test``: the plan's exact binomial test
and design decision, computed by ``oncotrial.analysis.hypothesis`` for the trial report), so an
analysis posted equals the report's "Exact binomial test (analysis plan)" and "Design decision"
facts. Each value's provenance is the plan's own source of the value it rests on (registry /
derived / assumed, with the plan's rule or the person who assumed it), recorded per API path.

Statistical test type (the API's ``nonInferiorityType``, PRS "Type of Statistical Test"):
superiority, non-inferiority and equivalence compare groups; a single-arm rate tested against
the plan's fixed null rate compares none, so it is OTHER, and the analysis's comment says so.
A two-arm comparison is SUPERIORITY when the plan's hypothesis is no difference (H0: HR = 1);
without a plan hypothesis it stays SUPERIORITY as an assumption to confirm.
"""

from __future__ import annotations

from typing import Any

from oncotrial.analysis.hypothesis import RateTest
from oncotrial.analysis.results import RateOutcome, TrialResults
from oncotrial.plan.model import EndpointPlan, Sidedness
from oncotrial.plan.provenance import Sourced
from oncotrial.results.common import Origin, Provenance, fmt_p
from oncotrial.results.model import Analysis, Group

__all__ = ["comparison_test_type", "plan_rate_analysis"]

_SIDED = {
    Sidedness.GREATER: "one-sided (H1: rate greater than the null rate)",
    Sidedness.LESS: "one-sided (H1: rate less than the null rate)",
    Sidedness.TWO_SIDED: "two-sided",
}


def _origin(value: Sourced[Any]) -> Origin:
    return Origin(value.source.kind.value)


def _source(name: str, value: Sourced[Any]) -> str:
    return f"analysis plan, {name} = {value.value}: {value.source.describe()}"


def _planned(results: TrialResults, index: int) -> EndpointPlan | None:
    """The plan's endpoint for the registration's outcome ``index`` (1-based)."""
    if results.sap is None:
        return None
    return next((e for e in results.sap.endpoints if e.registration == index - 1), None)


def plan_rate_analysis(
    results: TrialResults,
    index: int,
    outcome: RateOutcome,
    group: Group,
    path: str,
    provenance: list[Provenance],
) -> Analysis | None:
    """The plan's exact binomial test of a single-arm rate against its null rate, with the
    design's decision (single stage or Simon two-stage); None without a planned test."""
    planned: RateTest | None = outcome.test
    if planned is None:
        return None
    test, hypothesis = planned.test, planned.hypothesis
    alternative = (
        f", H1: p = {100 * hypothesis.alternative.value:g}%"
        if hypothesis.alternative is not None
        else ""
    )
    decision = ""
    if planned.decision is not None:
        decision = (
            f" Design: {planned.decision.design}. Decision: {planned.decision.decision} "
            f"({planned.decision.reason})."
        )
    analysis = Analysis(
        group_ids=(group.id,),
        group_description=(
            f"{group.title}: {outcome.definition.name.lower()} tested against the analysis "
            f"plan's null rate (H0: p ≤ {100 * test.null:g}%{alternative}); single group, no "
            "comparison of groups."
        ),
        non_inferiority_type="OTHER",
        p_value=fmt_p(test.p_value),
        statistical_method="Exact binomial test",
        estimate_comment=(
            f"{_SIDED[hypothesis.sided.value]} exact binomial test, α = {planned.alpha:g}: "
            f"{test.events}/{test.n} responses; H0 "
            f"{'rejected' if planned.rejected else 'not rejected'}.{decision} The rate and its "
            "exact (Clopper-Pearson) 95% CI are the measure's."
        ),
    )
    endpoint = _planned(results, index)
    hyp = endpoint.hypothesis if endpoint is not None else None
    if hyp is not None:
        for field, name, value in (
            ("pValue", "null rate", hyp.null),
            ("estimateComment", "sidedness", hyp.sided),
            ("estimateComment", "alpha", hyp.alpha),
            ("estimateComment", "design", hyp.design),
        ):
            provenance.append(Provenance(f"{path}.{field}", _origin(value), _source(name, value)))
    provenance.append(
        Provenance(
            f"{path}.nonInferiorityType",
            Origin.DERIVED,
            "a single group tested against a fixed null rate compares no groups: OTHER "
            "(superiority, non-inferiority and equivalence compare groups)",
        )
    )
    provenance.append(
        Provenance(
            f"{path}.pValue",
            Origin.DERIVED,
            f"exact binomial test of {test.events}/{test.n} against {test.null:g} "
            f"({test.alternative}), as the report's analysis-plan test",
        )
    )
    return analysis


def comparison_test_type(
    results: TrialResults, index: int, path: str, provenance: list[Provenance]
) -> str:
    """The test type of a two-arm comparison, with its provenance from the plan."""
    endpoint = _planned(results, index)
    hyp = endpoint.hypothesis if endpoint is not None else None
    if hyp is not None and hyp.measure == "hazard ratio" and hyp.null.value == 1:
        provenance.append(
            Provenance(
                f"{path}.nonInferiorityType",
                _origin(hyp.null),
                "SUPERIORITY: " + _source("null hazard ratio", hyp.null),
            )
        )
    else:
        provenance.append(
            Provenance(
                f"{path}.nonInferiorityType",
                Origin.ASSUMED,
                "SUPERIORITY: the analysis plan states no hypothesis for this comparison; the "
                "test of no difference is assumed",
            )
        )
    return "SUPERIORITY"
