"""The compiled query equals the in-memory engine for every person and criterion.

The reference is ``eligibility.batch.screen_frames`` on the same OMOP rows read into frames
(``prescreen.reading``); the query runs in the warehouse. Each seed trial, 10,000 synthetic
persons on DuckDB and on PostgreSQL; Spark local mode on 500 (it starts a JVM).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.formats.protocol_files import find_protocol
from oncotrial.prescreen.run import PrescreenResult, prescreen
from oncotrial.prescreen.warehouse import open_warehouse

from .conftest import AS_OF, EQUIVALENCE_PATIENTS, SPARK_PATIENTS

TRIALS = ["000", "001", "002", "003", "004"]


def _both(target: str, trial: str, engine: str = "auto") -> tuple[PrescreenResult, PrescreenResult]:
    eligibility = find_protocol(trial).eligibility
    warehouse = open_warehouse(target, engine=engine)
    try:
        sql = prescreen(warehouse, eligibility, as_of=AS_OF)
        memory = prescreen(warehouse, eligibility, as_of=AS_OF, engine="memory")
    finally:
        warehouse.close()
    return sql, memory


def _assert_equal(sql: PrescreenResult, memory: PrescreenResult, n: int) -> None:
    columns = [c for c in memory.table.columns if c not in ("evidence", "unverified_concepts")]
    assert list(sql.table.columns[: len(columns)]) == columns
    # the same criteria are named as resting on unverified concept ids, on every row
    assert sql.unverified == memory.unverified
    assert sql.table["unverified_concepts"].equals(memory.table["unverified_concepts"])
    a = sql.table[columns].reset_index(drop=True)
    b = memory.table[columns].reset_index(drop=True)
    assert len(a) == len(b) > 0.95 * n  # the dead (about 1 %) are not screened
    for column in columns:
        differs = a[column] != b[column]
        assert not differs.any(), (
            f"{column}: {int(differs.sum())} persons differ, e.g. "
            f"{a.loc[differs, ['person_id', column]].head(3).to_dict('records')} vs "
            f"{b.loc[differs, column].head(3).tolist()}"
        )
    assert sql.kinds == memory.kinds


def _assert_informative(result: PrescreenResult) -> None:
    """The population exercises the rules: met, not met and unknown all occur."""
    statuses = pd.unique(
        result.table.drop(
            columns=["person_id", "overall", "evidence", "unverified_concepts"]
        ).values.ravel()
    )
    assert {"met", "not met", "unknown"} <= set(statuses)


@pytest.mark.slow
@pytest.mark.parametrize("trial", TRIALS)
def test_duckdb_equals_memory(duckdb_omop: str, trial: str) -> None:
    sql, memory = _both(duckdb_omop, trial)
    _assert_equal(sql, memory, EQUIVALENCE_PATIENTS)
    if trial in ("001", "002"):
        _assert_informative(sql)
        assert sql.table["evidence"].str.contains("measurement_id=").mean() > 0.9


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("trial", TRIALS)
def test_postgres_equals_memory(postgres_omop: str, trial: str) -> None:
    sql, memory = _both(postgres_omop, trial)
    assert sql.engine == "postgres"
    _assert_equal(sql, memory, EQUIVALENCE_PATIENTS)


@pytest.mark.slow
@pytest.mark.parametrize("trial", ["001", "002"])
def test_spark_local_equals_memory(parquet_omop: str, trial: str) -> None:
    sql, memory = _both(parquet_omop, trial, engine="spark")
    _assert_equal(sql, memory, SPARK_PATIENTS)
