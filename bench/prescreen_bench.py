"""Prescreening N synthetic persons: the compiled query on DuckDB or Spark vs the in-memory engine.

    .venv/bin/python bench/prescreen_bench.py                       # 10^6 persons, trial 002
    .venv/bin/python bench/prescreen_bench.py --patients 100000 --engines sql,memory
    .venv/bin/python bench/prescreen_bench.py --patients 1000000 --engines spark --reuse
    .venv/bin/python bench/prescreen_bench.py --patients 10000000 --replicate 10 \
        --base /tmp/p1e6.duckdb --db /tmp/p1e7.duckdb --reuse --engines sql --repeat 1

Writes the synthetic OMOP population once (``--db``; ``--reuse`` keeps a file already written
for the same size), timed apart from the screening. Each engine then screens it in its own
child process, ``--repeat`` times (the median is reported), so that each peak resident memory
(the child's maxrss from the kernel, DuckDB's native memory included) and CPU time (user +
system of the child and its threads; on a shared machine the wall time depends on the load, the
CPU time much less) are its own. The load average is printed before every run.
``--memory-limit``, ``--threads`` and ``--temp-directory`` set DuckDB's (through the
``ONCOTRIAL_DUCKDB_*`` variables the warehouse reads). ``spark`` copies the DuckDB tables to a
Parquet folder (``--parquet``) and screens it with Spark local mode (its JVM's memory is not in
the child's maxrss). Every engine returns each person's status per criterion; the script checks
that the overall verdict counts agree.

``--replicate K`` builds ``--db`` as K copies of a database of ``--patients / K`` persons
(``--base``, generated first, or reused with ``--reuse``): generating 10^7 persons with the
simulator takes about 45 minutes, copying 10^6 ten times inside DuckDB a few. Each copy is the
base's rows with every id (person_id, measurement_id, visit_occurrence_id, ...) offset, so the
copies are distinct persons with realistic records; the person-free tables (vocabulary,
cdm_source) are copied once. The verdicts are then exactly K times the base's (a check on the
result); the query does not know the persons are copies (no step of it gains from repetition:
every value is per person, and the copies' ids put them in different slices).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
AS_OF = dt.date(2026, 1, 1)
NAMES = {
    "sql": "compiled query on DuckDB",
    "memory": "in-memory engine",
    "spark": "compiled query on Spark local[2]",
}


def _child(engine: str, target: str, trial: str) -> None:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.prescreen.run import prescreen
    from oncotrial.prescreen.warehouse import open_warehouse

    eligibility = find_protocol(trial).eligibility
    started = time.perf_counter()
    warehouse = open_warehouse(target, engine="spark" if engine == "spark" else "auto")
    result = prescreen(
        warehouse, eligibility, as_of=AS_OF, engine="memory" if engine == "memory" else "sql"
    )
    seconds = time.perf_counter() - started
    # a Categorical counts its unused names too (0): left out, as the engines' counts compare
    counts = {k: v for k, v in result.table["overall"].value_counts().to_dict().items() if v}
    print(json.dumps({"seconds": seconds, "persons": len(result.table), "overall": counts}))


def _write(args: argparse.Namespace) -> None:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.prescreen.synthetic import write_population

    marker = Path(f"{args.db}.persons")
    if args.replicate > 1:
        if args.patients % args.replicate or not args.base:
            raise SystemExit("--replicate K needs --base FILE and --patients a multiple of K")
        what = f"{args.patients} = {args.replicate} copies of {args.base}"
        if args.reuse and marker.exists() and marker.read_text() == what:
            print(f"reusing {args.db} ({what}, written before)")
            return
        base = argparse.Namespace(**{**vars(args), "db": args.base, "replicate": 1})
        base.patients = args.patients // args.replicate
        _write(base)
        _replicate(args.base, args.db, args.replicate)
        marker.write_text(what)
        return
    if args.reuse and marker.exists() and marker.read_text() == str(args.patients):
        print(f"reusing {args.db} ({args.patients:,} persons, written before)")
        return
    started = time.perf_counter()
    counts = write_population(
        f"duckdb:///{args.db}",
        find_protocol(args.trial).eligibility,
        args.patients,
        seed=1,
        as_of=AS_OF,
    )
    marker.write_text(str(args.patients))
    print(
        f"wrote {counts['person']:,} persons, {counts['measurement']:,} measurements "
        f"in {time.perf_counter() - started:.0f} s (data generation, not screening)"
    )


def _replicate(base: str, db: str, copies: int) -> None:
    """``db`` as ``copies`` copies of ``base``, every id offset per copy (inside DuckDB).

    An id column is an integer column named ``*_id`` but not ``*_concept_id``; each copy k adds
    k * 10^d to it, 10^d above the column's largest value in any table, so a foreign key
    (a person_id, a visit_occurrence_id) stays consistent across tables. The MRN-style
    ``person_source_value`` follows its person_id.
    """
    import duckdb

    started = time.perf_counter()
    Path(db).unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    con = duckdb.connect(db)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"ATTACH '{base}' AS base (READ_ONLY)")
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = 'base' ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in columns:
        tables.setdefault(table, []).append((column, kind))
    ids = {
        column
        for table, cols in tables.items()
        for column, kind in cols
        if column.endswith("_id")
        and not column.endswith("_concept_id")
        and kind in ("BIGINT", "INTEGER")
    }
    largest = dict.fromkeys(ids, 0)
    for table, cols in tables.items():
        for column, _ in cols:
            if column in ids:
                top = con.execute(f'SELECT MAX("{column}") FROM base."{table}"').fetchone()[0]
                largest[column] = max(largest[column], int(top or 0))
    step = {c: 10 ** len(str(top)) for c, top in largest.items()}  # 10^d > the largest
    for table, cols in tables.items():
        per_person = any(c == "person_id" for c, _ in cols)
        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM base."{table}" LIMIT 0')
        for k in range(copies if per_person else 1):
            moved = [f'"{c}" + {k * step[c]} AS "{c}"' for c, _ in cols if c in ids]
            if table == "person" and k:
                moved.append(
                    "CASE WHEN person_source_value = printf('MRN%09d', person_id) "
                    f"THEN printf('MRN%09d', person_id + {k * step['person_id']}) "
                    "ELSE person_source_value END AS person_source_value"
                )
            replace = f" REPLACE ({', '.join(moved)})" if moved else ""
            con.execute(f'INSERT INTO "{table}" SELECT *{replace} FROM base."{table}"')
    con.execute("DETACH base")
    con.close()
    print(
        f"replicated {base} {copies} times into {db} in {time.perf_counter() - started:.0f} s "
        f"(id steps {dict(sorted(step.items()))}; data preparation, not screening)"
    )


def _parquet(db: str, folder: str) -> None:
    """The same tables as Parquet (``<folder>/<table>/part-0.parquet``), for Spark."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(db, read_only=True)
    for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        where = Path(folder) / name
        where.mkdir(parents=True, exist_ok=True)
        for old in where.glob("*.parquet"):
            old.unlink()
        con.execute(f"COPY \"{name}\" TO '{where / 'part-0.parquet'}' (FORMAT parquet)")
    con.close()
    print(f"copied the tables to Parquet in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--trial", default="002")
    parser.add_argument("--db", default="/tmp/oncotrial-prescreen-bench.duckdb")
    parser.add_argument("--parquet", default="/tmp/oncotrial-prescreen-bench-parquet")
    parser.add_argument("--engines", default="sql,memory")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--replicate",
        type=int,
        default=1,
        help="build --db as K copies of --base (patients/K persons), ids offset per copy",
    )
    parser.add_argument("--base", help="the database --replicate copies (written if absent)")
    parser.add_argument("--memory-limit", help="DuckDB's memory_limit, e.g. 12GB")
    parser.add_argument("--threads", help="DuckDB's threads (default: every core)")
    parser.add_argument("--temp-directory", help="where DuckDB spills (default: <db>.tmp)")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        target = args.parquet if args.child == "spark" else f"duckdb:///{args.db}"
        _child(args.child, target, args.trial)
        return
    for variable, value in (
        ("ONCOTRIAL_DUCKDB_MEMORY_LIMIT", args.memory_limit),
        ("ONCOTRIAL_DUCKDB_THREADS", args.threads),
        ("ONCOTRIAL_DUCKDB_TEMP_DIRECTORY", args.temp_directory),
    ):
        if value:
            os.environ[variable] = value  # read by the children's open_warehouse
    print(f"load average at the start: {_load()}")
    _write(args)
    engines = args.engines.split(",")
    if "spark" in engines:
        _parquet(args.db, args.parquet)
    rows: dict[str, dict[str, Any]] = {}
    for engine in engines:
        runs = [_measure_rusage(engine, args) for _ in range(args.repeat)]
        rows[engine] = {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "runs": [round(r["seconds"], 1) for r in runs],
            "cpu": statistics.median(r["cpu"] for r in runs),
            "peak_gb": max(r["peak_gb"] for r in runs),
            "persons": runs[0]["persons"],
            "overall": runs[0]["overall"],
        }
    print(f"load average at the end: {_load()}")
    print("| engine | time (median) | runs | CPU time | peak memory | persons | overall verdicts |")
    print("|---|---|---|---|---|---|---|")
    for engine, row in rows.items():
        print(
            f"| {NAMES[engine]} | {row['seconds']:.1f} s | {row['runs']} | {row['cpu']:.1f} s | "
            f"{row['peak_gb']:.1f} GB | {row['persons']:,} | {row['overall']} |"
        )
    if "sql" in rows:
        for engine in rows:
            if engine != "sql":
                ratio = rows[engine]["seconds"] / rows["sql"]["seconds"]
                same = rows[engine]["overall"] == rows["sql"]["overall"]
                cpu = rows[engine]["cpu"] / rows["sql"]["cpu"]
                print(
                    f"ratio {engine} / DuckDB: {ratio:.2f} wall, {cpu:.2f} CPU; "
                    f"same overall counts: {same}"
                )


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} cores)"


def _measure_rusage(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one engine in a child; its peak RSS and CPU time from the kernel's accounting."""
    cmd = [sys.executable, __file__, "--child", engine, "--db", args.db, "--trial", args.trial]
    cmd += ["--parquet", args.parquet]
    print(f"{engine}: load average {_load()}", flush=True)
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"the {engine} run failed (status {status})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_gb"] = usage.ru_maxrss / 1024**2  # ru_maxrss is in KiB on Linux
    result["cpu"] = usage.ru_utime + usage.ru_stime
    print(
        f"  {result['seconds']:.1f} s wall, {result['cpu']:.1f} s CPU, "
        f"peak {result['peak_gb']:.2f} GB",
        flush=True,
    )
    return result


if __name__ == "__main__":
    main()
