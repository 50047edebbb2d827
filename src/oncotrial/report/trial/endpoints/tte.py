"""Time-to-event sections: medians, landmark rates, the arms compared, Kaplan-Meier and forest
plots."""

from __future__ import annotations

from collections.abc import Sequence

from oncotrial.analysis.results import (
    EndpointResult,
    LandmarkValue,
    SurvivalRateOutcome,
    TrialResults,
    TteOutcome,
)
from oncotrial.endpoints.local_progression import LOCAL_PROGRESSION_RULES
from oncotrial.endpoints.tte import Param
from oncotrial.protocol.timeframe import Duration
from oncotrial.report import Block, Column, Fact, Facts, Paragraph, Row, Table
from oncotrial.report.trial.endpoints.models import model_blocks
from oncotrial.report.trial.figures import forest_figure, km_figure
from oncotrial.report.trial.wording import MONTH, ci, fmt_p, median_text, percent, round_or_none
from oncotrial.stats.cox import CoxResult
from oncotrial.stats.followup import OVERALL
from oncotrial.stats.km import KaplanMeier
from oncotrial.stats.logrank import LogRankResult

__all__ = ["landmark_table", "survival_rate_blocks", "tte_blocks"]


_Y_LABELS = {
    Param.OS: "Overall survival probability",
    Param.PFS: "Progression-free survival probability",
    Param.TTP: "Probability of no progression",
    Param.DOR: "Probability of remaining in response",
    Param.LPFS: "Local progression-free survival probability",
}


def landmark_fact(value: LandmarkValue, label: str) -> Fact | None:
    if value.estimate is None:
        return None
    e = value.estimate
    lower = f"{100 * e.lower:.1f}" if e.lower is not None else "–"
    upper = f"{100 * e.upper:.1f}" if e.upper is not None else "–"
    return Fact(
        f"{label}, {value.arm}",
        percent(e.survival),
        f"{ci(lower, upper)}; {e.n_risk} at risk",
    )


def tte_blocks(results: TrialResults, item: EndpointResult, outcome: TteOutcome) -> list[Block]:
    """Population, facts, the Kaplan-Meier summary, landmark rates, the arms compared, figures."""
    blocks: list[Block] = [Paragraph(f"Analysis population: {outcome.population}.")]
    facts = _tte_facts(outcome)
    if facts:
        blocks.append(Facts(facts))
    blocks.append(_km_table(item, outcome))
    if outcome.landmark is not None:
        blocks.append(
            landmark_table(f"{item.id}-landmark", outcome.name, outcome.landmark, outcome.landmarks)
        )
    if outcome.cox is not None and outcome.logrank is not None:
        blocks.append(_comparison_table(item, outcome))
    if outcome.censoring is not None:
        blocks.append(_censoring_table(item, outcome))
    if outcome.sensitivity:
        blocks.append(_sensitivity_table(item, outcome))
    blocks += model_blocks(item, outcome)
    blocks += _tte_figures(results, item, outcome)
    if outcome.incidence is not None:
        blocks.append(_incidence_table(item, outcome))
    if outcome.local is not None and outcome.incidence is None:
        ids = ", ".join(LOCAL_PROGRESSION_RULES)
        events = len(outcome.local.events)
        blocks.append(
            Paragraph(
                f"Local progression of a treated lesion ({ids}; Methods) was seen in {events} of "
                f"{len(outcome.local.subjects)} patients with a treated lesion."
            )
        )
    return blocks


def _followup_facts(outcome: TteOutcome) -> list[Fact]:
    """Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith, Control Clin
    Trials 1996;17:343-6): censoring is the event, the outcome's event censors."""
    facts = []
    for estimate in outcome.followup:
        label = "all patients" if estimate.label == OVERALL else estimate.label
        if estimate.median is None:
            value, note = "not reached", "more than half of the patients are still followed"
        else:
            lower = f"{estimate.lower / MONTH:.1f}" if estimate.lower is not None else "–"
            upper = f"{estimate.upper / MONTH:.1f}" if estimate.upper is not None else "NR"
            value, note = f"{estimate.median / MONTH:.1f} months", ci(lower, upper)
        facts.append(
            Fact(
                f"Median follow-up (reverse Kaplan-Meier), {label}",
                value,
                f"{note}; {estimate.n} patients",
            )
        )
    return facts


def _median_cell(curve: KaplanMeier) -> str:
    median = curve.median
    if median.time is None:
        return f"NR; {curve.events}/{curve.n} events"
    lower = f"{median.lower / MONTH:.1f}" if median.lower is not None else "–"
    upper = f"{median.upper / MONTH:.1f}" if median.upper is not None else "NR"
    return f"{median.time / MONTH:.1f} ({lower}–{upper}); {curve.events}/{curve.n} events"


def _sensitivity_table(item: EndpointResult, outcome: TteOutcome) -> Table:
    """The primary analysis and each censoring-rule variant of the plan, side by side."""
    arms = [label for label, _ in outcome.curves]
    compared = outcome.cox is not None
    columns = [Column("Analysis"), Column("Censoring rules")]
    columns += [Column(f"{arm}: median, months (95% CI)", "right") for arm in arms]
    if compared:
        columns += [Column("Hazard ratio (95% CI)", "right"), Column("Log-rank p", "right")]

    def hr_cells(cox: CoxResult | None, logrank: LogRankResult | None) -> list[str]:
        if not compared:
            return []
        if cox is None or logrank is None:
            return ["—", "—"]
        term = cox.terms[0]
        return [f"{term.hr:.2f} ({term.lower:.2f}–{term.upper:.2f})", fmt_p(logrank.p)]

    rows = [
        Row(
            (
                "Primary",
                "FDA 2018 Table 4 (Methods)",
                *(_median_cell(curve) for _, curve in outcome.curves),
                *hr_cells(outcome.cox, outcome.logrank),
            ),
            emphasis=True,
        )
    ]
    for sensitivity in outcome.sensitivity:
        by_arm = dict(sensitivity.curves)
        rows.append(
            Row(
                (
                    sensitivity.id,
                    sensitivity.description,
                    *(_median_cell(by_arm[a]) if a in by_arm else "—" for a in arms),
                    *hr_cells(sensitivity.cox, sensitivity.logrank),
                )
            )
        )
    return Table(
        f"{item.id}-sensitivity",
        f"{outcome.name}: sensitivity analyses of the censoring rules (analysis plan)",
        tuple(columns),
        tuple(rows),
        footnotes=(
            "Each variant derives the endpoint again on the same patients, time zero and "
            "imaging schedule (FDA 2018 guidance, section on PFS; EMA/CHMP/27994/2008 Rev.1).",
        ),
    )


def _incidence_table(item: EndpointResult, outcome: TteOutcome) -> Table:
    """Cumulative incidence of the event per arm with the competing event stated, Gray's test."""
    inc = outcome.incidence
    assert inc is not None
    at = dict(inc.at_landmark)
    when = f"at {inc.landmark}" if inc.landmark is not None else ""
    columns = [
        Column("Arm"),
        Column("N", "right"),
        Column(inc.event[:1].upper() + inc.event[1:], "right"),
        Column(inc.competing[:1].upper() + inc.competing[1:], "right"),
    ]
    if inc.landmark is not None:
        columns += [Column(f"Cumulative incidence {when}, % (95% CI)", "right")]
    rows = []
    for arm, curve in inc.curves:
        cells: list[str | int | float | None] = [arm, curve.n, curve.events, curve.competing]
        if inc.landmark is not None:
            e = at[arm]
            lower = f"{100 * e.lower:.1f}" if e.lower is not None else "–"
            upper = f"{100 * e.upper:.1f}" if e.upper is not None else "–"
            cells.append(f"{100 * e.estimate:.1f} {ci(lower, upper)}; {e.n_risk} at risk")
        rows.append(Row(tuple(cells)))
    test = (
        f"Gray's test of equal cumulative incidence: χ² = {inc.gray.chisq:.2f}, "
        f"{inc.gray.df} df, {fmt_p(inc.gray.p)}."
        if inc.gray is not None
        else (inc.note or "Gray's test: one arm only.")
    )
    return Table(
        f"{item.id}-incidence",
        f"Cumulative incidence of {inc.event}, {inc.competing} competing (analysis plan)",
        tuple(columns),
        tuple(rows),
        footnotes=(
            test,
            "Aalen-Johansen estimate with the delta-method variance of R's cmprsk::cuminc and "
            "log(−log) limits; death precludes local failure, so 1 − Kaplan-Meier (deaths "
            "censored) would overstate it (Gray, Ann Stat 1988;16:1141; Latouche et al., J Clin "
            "Epidemiol 2013). The Kaplan-Meier table counts local progression or death.",
        ),
    )


def _censoring_table(item: EndpointResult, outcome: TteOutcome) -> Table:
    reasons = outcome.censoring
    assert reasons is not None
    columns = [Column("Status"), Column("Event or reason for censoring")]
    for arm, total in zip(reasons.arms, reasons.totals, strict=True):
        columns += [Column(f"{arm} (N = {total}): n", "right"), Column("%", "right", ".1f")]
    rows = []
    for row in reasons.rows:
        cells: list[str | int | float | None] = [row.status, row.reason]
        for i in range(len(reasons.arms)):
            cells += [row.counts[i], round_or_none(reasons.percent(row, i), 6)]
        rows.append(Row(tuple(cells)))
    return Table(
        f"{item.id}-censoring",
        f"{outcome.name}: events and reasons for censoring",
        tuple(columns),
        tuple(rows),
        footnotes=(
            "Each patient once: the event that ended follow-up, or the reason follow-up was "
            "censored (FDA 2018 Table 4 rules: Methods).",
        ),
    )


def _tte_facts(outcome: TteOutcome) -> list[Fact]:
    """Median per arm, landmark rates, the hazard ratio with the log-rank p, and follow-up."""
    facts: list[Fact] = []
    for label, curve in outcome.curves:
        value, note = median_text(curve)
        facts.append(
            Fact(
                f"Median {outcome.name.lower()}, {label}",
                value,
                f"{note}; {curve.events} events in {curve.n} patients",
            )
        )
    landmark_label = (
        f"{outcome.landmark} {outcome.name.lower()} rate" if outcome.landmark is not None else ""
    )
    for landmark in outcome.landmarks:
        fact = landmark_fact(landmark, landmark_label)
        if fact is not None:
            facts.append(fact)
    if outcome.cox is not None and outcome.logrank is not None:
        term = outcome.cox.terms[0]
        facts.append(
            Fact(
                f"Hazard ratio, {term.name} vs {outcome.cox.reference}",
                f"{term.hr:.2f}",
                f"{ci(f'{term.lower:.2f}', f'{term.upper:.2f}')} (Cox, Efron ties, Wald); "
                f"log-rank {fmt_p(outcome.logrank.p)}",
            )
        )
    return facts + _followup_facts(outcome)


def _km_table(item: EndpointResult, outcome: TteOutcome) -> Table:
    columns = (
        Column("Arm"),
        Column("Patients", "right"),
        Column("Events", "right"),
        Column("Censored", "right"),
        Column("Median (months)", "right", ".1f"),
        Column("95% CI lower", "right", ".1f"),
        Column("95% CI upper", "right", ".1f"),
    )
    rows = []
    for label, curve in outcome.curves:
        median = curve.median
        rows.append(
            Row(
                (
                    label,
                    curve.n,
                    curve.events,
                    curve.n - curve.events,
                    _in_months(median.time),
                    _in_months(median.lower),
                    _in_months(median.upper),
                )
            )
        )
    return Table(
        f"{item.id}-km",
        f"{outcome.name}: Kaplan-Meier summary",
        columns,
        tuple(rows),
        footnotes=(
            "Medians and their 95% CIs as R survival reports them (log transform, Greenwood "
            "variance); NR: not reached (the curve or its confidence band does not fall to "
            f"50%). Months = days / {MONTH:g}.",
        ),
        missing_text="NR",
    )


def _comparison_table(item: EndpointResult, outcome: TteOutcome) -> Table:
    """Hazard ratio (Cox) and log-rank test between the arms."""
    cox, lr = outcome.cox, outcome.logrank
    assert cox is not None and lr is not None  # the caller shows the table only with both
    return Table(
        f"{item.id}-hr",
        f"{outcome.name}: comparison of the arms",
        (
            Column("Arm"),
            Column("Reference arm"),
            Column("Hazard ratio", "right", ".2f"),
            Column("95% CI lower", "right", ".2f"),
            Column("95% CI upper", "right", ".2f"),
            Column("Wald p", "right", ".4f"),
            Column("Log-rank χ²", "right", ".2f"),
            Column("Log-rank p", "right", ".4f"),
        ),
        tuple(
            Row(
                (
                    term.name,
                    cox.reference,
                    round_or_none(term.hr, 8),
                    round_or_none(term.lower, 8),
                    round_or_none(term.upper, 8),
                    round_or_none(term.p, 8),
                    round_or_none(lr.chisq, 8),
                    round_or_none(lr.p, 8),
                )
            )
            for term in cox.terms
        ),
        footnotes=(
            f"Cox proportional hazards model (Efron ties), Wald 95% CI; log-rank test with "
            f"{lr.df} degree(s) of freedom. {cox.events} events in "
            f"{cox.n} patients.",
        ),
    )


def _tte_figures(results: TrialResults, item: EndpointResult, outcome: TteOutcome) -> list[Block]:
    """The Kaplan-Meier plot, and the forest plot of subgroups in a two-arm trial."""
    figures: list[Block] = []
    if outcome.curves:
        figures.append(
            km_figure(
                outcome,
                figure_id=f"{item.id}-km",
                caption=f"{outcome.name}: Kaplan-Meier estimates with pointwise 95% confidence "
                "bands, censoring marks (+ and ×) and the number of patients at risk.",
                y_label=_Y_LABELS[outcome.param],
                reference=results.sets.reference_label,
            )
        )
    if outcome.subgroups and outcome.cox is not None and len(results.arms) == 2:
        experimental = next(a.label for a in results.arms if not a.control)
        control = next(a.label for a in results.arms if a.control)
        figures.append(
            forest_figure(outcome, figure_id=f"{item.id}-forest", arms=(experimental, control))
        )
    return figures


def landmark_table(
    table_id: str, name: str, landmark: Duration, values: Sequence[LandmarkValue]
) -> Table:
    rows = []
    for value in values:
        e = value.estimate
        rows.append(
            Row(
                (
                    value.arm,
                    round_or_none(landmark.days, 4),
                    round_or_none(100 * e.survival, 6) if e else None,
                    round_or_none(100 * e.lower, 6) if e and e.lower is not None else None,
                    round_or_none(100 * e.upper, 6) if e and e.upper is not None else None,
                    round_or_none(100 * e.std_err, 6) if e else None,
                    e.n_risk if e else None,
                )
            )
        )
    return Table(
        table_id,
        f"{name} at {landmark}",
        (
            Column("Arm"),
            Column("Time point (days)", "right", ".2f"),
            Column("Rate (%)", "right", ".1f"),
            Column("95% CI lower (%)", "right", ".1f"),
            Column("95% CI upper (%)", "right", ".1f"),
            Column("Standard error (%)", "right", ".1f"),
            Column("At risk", "right"),
        ),
        tuple(rows),
        footnotes=(
            f"Kaplan-Meier estimate at {landmark} = {landmark.days:g} days (1 month = {MONTH:g} "
            "days); log-transformed 95% CI with Greenwood variance, as R summary(survfit, "
            "times =); – : not estimable (follow-up ends before the time point).",
        ),
    )


def _in_months(days: float | None) -> float | None:
    return None if days is None else round(days / MONTH, 6)


def survival_rate_blocks(item: EndpointResult, outcome: SurvivalRateOutcome) -> list[Block]:
    label = f"{outcome.landmark} {outcome.source.name.lower()} rate"
    facts = [f for v in outcome.values if (f := landmark_fact(v, label)) is not None]
    blocks: list[Block] = [Paragraph(f"Analysis population: {outcome.source.population}.")]
    if facts:
        blocks.append(Facts(facts))
    blocks.append(
        landmark_table(f"{item.id}-rate", outcome.source.name, outcome.landmark, outcome.values)
    )
    return blocks
