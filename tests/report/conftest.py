"""Fixtures of the report tests: the example report (built once), its files, a browser."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from example_report import build_example_report
from PIL import Image

from oncotrial.report import Report, ReportFiles, write_report

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "report"
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


@pytest.fixture(scope="session")
def example_report() -> Report:
    return build_example_report()


@pytest.fixture(scope="session")
def example_files(example_report: Report, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report(example_report, tmp_path_factory.mktemp("example-report"))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/report/`` (gitignored): screenshots and pages to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium(chromium_executable: Path):
    """Headless Debian Chromium driven by Playwright (tests/conftest.py: fails when missing)."""
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
def poppler(poppler_tools: dict[str, str]) -> dict[str, str]:
    """Paths of poppler's pdftoppm, pdftotext and pdffonts (tests/conftest.py)."""
    return poppler_tools


@pytest.fixture(scope="session")
def is_blank():
    """``is_blank(png_bytes)``: True when an image is a single colour (nothing was drawn)."""

    def check(png: bytes) -> bool:
        with Image.open(io.BytesIO(png)) as image:
            low, high = image.convert("L").getextrema()
        return low == high

    return check
