#!/usr/bin/env python3
"""Set-up and checks in one command each, on a machine with only Python and pip.

    python3 dev.py demo   # create .venv, install oncotrial, run the main job (`oncotrial demo`)
    python3 dev.py test   # create .venv, install with test extras, ruff, mypy, pytest

The virtual environment lives in `.venv/` beside this file; it is reinstalled only when
pyproject.toml changes. Extra arguments after `test` go to pytest, after `demo` to `oncotrial demo`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*cmd: str | Path, **kw: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False, **kw)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(result.returncode)


def _ensure_env(extras: str) -> None:
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    _run(PY, "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(digest)


def demo(args: list[str]) -> None:
    _ensure_env("")
    _run(BIN / "oncotrial", "demo", *args)


def test(args: list[str]) -> None:
    _ensure_env("test")
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    _run(PY, "-m", "pytest", *(args or ["-n", "2"]))


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test"}:
        print(__doc__)
        sys.exit(2)
    {"demo": demo, "test": test}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
