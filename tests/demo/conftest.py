"""The demo, run once per test session through the real command line, in its own data directory.

Its five reports, its database and its console output are what the tests in this folder check.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "demo"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


def run_oncotrial(*args: str, env: dict[str, str | None]) -> CliRun:
    """`oncotrial ARGS` in-process with ``env`` applied (None removes a variable)."""
    from oncotrial.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.setenv("COLUMNS", "160")
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliRun(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class DemoRun:
    home: Path
    cli: CliRun
    database: Path
    reports: Path
    ctcae: Path


@pytest.fixture(scope="session")
def ctcae_file(shared: Path) -> Path:
    return shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, ctcae_file: Path) -> DemoRun:
    """`oncotrial demo` as on a fresh machine: a fresh data directory, no CTCAE file named (the
    CTCAE v5.0 shipped with oncotrial is used; ``ctcae`` is the reference copy the tests compare
    against)."""
    home = tmp_path_factory.mktemp("demo-home")
    result = run_oncotrial(
        "demo",
        env={
            "ONCOTRIAL_HOME": str(home),
            "ONCOTRIAL_CTCAE": None,
            "ONCOTRIAL_DB": None,
            "DATABASE_URL": None,
        },
    )
    assert result.code == 0, result.err
    return DemoRun(
        home=home,
        cli=result,
        database=home / "demo" / "oncotrial-demo.sqlite3",
        reports=home / "demo" / "reports",
        ctcae=ctcae_file,
    )


@pytest.fixture
def demo_database(demo_run: DemoRun):
    """The store configured on the demo's database (tests may switch it elsewhere)."""
    from oncotrial.store import configure

    configure(demo_run.database)
    return demo_run.database


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/demo/`` (gitignored): pages and screenshots for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def chromium(demo_run: DemoRun, chromium_executable: Path):
    """Headless Debian Chromium driven by Playwright (tests/conftest.py: fails when missing).

    Module-scoped and started after the demo: Playwright's sync API runs an event loop, and
    Django refuses database calls while one runs in the thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_executable), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def pdftoppm(poppler_tools: dict[str, str]) -> str:
    return poppler_tools["pdftoppm"]
