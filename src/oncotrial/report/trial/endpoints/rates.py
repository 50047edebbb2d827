"""Response-rate sections (ORR, DCR): the rate per arm, the best-response table, the waterfall."""

from __future__ import annotations

from oncotrial.analysis.hypothesis import RateTest
from oncotrial.analysis.rates import BOR_LABELS
from oncotrial.analysis.results import EndpointResult, RateOutcome, TrialResults
from oncotrial.endpoints.rates import BOR_CATEGORIES, ArmRate, RateResult
from oncotrial.report import Block, Column, Fact, Facts, Row, Table
from oncotrial.report.trial.endpoints.arms import arm_codes, arm_legend, arm_order
from oncotrial.report.trial.endpoints.definition import assessor_words
from oncotrial.report.trial.figures import waterfall_figure
from oncotrial.report.trial.wording import ci, fmt_p, proportion_text, round_or_none

__all__ = ["rate_blocks"]


def _ordered(results: TrialResults, rate: RateResult) -> list[ArmRate]:
    """The engine's per-arm rates (sorted by label) in the protocol's arm order."""
    names = [a.arm for a in rate.arms]
    return [rate.arms[i] for i in arm_order(results, names)]


def _rate_rows(results: TrialResults, rate: RateResult) -> list[Row]:
    rows = [
        Row(
            (
                arm.arm,
                arm.proportion.count,
                arm.proportion.total,
                round_or_none(arm.proportion.percent, 6),
                round_or_none(100 * arm.proportion.lower, 6),
                round_or_none(100 * arm.proportion.upper, 6),
            )
        )
        for arm in _ordered(results, rate)
    ]
    if len(rate.arms) > 1:
        p = rate.overall
        rows.append(
            Row(
                (
                    "All patients",
                    p.count,
                    p.total,
                    round_or_none(p.percent, 6),
                    round_or_none(100 * p.lower, 6),
                    round_or_none(100 * p.upper, 6),
                ),
                emphasis=True,
            )
        )
    return rows


_RATE_COLUMNS = (
    Column("Arm"),
    Column("Patients with the outcome (n)", "right"),
    Column("Patients (N)", "right"),
    Column("Rate (%)", "right", ".1f"),
    Column("95% CI lower (%)", "right", ".1f"),
    Column("95% CI upper (%)", "right", ".1f"),
)


def _test_facts(planned: RateTest) -> list[Fact]:
    """The plan's primary test and the design's decision (ICH E9 §5.5; Simon 1989)."""
    test, hypothesis = planned.test, planned.hypothesis
    alternative = (
        f", H1: p = {hypothesis.alternative.value:g}" if hypothesis.alternative is not None else ""
    )
    facts = [
        Fact(
            "Exact binomial test (analysis plan)",
            f"{hypothesis.sided.value} p = {test.p_value:.4g}",
            f"H0: p ≤ {test.null:g}{alternative}; α = {planned.alpha:g}; "
            f"{test.events}/{test.n} responses — H0 "
            + ("rejected" if planned.rejected else "not rejected"),
        )
    ]
    if planned.decision is not None:
        facts.append(
            Fact(
                "Design decision (analysis plan)",
                planned.decision.decision,
                f"{planned.decision.design}; {planned.decision.reason}",
            )
        )
    return facts


def rate_blocks(
    results: TrialResults, item: EndpointResult, outcome: RateOutcome, waterfall: bool
) -> list[Block]:
    name = outcome.definition.name
    facts = []
    for arm in _ordered(results, outcome.rate):
        value, note = proportion_text(arm.proportion)
        facts.append(Fact(f"{name}, {arm.arm}", value, note))
    comparison = outcome.rate.comparison
    if comparison is not None:
        d = comparison.difference
        facts.append(
            Fact(
                f"Difference, {comparison.compared} − {comparison.reference}",
                f"{100 * d.difference:+.1f} percentage points",
                f"{ci(f'{100 * d.lower:.1f}', f'{100 * d.upper:.1f}')} (Newcombe); Fisher's "
                f"exact test {fmt_p(comparison.fisher.p)}",
            )
        )
    if outcome.test is not None:
        facts += _test_facts(outcome.test)
    blocks: list[Block] = [
        Facts(facts),
        Table(
            f"{item.id}-rate",
            f"{name} ({outcome.definition.id})",
            _RATE_COLUMNS,
            tuple(_rate_rows(results, outcome.rate)),
            footnotes=(
                "Exact (Clopper-Pearson) 95% confidence intervals. Denominator: every patient "
                "of the analysis set, including those not evaluable or without a post-baseline "
                "assessment (RECIST 1.1 §4.4).",
            ),
        ),
    ]
    arms = [a.arm for a in _ordered(results, outcome.rate)]
    columns = [Column("Best overall response")]
    codes = arm_codes(results)
    for arm_name in arms:
        prefix = f"{codes.get(arm_name, arm_name)}: " if len(arms) > 1 else ""
        columns += [Column(f"{prefix}n", "right"), Column(f"{prefix}%", "right", ".1f")]
    rows: list[Row] = []
    by_category = dict(outcome.categories)
    for category in BOR_CATEGORIES:
        rate = by_category[category]
        cells: list[str | int | float | None] = [BOR_LABELS[category]]
        for arm in _ordered(results, rate):
            cells += [arm.proportion.count, round_or_none(arm.proportion.percent, 6)]
        rows.append(Row(tuple(cells)))
    total_cells: list[str | int | float | None] = [f"{name} ({outcome.definition.id})"]
    for arm in _ordered(results, outcome.rate):
        total_cells += [arm.proportion.count, round_or_none(arm.proportion.percent, 6)]
    rows.append(Row(tuple(total_cells), emphasis=True))
    kind = "Confirmed best" if outcome.response.bor == "CBOR" else "Best"
    blocks.append(
        Table(
            f"{item.id}-bor",
            f"{kind} overall response ({results.settings.criteria.value})",
            tuple(columns),
            tuple(rows),
            footnotes=(
                f"Derived from {outcome.response.source} by the response engine, "
                f"{assessor_words(outcome.response.result.assessor)}.",
                *(
                    (
                        "Arms: "
                        + arm_legend(
                            results,
                            arms,
                            [a.proportion.total for a in _ordered(results, outcome.rate)],
                        )
                        + ".",
                    )
                    if len(arms) > 1
                    else ()
                ),
            ),
        )
    )
    if waterfall:
        blocks.append(
            waterfall_figure(outcome.response, results.arm_labels, figure_id=f"{item.id}-waterfall")
        )
    return blocks
