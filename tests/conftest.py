"""Shared fixtures: where the reference material lives, an isolated oncotrial home, and the
system tools of the browser and PDF tests (Debian chromium, poppler-utils).

Browser and PDF tests never skip silently: a missing tool fails them with the command that
installs it, unless the run opted out explicitly (`python3 dev.py test --no-browser`, which sets
ONCOTRIAL_NO_BROWSER=1); then they are skipped and the summary counts them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

# Playwright's sync API (browser tests) keeps an asyncio loop on the test thread; Django then
# refuses ORM calls in later tests of the same worker, although nothing runs concurrently.
# Tests only: the application itself never runs the ORM inside an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ONCOTRIAL_SHARED", ROOT.parent / "shared")).resolve()


CHROMIUM = Path("/usr/bin/chromium")
POPPLER = ("pdftoppm", "pdftotext", "pdffonts")
NO_BROWSER = "ONCOTRIAL_NO_BROWSER"
_OPTED_OUT = "skipped: the run opted out of browser and PDF tests (--no-browser)"


def missing_system_tool(what: str, package: str) -> NoReturn:
    """Fail (or, with --no-browser, skip) a test whose system tool is not installed."""
    if os.environ.get(NO_BROWSER) == "1":
        pytest.skip(f"{what} is not installed; {_OPTED_OUT}")
    pytest.fail(
        f"{what} is not installed, and browser and PDF tests never skip silently. "
        f"`python3 dev.py test` installs it when run as root; otherwise run "
        f"`sudo apt-get install {package}`, or opt out explicitly with "
        "`python3 dev.py test --no-browser`.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian chromium (with Playwright for Python), or the test fails saying how to get it."""
    if not CHROMIUM.exists():
        missing_system_tool(f"Debian chromium ({CHROMIUM})", "chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed: it is a test dependency "
            "(`python3 dev.py test` installs it from requirements-test.lock)",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def poppler_tools() -> dict[str, str]:
    """Paths of poppler's pdftoppm, pdftotext and pdffonts, or the test fails saying how."""
    tools = {name: shutil.which(name) for name in POPPLER}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        missing_system_tool(f"{', '.join(missing)} (Debian poppler-utils)", "poppler-utils")
    return {name: str(path) for name, path in tools.items()}


@pytest.fixture(scope="session")
def rscript_foreign() -> str:
    """Rscript with R's `foreign` package (Debian r-cran-foreign), or the test fails saying how.

    R's read.xport is the independent reader of the SAS transport files oncotrial writes."""
    import subprocess

    rscript = shutil.which("Rscript")
    if rscript is not None:
        found = subprocess.run(
            [rscript, "-e", "library(foreign); library(jsonlite)"],
            capture_output=True,
            check=False,
        )
        if found.returncode == 0:
            return rscript
    pytest.fail(
        "R with its foreign and jsonlite packages is not installed: `python3 dev.py test` "
        "installs them when run as root; otherwise run "
        "`sudo apt-get install r-cran-foreign r-cran-jsonlite`.",
        pytrace=False,
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """State, at the end, how many tests the --no-browser opt-out left unrun."""
    if os.environ.get(NO_BROWSER) != "1":
        return
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if _OPTED_OUT in str(getattr(report, "longrepr", ""))
    ]
    terminalreporter.write_sep(
        "=",
        f"--no-browser: {len(skipped)} browser/PDF test(s) NOT RUN (Debian chromium or "
        "poppler-utils missing)",
        yellow=True,
    )


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only reference folder (../shared): seeds, oracles, CTCAE, registry records."""
    if not SHARED.is_dir():
        pytest.fail(f"reference folder {SHARED} not found; set ONCOTRIAL_SHARED to its path")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never let a test touch the user's real data directory."""
    home = tmp_path_factory.mktemp("oncotrial-home")
    monkeypatch.setenv("ONCOTRIAL_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[:2000]!r}, err={self.err[:2000]!r})"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run `oncotrial ARGS…` in-process through the real entry point (exit codes, stderr)."""
    from oncotrial.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
