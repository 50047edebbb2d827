"""`oncotrial history`: the audit trail of one record."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from oncotrial.cli._output import console
from oncotrial.cli._store import db_option, open_store

__all__ = ["history"]


@click.command()
@click.argument("record")
@click.option("--trial", "trial_id", help="Trial id (when the database holds several).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@db_option
def history(record: str, trial_id: str | None, fmt: str, db: str | None) -> None:
    """Show who created, changed or deleted a record, when, why, and the old and new values.

    RECORD is a subject id (its DM record) or USUBJID/DOMAIN/SEQ. The history cannot be edited:
    the database refuses any change to it.

    \b
    Example:
      oncotrial history NCT07064876-01-0003/AE/2
      oncotrial history NCT07064876-01-0003 --format json
    """
    open_store(db)
    from oncotrial.store.records import parse_record, record_history

    entries = record_history(parse_record(record), trial_id)
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "when": e.when.isoformat(),
                        "user": e.user,
                        "action": e.action,
                        "reason": e.reason,
                        "changes": [
                            {"field": f, "old": _plain(old), "new": _plain(new)}
                            for f, old, new in e.changes
                        ],
                    }
                    for e in entries
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=f"History of {escape(record)}", header_style="bold", show_lines=True)
    for column in ("When (UTC)", "User", "Action", "Reason", "Changes"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        if entry.action == "created":
            changes = f"{len(entry.changes)} value(s) entered"
        elif entry.action == "deleted":
            changes = "record deleted"
        else:
            changes = "\n".join(
                f"{name}: {_plain(old)!s} → {_plain(new)!s}" for name, old, new in entry.changes
            )
        table.add_row(
            entry.when.strftime("%Y-%m-%d %H:%M:%S"),
            escape(entry.user or "—"),
            entry.action,
            escape(entry.reason or ""),
            escape(changes),
        )
    console.print(table)


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)
