"""Loading NCI's official CTCAE v5.0 file (Excel or CSV) into a dictionary.

oncotrial does not ship the dictionary: a user points to the official file with ``--ctcae FILE``
or the ``ONCOTRIAL_CTCAE`` environment variable, or places it in the data directory as
``CTCAE_v5.0.xlsx`` or ``CTCAE_v5.0.csv``.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import ConfigurationError, FormatError, SchemaError
from oncotrial.home import data_home

__all__ = ["CTCAE_DOWNLOAD_URL", "find_ctcae_file", "load_ctcae"]

CTCAE_DOWNLOAD_URL = (
    "https://ctep.cancer.gov/protocoldevelopment/electronic_applications/docs/CTCAE_v5.0.xlsx"
)
HOW_TO_GET = (
    f"Download the official CTCAE v5.0 file from NCI ({CTCAE_DOWNLOAD_URL}) and pass it with "
    "--ctcae FILE, set ONCOTRIAL_CTCAE=FILE, or copy it into the data directory as "
    "CTCAE_v5.0.xlsx (or .csv)."
)

# Header words of the official file -> our keys. The CSV export's grade headers end in stray
# characters ("Grade 1 ??", a mis-encoded non-breaking space), so headers are normalised first.
_COLUMNS = {
    "meddra code": "meddra_code",
    "meddra soc": "soc",
    "ctcae term": "term",
    "grade 1": "grade1",
    "grade 2": "grade2",
    "grade 3": "grade3",
    "grade 4": "grade4",
    "grade 5": "grade5",
    "definition": "definition",
    "navigational note": "note",
}


def _header_key(header: object) -> str | None:
    text = re.sub(r"[^a-z0-9 ]+", " ", str(header).casefold())
    return _COLUMNS.get(re.sub(r"\s+", " ", text).strip())


def find_ctcae_file(path: Path | None = None) -> Path:
    """The CTCAE file to use: the given path, $ONCOTRIAL_CTCAE, or the data directory's copy."""
    if path is not None:
        if not path.is_file():
            raise ConfigurationError(f"CTCAE file {path} not found", hint=HOW_TO_GET)
        return path
    configured = os.environ.get("ONCOTRIAL_CTCAE")
    if configured:
        env_path = Path(configured).expanduser()
        if not env_path.is_file():
            raise ConfigurationError(
                f"ONCOTRIAL_CTCAE points to {env_path}, which does not exist", hint=HOW_TO_GET
            )
        return env_path
    for name in ("CTCAE_v5.0.xlsx", "CTCAE_v5.0.csv"):
        candidate = data_home() / name
        if candidate.is_file():
            return candidate
    raise ConfigurationError("no CTCAE v5.0 dictionary is available", hint=HOW_TO_GET)


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> CtcaeDictionary:
    rows = _read_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _read_csv(path)
    return CtcaeDictionary.from_rows(rows, source=str(path))


def load_ctcae(path: Path | None = None) -> CtcaeDictionary:
    """Load (and cache per file version) the CTCAE dictionary."""
    found = find_ctcae_file(path).resolve()
    return _load(found, found.stat().st_mtime)


def _normalise(headers: list[object], records: list[list[object]], source: Path) -> list[dict]:
    keys = [_header_key(h) for h in headers]
    missing = {"term", "soc", "grade1"} - {k for k in keys if k}
    if missing:
        raise SchemaError(
            f"not a CTCAE term list: no {', '.join(sorted(missing))} column "
            f"(headers: {', '.join(str(h) for h in headers)})",
            file=str(source),
            hint=HOW_TO_GET,
        )
    rows = []
    for record in records:
        if not any(v not in (None, "") for v in record):
            continue
        rows.append(
            {
                key: (None if value is None else str(value))
                for key, value in zip(keys, record, strict=False)
                if key
            }
        )
    return rows


def _read_csv(path: Path) -> list[dict]:
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    except UnicodeDecodeError:
        with path.open(encoding="latin-1", newline="") as handle:
            table = list(csv.reader(handle))
    except csv.Error as exc:
        raise FormatError(f"not a readable CSV file ({exc})", file=str(path)) from exc
    if not table:
        raise FormatError("the CTCAE file is empty", file=str(path), hint=HOW_TO_GET)
    return _normalise(list(table[0]), [list(r) for r in table[1:]], path)


def _read_xlsx(path: Path) -> list[dict]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise FormatError(f"not a readable Excel file ({exc})", file=str(path)) from exc
    sheet = workbook.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not table:
        raise FormatError("the CTCAE workbook is empty", file=str(path), hint=HOW_TO_GET)
    return _normalise(table[0], table[1:], path)
