"""`oncotrial template`: blank CSV/Excel data-entry templates with field descriptions."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from oncotrial.cli._output import console
from oncotrial.errors import InputError

__all__ = ["template"]


@click.command()
@click.argument("entity", required=False)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the blank template here (.csv with a .fields.csv beside it, or .xlsx).",
)
@click.option("--list", "list_", is_flag=True, help="List the templates.")
def template(entity: str | None, out: Path | None, list_: bool) -> None:
    """Write a blank template for ENTITY, or describe its fields.

    Fill the template and import it with `oncotrial data import FILE --template ENTITY
    --trial ID`. An Excel template has the fields' descriptions as header comments and on a
    `fields` sheet; a CSV template gets NAME.fields.csv beside it.

    \b
    Example:
      oncotrial template --list
      oncotrial template adverse_event --out adverse_events.xlsx
      oncotrial template tumour_assessment --out scans.csv
    """
    from oncotrial.formats.templates import TEMPLATES, write_template

    if list_ or entity is None:
        table = Table(header_style="bold")
        table.add_column("Template")
        table.add_column("Domains")
        table.add_column("What it holds", overflow="fold")
        for item in TEMPLATES.values():
            table.add_row(item.entity, ", ".join(item.domains), escape(item.title))
        console.print(table)
        return
    key = entity.strip().lower().replace("-", "_")
    if key not in TEMPLATES:
        raise InputError(f"no template {entity!r}", hint=f"Templates: {', '.join(TEMPLATES)}.")
    spec = TEMPLATES[key]
    if out is not None:
        if out.suffix.lower() not in {".csv", ".xlsx"}:
            raise InputError("the template file must end in .csv or .xlsx", file=str(out))
        written = write_template(key, out)
        console.print(f"[green]wrote[/] {', '.join(escape(str(p)) for p in written)}")
        return
    table = Table(title=escape(spec.title), header_style="bold")
    for column in ("Field", "Required", "Type", "Allowed / example", "Description"):
        table.add_column(column, overflow="fold")
    for field in spec.fields:
        table.add_row(
            field.name,
            "yes" if field.required else "",
            field.kind,
            escape(", ".join(field.choices) or field.example),
            escape(field.description),
        )
    console.print(table)
