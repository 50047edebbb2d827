"""`oncotrial demo`: the main job on the five bundled seed trials."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oncotrial.catalogue.durations import DAYS_PER_MONTH
from oncotrial.cli._output import console, err_console
from oncotrial.cli._store import ctcae_option

if TYPE_CHECKING:  # types only: the command imports the simulator when it runs
    from oncotrial.app.demo import DemoResult
    from oncotrial.stats.km import QuantileEstimate

__all__ = ["demo"]


def _ci(lower: float | None, upper: float | None, scale: float, digits: int = 1) -> str:
    low = "NR" if lower is None else f"{lower * scale:.{digits}f}"
    high = "NR" if upper is None else f"{upper * scale:.{digits}f}"
    return f"{low}–{high}"


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the five reports (default: demo/reports in the data directory).",
)
@click.option(
    "--seed-offset",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Added to each scenario's seed: another draw of the same scenarios.",
)
@ctcae_option
def demo(out_dir: Path | None, seed_offset: int, ctcae: Path | None) -> None:
    """Run the main job on the five bundled seed trials, end to end.

    Creates the demo database (its own SQLite file in the data directory, replaced on every
    run; no other database is touched), loads the five reviewed seed protocols, simulates each
    trial's planned enrollment under the demo scenario (assumed effects, docs/demo.md), stores
    it, reads it back, derives responses and every registered endpoint, and writes each
    trial's report (HTML, PDF, XLSX, CSV). Prints a summary table and where the reports are.
    Adverse events are checked against NCI's CTCAE v5.0, shipped with oncotrial, or the
    dictionary named by --ctcae or ONCOTRIAL_CTCAE; the summary and the reports say which.

    \b
    Example:
      oncotrial demo
      ONCOTRIAL_CTCAE=CTCAE_v6.0.xlsx oncotrial demo --out demo-reports/
    """
    from oncotrial.app import demo as use_case
    from oncotrial.app.demo import DEMO_DB_NAME, demo_folder, run_demo

    database = demo_folder() / DEMO_DB_NAME
    verb = "replacing" if database.exists() else "creating"
    console.print(f"{verb} the demo database {escape(str(database))}", soft_wrap=True)
    # One step to create the database, then simulate, store and report each trial.
    total = 1 + 3 * len(use_case.DEMO_SCENARIOS)
    started = datetime.now()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=total)

        def progress(step: str) -> None:
            bar.update(task, description=step, advance=1)

        result = run_demo(
            now=started.replace(second=0, microsecond=0),
            reports=out_dir,
            ctcae=ctcae,
            seed_offset=seed_offset,
            progress=progress,
        )
    elapsed = (datetime.now() - started).total_seconds()
    _print_summary(result)
    if result.dictionary:
        console.print(f"adverse events checked against {escape(result.dictionary)}")
    if result.dictionary_reason:
        err_console.print(
            f"[yellow]note:[/] adverse-event tables are not in the reports: "
            f"{escape(result.dictionary_reason)}."
        )
    # Paths are printed whole (soft wrap): a path broken over two lines cannot be copied.
    console.print(f"\nreports in {escape(str(result.reports))}:", soft_wrap=True)
    for trial in result.trials:
        console.print(f"  {escape(str(trial.html))}", soft_wrap=True)
    first = result.trials[0]
    console.print(
        f"database {escape(str(result.database))} "
        f"({'replaced' if result.replaced else 'created'}; {len(result.trials)} trials, "
        f"{sum(t.records for t in result.trials)} records). Report one again with:\n"
        f"  oncotrial report {escape(first.scenario.trial)} --db {escape(str(result.database))} "
        f"--cutoff {first.cutoff.isoformat()} --out report-{escape(first.scenario.trial)}/",
        soft_wrap=True,
    )
    console.print(f"done in {elapsed:.1f} s")


def _median(value: QuantileEstimate | None, note: str | None) -> str:
    if value is None:
        return note or "—"
    days = DAYS_PER_MONTH
    median = value.time
    low, high = value.lower, value.upper
    text = "NR" if median is None else f"{median / days:.1f}"
    limits = _ci(None if low is None else low / days, None if high is None else high / days, 1)
    return f"{text} ({limits})"


def _print_summary(result: DemoResult) -> None:
    table = Table(
        title="Simulated trials (demo scenarios, not trial results)",
        header_style="bold",
        title_justify="left",
    )
    for name in (
        "Trial",
        "Arm",
        "N",
        "ORR (95% CI)",
        "Median PFS, months (95% CI)",
        "Median OS, months (95% CI)",
    ):
        table.add_column(name, justify="left" if name in ("Trial", "Arm") else "right")
    for trial in result.trials:
        several = len(trial.arms) > 1
        name = trial.scenario.trial
        if trial.trial_id != name:
            name += f" ({trial.trial_id})"
        for index, arm in enumerate(trial.arms):
            p = arm.orr
            orr = (
                f"{p.count}/{p.total} {100 * p.estimate:.0f}% ({_ci(p.lower, p.upper, 100, 0)})"
                if p is not None
                else trial.orr_note or "—"
            )
            table.add_row(
                escape(name) if index == 0 else "",
                escape(arm.code) if several else "–",
                str(arm.n),
                escape(orr),
                escape(_median(arm.pfs, trial.pfs_note)),
                escape(_median(arm.os, trial.os_note)),
            )
    console.print(table)
    for trial in result.trials:
        if len(trial.arms) > 1:
            console.print(
                f"{escape(trial.scenario.trial)} arms: "
                + "; ".join(f"{escape(a.code)} = {escape(a.label)}" for a in trial.arms)
            )
    console.print(
        "ORR: confirmed best overall response in single-arm trials, unconfirmed in randomized "
        "ones (RECIST 1.1 §4.6.1); NR: not reached; N: the efficacy analysis set."
    )
