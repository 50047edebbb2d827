"""Every table as CSV, and all tables in one XLSX workbook.

CSV: one file per table (and listing), named ``<table id>.csv``; UTF-8 without a byte-order
mark, comma-separated, header row = column labels, one line per row, numbers written in full
(Python ``repr`` precision), an empty cell for a missing value. Titles and footnotes are not
part of a CSV file (they would break its shape); they are in the XLSX and the HTML/PDF.

XLSX: a first sheet ``Contents`` lists every table (sheet, number, title, footnotes); then one
sheet per table named after its id — at most 31 characters and unique regardless of case, as
Excel requires (a long or clashing id is cut and given a ``~2``, ``~3`` … suffix). Row 1 is the
header (bold, frozen), the data follows with numbers as numbers, then a blank row and the
footnotes. The workbook is built in openpyxl's write-only mode (fast, low memory).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from oncotrial.formats.cells import neutralise_formula
from oncotrial.report.document import Align, Report, Table

__all__ = ["render_csv", "render_xlsx", "sheet_names"]

#: Excel refuses these characters in sheet names; "History" is reserved by Excel itself.
_FORBIDDEN = set("[]:*?/\\")
_RESERVED = {"history", "contents"}
MAX_SHEET_NAME = 31


def sheet_names(report: Report) -> dict[str, str]:
    """Table id → XLSX sheet name (≤ 31 characters, unique ignoring case)."""
    used = set(_RESERVED)
    names: dict[str, str] = {}
    for table in report.tables():
        base = "".join("_" if ch in _FORBIDDEN else ch for ch in table.id)[:MAX_SHEET_NAME]
        name, count = base, 1
        while name.lower() in used:
            count += 1
            suffix = f"~{count}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(name.lower())
        names[table.id] = name
    return names


def _csv_value(value: object) -> object:
    return "" if value is None else neutralise_formula(value)


def render_csv(table: Table) -> str:
    """One table as CSV text (header + rows, raw values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_csv_value(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row.cells])
    return buffer.getvalue()


_H_ALIGN = {Align.LEFT: "left", Align.RIGHT: "right", Align.CENTER: "center"}


def render_xlsx(report: Report, names: Mapping[str, str] | None = None) -> bytes:
    """All tables and listings in one workbook (bytes of an .xlsx file)."""
    names = dict(names or sheet_names(report))
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    italic = Font(italic=True, color="555555")
    tp = report.title_page

    contents = workbook.create_sheet("Contents")
    contents.column_dimensions["A"].width = 32
    contents.column_dimensions["B"].width = 10
    contents.column_dimensions["C"].width = 80
    contents.append([_cell(contents, f"{tp.identity} — {tp.title}", bold)])
    contents.append(
        [
            f"Data cut-off {tp.data_cutoff.isoformat()}; generated {tp.generated_text} "
            f"by oncotrial {tp.software_version}"
        ]
    )
    if tp.banner:
        contents.append([_cell(contents, tp.banner, Font(bold=True, color="D55E00"))])
    contents.append([])
    contents.append([_cell(contents, h, bold) for h in ("Sheet", "Number", "Title", "Footnotes")])
    for table in report.tables():
        contents.append(
            [
                names[table.id],
                report.table_number(table),
                table.title,
                " ".join(table.footnotes),
            ]
        )

    for table in report.tables():
        sheet = workbook.create_sheet(names[table.id])
        sheet.freeze_panes = "A2"
        aligns = table.alignments()
        for index, column in enumerate(table.columns):
            texts = [column.label, *(str(r.cells[index] or "") for r in table.rows[:200])]
            width = min(max(len(t) for t in texts) + 2, 60)
            sheet.column_dimensions[_column_letter(index)].width = max(width, 8)
        sheet.append(
            [
                _cell(sheet, c.label, bold, Alignment(horizontal=_H_ALIGN[a], wrap_text=True))
                for c, a in zip(table.columns, aligns, strict=True)
            ]
        )
        for row in table.rows:
            cells = []
            for index, value in enumerate(row.cells):
                alignment = Alignment(
                    horizontal=_H_ALIGN[aligns[index]], indent=row.level if index == 0 else 0
                )
                cells.append(_cell(sheet, value, bold if row.emphasis else None, alignment))
            sheet.append(cells)
        if table.footnotes:
            sheet.append([])
            for note in table.footnotes:
                sheet.append([_cell(sheet, note, italic)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(
    sheet: object, value: object, font: Font | None = None, alignment: Alignment | None = None
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        # Text that looks like a formula stays a typed text cell, which no spreadsheet runs:
        # the XLSX form of the OWASP remedy (formats/cells.py), keeping the value as it is.
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))  # openpyxl has no annotations
