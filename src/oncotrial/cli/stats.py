"""`oncotrial stats`: survival analysis of a time / event / group table."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from oncotrial.cli._render import emit, fmt_num, fmt_p, fmt_time
from oncotrial.cli._stats_render import render_binomial, render_plan_statistics
from oncotrial.errors import OncotrialError
from oncotrial.formats.tables import read_survival_table
from oncotrial.stats.analysis import SurvivalAnalysis, survival_analysis
from oncotrial.stats.proportions import exact_binomial_test

__all__ = ["stats"]


@click.group(name="stats")
def stats() -> None:
    """Survival statistics and exact tests of a proportion.

    \b
    Example:
      oncotrial stats survival os.csv --time time --event event --group arm --landmarks 6,12
      oncotrial stats proportion --events 9 --n 25 --null 0.15 --alternative greater
    """


def _names(text: str | None, option: str) -> tuple[str, ...]:
    if not text:
        return ()
    names = tuple(part.strip() for part in text.split(","))
    if any(not name for name in names) or len(set(names)) != len(names):
        raise click.BadParameter(
            f"{text!r} is not a comma-separated list of distinct column names (e.g. age,ecog)",
            param_hint=option,
        )
    return names


def _landmarks(text: str) -> tuple[float, ...]:
    if not text.strip():
        return ()
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a comma-separated list of times (e.g. 6,12)",
            param_hint="--landmarks",
        ) from None


@stats.command(name="survival")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--time", "time_col", required=True, help="Column with the time (any unit, ≥ 0).")
@click.option("--event", "event_col", required=True, help="Column with 1 = event, 0 = censored.")
@click.option("--group", "group_col", help="Column with the arm / group (two or more levels).")
@click.option("--strata", "strata_col", help="Column with strata for the log-rank test and Cox.")
@click.option(
    "--conf-type",
    type=click.Choice(["log", "log-log", "plain"]),
    default="log",
    show_default=True,
    help="Transform of the pointwise CI of S(t): log (R), log-log (SAS), plain.",
)
@click.option("--conf-level", type=float, default=0.95, show_default=True)
@click.option(
    "--ties",
    type=click.Choice(["efron", "breslow"]),
    default="efron",
    show_default=True,
    help="Cox ties: efron (R) or breslow (SAS PHREG).",
)
@click.option("--landmarks", default="", help="Comma-separated landmark times, e.g. 6,12.")
@click.option(
    "--covariates",
    help="Comma-separated covariate columns for the adjusted Cox model, e.g. age,ecog,stage "
    "(numeric columns enter as numbers, others as categories).",
)
@click.option(
    "--subgroup", "subgroup_col", help="Column for subgroup HRs and the interaction test."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--table", "show_table", is_flag=True, help="Text: also print each KM event table.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
def survival(
    file: Path,
    time_col: str,
    event_col: str,
    group_col: str | None,
    strata_col: str | None,
    conf_type: str,
    conf_level: float,
    ties: str,
    landmarks: str,
    covariates: str | None,
    subgroup_col: str | None,
    fmt: str,
    show_table: bool,
    out: Path | None,
) -> None:
    """Kaplan-Meier by group, medians and landmarks with CIs, log-rank test and Cox HR.

    Numbers follow R's survival package (3.5-3): survfit, summary(fit)$table, summary(fit,
    times=), survdiff and coxph. JSON has the structure of the R oracle files, with `km` and
    `cox`; a median or limit not reached is null. Always: `followup`, the median follow-up by
    reverse Kaplan-Meier. With --covariates: `cox_adjusted` (coxph of group + covariates,
    coefficients by R's names, e.g. groupexperimental, stageIVB) and `ph_test` (cox.zph,
    transform km, of the unadjusted and the adjusted model). With --subgroup: `subgroups` (HR
    per level, a `missing` level for empty cells, and the interaction likelihood-ratio test).
    Subjects with a missing covariate are left out of the adjusted model and counted.

    \b
    Example:
      oncotrial stats survival pfs.csv --time months --event event --group arm \\
          --landmarks 6,12 --format json
      oncotrial stats survival pfs.csv --time months --event event --group group \\
          --covariates age,ecog,stage --subgroup pdl1 --format json
    """
    times = _landmarks(landmarks)
    if not 0 < conf_level < 1:
        raise click.BadParameter("must be between 0 and 1", param_hint="--conf-level")
    covariate_cols = _names(covariates, "--covariates")
    if subgroup_col and not group_col:
        raise click.UsageError("--subgroup compares the groups within each level: give --group")
    extra = tuple(dict.fromkeys((*covariate_cols, *([subgroup_col] if subgroup_col else []))))
    table = read_survival_table(
        file, time=time_col, event=event_col, group=group_col, strata=strata_col, extra=extra
    )
    try:
        analysis = survival_analysis(
            table.time,
            table.event,
            table.group,
            landmarks=times,
            conf_type=conf_type,
            conf_level=conf_level,
            ties=ties,
            strata=table.strata,
            group_name=group_col or "group",
            covariates={name: table.extra[name] for name in covariate_cols},
            subgroup=(subgroup_col, table.extra[subgroup_col]) if subgroup_col else None,
        )
    except OncotrialError as exc:
        exc.file = exc.file or str(file)
        if exc.field == "group" and group_col:
            exc.field = group_col
        elif exc.field == "landmark":
            exc.field = "--landmarks"
        raise
    document = {"file": str(file), **analysis.to_dict()}

    def render(console: Console) -> None:
        _render(console, analysis, str(file), show_table)
        render_plan_statistics(console, analysis)

    emit(
        render,
        document,
        fmt,
        out,
    )


@stats.command(name="proportion")
@click.option("--events", type=int, required=True, help="Subjects with the outcome (x).")
@click.option("--n", "total", type=int, required=True, help="Subjects in the denominator (n).")
@click.option("--null", "p0", type=float, required=True, help="Null rate p0, e.g. 0.15.")
@click.option(
    "--alternative",
    type=click.Choice(["greater", "less", "two-sided", "two.sided"]),
    default="two-sided",
    show_default=True,
    help="Alternative hypothesis (greater: the rate exceeds p0).",
)
@click.option("--conf-level", type=float, default=0.95, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
def proportion(
    events: int,
    total: int,
    p0: float,
    alternative: str,
    conf_level: float,
    fmt: str,
    out: Path | None,
) -> None:
    """Exact binomial test of a response rate against a null rate, with its exact CI.

    As R's binom.test(x, n, p = p0, alternative): `p_value` of the chosen alternative; the
    estimate x/n and the Clopper-Pearson interval of binom.test(x, n) (two-sided, --conf-level).

    \b
    Example:
      oncotrial stats proportion --events 9 --n 25 --null 0.15 --alternative greater
      oncotrial stats proportion --events 12 --n 30 --null 0.25 --format json
    """
    test = exact_binomial_test(
        events, total, p0, alternative=alternative.replace(".", "-"), conf_level=conf_level
    )
    emit(lambda console: render_binomial(console, test), test.to_dict(), fmt, out)


def _render(console: Console, analysis: SurvivalAnalysis, source: str, show_table: bool) -> None:
    level = f"{100 * analysis.conf_level:g}%"
    console.print(
        f"[bold]Kaplan-Meier[/] — {source}: n = {analysis.n}; {level} CI, "
        f"{analysis.conf_type} transform; conventions of R survival 3.5-3"
    )
    summary = Table()
    for header in ("group", "n", "events", "median", f"{level} CI"):
        summary.add_column(header, justify="left" if header == "group" else "right")
    for name in analysis.groups:
        curve = analysis.curves[name]
        median = curve.median
        summary.add_row(
            name,
            str(curve.n),
            str(curve.events),
            fmt_time(median.time),
            f"{fmt_time(median.lower)} – {fmt_time(median.upper)}",
        )
    console.print(summary)
    if analysis.landmark_times:
        console.print("Survival at landmark times")
        marks = Table()
        for header in ("group", "time", "at risk", "S(t)", "SE", f"{level} CI"):
            marks.add_column(header, justify="left" if header == "group" else "right")
        for name in analysis.groups:
            for mark in analysis.landmarks[name]:
                marks.add_row(
                    name,
                    fmt_time(mark.time),
                    str(mark.n_risk),
                    fmt_num(mark.survival),
                    fmt_num(mark.std_err),
                    f"{fmt_num(mark.lower)} – {fmt_num(mark.upper)}",
                )
        console.print(marks)
    if analysis.logrank is not None:
        lr = analysis.logrank
        detail = ", ".join(
            f"{g}: O {o:g} / E {e:.2f}"
            for g, o, e in zip(lr.groups, lr.observed, lr.expected, strict=True)
        )
        kind = "Stratified log-rank" if lr.stratified else "Log-rank"
        console.print(f"{kind}: χ² = {lr.chisq:.4f}, df = {lr.df}, p = {fmt_p(lr.p)}  ({detail})")
    if analysis.cox is not None:
        cox = analysis.cox
        console.print(f"Cox proportional hazards (ties: {cox.ties}; reference: {cox.reference})")
        hazard = Table()
        for header in ("compared", "HR", f"{level} CI", "coef", "SE", "Wald p"):
            hazard.add_column(header, justify="left" if header == "compared" else "right")
        for term in cox.terms:
            hazard.add_row(
                term.name,
                fmt_num(term.hr),
                f"{fmt_num(term.lower)} – {fmt_num(term.upper)}",
                fmt_num(term.coef),
                fmt_num(term.se),
                fmt_p(term.p),
            )
        console.print(hazard)
        console.print(
            f"Likelihood-ratio p = {fmt_p(cox.lr_p)}; score (log-rank) p = {fmt_p(cox.score_p)}; "
            f"Wald p = {fmt_p(cox.wald_p)}"
        )
        for warning in cox.warnings:
            console.print(f"[yellow]warning:[/] {warning}")
    if show_table:
        for name in analysis.groups:
            curve = analysis.curves[name]
            rows = curve.event_rows()
            console.print(f"Event table — {name}")
            events = Table()
            for header in ("time", "at risk", "events", "S(t)", "SE", f"{level} CI"):
                events.add_column(header, justify="right")
            for i in rows.nonzero()[0]:
                events.add_row(
                    fmt_time(float(curve.times[i])),
                    str(curve.n_risk[i]),
                    str(curve.n_event[i]),
                    fmt_num(float(curve.survival[i])),
                    fmt_num(float(curve.std_err[i])),
                    f"{fmt_num(float(curve.lower[i]))} – {fmt_num(float(curve.upper[i]))}",
                )
            console.print(events)
