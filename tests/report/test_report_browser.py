"""The HTML report in a real browser (headless Debian Chromium through Playwright): every
figure loads, the console stays clean, nothing is fetched from anywhere but the file itself.
Screenshots go to ``test-artifacts/report/`` for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oncotrial.report import Report, ReportFiles

pytestmark = pytest.mark.browser


def open_page(chromium, url: str, *, width: int = 1000):
    page = chromium.new_page(viewport={"width": width, "height": 900})
    events: dict[str, list[str]] = {"console": [], "errors": [], "requests": [], "failed": []}
    page.on(
        "console",
        lambda m: (
            events["console"].append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("requestfailed", lambda r: events["failed"].append(r.url))
    page.goto(url, wait_until="load")
    return page, events


def test_report_renders_in_chromium(chromium, example_files: ReportFiles, artifacts: Path) -> None:
    url = example_files.html.resolve().as_uri()
    page, events = open_page(chromium, url)
    try:
        images = page.evaluate(
            "Array.from(document.images).map(i => ({alt: i.alt, w: i.naturalWidth,"
            " h: i.naturalHeight, done: i.complete}))"
        )
        assert len(images) == 7
        for image in images:
            assert image["done"] and image["w"] > 0 and image["h"] > 0, image["alt"]
        assert events["console"] == [], events["console"]
        assert events["errors"] == []
        assert events["failed"] == []
        assert events["requests"] == [url], "the page fetched something besides itself"
        # figures fit the text column; nothing overflows the page horizontally
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        assert page.title().startswith("EXAMPLE-001 — ")
        page.screenshot(path=str(artifacts / "html-full.png"), full_page=True)
        page.screenshot(path=str(artifacts / "html-top.png"))
        page.locator("#sec-pfs").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "html-pfs.png"))
    finally:
        page.close()


def test_report_contents_links_reach_their_sections(chromium, example_files: ReportFiles) -> None:
    page, _ = open_page(chromium, example_files.html.resolve().as_uri())
    try:
        page.click("nav.toc a[href='#sec-os']")
        top = page.evaluate("document.getElementById('sec-os').getBoundingClientRect().top")
        assert abs(top) < 5
    finally:
        page.close()


def test_report_prints_to_a4(
    chromium, example_report: Report, example_files: ReportFiles, artifacts: Path
) -> None:
    """The print stylesheet: Chromium's own PDF of the page, one section per page."""
    page, events = open_page(chromium, example_files.html.resolve().as_uri())
    try:
        page.emulate_media(media="print")
        page.screenshot(path=str(artifacts / "html-print-media.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        (artifacts / "html-printed.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        # the print stylesheet starts every top-level section on a new page
        assert pages >= 1 + len(example_report.sections)
        assert events["console"] == []
    finally:
        page.close()


def test_narrow_screens_scroll_tables_not_the_page(chromium, example_files: ReportFiles) -> None:
    page, _ = open_page(chromium, example_files.html.resolve().as_uri(), width=420)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, "a table or figure widens the page on a phone"
    finally:
        page.close()
