"""CSV and XLSX exports, and ``write_report`` (every format, paths returned, no partial write)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from oncotrial.errors import InputError
from oncotrial.report import (
    Column,
    Listing,
    Report,
    ReportFiles,
    Row,
    Section,
    Table,
    TitlePage,
    render_csv,
    render_xlsx,
    write_report,
)
from oncotrial.report import render as render_module
from oncotrial.report.render.spreadsheets import sheet_names


def _report(*tables: Table) -> Report:
    tp = TitlePage("T", "P", date(2025, 1, 1), "1.0", datetime(2025, 1, 2, 3, 4), banner="B")
    return Report(tp, (Section("s", "S", tables),))


def test_write_report_writes_every_format(
    example_report: Report, example_files: ReportFiles
) -> None:
    assert example_files.html.name == "report.html"
    assert example_files.pdf.read_bytes()[:5] == b"%PDF-"
    assert example_files.xlsx.read_bytes()[:2] == b"PK"
    assert set(example_files.csv) == {t.id for t in example_report.tables()}
    for path in example_files.all():
        assert path.is_file() and path.stat().st_size > 0
    leftovers = [p for p in example_files.html.parent.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_every_table_is_a_csv_with_raw_values(
    example_report: Report, example_files: ReportFiles
) -> None:
    for table in example_report.tables():
        path = example_files.csv[table.id]
        assert path == example_files.html.parent / "tables" / f"{table.id}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert tuple(rows[0]) == table.header
        assert len(rows) == len(table.rows) + 1
        for written, row in zip(rows[1:], table.rows, strict=True):
            assert written == ["" if v is None else str(v) for v in row.cells]


def test_csv_keeps_full_precision_and_quotes_commas() -> None:
    table = Table(
        "t", "T", (Column("x", format=".1f"), "label"), ((0.123456789, "a, b"), (None, ""))
    )
    assert render_csv(table) == 'x,label\n0.123456789,"a, b"\n,\n'


def test_xlsx_holds_every_table_with_numbers_as_numbers(
    example_report: Report, example_files: ReportFiles
) -> None:
    workbook = openpyxl.load_workbook(example_files.xlsx)
    names = sheet_names(example_report)
    assert workbook.sheetnames == ["Contents", *names.values()]
    for table in example_report.tables():
        sheet = workbook[names[table.id]]
        header = [c.value for c in sheet[1]]
        assert tuple(header) == table.header
        for index, row in enumerate(table.rows, start=2):
            values = [c.value for c in sheet[index]]
            # XLSX cannot hold an empty string: "" reads back as an empty cell
            assert values == [None if v == "" else v for v in row.cells], (table.id, index)
        for note in table.footnotes:
            assert note in [c.value for c in sheet["A"]]
        assert sheet.freeze_panes == "A2"
    contents = [[c.value for c in row] for row in workbook["Contents"].iter_rows()]
    listed = [row[0] for row in contents if row and row[0] in names.values()]
    assert listed == list(names.values())


def test_sheet_names_are_short_unique_and_legal() -> None:
    long_a = "adverse-events-by-soc-and-preferred-term-worst-grade"
    long_b = "adverse-events-by-soc-and-preferred-term-any-grade"
    tables = [
        Table(i, "T", ("A",), (("x",),)) for i in (long_a, long_b, "contents", "history", "ok")
    ]
    names = sheet_names(_report(*tables))
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.lower() for n in names.values()} | {"contents"}) == len(names) + 1
    assert names["ok"] == "ok"
    assert names[long_a] == long_a[:31] and names[long_b] == long_b[:29] + "~2"
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(_report(*tables))))
    assert len(workbook.sheetnames) == 6


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    table = Table("t", "T", ("A",), (("=HYPERLINK(1)",), ("=",)))
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(_report(table))))
    cell = workbook["t"]["A2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_xlsx_marks_group_rows_and_indents_members() -> None:
    table = Table(
        "ae", "AE", ("Term", "n"), (Row(("SOC", ""), emphasis=True), Row(("Cough", 3), level=1))
    )
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(_report(table))))["ae"]
    assert sheet["A2"].font.b and not sheet["A3"].font.b
    assert sheet["A3"].alignment.indent == 1
    assert sheet["B3"].value == 3


def test_listing_and_empty_table_export() -> None:
    empty = Table("empty", "Empty", ("A", "B"), ())
    listing = Listing("l", "L", ("S",), (("1",),))
    assert render_csv(empty) == "A,B\n"
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(_report(empty, listing))))
    assert workbook["empty"].max_row == 1 and workbook["l"]["A2"].value == "1"


def test_nothing_is_written_when_a_format_fails(tmp_path: Path, monkeypatch) -> None:
    def broken(_report: Report) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(render_module, "render_pdf", broken)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        write_report(_report(Table("t", "T", ("A",), (("x",),))), out)
    assert not out.exists()


def test_an_unwritable_folder_is_a_clear_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot write the report into") as caught:
        write_report(_report(Table("t", "T", ("A",), (("x",),))), blocker / "out")
    assert "--out" in str(caught.value)


def test_write_report_replaces_its_own_files_only(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    first = write_report(_report(Table("t", "First", ("A",), (("1",),))), tmp_path, stem="r")
    second = write_report(_report(Table("t", "Second", ("A",), (("2",),))), tmp_path, stem="r")
    assert first == second
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert "Second" in second.html.read_text(encoding="utf-8")
    assert second.csv["t"].read_text(encoding="utf-8") == "A\n2\n"
