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
    from oncotrial.store import open_database

    return open_database(db, migrated=migrated)


def load_dictionary(path: Path | None, *, required: bool = True) -> Any:
    """The CTCAE dictionary (None when not required and not found)."""
    from oncotrial.formats.ctcae import load_ctcae

    try:
        return load_ctcae(path)
    except ConfigurationError:
        if required or path is not None:
            raise
        return None
