"""The PDF of the report, with reportlab (pure Python: no browser, nothing to install).

* Fonts: DejaVu Sans, read from matplotlib's bundled TTF files (``matplotlib.get_data_path()``),
  the same font the figures use; embedded (subset) in the PDF, so it prints identically anywhere.
* Layout: A4 portrait, 18 mm margins (:data:`~oncotrial.report.figures.style.TEXT_WIDTH_IN` is
  this text width, so figures are placed at their designed size). A title page, a contents page
  with page numbers, PDF bookmarks for every section, and on every page a header (trial, banner)
  and a footer (cut-off, software, "page X of Y").
* Tables split across pages with their header row repeated; columns are sized to their content
  and wrap when the table is wider than the page; listings use a smaller type.
* Figures are scaled down, never up, to fit the text frame, keeping their aspect ratio.

The contents page needs the page numbers of the headings, so the story is laid out twice: first
with empty boxes of each figure's size in place of the images (fast), then once for real with
the contents filled in. Both layouts are identical because the boxes have the images' sizes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

import matplotlib
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from oncotrial.errors import ConfigurationError
from oncotrial.report import document as doc
from oncotrial.report.document import Align, Report, Section

__all__ = ["FONT_FAMILY", "register_fonts", "render_pdf"]

FONT_FAMILY = "DejaVuSans"
_FONT_FILES = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
FRAME_W = PAGE_W - 2 * MARGIN
HEADER_H = 10 * mm
FOOTER_H = 10 * mm
FRAME_H = PAGE_H - 2 * MARGIN - HEADER_H - FOOTER_H
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#0072B2")
QUOTE_BG = colors.HexColor("#E8F1F8")
WARN = colors.HexColor("#D55E00")
WARN_BG = colors.HexColor("#FDF0E6")
FAINT = colors.HexColor("#F3F5F7")


@cache
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, oblique, bold oblique) from matplotlib's data."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, filename in _FONT_FILES.items():
        path = folder / filename
        if not path.is_file():
            raise ConfigurationError(
                f"the font file {path} that matplotlib ships is missing",
                file=str(path),
                hint="Reinstall matplotlib (pip install --force-reinstall matplotlib).",
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        FONT_FAMILY,
        normal="DejaVuSans",
        bold="DejaVuSans-Bold",
        italic="DejaVuSans-Oblique",
        boldItalic="DejaVuSans-BoldOblique",
    )
    return FONT_FAMILY


# --------------------------------------------------------------------------- styles


@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "base", fontName="DejaVuSans", fontSize=9, leading=12.5, textColor=INK, spaceAfter=4
    )

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=kw.pop("parent", base), **kw)

    bold = "DejaVuSans-Bold"
    return {
        "body": base,
        "h1": derive(
            "h1",
            fontName=bold,
            fontSize=15,
            leading=19,
            spaceBefore=4,
            spaceAfter=8,
            keepWithNext=1,
        ),
        "h2": derive(
            "h2",
            fontName=bold,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=1,
        ),
        "h3": derive(
            "h3",
            fontName=bold,
            fontSize=10,
            leading=13,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "title": derive("title", fontName=bold, fontSize=20, leading=25, spaceAfter=10),
        "subtitle": derive("subtitle", fontSize=12, leading=16, textColor=MUTED, spaceAfter=14),
        "identity": derive(
            "identity", fontName=bold, fontSize=10.5, textColor=ACCENT, spaceAfter=6
        ),
        "banner": derive(
            "banner",
            fontName=bold,
            fontSize=10,
            leading=13,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#7A2E00"),
        ),
        "caption": derive(
            "caption",
            fontName=bold,
            fontSize=8.5,
            leading=11,
            spaceBefore=2,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "figcaption": derive("figcaption", fontSize=8.5, leading=11, spaceBefore=3, spaceAfter=2),
        "footnote": derive("footnote", fontSize=7.2, leading=9.2, textColor=MUTED, spaceAfter=1),
        "quote_label": derive(
            "quote_label", fontSize=7.5, leading=9.5, textColor=MUTED, spaceAfter=1
        ),
        "quote": derive(
            "quote", fontName="DejaVuSans-Oblique", fontSize=8.8, leading=12, spaceAfter=0
        ),
        "note": derive("note", fontSize=8.8, leading=12, spaceAfter=0),
        "fact_label": derive("fact_label", fontName=bold, fontSize=9, leading=12, spaceAfter=0),
        "fact_value": derive("fact_value", fontSize=9, leading=12, spaceAfter=0),
        "toc_title": derive("toc_title", fontName=bold, fontSize=13, leading=17, spaceAfter=8),
        "toc1": derive("toc1", fontName=bold, fontSize=9.5, leading=14, leftIndent=0),
        "toc2": derive("toc2", fontSize=9, leading=12.5, leftIndent=14),
        "toc3": derive("toc3", fontSize=8.5, leading=11.5, leftIndent=28),
    }


#: Table cells set their own font before drawing, even around paragraphs: without this every
#: table would pull reportlab's default Helvetica into the PDF.
_TABLE_FONT = ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans")

_ALIGN: dict[Align, Literal[0, 1, 2]] = {
    Align.LEFT: TA_LEFT,
    Align.RIGHT: TA_RIGHT,
    Align.CENTER: TA_CENTER,
}


@cache
def _cell_style(size: float, align: Align, bold: bool) -> ParagraphStyle:
    """A table cell that needs wrapping (cells that fit on one line are plain strings)."""
    return ParagraphStyle(
        f"cell-{size}-{align}-{bold}",
        fontName="DejaVuSans-Bold" if bold else "DejaVuSans",
        fontSize=size,
        leading=size * 1.25,
        alignment=_ALIGN[align],
        textColor=INK,
    )


def _text(value: str) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


# --------------------------------------------------------------------------- flowables


class _Heading(Paragraph):
    """A section heading that reports itself to the contents and the PDF outline."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
        super().__init__(text, style)
        self.toc_level = level
        self.toc_key = key


class _Gap(Spacer):
    """Vertical space after a block that shrinks to what is left at the foot of a page (a plain
    Spacer that does not fit would start a page of its own)."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, max(0.0, min(self.height, availHeight - 0.01))


class _FigureBlock(Flowable):
    """A figure image with its caption and notes below, as one unsplittable flowable.

    The image is scaled down (never up) to the frame, leaving room for the caption. In the
    layout pass (``placeholder``) an empty box of the same size stands in for the image.
    """

    def __init__(self, figure: doc.Figure, caption: list[Paragraph], placeholder: bool) -> None:
        super().__init__()
        self.figure = figure
        self.caption = caption
        self.placeholder = placeholder
        self.caption_h = 0.0
        self.draw_w = self.draw_h = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.caption_h = sum(p.wrap(availWidth, availHeight)[1] + 3 for p in self.caption)
        # Leave room for a heading above: a heading and its figure then fit on one page.
        room_h = FRAME_H - self.caption_h - 64
        natural_w = self.figure.width_in * inch
        natural_h = self.figure.height_in * inch
        scale = min(1.0, availWidth / natural_w, room_h / natural_h)
        self.draw_w, self.draw_h = natural_w * scale, natural_h * scale
        return availWidth, self.draw_h + 4 + self.caption_h

    def draw(self) -> None:
        x = (FRAME_W - self.draw_w) / 2
        y = self.caption_h + 4
        if self.placeholder:
            self.canv.rect(x, y, self.draw_w, self.draw_h, stroke=0, fill=0)
        else:
            self.canv.drawImage(
                _image_reader(self.figure), x, y, self.draw_w, self.draw_h, mask=None
            )
        top = self.caption_h
        for paragraph in self.caption:
            _, h = paragraph.wrap(FRAME_W, top)
            top -= h + 3
            paragraph.drawOn(self.canv, 0, top + 3)


def _image_reader(figure: doc.Figure) -> ImageReader:
    """The PNG as RGB on white: an alpha channel would make reportlab embed a second (mask)
    image and double the work. matplotlib's figures are opaque, so usually this only drops
    the channel; a PNG with real transparency is composited onto white first."""
    from PIL import Image

    with Image.open(io.BytesIO(figure.png)) as image:
        image.load()
        if image.mode not in ("RGBA", "LA", "P"):
            return ImageReader(image.convert("RGB"))
        rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    if alpha.getextrema()[0] == 255:
        return ImageReader(rgba.convert("RGB"))
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=alpha)
    return ImageReader(flat)


class _KeepWithNext(KeepTogether):
    """reportlab's keep-with-next group (a heading and what follows it).

    A group that fits the page stays together, moving to the next page when it does not fit
    here. A group taller than a page — a heading before a long table — starts where it is when
    a useful part fits (instead of leaving the rest of the page empty) and the table splits.
    Blocks never nest KeepTogether (whose ``wrap`` reports a huge height to force a split), so
    ``_H`` here is the group's real height.
    """

    # KeepTogether's own state, set by its ``__init__`` and ``wrap`` (declared for the checker).
    _content: list[Flowable]
    _H: float

    def split(self, aW: float, aH: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        content = list(self._content)
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        if aH >= self._H or at_top:
            return content
        if self._H > FRAME_H and aH >= min(FRAME_H * 0.25, 160):
            return content
        return [FrameBreak(), *content]


class _Unsplittable(Table):
    """A short table: never split over two pages (it moves to the next page whole)."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []


class _Doc(BaseDocTemplate):
    keepTogetherClass = _KeepWithNext

    def __init__(self, buffer: io.BytesIO, report: Report) -> None:
        tp = report.title_page
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_H,
            bottomMargin=MARGIN + FOOTER_H,
            title=f"{tp.protocol_id} — {tp.title}",
            author="oncotrial",
            subject=f"Trial report, data cut-off {tp.data_cutoff.isoformat()}",
            creator=f"oncotrial {tp.software_version}",
            producer=f"oncotrial {tp.software_version} (reportlab)",
            lang=report.language,
            invariant=1,  # reproducible bytes: no clock read by reportlab either
            initialFontName="DejaVuSans",  # otherwise every page references Helvetica
        )
        self.report = report
        frame = Frame(
            MARGIN,
            MARGIN + FOOTER_H,
            FRAME_W,
            FRAME_H,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        title_frame = Frame(
            MARGIN,
            MARGIN,
            FRAME_W,
            PAGE_H - 2 * MARGIN,
            id="title",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(id="title", frames=[title_frame], onPage=self._title_decoration),
                PageTemplate(id="body", frames=[frame], onPage=self._decoration),
            ]
        )
        self.toc_entries: list[tuple[int, str, int, str]] = []

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading):
            key = flowable.toc_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=flowable.toc_level)
            # The contents page renders the entry as markup again: escape the heading's text,
            # or a tag in a title breaks the build or references a file (issue 13 item 6).
            text = _text(flowable.getPlainText())
            self.notify("TOCEntry", (flowable.toc_level, text, self.page, key))

    def _title_decoration(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        """The title page carries no running header or footer."""

    def _decoration(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        tp = self.report.title_page
        canvas.saveState()
        top = PAGE_H - MARGIN
        room = FRAME_W
        if tp.banner:
            banner = _fit(tp.banner, FRAME_W * 0.55, "DejaVuSans-Bold", 7.5)
            canvas.setFont("DejaVuSans-Bold", 7.5)
            canvas.setFillColor(WARN)
            canvas.drawRightString(PAGE_W - MARGIN, top - 8, banner)
            room -= pdfmetrics.stringWidth(banner, "DejaVuSans-Bold", 7.5) + 12
        canvas.setFont("DejaVuSans", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            MARGIN, top - 8, _fit(f"{tp.identity} — {tp.title}", room, "DejaVuSans", 7.5)
        )
        canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 12, PAGE_W - MARGIN, top - 12)
        bottom = MARGIN
        canvas.line(MARGIN, bottom + 14, PAGE_W - MARGIN, bottom + 14)
        canvas.setFont("DejaVuSans", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            MARGIN,
            bottom + 4,
            f"Data cut-off {tp.data_cutoff.isoformat()} · generated {tp.generated_text} · "
            f"oncotrial {tp.software_version}",
        )
        canvas.restoreState()


def _fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut with an ellipsis to ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _NumberedCanvas(Canvas):
    """Defers page output so that every page can say "page X of Y"."""

    _startPage: Callable[[], None]  # Canvas's own: a fresh page state (declared for the checker)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if number > 1:
                self.saveState()
                self.setFont("DejaVuSans", 7.5)
                self.setFillColor(MUTED)
                self.drawRightString(PAGE_W - MARGIN, MARGIN + 4, f"Page {number} of {total}")
                self.restoreState()
            super().showPage()
        super().save()


# --------------------------------------------------------------------------- story


def _title_page(report: Report) -> list[Flowable]:
    tp = report.title_page
    s = _styles()
    story: list[Flowable] = [Spacer(1, 40 * mm)]
    if tp.banner:
        banner = Table([[Paragraph(_text(tp.banner), s["banner"])]], colWidths=[FRAME_W])
        banner.setStyle(
            TableStyle(
                [
                    _TABLE_FONT,
                    ("BOX", (0, 0), (-1, -1), 1.5, WARN),
                    ("BACKGROUND", (0, 0), (-1, -1), WARN_BG),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        story += [banner, Spacer(1, 10 * mm)]
    story.append(Paragraph(_text(tp.identity), s["identity"]))
    story.append(Paragraph(_text(tp.title), s["title"]))
    if tp.subtitle:
        story.append(Paragraph(_text(tp.subtitle), s["subtitle"]))
    facts = [
        doc.Fact("Protocol", tp.protocol_id),
        *([doc.Fact("Registration", ", ".join(tp.registry_ids))] if tp.registry_ids else []),
        doc.Fact("Data cut-off", tp.data_cutoff.isoformat()),
        doc.Fact("Software", f"oncotrial {tp.software_version}"),
        doc.Fact("Generated", tp.generated_text),
        *tp.details,
    ]
    story += [Spacer(1, 6 * mm), _facts_table(facts)]
    return story


def _facts_table(items: Sequence[doc.Fact]) -> Table:
    s = _styles()
    rows = []
    for fact in items:
        value = _text(fact.value)
        if fact.note:
            value += f' <font color="#555555" size="7.8">{_text(fact.note)}</font>'
        rows.append(
            [Paragraph(_text(fact.label), s["fact_label"]), Paragraph(value, s["fact_value"])]
        )
    label_w = min(
        max(pdfmetrics.stringWidth(f.label, "DejaVuSans-Bold", 9) for f in items) + 14,
        FRAME_W * 0.4,
    )
    table = Table(rows, colWidths=[label_w, FRAME_W - label_w], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                _TABLE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


class _Contents(TableOfContents):
    """The contents page; the entries of its two passes are TableOfContents' own state
    (``_entries``: this pass's headings, ``_lastEntries``: the previous pass's), declared here
    for the checker."""

    _entries: list[tuple[int, str, int, str]]
    _lastEntries: list[tuple[int, str, int, str]]


def _contents(
    entries: list[tuple[int, str, int, str]] | None,
) -> tuple[list[Flowable], _Contents]:
    s = _styles()
    toc = _Contents(
        levelStyles=[s["toc1"], s["toc2"], s["toc3"]],
        dotsMinLevel=0,
        rightColumnWidth=40,
        tableStyle=TableStyle(
            [
                _TABLE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    if entries is not None:
        toc._lastEntries = list(entries)  # the layout pass's page numbers
    return [Paragraph("Contents", s["toc_title"]), toc, PageBreak()], toc


@dataclass(frozen=True)
class _TableMetrics:
    size: float
    header_size: float
    padding: float


def _table_flowables(report: Report, table: doc.Table) -> list[Flowable]:
    s = _styles()
    listing = isinstance(table, doc.Listing)
    m = _TableMetrics(
        size=7 if listing else 8, header_size=7 if listing else 8, padding=2.5 if listing else 4
    )
    aligns = table.alignments()
    shown = table.display_rows()
    widths = _column_widths(table, shown, m)
    header = [
        Paragraph(_text(c.label), _cell_style(m.header_size, aligns[i], True))
        for i, c in enumerate(table.columns)
    ]
    style: list[tuple[Any, ...]] = [
        _TABLE_FONT,
        ("FONTSIZE", (0, 1), (-1, -1), m.size),
        ("LEADING", (0, 1), (-1, -1), m.size * 1.25),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LINEABOVE", (0, 0), (-1, 0), 1.0, INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
        ("LINEBELOW", (0, -1), (-1, -1), 1.0, INK),
        ("LEFTPADDING", (0, 0), (-1, -1), m.padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), m.padding),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6 if listing else 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 if listing else 2.2),
    ]
    style += [
        ("ALIGN", (i, 1), (i, -1), {"left": "LEFT", "right": "RIGHT", "center": "CENTER"}[a])
        for i, a in enumerate(aligns)
    ]
    body: list[list[Any]] = []
    for number, (row, cells) in enumerate(zip(table.rows, shown, strict=True), start=1):
        font = "DejaVuSans-Bold" if row.emphasis else "DejaVuSans"
        if row.emphasis:
            style.append(("FONTNAME", (0, number), (-1, number), font))
        indent = row.level * m.size * 1.2
        if indent:
            style.append(("LEFTPADDING", (0, number), (0, number), m.padding + indent))
        line: list[Any] = []
        for i, text in enumerate(cells):
            room = widths[i] - 2 * m.padding - (indent if i == 0 else 0)
            if "\n" not in text and pdfmetrics.stringWidth(text, font, m.size) <= room:
                line.append(text)  # fits on one line: a plain cell, much faster than a Paragraph
            else:
                line.append(Paragraph(_text(text), _cell_style(m.size, aligns[i], row.emphasis)))
        body.append(line)
    if not body:
        body = [["No rows.", *[""] * (len(table.columns) - 1)]]
        style += [
            ("SPAN", (0, 1), (-1, 1)),
            ("FONTNAME", (0, 1), (-1, 1), "DejaVuSans-Oblique"),
            ("ALIGN", (0, 1), (-1, 1), "LEFT"),
        ]
    kind = _Unsplittable if len(table.rows) <= 15 else Table
    grid = kind([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    grid.setStyle(TableStyle(style))
    label = "Listing" if listing else "Table"
    caption = Paragraph(
        f'<font color="#0072B2">{label} {report.table_number(table)}.</font> {_text(table.title)}',
        s["caption"],
    )
    notes = [Paragraph(_text(n), s["footnote"]) for n in table.footnotes]
    # The caption keeps with the table (style keepWithNext); a short table stays in one piece.
    return [caption, grid, *notes, _Gap(1, 8)]


def _column_widths(
    table: doc.Table, shown: Sequence[Sequence[str]], m: _TableMetrics
) -> list[float]:
    """Natural widths when they fit; otherwise each column keeps its longest word and the rest
    of the frame is shared in proportion to how much more each column would like."""
    pad = 2 * m.padding + 1
    natural, minimum = [], []
    for index, column in enumerate(table.columns):
        texts = [row[index] for row in shown]
        indent = max((r.level for r in table.rows), default=0) * m.size * 1.2 if index == 0 else 0
        wide = max(
            [pdfmetrics.stringWidth(column.label, "DejaVuSans-Bold", m.header_size)]
            + [pdfmetrics.stringWidth(t, "DejaVuSans-Bold", m.size) for t in texts]
        )
        words = [w for t in [column.label, *texts] for w in t.split()] or [""]
        longest = max(pdfmetrics.stringWidth(w, "DejaVuSans-Bold", m.size) for w in words)
        natural.append(wide + pad + indent)
        minimum.append(min(longest + pad + indent, FRAME_W / len(table.columns)))
    if sum(natural) <= FRAME_W:
        return natural
    spare = FRAME_W - sum(minimum)
    wants = [n - lo for n, lo in zip(natural, minimum, strict=True)]
    total = sum(wants) or 1.0
    return [lo + spare * w / total for lo, w in zip(minimum, wants, strict=True)]


def _figure_flowables(report: Report, figure: doc.Figure, placeholder: bool) -> list[Flowable]:
    s = _styles()
    caption = Paragraph(
        f'<font name="DejaVuSans-Bold" color="#0072B2">Figure {report.figure_number(figure)}.'
        f"</font> {_text(figure.caption)}",
        s["figcaption"],
    )
    notes = [Paragraph(_text(n), s["footnote"]) for n in figure.footnotes]
    return [_FigureBlock(figure, [caption, *notes], placeholder), _Gap(1, 8)]


def _boxed(content: list[Flowable], *, background: Any, bar: Any) -> Table:
    box = Table([[content]], colWidths=[FRAME_W])
    box.setStyle(
        TableStyle(
            [
                _TABLE_FONT,
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("LINEBEFORE", (0, 0), (0, -1), 3, bar),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return box


def _block(report: Report, block: doc.Block, placeholder: bool) -> list[Flowable]:
    s = _styles()
    if isinstance(block, doc.Table):
        return _table_flowables(report, block)
    if isinstance(block, doc.Figure):
        return _figure_flowables(report, block, placeholder)
    if isinstance(block, doc.Paragraph):
        return [Paragraph(_text(block.text), s["body"])]
    if isinstance(block, doc.RegistryQuote):
        origin = block.origin + (f", {block.source}" if block.source else "")
        label = Paragraph(
            f'<font name="DejaVuSans-Bold" color="#1a1a1a">{_text(block.label)}</font> '
            f"({_text(origin)})",
            s["quote_label"],
        )
        return [
            _boxed(
                [label, Paragraph(_text(block.text), s["quote"])], background=QUOTE_BG, bar=ACCENT
            ),
            _Gap(1, 5),
        ]
    if isinstance(block, doc.Facts):
        return [_facts_table(block.items), _Gap(1, 5)]
    if isinstance(block, doc.Note):
        not_computable = block.kind is doc.NoteKind.NOT_COMPUTABLE
        text = Paragraph(
            f'<font name="DejaVuSans-Bold">{_text(block.kind.value.capitalize())}.</font> '
            f"{_text(block.text)}",
            s["note"],
        )
        return [
            _boxed(
                [text],
                background=WARN_BG if not_computable else FAINT,
                bar=WARN if not_computable else MUTED,
            ),
            _Gap(1, 5),
        ]
    raise TypeError(f"not a report block: {type(block).__name__}")  # the model forbids this


def _section(report: Report, section: Section, level: int, placeholder: bool) -> list[Flowable]:
    s = _styles()
    number = report.section_number(section)
    story: list[Flowable] = []
    if level == 0:
        story.append(CondPageBreak(FRAME_H * 0.35))
    style = s[("h1", "h2", "h3")[min(level, 2)]]
    story.append(
        _Heading(
            f'<font color="#0072B2">{number}</font>&nbsp;&nbsp;{_text(section.title)}',
            style,
            level,
            f"sec-{section.id}",
        )
    )
    for block in section.blocks:
        story += _block(report, block, placeholder)
    for sub in section.subsections:
        story += _section(report, sub, level + 1, placeholder)
    return story


def _build(report: Report, placeholder: bool, entries: list[Any] | None) -> tuple[bytes, list[Any]]:
    buffer = io.BytesIO()
    document = _Doc(buffer, report)
    contents, toc = _contents(entries)
    story: list[Flowable] = [*_title_page(report), NextPageTemplate("body"), PageBreak(), *contents]
    for section in report.sections:
        story += _section(report, section, 0, placeholder)
    if entries is None:
        document.multiBuild(story, canvasmaker=_NumberedCanvas)
    else:
        document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue(), list(toc._entries if entries is None else entries)


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Write streams as binary Flate instead of ASCII85 text while rendering.

    ASCII85 (reportlab's default, for 7-bit-clean files) is 25% larger and, without reportlab's
    optional C accelerator, encodes images in pure Python — most of the PDF's rendering time.
    Every current PDF reader takes binary streams. The global setting is restored afterwards.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4)."""
    register_fonts()
    with _binary_streams():
        _, entries = _build(report, placeholder=True, entries=None)
        pdf, _ = _build(report, placeholder=False, entries=entries)
    return pdf
