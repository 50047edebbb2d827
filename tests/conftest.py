"""Shared fixtures: where the reference material lives, an isolated oncotrial home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
