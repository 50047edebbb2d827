"""SDTM folders: one file per domain, named by the domain in lower case.

``DIR/tu.csv``, ``DIR/tr.csv``, ``DIR/rs.csv`` … are CSV files with SDTM variable names as
headers; ``DIR/tu.json`` etc. are CDISC Dataset-JSON (version 1.1, and the older 1.0
``clinicalData`` shape on reading). Every command that reads or writes SDTM uses this convention.

Values are read as text (SDTM character and numeric variables alike) so that nothing is silently
coerced; an empty cell and the literal ``NA`` (as R's ``write.csv`` writes missing values) are
missing. Consumers convert the variables they use and report what does not convert.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from oncotrial.errors import FormatError, InputError, SchemaError
from oncotrial.formats.cells import FORMULA_LEADS, neutralise_formula
from oncotrial.formats.sdtm_spec import is_numeric_variable, to_text_frame, variable_label

__all__ = [
    "DOMAIN_LABELS",
    "find_domain_file",
    "read_dataset_json",
    "read_domain",
    "read_sdtm_folder",
    "read_table_csv",
    "write_dataset_json",
    "write_domain_csv",
    "write_sdtm_folder",
]

DOMAIN_LABELS: dict[str, str] = {
    "DM": "Demographics",
    "EX": "Exposure",
    "PR": "Procedures",
    "TU": "Tumor/Lesion Identification",
    "TR": "Tumor/Lesion Results",
    "RS": "Disease Response and Clin Classification",
    "AE": "Adverse Events",
    "LB": "Laboratory Test Results",
    "DS": "Disposition",
    "CM": "Concomitant/Concurrent Medications",
    "QS": "Questionnaires",
    "SV": "Subject Visits",
    "MH": "Medical History",
    "VS": "Vital Signs",
    "IE": "Inclusion/Exclusion Criteria Not Met",
    "SC": "Subject Characteristics",
    "GF": "Genomics Findings",
    "MI": "Microscopic Findings",
}

MISSING_TOKENS = ("", "NA")


def find_domain_file(folder: Path, domain: str) -> Path | None:
    """The file holding ``domain`` in ``folder`` (``xx.csv`` preferred over ``xx.json``)."""
    for suffix in (".csv", ".json"):
        candidate = folder / f"{domain.lower()}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def read_table_csv(
    path: Path, *, required: Iterable[str] = (), categorical: bool = False
) -> pd.DataFrame:
    """Read a CSV file as text columns, with a clear error for anything unreadable.

    ``categorical=True`` reads every column as a pandas categorical of text (the same values,
    stored once each): much faster to convert for large files with repetitive values.
    """
    if not path.is_file():
        raise InputError(
            "file not found", file=str(path), hint="Check the path, or the folder's file names."
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror})", file=str(path)) from exc
    if not raw.strip():
        raise FormatError(
            "the file is empty", file=str(path), hint="Export the data again with a header row."
        )
    try:
        raw.decode("utf-8-sig")  # validates the encoding, with the offending byte for the message
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 text (byte {exc.start})",
            file=str(path),
            hint="Save the file as CSV UTF-8.",
        ) from exc
    try:
        frame = pd.read_csv(
            # Parsing the bytes (not a decoded copy) is several times faster for large files.
            io.BytesIO(raw),
            encoding="utf-8-sig",
            dtype="category" if categorical else str,
            keep_default_na=False,
            na_values=list(MISSING_TOKENS),
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise FormatError(
            f"not a readable CSV file ({exc})".replace("\n", " "),
            file=str(path),
            hint="Check quoting and that every row has the header's number of columns.",
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_required(frame, required, path)
    return frame


def _check_required(frame: pd.DataFrame, required: Iterable[str], path: Path) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(frame.columns)}",
            file=str(path),
            field=missing[0],
            hint="Add the column(s) with SDTM variable names as headers.",
        )


def read_dataset_json(path: Path, *, required: Iterable[str] = ()) -> pd.DataFrame:
    """Read CDISC Dataset-JSON (1.1 ``columns``/``rows``, or 1.0 ``clinicalData``) as text."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FormatError("not UTF-8 text", file=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            file=str(path),
            hint="Is the file complete? Export it again.",
        ) from exc
    if not isinstance(document, dict):
        raise SchemaError("Dataset-JSON must be a JSON object", file=str(path))
    if "columns" in document and "rows" in document:
        names = [str(c.get("name")) for c in document["columns"]]
        rows = document["rows"]
    elif "clinicalData" in document or "referenceData" in document:
        data = document.get("clinicalData") or document.get("referenceData")
        groups = (data or {}).get("itemGroupData") or {}
        if len(groups) != 1:
            raise SchemaError(
                f"expected one item group in Dataset-JSON 1.0, found {len(groups)}", file=str(path)
            )
        group = next(iter(groups.values()))
        names = [str(item.get("name")) for item in group.get("items", [])]
        rows = group.get("itemData", [])
        # Dataset-JSON 1.0 carries ITEMGROUPDATASEQ as the first item; it is not an SDTM variable.
        if names and names[0] == "ITEMGROUPDATASEQ":
            names = names[1:]
            rows = [row[1:] for row in rows]
    else:
        raise SchemaError(
            "not a Dataset-JSON document (no 'columns'/'rows' and no 'clinicalData')",
            file=str(path),
            hint="Write Dataset-JSON 1.1 or use CSV.",
        )
    for number, row in enumerate(rows, start=1):
        if len(row) != len(names):
            raise SchemaError(
                f"row has {len(row)} values for {len(names)} columns",
                file=str(path),
                record=f"row {number}",
            )
    frame = pd.DataFrame(
        [[_text_or_none(v) for v in row] for row in rows], columns=names, dtype=object
    )
    _check_required(frame, required, path)
    return frame


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "Y" if value else "N"
    text = str(value)
    return None if text == "" else text


def read_domain(path: Path, *, required: Iterable[str] = ()) -> pd.DataFrame:
    """Read one domain file, CSV or Dataset-JSON by its suffix."""
    if path.suffix.lower() == ".json":
        if not path.is_file():
            raise InputError("file not found", file=str(path))
        return read_dataset_json(path, required=required)
    return read_table_csv(path, required=required)


def read_sdtm_folder(
    folder: Path,
    domains: Iterable[str],
    *,
    optional: Iterable[str] = (),
) -> dict[str, pd.DataFrame]:
    """Read the named domains from ``folder``; a missing required domain is an error."""
    if not folder.is_dir():
        raise InputError(
            "not a folder",
            file=str(folder),
            hint="Give the SDTM folder holding one file per domain (tu.csv, tr.csv, rs.csv, …).",
        )
    frames: dict[str, pd.DataFrame] = {}
    for domain in [*domains, *optional]:
        found = find_domain_file(folder, domain)
        if found is None:
            if domain in optional:
                continue
            raise SchemaError(
                f"the SDTM folder has no {domain} domain "
                f"(looked for {domain.lower()}.csv and {domain.lower()}.json)",
                file=str(folder),
                hint="SDTM folders hold one file per domain named by the domain in lower case.",
            )
        frames[domain.upper()] = read_domain(found)
    return frames


def write_domain_csv(
    frame: pd.DataFrame, path: Path, domain: str | None = None, *, canonical: bool = False
) -> None:
    """Write a domain as CSV: numbers in canonical form (``21``, not ``21.0``), missing values
    as empty cells (``canonical``: the frame is already text, as an export gives it)."""
    text = frame if canonical else to_text_frame(frame, domain)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([str(c) for c in text.columns])
        # Text values (None writes as an empty cell): the csv module is quicker than to_csv.
        writer.writerows(zip(*(_safe_cells(text[c]) for c in text.columns), strict=True))


def _safe_cells(column: pd.Series) -> list[Any]:
    """A column's cells with formula-leading text neutralised (formats/cells.py, OWASP)."""
    values = column.tolist()
    if column.dtype != object or not column.str.startswith(FORMULA_LEADS, na=False).any():
        return values  # the usual case (no cell starts like a formula): written as it is
    return [neutralise_formula(v) for v in values]


def _json_type(series: pd.Series, domain: str, name: str) -> tuple[str, Any]:
    if pd.api.types.is_bool_dtype(series):
        return "boolean", bool
    if pd.api.types.is_integer_dtype(series):
        return "integer", int
    if pd.api.types.is_float_dtype(series):
        return "double", float
    if is_numeric_variable(domain, name):
        # A text frame's numeric variable: a JSON number, integer when every value is integral.
        numbers = pd.to_numeric(series.dropna(), errors="coerce")
        if numbers.isna().any():
            return "string", str  # not numbers after all: keep the text rather than guess
        if len(numbers) == 0 or bool((numbers % 1 == 0).all()):
            return "integer", _to_int
        return "double", float
    return "string", str


def _to_int(value: Any) -> int:
    return int(float(value))


def write_dataset_json(
    frame: pd.DataFrame,
    path: Path,
    *,
    domain: str,
    study_oid: str,
    created: str,
    originator: str = "oncotrial",
    source_version: str = "",
) -> None:
    """Write one domain as CDISC Dataset-JSON 1.1 (labels and numeric types from sdtm_spec)."""
    columns = []
    converters = []
    for name in frame.columns:
        data_type, convert = _json_type(frame[name], domain, str(name))
        column: dict[str, Any] = {
            "itemOID": f"IT.{domain}.{name}",
            "name": str(name),
            "label": variable_label(domain, str(name)),
            "dataType": data_type,
        }
        if data_type == "string":
            lengths = frame[name].dropna().astype(str).str.len()
            column["length"] = int(lengths.max()) if len(lengths) else 1
        columns.append(column)
        converters.append(convert)
    rows = [
        [
            None if _is_missing(value) else convert(value)
            for value, convert in zip(row, converters, strict=True)
        ]
        for row in frame.itertuples(index=False, name=None)
    ]
    document = {
        "datasetJSONCreationDateTime": created,
        "datasetJSONVersion": "1.1.0",
        "fileOID": f"{study_oid}.{domain}",
        "originator": originator,
        "sourceSystem": {"name": "oncotrial", "version": source_version},
        "studyOID": study_oid,
        "metaDataVersionOID": f"MDV.{study_oid}",
        "itemGroupOID": f"IG.{domain}",
        "records": len(rows),
        "name": domain,
        "label": DOMAIN_LABELS.get(domain, domain),
        "columns": columns,
        "rows": rows,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def write_sdtm_folder(
    frames: Mapping[str, pd.DataFrame],
    folder: Path,
    *,
    fmt: str = "csv",
    study_oid: str = "STUDY",
    created: str = "",
    source_version: str = "",
    canonical: bool = False,
) -> list[Path]:
    """Write each domain to ``folder/<domain>.csv`` or ``.json``; returns the paths written.

    ``canonical``: the frames are already canonical text (``sdtm_spec.to_text_frame``)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for domain, frame in frames.items():
        path = folder / f"{domain.lower()}.{'json' if fmt == 'json' else 'csv'}"
        if not canonical:
            frame = to_text_frame(frame, domain.upper())
        if fmt == "json":
            write_dataset_json(
                frame,
                path,
                domain=domain.upper(),
                study_oid=study_oid,
                created=created,
                source_version=source_version,
            )
        else:
            write_domain_csv(frame, path, domain.upper(), canonical=True)
        written.append(path)
    return written
