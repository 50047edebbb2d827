"""The plan's model-based analyses in a time-to-event section: the adjusted Cox model, the
proportional-hazards check and the subgroup hazard ratios with their interaction tests."""

from __future__ import annotations

from oncotrial.analysis.models import ARM_TERM
from oncotrial.analysis.results import EndpointResult, ModelOutcome, TteOutcome
from oncotrial.report import Block, Column, Row, Table
from oncotrial.report.trial.wording import fmt_p
from oncotrial.stats.cox_model import CoxModel
from oncotrial.stats.zph import PhTest

__all__ = ["model_blocks"]


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _term_label(name: str, compared: str) -> str:
    if name.startswith(ARM_TERM):
        return f"Arm: {compared}"
    return name


def _cox_table(item: EndpointResult, models: ModelOutcome, model: CoxModel) -> Table:
    compared = next(
        (c.name[len(ARM_TERM) :] for c in model.coefficients if c.name.startswith(ARM_TERM)), ""
    )
    rows = [
        Row(
            (
                _term_label(c.name, compared),
                _number(c.hr),
                f"{_number(c.lower)}–{_number(c.upper)}",
                fmt_p(c.p),
            )
        )
        for c in model.coefficients
    ]
    strata = f"; stratified by {', '.join(models.strata)}" if models.strata else ""
    return Table(
        f"{item.id}-cox-adjusted",
        "Covariate-adjusted Cox model (analysis plan)",
        (
            Column("Term"),
            Column("Hazard ratio", "right"),
            Column("95% CI", "right"),
            Column("Wald p", "right"),
        ),
        tuple(rows),
        footnotes=(
            f"{model.formula}{strata}; Efron ties; {model.n} patients, {model.events} events "
            f"(complete cases). Likelihood-ratio test χ² = {model.lr_chisq:.2f} on {model.df} "
            f"df, {fmt_p(model.lr_p)}. A hazard ratio below 1 favours the arm named, against "
            "the control arm (ICH E9 §5.7).",
        ),
    )


def _ph_table(item: EndpointResult, tests: list[tuple[str, PhTest]]) -> Table:
    rows = [
        Row((model, row.term, f"{row.chisq:.3f}", row.df, fmt_p(row.p)))
        for model, test in tests
        for row in test.rows
    ]
    return Table(
        f"{item.id}-ph-test",
        "Proportional-hazards check: scaled Schoenfeld residuals (cox.zph, KM transform)",
        (
            Column("Model"),
            Column("Term"),
            Column("χ²", "right"),
            Column("df", "right"),
            Column("p", "right"),
        ),
        tuple(rows),
        footnotes=(
            'Grambsch & Therneau 1994; R survival::cox.zph(fit, transform = "km"). A small p '
            "suggests the hazard ratio changes over time.",
        ),
    )


def _subgroup_table(item: EndpointResult, models: ModelOutcome) -> Table:
    rows = []
    for analysis in models.subgroups:
        rows.append(
            Row(
                (
                    analysis.variable,
                    "",
                    "",
                    "",
                    f"χ² = {analysis.chisq:.2f}, df {analysis.df}, {fmt_p(analysis.p)}",
                ),
                emphasis=True,
            )
        )
        for level in analysis.levels:
            estimate = (
                f"{level.hr:.2f} ({_number(level.lower)}–{_number(level.upper)})"
                if level.hr is not None
                else (level.note or "not estimable")
            )
            rows.append(Row((level.level, level.n, level.events, estimate, ""), level=1))
    reference = models.subgroups[0].reference if models.subgroups else ""
    compared = models.subgroups[0].compared if models.subgroups else ""
    return Table(
        f"{item.id}-subgroups",
        "Subgroups: hazard ratio per level and the interaction test (analysis plan)",
        (
            Column("Subgroup / level"),
            Column("Patients", "right"),
            Column("Events", "right"),
            Column(f"HR, {compared} vs {reference} (95% CI)", "right"),
            Column("Interaction (likelihood ratio)", "right"),
        ),
        tuple(rows),
        footnotes=(
            "Patients without a value form the level 'missing' (not dropped). Interaction: "
            "likelihood-ratio test of arm × subgroup in a Cox model (Efron ties).",
        ),
    )


def model_blocks(item: EndpointResult, outcome: TteOutcome) -> list[Block]:
    models = outcome.models
    if models is None:
        return []
    blocks: list[Block] = []
    if models.adjusted is not None:
        blocks.append(_cox_table(item, models, models.adjusted))
    tests = [
        (name, test)
        for name, test in (("unadjusted", models.ph_unadjusted), ("adjusted", models.ph_adjusted))
        if test is not None
    ]
    if tests:
        blocks.append(_ph_table(item, tests))
    if models.subgroups:
        blocks.append(_subgroup_table(item, models))
    return blocks
