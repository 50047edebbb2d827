"""The compiled query equals the in-memory engine for every person and criterion.

The reference is ``eligibility.batch.screen_frames`` on the same OMOP rows read into frames
(``prescreen.reading``); the query runs in the warehouse. Each seed trial, 10,000 synthetic
persons on DuckDB and on PostgreSQL; Spark local mode on 500 (it starts a JVM).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.parser import propose_rules
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.prescreen.run import PrescreenResult, prescreen
from oncotrial.prescreen.warehouse import open_warehouse

from .conftest import AS_OF, EQUIVALENCE_PATIENTS, SPARK_PATIENTS

TRIALS = ["000", "001", "002", "003", "004"]


def sql_and_memory(
    target: str, eligibility: Eligibility, engine: str = "auto"
) -> tuple[PrescreenResult, PrescreenResult]:
    """The prescreen of one warehouse by its SQL query and by the in-memory engine."""
    warehouse = open_warehouse(target, engine=engine)
    try:
        sql = prescreen(warehouse, eligibility, as_of=AS_OF)
        memory = prescreen(warehouse, eligibility, as_of=AS_OF, engine="memory")
    finally:
        warehouse.close()
    return sql, memory


def _both(target: str, trial: str, engine: str = "auto") -> tuple[PrescreenResult, PrescreenResult]:
    return sql_and_memory(target, find_protocol(trial).eligibility, engine)


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


# Items that introduce a list (eligibility.sublists): an 'any' heading over alternatives, an 'all'
# heading, an exclusion heading — the query combines them as the in-memory engine does, and
# counts in the overall only what decides.
LISTS = (
    ("I1", "Patients must meet one of the following criteria:"),
    ("I1.1", "ECOG performance status 0-1"),
    ("I1.2", "Platelet count ≥ 150,000/mm³"),
    ("I2", "PATIENT CHARACTERISTICS:"),
    ("I2.1", "Absolute neutrophil count ≥ 1,500/mm³"),
    ("I2.2", "Hemoglobin ≥ 9 g/dL"),
    ("E1", "Patients who meet the following criteria at the time of screening will be excluded:"),
    ("E1.1", "Creatinine > 1.5 × ULN"),
)


def _proposed(items: tuple[tuple[str, str], ...]) -> Eligibility:
    """A protocol of (id, text) items ("I…" inclusion, else exclusion), read by the parser."""
    criteria = [
        Criterion(
            id=i, kind=CriterionKind.INCLUSION if i[0] == "I" else CriterionKind.EXCLUSION, text=t
        )
        for i, t in items
    ]
    return propose_rules(
        Eligibility(
            inclusion=tuple(c for c in criteria if c.kind is CriterionKind.INCLUSION),
            exclusion=tuple(c for c in criteria if c.kind is CriterionKind.EXCLUSION),
        )
    )


def _lists() -> Eligibility:
    eligibility = _proposed(LISTS)
    assert [c.sub_items for c in eligibility.criteria if "." not in c.id] == ["any", "all", "all"]
    return eligibility


@pytest.mark.slow
@pytest.mark.parametrize(
    "target", ["duckdb_omop", pytest.param("postgres_omop", marks=pytest.mark.postgres)]
)
def test_headings_equal_memory(target: str, request: pytest.FixtureRequest) -> None:
    eligibility = _lists()
    sql, memory = sql_and_memory(request.getfixturevalue(target), eligibility)
    _assert_equal(sql, memory, EQUIVALENCE_PATIENTS)
    table = sql.table
    # the alternatives reach both sides, and a failed alternative does not decide alone
    rescued = (table["I1.1"] == "not met") & (table["I1.2"] == "met")
    assert rescued.any() and (table.loc[rescued, "I1"] == "met").all()
    assert (table.loc[rescued & (table["overall"] == "eligible")].shape[0]) > 0
    assert set(table["I1"]) >= {"met", "not met"}
    excluded = table["E1.1"] == "met"
    assert excluded.any() and (table.loc[excluded, "E1"] == "met").all()


# Windows to registration (eligibility.rules.Window): a warehouse holds no first dose, so every
# window runs back from the as-of date in both engines, the registration's as the first dose's.
# Real phrasings of jwlieb/clinical-trial-agent @387df1768929a7cefaa15dfbd4d9ca3dcddd3fde,
# data/demo/results/*/trials.json (cited in tests/eligibility/test_registration_windows.py).
WINDOWS = (
    (
        "I1",
        "Absolute neutrophil count (ANC) ≥ 1500/mm^3 (obtained ≤ 14 days prior to registration)",
    ),
    ("I2", "ECOG Performance Status of 0-1 within 28 days prior to registration."),
    ("I3", "Hemoglobin ≥ 9 g/dL (within 14 days of enrollment)"),
    (
        "I4",
        "Creatinine ≤ 1.5 × ULN OR creatinine clearance ≥ 45 mL/min (obtained ≤ 14 days prior "
        "to registration)",
    ),
    ("I5", "Platelets >= 100,000/mcl (within 14 days prior to the first dose)"),
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "target", ["duckdb_omop", pytest.param("postgres_omop", marks=pytest.mark.postgres)]
)
def test_registration_windows_equal_memory(target: str, request: pytest.FixtureRequest) -> None:
    eligibility = propose_rules(
        Eligibility(
            inclusion=tuple(
                Criterion(id=i, kind=CriterionKind.INCLUSION, text=t) for i, t in WINDOWS
            )
        )
    )
    assert all(c.rules and not c.unread for c in eligibility.inclusion)
    sql, memory = sql_and_memory(request.getfixturevalue(target), eligibility)
    _assert_equal(sql, memory, EQUIVALENCE_PATIENTS)
    assert {"met", "unknown"} <= set(sql.table["I1"])
