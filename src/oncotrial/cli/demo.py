"""`oncotrial demo`: the main job on the five bundled seed trials."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oncotrial.cli._output import console, err_console
from oncotrial.cli._store import ctcae_option

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

    \b
    Example:
      oncotrial demo
      ONCOTRIAL_CTCAE=CTCAE_v5.0.xlsx oncotrial demo --out demo-reports/
    """
    from oncotrial.app import demo as use_case
    from oncotrial.app.demo import DEMO_DB_NAME, arm_curves, arm_rates, demo_folder, run_demo
    from oncotrial.protocol.endpoints import EndpointKind

    database = demo_folder() / DEMO_DB_NAME
    if database.exists():
        console.print(f"replacing the demo database {escape(str(database))}")
    else:
        console.print(f"creating the demo database {escape(str(database))}")
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
        steps = {"n": 0}

        def progress(step: str) -> None:
            bar.update(task, description=step, completed=steps["n"])
            steps["n"] += 1

        result = run_demo(
            now=started.replace(second=0, microsecond=0),
            reports=out_dir,
            ctcae=ctcae,
            seed_offset=seed_offset,
            progress=progress,
        )
        bar.update(task, completed=total)
    elapsed = (datetime.now() - started).total_seconds()

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
        "Median PFS, mo (95% CI)",
        "Median OS, mo (95% CI)",
    ):
        table.add_column(name, justify="left" if name in ("Trial", "Arm") else "right")
    for trial in result.trials:
        results = trial.results
        rates = arm_rates(results)
        pfs = arm_curves(results, EndpointKind.PFS)
        os_ = arm_curves(results, EndpointKind.OS)
        for index, arm in enumerate(results.arms):
            n = int((results.sets.efficacy["ARM"].astype(str) == arm.label).sum())
            if isinstance(rates, dict) and arm.label in rates:
                p = rates[arm.label]
                orr = (
                    f"{p.count}/{p.total} {100 * p.estimate:.0f}% ({_ci(p.lower, p.upper, 100, 0)})"
                )
            else:
                orr = rates if isinstance(rates, str) else "—"
            cells = []
            for curves in (pfs, os_):
                if isinstance(curves, dict) and arm.label in curves:
                    median = curves[arm.label].median
                    days = 365.25 / 12
                    value = "NR" if median.time is None else f"{median.time / days:.1f}"
                    low = None if median.lower is None else median.lower / days
                    high = None if median.upper is None else median.upper / days
                    cells.append(f"{value} ({_ci(low, high, 1)})")
                else:
                    cells.append(curves if isinstance(curves, str) else "—")
            name = trial.scenario.trial
            if results.trial_id != name:
                name += f" ({results.trial_id})"
            table.add_row(
                escape(name) if index == 0 else "",
                escape(arm.code) if len(results.arms) > 1 else "–",
                str(n),
                escape(orr),
                escape(cells[0]),
                escape(cells[1]),
            )
    console.print(table)
    for trial in result.trials:
        arms = trial.results.arms
        if len(arms) > 1:
            console.print(
                f"{escape(trial.scenario.trial)} arms: "
                + "; ".join(f"{escape(a.code)} = {escape(a.label)}" for a in arms)
            )
    console.print(
        "ORR: confirmed best overall response in single-arm trials, unconfirmed in randomized "
        "ones (RECIST 1.1 §4.6.1); NR: not reached. Efficacy analysis sets."
    )
    if result.dictionary_reason:
        err_console.print(
            f"[yellow]note:[/] adverse-event tables are not in the reports: "
            f"{escape(result.dictionary_reason)}."
        )
    console.print(f"\nreports in {escape(str(result.reports))}:")
    for trial in result.trials:
        console.print(f"  {escape(str(trial.report.files.html))}")
    console.print(
        f"database {escape(str(result.database))} "
        f"({'replaced' if result.replaced else 'created'}; {len(result.trials)} trials, "
        f"{sum(t.records for t in result.trials)} records). Report one again with:\n"
        f"  oncotrial report {escape(result.trials[0].trial_id)} --db "
        f"{escape(str(result.database))} --out report-{escape(result.trials[0].scenario.trial)}/"
    )
    console.print(f"done in {elapsed:.1f} s")
