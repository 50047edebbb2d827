"""Options and set-up shared by the commands that use the trial database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from oncotrial.errors import ConfigurationError

__all__ = ["ctcae_option", "db_option", "load_dictionary", "open_store", "user_option"]

F = TypeVar("F", bound=Callable[..., Any])


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db",
        metavar="PATH|URL",
        help="SQLite file or postgresql:// URL (default: $ONCOTRIAL_DB, $DATABASE_URL, else "
        "oncotrial.sqlite3 in the data directory).",
    )(function)


def user_option(function: F) -> F:
    return click.option(
        "--user",
        "user",
        metavar="NAME",
        help="Who makes the change, for the audit trail (default: your login name).",
    )(function)


def ctcae_option(function: F) -> F:
    return click.option(
        "--ctcae",
        "ctcae",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A CTCAE dictionary file (default: $ONCOTRIAL_CTCAE, the data directory's "
        "CTCAE_v5.0.xlsx/.csv, else NCI's CTCAE v5.0 shipped with oncotrial).",
    )(function)


def open_store(db: str | None, *, migrated: bool = True) -> dict[str, Any]:
    """Configure Django for the database; with ``migrated`` insist it has been initialised."""
    from oncotrial.store import configure
    from oncotrial.store.settings import describe_database

    config = configure(db)
    if config["ENGINE"].endswith("sqlite3") and migrated and not Path(config["NAME"]).exists():
        raise ConfigurationError(
            f"there is no trial database at {config['NAME']}",
            hint="Create it with `oncotrial db init` (and the same --db).",
        )
    try:
        from django.db import connection

        connection.ensure_connection()
    except Exception as exc:  # the driver's own error types differ by backend
        raise ConfigurationError(
            f"cannot open the database ({describe_database(config)}): {exc}".replace("\n", " "),
            hint="Check --db / DATABASE_URL and that the server is running.",
        ) from exc
    if migrated:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise ConfigurationError(
                f"the database ({describe_database(config)}) is not initialised or not up to date",
                hint="Run `oncotrial db init` (with the same --db).",
            )
    return config


def load_dictionary(path: Path | None, *, required: bool = True) -> Any:
    """The CTCAE dictionary (None when not required and not found)."""
    from oncotrial.formats.ctcae import load_ctcae

    try:
        return load_ctcae(path)
    except ConfigurationError:
        if required or path is not None:
            raise
        return None
