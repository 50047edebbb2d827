"""`oncotrial eligibility`: propose rules from criteria text, report coverage, list rules."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from oncotrial.cli._output import console
from oncotrial.eligibility.coverage import CoverageReport, coverage_report
from oncotrial.eligibility.parser import read_eligibility
from oncotrial.eligibility.rules import Rule, children
from oncotrial.formats.protocol_files import dump_protocol_yaml, find_protocol
from oncotrial.protocol.model import FieldSource, Provenance

__all__ = ["eligibility"]


@click.group()
def eligibility() -> None:
    """Computable eligibility: propose rules from criteria text, coverage, the rules in force.

    \b
    Example:
      oncotrial eligibility parse NCT04267848.json
      oncotrial eligibility coverage 002
      oncotrial eligibility rules 001
    """


# eligibility.sublists: an item that introduces a list is decided by the sub-items under it
_DECIDED_BY = {
    "all": "no rule of its own: decided by its sub-items, each required",
    "any": "no rule of its own: decided by its sub-items, one of them enough (alternatives)",
}


def _print_rule(rule: Rule, depth: int = 1) -> None:
    pad = "    " * depth
    source = f"  [dim]← “{escape(rule.source.text)}”[/]" if rule.source else ""
    console.print(
        f"{pad}[bold]{escape(rule.id)}[/] {rule.kind}: {escape(rule.description)}{source}"
    )
    if rule.note:
        console.print(f"{pad}  [yellow]note:[/] {escape(rule.note)}")
    for part in children(rule):
        _print_rule(part, depth + 1)


@eligibility.command("parse")
@click.argument("reference")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the protocol YAML with the proposed rules (for review) to this file.",
)
def parse(reference: str, out: Path | None) -> None:
    """Propose rules for every criterion item, each with the text it was read from.

    REFERENCE is a trial id or a file (registry record or protocol YAML). The rules are a
    proposal for a person to accept or edit; warnings say what to confirm. With --out the
    protocol is written with the proposals, marked 'derived' in its provenance.

    \b
    Example:
      oncotrial eligibility parse ../shared/reference/ctgov/NCT04267848.json
      oncotrial eligibility parse 002 --out 002-proposed.yaml
    """
    protocol = find_protocol(reference)
    readings = read_eligibility(protocol.eligibility)
    for reading in readings:
        c = reading.criterion
        text = c.text if len(c.text) <= 100 else c.text[:97] + "…"
        console.print(f"[bold cyan]{escape(c.id)}[/] ({c.kind}) {escape(text)}")
        if c.sub_items is not None:
            console.print(f"    [dim]{_DECIDED_BY[c.sub_items]}[/]")
        elif not c.rules:
            console.print("    [dim]no rule: investigator checklist item[/]")
        for rule in c.rules:
            _print_rule(rule)
        for warning in reading.warnings:
            console.print(f"    [yellow]warning:[/] {escape(warning)}")
        if reading.not_understood:
            shown = ", ".join(n.text for n in reading.not_understood)
            console.print(f"    [magenta]numbers not understood:[/] {escape(shown)}")
    if out is not None:
        by_id = {r.criterion.id: r.criterion for r in readings}
        provenance = list(protocol.provenance)
        updated = {}
        for section in ("inclusion", "exclusion"):
            items = getattr(protocol.eligibility, section)
            updated[section] = tuple(by_id[c.id] for c in items)
            for index, item in enumerate(updated[section]):
                if item.rules:
                    provenance.append(
                        Provenance(
                            field=f"eligibility.{section}[{index}].rules",
                            source=FieldSource.DERIVED,
                            note="proposed by oncotrial.eligibility.parser; not yet reviewed",
                        )
                    )
        proposed = protocol.model_copy(
            update={
                "eligibility": protocol.eligibility.model_copy(update=updated),
                "provenance": tuple(provenance),
            }
        )
        out.write_text(dump_protocol_yaml(proposed), encoding="utf-8")
        console.print(f"[green]written[/] {escape(str(out))}")


@eligibility.command("coverage")
@click.argument("reference")
@click.option(
    "--rules",
    "source",
    type=click.Choice(["parser", "protocol"]),
    default="parser",
    show_default=True,
    help="parser: what the parser reads from the text; protocol: the rules the "
    "protocol carries (the reviewed ones for the bundled seeds).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def coverage(reference: str, source: str, fmt: str) -> None:
    """Report which criteria are computable, partly computable or checklist items.

    Lists, per item, its rules, the numbers in its text that no rule accounts for, and the
    parser's warnings.

    \b
    Example:
      oncotrial eligibility coverage 002
      oncotrial eligibility coverage 001 --rules protocol
      oncotrial eligibility coverage ../shared/reference/ctgov/NCT04267848.json --format json
    """
    protocol = find_protocol(reference)
    report = coverage_report(protocol.eligibility, "parser" if source == "parser" else "protocol")
    if fmt == "json":
        click.echo(
            json.dumps(_coverage_json(protocol.trial_id, report), indent=2, ensure_ascii=False)
        )
        return
    console.print(f"[bold]{escape(protocol.trial_id)}[/] — rules from the {source}")
    for item in report.items:
        c = item.criterion
        text = c.text if len(c.text) <= 80 else c.text[:77] + "…"
        colour = {"computable": "green", "partial": "yellow", "checklist": "cyan"}[item.level]
        console.print(
            f"[{colour}]{item.level:<10}[/] [bold]{escape(c.id):<6}[/] "
            f"{item.rules} rule(s)  {escape(text)}"
        )
        if item.not_understood:
            shown = ", ".join(n.text for n in item.not_understood)
            console.print(f"{'':17}[magenta]numbers not understood:[/] {escape(shown)}")
        for warning in item.warnings:
            console.print(f"{'':17}[yellow]warning:[/] {escape(warning)}")
    console.print(f"[bold]{escape(report.summary())}[/]")


def _coverage_json(trial_id: str, report: CoverageReport) -> dict[str, object]:
    return {
        "trial_id": trial_id,
        "source": report.source,
        "summary": {
            "items": len(report.items),
            "computable": report.count("computable"),
            "partial": report.count("partial"),
            "checklist": report.count("checklist"),
            "numbers": report.numbers,
            "numbers_understood": report.numbers_understood,
            "warnings": len(report.warnings),
        },
        "items": [
            {
                "id": item.criterion.id,
                "kind": item.criterion.kind.value,
                "level": item.level,
                "rules": [
                    r.model_dump(mode="json", exclude_defaults=True) for r in item.criterion.rules
                ],
                "numbers_not_understood": [n.text for n in item.not_understood],
                "warnings": list(item.warnings),
            }
            for item in report.items
        ],
    }


@eligibility.command("rules")
@click.argument("reference")
def rules(reference: str) -> None:
    """List the rules a protocol carries, with their sources, for audit.

    \b
    Example:
      oncotrial eligibility rules 002
    """
    protocol = find_protocol(reference)
    for section in ("inclusion", "exclusion"):
        for index, c in enumerate(getattr(protocol.eligibility, section)):
            text = c.text if len(c.text) <= 100 else c.text[:97] + "…"
            console.print(f"[bold cyan]{escape(c.id)}[/] ({c.kind}) {escape(text)}")
            if c.sub_items is not None:
                console.print(f"    [dim]{_DECIDED_BY[c.sub_items]}[/]")
                continue
            if not c.rules:
                console.print("    [dim]investigator checklist item[/]")
                continue
            where = protocol.provenance_of(f"eligibility.{section}[{index}].rules")
            console.print(
                f"    [dim]{where.source.value}{': ' + escape(where.note) if where.note else ''}[/]"
            )
            for rule in c.rules:
                _print_rule(rule)
