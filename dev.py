#!/usr/bin/env python3
"""Set-up and checks in one command each, on a machine with only Python and pip.

    python3 dev.py demo                # create .venv from the lock, run the main job
    python3 dev.py test                # .venv with the test lock; ruff, mypy, pytest
    python3 dev.py test --no-browser   # the same without Debian chromium and poppler-utils
    python3 dev.py lock [--upgrade]    # refresh requirements.lock and requirements-test.lock

The virtual environment lives in `.venv/` beside this file. It is installed from the lock files
(`pip install --require-hashes`: exact versions, every file checked against its hash) and
reinstalled only when the lock or pyproject.toml changes. Extra arguments after `test` go to
pytest, after `demo` to `oncotrial demo`.

`test` needs Debian's chromium (browser tests), poppler-utils (PDF tests), r-cran-foreign and
r-cran-jsonlite (R reads the SAS transport files back). When they are missing it installs them
with apt-get if it runs as root, and otherwise stops with the command to run; `--no-browser`
opts out of chromium and poppler-utils explicitly: those tests are then skipped and the summary
says so. They never skip silently.

`lock` resolves pyproject.toml's ranges (with the test extra, and the build requirements) for
every platform and Python >= 3.11 with uv, installed into `.venv-lock/`; it keeps the versions
already locked unless `--upgrade` is given. Run it after changing dependencies in pyproject.toml.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
LOCKS = {"": ROOT / "requirements.lock", "test": ROOT / "requirements-test.lock"}
LOCK_VENV = ROOT / ".venv-lock"
UV = "uv==0.13.9"  # the resolver `dev.py lock` uses (installs only from the lock need pip)
PYTHON_FLOOR = "3.11"  # pyproject's requires-python; the lock holds for it and every later one
NO_BROWSER_ENV = "ONCOTRIAL_NO_BROWSER"
# (Debian package, a file it installs, what needs it, skipped with --no-browser)
SYSTEM_PACKAGES = (
    ("chromium", "/usr/bin/chromium", "the browser tests", True),
    ("poppler-utils", "pdftoppm", "the PDF tests", True),
    ("r-cran-foreign", "/usr/lib/R/library/foreign", "R reading SAS transport files", False),
    ("r-cran-jsonlite", "/usr/lib/R/site-library/jsonlite", "R reading SAS transport files", False),
)


def _run(*cmd: str | Path, **kw: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False, **kw)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(result.returncode)


def _fail(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


# --------------------------------------------------------------------------- the environment


def _normal(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_names(lock: Path) -> set[str]:
    """The distributions a lock file pins (``name==version`` lines)."""
    names = set()
    for line in lock.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==", line)
        if found:
            names.add(_normal(found.group(1)))
    return names


def _remove_unlocked() -> None:
    """Uninstall what neither lock holds (left by an older lock), so .venv is the lock's."""
    listed = subprocess.run(
        [str(PY), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    keep = set().union(*(locked_names(lock) for lock in LOCKS.values() if lock.exists()))
    keep |= {"pip", "oncotrial"}
    extra = sorted(
        item["name"] for item in json.loads(listed.stdout) if _normal(item["name"]) not in keep
    )
    if extra:
        _run(PY, "-m", "pip", "uninstall", "--quiet", "--yes", *extra)


def _ensure_env(extras: str) -> None:
    lock = LOCKS[extras]
    if not lock.exists():
        _fail(f"{lock.name} is missing: run `python3 dev.py lock` to create it")
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(lock.read_bytes() + pyproject + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    quiet = ("--quiet", "--disable-pip-version-check")
    _run(PY, "-m", "pip", "install", *quiet, "--require-hashes", "-r", lock)
    # The project itself, editable, with the build back-end the lock installed.
    _run(PY, "-m", "pip", "install", *quiet, "--no-deps", "--no-build-isolation", "-e", ".")
    _remove_unlocked()
    check = subprocess.run(
        [str(PY), "-m", "pip", "check", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        _fail(
            f"the installed packages do not satisfy pyproject.toml:\n{check.stdout}"
            "pyproject.toml asks for something the lock does not hold: run "
            "`python3 dev.py lock`, then this command again."
        )
    for other in VENV.glob(".installed-*"):
        other.unlink()  # the other kind was installed from the previous lock
    stamp.write_text(digest)


# --------------------------------------------------------------------------- system packages


def _present(tool: str) -> bool:
    return Path(tool).exists() if "/" in tool else shutil.which(tool) is not None


def _missing_packages(no_browser: bool = False) -> list[str]:
    return [
        package
        for package, tool, _, browser in SYSTEM_PACKAGES
        if not (no_browser and browser) and not _present(tool)
    ]


def _can_install() -> bool:
    return os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get") is not None


def ensure_system_packages(no_browser: bool) -> str | None:
    """Install Debian chromium and poppler-utils when missing (as root with apt-get).

    Returns the note for the summary when the run opted out with --no-browser; exits with the
    command to run when the packages are missing and cannot be installed here.
    """
    note = None
    if no_browser:
        skipped = [p for p, tool, _, browser in SYSTEM_PACKAGES if browser and not _present(tool)]
        what = f" ({', '.join(skipped)} missing)" if skipped else ""
        note = (
            f"--no-browser: the browser and PDF tests were skipped{what}, not run; run "
            "`python3 dev.py test` to run them"
        )
    missing = _missing_packages(no_browser)
    if not missing:
        return note
    needed = "; ".join(f"{p} for {why}" for p, _, why, _ in SYSTEM_PACKAGES if p in missing)
    if not _can_install():
        _fail(
            f"the tests need Debian packages that are not installed ({needed}). Install them with\n"
            f"    sudo apt-get install {' '.join(missing)}\n"
            "or run `python3 dev.py test --no-browser` to skip the browser and PDF tests "
            "explicitly (the summary then says so)."
        )
    print(f"installing Debian packages: {needed}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run("apt-get", "update", "-q", env=env)
    _run("apt-get", "install", "-y", "-q", *missing, env=env)
    still = _missing_packages(no_browser)
    if still:
        _fail(f"apt-get installed {' '.join(missing)} but {', '.join(still)} is still missing")
    return note


# --------------------------------------------------------------------------- commands


def demo(args: list[str]) -> None:
    _ensure_env("")
    _run(BIN / "oncotrial", "demo", *args)


def test(args: list[str]) -> None:
    no_browser = "--no-browser" in args
    args = [a for a in args if a != "--no-browser"]
    note = ensure_system_packages(no_browser)
    _ensure_env("test")
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    env = {**os.environ, NO_BROWSER_ENV: "1" if no_browser else "0"}
    result = subprocess.run([str(PY), "-m", "pytest", *(args or ["-n", "2"])], cwd=ROOT, env=env)
    if note:
        print(f"\nNOTE {note}.", flush=True)
    sys.exit(result.returncode)


def _build_requirements() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(pyproject["build-system"]["requires"])


def lock(args: list[str]) -> None:
    upgrade = "--upgrade" in args
    if not (LOCK_VENV / "bin" / "uv").exists():
        print(f"installing {UV} into {LOCK_VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(LOCK_VENV)
        _run(LOCK_VENV / "bin" / "python", "-m", "pip", "install", "--quiet", UV)
    uv = LOCK_VENV / "bin" / "uv"
    # pyproject's build requirements, so that the editable install needs nothing unlocked.
    build = LOCK_VENV / "build-requirements.in"
    build.write_text("\n".join(_build_requirements()) + "\n", encoding="utf-8")
    common = [
        "pip",
        "compile",
        "--no-config",
        "--quiet",
        "--universal",
        "--python-version",
        PYTHON_FLOOR,
        "--generate-hashes",
        "--custom-compile-command",
        "python3 dev.py lock",
        *(["--upgrade"] if upgrade else []),
    ]
    inputs = ("pyproject.toml", build.relative_to(ROOT))
    # The test lock first (a superset); the base lock then takes the same versions.
    test_lock, base_lock = LOCKS["test"].name, LOCKS[""].name
    _run(uv, *common, *inputs, "--extra", "test", "-o", test_lock)
    _run(uv, *common, *inputs, "-c", test_lock, "-o", base_lock)
    for path in LOCKS.values():
        print(f"wrote {path.name} ({len(locked_names(path))} distributions)")


def main() -> None:
    commands = {"demo": demo, "test": test, "lock": lock}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
