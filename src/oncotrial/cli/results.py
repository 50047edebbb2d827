"""`oncotrial results`: the trial's ClinicalTrials.gov results section, generated from its data."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from rich.markup import escape

from oncotrial.cli._output import console, err_console
from oncotrial.cli._store import ctcae_option, db_option, open_store

__all__ = ["results"]


@click.command()
@click.argument("trial")
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (the provenance and checks go to FILE.checks.json beside it).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xml", "html"]),
    default="json",
    show_default=True,
    help="json: API v2 resultsSection; xml: PRS results upload XML (RRSUploadSchema.xsd); "
    "html: the Study Results page.",
)
@click.option(
    "--cutoff",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Data cut-off: records dated later are left out (default: the latest date in the data).",
)
@db_option
@ctcae_option
def results(
    trial: str,
    out_file: Path,
    fmt: str,
    cutoff: datetime | None,
    db: str | None,
    ctcae: Path | None,
) -> None:
    """Write a trial's ClinicalTrials.gov results section from its data, with checks.

    TRIAL is a trial id of the database. The participant flow, baseline characteristics, one
    outcome measure per registered outcome (with its statistical analyses), adverse events and
    more information are generated from the same analysis as `oncotrial report` at the same
    cut-off (docs/results.md). The output is a DRAFT: the checks list what a person must fix or
    write before posting.

    \b
    Example:
      oncotrial results NCT07064876 --out results.json
      oncotrial results 001 --cutoff 2026-01-31 --format html --out results.html
    """
    from oncotrial.analysis import analyse_trial
    from oncotrial.app.dictionary import find_dictionary
    from oncotrial.app.trial_data import load_from_store
    from oncotrial.formats.plan_files import find_trial_plan
    from oncotrial.results import build_results
    from oncotrial.results.render import render

    open_store(db)
    dictionary, reason = find_dictionary(ctcae)
    data = load_from_store(trial)
    # The trial's reviewed analysis plan, as `oncotrial report` follows it (app/reporting.py):
    # the same analysis, so every number posted is the report's.
    identity = data.protocol.identity
    reviewed = find_trial_plan(identity.local_id, identity.nct_id, data.trial_id)
    analysed = analyse_trial(
        data,
        cutoff=cutoff.date() if cutoff else None,
        ctcae=dictionary,
        ctcae_reason=reason,
        sap=reviewed.plan if reviewed is not None else None,
    )
    made = build_results(analysed)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(render(made, fmt), encoding="utf-8")
    checks = out_file.with_name(out_file.name + ".checks.json")
    checks.write_text(
        json.dumps(
            {
                "trial": made.trial_id,
                "cutoff": made.cutoff,
                "draft": made.draft,
                "findings": [
                    {
                        "rule": f.rule,
                        "severity": f.severity.value,
                        "field": f.field,
                        "message": f.message,
                    }
                    for f in made.findings
                ],
                "provenance": [
                    {"path": p.path, "origin": p.origin.value, "source": p.source}
                    for p in made.provenance
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    if reason is not None:
        err_console.print(f"[yellow]note:[/] {escape(reason)}.")
    errors = [f for f in made.findings if f.severity.value == "error"]
    console.print(
        f"[bold]{escape(made.trial_id)}[/] results section (DRAFT), data cut-off {made.cutoff}: "
        f"{len(errors)} error(s), {len(made.findings) - len(errors)} item(s) to write"
    )
    for finding in made.findings:
        console.print(
            f"  {finding.severity.value:8} {escape(finding.field)}: {escape(finding.message)}",
            soft_wrap=True,
        )
    console.print(f"[green]wrote[/] {escape(str(out_file))}", soft_wrap=True)
    console.print(f"      {escape(str(checks))}", soft_wrap=True)
