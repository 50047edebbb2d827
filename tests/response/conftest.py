"""Fixtures for the response tests: the pharmaverse oracle folder and SDTM folders built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PHARMAVERSE = ("oracles", "pharmaverse")


@pytest.fixture
def pharmaverse(shared: Path) -> Path:
    return shared.joinpath(*PHARMAVERSE)


@pytest.fixture
def sdtm_folder(tmp_path: Path, pharmaverse: Path):
    """Copy pharmaverse SDTM files into a fresh SDTM folder: sdtm_folder(rs=..., tu=..., tr=...)."""

    def make(**files: str) -> Path:
        folder = tmp_path / "sdtm"
        folder.mkdir(exist_ok=True)
        for domain, name in files.items():
            shutil.copy(pharmaverse / "sdtm" / name, folder / f"{domain}.csv")
        return folder

    return make
