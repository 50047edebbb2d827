"""`oncotrial prescreen` and `oncotrial simulate omop`: prescreening on OMOP CDM warehouses."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from oncotrial.cli._output import console, err_console
from oncotrial.errors import InputError

__all__ = ["prescreen", "simulate_omop"]


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def _say(message: str) -> None:
    err_console.print(f"[dim]{escape(message)}[/]", highlight=False)


@click.command()
@click.option(
    "--protocol", "reference", required=True, help="Trial id, seed file or protocol YAML."
)
@click.option(
    "--omop",
    "target",
    required=True,
    metavar="TARGET",
    help="duckdb:///FILE.duckdb, postgresql://USER@HOST:PORT/DB or a folder of Parquet tables.",
)
@click.option("--as-of", "as_of", required=True, metavar="DATE", help="Screening date, YYYY-MM-DD.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="candidates.csv: one row per person.",
)
@click.option(
    "--engine",
    type=click.Choice(["sql", "spark", "memory"]),
    default="sql",
    show_default=True,
    help="sql: the compiled query in the warehouse (DuckDB for Parquet); spark: Parquet read "
    "by Spark local mode; memory: the in-memory reference engine.",
)
@click.option(
    "--funnel",
    "funnel_png",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the funnel (persons left after each criterion) to this PNG.",
)
def prescreen(
    reference: str,
    target: str,
    as_of: str,
    out: Path,
    engine: str,
    funnel_png: Path | None,
) -> None:
    """Prescreen an OMOP CDM warehouse for a trial: who might be eligible, and why not.

    The trial's rules run as one query where the data lives (DuckDB, PostgreSQL, Spark):
    latest results in their time windows, units converted, each criterion met, not met or
    unknown per person. Rules whose concepts the shipped map lacks are unknown and listed.

    \b
    Example:
      oncotrial simulate omop --protocol 002 --patients 10000 --seed 1 --out duckdb:///omop.duckdb
      oncotrial prescreen --protocol 002 --omop duckdb:///omop.duckdb --as-of 2026-01-01 \\
          --out candidates.csv --funnel funnel.png
    """
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.prescreen.run import funnel
    from oncotrial.prescreen.run import prescreen as run_prescreen
    from oncotrial.prescreen.warehouse import open_warehouse

    day = _date(as_of, "--as-of")
    if out.exists() and out.is_dir():
        raise InputError(f"--out {out} is a folder", hint="Name a CSV file.")
    protocol = find_protocol(reference)
    started = time.perf_counter()
    warehouse = open_warehouse(target, engine=engine)
    try:
        result = run_prescreen(
            warehouse,
            protocol.eligibility,
            as_of=day,
            engine="memory" if engine == "memory" else "sql",
            progress=_say,
        )
    finally:
        warehouse.close()
    steps = funnel(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.table.to_csv(out, index=False)
    if funnel_png is not None:
        from oncotrial.prescreen.figure import draw_funnel

        draw_funnel(steps, funnel_png, title=f"{protocol.trial_id}: prescreening funnel")
    _print_summary(protocol.trial_id, result, steps, time.perf_counter() - started)
    for item in result.unmapped:
        err_console.print(
            f"[yellow]unknown for every person[/] {escape(item.rule_id)}: no OMOP mapping for "
            f"{escape(item.reason)}",
            highlight=False,
        )
    for cid, keys in result.unverified.items():
        err_console.print(
            f"[yellow]unverified concept ids[/] {escape(cid)} rests on {escape(', '.join(keys))}"
            " (not confirmed against a public OMOP source; see docs/prescreening.md)",
            highlight=False,
        )
    console.print(
        f"candidates: {escape(str(out))}" + (f"; funnel: {funnel_png}" if funnel_png else "")
    )


def _print_summary(trial: str, result: Any, steps: Any, seconds: float) -> None:
    from rich.table import Table

    table = Table(title=f"{trial} prescreening funnel ({result.engine}, {seconds:.1f} s)")
    for column in ("step", "left", "met", "not met", "unknown", "investigator"):
        table.add_column(column, justify="left" if column == "step" else "right")
    table.add_column("unverified concept ids")
    for _, row in steps.iterrows():
        table.add_row(
            str(row["step"]),
            *(
                str(int(row.get(c, 0) or 0))
                for c in ("left", "met", "not met", "unknown", "investigator")
            ),
            escape(str(row.get("unverified concepts", "") or "")),
        )
    console.print(table)


@click.command("omop")
@click.option("--protocol", "reference", required=True, help="Trial id, seed file or YAML.")
@click.option("--patients", "n", type=click.IntRange(min=1), required=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option(
    "--as-of",
    "as_of",
    default="2026-01-01",
    show_default=True,
    metavar="DATE",
    help="The records end on this date (screen with the same --as-of).",
)
@click.option(
    "--out",
    "target",
    required=True,
    metavar="TARGET",
    help="duckdb:///FILE.duckdb, postgresql://USER@HOST:PORT/DB or a folder (Parquet).",
)
def simulate_omop(reference: str, n: int, seed: int, as_of: str, target: str) -> None:
    """Write a synthetic screening population as OMOP CDM v5.4 tables (SIMULATED data).

    Demographics, primary cancers with confirmation and size, comorbidities, laboratory results
    in mixed units at different dates, ECOG, biomarkers, drugs and procedures, with missing
    data; the same seed gives the same tables.

    \b
    Example:
      oncotrial simulate omop --protocol 002 --patients 10000 --seed 1 --out duckdb:///omop.duckdb
      oncotrial simulate omop --protocol 001 --patients 500 --out omop-parquet/
    """
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.prescreen.synthetic import write_population

    day = _date(as_of, "--as-of")
    protocol = find_protocol(reference)
    started = time.perf_counter()
    counts = write_population(
        target,
        protocol.eligibility,
        n,
        seed=seed,
        as_of=day,
        progress=lambda done: _say(f"{done:,} of {n:,} persons written"),
    )
    rows = ", ".join(f"{name} {count:,}" for name, count in counts.items())
    console.print(
        f"SIMULATED OMOP CDM v5.4 population for {escape(protocol.trial_id)} in "
        f"{escape(target)} ({time.perf_counter() - started:.1f} s): {escape(rows)}"
    )


class WithOmop(click.Command):
    """`oncotrial simulate` that also answers `oncotrial simulate omop ...` (the OMOP writer)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if args and args[0] == "omop":
            name = f"{info_name} omop" if info_name else "omop"
            return simulate_omop.make_context(name, args[1:], parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)
