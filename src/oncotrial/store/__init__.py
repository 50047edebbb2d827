"""The trial database (Django ORM; SQLite by default, PostgreSQL with DATABASE_URL).

Call ``configure()`` once before using the store (the CLI does it for every command that needs the
database); it sets Django up in code from ``oncotrial.store.settings``. Calling it again with
another database switches to that database (tests and tools that work on several).

The public functions live in small modules: ``oncotrial.store.trials`` (trials, protocol
versions, status), ``oncotrial.store.sdtm_import`` / ``sdtm_export`` (SDTM in and out),
``oncotrial.store.audit`` (users, reasons, history), ``oncotrial.store.records`` (one record:
find, update, delete, always with a reason), ``oncotrial.store.entry`` (adding or changing one
subject's record under the subject's lock), ``oncotrial.store.allocation`` (the concealed
allocation list and randomizing a subject). The tables are ``oncotrial.store.models`` (clinical
records) and ``oncotrial.store.conduct`` (roles, allocation, screening, queries, logins).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["configure", "current_database", "migrate", "open_database"]

_configured_with: dict[str, Any] | None = None


def configure(
    db: str | Path | None = None,
    *,
    extra_apps: Iterable[str] = (),
    extra_middleware: Iterable[str] = (),
    **overrides: Any,
) -> dict[str, Any]:
    """Set Django up for the store (once per process); returns the database configuration.

    A second call with a different database closes the open connections and switches to it; the
    installed apps cannot change after the first call.
    """
    global _configured_with
    import django
    from django.conf import settings

    from oncotrial.store.settings import build_settings

    wanted = build_settings(
        db, extra_apps=extra_apps, extra_middleware=extra_middleware, **overrides
    )
    database: dict[str, Any] = wanted["DATABASES"]["default"]
    if not settings.configured:
        settings.configure(**wanted)
        django.setup()
        _configured_with = database
        return database
    if _configured_with != database:
        _switch_database(database)
        _configured_with = database
    return database


def _switch_database(database: dict[str, Any]) -> None:
    from django.conf import settings
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
    settings.DATABASES = {"default": database}
    # Django caches the connection settings and the connection objects; drop both so that the
    # next query opens the new database.
    connections.__dict__.pop("settings", None)
    connections._settings = None
    with contextlib.suppress(AttributeError):
        del connections["default"]


def current_database() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.DATABASES["default"])


def migrate(verbosity: int = 0) -> list[str]:
    """Apply pending migrations; returns the names applied."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=verbosity, interactive=False)
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def open_database(db: str | Path | None = None, *, migrated: bool = True) -> dict[str, Any]:
    """Configure the store for ``db`` and check that it opens; with ``migrated`` also that it
    exists and is up to date (every command but ``db init`` needs that). Returns the database
    configuration; raises ``ConfigurationError`` saying what to do."""
    from oncotrial.errors import ConfigurationError
    from oncotrial.store.settings import describe_database

    config = configure(db)
    if config["ENGINE"].endswith("sqlite3") and migrated and not Path(config["NAME"]).exists():
        raise ConfigurationError(
            f"there is no trial database at {config['NAME']}",
            hint="Create it with `oncotrial db init` (and the same --db).",
        )
    from django.db import connection

    try:
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
