"""Options and output steps that several commands share, so they read and behave the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click
import pandas as pd

from oncotrial import __version__
from oncotrial.formats.adam import write_tables

__all__ = [
    "evaluator_option",
    "response_source_option",
    "table_format_option",
    "write_adam_tables",
]

evaluator_option = click.option(
    "--evaluator",
    help="Assessor whose reads count (e.g. INVESTIGATOR, 'RADIOLOGIST 1'); default: the "
    "accepted records (ACPTFL = Y).",
)

response_source_option = click.option(
    "--from",
    "source",
    type=click.Choice(["auto", "lesions", "responses"]),
    default="auto",
    show_default=True,
    help="With --sdtm: derive from TU/TR lesions or from RS responses (auto: lesions when "
    "tr is present).",
)

table_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="Output format (default: from the --out suffix, else csv).",
)


def write_adam_tables(tables: Sequence[tuple[pd.DataFrame, Path, str]], fmt: str | None) -> None:
    """Write (frame, path, dataset name) tables as CSV or Dataset-JSON, all or nothing.

    The format is ``fmt`` or, without it, each path's suffix (``.json`` → Dataset-JSON).
    """
    first = tables[0][0]
    studies: Sequence[object] = (
        list(first["STUDYID"].dropna().unique()) if "STUDYID" in first else []
    )
    write_tables(
        [
            (frame, path, fmt or ("json" if path.suffix.lower() == ".json" else "csv"), name)
            for frame, path, name in tables
        ],
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        study_oid=str(studies[0]) if len(studies) == 1 else "STUDY",
        source_version=__version__,
    )
