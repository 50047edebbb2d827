"""CPU time of the light CLI commands, as a user starts them, against `python -c pass`.

    .venv/bin/python bench/cli_start_bench.py [--repeat 7] [--baseline REV]

Each command runs in a fresh process of the installed `oncotrial` script (the virtual
environment's, beside this Python) in an empty data directory (so
`trial list` reads only the five bundled protocols); the figure is the child's CPU time (user +
system, from ``os.wait4``), the median of ``repeat`` runs, with the wall time beside it. The
peer is `python -c pass` in the same script, so the ratio carries across machines. With
``--baseline REV`` the same commands also run on the source tree of git revision REV (extracted
with ``git archive`` into a temporary folder and put first on ``PYTHONPATH``), e.g. the commit
before the lazy imports, to show the old behaviour on the same machine in the same run.

The goal (issue 11): `trial list` under 0.3 s of CPU; `--help`, `--version`, `trial list` and
`trial show` import neither pandas, scipy, Django, matplotlib nor statsmodels
(`tests/cli/test_fast_start.py` checks the imports).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--version",),
    ("--help",),
    ("trial", "list"),
    ("trial", "show", "NCT07064876"),
)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {child.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def measure(argv: list[str], env: dict[str, str], repeat: int) -> tuple[float, float]:
    runs = [run(argv, env) for _ in range(repeat)]
    return statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs)


def extract(revision: str, folder: Path) -> Path:
    """The ``src`` tree of a git revision, unpacked into ``folder``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "src"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", help="a git revision to compare with (e.g. main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ONCOTRIAL_HOME": str(Path(tmp) / "home")}
        for name in ("ONCOTRIAL_DB", "DATABASE_URL", "PYTHONPATH"):
            env.pop(name, None)
        trees = {"this tree": env}
        if args.baseline:
            src = extract(args.baseline, Path(tmp) / "baseline")
            trees[f"at {args.baseline}"] = {**env, "PYTHONPATH": str(src)}
        peer, peer_wall = measure([sys.executable, "-c", "pass"], env, args.repeat)
        print(f"python -c pass: {peer:.3f} s CPU ({peer_wall:.3f} s wall), median of {args.repeat}")
        print()
        header = "| command | " + " | ".join(f"{tree}: CPU s (× pass) | wall s" for tree in trees)
        print(header + " |")
        print("|---|" + "---|---|" * len(trees))
        for command in COMMANDS:
            cells = []
            for tree_env in trees.values():
                argv = [str(Path(sys.executable).with_name("oncotrial")), *command]
                cpu, wall = measure(argv, tree_env, args.repeat)
                cells.append(f"{cpu:.3f} ({cpu / peer:.0f}×) | {wall:.3f}")
            print(f"| `oncotrial {' '.join(command)}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
