"""REDCap for a stored trial: its data dictionary and design, its records, and records imported
through the SDTM mapping (``oncotrial.formats.redcap``; docs/formats.md, REDCap)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from oncotrial.errors import OncotrialError, Problem, ValueProblem
from oncotrial.formats.redcap.design import Project, design_project
from oncotrial.formats.redcap.dictionary import read_dictionary, write_dictionary
from oncotrial.formats.redcap.records import (
    RedcapRecords,
    map_dictionary,
    records_from_sdtm,
    sdtm_from_records,
    write_records,
)
from oncotrial.formats.sdtm_spec import to_text_frame

__all__ = [
    "RedcapExport",
    "export_redcap",
    "import_redcap",
    "trial_project",
    "write_trial_dictionary",
]


@dataclass(frozen=True)
class RedcapExport:
    files: tuple[Path, ...]
    project: Project
    rows: int


def _sdtm(trial_id: str) -> dict[str, pd.DataFrame]:
    from oncotrial.store.sdtm_export import export_sdtm, find_trial

    frames = export_sdtm(find_trial(trial_id))
    return {domain: to_text_frame(frame, domain) for domain, frame in frames.items()}


def trial_project(frames: Mapping[str, pd.DataFrame]) -> Project:
    columns = {domain: list(frame.columns) for domain, frame in frames.items()}
    records: dict[str, list[dict[str, object]]] = {
        domain: [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
        for domain, frame in frames.items()
    }
    return design_project(columns, records)


def write_trial_dictionary(trial_id: str, out: Path) -> RedcapExport:
    """The trial's REDCap data dictionary ``out`` and its design files beside it."""
    project = trial_project(_sdtm(trial_id))
    return RedcapExport(tuple(write_dictionary(project, out)), project, 0)


def export_redcap(trial_id: str, out: Path) -> RedcapExport:
    """The trial's records as a REDCap flat records import file ``out``."""
    frames = _sdtm(trial_id)
    project = trial_project(frames)
    header, rows = records_from_sdtm(project, frames)
    return RedcapExport((write_records(header, rows, out),), project, len(rows))


def _located(exc: OncotrialError, records: RedcapRecords, file: str) -> list[Problem]:
    """The store's problems (file ``<records> [DOMAIN]``, record ``row i``) restated with the
    record, event, instrument, instance and REDCap field they come from."""
    located = []
    for problem in exc.problems:
        domain = (problem.file or "").rpartition("[")[2].rstrip("]")
        where = problem.record or ""
        spots = records.locations.get(domain, [])
        if where.startswith("row ") and where[4:].isdigit() and 0 < int(where[4:]) <= len(spots):
            spot = spots[int(where[4:]) - 1]
            name = records.fields.get((spot.instrument, problem.field or ""), problem.field)
            located.append(replace(problem, file=file, record=spot.describe(), field=name))
        else:
            located.append(replace(problem, file=file))
    return located


def import_redcap(
    records_path: Path,
    dictionary_path: Path,
    trial_id: str,
    *,
    user: str | None = None,
    ctcae: Any = None,
) -> Any:
    """Import a REDCap records export into the trial, all or nothing (the store's import)."""
    from oncotrial.store.sdtm_import import import_sdtm
    from oncotrial.store.source import Source

    mapped = map_dictionary(read_dictionary(dictionary_path), dictionary_path.name)
    records = sdtm_from_records(records_path, mapped, trial_id)
    if not records.frames:
        raise ValueProblem(f"{records_path.name} holds no values; nothing was imported")
    sources = {d: Source(f"{records_path.name} [{d}]", first_row=1) for d in records.frames}
    try:
        return import_sdtm(
            records.frames,
            trial_id=trial_id,
            user=user,
            sources=sources,
            ctcae=ctcae,
            source_name=f"REDCap import {records_path.name}",
        )
    except OncotrialError as exc:
        if not exc.problems:
            raise
        raise ValueProblem(
            f"{len(exc.problems)} problem(s) in {records_path.name}; nothing was imported",
            hint="Correct the records listed in REDCap, export them again and import.",
            problems=_located(exc, records, records_path.name),
        ) from exc
