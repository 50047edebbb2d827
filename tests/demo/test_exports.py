"""The demo trials as SAS transport files with define.xml (SDTM and ADaM) and as ODM 1.3.2, read
back by independent readers and compared value by value with the CSV export.

- XPT: R's foreign::read.xport (tests/formats/read_xport.R) reads every file; each value
  equals the CSV export's (text in its ASCII spelling, numbers as the same double, ADaM dates as
  SAS date numbers); names, labels and widths equal define.xml's. pyreadstat reads the dataset
  name and label.
- define.xml: valid against CDISC's Define-XML 2.1 schema by a second validator (xmlschema; the
  writer checks with lxml), and complete: one ItemGroupDef per file, one ItemDef per variable
  with its label, type and length, every reference resolved, every codelist term in the data.
- ODM: valid against the ODM 1.3.2 schema; its clinical data read back equal the CSV export.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from oncotrial.formats.ascii import to_ascii
from oncotrial.formats.odm import read_odm_records
from oncotrial.formats.xml_schema import schema_errors
from oncotrial.formats.xpt import sas_date

from .conftest import DemoRun, run_oncotrial

TRIALS = ("000", "001", "NCT07064876", "003", "004")
ODM_NS = "{http://www.cdisc.org/ns/odm/v1.3}"
DEF_NS = "{http://www.cdisc.org/ns/def/v2.1}"
XLINK = "{http://www.w3.org/1999/xlink}href"
READ_XPORT = Path(__file__).parents[1] / "formats" / "read_xport.R"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class TrialExport:
    trial: str
    csv: Path
    xpt: Path
    odm: Path


def _export(demo_run: DemoRun, trial: str, out: Path, *args: str) -> None:
    result = run_oncotrial(
        "data",
        "export",
        trial,
        "--out",
        str(out),
        "--db",
        str(demo_run.database),
        *args,
        env={"ONCOTRIAL_HOME": str(demo_run.home), "ONCOTRIAL_CTCAE": None},
    )
    assert result.code == 0, result.err


@pytest.fixture(scope="module")
def exports(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> list[TrialExport]:
    base = tmp_path_factory.mktemp("exports")
    made = []
    for trial in TRIALS:
        paths = TrialExport(trial, base / trial / "csv", base / trial / "xpt", base / trial / "odm")
        _export(demo_run, trial, paths.csv, "--adam")
        _export(demo_run, trial, paths.xpt, "--format", "xpt", "--adam")
        _export(demo_run, trial, paths.odm, "--format", "odm")
        made.append(paths)
    return made


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    return table[0], table[1:]


def read_with_r(rscript: str, folder: Path, tmp_path: Path) -> dict:
    out = tmp_path / f"{folder.parent.name}-{folder.name}.json"
    subprocess.run([rscript, str(READ_XPORT), str(folder), str(out)], check=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def _expected(text: str, r_type: str, r_format: str) -> object:
    if r_type == "character":
        return to_ascii(text)
    if text == "":
        return None
    return sas_date(text) if r_format == "DATE" else float(text)


def compare_folder(r_files: dict, csv_folder: Path) -> int:
    """Every value R read equals the CSV export's; returns how many values were compared."""
    compared = 0
    assert r_files, f"R read no XPT files in {csv_folder}"
    for name, read in r_files.items():
        header, rows = read_csv(csv_folder / name.replace(".xpt", ".csv"))
        assert read["names"] == header, name
        assert read["rows"] == [len(rows)], name
        for index, column in enumerate(header):
            r_type, r_format = read["types"][index], read["formats"][index]
            values = read["values"][column]
            for row, (text, got) in enumerate(zip((r[index] for r in rows), values, strict=True)):
                expected = _expected(text, r_type, r_format)
                if r_type == "numeric":
                    got = None if got is None else float(got)
                    assert (expected is None and got is None) or (
                        expected is not None
                        and got is not None
                        and math.isclose(got, expected)
                        and got == expected
                    ), f"{name} row {row + 1} {column}: {got!r} != {expected!r}"
                else:
                    assert got == expected, f"{name} row {row + 1} {column}: {got!r}"
                compared += 1
    return compared


def test_r_reads_every_xpt_file_as_the_csv_export_says(
    exports: list[TrialExport], rscript_foreign: str, tmp_path: Path
) -> None:
    total = 0
    for export in exports:
        for xpt, csv_folder in (
            (export.xpt, export.csv),
            (export.xpt / "adam", export.csv / "adam"),
        ):
            r_files = read_with_r(rscript_foreign, xpt, tmp_path)
            expected = sorted(p.name.replace(".csv", ".xpt") for p in csv_folder.glob("*.csv"))
            assert sorted(r_files) == expected
            total += compare_folder(r_files, csv_folder)
    assert total > 500_000  # every value of the five trials, not a sample


def _define(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_define_xml_is_valid_and_describes_every_file_and_variable(
    exports: list[TrialExport], rscript_foreign: str, tmp_path: Path
) -> None:
    import xmlschema
    from odmlib.schema_manager import get_schema_path

    schema = xmlschema.XMLSchema(get_schema_path("define", "2.1"))
    export = next(e for e in exports if e.trial == "NCT07064876")
    for folder in (export.xpt, export.xpt / "adam"):
        define = folder / "define.xml"
        assert list(schema.iter_errors(str(define))) == []
        assert schema_errors(define, "define", "2.1") == []
        root = _define(define)
        mdv = root.find(f"{ODM_NS}Study/{ODM_NS}MetaDataVersion")
        assert mdv is not None and mdv.get(f"{DEF_NS}DefineVersion") == "2.1.0"
        items = {i.get("OID"): i for i in mdv.iter(f"{ODM_NS}ItemDef")}
        codelists = {c.get("OID"): c for c in mdv.iter(f"{ODM_NS}CodeList")}
        groups = {g.get("Name"): g for g in mdv.iter(f"{ODM_NS}ItemGroupDef")}
        r_files = read_with_r(rscript_foreign, folder, tmp_path)
        assert sorted(f"{n.lower()}.xpt" for n in groups) == sorted(r_files)
        referenced = set()
        for name, group in groups.items():
            read = r_files[f"{name.lower()}.xpt"]
            leaf = group.find(f"{DEF_NS}leaf")
            assert leaf is not None and leaf.get(XLINK) == f"{name.lower()}.xpt"
            assert group.find(f"{DEF_NS}Class") is not None
            refs = [r.get("ItemOID") for r in group.iter(f"{ODM_NS}ItemRef")]
            assert [items[r].get("Name") for r in refs] == read["names"]
            for ref, label, width, r_type in zip(
                refs, read["labels"], read["widths"], read["types"], strict=True
            ):
                referenced.add(ref)
                item = items[ref]
                text = item.find(f"{ODM_NS}Description/{ODM_NS}TranslatedText")
                assert text is not None and text.text == label, ref
                assert item.find(f"{DEF_NS}Origin") is not None, ref
                if r_type == "character":
                    assert item.get("DataType") in (
                        "text",
                        "date",
                        "datetime",
                        "partialDate",
                        "partialDatetime",
                    ), ref
                    if item.get("DataType") == "text":
                        assert int(item.get("Length")) == width, ref
                else:
                    assert item.get("DataType") in ("integer", "float"), ref
                codelist = item.find(f"{ODM_NS}CodeListRef")
                if codelist is not None:
                    assert codelist.get("CodeListOID") in codelists, ref
        assert referenced == set(items)  # no ItemDef without a dataset
        for codelist in codelists.values():
            terms = [e.get("CodedValue") for e in codelist.iter(f"{ODM_NS}EnumeratedItem")]
            assert terms or codelist.find(f"{ODM_NS}ExternalCodeList") is not None
    # a sample, spelled out
    adsl = _define(export.xpt / "adam" / "define.xml")
    trtsdt = next(i for i in adsl.iter(f"{ODM_NS}ItemDef") if i.get("OID") == "IT.ADSL.TRTSDT")
    assert trtsdt.get("DataType") == "integer" and trtsdt.get(f"{DEF_NS}DisplayFormat") == "DATE9."
    sex = next(
        c
        for c in _define(export.xpt / "define.xml").iter(f"{ODM_NS}CodeList")
        if c.get("OID") == "CL.Sex"
    )
    assert sorted(e.get("CodedValue") for e in sex.iter(f"{ODM_NS}EnumeratedItem")) == ["F", "M"]
    assert sex.find(f"{ODM_NS}Alias").get("Name") == "C66731"


def test_dataset_names_and_labels_as_pyreadstat_reads_them(exports: list[TrialExport]) -> None:
    import pyreadstat

    export = next(e for e in exports if e.trial == "001")
    _, meta = pyreadstat.read_xport(str(export.xpt / "dm.xpt"), metadataonly=True)
    assert (meta.table_name, meta.file_label) == ("DM", "Demographics")
    _, meta = pyreadstat.read_xport(str(export.xpt / "adam" / "adtte.xpt"), metadataonly=True)
    assert (meta.table_name, meta.file_label) == ("ADTTE", "Time-to-Event Analysis Dataset")
    assert meta.original_variable_types["ADT"] == "DATE9."


def test_non_ascii_text_is_spelled_in_ascii(
    exports: list[TrialExport], rscript_foreign: str, tmp_path: Path
) -> None:
    """Trial 001's criteria quote "≥ 18 years": the XPT says ">= 18 years"."""
    export = next(e for e in exports if e.trial == "001")
    header, rows = read_csv(export.csv / "ie.csv")
    column = header.index("IETEST")
    assert any("≥" in r[column] for r in rows)
    r_files = read_with_r(rscript_foreign, export.xpt, tmp_path)
    tests = r_files["ie.xpt"]["values"]["IETEST"]
    assert any(">=" in t for t in tests) and all(t.isascii() for t in tests)


def test_odm_is_valid_and_carries_every_record(exports: list[TrialExport]) -> None:
    for export in exports:
        (odm,) = export.odm.glob("*.odm.xml")
        assert schema_errors(odm, "odm", "1.3.2") == []
        records = read_odm_records(odm)
        for path in sorted(export.csv.glob("*.csv")):
            if path.stem == "adsl":
                continue
            header, rows = read_csv(path)
            frame = records[path.stem.upper()]
            assert len(frame) == len(rows), path.name
            for index, column in enumerate(header):
                got = frame[column].tolist() if column in frame else [None] * len(rows)
                want = [r[index] or None for r in rows]
                got = [None if isinstance(v, float) and math.isnan(v) else v for v in got]
                assert got == want, f"{export.trial} {path.name} {column}"


def test_odm_metadata_validates_with_a_second_validator(exports: list[TrialExport]) -> None:
    import xmlschema
    from odmlib.schema_manager import get_schema_path

    export = next(e for e in exports if e.trial == "NCT07064876")
    (odm,) = export.odm.glob("*.odm.xml")
    schema = xmlschema.XMLSchema(get_schema_path("odm", "1.3.2"))
    assert list(schema.iter_errors(str(odm))) == []
    root = ET.parse(odm).getroot()
    subjects = {s.get("SubjectKey") for s in root.iter(f"{ODM_NS}SubjectData")}
    _, dm = read_csv(export.csv / "dm.csv")
    assert subjects == {r[2] for r in dm}
