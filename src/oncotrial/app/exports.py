"""Exchange files of a stored trial beyond the CSV/Dataset-JSON domains: SAS transport files with
define.xml (SDTM, and ADaM with ``adam``), CDISC ODM 1.3.2, and the ADaM datasets as CSV.

Layout of an export folder ``OUT``:

- ``--format xpt``: ``OUT/<domain>.xpt`` + ``OUT/define.xml`` (SDTM); with ``--adam`` also
  ``OUT/adam/<dataset>.xpt`` + ``OUT/adam/define.xml`` (FDA's eCTD keeps tabulation and analysis
  datasets in separate folders, each with its define.xml);
- ``--format odm``: ``OUT/<trial>.odm.xml`` (study metadata and clinical data);
- ``--format csv|json`` with ``--adam``: ``OUT/adam/<dataset>.csv|json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncotrial.analysis import TrialData
from oncotrial.analysis.adam import derive_adam
from oncotrial.app.trial_data import load_from_store
from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import InputError
from oncotrial.formats.adam import write_adsl
from oncotrial.formats.metadata import describe_datasets
from oncotrial.formats.odm import write_odm
from oncotrial.formats.plan_files import find_trial_plan
from oncotrial.formats.sdtm import write_sdtm_folder
from oncotrial.formats.sdtm_spec import to_text_frame
from oncotrial.formats.submission import write_submission

__all__ = [
    "ExportedFiles",
    "TrialExport",
    "export_adam",
    "export_odm",
    "export_trial",
    "export_xpt",
]


@dataclass(frozen=True)
class ExportedFiles:
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()


def _study(data: TrialData) -> dict[str, str]:
    trial_id = data.trial_id or data.protocol.trial_id
    return {
        "study_oid": trial_id,
        "study_name": trial_id,
        "description": data.protocol.title,
    }


def _dictionaries(ctcae: CtcaeDictionary | None) -> dict[str, str]:
    return {"CTCAE": ctcae.version} if ctcae is not None else {}


def export_xpt(
    data: TrialData,
    frames: Mapping[str, pd.DataFrame],
    out: Path,
    *,
    ctcae: CtcaeDictionary | None,
    created: str,
    source_version: str,
) -> ExportedFiles:
    """The SDTM ``frames`` of ``data`` as XPT v5 files and define.xml in ``out``."""
    _, files = write_submission(
        {name: to_text_frame(frame, name) for name, frame in frames.items()},
        out,
        standard="SDTM",
        created=created,
        source_version=source_version,
        dictionaries=_dictionaries(ctcae),
        **_study(data),
    )
    return ExportedFiles(tuple(files))


def export_adam(
    data: TrialData,
    out: Path,
    *,
    fmt: str,
    ctcae: CtcaeDictionary,
    created: str,
    source_version: str,
) -> ExportedFiles:
    """ADSL, ADRS, ADTTE and ADAE of ``data`` into ``out`` as ``fmt`` (csv, json or xpt)."""
    identity = data.protocol.identity
    reviewed = find_trial_plan(identity.local_id, identity.nct_id, data.trial_id)
    adam = derive_adam(data, ctcae=ctcae, sap=reviewed.plan if reviewed is not None else None)
    frames = {name: to_text_frame(frame) for name, frame in adam.frames.items()}
    if fmt == "xpt":
        _, files = write_submission(
            frames,
            out,
            standard="ADaM",
            created=created,
            source_version=source_version,
            dictionaries=_dictionaries(ctcae),
            **_study(data),
        )
    elif fmt in ("csv", "json"):
        files = write_sdtm_folder(
            frames,
            out,
            fmt=fmt,
            study_oid=_study(data)["study_oid"],
            created=created,
            source_version=source_version,
            canonical=True,
        )
    else:
        raise InputError(f"ADaM datasets are written as csv, json or xpt, not {fmt}")
    return ExportedFiles(tuple(files), adam.notes)


def export_odm(
    data: TrialData,
    frames: Mapping[str, pd.DataFrame],
    out: Path,
    *,
    ctcae: CtcaeDictionary | None,
    created: str,
    source_version: str,
) -> ExportedFiles:
    """The SDTM ``frames`` of ``data`` as one ODM 1.3.2 file (metadata and clinical data)."""
    texts = {name: to_text_frame(frame, name) for name, frame in frames.items()}
    study = _study(data)
    metadata = describe_datasets(
        texts, standard="SDTM", dictionaries=_dictionaries(ctcae), transport=False, **study
    )
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{study['study_oid']}.odm.xml"
    partial = out / f".{target.name}.partial"
    try:
        write_odm(metadata, texts, partial, created=created, source_version=source_version)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return ExportedFiles((target,))


@dataclass(frozen=True)
class TrialExport:
    """What ``export_trial`` wrote: the SDTM domains (as stored), the files and notes (why an
    ADaM dataset is missing)."""

    frames: dict[str, pd.DataFrame]
    written: tuple[Path, ...]
    notes: tuple[str, ...] = ()

    @property
    def records(self) -> int:
        return sum(len(f) for f in self.frames.values())


def export_trial(
    trial_id: str,
    out_dir: Path,
    *,
    fmt: str = "csv",
    adsl: bool = False,
    adam: bool = False,
    domains: Sequence[str] | None = None,
    ctcae: CtcaeDictionary | None = None,
    created: str,
    source_version: str,
) -> TrialExport:
    """``oncotrial data export``: a stored trial's SDTM domains (all, or ``domains``) as
    ``fmt`` (csv, json: ``store.files.export_files``; xpt with define.xml; odm), with
    ``adsl.csv`` and, with ``adam``, the ADaM datasets in ``out_dir/adam``. xpt, odm and ADaM
    need the CTCAE dictionary (``ctcae``). ``created`` and ``source_version`` go into the files."""
    from oncotrial.store.files import export_files
    from oncotrial.store.sdtm_export import export_sdtm

    if adam and fmt == "odm":
        raise InputError("ADaM datasets go with csv, json or xpt (ODM carries SDTM)")
    stamp = {"created": created, "source_version": source_version}
    if fmt in ("csv", "json"):
        done = export_files(trial_id, out_dir, fmt=fmt, adsl=adsl, domains=domains, **stamp)
        frames, written = done.frames, list(done.written)
    else:
        wanted = [d.strip().upper() for d in domains] if domains else None
        frames = export_sdtm(trial_id, domains=wanted)
        data = load_from_store(trial_id)
        export = export_xpt if fmt == "xpt" else export_odm
        written = list(export(data, frames, out_dir, ctcae=ctcae, **stamp).files)
        if adsl:
            if wanted is not None and set(wanted) != set(frames):
                frames = export_sdtm(trial_id)
            written.append(write_adsl(derive_adsl(frames), out_dir / "adsl.csv"))
    notes: tuple[str, ...] = ()
    if adam:
        if ctcae is None:
            raise InputError("the ADaM datasets need the CTCAE dictionary (ADAE)")
        made = export_adam(
            load_from_store(trial_id), out_dir / "adam", fmt=fmt, ctcae=ctcae, **stamp
        )
        written += list(made.files)
        notes = made.notes
    return TrialExport(frames, tuple(written), notes)
