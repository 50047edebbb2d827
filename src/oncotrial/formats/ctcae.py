"""CTCAE dictionaries: NCI's CTCAE v5.0 shipped with oncotrial, or a file the user names.

oncotrial ships the 837 terms of NCI's *Common Terminology Criteria for Adverse Events (CTCAE)
Version 5.0* (U.S. Department of Health and Human Services, National Institutes of Health,
National Cancer Institute; published 27 November 2017): MedDRA code, MedDRA system organ class,
term, the five grade definitions, definition and navigational note, as NCI's workbook
``CTCAE_v5.0.xlsx`` (sheet "CTCAE v5.0 Clean Copy") gives them, cell text trimmed
(``data/CTCAE_v5.0.csv``; ``data/CTCAE_v5.0.README.txt`` says where it came from). NCI publishes
CTCAE freely; the terms are MedDRA v20.1 lowest level terms (MedDRA® is a trademark of ICH).

A user may name another dictionary — a later CTCAE version, or a MedDRA-licensed one — with
``--ctcae FILE``, the ``ONCOTRIAL_CTCAE`` environment variable, or a ``CTCAE_v5.0.xlsx`` /
``.csv`` copy in the data directory, in that order; the shipped dictionary is used otherwise.
Every dictionary says where it came from (``CtcaeDictionary.description``); reports print it.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import ConfigurationError, FormatError, SchemaError
from oncotrial.home import data_home

__all__ = [
    "BUNDLED_CTCAE",
    "BUNDLED_SOURCE",
    "CTCAE_DOWNLOAD_URL",
    "find_ctcae_file",
    "load_ctcae",
]

CTCAE_DOWNLOAD_URL = (
    "https://ctep.cancer.gov/protocoldevelopment/electronic_applications/docs/CTCAE_v5.0.xlsx"
)
BUNDLED_CTCAE = Path(__file__).resolve().parent / "data" / "CTCAE_v5.0.csv"
BUNDLED_SOURCE = "NCI's publication of 27 November 2017, shipped with oncotrial"
HOW_TO_GET = (
    "Name a CTCAE file with --ctcae FILE or ONCOTRIAL_CTCAE=FILE (NCI's CTCAE v5.0 is at "
    f"{CTCAE_DOWNLOAD_URL}), or unset ONCOTRIAL_CTCAE to use the CTCAE v5.0 shipped with oncotrial."
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
    """The CTCAE file to use: the given path, $ONCOTRIAL_CTCAE, the data directory's copy, or
    the one shipped with oncotrial."""
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
    if not BUNDLED_CTCAE.is_file():
        raise ConfigurationError(
            f"the CTCAE v5.0 dictionary shipped with oncotrial is missing ({BUNDLED_CTCAE})",
            hint="Reinstall oncotrial: its data files are incomplete.",
        )
    return BUNDLED_CTCAE


# "CTCAE_v6.0.xlsx", "ctcae-v4.03.csv": the version a file's name states.
_VERSION_IN_NAME = re.compile(r"v(?:ersion)?[ _-]?(\d+(?:\.\d+)+)", re.IGNORECASE)


def _version_and_source(path: Path) -> tuple[str, str]:
    if path == BUNDLED_CTCAE:
        return "5.0", BUNDLED_SOURCE
    found = _VERSION_IN_NAME.search(path.name)
    if found:
        return found.group(1), f"file {path}"
    # Nothing assumed silently: the reader is told the version was not stated.
    return "5.0", f"file {path}; its name states no version, taken as 5.0"


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> CtcaeDictionary:
    rows = _read_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _read_csv(path)
    version, origin = _version_and_source(path)
    return CtcaeDictionary.from_rows(rows, source=str(path), version=version, origin=origin)


def load_ctcae(path: Path | None = None) -> CtcaeDictionary:
    """Load (and cache per file version) the CTCAE dictionary (see the module docstring)."""
    found = find_ctcae_file(path).resolve()
    return _load(found, found.stat().st_mtime)


def _normalise(
    headers: list[object], records: list[list[object]], source: Path
) -> list[dict[str, str | None]]:
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


def _read_csv(path: Path) -> list[dict[str, str | None]]:
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


def _read_xlsx(path: Path) -> list[dict[str, str | None]]:
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
