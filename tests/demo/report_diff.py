"""Compare two folders of trial reports (e.g. two `oncotrial demo --out` runs) by content.

    .venv/bin/python tests/demo/report_diff.py BEFORE/ AFTER/

For a refactor that must not change what the reports say: per trial folder, the HTML's visible
text, the images embedded in it, every XLSX cell of every sheet, every CSV table byte for byte,
and the PDF's text (when ``pdftotext`` is installed). The time a report was generated differs
between runs and is replaced by ``<generated>`` before comparing; nothing else is normalised.
Prints one line per compared item and every difference; exits 1 when anything differs.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

GENERATED = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")
IMAGE = re.compile(r'src="data:image/[a-z+]+;base64,([^"]+)"')


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def html_text(path: Path) -> list[str]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return [GENERATED.sub("<generated>", html.unescape(p)) for p in parser.parts]


def html_images(path: Path) -> list[str]:
    return [
        hashlib.sha256(m.group(1).encode()).hexdigest()[:16]
        for m in IMAGE.finditer(path.read_text(encoding="utf-8"))
    ]


def xlsx_cells(path: Path) -> list[tuple[str, str, object]]:
    book = load_workbook(path, read_only=True, data_only=True)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = cell.value
                if isinstance(value, str):
                    value = GENERATED.sub("<generated>", value)
                cells.append((sheet.title, cell.coordinate, value))
    book.close()
    return cells


def pdf_text(path: Path) -> list[str] | None:
    if shutil.which("pdftotext") is None:
        return None
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [GENERATED.sub("<generated>", line.rstrip()) for line in out.splitlines()]


def _diff(name: str, before: list, after: list) -> list[str]:  # type: ignore[type-arg]
    if before == after:
        return []
    problems = [f"{name}: {len(before)} vs {len(after)} items"]
    for i, (a, b) in enumerate(zip(before, after, strict=False)):
        if a != b:
            problems.append(f"  first difference at {i}: {a!r} → {b!r}")
            break
    return problems


def compare(before: Path, after: Path) -> list[str]:
    problems: list[str] = []
    trials = sorted(p.name for p in before.iterdir() if p.is_dir())
    if trials != sorted(p.name for p in after.iterdir() if p.is_dir()):
        problems.append(f"trial folders differ: {trials}")
    for trial in trials:
        old, new = before / trial, after / trial
        text = _diff(
            f"{trial} HTML text", html_text(old / "report.html"), html_text(new / "report.html")
        )
        images = _diff(
            f"{trial} HTML images",
            html_images(old / "report.html"),
            html_images(new / "report.html"),
        )
        cells = _diff(
            f"{trial} XLSX cells", xlsx_cells(old / "report.xlsx"), xlsx_cells(new / "report.xlsx")
        )
        tables = sorted(p.name for p in (old / "tables").glob("*.csv"))
        csv = (
            []
            if tables == sorted(p.name for p in (new / "tables").glob("*.csv"))
            else [f"{trial} CSV table names differ"]
        )
        for name in tables:
            if (old / "tables" / name).read_bytes() != (new / "tables" / name).read_bytes():
                csv.append(f"{trial} CSV {name} differs")
        old_pdf, new_pdf = pdf_text(old / "report.pdf"), pdf_text(new / "report.pdf")
        pdf = [] if old_pdf is None else _diff(f"{trial} PDF text", old_pdf, new_pdf or [])
        found = text + images + cells + csv + pdf
        print(
            f"{trial}: HTML {len(html_text(new / 'report.html'))} text runs, "
            f"{len(html_images(new / 'report.html'))} images; "
            f"XLSX {len(xlsx_cells(new / 'report.xlsx'))} cells; {len(tables)} CSV tables; "
            f"PDF {'not compared (no pdftotext)' if old_pdf is None else f'{len(old_pdf)} lines'}"
            f" — {'identical' if not found else 'DIFFERENT'}"
        )
        problems += found
    return problems


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    problems = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    for line in problems:
        print(line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
