"""The safety section: treatment-emergent adverse events overall and by CTCAE SOC and term."""

from __future__ import annotations

from oncotrial.analysis.results import EndpointResult, SafetyOutcome, TrialResults
from oncotrial.endpoints.safety import Count
from oncotrial.plan.model import WindowStart
from oncotrial.report import Block, Column, Paragraph, Row, Table
from oncotrial.report.trial.endpoints.arms import arm_order

__all__ = ["safety_blocks", "window_words"]


def window_words(outcome: SafetyOutcome) -> str:
    """The treatment-emergent window in words, as the analysis plan opens it."""
    if outcome.window_start is WindowStart.FIRST_INTERVENTION:
        return (
            "onset on or after the first protocol intervention of any kind (drug, procedure or "
            f"radiotherapy) and no later than {outcome.window_days} days after the last one "
            "(analysis plan)"
        )
    return (
        f"onset on or after the first dose and no later than {outcome.window_days} days after "
        "the last dose"
    )


def _count_cell(count: Count) -> str:
    return count.describe()


def _applies(outcome: SafetyOutcome, category: str, arm: str) -> bool:
    """False for relatedness to an intervention the arm does not receive (its flags are blank:
    endpoints.attribution), so that the cell reads "not applicable", not 0%."""
    if not category.startswith("RELATED-") or arm == "Total":
        return True
    column = "RELFL_" + category.removeprefix("RELATED-")
    if column not in outcome.adae.columns:
        return True
    flags = outcome.adae.loc[outcome.adae["ARM"].astype(str) == arm, column]
    return flags.empty or bool((flags.fillna("").astype(str) != "").any())


def safety_blocks(
    results: TrialResults, item: EndpointResult | str, outcome: SafetyOutcome
) -> list[Block]:
    """The overview and SOC × term × worst-grade tables; ``item`` names the tables (an
    endpoint, or an id for the plan's safety analysis of a trial that registers none)."""
    table_id = item if isinstance(item, str) else item.id
    arms = outcome.worst.arms
    denominators = outcome.worst.denominators
    order = arm_order(results, arms)
    several = len(order) > 1
    legend = (
        ("Arms as treated: each patient in the arm of the treatment received.",) if several else ()
    )
    shown = [*order, len(arms) - 1] if several else order  # the total column last
    # the arms' own labels, never codes only (CONSORT 2010 item 17a: each group named)
    headers = [f"{arms[i]} (N = {denominators[i]})" for i in shown]
    overview = Table(
        f"{table_id}-overview",
        "Patients with treatment-emergent adverse events",
        (Column("Category"), *(Column(h, "right") for h in headers)),
        tuple(
            Row(
                (
                    category.label,
                    *(
                        "not applicable"
                        if not _applies(outcome, category.id, arms[i])
                        else _count_cell(counts[i])
                        for i in shown
                    ),
                )
            )
            for category, counts in outcome.overview
        ),
        footnotes=(
            f"Treatment-emergent: {window_words(outcome)} (TEAE rules: Methods). n (%) of the "
            "safety set.",
            *(
                (
                    "Related to each intervention: the investigator's causality per "
                    "intervention (AEREL1…n); a missing causality counts as related.",
                )
                if outcome.attributed
                else ()
            ),
            *legend,
        ),
    )
    any_grade5 = any(c.n for row in outcome.worst.rows for c in row.grade5)
    columns = [Column("System organ class / CTCAE term")]
    for i in shown:
        prefix = f"{arms[i]}: " if several else ""
        columns += [Column(f"{prefix}any grade", "right"), Column(f"{prefix}grade ≥ 3", "right")]
        if any_grade5:
            columns.append(Column(f"{prefix}grade 5", "right"))
    rows = []
    for row in outcome.worst.rows:
        label = row.term or row.soc or "Any TEAE"
        cells: list[str | int | float | None] = [label]
        for i in shown:
            cells += [_count_cell(row.any_grade[i]), _count_cell(row.grade3[i])]
            if any_grade5:
                cells.append(_count_cell(row.grade5[i]))
        rows.append(Row(tuple(cells), level=1 if row.term else 0, emphasis=row.term is None))
    table = Table(
        f"{table_id}-soc",
        f"Treatment-emergent adverse events by {outcome.dictionary} system organ class and term "
        "(worst grade per patient)",
        tuple(columns),
        tuple(rows),
        footnotes=(
            "n (%): a patient with several events in a row is counted once, at the worst grade. "
            "System organ classes and terms by descending frequency; the Total columns count "
            "every arm.",
            *legend,
        ),
    )
    opened = "; ".join(f"{what.lower()} in {n}" for what, n in outcome.first_intervention)
    text = (
        f"Safety set: {outcome.subjects or len(results.sets.safety)} patients"
        + (f" (first protocol intervention: {opened})" if opened else "")
        + f". {len(outcome.adae)} adverse event "
        f"record(s), {int((outcome.adae['TRTEMFL'] == 'Y').sum())} treatment-emergent; terms "
        f"and grades checked against {outcome.dictionary_description}."
    )
    return [Paragraph(text), overview, table, *_exposure_blocks(table_id, outcome)]


def _exposure_blocks(table_id: str, outcome: SafetyOutcome) -> list[Block]:
    """Treatment exposure and exposure-adjusted incidence (ICH E3 §12.1; crude incidences
    mislead when arms are treated for different lengths of time)."""
    blocks: list[Block] = []
    if outcome.exposure:
        rows = [
            Row(
                (
                    e.arm,
                    e.treatment.capitalize(),
                    e.subjects,
                    e.administrations.describe(),
                    e.duration_days.describe(),
                    e.relative_dose_intensity.describe(2) if e.note is None else "—",
                    e.modified,
                )
            )
            for e in outcome.exposure
        ]
        notes = sorted({e.note for e in outcome.exposure if e.note})
        blocks.append(
            Table(
                f"{table_id}-exposure",
                "Treatment exposure per arm and drug",
                (
                    Column("Arm"),
                    Column("Treatment"),
                    Column("Patients", "right"),
                    Column("Administrations, median (range)", "right"),
                    Column("Duration, days, median (range)", "right"),
                    Column("Relative dose intensity, median (range)", "right"),
                    Column("Patients with a dose modification", "right"),
                ),
                tuple(rows),
                footnotes=(
                    "Duration: last − first administration + 1 days. Relative dose intensity: "
                    "cumulative dose over the period the doses cover (first dose to one interval "
                    "after the last) against the protocol's planned dose per interval (Hryniuk "
                    "& Goodyear 1990).",
                    *notes,
                ),
            )
        )
    if outcome.eair:
        rows = [
            Row(
                (
                    label,
                    rate.arm,
                    rate.with_event,
                    rate.subjects,
                    round(rate.patient_years, 2),
                    f"{rate.rate.per * rate.rate.rate:.1f} ({rate.rate.per * rate.rate.lower:.1f}"
                    f"–{rate.rate.per * rate.rate.upper:.1f})",
                )
            )
            for label, rates in outcome.eair
            for rate in rates
        ]
        blocks.append(
            Table(
                f"{table_id}-eair",
                "Exposure-adjusted incidence of treatment-emergent adverse events",
                (
                    Column("Category"),
                    Column("Arm"),
                    Column("Patients with an event", "right"),
                    Column("Patients", "right"),
                    Column("Patient-years at risk", "right"),
                    Column("Per 100 patient-years (exact 95% CI)", "right"),
                ),
                tuple(rows),
                footnotes=(
                    "Time at risk: from the start of the treatment-emergent window to the first "
                    "event, or to its end (last intervention + window, cut at the data "
                    "cut-off); exact Poisson interval.",
                ),
            )
        )
    return blocks
