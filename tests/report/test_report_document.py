"""The document model: validation at construction, immutability, numbering, formatting."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest
from matplotlib.figure import Figure as MplFigure

from oncotrial.errors import ValueProblem
from oncotrial.report import (
    Align,
    Column,
    Fact,
    Facts,
    Figure,
    Listing,
    Note,
    NoteKind,
    Paragraph,
    RegistryQuote,
    Report,
    Row,
    Section,
    Table,
    TitlePage,
)
from oncotrial.report.document import format_cell


def title_page(**changes) -> TitlePage:
    fields = {
        "title": "A trial",
        "protocol_id": "002",
        "data_cutoff": date(2025, 6, 30),
        "software_version": "1.2.3",
        "generated": datetime(2025, 7, 1, 8, 5),
        "registry_ids": ("NCT07064876",),
    }
    return TitlePage(**(fields | changes))


def small_png() -> bytes:
    fig = MplFigure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    return Figure.from_matplotlib(fig, id="f", caption="c", alt_text="a", dpi=20).png


def table(id_: str = "t1", rows=(("a", 1),)) -> Table:
    return Table(id_, "A table", (Column("Name"), Column("N")), rows)


def test_title_page_shows_identity_and_dates_passed_in() -> None:
    tp = title_page(registry_ids=("NCT07064876", "ChiCTR123"))
    assert tp.identity == "002 · NCT07064876 · ChiCTR123"
    assert tp.generated_text == "2025-07-01 08:05"
    assert title_page(generated=date(2025, 7, 1)).generated_text == "2025-07-01"


@pytest.mark.parametrize("field", ["title", "protocol_id", "software_version"])
def test_title_page_requires_text(field: str) -> None:
    with pytest.raises(ValueProblem, match=field):
        title_page(**{field: "  "})


def test_blocks_are_immutable() -> None:
    paragraph = Paragraph("Twelve of 25 patients responded.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        paragraph.text = "changed"  # type: ignore[misc]
    t = table(rows=[["a", 1]])
    assert isinstance(t.rows, tuple) and isinstance(t.rows[0], Row)
    assert isinstance(t.rows[0].cells, tuple)


def test_table_rejects_a_row_of_the_wrong_length() -> None:
    with pytest.raises(ValueProblem, match=r"row 2 has 1 cells but the table has 2 columns"):
        table(rows=(("a", 1), ("b",)))


def test_table_rejects_cells_that_are_not_text_or_numbers() -> None:
    with pytest.raises(ValueProblem, match="holds a dict"):
        table(rows=(("a", {"n": 1}),))


@pytest.mark.parametrize("bad", ["", "Has Space", "UPPER", "-lead", "a/b", "x" * 64])
def test_table_ids_must_be_file_and_anchor_safe(bad: str) -> None:
    with pytest.raises(ValueProblem, match="not usable as a file and anchor name"):
        table(bad)


def test_column_checks_alignment_and_number_format() -> None:
    assert Column("N", "right").align is Align.RIGHT
    with pytest.raises(ValueProblem, match="unknown alignment"):
        Column("N", "middle")  # type: ignore[arg-type]
    with pytest.raises(ValueProblem, match="invalid number format"):
        Column("N", format=".1q")


def test_alignment_is_inferred_from_cells_when_not_given() -> None:
    t = Table(
        "t",
        "T",
        (Column("Label"), Column("N"), Column("Mixed"), Column("Forced", Align.CENTER)),
        (("a", 1, "x", 1), ("b", 2.5, 3, 2), ("c", None, None, 3)),
    )
    assert t.alignments() == (Align.LEFT, Align.RIGHT, Align.LEFT, Align.CENTER)


def test_cells_are_shown_with_the_column_format_and_missing_text() -> None:
    column = Column("x", format=".1f")
    assert format_cell(12.345, column) == "12.3"
    assert format_cell(3, column) == "3.0"
    assert format_cell(None, column) == "–"
    assert format_cell(float("nan"), column, "NE") == "NE"
    assert format_cell(0.123456, Column("y")) == "0.123456"
    assert format_cell(7, Column("y")) == "7"
    assert format_cell(True, Column("y")) == "yes"
    assert format_cell("12 (48.0%)", column) == "12 (48.0%)"


def test_row_level_is_bounded() -> None:
    with pytest.raises(ValueProblem, match="level 5"):
        Row(("a",), level=5)


def test_figure_requires_caption_alt_text_and_a_png() -> None:
    png = small_png()
    assert Figure("f", "c", "a", png, 1, 1).pixel_size == (20, 20)
    with pytest.raises(ValueProblem, match="alt_text"):
        Figure("f", "c", " ", png, 1, 1)
    with pytest.raises(ValueProblem, match="not a PNG"):
        Figure("f", "c", "a", b"GIF89a" + b"\0" * 30, 1, 1)


def test_figure_from_matplotlib_renders_png_at_the_dpi_and_optional_svg() -> None:
    fig = MplFigure(figsize=(2.0, 1.5))
    fig.add_subplot().plot([0, 1], [1, 0])
    block = Figure.from_matplotlib(fig, id="line", caption="c", alt_text="a", dpi=100, svg=True)
    assert block.pixel_size == (200, 150)
    assert (block.width_in, block.height_in) == (2.0, 1.5)
    assert block.svg is not None and "<svg" in block.svg


def test_note_not_computable_says_what_and_why() -> None:
    note = Note.not_computable("Median OS", "no patient has died")
    assert note.kind is NoteKind.NOT_COMPUTABLE
    assert note.text == "Median OS cannot be computed because no patient has died."


def test_facts_need_items_and_fact_needs_a_label() -> None:
    with pytest.raises(ValueProblem):
        Facts(())
    with pytest.raises(ValueProblem):
        Fact("", "1")


def test_section_accepts_only_report_blocks_and_three_levels() -> None:
    with pytest.raises(ValueProblem, match="block 1 is a str"):
        Section("s", "S", ("plain text",))  # type: ignore[arg-type]
    deep = Section("d", "D", subsections=(Section("e", "E", subsections=(Section("f", "F"),)),))
    assert deep.depth() == 3
    with pytest.raises(ValueProblem, match="more than 3 levels"):
        Section("c", "C", subsections=(deep,))


def test_report_numbers_sections_tables_and_figures_in_document_order() -> None:
    png = small_png()
    fig_a = Figure("fig-a", "A", "a", png, 1, 1)
    fig_b = Figure("fig-b", "B", "b", png, 1, 1)
    report = Report(
        title_page(),
        (
            Section("one", "One", (table("t-a"), fig_a)),
            Section(
                "two",
                "Two",
                (RegistryQuote("Up to 24 months", "Time frame"),),
                (
                    Section("two-a", "Two A", (Listing("l-a", "L", ("S",), (("1",),)),)),
                    Section("two-b", "Two B", (table("t-b"), fig_b)),
                ),
            ),
        ),
    )
    assert [(e.number, e.title, e.level) for e in report.toc()] == [
        ("1", "One", 1),
        ("2", "Two", 1),
        ("2.1", "Two A", 2),
        ("2.2", "Two B", 2),
    ]
    assert [t.id for t in report.tables()] == ["t-a", "l-a", "t-b"]
    assert [report.table_number(t) for t in report.tables()] == ["1", "2", "3"]
    assert report.figure_number(fig_b) == "2"
    assert report.toc()[2].anchor == "sec-two-a"


@pytest.mark.parametrize(
    ("sections", "kind"),
    [
        ((Section("s", "S"), Section("s", "T")), "section"),
        ((Section("s", "S", (table("x"),)), Section("t", "T", (table("x"),))), "table"),
    ],
)
def test_report_rejects_duplicate_ids(sections, kind: str) -> None:
    with pytest.raises(ValueProblem, match=f"two {kind}s have the id"):
        Report(title_page(), sections)


def test_listing_ids_share_the_table_namespace() -> None:
    listing = Listing("x", "L", ("S",), (("1",),))
    with pytest.raises(ValueProblem, match="two tables have the id 'x'"):
        Report(title_page(), (Section("s", "S", (table("x"), listing)),))


def test_example_report_is_a_fixture_marked_as_invented(example_report: Report) -> None:
    assert "SYNTHETIC" in (example_report.title_page.banner or "")
    kinds = {type(b).__name__ for s in example_report.walk() for b in s.blocks}
    assert kinds >= {
        "Paragraph",
        "RegistryQuote",
        "Facts",
        "Table",
        "Listing",
        "Figure",
        "Note",
    }
    assert {f.id for f in example_report.figures()} == {
        "consort",
        "waterfall",
        "spider",
        "km-pfs",
        "forest-pfs",
        "km-os",
        "swimmer",
    }
