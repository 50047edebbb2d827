"""Warehouse values the map does not spell: a unit written the warehouse's own way
(``g/dl``, ``10*9/L``) is converted as the in-memory engine converts it; a unit that does not
convert (``furlongs``) and a result off the scale (a dipstick "moderate") leave the criterion
unknown for that person on both engines — never "not met", never an error for everyone.
Issue 16: the SQL path said "not met" for 68 of 300 persons of trial 002 whose unit was spelled
``10*9/L``, where the in-memory engine decided them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.rules import Comparator, LabResultRule, LabRule
from oncotrial.prescreen.concepts import concept_map
from oncotrial.prescreen.run import prescreen
from oncotrial.prescreen.warehouse import open_warehouse

from .test_query import AS_OF, _omop


def _rows(tmp_path: Path) -> str:
    target = _omop(tmp_path)
    cmap = concept_map()
    hb, dip = cmap.measurements["hemoglobin"], cmap.measurements["urine_protein_dipstick"]
    day = pd.Timestamp("2025-12-28")
    added = pd.DataFrame(
        {
            "measurement_id": [51, 52, 61, 62],
            "person_id": [7, 8, 7, 8],
            "measurement_concept_id": [hb, hb, dip, dip],
            "measurement_date": [day] * 4,
            "value_as_number": [10.0, 100.0, None, None],
            "value_as_concept_id": pd.array([None] * 4, dtype="Int64"),
            "unit_concept_id": pd.array([None] * 4, dtype="Int64"),
            # person 7: 10 g/dl (= 100 g/L) spelled the warehouse's way; person 8: no known unit
            "unit_source_value": ["g/dl", "furlongs", None, None],
            "range_low": [None] * 4,
            "range_high": [None] * 4,
            "value_source_value": [None, None, "trace", "moderate"],
        }
    )
    con = duckdb.connect(target.removeprefix("duckdb://"))
    # the fixture's columns were typed from its own values; OMOP's value_source_value is text
    con.execute("ALTER TABLE measurement ALTER value_source_value TYPE VARCHAR")
    con.register("added", added)
    con.execute("INSERT INTO measurement SELECT * FROM added")
    persons = con.execute("SELECT * FROM person WHERE person_id = 1").df()
    periods = con.execute("SELECT * FROM observation_period WHERE person_id = 1").df()
    for pid in (7, 8):
        con.register("p", persons.assign(person_id=pid))
        con.execute("INSERT INTO person SELECT * FROM p")
        con.register("o", periods.assign(person_id=pid))
        con.execute("INSERT INTO observation_period SELECT * FROM o")
    con.close()
    return target


def test_spelled_units_convert_and_unreadable_values_are_unknown(tmp_path: Path) -> None:
    target = _rows(tmp_path)
    hb = LabRule(
        kind="lab",
        id="I1-1",
        description="Hemoglobin ≥ 90 g/L",
        analyte="hemoglobin",
        comparator=Comparator.GE,
        value=90.0,
        unit="g/L",
    )
    dip = LabResultRule(
        kind="lab_result",
        id="I2-1",
        description="Urine protein < 2+",
        analyte="urine_protein_dipstick",
        comparator=Comparator.LT,
        result="2+",
    )
    eligibility = Eligibility(
        inclusion=(
            Criterion(id="I1", kind=CriterionKind.INCLUSION, text="Hb ≥ 90 g/L", rules=(hb,)),
            Criterion(id="I2", kind=CriterionKind.INCLUSION, text="Urine protein", rules=(dip,)),
        )
    )
    warehouse = open_warehouse(target)
    try:
        tables = {}
        for engine in ("sql", "memory"):
            table = prescreen(warehouse, eligibility, as_of=AS_OF, engine=engine).table
            tables[engine] = table.set_index("person_id")[["I1", "I2"]]
            assert tables[engine].loc[7].to_dict() == {"I1": "met", "I2": "met"}, engine
            assert tables[engine].loc[8].to_dict() == {"I1": "unknown", "I2": "unknown"}, engine
        pd.testing.assert_frame_equal(tables["sql"], tables["memory"])
    finally:
        warehouse.close()
