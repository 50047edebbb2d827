"""SDTM files in and out of the trial database (what ``oncotrial data import`` and ``export`` do).

Import: an SDTM folder (CSV or Dataset-JSON, one file per domain), one domain file, or a filled
CSV/Excel template — read, checked and stored all or nothing (``sdtm_import.import_sdtm``,
``trials.import_template``). Export: the trial's domains exactly as imported, optionally with the
ADSL-like subject file derived from them (``oncotrial.endpoints.adsl``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import InputError
from oncotrial.formats.adam import write_adsl
from oncotrial.formats.protocol_files import dump_protocol_yaml
from oncotrial.formats.sdtm import read_domain, read_sdtm_folder, write_sdtm_folder
from oncotrial.protocol.model import Protocol
from oncotrial.store.sdtm_export import export_sdtm
from oncotrial.store.sdtm_import import ImportResult, import_sdtm
from oncotrial.store.trials import ensure_trial, import_template
from oncotrial.store.validation import Source

__all__ = ["FileExport", "FileImport", "export_files", "import_files"]


@dataclass(frozen=True)
class FileImport:
    """What an import stored, and the domains whose --SEQ numbers were replaced."""

    result: ImportResult
    renumbered: tuple[str, ...] = ()


def import_files(
    source: Path,
    *,
    trial_id: str | None = None,
    entity: str | None = None,
    domain: str | None = None,
    protocol: Protocol | None = None,
    update: bool = False,
    reason: str | None = None,
    renumber_seq: bool = False,
    user: str | None = None,
    ctcae: CtcaeDictionary | None = None,
) -> FileImport:
    """Import ``source`` — an SDTM folder, one ``domain`` file, or a template of ``entity`` —
    into the trial (``trial_id``, else the protocol's, else the files' STUDYID); all or nothing.

    ``protocol`` is stored with the trial; ``renumber_seq`` drops the files' --SEQ numbers and
    numbers each subject's records in file order after those already stored (for files whose
    --SEQ repeat); it adds records, so it cannot go with ``update``.
    """
    if protocol is not None:
        trial_id = trial_id or protocol.trial_id
    if entity:
        if not trial_id:
            raise InputError("a template import needs the trial", hint="Pass --trial ID.")
        if protocol is not None:
            ensure_trial(protocol, user=user, trial_id=trial_id)
        return FileImport(
            import_template(entity, source, trial_id=trial_id, user=user, ctcae=ctcae)
        )
    frames, sources = _read_domain_file(source, domain) if domain else _read_folder(source)
    renumbered: list[str] = []
    if renumber_seq:
        if update:
            raise InputError(
                "--renumber-seq adds records; it cannot go with --update",
                hint="Import new records with --renumber-seq, or update stored ones without it.",
            )
        # --SEQ identifies a record; a file whose numbers repeat cannot be stored as it is.
        # On request the numbers are dropped and assigned afresh, and the user is told.
        for name, frame in list(frames.items()):
            if name != "DM" and f"{name}SEQ" in frame.columns:
                frames[name] = frame.drop(columns=[f"{name}SEQ"])
                renumbered.append(name)
    result = import_sdtm(
        frames,
        trial_id=trial_id,
        protocol_yaml=dump_protocol_yaml(protocol) if protocol is not None else None,
        user=user,
        reason=reason,
        mode="update" if update else "add",
        sources=sources,
        ctcae=ctcae,
        source_name=str(source),
        assign_seq=renumber_seq,
    )
    return FileImport(result, tuple(renumbered))


def _read_domain_file(
    source: Path, domain: str
) -> tuple[dict[str, pd.DataFrame], dict[str, Source]]:
    name = domain.upper()
    kind = 1 if source.suffix.lower() == ".json" else 2
    return {name: read_domain(source)}, {name: Source(str(source), kind)}


def _read_folder(source: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Source]]:
    if not source.is_dir():
        raise InputError(
            "not a folder",
            file=str(source),
            hint="Give an SDTM folder, or --domain XX for one file, or --template ENTITY.",
        )
    frames = read_sdtm_folder(source, [], optional=_folder_domains(source))
    if not frames:
        raise InputError(
            "the folder holds no SDTM domain files (dm.csv, tu.csv, … or .json)",
            file=str(source),
        )
    sources = {}
    for name in frames:
        csv_file = source / f"{name.lower()}.csv"
        if csv_file.exists():
            sources[name] = Source(str(csv_file), 2)
        else:
            sources[name] = Source(str(source / f"{name.lower()}.json"), 1)
    return frames, sources


def _folder_domains(folder: Path) -> list[str]:
    names = sorted(
        {p.stem.upper() for p in folder.iterdir() if p.suffix.lower() in {".csv", ".json"}}
    )
    return [name for name in names if name.isalnum() and len(name) <= 8 and name != "ADSL"]


@dataclass(frozen=True)
class FileExport:
    """What an export wrote: the domains (frames as stored) and the files."""

    frames: dict[str, pd.DataFrame]
    written: tuple[Path, ...]

    @property
    def records(self) -> int:
        return sum(len(f) for f in self.frames.values())


def export_files(
    trial_id: str,
    out_dir: Path,
    *,
    created: str,
    source_version: str,
    fmt: str = "csv",
    adsl: bool = False,
    domains: Sequence[str] | None = None,
) -> FileExport:
    """Write the trial's SDTM domains (all, or ``domains``) to ``out_dir`` as CSV or
    Dataset-JSON (``fmt``), exactly as imported; with ``adsl`` also ``adsl.csv``, derived from
    every domain. ``created`` (the time, ISO 8601) and ``source_version`` go into Dataset-JSON."""
    wanted = [d.strip().upper() for d in domains] if domains else None
    frames = export_sdtm(trial_id, domains=wanted)
    written = write_sdtm_folder(
        frames,
        out_dir,
        fmt=fmt,
        study_oid=trial_id,
        created=created,
        source_version=source_version,
        canonical=True,
    )
    if adsl:
        if wanted is not None and set(wanted) != set(frames):
            frames = export_sdtm(trial_id)
        written.append(write_adsl(derive_adsl(frames), out_dir / "adsl.csv"))
    return FileExport(frames, tuple(written))
