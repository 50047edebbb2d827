"""Formula-leading text is neutralised in every CSV and XLSX written (OWASP CSV injection;
issue 13 item 7): the SDTM CSV domains, the ADaM CSV, the report's CSV tables (a leading quote)
and XLSX workbook (typed text cells, which no spreadsheet runs).
Numbers stay numbers: ``-1.5`` in a numeric column or a character result is not a formula."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from oncotrial.formats.adam import write_csv
from oncotrial.formats.cells import neutralise_formula
from oncotrial.formats.sdtm import write_domain_csv
from oncotrial.report import Report, Section, Table, TitlePage
from oncotrial.report.render.spreadsheets import render_csv, render_xlsx

HOSTILE = [
    '=HYPERLINK("http://x.example","CLICK")',
    "=1+2",
    "@SUM(1+1)",
    "+cmd",
    "-2+3",
    "\tX",
    "\rY",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_gets_a_leading_quote(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["-1.5", "+3", "1e-3", "-0.25E+2", "Pneumonitis", "", -1.5, 7, None]
)
def test_numbers_and_plain_text_are_unchanged(value: object) -> None:
    assert neutralise_formula(value) == value


def test_sdtm_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "STUDYID": ["S", "S", "S"],
            "LBTEST": ["=1+2", "@SUM(1+1)", "Platelets"],
            "LBORRES": ["-1.5", '=HYPERLINK("h","c")', "12"],
            "LBSTRESN": [-1.5, None, 12.0],
        }
    )
    path = tmp_path / "lb.csv"
    write_domain_csv(frame, path, "LB")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["LBTEST"] for r in rows] == ["'=1+2", "'@SUM(1+1)", "Platelets"]
    assert [r["LBORRES"] for r in rows] == ["-1.5", '\'=HYPERLINK("h","c")', "12"]
    assert [r["LBSTRESN"] for r in rows] == ["-1.5", "", "12"]


def test_adam_csv(tmp_path: Path) -> None:
    path = tmp_path / "adae.csv"
    write_csv(pd.DataFrame({"AETERM": ["=1+2", "Rash"], "AVAL": [-1.5, 2.0]}), path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["AETERM"], r["AVAL"]) for r in rows] == [("'=1+2", "-1.5"), ("Rash", "2")]


def test_report_csv_and_xlsx() -> None:
    table = Table("t", "T", ("Term", "Value"), (("=1+2", -1.5), ("@SUM(1+1)", 2)))
    rows = list(csv.reader(io.StringIO(render_csv(table))))
    assert rows[1:] == [["'=1+2", "-1.5"], ["'@SUM(1+1)", "2"]]
    tp = TitlePage("X", "X", date(2025, 1, 1), "1.0", datetime(2025, 1, 2, 3, 4))
    workbook = load_workbook(io.BytesIO(render_xlsx(Report(tp, (Section("s", "S", (table,)),)))))
    sheet = workbook["t"]
    # XLSX: typed text cells (never formulas), the value kept as entered.
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=3)] == [
        ["=1+2", -1.5],
        ["@SUM(1+1)", 2],
    ]
    assert [c.data_type for row in sheet.iter_rows(min_row=2) for c in row] == ["s", "n", "s", "n"]
