"""The PDF: it renders (poppler turns every page into an image), carries the same content as
the HTML, embeds only DejaVu Sans, splits long tables with repeated headers, fits figures."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from matplotlib.figure import Figure as MplFigure
from PIL import Image

from oncotrial.report import (
    Column,
    Figure,
    Listing,
    Report,
    ReportFiles,
    Section,
    Table,
    TitlePage,
    render_pdf,
)


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pages_text(pdftotext: str, pdf: Path) -> list[str]:
    return run(pdftotext, "-layout", str(pdf), "-").split("\f")[:-1]


def test_pdf_pages_render_to_png(
    example_files: ReportFiles, poppler: dict[str, str], artifacts: Path, is_blank
) -> None:
    target = artifacts / "pdf-pages"
    target.mkdir(exist_ok=True)
    for old in target.glob("page-*.png"):
        old.unlink()
    run(poppler["pdftoppm"], "-r", "50", "-png", str(example_files.pdf), str(target / "page"))
    pages = sorted(target.glob("page-*.png"))
    assert len(pages) >= 8
    for page in pages:
        with Image.open(page) as image:
            assert image.size[0] == pytest.approx(595 * 50 / 72, abs=2)  # A4 width at 50 dpi
        assert not is_blank(page.read_bytes()), page.name


def test_pdf_has_the_same_content_as_the_document(
    example_report: Report, example_files: ReportFiles, poppler: dict[str, str]
) -> None:
    text = " ".join(pages_text(poppler["pdftotext"], example_files.pdf))
    flat = " ".join(text.split())
    tp = example_report.title_page
    for expected in (tp.title[:40], tp.identity, "Data cut-off 2024-12-31", "oncotrial 0.1.0"):
        assert expected in flat, expected
    for entry in example_report.toc():
        assert entry.title[:30] in flat, entry.title
    for table in example_report.tables():
        assert table.title[:30] in flat, table.title
    for figure in example_report.figures():
        assert f"Figure {example_report.figure_number(figure)}." in flat
    assert "Not computable." in flat
    assert "Contents" in flat


def test_pdf_numbers_pages_and_fills_the_contents(
    example_report: Report, example_files: ReportFiles, poppler: dict[str, str]
) -> None:
    pages = pages_text(poppler["pdftotext"], example_files.pdf)
    total = len(pages)
    assert f"Page 2 of {total}" in pages[1] and f"Page {total} of {total}" in pages[-1]
    # the contents give the page on which each section's heading really is
    checked = 0
    for line in pages[1].splitlines():
        entry = re.match(r"^\s*(\d+(?:\.\d+)?)\s+(\S.*?)[\s.]*?(\d+)\s*$", line)
        if entry:
            number, title, page = entry.groups()
            heading = f"{number} {title}"
            assert heading in " ".join(pages[int(page) - 1].split()), heading
            checked += 1
    assert checked == len(example_report.toc())


def test_pdf_embeds_only_dejavu_sans(example_files: ReportFiles, poppler: dict[str, str]) -> None:
    listing = run(poppler["pdffonts"], str(example_files.pdf)).splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in listing}
    assert names and names <= {
        "DejaVuSans",
        "DejaVuSans-Bold",
        "DejaVuSans-Oblique",
        "DejaVuSans-BoldOblique",
    }
    assert all(" yes yes " in line for line in listing), "every font embedded and subset"


def _report(*blocks) -> Report:
    tp = TitlePage("Long tables", "X", date(2025, 1, 1), "1.0", datetime(2025, 1, 2, 3, 4))
    return Report(tp, (Section("s", "S", tuple(blocks)),))


def test_long_tables_split_across_pages_with_the_header_repeated(
    tmp_path: Path, poppler: dict[str, str]
) -> None:
    rows = [(f"SUBJ-{i:04d}", f"Arm {i % 2}", i * 1.5) for i in range(260)]
    listing = Listing(
        "long", "A long listing", (Column("Subject id"), Column("Arm"), Column("Value")), rows
    )
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_pdf(_report(listing)))
    body_pages = [p for p in pages_text(poppler["pdftotext"], pdf) if "SUBJ-" in p]
    assert len(body_pages) >= 3
    assert all("Subject id" in page for page in body_pages), "header repeated on every page"
    found = " ".join(body_pages)
    assert all(f"SUBJ-{i:04d}" in found for i in range(260)), "no row lost at a page break"


def test_wide_tables_wrap_within_the_page(tmp_path: Path, poppler: dict[str, str]) -> None:
    columns = tuple(Column(f"Column number {i} with a long header") for i in range(9))
    table = Table("wide", "Wide", columns, [tuple(f"value {i} of a row" for i in range(9))])
    pdf = tmp_path / "wide.pdf"
    pdf.write_bytes(render_pdf(_report(table)))
    run(
        poppler["pdftoppm"], "-r", "40", "-png", "-f", "3", "-l", "3", str(pdf), str(tmp_path / "p")
    )
    with Image.open(next(tmp_path.glob("p-*.png"))) as image:
        grey = image.convert("L")
        width, height = grey.size
        margin = int(width * 15 / 210)  # the 18 mm margin, less a little
        right_strip = grey.crop((width - margin, int(height * 0.12), width, int(height * 0.9)))
        assert right_strip.getextrema()[0] > 200, "table ink in the right margin"


def test_tall_figures_are_scaled_to_the_page(tmp_path: Path, poppler: dict[str, str]) -> None:
    tall = MplFigure(figsize=(6.85, 16))
    tall.add_subplot().plot([0, 1], [0, 1])
    figure = Figure.from_matplotlib(tall, id="tall", caption="A tall figure", alt_text="a", dpi=30)
    pdf = tmp_path / "tall.pdf"
    pdf.write_bytes(render_pdf(_report(figure)))
    text = pages_text(poppler["pdftotext"], pdf)
    assert "Figure 1. A tall figure" in " ".join(text[2].split()), "caption on the figure's page"


def test_pdf_is_reproducible() -> None:
    report = _report(Table("t", "T", ("A",), (("x",),)))
    assert render_pdf(report) == render_pdf(report)
