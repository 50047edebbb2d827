"""The report as an immutable document: a title page and ordered sections of blocks.

A :class:`Report` knows nothing about HTML, PDF or spreadsheets; the renderers in
:mod:`oncotrial.report.render` turn one document into every format, so the formats cannot drift
apart. The document holds finished content only — text already worded, numbers already computed
by the engines, figures already rendered to PNG — so the report layer never re-computes a
clinical number.

::

    Report
    ├── TitlePage            protocol identity, data cut-off, software version, generated date
    └── Section …            id, title, blocks, subsections (nested Sections)
        └── Block            one of:
            ├── Paragraph        text the analysis produced (computed, methods, narrative)
            ├── RegistryQuote    the registration's own words, quoted with their source
            ├── Facts            label–value pairs (e.g. "ORR: 12/25 (48.0%; 95% CI 27.8–68.7)")
            ├── Table            header, rows, alignment, footnotes; ``id`` names its CSV/XLSX sheet
            ├── Listing          a subject-level Table, rendered compactly
            ├── Figure           a rendered image with caption and alt text
            └── Note             e.g. "this endpoint cannot be computed because …"

Every object is a frozen dataclass; sequences are stored as tuples. Invalid content (a row with
the wrong number of cells, two tables with one id, an empty alt text) raises
:class:`oncotrial.errors.ValueProblem` when the object is built, never while rendering.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeAlias

from oncotrial.errors import ValueProblem

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "Align",
    "Block",
    "CellValue",
    "Column",
    "Fact",
    "Facts",
    "Figure",
    "Listing",
    "Note",
    "NoteKind",
    "Paragraph",
    "RegistryQuote",
    "Report",
    "Row",
    "Section",
    "Table",
    "TitlePage",
    "TocEntry",
    "format_cell",
]

#: What a table cell may hold. Numbers stay numbers in CSV and XLSX; HTML and PDF show them
#: with the column's ``format``. ``None`` is an empty cell (shown as ``missing_text``).
CellValue: TypeAlias = str | int | float | None

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def _check_id(kind: str, value: str) -> None:
    if not _ID.match(value):
        raise ValueProblem(
            f"{kind} id {value!r} is not usable as a file and anchor name",
            field="id",
            hint="Use 1–63 lower-case letters, digits, '-' or '_', starting with a letter or "
            "digit (e.g. 'ae-by-soc').",
        )


def _require_text(kind: str, name: str, value: str) -> None:
    if not value or not value.strip():
        raise ValueProblem(
            f"{kind} needs a non-empty {name}",
            field=name,
            hint=f"Give the {kind.lower()} its {name}; it is shown to readers.",
        )


# --------------------------------------------------------------------------- title page


@dataclass(frozen=True)
class TitlePage:
    """The report's first page. Every date is passed in: the report layer never reads a clock.

    ``protocol_id`` is the trial's own identifier (e.g. the local id ``002``);
    ``registry_ids`` the registrations (``NCT07064876``, …). ``banner`` is shown prominently on
    the title page and in every page header — use it for "SIMULATED DATA — NOT TRIAL RESULTS".
    ``details`` are further label–value lines (sponsor, phase, design, arms, …).
    """

    title: str
    protocol_id: str
    data_cutoff: date
    software_version: str
    generated: datetime | date
    registry_ids: Sequence[str] = ()
    subtitle: str | None = None
    banner: str | None = None
    details: Sequence[Fact] = ()

    def __post_init__(self) -> None:
        _require_text("TitlePage", "title", self.title)
        _require_text("TitlePage", "protocol_id", self.protocol_id)
        _require_text("TitlePage", "software_version", self.software_version)
        object.__setattr__(self, "registry_ids", tuple(self.registry_ids))
        object.__setattr__(self, "details", tuple(self.details))

    @property
    def identity(self) -> str:
        """``002 · NCT07064876``: the trial's identifiers on one line."""
        return " · ".join((self.protocol_id, *self.registry_ids))

    @property
    def generated_text(self) -> str:
        if isinstance(self.generated, datetime):
            return self.generated.strftime("%Y-%m-%d %H:%M")
        return self.generated.isoformat()


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    """Text the analysis produced (a result sentence, methods, narrative)."""

    text: str

    def __post_init__(self) -> None:
        _require_text("Paragraph", "text", self.text)


@dataclass(frozen=True)
class RegistryQuote:
    """The registration's own words, shown as a quotation and never reworded.

    ``label`` says what is quoted ("Definition", "Time frame"); ``source`` where from
    ("NCT07064876, primary outcome 1"). ``origin`` says whose words they are: "registration
    text" only where the registry record holds them; a reviewer's paraphrase of a record
    without an outcome section is labelled as such (the protocol's provenance).
    """

    text: str
    label: str
    source: str | None = None
    origin: str = "registration text"

    def __post_init__(self) -> None:
        _require_text("RegistryQuote", "text", self.text)
        _require_text("RegistryQuote", "label", self.label)
        _require_text("RegistryQuote", "origin", self.origin)


@dataclass(frozen=True)
class Fact:
    """One label–value line, e.g. ``Fact("ORR", "12/25 (48.0%)", "exact 95% CI 27.8–68.7")``."""

    label: str
    value: str
    note: str | None = None

    def __post_init__(self) -> None:
        _require_text("Fact", "label", self.label)


@dataclass(frozen=True)
class Facts:
    """Label–value pairs shown as a definition list."""

    items: Sequence[Fact]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise ValueProblem("Facts needs at least one Fact", field="items")


class Align(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    CENTER = "center"


@dataclass(frozen=True)
class Column:
    """A table column: its header, alignment and how numbers are shown.

    ``align=None`` means right for columns whose cells are all numbers, left otherwise.
    ``format`` is a Python format spec applied to numeric cells in HTML and PDF (``".1f"``,
    ``".3f"``); CSV and XLSX keep the full value.
    """

    label: str
    align: Align | str | None = None
    format: str | None = None

    def __post_init__(self) -> None:
        _require_text("Column", "label", self.label)
        if self.align is not None and not isinstance(self.align, Align):
            try:
                object.__setattr__(self, "align", Align(self.align))
            except ValueError as exc:
                raise ValueProblem(
                    f"column {self.label!r} has an unknown alignment {self.align!r}",
                    field="align",
                    hint="Use 'left', 'right' or 'center' (or Align.LEFT, …).",
                ) from exc
        if self.format is not None:
            try:
                format(1.5, self.format)
            except ValueError as exc:
                raise ValueProblem(
                    f"column {self.label!r} has an invalid number format {self.format!r}: {exc}",
                    field="format",
                    hint="Use a Python format spec such as '.1f' or ',d'.",
                ) from exc


@dataclass(frozen=True)
class Row:
    """A table row. ``level`` indents the first cell (e.g. a preferred term under its SOC);
    ``emphasis`` marks a group or total row (bold)."""

    cells: Sequence[CellValue]
    level: int = 0
    emphasis: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(self.cells))
        if not 0 <= self.level <= 4:
            raise ValueProblem(f"row level {self.level} is outside 0–4", field="level")


def _as_row(row: Row | Sequence[CellValue]) -> Row:
    return row if isinstance(row, Row) else Row(tuple(row))


def format_cell(value: CellValue, column: Column, missing_text: str = "–") -> str:
    """The text a cell shows in HTML and PDF."""
    if value is None:
        return missing_text
    if isinstance(value, bool):  # bool is an int; show it as a word, never as 1/0
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float) and value != value:  # NaN
            return missing_text
        if column.format is not None:
            return format(value, column.format)
        return str(value) if isinstance(value, int) else format(value, "g")
    return value


@dataclass(frozen=True)
class Table:
    """A table with an id (its CSV file name and XLSX sheet), a title, a header and rows.

    Rows are :class:`Row` objects or plain sequences of cells (converted to ``Row``).
    ``footnotes`` are shown under the table in HTML and PDF and below the data in XLSX.
    """

    id: str
    title: str
    columns: tuple[Column, ...]  # a plain label string is accepted for a Column
    rows: tuple[Row, ...]  # a plain sequence of cells is accepted for a Row
    footnotes: Sequence[str] = ()
    missing_text: str = "–"

    def __post_init__(self) -> None:
        kind = type(self).__name__
        _check_id(kind, self.id)
        _require_text(kind, "title", self.title)
        columns = tuple(Column(c) if isinstance(c, str) else c for c in self.columns)
        rows = tuple(_as_row(r) for r in self.rows)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "footnotes", tuple(self.footnotes))
        if not columns:
            raise ValueProblem(f"{kind} {self.id!r} has no columns", record=self.id)
        for number, row in enumerate(rows, start=1):
            if len(row.cells) != len(columns):
                raise ValueProblem(
                    f"{kind} {self.id!r} row {number} has {len(row.cells)} cells but the table "
                    f"has {len(columns)} columns",
                    record=self.id,
                    field=f"rows[{number - 1}]",
                    hint="Give every row one cell per column (None for an empty cell).",
                )
            for cell in row.cells:
                if not isinstance(cell, str | int | float | None):
                    raise ValueProblem(
                        f"{kind} {self.id!r} row {number} holds a {type(cell).__name__}; cells "
                        "are text, numbers or None",
                        record=self.id,
                        field=f"rows[{number - 1}]",
                    )

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.columns)

    def alignments(self) -> tuple[Align, ...]:
        """Each column's alignment, resolving ``None`` from the cells (numbers → right)."""
        resolved = []
        for index, column in enumerate(self.columns):
            if column.align is not None:
                resolved.append(Align(column.align))
                continue
            values = [r.cells[index] for r in self.rows if r.cells[index] is not None]
            numeric = bool(values) and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            )
            resolved.append(Align.RIGHT if numeric else Align.LEFT)
        return tuple(resolved)

    def display_rows(self) -> tuple[tuple[str, ...], ...]:
        """Every row's cells as shown in HTML and PDF."""
        return tuple(
            tuple(
                format_cell(v, c, self.missing_text)
                for v, c in zip(r.cells, self.columns, strict=True)
            )
            for r in self.rows
        )


@dataclass(frozen=True)
class Listing(Table):
    """A subject-level listing (responses per subject, deaths, serious AEs).

    The same data as a :class:`Table`, rendered in a smaller type; exported to CSV and XLSX too.
    """


def _png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueProblem("figure image is not a PNG file", field="png")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


@dataclass(frozen=True)
class Figure:
    """A rendered figure: PNG bytes (always), inline SVG text (optional), caption and alt text.

    ``width_in``/``height_in`` are the figure's designed print size in inches; the PDF places it
    at that size (scaled down only to fit the page). ``alt_text`` describes what the figure
    shows for readers who cannot see it — required. Build one from a matplotlib figure with
    :meth:`from_matplotlib`.
    """

    id: str
    caption: str
    alt_text: str
    png: bytes
    width_in: float
    height_in: float
    svg: str | None = None
    footnotes: Sequence[str] = ()

    def __post_init__(self) -> None:
        _check_id("Figure", self.id)
        _require_text("Figure", "caption", self.caption)
        _require_text("Figure", "alt_text", self.alt_text)
        _png_size(self.png)
        if not (self.width_in > 0 and self.height_in > 0):
            raise ValueProblem(f"figure {self.id!r} has no size", record=self.id)
        object.__setattr__(self, "footnotes", tuple(self.footnotes))

    @property
    def pixel_size(self) -> tuple[int, int]:
        return _png_size(self.png)

    @classmethod
    def from_matplotlib(
        cls,
        figure: MplFigure,
        *,
        id: str,
        caption: str,
        alt_text: str,
        dpi: int = 200,
        svg: bool = False,
        footnotes: Sequence[str] = (),
    ) -> Figure:
        """Render ``figure`` to PNG at ``dpi`` (and to SVG when ``svg``) and wrap it.

        The matplotlib figure is not kept: the document stays immutable and small.
        """
        from oncotrial.report.figures.style import figure_style

        width_in, height_in = (float(v) for v in figure.get_size_inches())
        with figure_style():
            png_buffer = io.BytesIO()
            figure.savefig(png_buffer, format="png", dpi=dpi, facecolor="white")
            svg_text = None
            if svg:
                svg_buffer = io.StringIO()
                figure.savefig(svg_buffer, format="svg", facecolor="white")
                svg_text = svg_buffer.getvalue()
        return cls(
            id=id,
            caption=caption,
            alt_text=alt_text,
            png=png_buffer.getvalue(),
            width_in=width_in,
            height_in=height_in,
            svg=svg_text,
            footnotes=tuple(footnotes),
        )


class NoteKind(StrEnum):
    NOT_COMPUTABLE = "not computable"
    CAUTION = "caution"
    INFO = "note"


@dataclass(frozen=True)
class Note:
    """A remark set apart from the results: most often why something could not be computed."""

    text: str
    kind: NoteKind = NoteKind.INFO

    def __post_init__(self) -> None:
        _require_text("Note", "text", self.text)

    @classmethod
    def not_computable(cls, what: str, because: str) -> Note:
        """``Note.not_computable("Median OS", "no deaths were observed")``."""
        return cls(f"{what} cannot be computed because {because}.", NoteKind.NOT_COMPUTABLE)


Block: TypeAlias = Paragraph | RegistryQuote | Facts | Table | Listing | Figure | Note
_BLOCK_TYPES = (Paragraph, RegistryQuote, Facts, Table, Figure, Note)


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """A numbered section: heading, blocks in order, then its subsections (at most 3 levels)."""

    id: str
    title: str
    blocks: Sequence[Block] = ()
    subsections: Sequence[Section] = ()

    def __post_init__(self) -> None:
        _check_id("Section", self.id)
        _require_text("Section", "title", self.title)
        object.__setattr__(self, "blocks", tuple(self.blocks))
        object.__setattr__(self, "subsections", tuple(self.subsections))
        for index, block in enumerate(self.blocks):
            if not isinstance(block, _BLOCK_TYPES):
                raise ValueProblem(
                    f"section {self.id!r} block {index + 1} is a {type(block).__name__}, not a "
                    "report block",
                    record=self.id,
                    field=f"blocks[{index}]",
                    hint="Use Paragraph, RegistryQuote, Facts, Table, Listing, Figure or Note.",
                )
        if self.depth() > 3:
            raise ValueProblem(
                f"section {self.id!r} nests more than 3 levels deep",
                record=self.id,
                hint="Flatten the structure: the PDF and the contents show at most 3 levels.",
            )

    def depth(self) -> int:
        return 1 + max((s.depth() for s in self.subsections), default=0)

    def walk(self) -> Iterator[Section]:
        """This section and every subsection, depth first in document order."""
        yield self
        for sub in self.subsections:
            yield from sub.walk()


@dataclass(frozen=True)
class TocEntry:
    number: str
    title: str
    anchor: str
    level: int


@dataclass(frozen=True)
class Report:
    """A whole report. Ids of sections, tables/listings and figures must be unique."""

    title_page: TitlePage
    sections: Sequence[Section]
    language: str = "en"

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))
        seen: dict[str, set[str]] = {"section": set(), "table": set(), "figure": set()}

        def claim(kind: str, ident: str) -> None:
            if ident in seen[kind]:
                raise ValueProblem(
                    f"two {kind}s have the id {ident!r}",
                    record=ident,
                    field="id",
                    hint=f"Give every {kind} its own id; it names its anchor and files.",
                )
            seen[kind].add(ident)

        for section in self.walk():
            claim("section", section.id)
            for block in section.blocks:
                if isinstance(block, Table):
                    claim("table", block.id)
                elif isinstance(block, Figure):
                    claim("figure", block.id)

    @cached_property
    def _numbers(self) -> Mapping[str, str]:
        """Section id → "3.2"; table id → "4"; figure id → "2" (each counted in document order)."""
        numbers: dict[str, str] = {}

        def number(sections: Sequence[Section], prefix: str) -> None:
            for index, section in enumerate(sections, start=1):
                numbers[f"section:{section.id}"] = f"{prefix}{index}"
                number(section.subsections, f"{prefix}{index}.")

        number(self.sections, "")
        for index, table in enumerate(self.tables(), start=1):
            numbers[f"table:{table.id}"] = str(index)
        for index, figure in enumerate(self.figures(), start=1):
            numbers[f"figure:{figure.id}"] = str(index)
        return MappingProxyType(numbers)

    def walk(self) -> Iterator[Section]:
        for section in self.sections:
            yield from section.walk()

    def section_number(self, section: Section) -> str:
        """``"3.2"`` for the second subsection of the third section."""
        return self._numbers[f"section:{section.id}"]

    def table_number(self, table: Table) -> str:
        """Tables and listings are numbered together, in document order."""
        return self._numbers[f"table:{table.id}"]

    def figure_number(self, figure: Figure) -> str:
        return self._numbers[f"figure:{figure.id}"]

    def toc(self) -> tuple[TocEntry, ...]:
        entries = []

        def visit(sections: Sequence[Section], level: int) -> None:
            for section in sections:
                entries.append(
                    TocEntry(
                        self.section_number(section), section.title, f"sec-{section.id}", level
                    )
                )
                visit(section.subsections, level + 1)

        visit(self.sections, 1)
        return tuple(entries)

    def tables(self) -> tuple[Table, ...]:
        """Every table and listing, in document order (what CSV and XLSX export)."""
        return tuple(b for s in self.walk() for b in s.blocks if isinstance(b, Table))

    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for s in self.walk() for b in s.blocks if isinstance(b, Figure))
