"""Report text is text, never ReportLab markup (issue 13 item 6).

An outcome title is free text from the registry or the analysis plan; fed to ReportLab as
markup, a tag in it crashed the PDF build (the web's report build answered 500) and
``<img src="/server/path">`` embedded a file of the server in the PDF. The headings reach the
contents page and the PDF outline too, each a separate place where text becomes markup.
"""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

from PIL import Image

from oncotrial.report import Column, Report, Section, Table, TitlePage, render_pdf


def _report(title: str, image: Path) -> Report:
    tp = TitlePage(f"Trial <i>{title}", "X", date(2025, 1, 1), "1.0", datetime(2025, 1, 2, 3, 4))
    hostile = f'{title} <img src="{image}" width="300" height="300"/> & <b>bold'
    table = Table("t", hostile, (Column(hostile),), ((hostile,),), footnotes=(hostile,))
    return Report(tp, (Section("s", hostile, (table,), (Section("s2", hostile, ()),)),))


def test_tags_in_titles_are_shown_as_text_and_embed_no_file(
    tmp_path: Path, poppler: dict[str, str]
) -> None:
    image = tmp_path / "server-local.png"
    Image.new("RGB", (40, 40), (255, 0, 0)).save(image)
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(render_pdf(_report("Overall <survival>", image)))
    text = subprocess.run(
        [poppler["pdftotext"], str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "Overall <survival>" in flat
    assert f'<img src="{image}"' in flat  # shown as the text it is
    images = subprocess.run(
        [poppler["pdftotext"].replace("pdftotext", "pdfimages"), "-list", str(pdf)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[2:]
    assert images == [], "a local file was embedded"
