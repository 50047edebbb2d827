"""The demo's reports render: every HTML report in headless Chromium (every figure loaded, no
console errors, nothing fetched but the file), every PDF page to PNG with poppler. Pages and
screenshots go to ``test-artifacts/demo/`` for a person to look at."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

TRIALS = ("000", "001", "002", "003", "004")


@pytest.mark.browser
@pytest.mark.parametrize("key", TRIALS)
def test_html_report_renders_in_chromium(chromium, demo_run, artifacts: Path, key: str) -> None:
    html = demo_run.reports / key / "report.html"
    url = html.resolve().as_uri()
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url, wait_until="load")
        images = page.evaluate(
            "Array.from(document.images).map(i => ({alt: i.alt, w: i.naturalWidth,"
            " done: i.complete}))"
        )
        figures = html.read_text(encoding="utf-8").count('<figure class="figure"')
        assert len(images) == figures >= 5
        for image in images:
            assert image["done"] and image["w"] > 0, image["alt"][:60]
        assert problems == []
        assert requests == [url]
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        page.screenshot(path=str(artifacts / f"{key}-html.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize("key", TRIALS)
def test_pdf_pages_convert_to_png(pdftoppm: str, demo_run, artifacts: Path, key: str) -> None:
    target = artifacts / f"{key}-pdf"
    target.mkdir(exist_ok=True)
    for old in target.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "50",
            "-png",
            str(demo_run.reports / key / "report.pdf"),
            str(target / "page"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(target.glob("page-*.png"))
    assert len(pages) >= 10
    for page in pages:
        with Image.open(page) as image:
            assert image.size[0] == pytest.approx(595 * 50 / 72, abs=2)  # A4 at 50 dpi
            low, high = image.convert("L").getextrema()
        assert low < high, f"{page.name} is blank"
