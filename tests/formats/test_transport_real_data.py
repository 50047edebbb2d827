"""Real data nobody here wrote, as SAS transport files: the CDISC pilot oncology SDTM and the ADaM
admiralonco derived from it (pharmaverse, Apache-2.0; ../shared/oracles/pharmaverse), written
with define.xml and read back by R's foreign::read.xport value by value."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from oncotrial.formats.ascii import to_ascii
from oncotrial.formats.sdtm import read_domain
from oncotrial.formats.submission import write_submission
from oncotrial.formats.xml_schema import schema_errors
from oncotrial.formats.xpt import sas_date, sas_datetime

READ_XPORT = Path(__file__).with_name("read_xport.R")
SDTM = ("dm", "tu_onco", "tr_onco_recist", "rs_onco", "rs_onco_irecist")
ADAM = {"adsl": "ADSL", "adrs_onco": "ADRS", "adtte_onco": "ADTTE"}

pytestmark = pytest.mark.slow


def _expected(text: str | None, r_type: str, r_format: str) -> object:
    if r_type == "character":
        return to_ascii(text) if isinstance(text, str) else ""
    if not isinstance(text, str):
        return None
    if r_format == "DATE":
        return sas_date(text)
    if r_format == "DATETIME":
        return sas_datetime(text)
    return float(text)


def _round_trip(frames, folder: Path, standard: str, rscript: str) -> int:  # type: ignore[no-untyped-def]
    write_submission(
        frames,
        folder,
        standard=standard,
        study_oid="CDISCPILOT01",
        study_name="CDISCPILOT01",
        description="CDISC pilot oncology example data (pharmaverse)",
        created="2026-01-01T00:00:00",
        source_version="test",
    )
    assert schema_errors(folder / "define.xml", "define", "2.1") == []
    out = folder / "read.json"
    subprocess.run([rscript, str(READ_XPORT), str(folder), str(out)], check=True, timeout=300)
    read = json.loads(out.read_text(encoding="utf-8"))
    compared = 0
    for name, frame in frames.items():
        got = read[f"{name.lower()}.xpt"]
        assert got["names"] == list(frame.columns)
        assert got["rows"] == [len(frame)]
        for index, column in enumerate(frame.columns):
            r_type, r_format = got["types"][index], got["formats"][index]
            for row, (text, value) in enumerate(
                zip(frame[column].tolist(), got["values"][column], strict=True)
            ):
                if r_type == "numeric":
                    value = None if value is None else float(value)
                want = _expected(text, r_type, r_format)
                assert value == want, f"{name} row {row + 1} {column}: {value!r} != {want!r}"
                compared += 1
    return compared


def test_cdisc_pilot_sdtm_round_trips_through_xpt(
    shared: Path, tmp_path: Path, rscript_foreign: str
) -> None:
    total = 0
    for stem in SDTM:
        frame = read_domain(shared / "oracles" / "pharmaverse" / "sdtm" / f"{stem}.csv")
        domain = str(frame["DOMAIN"].dropna().iloc[0])
        total += _round_trip({domain: frame}, tmp_path / stem, "SDTM", rscript_foreign)
    assert total > 100_000


def test_admiralonco_adam_round_trips_through_xpt(
    shared: Path, tmp_path: Path, rscript_foreign: str
) -> None:
    frames = {
        name: read_domain(shared / "oracles" / "pharmaverse" / "adam" / f"{stem}.csv")
        for stem, name in ADAM.items()
    }
    total = _round_trip(frames, tmp_path / "adam", "ADaM", rscript_foreign)
    assert total > 50_000
    # admiral's dates and date-times became SAS numbers
    define = (tmp_path / "adam" / "define.xml").read_text(encoding="utf-8")
    assert 'OID="IT.ADSL.TRTSDTM" Name="TRTSDTM" DataType="integer"' in define
    assert 'def:DisplayFormat="DATETIME20."' in define
