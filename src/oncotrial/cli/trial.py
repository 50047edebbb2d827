"""`oncotrial trial`: import registry records, show trial pages, list known trials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table

from oncotrial.cli._output import console, err_console
from oncotrial.errors import InputError
from oncotrial.formats.protocol_index import bundled_summaries, library_dir, library_summaries
from oncotrial.protocol.vocabulary import label

if TYPE_CHECKING:
    from oncotrial.protocol.page import TrialPage

# The protocol model (pydantic, with the eligibility rules) is imported by the commands that read
# a protocol in full, not by `trial list`, which reads the validated summaries (issue 11: under
# 0.3 s of CPU).

__all__ = ["trial"]


@click.group()
def trial() -> None:
    """Trial protocols: import registry records, show trial pages, list trials.

    \b
    Example:
      oncotrial trial import NCT04267848.json
      oncotrial trial show NCT07064876
      oncotrial trial list
    """


@trial.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the protocol YAML files (default: the data directory's protocols/).",
)
def import_(file: Path, out_dir: Path | None) -> None:
    """Import a registry record (or protocol YAML) and write one protocol YAML per trial.

    FILE may be ClinicalTrials.gov API v2 JSON (one study or a `studies` page), the
    ClinicalTrials.gov CSV export, a registry page saved as text, the one-field-per-line text
    export, a summary with bulleted criteria, or an oncotrial protocol YAML. The import is
    all-or-nothing: if any study in the file is bad, nothing is written.

    \b
    Example:
      oncotrial trial import NCT04267848.json --out protocols/
      oncotrial trial import ctgov_search_results.csv
    """
    from oncotrial.formats.protocol_files import dump_protocol_yaml, read_protocols

    protocols = read_protocols(file)  # raises before anything is written
    folder = out_dir or library_dir()
    targets = [folder / f"{p.trial_id}.yaml" for p in protocols]
    duplicates = {t for t in targets if targets.count(t) > 1}
    if duplicates:
        raise InputError(
            "the file holds several studies with the same id "
            f"({', '.join(sorted(t.stem for t in duplicates))}); nothing was written",
            file=str(file),
        )
    texts = [dump_protocol_yaml(p) for p in protocols]
    folder.mkdir(parents=True, exist_ok=True)
    for target, text in zip(targets, texts, strict=True):
        target.write_text(text, encoding="utf-8")
    for protocol, target in zip(protocols, targets, strict=True):
        console.print(
            f"[green]imported[/] {escape(protocol.trial_id)}: {escape(protocol.title)} → "
            f"{escape(str(target))}"
        )
        for note in protocol.source.notes:
            err_console.print(f"  [yellow]note:[/] {escape(note)}")
        for warning in protocol.consistency_warnings():
            err_console.print(f"  [yellow]check:[/] {escape(warning)}")


@trial.command("show")
@click.argument("reference")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "yaml"]),
    default="text",
    show_default=True,
    help="text: the trial page; json: the full protocol; yaml: the protocol YAML.",
)
def show(reference: str, fmt: str) -> None:
    """Show a trial page: by id (NCT number, local id, org study id) or from a file.

    The page has the sections of a registry page in its order: basic information, summary,
    design, groups and interventions, outcomes (with how oncotrial computes each), eligibility,
    sponsors, locations and identifiers.

    \b
    Example:
      oncotrial trial show NCT07064876
      oncotrial trial show 000 --format json
      oncotrial trial show ../shared/seeds/002_11ecc4cabfc7ed5e.txt
    """
    from oncotrial.formats.protocol_files import dump_protocol_yaml, find_protocol
    from oncotrial.protocol.page import build_trial_page

    protocol = find_protocol(reference)
    if fmt == "json":
        click.echo(json.dumps(protocol.model_dump(mode="json"), indent=2, ensure_ascii=False))
    elif fmt == "yaml":
        click.echo(dump_protocol_yaml(protocol), nl=False)
    else:
        render_trial_page(build_trial_page(protocol))


def render_trial_page(page: TrialPage) -> None:
    title = f"[bold]{escape(page.title)}[/]\n[dim]{escape(page.trial_id)}[/]"
    if page.subtitle:
        title += f"\n{escape(page.subtitle)}"
    console.print(Panel(title, expand=True))
    for section in page.sections:
        console.rule(f"[bold cyan]{escape(section.title)}[/]", align="left")
        if section.facts:
            facts = Table.grid(padding=(0, 2))
            facts.add_column(style="bold")
            facts.add_column()
            for key, value in section.facts:
                facts.add_row(escape(key), escape(value))
            console.print(facts)
        if section.text:
            console.print(escape(section.text))
        for item in section.items:
            indent = "  " * item.depth
            if section.title == "Eligibility Criteria":
                console.print(f"{indent}[bold]{escape(item.heading)}[/]  {escape(item.text or '')}")
                continue
            console.print(f"\n{indent}[bold]■ {escape(item.heading)}[/]")
            for key, value in item.facts:
                console.print(f"{indent}  [dim]{escape(key)}:[/] {escape(value)}")
            if item.text:
                console.print(Padding(escape(item.text), (0, 0, 0, len(indent) + 2)))
        if section.rows:
            table = Table(show_lines=False, expand=True, header_style="bold")
            for name in section.header:
                table.add_column(escape(name), overflow="fold")
            for row in section.rows:
                table.add_row(*(escape(cell) for cell in row))
            console.print(table)
        for note in section.notes:
            console.print(f"[yellow]note:[/] {escape(note)}")


@trial.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_(fmt: str) -> None:
    """List the trials oncotrial knows: imported ones and the bundled seed trials.

    \b
    Example:
      oncotrial trial list
      oncotrial trial list --format json
    """
    rows = [("imported", p) for p in library_summaries(library_dir())]
    known = {p.trial_id for _, p in rows}
    rows += [("bundled", p) for p in bundled_summaries() if p.trial_id not in known]
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "trial_id": p.trial_id,
                        "source": origin,
                        "title": p.title,
                        "phases": list(p.phases),
                        "status": p.status,
                        "enrollment": p.enrollment,
                        "arms": p.arms,
                        "endpoints": p.endpoints,
                    }
                    for origin, p in rows
                ],
                indent=2,
            )
        )
        return
    table = Table(header_style="bold", expand=True)
    for column in ("Trial", "Title", "Phase", "Status", "N", "Arms", "Endpoints", "Source"):
        if column == "Title":
            table.add_column(column, ratio=1, min_width=30)
        else:
            table.add_column(
                column,
                no_wrap=True,
                justify="right" if column in {"N", "Arms", "Endpoints"} else "left",
            )
    for origin, p in rows:
        table.add_row(
            escape(p.trial_id),
            escape(p.title),
            ", ".join(label(ph) for ph in p.phases) or "—",
            label(p.status),
            str(p.enrollment) if p.enrollment is not None else "—",
            str(p.arms),
            str(p.endpoints),
            origin,
        )
    console.print(table)
