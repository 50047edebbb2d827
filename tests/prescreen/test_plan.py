"""The compiled query's plan: one scan per table whatever the number of rules, and the shared
latest-row window giving each rule's own time window the in-memory engine's answer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.rules import Comparator, LabRule, Window
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.prescreen.concepts import concept_map, map_eligibility
from oncotrial.prescreen.query import compile_query
from oncotrial.prescreen.run import OVERALLS, STATUSES, prescreen
from oncotrial.prescreen.warehouse import open_warehouse

from .test_query import AS_OF, _omop


def test_one_window_and_one_join_per_table(small_duckdb: str) -> None:
    """Trial 002 (60 rules): the SQL has a fixed number of windows, joins and scans."""
    warehouse = open_warehouse(small_duckdb)
    try:
        cmap = concept_map()
        mapped, _ = map_eligibility(find_protocol("002").eligibility, cmap)
        sql = str(warehouse.con.compile(compile_query(mapped, warehouse.tables, cmap, AS_OF).expr))
    finally:
        warehouse.close()
    # the latest measurement per concept is an arg-max in the pivot, not a window over all
    # the trial's rows (bench/RESULTS.md, issue 16); windows: first diagnosis, the QTc pair
    assert sql.count("ROW_NUMBER()") == 2
    assert sql.count("FIRST(") == sql.count(" DESC) FILTER(WHERE ") > 0
    # the pivots (measurement, three histories, diagnosis, QT pair) and the observation period
    assert sql.count("LEFT OUTER JOIN") == 7
    # measurement: the shared scan, and the QTc pair's rows of its two concepts
    assert sql.count('FROM "measurement"') == 2
    assert sql.count('FROM "drug_exposure"') == 1


def _hemoglobin(days: int, name: str) -> LabRule:
    return LabRule(
        kind="lab",
        id=name,
        description=f"Hemoglobin ≥ 90 g/L within {days} days",
        analyte="hemoglobin",
        comparator=Comparator.GE,
        value=90.0,
        unit="g/L",
        within=Window(value=days, unit="days"),
    )


def test_windows_share_the_latest_row(tmp_path: Path) -> None:
    """Two windows on one analyte, and a result after the as-of date that must not hide one."""
    target = _omop(tmp_path)
    cmap = concept_map()
    hb, g_l = cmap.measurements["hemoglobin"], cmap.units["g/L"]
    later = pd.DataFrame(
        {
            "measurement_id": [41, 42],
            "person_id": [4, 4],
            "measurement_concept_id": [hb, hb],
            "measurement_date": [pd.Timestamp("2025-12-20"), pd.Timestamp("2026-01-05")],
            "value_as_number": [95.0, 50.0],  # the later one is after the as-of date
            "value_as_concept_id": pd.array([None, None], dtype="Int64"),
            "unit_concept_id": [g_l, g_l],
            "unit_source_value": ["g/L", "g/L"],
            "range_low": [120.0, 120.0],
            "range_high": [160.0, 160.0],
            "value_source_value": [None, None],
        }
    )
    import duckdb

    path = target.removeprefix("duckdb://")
    con = duckdb.connect(path)
    con.register("later", later)
    con.execute("INSERT INTO measurement SELECT * FROM later")
    con.close()
    short, long = _hemoglobin(7, "I1-1"), _hemoglobin(28, "I2-1")
    eligibility = Eligibility(
        inclusion=(
            Criterion(id="I1", kind=CriterionKind.INCLUSION, text="Hb 7 d", rules=(short,)),
            Criterion(id="I2", kind=CriterionKind.INCLUSION, text="Hb 28 d", rules=(long,)),
        )
    )
    warehouse = open_warehouse(target)
    try:
        for engine in ("sql", "memory"):
            table = prescreen(warehouse, eligibility, as_of=AS_OF, engine=engine).table
            table = table.set_index("person_id")
            # person 1's latest (20 Dec, 85 g/L) is outside 7 days: unknown, not its older row
            assert table["I1"].to_dict() == {1: "unknown", 2: "met", 3: "unknown", 4: "unknown"}
            assert table["I2"].to_dict() == {1: "not met", 2: "met", 3: "unknown", 4: "met"}
            if engine == "sql":
                assert table.loc[4, "evidence"] == "I2-1:measurement_id=41"
    finally:
        warehouse.close()


def test_slices_of_persons_give_the_one_query_result(
    small_duckdb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse larger than a slice is screened a slice of person ids at a time (the
    statement's $low/$high): every status and evidence id equals the one-query result."""
    from oncotrial.prescreen.run import _slices

    eligibility = find_protocol("002").eligibility
    warehouse = open_warehouse(small_duckdb)
    try:
        whole = prescreen(warehouse, eligibility, as_of=AS_OF)
        assert _slices(warehouse) == []  # 300 persons: one query
        monkeypatch.setenv("ONCOTRIAL_PRESCREEN_SLICE", "70")
        slices = _slices(warehouse)
        sliced = prescreen(warehouse, eligibility, as_of=AS_OF)
    finally:
        warehouse.close()
    assert len(slices) == 5
    assert slices[0][0] < slices[0][1] == slices[1][0]  # contiguous, no person twice
    assert sliced.sql is not None and "$low" in sliced.sql
    assert len(whole.table) > 250
    pd.testing.assert_frame_equal(sliced.table, whole.table)
    # a byte per status (the query's code), not a Python string per person and criterion:
    # what lets 10^7 persons' result fit beside DuckDB (bench/RESULTS.md, issue 16)
    for column in sliced.table.columns.drop(["person_id", "evidence", "unverified_concepts"]):
        dtype = sliced.table[column].dtype
        assert isinstance(dtype, pd.CategoricalDtype), column
        expected = OVERALLS if column == "overall" else STATUSES
        assert tuple(dtype.categories) == expected, column
