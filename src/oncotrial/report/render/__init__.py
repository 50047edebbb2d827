"""Renderers: one :class:`~oncotrial.report.document.Report` into HTML, PDF, CSV and XLSX.

``write_report(report, out_dir)`` writes every format and returns their paths::

    out_dir/
    ├── report.html          self-contained: open it anywhere, no network needed
    ├── report.pdf           the same content, A4
    ├── report.xlsx          every table and listing, one sheet each, plus a Contents sheet
    └── tables/<id>.csv      every table and listing as CSV

Everything is rendered in memory first; files are written only when every format rendered, each
through a temporary file renamed into place, so a failure never leaves a half-written report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from oncotrial.errors import InputError
from oncotrial.report.document import Report
from oncotrial.report.render.html import render_html
from oncotrial.report.render.pdf import render_pdf
from oncotrial.report.render.spreadsheets import render_csv, render_xlsx, sheet_names

__all__ = [
    "ReportFiles",
    "render_csv",
    "render_html",
    "render_pdf",
    "render_xlsx",
    "sheet_names",
    "write_report",
]


@dataclass(frozen=True)
class ReportFiles:
    """Where :func:`write_report` put each format."""

    html: Path
    pdf: Path
    xlsx: Path
    csv: Mapping[str, Path]  # table id → CSV file

    def all(self) -> tuple[Path, ...]:
        return (self.html, self.pdf, self.xlsx, *self.csv.values())


def write_report(report: Report, out_dir: Path | str, *, stem: str = "report") -> ReportFiles:
    """Render ``report`` to HTML, PDF, XLSX and one CSV per table under ``out_dir``.

    Existing files of the same names are replaced; other files in ``out_dir`` are left alone.
    """
    out = Path(out_dir)
    csv_dir = out / "tables"
    csv_texts = {table.id: render_csv(table) for table in report.tables()}
    links = {table_id: f"tables/{table_id}.csv" for table_id in csv_texts}
    contents: dict[Path, bytes] = {
        out / f"{stem}.html": render_html(report, table_links=links).encode("utf-8"),
        out / f"{stem}.pdf": render_pdf(report),
        out / f"{stem}.xlsx": render_xlsx(report, sheet_names(report)),
    }
    for table_id, text in csv_texts.items():
        contents[csv_dir / f"{table_id}.csv"] = text.encode("utf-8")
    try:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for path, data in contents.items():
            _write_atomically(path, data)
    except OSError as exc:
        raise InputError(
            f"cannot write the report into {out}: {exc.strerror or exc}",
            file=str(getattr(exc, "filename", None) or out),
            hint="Choose an output folder you can write to (--out DIR).",
        ) from exc
    return ReportFiles(
        html=out / f"{stem}.html",
        pdf=out / f"{stem}.pdf",
        xlsx=out / f"{stem}.xlsx",
        csv={table_id: csv_dir / f"{table_id}.csv" for table_id in csv_texts},
    )


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
