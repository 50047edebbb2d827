"""Prescreening 10^6 synthetic persons on DuckDB: the compiled query against the in-memory engine.

    .venv/bin/python bench/prescreen_bench.py                       # 10^6 persons, trial 002
    .venv/bin/python bench/prescreen_bench.py --patients 100000 --trial 001

Writes the synthetic OMOP population once (``--db``, kept for reruns), then screens it with
each engine in its own child process, so that each peak resident memory (the child's maxrss,
DuckDB's native memory included) is its own. Both engines return every person's status per
criterion; the script checks that the overall verdict counts agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
AS_OF = dt.date(2026, 1, 1)


def _child(engine: str, db: str, trial: str) -> None:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.prescreen.run import prescreen
    from oncotrial.prescreen.warehouse import open_warehouse

    eligibility = find_protocol(trial).eligibility
    warehouse = open_warehouse(f"duckdb:///{db}")
    started = time.perf_counter()
    result = prescreen(warehouse, eligibility, as_of=AS_OF, engine=engine)
    seconds = time.perf_counter() - started
    counts = result.table["overall"].value_counts().to_dict()
    print(json.dumps({"seconds": seconds, "persons": len(result.table), "overall": counts}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--trial", default="002")
    parser.add_argument("--db", default="/tmp/oncotrial-prescreen-bench.duckdb")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.db, args.trial)
        return
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.prescreen.synthetic import write_population

    started = time.perf_counter()
    counts = write_population(
        f"duckdb:///{args.db}",
        find_protocol(args.trial).eligibility,
        args.patients,
        seed=1,
        as_of=AS_OF,
    )
    written = time.perf_counter() - started
    print(
        f"wrote {counts['person']:,} persons, {counts['measurement']:,} measurements "
        f"in {written:.0f} s"
    )
    sql = _measure_rusage("sql", args.db, args.trial)
    memory = _measure_rusage("memory", args.db, args.trial)
    same = sql["overall"] == memory["overall"]
    print("| engine | time | peak memory | persons | overall verdicts |")
    print("|---|---|---|---|---|")
    for name, row in (("compiled query on DuckDB", sql), ("in-memory engine", memory)):
        print(
            f"| {name} | {row['seconds']:.1f} s | {row['peak_gb']:.1f} GB | "
            f"{row['persons']:,} | {row['overall']} |"
        )
    ratio = float(memory["seconds"]) / float(sql["seconds"])  # type: ignore[arg-type]
    print(f"ratio memory / DuckDB: {ratio:.2f}; same overall counts: {same}")


def _measure_rusage(engine: str, db: str, trial: str) -> dict[str, object]:
    """Run one engine in a child; its peak RSS from the kernel's accounting of that child."""
    cmd = [sys.executable, __file__, "--child", engine, "--db", db, "--trial", trial]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"the {engine} run failed (status {status})")
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["peak_gb"] = usage.ru_maxrss / 1024**2  # ru_maxrss is in KiB on Linux
    return result


if __name__ == "__main__":
    main()
