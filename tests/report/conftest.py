"""Fixtures of the report tests: the example report (built once), its files, a browser."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from example_report import build_example_report
from PIL import Image

from oncotrial.report import Report, ReportFiles, write_report

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "report"
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
def chromium():
    """Headless Debian Chromium driven by Playwright; skips with the reason when unavailable."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser test needs Debian chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test needs Playwright for Python (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def poppler() -> dict[str, str]:
    """Paths of poppler's pdftoppm, pdftotext and pdffonts; skips when poppler is missing."""
    tools = {name: shutil.which(name) for name in ("pdftoppm", "pdftotext", "pdffonts")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install poppler-utils)")
    return {name: str(path) for name, path in tools.items()}


@pytest.fixture(scope="session")
def is_blank():
    """``is_blank(png_bytes)``: True when an image is a single colour (nothing was drawn)."""

    def check(png: bytes) -> bool:
        with Image.open(io.BytesIO(png)) as image:
            low, high = image.convert("L").getextrema()
        return low == high

    return check
