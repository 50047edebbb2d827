"""`oncotrial stats`: survival analysis of a time / event / group table."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from oncotrial.cli._render import emit, fmt_num, fmt_p, fmt_time
from oncotrial.errors import OncotrialError
from oncotrial.formats.tables import read_survival_table
from oncotrial.stats.analysis import SurvivalAnalysis, survival_analysis

__all__ = ["stats"]


@click.group(name="stats")
def stats() -> None:
    """Survival statistics: Kaplan-Meier, landmarks, log-rank, Cox.

    \b
    Example:
      oncotrial stats survival os.csv --time time --event event --group arm --landmarks 6,12
    """


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
    fmt: str,
    show_table: bool,
    out: Path | None,
) -> None:
    """Kaplan-Meier by group, medians and landmarks with CIs, log-rank test and Cox HR.

    Numbers follow R's survival package (3.5-3): survfit, summary(fit)$table, summary(fit,
    times=), survdiff and coxph. JSON has the structure of the R oracle files, with `km` and
    `cox`; a median or limit not reached is null.

    \b
    Example:
      oncotrial stats survival pfs.csv --time months --event event --group arm \\
          --landmarks 6,12 --format json
    """
    times = _landmarks(landmarks)
    if not 0 < conf_level < 1:
        raise click.BadParameter("must be between 0 and 1", param_hint="--conf-level")
    table = read_survival_table(
        file, time=time_col, event=event_col, group=group_col, strata=strata_col
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
        )
    except OncotrialError as exc:
        exc.file = exc.file or str(file)
        if exc.field == "group" and group_col:
            exc.field = group_col
        elif exc.field == "landmark":
            exc.field = "--landmarks"
        raise
    document = {"file": str(file), **analysis.to_dict()}
    emit(lambda console: _render(console, analysis, str(file), show_table), document, fmt, out)


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
