"""OMOP warehouses: open one (DuckDB file, PostgreSQL URL, Parquet folder), check it, write one.

A target is ``duckdb:///path/file.duckdb``, ``postgresql://user@host:port/database`` or a folder
of Parquet files (``<folder>/<table>/*.parquet``, the layout Spark writes and reads). Parquet
is read by DuckDB, or by Spark with ``engine="spark"``.

Before a query runs, ``check`` verifies every table and column the prescreening reads, and the
vocabulary version (the ``vocabulary`` table's 'None' row, as the CDM defines it) against the
concept map's: one clear error naming what is missing, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pandas as pd

from oncotrial.errors import ConfigurationError, InputError, SchemaError
from oncotrial.prescreen.concepts import ConceptMap

__all__ = ["READ_COLUMNS", "Warehouse", "check", "open_warehouse", "write_tables"]

# What the prescreening reads, table by table (OMOP CDM v5.4 names).
READ_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("person_id", "gender_concept_id", "year_of_birth", "month_of_birth", "day_of_birth"),
    "observation_period": ("person_id",),
    "condition_occurrence": (
        "condition_occurrence_id",
        "person_id",
        "condition_concept_id",
        "condition_start_date",
        "condition_end_date",
        "condition_status_source_value",
    ),
    "measurement": (
        "measurement_id",
        "person_id",
        "measurement_concept_id",
        "measurement_date",
        "value_as_number",
        "value_as_concept_id",
        "unit_concept_id",
        "unit_source_value",
        "range_low",
        "range_high",
        "value_source_value",
    ),
    "drug_exposure": (
        "person_id",
        "drug_concept_id",
        "drug_exposure_start_date",
        "drug_exposure_end_date",
    ),
    "procedure_occurrence": ("person_id", "procedure_concept_id", "procedure_date"),
    "death": ("person_id", "death_date"),
    "vocabulary": ("vocabulary_id", "vocabulary_version"),
}


@dataclass
class Warehouse:
    target: str
    kind: str  # duckdb | postgres | parquet (read by DuckDB) | spark (Parquet read by Spark)
    con: Any
    tables: dict[str, Any]

    def close(self) -> None:
        disconnect = getattr(self.con, "disconnect", None)
        if disconnect is not None:
            disconnect()


def _kind(target: str) -> str:
    if target.startswith("duckdb://"):
        return "duckdb"
    if target.startswith(("postgresql://", "postgres://")):
        return "postgres"
    return "parquet"


def _duckdb_path(target: str) -> str:
    return target[len("duckdb://") :]  # duckdb:///abs/file.duckdb or duckdb://relative.duckdb


# Environment variables -> DuckDB settings (bench/RESULTS.md, issue 16, has the figures).
_DUCKDB_SETTINGS = {
    "ONCOTRIAL_DUCKDB_MEMORY_LIMIT": "memory_limit",  # e.g. 8GB; DuckDB's default: 80 % of RAM
    "ONCOTRIAL_DUCKDB_THREADS": "threads",  # default: every core
    "ONCOTRIAL_DUCKDB_TEMP_DIRECTORY": "temp_directory",  # where it spills; default <file>.tmp
}


def _duckdb_config() -> dict[str, str]:
    """DuckDB settings from the environment (``_DUCKDB_SETTINGS``), where set.

    Beyond its memory limit DuckDB spills to its temporary directory, so a machine shared with
    other work can cap it, and point the spill at a disk with room. Insertion order is not
    preserved: the query orders its one row per person itself, and keeping the order of
    intermediate results costs memory on large scans.
    """
    config = {"preserve_insertion_order": "false"}
    for variable, setting in _DUCKDB_SETTINGS.items():
        value = os.environ.get(variable)
        if value:
            config[setting] = value
    return config


def _postgres(target: str) -> Any:
    import ibis

    url = urlparse(target)
    return ibis.postgres.connect(
        host=url.hostname or "localhost",
        port=url.port or 5432,
        user=unquote(url.username or "postgres"),
        password=unquote(url.password) if url.password else None,
        database=(url.path or "/postgres").lstrip("/") or "postgres",
    )


def spark_session() -> Any:
    """A local Spark session (two cores, small shuffles: a screening query, not a big job)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("oncotrial-prescreen")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def open_warehouse(target: str, *, engine: str = "auto") -> Warehouse:
    """Connect to ``target`` and bind the OMOP tables it holds (checked by ``check``)."""
    import ibis

    kind = _kind(target)
    try:
        if kind == "duckdb":
            path = _duckdb_path(target)
            if not Path(path).exists():
                raise InputError(
                    f"no DuckDB database at {path}",
                    hint="Write one with `oncotrial simulate omop --out duckdb:///FILE`.",
                )
            con = ibis.duckdb.connect(path, read_only=True, **_duckdb_config())
        elif kind == "postgres":
            con = _postgres(target)
        else:
            folder = Path(target.removeprefix("parquet://"))
            if not folder.is_dir():
                raise InputError(f"{folder} is not a folder of OMOP Parquet tables")
            con = (
                ibis.pyspark.connect(spark_session())
                if engine == "spark"
                else ibis.duckdb.connect()
            )
            for name in READ_COLUMNS:
                where = folder / name
                if where.is_dir() and any(where.glob("*.parquet")):
                    pattern = str(where) if engine == "spark" else str(where / "*.parquet")
                    con.read_parquet(pattern, table_name=name)
    except InputError:
        raise
    except Exception as exc:  # the driver's own message says why (refused, no such database)
        raise ConfigurationError(
            f"cannot open the OMOP warehouse {_redact(target)}: {str(exc).strip().splitlines()[0]}",
            hint="Check the address, that the server runs and that the database exists.",
        ) from None
    present = set(con.list_tables())
    tables = {name: con.table(name) for name in READ_COLUMNS if name in present}
    if kind == "parquet" and engine == "spark":
        kind = "spark"
    return Warehouse(target, kind, con, tables)


def _redact(target: str) -> str:
    url = urlparse(target)
    if url.password:
        return target.replace(f":{url.password}@", ":***@")
    return target


def check(warehouse: Warehouse, cmap: ConceptMap) -> None:
    """Every table and column the rules read, and the vocabulary version, or one clear error."""
    missing_tables = [name for name in READ_COLUMNS if name not in warehouse.tables]
    if missing_tables:
        raise SchemaError(
            f"the OMOP warehouse {_redact(warehouse.target)} has no table "
            + ", ".join(missing_tables),
            hint="Prescreening reads OMOP CDM v5.4 tables under their CDM names.",
        )
    for name, columns in READ_COLUMNS.items():
        have = set(warehouse.tables[name].columns)
        lacking = [c for c in columns if c not in have]
        if lacking:
            raise SchemaError(
                f"table {name} has no column {', '.join(lacking)}",
                file=_redact(warehouse.target),
                hint="Prescreening reads OMOP CDM v5.4 tables under their CDM column names.",
            )
    vocab = warehouse.tables["vocabulary"]
    rows = vocab.filter(vocab.vocabulary_id == "None").select("vocabulary_version").to_pandas()
    found = rows["vocabulary_version"].iloc[0] if len(rows) else None
    if found != cmap.vocabulary_version:
        raise SchemaError(
            f"the warehouse's vocabulary version is {found!r}; the concept map was checked "
            f"against {cmap.vocabulary_version!r}",
            file=_redact(warehouse.target),
            record="vocabulary 'None'",
            field="vocabulary_version",
            hint="Concept ids can change between vocabulary releases: check the map against "
            "this release (docs/prescreening.md) before screening.",
        )


def metadata_tables(cmap: ConceptMap, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """The vocabulary and cdm_source rows a CDM instance carries (for a synthetic warehouse)."""
    vocabulary = pd.DataFrame(
        {
            "vocabulary_id": ["None"],
            "vocabulary_name": ["OMOP Standardized Vocabularies"],
            "vocabulary_reference": ["OMOP generated"],
            "vocabulary_version": [cmap.vocabulary_version],
            "vocabulary_concept_id": [44819096],
        }
    )
    cdm_source = pd.DataFrame(
        {
            "cdm_source_name": ["oncotrial synthetic screening population (SIMULATED)"],
            "cdm_source_abbreviation": ["oncotrial-sim"],
            "cdm_holder": ["oncotrial"],
            "source_release_date": [pd.Timestamp(as_of)],
            "cdm_release_date": [pd.Timestamp(as_of)],
            "cdm_version": ["v5.4"],
            "cdm_version_concept_id": [756265],
            "vocabulary_version": [cmap.vocabulary_version],
        }
    )
    return {"vocabulary": vocabulary, "cdm_source": cdm_source}


def write_tables(target: str, chunks: Any) -> dict[str, int]:
    """Write an iterable of {table: frame} chunks to ``target``; returns rows per table.

    The first chunk creates (replaces) each table, later ones append: a large population is
    generated and written a slice of persons at a time.
    """
    kind = _kind(target)
    counts: dict[str, int] = {}
    if kind == "duckdb":
        import duckdb

        path = _duckdb_path(target)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).unlink(missing_ok=True)  # a synthetic warehouse is replaced, never merged
        con = duckdb.connect(path)
        try:
            for chunk in chunks:
                for name, frame in chunk.items():
                    con.register("chunk_frame", frame)
                    if name in counts:
                        con.execute(f'INSERT INTO "{name}" SELECT * FROM chunk_frame')
                    else:
                        con.execute(
                            f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM chunk_frame'
                        )
                    con.unregister("chunk_frame")
                    counts[name] = counts.get(name, 0) + len(frame)
        finally:
            con.close()
    elif kind == "postgres":
        _write_postgres(target, chunks, counts)
    else:
        folder = Path(target.removeprefix("parquet://"))
        for k, chunk in enumerate(chunks):
            for name, frame in chunk.items():
                where = folder / name
                if name not in counts:
                    if where.exists():
                        for old in where.glob("*.parquet"):
                            old.unlink()
                    where.mkdir(parents=True, exist_ok=True)
                frame.to_parquet(where / f"part-{k:05d}.parquet", index=False)
                counts[name] = counts.get(name, 0) + len(frame)
    return counts


_PG_TYPES = {"i": "bigint", "u": "bigint", "f": "double precision", "b": "boolean", "M": "date"}


def _pg_type(series: pd.Series) -> str:
    if isinstance(series.dtype, pd.Int64Dtype):
        return "bigint"
    return _PG_TYPES.get(series.dtype.kind, "text")


def _write_postgres(target: str, chunks: Any, counts: dict[str, int]) -> None:
    import psycopg

    try:
        conn = psycopg.connect(target)
    except psycopg.OperationalError as exc:
        raise ConfigurationError(
            f"cannot connect to {_redact(target)}: {str(exc).strip().splitlines()[0]}",
            hint="Check the address, that the server runs and that the database exists.",
        ) from None
    with conn:
        for chunk in chunks:
            for name, frame in chunk.items():
                with conn.cursor() as cur:
                    if name not in counts:
                        columns = ", ".join(f'"{c}" {_pg_type(frame[c])}' for c in frame.columns)
                        cur.execute(f'DROP TABLE IF EXISTS "{name}"')
                        cur.execute(f'CREATE TABLE "{name}" ({columns})')
                    buffer = io.StringIO()
                    out = frame.copy()
                    for c in out.columns:
                        if out[c].dtype.kind == "M":
                            out[c] = out[c].dt.strftime("%Y-%m-%d")
                    out.to_csv(buffer, index=False, header=False, na_rep="\\N")
                    buffer.seek(0)
                    cols = ", ".join(f'"{c}"' for c in frame.columns)
                    with cur.copy(
                        f"COPY \"{name}\" ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                    ) as copy:
                        copy.write(buffer.read())
                counts[name] = counts.get(name, 0) + len(frame)
