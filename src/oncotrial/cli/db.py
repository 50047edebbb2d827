"""`oncotrial db`: create or migrate the trial database, and show what it holds."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from oncotrial.cli._output import console
from oncotrial.cli._store import db_option, open_store

__all__ = ["db"]


@click.group()
def db() -> None:
    """The trial database: SQLite by default, PostgreSQL with DATABASE_URL.

    \b
    Example:
      oncotrial db init
      oncotrial db status
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/trials oncotrial db init
    """


@db.command("init")
@db_option
def init(db: str | None) -> None:
    """Create the database (or bring it up to date) by applying its migrations.

    Safe to run again: it applies only what is missing and never deletes data.

    \b
    Example:
      oncotrial db init
      oncotrial db init --db trials.sqlite3
    """
    from oncotrial.store import migrate
    from oncotrial.store.settings import describe_database

    config = open_store(db, migrated=False)
    applied = migrate()
    where = escape(describe_database(config))
    if applied:
        console.print(f"[green]initialised[/] {where}: applied {len(applied)} migration(s)")
    else:
        console.print(f"{where} is up to date")


@db.command("status")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status(db: str | None, fmt: str) -> None:
    """Show the database, its migrations and the trials it holds with record counts.

    \b
    Example:
      oncotrial db status
      oncotrial db status --format json
    """
    from pathlib import Path

    from oncotrial.store.settings import database_config, describe_database

    config = database_config(db)
    if config["ENGINE"].endswith("sqlite3") and not Path(config["NAME"]).exists():
        message = f"no database yet at {config['NAME']}: create it with `oncotrial db init`"
        if fmt == "json":
            click.echo(json.dumps({"database": describe_database(config), "exists": False}))
        else:
            console.print(escape(message))
        return
    open_store(db, migrated=False)
    from oncotrial.store.trials import database_status

    state = database_status()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "database": state.database,
                    "vendor": state.vendor,
                    "applied_migrations": state.applied,
                    "pending_migrations": list(state.pending),
                    "users": state.users,
                    "trials": [
                        {
                            "trial_id": t.trial_id,
                            "title": t.title,
                            "protocol_version": t.protocol_version,
                            "subjects": t.subjects,
                            "records": t.records,
                        }
                        for t in state.trials
                    ],
                },
                indent=2,
            )
        )
        return
    console.print(f"[bold]database[/] {escape(state.database)}")
    if state.pending:
        console.print(
            f"[yellow]{len(state.pending)} migration(s) pending[/]: run `oncotrial db init`"
        )
        return
    console.print(f"migrations: {state.applied} applied, none pending; users: {state.users}")
    if not state.trials:
        console.print("no trials yet")
        return
    table = Table(header_style="bold")
    for column in ("Trial", "Protocol", "Subjects", "Records", "Title"):
        table.add_column(column, overflow="fold")
    for trial in state.trials:
        table.add_row(
            escape(trial.trial_id),
            f"v{trial.protocol_version}" if trial.protocol_version else "—",
            str(trial.subjects),
            escape(", ".join(f"{d} {n}" for d, n in trial.records.items()) or "—"),
            escape(trial.title),
        )
    console.print(table)
