"""The HTML file: self-contained, accessible, complete, escaped and deterministic."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from html.parser import HTMLParser

from matplotlib.figure import Figure as MplFigure

from oncotrial.report import (
    Figure,
    Note,
    Paragraph,
    RegistryQuote,
    Report,
    ReportFiles,
    Section,
    Table,
    TitlePage,
    render_html,
)


class Page(HTMLParser):
    """Collects the tags and attributes the checks need."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if attrs.get("id")}


def test_html_is_self_contained(example_files: ReportFiles) -> None:
    html = example_files.html.read_text(encoding="utf-8")
    page = Page(html)
    for _, attrs in page.tags:
        for name in ("src", "href", "srcset", "data", "action", "poster"):
            value = attrs.get(name) or ""
            assert not re.match(r"^\s*(https?:)?//", value, re.I), f"{name}={value[:80]}"
    assert not re.search(r"https?://", html.replace("http://www.w3.org/", "")), "a URL in the page"
    assert "@import" not in html and "url(http" not in html
    assert page.all("script") == [] and page.all("link") == [{"rel": "icon", "href": "data:,"}]
    images = page.all("img")
    assert len(images) == 7
    for image in images:
        assert (image["src"] or "").startswith("data:image/png;base64,")
        assert base64.b64decode((image["src"] or "").split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    csp = [m for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_html_is_accessible(example_report: Report, example_files: ReportFiles) -> None:
    page = Page(example_files.html.read_text(encoding="utf-8"))
    assert page.all("html") == [{"lang": "en"}]
    assert len(page.all("h1")) == 1
    assert page.all("main") and page.all("nav")
    for image in page.all("img"):
        assert (image.get("alt") or "").strip()
        assert image.get("width") and image.get("height")
    tables = page.all("table")
    assert len(tables) == len(example_report.tables())
    assert len(page.all("caption")) == len(tables)
    assert all(th.get("scope") in ("col", "row") for th in page.all("th"))
    # every entry of the contents links to a heading that exists
    anchors = [(a.get("href") or "")[1:] for a in page.all("a") if (a.get("href") or "")[:1] == "#"]
    assert anchors and set(anchors) <= page.ids


def test_html_shows_every_block(example_report: Report, example_files: ReportFiles) -> None:
    html = example_files.html.read_text(encoding="utf-8")
    page = Page(html)
    for table in example_report.tables():
        assert f"tbl-{table.id}" in page.ids
        assert f'href="tables/{table.id}.csv"' in html
    for figure in example_report.figures():
        assert f"fig-{figure.id}" in page.ids
    for section in example_report.walk():
        assert f"sec-{section.id}" in page.ids
    text = " ".join(page.text)
    assert "SYNTHETIC EXAMPLE" in text
    assert "Not computable." in text
    assert "registration text" in text
    assert "Data cut-off" in text and "2024-12-31" in text


def _report(*blocks, banner: str | None = None) -> Report:
    tp = TitlePage(
        "T <b>", "P&1", date(2025, 1, 2), "9.9", datetime(2025, 1, 3, 4, 5), banner=banner
    )
    return Report(tp, (Section("s", "S", tuple(blocks)),))


def test_html_escapes_text_from_registries_and_data() -> None:
    html = render_html(
        _report(
            Paragraph("<script>alert(1)</script>"),
            RegistryQuote("Tumour <5 cm & ECOG ≤1", "Definition", "NCT0 & co"),
            Table("t", "x<y", ("<th>",), (("<td>",),)),
            Note("a & b"),
        )
    )
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "Tumour &lt;5 cm &amp; ECOG ≤1" in html
    assert "<title>P&amp;1 — T &lt;b&gt;</title>" in html


def test_html_is_deterministic_and_reads_no_clock() -> None:
    report = _report(Paragraph("x"))
    assert render_html(report) == render_html(report)
    assert "2025-01-03 04:05" in render_html(report)


def test_html_marks_registry_quotes_apart_from_computed_text() -> None:
    html = render_html(_report(Paragraph("Computed."), RegistryQuote("Quoted.", "Time frame")))
    assert '<p class="computed">Computed.</p>' in html
    assert re.search(
        r'<figure class="registry-quote">.*?<blockquote>Quoted\.</blockquote>', html, re.S
    )


def test_html_can_inline_svg_with_ids_made_unique() -> None:
    def figure(id_: str) -> Figure:
        fig = MplFigure(figsize=(2, 1))
        fig.add_subplot().plot([0, 1], [0, 1])
        return Figure.from_matplotlib(fig, id=id_, caption="c", alt_text="a line", svg=True)

    html = render_html(_report(figure("one"), figure("two")))
    page = Page(html)
    assert page.all("img") == []
    assert html.count("<svg") == 2 and "<?xml" not in html and "<!DOCTYPE svg" not in html
    svg_ids = [attrs["id"] for tag, attrs in page.tags if tag != "section" and attrs.get("id")]
    assert len(svg_ids) == len(set(svg_ids)), "duplicate ids across inline SVGs"
    assert next(a for a in page.all("div") if a.get("role") == "img")["aria-label"] == "a line"


def test_html_renders_an_empty_table_and_a_banner() -> None:
    html = render_html(_report(Table("t", "Empty", ("A", "B"), ()), banner="SIMULATED DATA"))
    assert "No rows." in html
    assert '<div class="banner" role="note">SIMULATED DATA</div>' in html
