"""Text rendering of the analysis-plan statistics (follow-up, adjusted Cox, PH test, subgroups)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from oncotrial.cli._render import fmt_num, fmt_p, fmt_time
from oncotrial.stats.analysis import SurvivalAnalysis
from oncotrial.stats.proportions import BinomialTest

__all__ = ["render_binomial", "render_plan_statistics"]


def render_binomial(console: Console, test: BinomialTest) -> None:
    console.print(f"[bold]Exact binomial test[/] (R binom.test): {escape(test.describe())}")


def render_plan_statistics(console: Console, analysis: SurvivalAnalysis) -> None:
    level = f"{100 * analysis.conf_level:g}%"
    if analysis.followup:
        console.print("Median follow-up (reverse Kaplan-Meier)")
        follow = Table()
        for header in ("group", "median", f"{level} CI"):
            follow.add_column(header, justify="left" if header == "group" else "right")
        for name, estimate in analysis.followup.items():
            follow.add_row(
                escape(name),
                fmt_time(estimate.median),
                f"{fmt_time(estimate.lower)} – {fmt_time(estimate.upper)}",
            )
        console.print(follow)
    model = analysis.cox_adjusted
    if model is not None:
        console.print(
            f"Adjusted Cox model: {escape(model.formula)} (n = {model.n}, events = "
            f"{model.events}; ties: {model.fit.ties})"
        )
        if model.excluded:
            console.print(
                f"[yellow]note:[/] {len(model.excluded)} subject(s) left out for a missing "
                f"covariate: {escape(', '.join(p.record or '' for p in model.excluded[:10]))}"
            )
        terms = Table()
        for header in ("term", "HR", f"{level} CI", "coef", "SE", "Wald p"):
            terms.add_column(header, justify="left" if header == "term" else "right")
        for c in model.coefficients:
            terms.add_row(
                escape(c.name),
                fmt_num(c.hr),
                f"{fmt_num(c.lower)} – {fmt_num(c.upper)}",
                fmt_num(c.coef),
                fmt_num(c.se),
                fmt_p(c.p),
            )
        console.print(terms)
        console.print(
            f"Likelihood-ratio χ² = {model.lr_chisq:.4f}, df = {model.df}, p = {fmt_p(model.lr_p)}"
        )
        for name in model.aliased:
            console.print(f"[yellow]note:[/] {escape(name)} is aliased (not estimable; R: NA)")
    for name, test in analysis.ph_test.items():
        console.print(f"Proportional hazards, {name} model (cox.zph, transform km)")
        table = Table()
        for header in ("term", "χ²", "df", "p"):
            table.add_column(header, justify="left" if header == "term" else "right")
        for row in test.rows:
            table.add_row(escape(row.term), f"{row.chisq:.4f}", str(row.df), fmt_p(row.p))
        console.print(table)
    subgroups = analysis.subgroups
    if subgroups is not None:
        console.print(
            f"Subgroups by {escape(subgroups.variable)}: HR of {escape(subgroups.compared)} vs "
            f"{escape(subgroups.reference)} (< 1 favours {escape(subgroups.compared)})"
        )
        table = Table()
        for header in ("level", "n", "events", "HR", f"{level} CI", "note"):
            table.add_column(header, justify="left" if header in {"level", "note"} else "right")
        for level_row in subgroups.levels:
            table.add_row(
                escape(level_row.level),
                str(level_row.n),
                str(level_row.events),
                fmt_num(level_row.hr),
                f"{fmt_num(level_row.lower)} – {fmt_num(level_row.upper)}",
                escape(level_row.note or ""),
            )
        console.print(table)
        console.print(
            f"Interaction (likelihood ratio): χ² = {subgroups.chisq:.4f}, df = {subgroups.df}, "
            f"p = {fmt_p(subgroups.p)}"
        )
