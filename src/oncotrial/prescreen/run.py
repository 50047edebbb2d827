"""Prescreen a warehouse for one trial: the compiled query, or the in-memory reference engine.

``prescreen`` returns one row per person alive on the as-of date: ``person_id``, the overall
verdict (eligible / not eligible / incomplete), one column per criterion with its status (met,
not met, unknown, investigator) and, for the rules decided by a measurement, the
``measurement_id`` that decided it (``evidence``). ``engine="memory"`` reads the same tables
into frames and runs ``eligibility.batch.screen_frames``: the reference the SQL path is tested
against. ``funnel`` counts the persons left after each criterion, per status.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from oncotrial.eligibility.batch import screen_frames
from oncotrial.eligibility.criteria import CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.screening import Overall
from oncotrial.prescreen.concepts import (
    ConceptMap,
    Unmapped,
    concept_map,
    map_eligibility,
    unverified_criteria,
)
from oncotrial.prescreen.query import CompiledQuery, compile_query
from oncotrial.prescreen.reading import omop_frames
from oncotrial.prescreen.sources import source_spellings
from oncotrial.prescreen.warehouse import READ_COLUMNS, Warehouse, check

__all__ = ["PrescreenResult", "funnel", "prescreen"]

# The query's codes (``kleene``) by position: each column of statuses is a pandas Categorical
# over these names, a byte per person rather than a Python string (bench/RESULTS.md, issue 16).
STATUSES = (
    Status.NOT_MET.value,
    Status.MET.value,
    Status.UNKNOWN.value,
    Status.INVESTIGATOR.value,
)
OVERALLS = (Overall.NOT_ELIGIBLE.value, Overall.ELIGIBLE.value, Overall.INCOMPLETE.value)
_STATUS_TYPE = pd.CategoricalDtype(list(STATUSES))
_OVERALL_TYPE = pd.CategoricalDtype(list(OVERALLS))


@dataclass
class PrescreenResult:
    table: pd.DataFrame  # person_id, overall, one column per criterion, evidence
    kinds: dict[str, str]  # criterion id -> inclusion / exclusion
    unmapped: list[Unmapped] = field(default_factory=list)
    engine: str = "sql"
    sql: str | None = None
    # criterion id -> concept-map entries no public source confirmed (provenance, never silent)
    unverified: dict[str, list[str]] = field(default_factory=dict)

    def unverified_note(self) -> str:
        """One line naming the criteria that rest on unverified concept ids ('' if none)."""
        if not self.unverified:
            return ""
        parts = [f"{cid} ({', '.join(keys)})" for cid, keys in self.unverified.items()]
        return "rests on unverified OMOP concept ids: " + "; ".join(parts)


# Persons per DuckDB query (``ONCOTRIAL_PRESCREEN_SLICE``): a larger warehouse is screened a
# slice of person ids at a time, each slice one run of the same statement. The pivot's hash
# table grows with the persons (about 5 GB at 10^6 for trial 002); at 10^7 in one query it
# exceeded a 12 GB memory limit (bench/RESULTS.md, issue 16). Every value of the query is per
# person, so slicing does not change any status.
SLICE_PERSONS = 1_000_000
# Stand-ins for a slice's bounds while compiling: replaced by the statement's parameters.
_LOW, _HIGH = -918_273_645_501, -918_273_645_502


def _slices(warehouse: Warehouse) -> list[tuple[int, int]]:
    """(low, high] bounds of person_id, about ``SLICE_PERSONS`` persons each (one if fewer)."""
    size = int(os.environ.get("ONCOTRIAL_PRESCREEN_SLICE") or SLICE_PERSONS)
    n, low, high = warehouse.con.raw_sql(
        'SELECT COUNT(*), MIN(person_id), MAX(person_id) FROM "person"'
    ).fetchone()
    if n <= size:
        return []
    k = -(-n // size)
    cuts = warehouse.con.raw_sql(
        'SELECT QUANTILE_DISC(person_id, $q) FROM "person"',
        parameters={"q": [i / k for i in range(1, k)]},
    ).fetchone()[0]
    bounds = [int(low) - 1, *sorted({int(c) for c in cuts}), int(high)]
    return list(itertools.pairwise(bounds))


def _sliced_sql(
    warehouse: Warehouse, eligibility: Eligibility, cmap: ConceptMap, as_of: dt.date
) -> tuple[CompiledQuery, str]:
    """The statement for one slice of persons, its bounds as parameters ``$low`` / ``$high``."""
    spellings = source_spellings(warehouse.tables["measurement"], cmap)
    tables = {
        name: t.filter((t.person_id > _LOW) & (t.person_id <= _HIGH))
        if "person_id" in t.columns
        else t
        for name, t in warehouse.tables.items()
    }
    compiled = compile_query(eligibility, tables, cmap, as_of, spellings=spellings)
    sql = str(warehouse.con.compile(compiled.expr))
    if str(_LOW) not in sql or str(_HIGH) not in sql:  # the stand-ins must reach the text
        raise RuntimeError("the sliced statement lost its person_id bounds")
    return compiled, sql.replace(str(_LOW), "$low").replace(str(_HIGH), "$high")


def _sql_path(
    warehouse: Warehouse, eligibility: Eligibility, cmap: ConceptMap, as_of: dt.date
) -> tuple[pd.DataFrame, dict[str, str], str | None]:
    slices = _slices(warehouse) if warehouse.kind == "duckdb" else []
    if slices:
        compiled, sql_text = _sliced_sql(warehouse, eligibility, cmap, as_of)
        # Each slice comes back as Arrow and is reduced at once to its codes (a byte per
        # status) and its evidence text; the slices are joined and made a frame once. As
        # pandas objects 10^7 persons' rows took 16 GB, and the evidence of 10^7 persons built
        # at once held every rule's text together (issue 16, bench/RESULTS.md).
        rows = pa.concat_tables(
            _rows(
                warehouse.con.raw_sql(
                    sql_text, parameters={"low": low, "high": high}
                ).to_arrow_table(),
                compiled,
            )
            for low, high in slices
        )
        return _table(rows, compiled), compiled.kinds, sql_text
    compiled = compile_query(eligibility, warehouse.tables, cmap, as_of)
    try:
        sql: str | None = str(warehouse.con.compile(compiled.expr))
    except Exception:  # a backend without SQL text (none here); the result does not need it
        sql = None
    if warehouse.kind == "duckdb" and sql is not None:
        # Ibis would translate the (large) expression to SQL a second time to run it: on
        # DuckDB run the text just compiled (the same statement; bench/RESULTS.md).
        raw = warehouse.con.raw_sql(sql).to_arrow_table()
    else:
        # PostgreSQL, Spark: a float column where an id is null (NaN becomes null in Arrow)
        raw = pa.Table.from_pandas(compiled.expr.to_pandas(), preserve_index=False)
    return _table(_rows(raw, compiled), compiled), compiled.kinds, sql


def _rows(raw: pa.Table, compiled: CompiledQuery) -> pa.Table:
    """The query's rows as the result needs them: the codes and the evidence text."""
    codes = raw.select(["person_id", "overall", *compiled.criterion_columns.values()])
    return codes.append_column("evidence", _evidence(raw, compiled.evidence_columns))


def _codes(rows: pa.Table, column: str) -> Any:
    """A column of the query's codes as int8."""
    values = rows[column]
    if values.null_count:  # every code is decided in the query: a null is a bug
        raise RuntimeError(f"the query returned no code for some persons in {column}")
    return values.to_numpy().astype(np.int8)


def _table(rows: pa.Table, compiled: CompiledQuery) -> pd.DataFrame:
    """The result frame: statuses by name (Categoricals of the codes), the evidence text."""
    out = pd.DataFrame({"person_id": rows["person_id"].to_numpy().astype(np.int64)})
    out["overall"] = pd.Categorical.from_codes(_codes(rows, "overall"), dtype=_OVERALL_TYPE)
    for cid, column in compiled.criterion_columns.items():
        out[cid] = pd.Categorical.from_codes(_codes(rows, column), dtype=_STATUS_TYPE)
    # kept in Arrow (pandas' ArrowDtype): a Python string per person at 10^7 is some 3 GB
    out["evidence"] = pd.arrays.ArrowExtensionArray(rows["evidence"])
    return out


def _evidence(raw: pa.Table, columns: dict[str, str]) -> Any:
    """``rule:measurement_id=N`` for each rule with a deciding row, joined by ``;`` per person.

    In Arrow's string kernels: a Python join per person took about 6 s of a single core at 10^6
    persons, a fifth of the 30 s target (bench/RESULTS.md, issue 16).
    """
    import pyarrow.compute as pc

    empty = pa.scalar("", pa.large_string())
    if not columns:
        return pa.repeat(empty, raw.num_rows)
    parts = []
    for rule_id, column in columns.items():
        ids = pc.cast(raw[column], pa.int64())
        text = pc.cast(ids, pa.large_string())  # 10^7 persons' text passes 2 GB
        # ";rule:measurement_id=N", or "" where no row decided (a null id)
        prefix = pa.scalar(f";{rule_id}:measurement_id=", pa.large_string())
        part = pc.binary_join_element_wise(prefix, text, empty)
        parts.append(pc.fill_null(part, empty))
    # the parts end to end, less the first ";" (not null_handling="skip": pyarrow 26 drops
    # the rows whose parts are all null)
    return pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, empty), 1)


def _named(values: pd.Series, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """The engine's status names as the SQL path's Categorical (a name off the list is a bug)."""
    named = pd.Categorical(values, dtype=dtype)
    if (named.codes < 0).any():
        raise RuntimeError(f"unexpected statuses {set(values[named.codes < 0])}")
    return named


def _memory_path(
    warehouse: Warehouse, eligibility: Eligibility, cmap: ConceptMap, as_of: dt.date
) -> tuple[pd.DataFrame, dict[str, str]]:
    tables = {
        name: warehouse.tables[name].select(*columns).to_pandas()
        for name, columns in READ_COLUMNS.items()
        if name != "vocabulary"
    }
    frames, ids = omop_frames(tables, cmap, as_of)
    result = screen_frames(eligibility, frames, as_of=as_of)
    out = pd.DataFrame({"person_id": ids})
    out["overall"] = _named(result["overall"], _OVERALL_TYPE)
    kinds: dict[str, str] = {}
    for column in result.columns:
        if column == "overall":
            continue
        out[column] = _named(result[column], _STATUS_TYPE)
    for criterion in eligibility.criteria:
        kinds[criterion.id] = criterion.kind
    if "registry" in result.columns:
        kinds = {"registry": CriterionKind.INCLUSION, **kinds}
    out["evidence"] = ""
    return out, kinds


def prescreen(
    warehouse: Warehouse,
    eligibility: Eligibility,
    *,
    as_of: dt.date,
    engine: str = "sql",
    cmap: ConceptMap | None = None,
    progress: Callable[[str], None] | None = None,
) -> PrescreenResult:
    """Every alive person's status per criterion and overall (see the module docstring)."""
    cmap = cmap or concept_map()
    say = progress or (lambda _: None)
    say("checking the warehouse's tables, columns and vocabulary version")
    check(warehouse, cmap)
    mapped, unmapped = map_eligibility(eligibility, cmap)
    unverified = unverified_criteria(mapped, cmap)
    if engine == "memory":
        say("reading the tables into memory (reference engine)")
        table, kinds = _memory_path(warehouse, mapped, cmap, as_of)
        result = PrescreenResult(table, kinds, unmapped, "memory", unverified=unverified)
    else:
        say("running the compiled query in the warehouse")
        table, kinds, sql = _sql_path(warehouse, mapped, cmap, as_of)
        result = PrescreenResult(table, kinds, unmapped, warehouse.kind, sql, unverified)
    # Every row carries it, so the CSV alone says which statuses rest on unchecked ids.
    result.table["unverified_concepts"] = ",".join(unverified)
    return result


def funnel(result: PrescreenResult) -> pd.DataFrame:
    """Persons left after each criterion in turn (not failed so far), and their statuses."""
    rows = []
    left = np.ones(len(result.table), dtype=bool)
    rows.append({"step": "population", "criterion": "", "left": int(left.sum())})
    for cid, kind in result.kinds.items():
        status = result.table[cid]
        failing = Status.MET.value if kind == CriterionKind.EXCLUSION else Status.NOT_MET.value
        counts = {s.value: int(((status == s.value).to_numpy() & left).sum()) for s in Status}
        left = left & (status != failing).to_numpy()
        row = {"step": f"after {cid}", "criterion": cid, "left": int(left.sum()), **counts}
        row["unverified concepts"] = ", ".join(result.unverified.get(cid, []))
        rows.append(row)
    eligible = int((result.table["overall"] == Overall.ELIGIBLE.value).sum())
    rows.append({"step": "eligible (nothing unknown)", "criterion": "", "left": eligible})
    frame = pd.DataFrame(rows)
    text = frame["unverified concepts"].fillna("") if "unverified concepts" in frame else ""
    frame = frame.drop(columns=["unverified concepts"], errors="ignore").fillna(0)
    frame["unverified concepts"] = text
    return frame
