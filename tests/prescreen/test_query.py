"""The compiled query on hand-written OMOP rows: latest value, time window, unit conversion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.rules import Comparator, LabRule, Window
from oncotrial.prescreen.concepts import concept_map
from oncotrial.prescreen.run import prescreen
from oncotrial.prescreen.warehouse import metadata_tables, open_warehouse, write_tables

AS_OF = dt.date(2026, 1, 1)


def _omop(tmp_path: Path) -> str:
    cmap = concept_map()
    hb = cmap.measurements["hemoglobin"]
    g_l, g_dl = cmap.units["g/L"], cmap.units["g/dL"]
    day = pd.Timestamp
    measurement = pd.DataFrame(
        {
            "measurement_id": [11, 12, 21, 31],
            "person_id": [1, 1, 2, 3],
            "measurement_concept_id": [hb] * 4,
            "measurement_date": [
                day("2025-12-01"),  # before the 28-day window
                day("2025-12-20"),  # latest: 8.5 g/dL = 85 g/L
                day("2025-12-30"),  # 9.0 g/dL = 90 g/L: on the limit
                day("2025-10-01"),  # outside the window: no usable result
            ],
            "value_as_number": [95.0, 8.5, 9.0, 100.0],
            "value_as_concept_id": pd.array([None] * 4, dtype="Int64"),
            "unit_concept_id": [g_l, g_dl, 0, g_l],
            "unit_source_value": ["g/L", "g/dL", "g/dL", "g/L"],  # person 2: unit by its source
            "range_low": [120.0, 12.0, 12.0, 120.0],
            "range_high": [160.0, 16.0, 16.0, 160.0],
            "value_source_value": [None] * 4,
        }
    )
    empty = {
        "condition_occurrence": pd.DataFrame(
            columns=[
                "condition_occurrence_id",
                "person_id",
                "condition_concept_id",
                "condition_start_date",
                "condition_end_date",
                "condition_status_source_value",
            ]
        ),
        "drug_exposure": pd.DataFrame(
            columns=[
                "person_id",
                "drug_concept_id",
                "drug_exposure_start_date",
                "drug_exposure_end_date",
            ]
        ),
        "procedure_occurrence": pd.DataFrame(
            columns=["person_id", "procedure_concept_id", "procedure_date"]
        ),
        "death": pd.DataFrame({"person_id": [5], "death_date": [day("2025-11-01")]}),
    }
    person = pd.DataFrame(
        {
            "person_id": [1, 2, 3, 4, 5],
            "gender_concept_id": [8532, 8507, 8532, 8507, 8507],
            "year_of_birth": [1960] * 5,
            "month_of_birth": [5] * 5,
            "day_of_birth": [17] * 5,
        }
    )
    tables = {
        **metadata_tables(cmap, AS_OF),
        "person": person,
        "observation_period": pd.DataFrame({"person_id": [1, 2, 3, 4]}),
        "measurement": measurement,
        **empty,
    }
    target = f"duckdb:///{tmp_path / 'hand.duckdb'}"
    write_tables(target, [tables])
    return target


def _eligibility() -> Eligibility:
    rule = LabRule(
        kind="lab",
        id="I1-1",
        description="Hemoglobin ≥ 90 g/L within 28 days",
        analyte="hemoglobin",
        comparator=Comparator.GE,
        value=90.0,
        unit="g/L",
        within=Window(value=28, unit="days"),
    )
    return Eligibility(
        inclusion=(
            Criterion(
                id="I1", kind=CriterionKind.INCLUSION, text="Hemoglobin ≥ 90 g/L", rules=(rule,)
            ),
        )
    )


def test_latest_in_window_converted(tmp_path: Path) -> None:
    target = _omop(tmp_path)
    warehouse = open_warehouse(target)
    try:
        for engine in ("sql", "memory"):
            result = prescreen(warehouse, _eligibility(), as_of=AS_OF, engine=engine)
            table = result.table.set_index("person_id")
            assert list(table.index) == [1, 2, 3, 4]  # person 5 died before the as-of date
            assert table["I1"].to_dict() == {1: "not met", 2: "met", 3: "unknown", 4: "unknown"}
            assert table["overall"].to_dict() == {
                1: "not eligible",
                2: "eligible",
                3: "incomplete",
                4: "incomplete",
            }
            if engine == "sql":
                assert table.loc[1, "evidence"] == "I1-1:measurement_id=12"
                assert table.loc[2, "evidence"] == "I1-1:measurement_id=21"
                assert table.loc[3, "evidence"] == ""
    finally:
        warehouse.close()
