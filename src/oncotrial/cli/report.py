"""`oncotrial report`: the trial report (HTML, PDF, XLSX, CSV) from the database or SDTM files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from oncotrial.cli._output import console, err_console
from oncotrial.cli._store import ctcae_option, db_option, open_store

if TYPE_CHECKING:  # types only: the command imports the report machinery when it runs
    from oncotrial.analysis.results import TrialResults
    from oncotrial.report.render import ReportFiles

__all__ = ["print_report_summary", "report"]


def print_report_summary(results: TrialResults, files: ReportFiles) -> None:
    """The endpoints' headlines and where the files are."""
    from oncotrial.report.trial import headline

    table = Table(header_style="bold", title=None, show_lines=False)
    table.add_column("Registration", no_wrap=True)
    table.add_column("Endpoint")
    table.add_column("Result")
    for item in results.endpoints:
        table.add_row(
            escape(item.label), escape(item.endpoint.title), escape(headline(item, short=True))
        )
    console.print(table)
    # Paths are printed whole (soft wrap): a path broken over two lines cannot be copied.
    console.print(f"[green]wrote[/] {escape(str(files.html))}", soft_wrap=True)
    console.print(f"      {escape(str(files.pdf))}", soft_wrap=True)
    console.print(
        f"      {escape(str(files.xlsx))} and {len(files.csv)} CSV tables in "
        f"{escape(str(files.html.parent / 'tables'))}",
        soft_wrap=True,
    )


@click.command()
@click.argument("trial", required=False)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, report.pdf, report.xlsx and tables/*.csv.",
)
@click.option(
    "--cutoff",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Data cut-off: records dated later are left out (default: the latest date in the data).",
)
@click.option(
    "--sdtm",
    type=click.Path(file_okay=False, path_type=Path),
    help="Report an SDTM folder (one file per domain) instead of a trial of the database.",
)
@click.option(
    "--protocol",
    help="Trial id, seed file or protocol YAML (required with --sdtm; with TRIAL it replaces the "
    "stored protocol).",
)
@click.option(
    "--simulated",
    is_flag=True,
    help="Mark every page as simulated data (automatic for trials the simulator stored).",
)
@db_option
@ctcae_option
def report(
    trial: str | None,
    out_dir: Path,
    cutoff: datetime | None,
    sdtm: Path | None,
    protocol: str | None,
    simulated: bool,
    db: str | None,
    ctcae: Path | None,
) -> None:
    """Write a trial's report: every registered endpoint, computed as the registration defines it.

    TRIAL is a trial id of the database (or a protocol's local id such as 002). The report has
    a title page, the participant flow, baseline characteristics, one section per registered
    endpoint quoting the registration, figures (Kaplan-Meier, waterfall, swimmer, spider,
    forest), methods and listings — as HTML, PDF, an XLSX workbook and one CSV per table
    (docs/trial-report.md). Adverse-event tables need NCI's CTCAE v5.0 file (--ctcae); without
    it the report says why they are missing.

    \b
    Example:
      oncotrial report NCT07064876 --out report-002/
      oncotrial report 001 --cutoff 2026-01-31 --out report-001/ --db trials.sqlite3
      oncotrial report --sdtm sim002/ --protocol 002 --out report-002/ --simulated
    """
    from oncotrial.app.reporting import report_trial

    if (trial is None) == (sdtm is None):
        raise click.UsageError("give a TRIAL id of the database, or --sdtm DIR with --protocol")
    if sdtm is not None and protocol is None:
        raise click.UsageError("--sdtm needs --protocol (trial id, seed file or protocol YAML)")
    if trial is not None:
        open_store(db)
    made = report_trial(
        out_dir,
        # The clock is read here, at the edge: the report states when it was generated.
        generated=datetime.now().replace(second=0, microsecond=0),
        trial=trial,
        sdtm=sdtm,
        protocol=protocol,
        simulated=simulated,
        cutoff=cutoff.date() if cutoff else None,
        ctcae=ctcae,
    )
    if made.ctcae_reason is not None:
        err_console.print(f"[yellow]note:[/] {escape(made.ctcae_reason)}.")
    results = made.results
    console.print(
        f"[bold]{escape(results.trial_id)}[/] — {escape(results.protocol.title)}\n"
        f"data cut-off {results.cutoff.isoformat()}"
        + ("" if results.cutoff_stated else " (latest date in the data)")
        + f"; {results.sets.enrolled} {'randomized' if results.randomized else 'enrolled'}"
        + (" — SIMULATED DATA" if results.simulated else "")
    )
    print_report_summary(results, made.files)
