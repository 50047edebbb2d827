"""outcomeMeasuresModule: one measure per registered outcome, in the registration's order.

Each measure takes its type, title, description and time frame from the registration and its
numbers from the analysis pipeline's result for that endpoint (``EndpointResult.outcome``):

- response rates: NUMBER, percentage of participants, exact (Clopper-Pearson) 95% CI; with two
  arms the analysis is the report's difference of rates (Newcombe CI) with Fisher's exact p;
- time to event: MEDIAN in months with its 95% CI (Brookmeyer-Crowley, log-log as the report);
  a median or limit that is not reached is NA with a comment, as the PRS requires; with two arms
  the analysis is the report's Cox hazard ratio (Efron ties, Wald CI) with the log-rank p;
- landmark survival rates: NUMBER, percentage of participants event-free, 95% CI;
- adverse events: COUNT_OF_PARTICIPANTS per TEAE category of the report's overview;
- PD-L1 and response: NUMBER per TPS category, Fisher's exact test across categories;
- quality of life: MEAN change from baseline (Standard Deviation) per visit.
A registered outcome the analysis could not compute is left out, and the check lists it with
the analysis's reason (outcomes must be present or explained before posting).
"""

from __future__ import annotations

from typing import Any

from oncotrial.analysis.results import (
    BiomarkerOutcome,
    EndpointResult,
    QolOutcome,
    RateOutcome,
    SafetyOutcome,
    SurvivalRateOutcome,
    TrialResults,
    TteOutcome,
)
from oncotrial.endpoints.qol import ScoreRow
from oncotrial.protocol.endpoints import EndpointLevel
from oncotrial.report.trial.wording import round_or_none
from oncotrial.results.common import (
    NA,
    Origin,
    Provenance,
    arm_groups,
    denom,
    fmt_p,
    fmt_percent,
    months_or_na,
)
from oncotrial.results.flow import arm_descriptions
from oncotrial.results.model import (
    Analysis,
    Category,
    Denom,
    DenomCount,
    Group,
    MeasureClass,
    Measurement,
    OutcomeMeasure,
    OutcomeMeasuresModule,
)
from oncotrial.results.planned import comparison_test_type, plan_rate_analysis

__all__ = ["OUTCOME_TYPES", "outcome_module"]

#: The registration's level as the API's outcome measure type.
OUTCOME_TYPES = {
    EndpointLevel.PRIMARY: "PRIMARY",
    EndpointLevel.SECONDARY: "SECONDARY",
    EndpointLevel.OTHER: "OTHER_PRE_SPECIFIED",
}
_CI95 = "95% Confidence Interval"
_NONE_ANALYSED = "No participant of this arm is in the analysis population of this outcome."


def _one_class(groups: tuple[Group, ...], values: list[Measurement]) -> tuple[MeasureClass, ...]:
    return (MeasureClass(categories=(Category(measurements=tuple(values)),)),)


def _rate_measure(
    results: TrialResults, item: EndpointResult, outcome: RateOutcome, groups: tuple[Group, ...]
) -> dict[str, Any]:
    by_arm = {a.arm: a.proportion for a in outcome.rate.arms}
    props = [by_arm[g.title] for g in groups]
    analyses: tuple[Analysis, ...] = ()
    comparison = outcome.rate.comparison
    if comparison is not None:
        ids = {g.title: g.id for g in groups}
        diff = comparison.difference
        analyses = (
            Analysis(
                group_ids=(ids[comparison.compared], ids[comparison.reference]),
                group_description=(
                    f"{comparison.compared} vs {comparison.reference}: difference of "
                    f"{outcome.definition.name.lower()} (percentage points)"
                ),
                non_inferiority_type="SUPERIORITY",
                p_value=fmt_p(comparison.fisher.p),
                statistical_method="Fisher Exact",
                param_type="Risk Difference (RD)",
                param_value=f"{100 * diff.difference:.1f}",
                ci_pct_value=f"{round(diff.conf_level * 100):d}",
                ci_num_sides="TWO_SIDED",
                ci_lower_limit=f"{100 * diff.lower:.1f}",
                ci_upper_limit=f"{100 * diff.upper:.1f}",
                estimate_comment=f"Confidence interval: {diff.method.value} method",
            ),
        )
    return {
        "param_type": "NUMBER",
        "dispersion_type": _CI95,
        "unit_of_measure": "percentage of participants",
        "population_description": (
            f"{results.sets.efficacy_name}: {results.sets.efficacy_definition}. "
            f"{outcome.definition.description}; exact (Clopper-Pearson) confidence interval."
        ),
        "denoms": (denom(groups, tuple(p.total for p in props)),),
        "classes": _one_class(
            groups,
            [
                Measurement(
                    g.id,
                    fmt_percent(p.estimate),
                    lower_limit=fmt_percent(p.lower),
                    upper_limit=fmt_percent(p.upper),
                )
                for g, p in zip(groups, props, strict=True)
            ],
        ),
        "analyses": analyses,
    }


def _median_measurement(
    group: Group, curve_events: int, curve_n: int, median: object
) -> Measurement:
    time, lower, upper = (getattr(median, k) for k in ("time", "lower", "upper"))
    value, low, high = months_or_na(time), months_or_na(lower), months_or_na(upper)
    notes = []
    if value == NA:
        notes.append(f"Median not reached: {curve_events} events in {curve_n} participants")
    if low == NA:
        notes.append("lower limit of the confidence interval not estimable")
    if high == NA:
        notes.append(
            "upper limit of the confidence interval not reached (too few events at the cut-off)"
        )
    return Measurement(
        group.id,
        value,
        lower_limit=low,
        upper_limit=high,
        comment="; ".join(notes) + "." if notes else None,
    )


def _tte_measure(
    results: TrialResults, outcome: TteOutcome, groups: tuple[Group, ...]
) -> dict[str, Any]:
    curves = dict(outcome.curves)
    analyses: tuple[Analysis, ...] = ()
    if outcome.cox is not None and outcome.logrank is not None:
        term = outcome.cox.terms[0]
        ids = {g.title: g.id for g in groups}
        compared = next((g for g in groups if g.title in term.name), groups[0])
        analyses = (
            Analysis(
                group_ids=(compared.id, ids.get(outcome.cox.reference or "", groups[-1].id)),
                group_description=(
                    f"{term.name} vs {outcome.cox.reference} (reference): hazard ratio of "
                    f"{outcome.name.lower()}"
                ),
                non_inferiority_type="SUPERIORITY",
                p_value=fmt_p(outcome.logrank.p),
                statistical_method="Log Rank",
                param_type="Hazard Ratio (HR)",
                param_value=f"{term.hr:.2f}",
                ci_pct_value=f"{round(outcome.cox.conf_level * 100):d}",
                ci_num_sides="TWO_SIDED",
                ci_lower_limit=f"{term.lower:.2f}",
                ci_upper_limit=f"{term.upper:.2f}",
                estimate_comment=(
                    "Cox proportional hazards model, Efron ties, Wald confidence interval"
                    + ("; stratified" if outcome.cox.stratified else "")
                ),
            ),
        )
    return {
        "param_type": "MEDIAN",
        "dispersion_type": _CI95,
        "unit_of_measure": "months",
        "population_description": f"{outcome.population}. Kaplan-Meier estimates.",
        "denoms": (
            denom(groups, tuple(curves[g.title].n if g.title in curves else 0 for g in groups)),
        ),
        "classes": _one_class(
            groups,
            [
                _median_measurement(
                    g, curves[g.title].events, curves[g.title].n, curves[g.title].median
                )
                if g.title in curves
                else Measurement(g.id, NA, lower_limit=NA, upper_limit=NA, comment=_NONE_ANALYSED)
                for g in groups
            ],
        ),
        "analyses": analyses,
    }


def _landmark_measure(outcome: SurvivalRateOutcome, groups: tuple[Group, ...]) -> dict[str, Any]:
    values = {v.arm: v for v in outcome.values}
    curves = dict(outcome.source.curves)
    measurements = []
    for g in groups:
        value = values.get(g.title)
        estimate = value.estimate if value is not None else None
        if estimate is None:
            reason = value.reason if value is not None and value.reason else "not estimable"
            measurements.append(
                Measurement(
                    g.id, NA, lower_limit=NA, upper_limit=NA, comment=f"Not estimable: {reason}."
                )
            )
            continue
        measurements.append(
            Measurement(
                g.id,
                fmt_percent(estimate.survival),
                lower_limit=fmt_percent(estimate.lower),
                upper_limit=fmt_percent(estimate.upper),
                comment=(
                    "Limit not estimable."
                    if estimate.lower is None or estimate.upper is None
                    else None
                ),
            )
        )
    return {
        "param_type": "NUMBER",
        "dispersion_type": _CI95,
        "unit_of_measure": "percentage of participants",
        "population_description": (
            f"{outcome.source.population}. Kaplan-Meier estimate of the percentage of "
            f"participants free of the event at {outcome.landmark}."
        ),
        "denoms": (
            denom(groups, tuple(curves[g.title].n if g.title in curves else 0 for g in groups)),
        ),
        "classes": _one_class(groups, measurements),
    }


def _safety_measure(
    results: TrialResults, outcome: SafetyOutcome, groups: tuple[Group, ...]
) -> dict[str, Any]:
    # The overview counts are in the safety tables' arm order (outcome.worst.arms, by the arm
    # actually received), then the total: matched to the groups by label.
    names = outcome.worst.arms
    by_arm = [dict(zip(names, counts, strict=False)) for _, counts in outcome.overview]
    first = by_arm[0] if by_arm else {}
    totals = tuple(first[g.title].total if g.title in first else 0 for g in groups)
    return {
        "param_type": "COUNT_OF_PARTICIPANTS",
        "unit_of_measure": "Participants",
        "population_description": (
            f"Safety set: {results.sets.safety_definition}. Treatment-emergent adverse events "
            f"(onset from the first dose to {outcome.window_days} days after the last), "
            f"{outcome.dictionary}."
        ),
        "denoms": (denom(groups, totals),),
        # One class per TEAE category of the report's overview (class titles, as real records).
        "classes": tuple(
            MeasureClass(
                title=category.label,
                categories=(
                    Category(
                        measurements=tuple(
                            Measurement(g.id, str(counts[g.title].n if g.title in counts else 0))
                            for g in groups
                        )
                    ),
                ),
            )
            for (category, _), counts in zip(outcome.overview, by_arm, strict=True)
        ),
    }


def _pooled(groups: tuple[Group, ...]) -> tuple[Group, ...]:
    """The biomarker analysis pools the arms (one response table): one group, all participants."""
    if len(groups) == 1:
        return groups
    return (Group("OG000", "All participants", "All arms together"),)


def _biomarker_measure(outcome: BiomarkerOutcome, groups: tuple[Group, ...]) -> dict[str, Any]:
    analysis = outcome.analysis
    (group,) = _pooled(groups)
    classes = tuple(
        MeasureClass(
            title=f"PD-L1 TPS {c.category.label}",
            denoms=(Denom("Participants", (DenomCount(group.id, str(c.rate.total)),)),),
            categories=(
                Category(
                    measurements=(
                        Measurement(
                            group.id,
                            fmt_percent(c.rate.estimate) if c.rate.total else NA,
                            lower_limit=fmt_percent(c.rate.lower) if c.rate.total else NA,
                            upper_limit=fmt_percent(c.rate.upper) if c.rate.total else NA,
                            comment=None if c.rate.total else "No participant in this category.",
                        ),
                    )
                ),
            ),
        )
        for c in analysis.categories
    )
    return {
        "param_type": "NUMBER",
        "dispersion_type": _CI95,
        "unit_of_measure": "percentage of participants",
        "population_description": (
            f"Participants with a PD-L1 tumour proportion score ({analysis.analysed} analysed, "
            f"{analysis.missing_tps} without a score): {analysis.definition.name.lower()} by TPS "
            "category, exact (Clopper-Pearson) confidence interval."
        ),
        "denoms": (denom((group,), (analysis.analysed,)),),
        "classes": classes,
        "analyses": (
            Analysis(
                group_ids=(group.id,),
                group_description=(
                    f"Association of PD-L1 TPS category with {analysis.definition.name.lower()} "
                    f"within {group.title}"
                ),
                non_inferiority_type="OTHER",
                p_value=fmt_p(analysis.fisher_p),
                statistical_method="Fisher Exact",
            ),
        ),
    }


def _qol_measure(outcome: QolOutcome, groups: tuple[Group, ...]) -> dict[str, Any]:
    summary = outcome.summary
    visits: dict[str, dict[str, ScoreRow]] = {}
    for score in sorted(summary.rows, key=lambda r: r.visitnum):
        if not score.baseline:
            visits.setdefault(score.visit, {})[score.arm] = score
    classes = []
    for visit, rows in visits.items():
        measurements, counts = [], []
        for g in groups:
            row = rows.get(g.title)
            counts.append(row.change_n if row is not None else 0)
            # The report's rounding of the QoL table (4 decimals).
            mean = round_or_none(row.change_mean, 4) if row is not None else None
            sd = round_or_none(row.change_sd, 4) if row is not None else None
            measurements.append(
                Measurement(
                    g.id,
                    f"{mean:g}" if mean is not None else NA,
                    spread=f"{sd:g}" if sd is not None else NA,
                    comment=(
                        None
                        if mean is not None and sd is not None
                        else "Not estimable: fewer than two participants with a change."
                    ),
                )
            )
        classes.append(
            MeasureClass(
                title=visit,
                denoms=(denom(groups, tuple(counts)),),
                categories=(Category(measurements=tuple(measurements)),),
            )
        )
    return {
        "param_type": "MEAN",
        "dispersion_type": "Standard Deviation",
        "unit_of_measure": "units on a scale",
        "population_description": (
            f"Participants with a baseline {summary.label} score "
            f"({summary.test}; source: {summary.source}); change from baseline by visit."
        ),
        "denoms": (denom(groups, summary.subjects_with_baseline),),
        "classes": tuple(classes),
    }


def _measure_parts(
    results: TrialResults, item: EndpointResult, groups: tuple[Group, ...]
) -> dict[str, Any] | None:
    outcome = item.outcome
    if isinstance(outcome, RateOutcome):
        return _rate_measure(results, item, outcome, groups)
    if isinstance(outcome, TteOutcome):
        return _tte_measure(results, outcome, groups)
    if isinstance(outcome, SurvivalRateOutcome):
        return _landmark_measure(outcome, groups)
    if isinstance(outcome, SafetyOutcome):
        return _safety_measure(results, outcome, groups)
    if isinstance(outcome, BiomarkerOutcome):
        return _biomarker_measure(outcome, groups)
    if isinstance(outcome, QolOutcome):
        return _qol_measure(outcome, groups)
    return None


def _with_plan(
    results: TrialResults,
    item: EndpointResult,
    analyses: tuple[Analysis, ...],
    group: Group,
    path: str,
    provenance: list[Provenance],
) -> tuple[Analysis, ...]:
    """The measure's analyses with the analysis plan's: the single-arm rate's exact test and
    design decision, and each analysis's test type with its provenance (results/planned.py)."""
    out = list(analyses)
    outcome = item.outcome
    if isinstance(outcome, RateOutcome) and len(outcome.rate.arms) == 1:
        planned = plan_rate_analysis(
            results, item.index, outcome, group, f"{path}.analyses[{len(out)}]", provenance
        )
        if planned is not None:
            out.append(planned)
    for i, analysis in enumerate(analyses):
        where = f"{path}.analyses[{i}]"
        if analysis.non_inferiority_type == "SUPERIORITY":
            comparison_test_type(results, item.index, where, provenance)
        else:
            provenance.append(
                Provenance(
                    f"{where}.nonInferiorityType",
                    Origin.DERIVED,
                    "OTHER: a test of association across categories, not a comparison of arms",
                )
            )
    return tuple(out)


def outcome_module(
    results: TrialResults, provenance: list[Provenance]
) -> tuple[OutcomeMeasuresModule, dict[int, str]]:
    """The measures, and for each registered outcome left out (by index) the reason."""
    groups = arm_groups("OG", results.arm_labels, arm_descriptions(results))
    measures: list[OutcomeMeasure] = []
    missing: dict[int, str] = {}
    for item in results.endpoints:
        parts = _measure_parts(results, item, groups)
        if parts is None:
            missing[item.index] = "; ".join(item.reasons) or "not computed by the analysis"
            continue
        endpoint = item.endpoint
        path = f"outcomeMeasuresModule.outcomeMeasures[{len(measures)}]"
        time_frame = endpoint.time_frame
        if time_frame is None:
            cutoff = results.cutoff.isoformat()
            time_frame = f"From {results.sets.reference_label} to the data cut-off ({cutoff})"
            provenance.append(
                Provenance(
                    f"{path}.timeFrame",
                    Origin.ASSUMED,
                    "the registration gives no time frame: the analysis's follow-up",
                )
            )
        parts["analyses"] = _with_plan(
            results, item, parts.get("analyses", ()), groups[0], path, provenance
        )
        provenance.append(
            Provenance(f"{path}.title", Origin.REGISTRY, f"registered {item.label.lower()}")
        )
        provenance.append(
            Provenance(f"{path}.classes", Origin.DERIVED, f"the report's section {item.label}")
        )
        measures.append(
            OutcomeMeasure(
                type=OUTCOME_TYPES[endpoint.level],
                title=endpoint.title,
                description=endpoint.description,
                reporting_status="POSTED",
                time_frame=time_frame,
                groups=(_pooled(groups) if isinstance(item.outcome, BiomarkerOutcome) else groups),
                **parts,
            )
        )
    return OutcomeMeasuresModule(tuple(measures)), missing
