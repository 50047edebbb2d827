"""One report section per registered endpoint, in the registration's order.

Each section quotes the registration (title, description, time frame — never reworded), says
how the endpoint was computed, then shows the engine's result: facts, tables with numeric cells
(so that the CSV and XLSX keep full values) and figures; what cannot be computed is a "Not
computable" note with the reason. ``headline`` gives the one-line result for the summary.
"""

from __future__ import annotations

from collections.abc import Sequence

from oncotrial.app.endpoint_results import BOR_LABELS
from oncotrial.app.report_figures import forest_figure, km_figure, waterfall_figure
from oncotrial.app.report_text import (
    MONTH,
    ci,
    fmt_p,
    median_text,
    percent,
    proportion_text,
    round_or_none,
)
from oncotrial.app.results import (
    BiomarkerOutcome,
    EndpointResult,
    LandmarkValue,
    QolOutcome,
    RateOutcome,
    SafetyOutcome,
    SurvivalRateOutcome,
    TrialResults,
    TteOutcome,
)
from oncotrial.endpoints.local_progression import LOCAL_PROGRESSION_RULES
from oncotrial.endpoints.qol import MINIMAL_IMPORTANT_DIFFERENCE
from oncotrial.endpoints.rates import BOR_CATEGORIES, ArmRate, RateResult
from oncotrial.endpoints.safety import Count
from oncotrial.endpoints.tte import Param
from oncotrial.protocol.endpoints import EndpointKind
from oncotrial.protocol.timeframe import Duration
from oncotrial.report import (
    Block,
    Column,
    Fact,
    Facts,
    Note,
    NoteKind,
    Paragraph,
    RegistryQuote,
    Row,
    Section,
    Table,
)

__all__ = ["endpoint_section", "headline"]

_Y_LABELS = {
    Param.OS: "Overall survival probability",
    Param.PFS: "Progression-free survival probability",
    Param.TTP: "Probability of no progression",
    Param.DOR: "Probability of remaining in response",
    Param.LPFS: "Local progression-free survival probability",
}


def registry_source(results: TrialResults) -> str:
    identity = results.protocol.identity
    return identity.nct_id or f"registration of trial {identity.local_id or results.trial_id}"


def assessor_words(assessor: str) -> str:
    """Whose reads the response engine used, for a sentence."""
    if assessor.casefold() == "accepted assessor":
        return "the accepted reads (ACPTFL = Y)"
    return f"the reads of {assessor}"


def _quotes(results: TrialResults, item: EndpointResult) -> list[Block]:
    endpoint = item.endpoint
    where = f"{registry_source(results)}, {item.label.lower()}"
    blocks: list[Block] = [RegistryQuote(endpoint.title, "Title", where)]
    if endpoint.description:
        blocks.append(RegistryQuote(endpoint.description, "Description", where))
    if endpoint.time_frame:
        blocks.append(RegistryQuote(endpoint.time_frame, "Time frame", where))
    return blocks


def _computed_as(results: TrialResults, item: EndpointResult) -> str:
    reading = item.endpoint.reading
    kind = reading.kind
    sets = results.sets
    criteria = results.settings.criteria.value
    frame = reading.time_frame
    within = (
        f", counting tumour assessments up to {frame.days / MONTH:.0f} months after "
        f"{sets.reference_label} (the registration's time frame)"
        if frame is not None
        else ", counting every tumour assessment up to the data cut-off"
    )
    confirmed = (
        f"confirmed at least {results.settings.confirmation_days} days later, as RECIST 1.1 "
        "§4.6.1 requires in a single-arm trial"
        if results.confirmation_required
        else "unconfirmed, as RECIST 1.1 §4.6.1 allows in a randomized trial"
    )
    if kind is EndpointKind.ORR:
        return (
            f"Objective response rate: patients whose best overall response ({criteria}, "
            f"{confirmed}) is CR or PR, of all patients of the {sets.efficacy_name.lower()}"
            f"{within}; exact (Clopper-Pearson) 95% confidence interval."
        )
    if kind is EndpointKind.DCR:
        return (
            f"Disease control rate: patients whose best overall response ({criteria}, "
            f"{confirmed}) is CR, PR, SD or non-CR/non-PD (SD at least "
            f"{results.settings.sd_min_days} days after {sets.reference_label}), of all patients "
            f"of the {sets.efficacy_name.lower()}{within}; exact 95% confidence interval."
        )
    if kind in (EndpointKind.PFS, EndpointKind.OS, EndpointKind.TTP, EndpointKind.DOR):
        landmark = (
            f"; the rate at {reading.landmark} (the registration's time frame) with its 95% CI "
            "and the number still at risk"
            if reading.landmark is not None
            else ""
        )
        what = {
            EndpointKind.PFS: f"time from {sets.reference_label} to progression ({criteria}) or "
            "death from any cause",
            EndpointKind.OS: f"time from {sets.reference_label} to death from any cause",
            EndpointKind.TTP: f"time from {sets.reference_label} to progression ({criteria}); "
            "deaths without progression are censored",
            EndpointKind.DOR: "time from the first documented response (CR or PR) to "
            "progression or death, among responders",
        }[kind]
        comparison = (
            "; arms compared by the log-rank test and a Cox model (hazard ratio)"
            if results.randomized
            else ""
        )
        return (
            f"{what[:1].upper()}{what[1:]}: Kaplan-Meier estimate with its median and 95% CI"
            f"{landmark}{comparison}. Censoring rules: Methods."
        )
    if kind is EndpointKind.SURVIVAL_RATE:
        of = "progression-free" if reading.rate_of is EndpointKind.PFS else "overall"
        at = reading.landmark or reading.time_frame
        return (
            f"The Kaplan-Meier estimate of {of} survival at {at} from {sets.reference_label}, "
            "with its 95% confidence interval (log transform, Greenwood variance) and the "
            "number still at risk."
        )
    if kind is EndpointKind.AE_INCIDENCE:
        return (
            "Patients with at least one treatment-emergent adverse event, by CTCAE v5.0 system "
            "organ class and term, each patient counted once per row at the worst grade; "
            "safety set."
        )
    if kind is EndpointKind.BIOMARKER_RESPONSE:
        return (
            "Objective response rate by PD-L1 tumour proportion score category (< 1%, 1–49%, "
            "≥ 50%), Fisher's exact test, the Cochran-Armitage trend test, logistic regression "
            f"(odds ratio per 10 points) and the ROC AUC of TPS for response{within}."
        )
    if kind is EndpointKind.LOCAL_CONTROL:
        return (
            "Local progression-free survival: time from "
            f"{sets.reference_label} to local progression of the lesions treated by local "
            "therapy (SDTM PR → TU link) or death, Kaplan-Meier estimate; local progression "
            "rules: Methods."
        )
    if kind is EndpointKind.QOL:
        return (
            "EORTC QLQ-C30 global health status (0–100) per arm and visit: mean, SD, median, "
            f"and change from baseline with the number of patients improved or worsened by ≥ "
            f"{MINIMAL_IMPORTANT_DIFFERENCE:g} points."
        )
    return f"{kind.value}: no derivation in oncotrial."


# --------------------------------------------------------------------------- rates


def _ordered(results: TrialResults, rate: RateResult) -> list[ArmRate]:
    """The engine's per-arm rates (sorted by label) in the protocol's arm order."""
    names = [a.arm for a in rate.arms]
    return [rate.arms[i] for i in _arm_order(results, names)]


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


def _rate_blocks(
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
    blocks: list[Block] = [
        Facts(facts),
        Table(
            f"{item.id}-rate",
            f"{name} ({outcome.definition.id})",
            _RATE_COLUMNS,
            _rate_rows(results, outcome.rate),
            footnotes=(
                "Exact (Clopper-Pearson) 95% confidence intervals. Denominator: every patient "
                "of the analysis set, including those not evaluable or without a post-baseline "
                "assessment (RECIST 1.1 §4.4).",
            ),
        ),
    ]
    arms = [a.arm for a in _ordered(results, outcome.rate)]
    columns = [Column("Best overall response")]
    codes = _codes(results)
    for arm in arms:
        prefix = f"{codes.get(arm, arm)}: " if len(arms) > 1 else ""
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
                        + _legend(
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


# --------------------------------------------------------------------------- time to event


def _landmark_fact(value: LandmarkValue, label: str) -> Fact | None:
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


def _tte_blocks(results: TrialResults, item: EndpointResult, outcome: TteOutcome) -> list[Block]:
    facts = []
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
    for value in outcome.landmarks:
        fact = _landmark_fact(value, landmark_label)
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
    blocks: list[Block] = [Paragraph(f"Analysis population: {outcome.population}.")]
    if facts:
        blocks.append(Facts(facts))
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
    blocks.append(
        Table(
            f"{item.id}-km",
            f"{outcome.name}: Kaplan-Meier summary",
            columns,
            tuple(rows),
            footnotes=(
                "Medians and their 95% CIs as R survival reports them (log transform, Greenwood "
                "variance); NR: not reached (the curve or its confidence band does not fall to "
                "50%). Months = days / 30.4375.",
            ),
            missing_text="NR",
        )
    )
    if outcome.landmark is not None:
        blocks.append(
            _landmark_table(
                f"{item.id}-landmark", outcome.name, outcome.landmark, outcome.landmarks
            )
        )
    if outcome.cox is not None and outcome.logrank is not None:
        lr = outcome.logrank
        blocks.append(
            Table(
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
                            outcome.cox.reference,
                            round_or_none(term.hr, 8),
                            round_or_none(term.lower, 8),
                            round_or_none(term.upper, 8),
                            round_or_none(term.p, 8),
                            round_or_none(lr.chisq, 8),
                            round_or_none(lr.p, 8),
                        )
                    )
                    for term in outcome.cox.terms
                ),
                footnotes=(
                    f"Cox proportional hazards model (Efron ties), Wald 95% CI; log-rank test with "
                    f"{lr.df} degree(s) of freedom. {outcome.cox.events} events in "
                    f"{outcome.cox.n} patients.",
                ),
            )
        )
    if outcome.curves:
        blocks.append(
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
        blocks.append(
            forest_figure(outcome, figure_id=f"{item.id}-forest", arms=(experimental, control))
        )
    if outcome.local is not None:
        ids = ", ".join(LOCAL_PROGRESSION_RULES)
        events = len(outcome.local.events)
        blocks.append(
            Paragraph(
                f"Local progression of a treated lesion ({ids}; Methods) was seen in {events} of "
                f"{len(outcome.local.subjects)} patients with a treated lesion."
            )
        )
    return blocks


def _landmark_table(
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
            f"Kaplan-Meier estimate at {landmark} = {landmark.days:g} days (1 month = 30.4375 "
            "days); log-transformed 95% CI with Greenwood variance, as R summary(survfit, "
            "times =); – : not estimable (follow-up ends before the time point).",
        ),
    )


def _in_months(days: float | None) -> float | None:
    return None if days is None else round(days / MONTH, 6)


def _survival_rate_blocks(item: EndpointResult, outcome: SurvivalRateOutcome) -> list[Block]:
    label = f"{outcome.landmark} {outcome.source.name.lower()} rate"
    facts = [f for v in outcome.values if (f := _landmark_fact(v, label)) is not None]
    blocks: list[Block] = [Paragraph(f"Analysis population: {outcome.source.population}.")]
    if facts:
        blocks.append(Facts(facts))
    blocks.append(
        _landmark_table(f"{item.id}-rate", outcome.source.name, outcome.landmark, outcome.values)
    )
    return blocks


# --------------------------------------------------------------------------- safety


def _count_cell(count: Count) -> str:
    return count.describe()


def _arm_order(results: TrialResults, names: Sequence[str]) -> list[int]:
    """Indexes of ``names`` (an engine's arm order, "Total" last) in the protocol's arm order."""
    rank = {label: i for i, label in enumerate(results.arm_labels)}
    arms = [i for i, name in enumerate(names) if name != "Total"]
    return sorted(arms, key=lambda i: (rank.get(names[i], len(rank)), names[i]))


def _codes(results: TrialResults) -> dict[str, str]:
    return {arm.label: arm.code or arm.label for arm in results.arms}


def _legend(results: TrialResults, names: Sequence[str], totals: Sequence[int]) -> str:
    codes = _codes(results)
    return "; ".join(
        f"{codes.get(name, name)} = {name} (N = {n})"
        for name, n in zip(names, totals, strict=True)
        if name != "Total"
    )


def _safety_blocks(
    results: TrialResults, item: EndpointResult, outcome: SafetyOutcome
) -> list[Block]:
    arms = outcome.worst.arms
    denominators = outcome.worst.denominators
    order = _arm_order(results, arms)
    several = len(order) > 1
    codes = _codes(results)
    legend = (f"Arms (as treated): {_legend(results, arms, denominators)}.",) if several else ()
    shown = [*order, len(arms) - 1] if several else order  # the total column last
    headers = [
        (
            f"{codes.get(arms[i], arms[i])} (N = {denominators[i]})"
            if arms[i] != "Total"
            else f"Total (N = {denominators[i]})"
        )
        if several
        else f"{arms[i]} (N = {denominators[i]})"
        for i in shown
    ]
    overview = Table(
        f"{item.id}-overview",
        "Patients with treatment-emergent adverse events",
        (Column("Category"), *(Column(h, "right") for h in headers)),
        tuple(
            Row((category.label, *(_count_cell(counts[i]) for i in shown)))
            for category, counts in outcome.overview
        ),
        footnotes=(
            f"Treatment-emergent: onset on or after the first dose and no later than "
            f"{outcome.window_days} days after the last dose (TEAE rules: Methods). n (%) of "
            "the safety set.",
            *legend,
        ),
    )
    any_grade5 = any(c.n for row in outcome.worst.rows for c in row.grade5)
    columns = [Column("System organ class / CTCAE term")]
    for i in order:
        prefix = f"{codes.get(arms[i], arms[i])}: " if several else ""
        columns += [Column(f"{prefix}any grade", "right"), Column(f"{prefix}grade ≥ 3", "right")]
        if any_grade5:
            columns.append(Column(f"{prefix}grade 5", "right"))
    rows = []
    for row in outcome.worst.rows:
        label = row.term or row.soc or "Any TEAE"
        cells: list[str | int | float | None] = [label]
        for i in order:
            cells += [_count_cell(row.any_grade[i]), _count_cell(row.grade3[i])]
            if any_grade5:
                cells.append(_count_cell(row.grade5[i]))
        rows.append(Row(tuple(cells), level=1 if row.term else 0, emphasis=row.term is None))
    table = Table(
        f"{item.id}-soc",
        f"Treatment-emergent adverse events by {outcome.dictionary} system organ class and term "
        "(worst grade per patient)",
        tuple(columns),
        tuple(rows),
        footnotes=(
            "n (%): a patient with several events in a row is counted once, at the worst grade. "
            "System organ classes and terms by descending frequency.",
            *legend,
        ),
    )
    text = (
        f"Safety set: {len(results.sets.safety)} patients. {len(outcome.adae)} adverse event "
        f"record(s), {int((outcome.adae['TRTEMFL'] == 'Y').sum())} treatment-emergent; terms "
        f"and grades checked against {outcome.dictionary}."
    )
    return [Paragraph(text), overview, table]


# --------------------------------------------------------------------------- other kinds


def _biomarker_blocks(item: EndpointResult, outcome: BiomarkerOutcome) -> list[Block]:
    analysis = outcome.analysis
    facts = [
        Fact(
            "Patients analysed",
            str(analysis.analysed),
            f"{analysis.missing_tps} without a PD-L1 TPS left out",
        ),
        Fact("Fisher's exact test (response × TPS category)", fmt_p(analysis.fisher_p)),
    ]
    if analysis.trend is not None:
        facts.append(Fact("Cochran-Armitage trend test", fmt_p(analysis.trend.p)))
    if analysis.logistic is not None:
        lg = analysis.logistic
        facts.append(
            Fact(
                "Odds ratio of response per 10 TPS points",
                f"{lg.odds_ratio:.2f}",
                f"{ci(f'{lg.lower:.2f}', f'{lg.upper:.2f}')} (Wald); {fmt_p(lg.p)}",
            )
        )
    if analysis.roc is not None:
        roc = analysis.roc
        facts.append(
            Fact(
                "ROC AUC of TPS for response",
                f"{roc.auc:.2f}",
                ci(f"{roc.lower:.2f}", f"{roc.upper:.2f}") + " (DeLong)",
            )
        )
    rows = [
        Row(
            (
                c.category.label,
                c.rate.count,
                c.rate.total,
                round_or_none(c.rate.percent, 6),
                round_or_none(100 * c.rate.lower, 6),
                round_or_none(100 * c.rate.upper, 6),
            )
        )
        for c in analysis.categories
    ]
    blocks: list[Block] = [
        Facts(facts),
        Table(
            f"{item.id}-pdl1",
            "Objective response by PD-L1 tumour proportion score",
            (
                Column("PD-L1 TPS"),
                Column("Responders (n)", "right"),
                Column("Patients (N)", "right"),
                Column("ORR (%)", "right", ".1f"),
                Column("95% CI lower (%)", "right", ".1f"),
                Column("95% CI upper (%)", "right", ".1f"),
            ),
            tuple(rows),
            footnotes=(
                "Categories of the PD-L1 IHC 22C3 pharmDx interpretation manual (KEYNOTE-024/-042 "
                "cut-offs); exact 95% CIs.",
            ),
        ),
    ]
    blocks += [Note(note, NoteKind.CAUTION) for note in analysis.notes]
    return blocks


def _qol_blocks(results: TrialResults, item: EndpointResult, outcome: QolOutcome) -> list[Block]:
    summary = outcome.summary
    mid = f"{MINIMAL_IMPORTANT_DIFFERENCE:g}"
    codes = _codes(results)
    blocks: list[Block] = [
        Paragraph(
            f"{summary.label} ({summary.test}): patients with a baseline score per arm: "
            + ", ".join(
                f"{arm} {n}"
                for arm, n in zip(summary.arms, summary.subjects_with_baseline, strict=True)
            )
            + "."
        )
    ]
    ordered = sorted(
        summary.arms,
        key=lambda a: (results.arm_labels.index(a) if a in results.arm_labels else 99, a),
    )
    for arm in ordered:
        rows = [
            Row(
                (
                    row.visit,
                    row.n,
                    round_or_none(row.mean, 4),
                    round_or_none(row.sd, 4),
                    row.change_n if not row.baseline else None,
                    round_or_none(row.change_mean, 4),
                    round_or_none(row.change_sd, 4),
                    row.improved if not row.baseline else None,
                    row.worsened if not row.baseline else None,
                ),
                emphasis=row.baseline,
            )
            for row in summary.rows
            if row.arm == arm
        ]
        suffix = f"-{codes.get(arm, arm).lower()}" if len(summary.arms) > 1 else ""
        blocks.append(
            Table(
                f"{item.id}-qol{suffix}"[:63],
                f"{summary.label} by visit" + (f": {arm}" if len(summary.arms) > 1 else ""),
                (
                    Column("Visit"),
                    Column("n", "right"),
                    Column("Mean", "right", ".1f"),
                    Column("SD", "right", ".1f"),
                    Column("Change: n", "right"),
                    Column("Mean change", "right", ".1f"),
                    Column("SD of change", "right", ".1f"),
                    Column(f"Improved ≥ {mid}", "right"),
                    Column(f"Worsened ≥ {mid}", "right"),
                ),
                tuple(rows),
                footnotes=(
                    "Baseline row in bold; change from baseline for patients with both scores. "
                    f"Scale and minimal important difference: {summary.source}.",
                ),
            )
        )
    return blocks


def endpoint_section(
    results: TrialResults, item: EndpointResult, *, waterfall: bool = False
) -> Section:
    """The endpoint's section: registration quotes, how it was computed, the result."""
    blocks: list[Block] = [
        *_quotes(results, item),
        Paragraph(f"{item.label}. " + _computed_as(results, item)),
    ]
    outcome = item.outcome
    if isinstance(outcome, RateOutcome):
        blocks += _rate_blocks(results, item, outcome, waterfall)
    elif isinstance(outcome, TteOutcome):
        blocks += _tte_blocks(results, item, outcome)
    elif isinstance(outcome, SurvivalRateOutcome):
        blocks += _survival_rate_blocks(item, outcome)
    elif isinstance(outcome, SafetyOutcome):
        blocks += _safety_blocks(results, item, outcome)
    elif isinstance(outcome, BiomarkerOutcome):
        blocks += _biomarker_blocks(item, outcome)
    elif isinstance(outcome, QolOutcome):
        blocks += _qol_blocks(results, item, outcome)
    what = item.endpoint.title if outcome is None else "Part of this endpoint"
    blocks += [Note.not_computable(what, _clause(reason)) for reason in item.reasons]
    blocks += [Note(note, NoteKind.CAUTION) for note in item.notes]
    return Section(item.id, item.endpoint.title, tuple(blocks))


def _first_clause(reason: str, limit: int = 110) -> str:
    """The reason's first sentence, cut at ``limit`` characters (the section has it whole)."""
    text = _clause(reason)
    for mark in (". ", "; "):
        if mark in text:
            text = text[: text.index(mark)]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clause(reason: str) -> str:
    """A reason as the end of "… cannot be computed because …" (no capital, no full stop)."""
    text = reason.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def headline(item: EndpointResult, *, short: bool = False) -> str:
    """The endpoint's result in one line: the report's summary table, and (``short``) the
    console, where a reason for not computing it is cut to its first sentence."""
    outcome = item.outcome
    if outcome is None:
        if not item.reasons:
            return "not computable"
        reason = _first_clause(item.reasons[0]) if short else _clause(item.reasons[0])
        return "not computable: " + reason
    if isinstance(outcome, RateOutcome):
        return "; ".join(
            f"{_arm_prefix(outcome.rate.arms, a.arm)}{a.proportion.count}/{a.proportion.total} "
            f"({percent(a.proportion.estimate)}; 95% CI {100 * a.proportion.lower:.1f}–"
            f"{100 * a.proportion.upper:.1f})"
            for a in outcome.rate.arms
        )
    if isinstance(outcome, TteOutcome):
        parts = []
        for label, curve in outcome.curves:
            value, note = median_text(curve)
            parts.append(f"{_arm_prefix(outcome.curves, label)}median {value} ({note})")
        text = "; ".join(parts)
        if outcome.cox is not None and outcome.logrank is not None:
            term = outcome.cox.terms[0]
            text += (
                f"; HR {term.hr:.2f} ({term.lower:.2f}–{term.upper:.2f}), log-rank "
                f"{fmt_p(outcome.logrank.p)}"
            )
        return text
    if isinstance(outcome, SurvivalRateOutcome):
        return "; ".join(
            _arm_prefix(outcome.values, v.arm) + _landmark_text(v) for v in outcome.values
        )
    if isinstance(outcome, SafetyOutcome):
        overview = {c.id: counts for c, counts in outcome.overview}
        total = len(outcome.worst.arms) - 1  # the Total column
        any_teae, grade3 = overview["ANY"][total], overview["GRADE3"][total]
        return f"any TEAE {any_teae.describe()}; grade ≥ 3 {grade3.describe()}"
    if isinstance(outcome, BiomarkerOutcome):
        return (
            "; ".join(
                f"TPS {c.category.label}: {c.rate.count}/{c.rate.total}"
                for c in outcome.analysis.categories
            )
            + f"; Fisher {fmt_p(outcome.analysis.fisher_p)}"
        )
    if isinstance(outcome, QolOutcome):
        first = {}
        for row in outcome.summary.rows:
            if not row.baseline and row.change_mean is not None and row.arm not in first:
                first[row.arm] = row
        parts = [
            f"{_arm_prefix(outcome.summary.arms, arm)}{row.visit.lower()} mean change "
            f"{row.change_mean:+.1f} (n = {row.change_n})"
            for arm, row in first.items()
            if row.change_mean is not None
        ]
        return "; ".join(parts) or f"no post-baseline {outcome.summary.test} scores"
    return ""


def _landmark_text(value: LandmarkValue) -> str:
    e = value.estimate
    if e is None:
        return "not estimable"
    lower = f"{100 * e.lower:.1f}" if e.lower is not None else "–"
    upper = f"{100 * e.upper:.1f}" if e.upper is not None else "–"
    return f"{percent(e.survival)} ({ci(lower, upper)})"


def _arm_prefix(items: Sequence[object], label: str) -> str:
    return f"{label}: " if len(items) > 1 else ""
