"""The primary test of a single-arm response-rate endpoint, as the analysis plan states it.

For an endpoint whose plan has a hypothesis on the response rate (null p₀, alternative p₁,
sidedness, α and the design): the exact binomial test against p₀ with the Clopper-Pearson
interval (R ``binom.test``; ICH E9 §5.5), and the design's decision —

* single stage (n, critical r): H₀ is rejected with at least r responses among n;
* Simon two-stage (r₁/n₁, r/n; Simon, Control Clin Trials 1989;10:1-10): stage 1 passes with
  more than r₁ responses among the first n₁ patients enrolled (by enrollment date), and the
  drug is promising with more than r responses among n.

The test uses the endpoint's own denominator (every patient of the analysis set) and the
responses the endpoint counts (confirmed in a single-arm trial, RECIST 1.1 §4.6.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncotrial.plan.model import (
    AnalysisPlan,
    EndpointPlan,
    Hypothesis,
    Sidedness,
    SimonTwoStageDesign,
    SingleStageDesign,
)
from oncotrial.stats.proportions import BinomialTest, exact_binomial_test
from oncotrial.stats.simon import simon_characteristics, simon_decision

__all__ = ["DesignDecision", "RateTest", "plan_endpoint", "rate_test"]

_ALTERNATIVE = {
    Sidedness.GREATER: "greater",
    Sidedness.LESS: "less",
    Sidedness.TWO_SIDED: "two-sided",
}


@dataclass(frozen=True)
class DesignDecision:
    """What the design says: the decision, and why, in words."""

    design: str  # the design in words
    decision: str  # "H0 rejected", "promising", "stop for futility", …
    reason: str


@dataclass(frozen=True)
class RateTest:
    """The plan's primary test of a response rate and the design's decision."""

    hypothesis: Hypothesis
    test: BinomialTest
    alpha: float
    decision: DesignDecision | None

    @property
    def rejected(self) -> bool:
        return self.test.p_value <= self.alpha


def plan_endpoint(plan: AnalysisPlan | None, registration_index: int) -> EndpointPlan | None:
    """The plan's endpoint for the registration's outcome at ``registration_index`` (0-based)."""
    if plan is None:
        return None
    return next((e for e in plan.endpoints if e.registration == registration_index), None)


def _single(design: SingleStageDesign, responses: int, n: int) -> DesignDecision:
    words = f"single stage, n = {design.n}, H0 rejected with ≥ {design.critical} responses"
    rejected = responses >= design.critical
    reason = f"{responses} response(s) among {n} {'≥' if rejected else '<'} {design.critical}" + (
        "" if n == design.n else f" (the design's n is {design.n}; {n} were analysed)"
    )
    return DesignDecision(words, "H0 rejected" if rejected else "H0 not rejected", reason)


def _simon(
    design: SimonTwoStageDesign,
    hypothesis: Hypothesis,
    table: pd.DataFrame,
    order: pd.Series,
    responder: pd.Series,
) -> DesignDecision:
    p1 = (
        hypothesis.alternative.value
        if hypothesis.alternative is not None
        else hypothesis.null.value
    )
    characteristics = simon_characteristics(
        design.r1, design.n1, design.r, design.n, hypothesis.null.value, max(p1, 1e-9)
    )
    words = (
        f"Simon two-stage ({design.variant}): stop after stage 1 with ≤ {design.r1}/{design.n1} "
        f"responses; promising with > {design.r}/{design.n}"
    )
    ranked = table.assign(_ORDER=order.to_numpy(), _R=responder.to_numpy())
    ranked = ranked.sort_values(["_ORDER", "USUBJID"], na_position="last")
    first = ranked.head(design.n1)
    stage1 = simon_decision(characteristics, int(first["_R"].sum()), len(first))
    if stage1.decision != "continue enrolment" or len(ranked) <= design.n1:
        return DesignDecision(words, stage1.decision, f"stage 1: {stage1.reason}")
    evaluated = min(len(ranked), design.n)
    total = int(ranked.head(evaluated)["_R"].sum())
    stage2 = simon_decision(characteristics, total, evaluated)
    among = (
        f" (the first {design.n} enrolled of {len(ranked)} analysed)"
        if len(ranked) > design.n
        else ""
    )
    return DesignDecision(
        words, stage2.decision, f"stage 1: {stage1.reason}; stage 2: {stage2.reason}{among}"
    )


def rate_test(
    endpoint: EndpointPlan,
    table: pd.DataFrame,
    responder: pd.Series,
    order: pd.Series,
) -> RateTest | None:
    """The exact test and design decision; ``table`` one row per patient of the denominator,
    ``responder`` whether each counts, ``order`` the enrollment date (for Simon's stage 1)."""
    hypothesis = endpoint.hypothesis
    if hypothesis is None or hypothesis.measure != "response rate":
        return None
    responses, n = int(responder.sum()), len(table)
    test = exact_binomial_test(
        responses,
        n,
        hypothesis.null.value,
        alternative=_ALTERNATIVE[hypothesis.sided.value],
    )
    design = hypothesis.design.value
    decision: DesignDecision | None
    if isinstance(design, SingleStageDesign):
        decision = _single(design, responses, n)
    elif isinstance(design, SimonTwoStageDesign):
        decision = _simon(design, hypothesis, table, order, responder)
    else:
        decision = None
    return RateTest(hypothesis, test, hypothesis.alpha.value, decision)
