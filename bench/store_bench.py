"""Benchmark: simulate and store 10,000 patients; export the trial as SDTM.

    .venv/bin/python bench/store_bench.py [--n 10000] [--protocol NCT07064876] [--no-postgres]

Goals (issue 5): simulate + store 10,000 patients in under 60 s on SQLite and on PostgreSQL;
SDTM export of that trial in under 10 s. Each figure comes with a peer measured in the same run:

- store: a bare ``executemany`` (SQLite) / ``COPY`` (PostgreSQL) of the same number of rows and
  columns into one table without indexes, history or checks — the raw cost of writing the data;
- export: writing the simulator's in-memory frames to the same CSV files — the cost of the files
  alone, without reading the database.

PostgreSQL runs on a throwaway database on 127.0.0.1:5432 (user postgres), dropped afterwards.
The CTCAE file is ../shared/reference/ctcae/CTCAE_v5.0.csv (or $ONCOTRIAL_CTCAE).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _ctcae_path() -> Path:
    configured = os.environ.get("ONCOTRIAL_CTCAE")
    return Path(configured) if configured else ROOT.parent / "shared/reference/ctcae/CTCAE_v5.0.csv"


def _peer_write(db: str, rows: int, columns: int) -> float:
    """Seconds to write ``rows`` × ``columns`` plain values into a bare table."""
    from django.db import connection, transaction

    values = [(i, *(f"value {j}" for j in range(columns - 1))) for i in range(rows)]
    names = ", ".join(f"c{j}" for j in range(columns))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_peer")
            types = ", ".join(f"c{j} {'bigint' if j == 0 else 'text'}" for j in range(columns))
            cursor.execute(f"CREATE TABLE bench_peer ({types})")
        raw = connection.connection
        start = time.perf_counter()
        if connection.vendor == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY bench_peer ({names}) FROM STDIN") as copy,
            ):
                for row in values:
                    copy.write_row(row)
        else:
            raw.executemany(f"INSERT INTO bench_peer VALUES ({', '.join('?' * columns)})", values)
        elapsed = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_peer")
    return elapsed


def run(backend: str, db: str, n: int, protocol_ref: str, out: Path) -> dict[str, float]:
    from oncotrial.store import configure, migrate

    configure(db)
    migrate()
    from oncotrial.formats.ctcae import load_ctcae
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.formats.sdtm import write_sdtm_folder
    from oncotrial.simulate import simulate_trial
    from oncotrial.store.sdtm_export import export_sdtm
    from oncotrial.store.trials import store_simulation

    ctcae = load_ctcae(_ctcae_path())
    protocol = find_protocol(protocol_ref)
    start = time.perf_counter()
    result = simulate_trial(protocol, n, 20260101, ctcae=ctcae)
    simulated = time.perf_counter()
    stored = store_simulation(result, user="bench", ctcae=ctcae)
    done = time.perf_counter()
    records = stored.total_inserted
    frames = result.frames
    mean_columns = round(sum(len(f.columns) * len(f) for f in frames.values()) / records)

    start_export = time.perf_counter()
    exported = export_sdtm(result.studyid)
    write_sdtm_folder(exported, out / f"export-{backend}", study_oid=result.studyid, canonical=True)
    export_seconds = time.perf_counter() - start_export
    start_peer = time.perf_counter()
    write_sdtm_folder(frames, out / f"peer-{backend}", study_oid=result.studyid)
    export_peer = time.perf_counter() - start_peer

    store_peer = _peer_write(db, records, mean_columns)
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
    return {
        "patients": n,
        "records": records,
        "simulate": simulated - start,
        "store": done - simulated,
        "simulate+store": done - start,
        "store peer": store_peer,
        "export": export_seconds,
        "export peer": export_peer,
    }


def _postgres() -> tuple[str, object] | None:
    try:
        import psycopg

        admin = psycopg.connect(
            host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True, connect_timeout=3
        )
    except Exception as exc:  # not reachable: reported and skipped
        print(f"PostgreSQL skipped: {exc}")
        return None
    name = f"oncotrial_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}", (admin, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--protocol", default="NCT07064876")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="oncotrial-bench-"))
    results = []
    try:
        results.append(
            ("SQLite", run("sqlite", str(work / "bench.sqlite3"), args.n, args.protocol, work))
        )
        if not args.no_postgres:
            found = _postgres()
            if found is not None:
                url, (admin, name) = found
                try:
                    results.append(
                        ("PostgreSQL", run("postgresql", url, args.n, args.protocol, work))
                    )
                finally:
                    admin.execute(  # type: ignore[attr-defined]
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                        [name],
                    )
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[attr-defined]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    cores = os.cpu_count()
    print(
        f"\nprotocol {args.protocol}, {args.n} patients, load average {load:.1f} on {cores} cores\n"
    )
    print(
        "| backend | records | simulate s | store s | simulate+store s (goal < 60) | "
        "store peer s | store / peer | export s (goal < 10) | export peer s | export / peer |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for backend, r in results:
        print(
            f"| {backend} | {r['records']:,} | {r['simulate']:.1f} | {r['store']:.1f} | "
            f"{r['simulate+store']:.1f} | {r['store peer']:.1f} | "
            f"{r['store'] / r['store peer']:.1f} | "
            f"{r['export']:.1f} | {r['export peer']:.1f} | {r['export'] / r['export peer']:.1f} |"
        )


if __name__ == "__main__":
    main()
