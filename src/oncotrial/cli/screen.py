"""`oncotrial screen`: screen patients against a protocol's eligibility rules."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import click
from rich.markup import escape

from oncotrial.cli._output import console
from oncotrial.eligibility.outcome import RuleResult, Status
from oncotrial.eligibility.screening import ScreeningResult, Verdict, screen_patients
from oncotrial.errors import InputError
from oncotrial.formats.patients import read_patient_file, read_patient_folder
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.protocol.model import Protocol

__all__ = ["screen"]

_MARK = {
    Verdict.PASSES: "[green]✓[/]",
    Verdict.FAILS: "[red]✗[/]",
    Verdict.UNKNOWN: "[yellow]?[/]",
    Verdict.INVESTIGATOR: "[cyan]○[/]",
}
_STATUS = {
    Status.MET: "[green]met[/]",
    Status.NOT_MET: "[red]not met[/]",
    Status.UNKNOWN: "[yellow]unknown[/]",
    Status.INVESTIGATOR: "[cyan]investigator[/]",
}


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


@click.command()
@click.option(
    "--protocol",
    "reference",
    required=True,
    help="Trial id (NCT number, local id) or a protocol YAML / registry file.",
)
@click.option(
    "--patient",
    "patient_file",
    type=click.Path(path_type=Path),
    help="One patient file: JSON record, CSV (one fact per row) or FHIR R4 bundle.",
)
@click.option(
    "--patients",
    "patient_dir",
    type=click.Path(path_type=Path),
    help="A folder of patient files (.json and .csv).",
)
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Screening date, YYYY-MM-DD (default: today)."
)
@click.option(
    "--first-dose",
    "first_dose",
    metavar="DATE",
    help="Planned first dose, YYYY-MM-DD (default: each record's planned_first_dose, "
    "else the as-of date); time windows run back from it.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result to this file instead of the terminal.",
)
def screen(
    reference: str,
    patient_file: Path | None,
    patient_dir: Path | None,
    as_of: str | None,
    first_dose: str | None,
    fmt: str,
    out: Path | None,
) -> None:
    """Screen patients against a protocol's eligibility criteria.

    For every criterion: met, not met or unknown (naming the missing data), with the evidence
    used (value, unit, date, converted value, limit) and the rule; items without computable
    rules are left to the investigator. Overall: eligible, not eligible (with the failing
    criteria) or incomplete (with what to collect), plus the investigator's checklist.

    \b
    Example:
      oncotrial screen --protocol 002 --patient patient.json --as-of 2025-03-01
      oncotrial screen --protocol 001 --patients screening/ --format csv --out screen.csv
      oncotrial screen --protocol NCT07064876 --patient bundle.json --format json
    """
    if (patient_file is None) == (patient_dir is None):
        raise click.UsageError("give exactly one of --patient FILE or --patients DIR")
    as_of_date = _date(as_of, "--as-of") or dt.date.today()
    first = _date(first_dose, "--first-dose")
    protocol = find_protocol(reference)
    if patient_file is not None:
        patients = read_patient_file(patient_file)
    else:
        assert patient_dir is not None  # exactly one of the two was given (checked above)
        patients = read_patient_folder(patient_dir)
    if not patients:
        raise InputError("no patients to screen", file=str(patient_file or patient_dir))
    results = screen_patients(protocol.eligibility, patients, as_of=as_of_date, first_dose=first)
    if fmt == "json":
        data = [r.model_dump(mode="json") for r in results]
        text = (
            json.dumps(
                data[0] if patient_file and len(data) == 1 else data, indent=2, ensure_ascii=False
            )
            + "\n"
        )
        _emit(text, out)
    elif fmt == "csv":
        _emit(_csv(results), out)
    elif out is not None:
        with out.open("w", encoding="utf-8") as handle:
            from rich.console import Console

            file_console = Console(file=handle, width=120, highlight=False, no_color=True)
            for result in results:
                _render(result, protocol, file_console)
    else:
        for result in results:
            _render(result, protocol, console)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _csv(results: tuple[ScreeningResult, ...]) -> str:
    from oncotrial.formats.cells import neutralise_formula

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "patient_id",
            "overall",
            "criterion_id",
            "kind",
            "status",
            "verdict",
            "missing",
            "evidence",
            "rules",
        ]
    )
    for result in results:
        for c in result.criteria:
            evidence = "; ".join(e.describe() for r in _flat(c.rules) for e in r.evidence)
            rules = "; ".join(f"{r.rule_id} {r.status.value}" for r in c.rules)
            writer.writerow(
                neutralise_formula(v)  # formats/cells.py (OWASP CSV injection)
                for v in [
                    result.patient_id,
                    result.overall.value,
                    c.criterion_id,
                    c.kind,
                    c.status.value,
                    c.verdict.value,
                    "; ".join(c.missing),
                    evidence,
                    rules,
                ]
            )
    return buffer.getvalue()


def _flat(rules: tuple[RuleResult, ...]) -> list[RuleResult]:
    found: list[RuleResult] = []
    for rule in rules:
        found.append(rule)
        found.extend(_flat(rule.parts))
    return found


def _render(result: ScreeningResult, protocol: Protocol, target: object) -> None:
    from rich.console import Console

    assert isinstance(target, Console)
    dates = f"as of {result.as_of.isoformat()}"
    dates += (
        f"; first dose {result.first_dose.isoformat()}"
        if result.first_dose
        else "; no planned first dose"
    )
    target.print(
        f"[bold]Patient {escape(result.patient_id)}[/] — {escape(protocol.trial_id)} ({dates})"
    )
    overall = result.overall.value.upper()
    colour = {"ELIGIBLE": "green", "NOT ELIGIBLE": "red", "INCOMPLETE": "yellow"}[overall]
    line = f"[bold {colour}]{overall}[/]"
    if result.failing:
        line += f": fails {', '.join(result.failing)}"
    elif result.to_collect:
        line += f": {len(result.to_collect)} item(s) to collect"
    if result.checklist:
        line += f"; investigator checklist {len(result.checklist)} item(s)"
    target.print(line)
    for c in result.criteria:
        text = c.text if len(c.text) <= 90 else c.text[:87] + "…"
        target.print(
            f"{_MARK[c.verdict]} [bold]{escape(c.criterion_id)}[/] {c.kind} — "
            f"{_STATUS[c.status]} ({c.verdict.value}): {escape(text)}"
        )
        if c.sub_items:
            target.print(f"    [dim]decided by its sub-items: {', '.join(c.sub_items)}[/]")
        if not c.in_overall and not c.sub_items:
            target.print("    [dim]one alternative: the item above it decides[/]")
        for rule in c.rules:
            _render_rule(rule, target, 1)
    if result.to_collect:
        target.print("[bold]To collect:[/]")
        for item in result.to_collect:
            target.print(f"  - {escape(item)}")
    if result.checklist:
        target.print(f"[bold]Investigator checklist:[/] {', '.join(result.checklist)}")
    target.print()


def _render_rule(rule: RuleResult, target: object, depth: int) -> None:
    from rich.console import Console

    assert isinstance(target, Console)
    pad = "    " * depth
    target.print(f"{pad}{escape(rule.rule_id)} {_STATUS[rule.status]}: {escape(rule.description)}")
    for evidence in rule.evidence:
        target.print(f"{pad}  · {escape(evidence.describe())}")
    if rule.status is Status.UNKNOWN and not rule.parts:
        for item in rule.missing:
            target.print(f"{pad}  [yellow]missing:[/] {escape(item)}")
    for note in rule.notes:
        target.print(f"{pad}  [dim]note: {escape(note)}[/]")
    for part in rule.parts:
        _render_rule(part, target, depth + 1)
