"""ADaM-style subject files (ADSL): one row per subject with its analysis dates.

The file is CSV (as R's ``write.csv`` or SAS export it) or CDISC Dataset-JSON. ``USUBJID`` is
required and must be unique; the date variables the caller needs (e.g. ``RANDDT`` or ``TRTSDT``)
must be present. Every ADaM date variable (name ending in ``DT``) is converted to ``datetime64``:
an empty cell or ``NA`` is a missing date (NaT), anything else must be an ISO 8601 date
(``YYYY-MM-DD``); datetime variables (``…DTM``) accept ``YYYY-MM-DD[T| ]hh:mm[:ss]``. Values that
do not convert are all reported at once, naming file, subject and variable; other variables
stay text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial.errors import ConfigurationError, Problem, SchemaError, ValueProblem
from oncotrial.formats.cells import neutralise_formula
from oncotrial.formats.sdtm import read_domain, write_dataset_json

__all__ = ["DATE_COLUMN", "read_adsl", "write_adsl", "write_csv", "write_tables"]

DATE_COLUMN = re.compile(r"^[A-Z][A-Z0-9]*DT$")
_DATETIME_COLUMN = re.compile(r"^[A-Z][A-Z0-9]*DTM$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def read_adsl(path: Path, *, required: Iterable[str] = ("USUBJID",)) -> pd.DataFrame:
    """Read an ADSL-like subject file; date variables become ``datetime64[ns]``."""
    needed = ["USUBJID", *[name for name in required if name != "USUBJID"]]
    frame = read_domain(path, required=needed)
    ids = frame["USUBJID"]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0]) + 1
        raise SchemaError(
            "a subject has no USUBJID",
            file=str(path),
            record=f"row {row}",
            field="USUBJID",
            hint="Every row of the subject file needs its USUBJID.",
        )
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise SchemaError(
            f"USUBJID {duplicated.iloc[0]} appears more than once",
            file=str(path),
            field="USUBJID",
            hint="The subject file (ADSL) must have one row per subject.",
        )
    problems: list[Problem] = []
    out = frame.copy()
    for column in frame.columns:
        name = str(column).upper()
        if DATE_COLUMN.match(name):
            pattern = _DATE
        elif _DATETIME_COLUMN.match(name):
            pattern = _DATETIME
        else:
            continue
        text = frame[column].astype(object)
        present = text.notna().to_numpy()
        stripped = text.where(~present, text.astype(str).str.strip())
        valid = np.array([bool(pattern.match(v)) if isinstance(v, str) else True for v in stripped])
        parsed = pd.to_datetime(stripped.where(valid, None), errors="coerce", format="ISO8601")
        bad = present & (~valid | parsed.isna().to_numpy())
        for row in np.flatnonzero(bad)[:50]:
            problems.append(
                Problem(
                    "not an ISO 8601 date",
                    file=str(path),
                    record=f"subject {ids.iloc[row]}",
                    field=str(column),
                    value=str(text.iloc[row]),
                )
            )
        if bad.any() and len(problems) >= 50:
            break
        out[column] = parsed.astype("datetime64[ns]")
    if problems:
        raise ValueProblem(
            f"{len(problems)} date value(s) in the subject file cannot be read",
            file=str(path),
            field=problems[0].field,
            hint="Write dates as YYYY-MM-DD (leave unknown dates empty or NA).",
            problems=problems,
        )
    return out


def write_adsl(frame: pd.DataFrame, path: Path) -> Path:
    """Write the ADSL-like frame (``oncotrial.endpoints.adsl``) as CSV, missing values empty."""
    frame.to_csv(path, index=False, na_rep="")
    return path


def _for_json(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column].dtype):
            values = out[column]
            out[column] = values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
    return out


def write_tables(
    tables: Sequence[tuple[pd.DataFrame, Path, str, str]],
    *,
    created: str,
    study_oid: str = "STUDY",
    source_version: str = "",
) -> None:
    """Write (frame, path, format "csv"|"json", dataset name) tables all or nothing.

    Each table goes to a temporary file beside its target first; only when every one is written
    are they renamed into place, so a failure leaves no partial output. CSV dates are
    ``YYYY-MM-DD`` and missing values empty; JSON is CDISC Dataset-JSON 1.1.
    """
    written: list[tuple[Path, Path]] = []
    try:
        for frame, path, fmt, name in tables:
            temporary = path.with_name(f".{path.name}.partial")
            if fmt == "json":
                write_dataset_json(
                    _for_json(frame),
                    temporary,
                    domain=name,
                    study_oid=study_oid,
                    created=created,
                    source_version=source_version,
                )
            else:
                write_csv(frame, temporary)
            written.append((temporary, path))
    except OSError as exc:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise ConfigurationError(
            f"cannot write the output ({exc.strerror})",
            file=str(exc.filename or ""),
            hint="Check that the folder exists and is writable; nothing was written.",
        ) from exc
    for temporary, path in written:
        os.replace(temporary, path)


def _quote(text: str) -> str:
    """CSV minimal quoting (as the csv module and pandas do)."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_column(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, texts): the column's distinct values written once each, and a code per row."""
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        days = series.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        codes, uniques = pd.factorize(days.astype(np.int64), use_na_sentinel=True)
        texts = [str(d) for d in np.asarray(uniques).astype("datetime64[D]")]
        nat = np.isnat(days)
        codes = np.where(nat, -1, codes)
    elif pd.api.types.is_bool_dtype(dtype):
        codes = series.to_numpy(dtype=bool).astype(np.int64)
        texts = ["False", "True"]
    elif pd.api.types.is_float_dtype(dtype):
        codes, uniques = pd.factorize(series.to_numpy(dtype=float), use_na_sentinel=True)
        texts = [f"{v:.10g}" for v in np.asarray(uniques)]
    elif pd.api.types.is_integer_dtype(dtype):
        codes, uniques = pd.factorize(series.to_numpy(), use_na_sentinel=True)
        texts = [str(int(v)) for v in np.asarray(uniques)]
    else:
        codes, labels = pd.factorize(series.astype(object), use_na_sentinel=True)
        # Text a spreadsheet would run gets its leading quote (formats/cells.py, OWASP).
        texts = [_quote(str(neutralise_formula(str(v)))) for v in np.asarray(labels, dtype=object)]
    # The missing-value sentinel (-1) indexes the appended empty text.
    return np.asarray(codes, dtype=np.int64), np.array([*texts, ""], dtype=object)


def write_csv(frame: pd.DataFrame, path: Path, *, chunk: int = 250_000) -> None:
    """Write a frame as CSV like ``to_csv(index=False, na_rep="", date_format="%Y-%m-%d",
    float_format="%.10g")``, several times faster on large frames: each column's distinct
    values are formatted once and rows are joined in chunks."""
    columns = [_csv_column(frame[name]) for name in frame.columns]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(_quote(str(name)) for name in frame.columns) + "\n")
        for start in range(0, len(frame), chunk):
            parts = [texts[codes[start : start + chunk]] for codes, texts in columns]
            handle.write("\n".join(map(",".join, zip(*parts, strict=True))))
            handle.write("\n")
