"""Shared fixtures: where the reference material lives, an isolated oncotrial home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API (browser tests) keeps an asyncio loop on the test thread; Django then
# refuses ORM calls in later tests of the same worker, although nothing runs concurrently.
# Tests only: the application itself never runs the ORM inside an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ONCOTRIAL_SHARED", ROOT.parent / "shared")).resolve()


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
