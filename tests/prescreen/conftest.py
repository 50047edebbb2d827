"""Synthetic OMOP warehouses for the prescreening tests (DuckDB, PostgreSQL, Parquet)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

AS_OF = dt.date(2026, 1, 1)
SEED = 7
PG_HOST = os.environ.get("ONCOTRIAL_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ONCOTRIAL_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("ONCOTRIAL_TEST_PG_USER", "postgres")
EQUIVALENCE_PATIENTS = 10_000
SPARK_PATIENTS = 500


def _write(target: str, n: int) -> str:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.prescreen.synthetic import write_population

    write_population(target, find_protocol("002").eligibility, n, seed=SEED, as_of=AS_OF)
    return target


@pytest.fixture(scope="session")
def duckdb_omop(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("omop") / "omop.duckdb"
    return _write(f"duckdb:///{path}", EQUIVALENCE_PATIENTS)


@pytest.fixture(scope="session")
def parquet_omop(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("omop-parquet")
    return _write(str(folder), SPARK_PATIENTS)


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        dbname="postgres",
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(scope="session")
def postgres_omop() -> Iterator[str]:
    try:
        with _pg_admin():
            pass
    except Exception as exc:  # any driver error: the server is not available here
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} (user {PG_USER}) is not reachable: {exc}")
    name = f"oncotrial_omop_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _write(f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}", EQUIVALENCE_PATIENTS)
    finally:
        with _pg_admin() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def small_duckdb(tmp_path: Path) -> str:
    return _write(f"duckdb:///{tmp_path / 'small.duckdb'}", 300)
