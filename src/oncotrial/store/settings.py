"""Django settings for the trial database, built in code (there is no settings module to edit).

``build_settings`` returns the settings as a dict so that the web application (a later layer) can
add its own apps and middleware on top of the same database configuration. Which database:

1. ``db`` given by the caller (``--db PATH`` or a ``postgresql://`` URL);
2. ``ONCOTRIAL_DB`` (a path or a URL);
3. ``DATABASE_URL`` (``postgresql://user:password@host:port/name`` selects PostgreSQL);
4. the SQLite file ``oncotrial.sqlite3`` in the data directory (``oncotrial.home.data_home``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from oncotrial.errors import ConfigurationError
from oncotrial.home import data_home

__all__ = ["DEFAULT_DB_NAME", "build_settings", "database_config", "describe_database"]

DEFAULT_DB_NAME = "oncotrial.sqlite3"

BASE_APPS = (
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "simple_history",
    "oncotrial.store",
)


def _postgres_config(url: str) -> dict[str, Any]:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ConfigurationError(
            f"database URL scheme {parsed.scheme!r} is not supported",
            hint="Use postgresql://user:password@host:port/name, or a path to a SQLite file.",
        )
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ConfigurationError(
            f"the database URL {url!r} names no database",
            hint="Add the database name: postgresql://user@host:5432/oncotrial.",
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 10},
    }


def _sqlite_config(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE: a write transaction takes the database lock when it begins, so two
            # writers queue instead of failing half-way; WAL lets readers work meanwhile.
            "transaction_mode": "IMMEDIATE",
            "timeout": 120,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA cache_size=-131072;PRAGMA temp_store=MEMORY"
            ),
        },
    }


def database_config(db: str | Path | None = None) -> dict[str, Any]:
    """The Django DATABASES['default'] entry for ``db`` or the environment (see module doc)."""
    choice: str | None = str(db) if db is not None else None
    if choice is None:
        choice = os.environ.get("ONCOTRIAL_DB") or os.environ.get("DATABASE_URL") or None
    if choice is None:
        return _sqlite_config(data_home(create=True) / DEFAULT_DB_NAME)
    if "://" in choice:
        return _postgres_config(choice)
    path = Path(choice).expanduser()
    if path.is_dir():
        path = path / DEFAULT_DB_NAME
    return _sqlite_config(path.resolve())


def describe_database(config: dict[str, Any]) -> str:
    """A one-line description for messages (never the password)."""
    if config["ENGINE"].endswith("sqlite3"):
        return f"SQLite {config['NAME']}"
    host = config.get("HOST") or "localhost"
    port = config.get("PORT") or "5432"
    return f"PostgreSQL {config.get('USER') or ''}@{host}:{port}/{config['NAME']}"


def build_settings(
    db: str | Path | None = None,
    *,
    extra_apps: Iterable[str] = (),
    extra_middleware: Iterable[str] = (),
    **overrides: Any,
) -> dict[str, Any]:
    """Settings for ``django.conf.settings.configure``; later layers add apps and middleware."""
    settings: dict[str, Any] = {
        "INSTALLED_APPS": [*BASE_APPS, *extra_apps],
        "MIDDLEWARE": list(extra_middleware),
        "DATABASES": {"default": database_config(db)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "USE_I18N": False,
        "SECRET_KEY": os.environ.get("ONCOTRIAL_SECRET_KEY", "oncotrial-command-line-only"),
        "SIMPLE_HISTORY_REVERT_DISABLED": True,
        # History is read per record; a date index would only slow bulk imports.
        "SIMPLE_HISTORY_DATE_INDEX": False,
        "LOGGING_CONFIG": None,
    }
    settings.update(overrides)
    return settings
