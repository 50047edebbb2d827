"""The trial database under test, on SQLite always and on PostgreSQL when it is reachable.

Every test that takes ``store`` runs once per backend. SQLite: a migrated template file made once
per session, copied for each test. PostgreSQL (127.0.0.1:5432, user postgres): one throwaway
database per test session (and xdist worker), migrated once, emptied before each test, dropped
at the end; when the server is not reachable those runs are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_HOST = os.environ.get("ONCOTRIAL_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ONCOTRIAL_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("ONCOTRIAL_TEST_PG_USER", "postgres")


@dataclass(frozen=True)
class Store:
    """The database a test writes to: ``db`` is what --db / configure() take."""

    backend: str
    db: str


def _pg_admin():
    import psycopg

    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        dbname="postgres",
        autocommit=True,
        connect_timeout=3,
    )


def _pg_reachable() -> str | None:
    try:
        with _pg_admin():
            return None
    except Exception as exc:  # any driver error means: not available here
        return f"PostgreSQL at {PG_HOST}:{PG_PORT} (user {PG_USER}) is not reachable: {exc}"


@pytest.fixture(scope="session")
def ctcae_path(shared: Path) -> Path:
    return shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"


@pytest.fixture(scope="session")
def ctcae(ctcae_path: Path):
    from oncotrial.formats.ctcae import load_ctcae

    return load_ctcae(ctcae_path)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from oncotrial.store import configure, migrate

    path = tmp_path_factory.mktemp("store-template") / "template.sqlite3"
    configure(path)
    migrate()
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
    return path


@pytest.fixture(scope="session")
def _postgres_database(worker_id: str) -> Iterator[str | None]:
    reason = _pg_reachable()
    if reason is not None:
        yield None
        return
    name = f"oncotrial_test_{os.getpid()}_{worker_id}_{uuid.uuid4().hex[:6]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    from oncotrial.store import configure, migrate

    configure(url)
    migrate()
    try:
        yield url
    finally:
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
        with _pg_admin() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "main"


def _empty_postgres(url: str) -> None:
    from django.db import connection

    from oncotrial.store import configure

    configure(url)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
            "(tablename LIKE 'store\\_%%' OR tablename IN ('auth_user', 'auth_user_groups', "
            "'auth_user_user_permissions'))"
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            cursor.execute(
                f"TRUNCATE {', '.join(f'{chr(34)}{t}{chr(34)}' for t in tables)} "
                "RESTART IDENTITY CASCADE"
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    _sqlite_template: Path,
    _postgres_database: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Store]:
    """An empty, migrated trial database, configured for this process (and for the CLI)."""
    from oncotrial.store import configure

    if request.param == "sqlite":
        path = tmp_path / "trial.sqlite3"
        shutil.copyfile(_sqlite_template, path)
        configure(path)
        db = str(path)
    else:
        if _postgres_database is None:
            pytest.skip(_pg_reachable() or "PostgreSQL not available")
        _empty_postgres(_postgres_database)
        db = _postgres_database
    monkeypatch.setenv("ONCOTRIAL_DB", db)
    yield Store(request.param, db)
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


@pytest.fixture
def pharmaverse(shared: Path, tmp_path: Path):
    """Copy a pharmaverse SDTM set into a folder under the folder convention's names."""
    source = shared / "oracles" / "pharmaverse" / "sdtm"

    def make(name: str, files: dict[str, str]) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for domain, file in files.items():
            shutil.copyfile(source / file, folder / f"{domain}.csv")
        return folder

    return make
