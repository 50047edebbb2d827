"""Wall time of the main job, `oncotrial demo`, against one example report as the peer.

    .venv/bin/python bench/demo_bench.py [--repeat 3] [--ctcae FILE]

The demo is run as a user runs it — a fresh `python -m oncotrial demo` process in an empty data
directory, so the time includes Python's start, the imports and Django's migrations — ``repeat``
times; then once in-process with its progress steps timed, which splits the time into database
creation, simulation, storage and analysis + report per trial. The peer is writing the report
module's example report (``tests/report/example_report.py``: 7 figures, ~11 PDF pages, one seed
trial's size) in the same script, so the ratio carries across machines. The goal is under 60 s
on the shared 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CTCAE = ROOT.parent / "shared" / "reference" / "ctcae" / "CTCAE_v5.0.csv"


def run_cli(home: Path, ctcae: Path | None) -> float:
    env = {**os.environ, "ONCOTRIAL_HOME": str(home)}
    env.pop("ONCOTRIAL_DB", None)
    env.pop("DATABASE_URL", None)
    if ctcae is not None:
        env["ONCOTRIAL_CTCAE"] = str(ctcae)
    else:
        env.pop("ONCOTRIAL_CTCAE", None)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "oncotrial", "demo"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def phases(home: Path, ctcae: Path | None) -> dict[str, float]:
    os.environ["ONCOTRIAL_HOME"] = str(home)
    from oncotrial.app.demo import run_demo

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    run_demo(
        now=datetime(2026, 1, 1),
        ctcae=ctcae,
        progress=lambda step: marks.append((step, time.perf_counter())),
    )
    end = time.perf_counter()
    # Each progress call reports a finished step: the time since the previous one is its own.
    totals: dict[str, float] = defaultdict(float)
    previous = start
    for step, done in marks:
        kind = next(
            (k for k in ("stored", "simulated", "report", "database") if k in step), "other"
        )
        totals[KINDS.get(kind, kind)] += done - previous
        previous = done
    totals["total (in-process)"] = end - start
    return dict(totals)


KINDS = {
    "database": "create and migrate the demo database",
    "simulated": "simulate the 5 trials",
    "stored": "store them (validated, audited)",
    "report": "read back, analyse and write the 5 reports",
}


def peer(out: Path) -> float:
    from oncotrial.report import write_report

    sys.path.insert(0, str(ROOT / "tests" / "report"))
    from example_report import build_example_report

    start = time.perf_counter()
    write_report(build_example_report(), out)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ctcae", type=Path, default=DEFAULT_CTCAE if DEFAULT_CTCAE.exists() else None
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        peer(base / "warm")  # imports and font caches, not timed
        peers = [peer(base / f"peer-{i}") for i in range(3)]
        runs = [run_cli(base / f"home-{i}", args.ctcae) for i in range(args.repeat)]
        split = phases(base / "home-phases", args.ctcae)
    peer_time = min(peers)
    median = statistics.median(runs)
    print(f"CTCAE dictionary: {args.ctcae or 'none (AE sections explain why)'}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print("| measure | time (s) | × peer |")
    print("|---|---:|---:|")
    print(f"| peer: example report, write_report (best of 3) | {peer_time:.2f} | 1.0 |")
    print(
        f"| `python -m oncotrial demo`, fresh data directory (median of {args.repeat}; "
        f"runs {', '.join(f'{r:.1f}' for r in runs)}) | {median:.1f} | {median / peer_time:.1f} |"
    )
    for name, seconds in split.items():
        print(f"| in-process: {name} | {seconds:.1f} | {seconds / peer_time:.1f} |")


if __name__ == "__main__":
    main()
