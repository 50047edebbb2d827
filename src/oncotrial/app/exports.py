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

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncotrial.app.adam import derive_adam
from oncotrial.app.trial_data import TrialData
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import InputError
from oncotrial.formats.metadata import describe_datasets
from oncotrial.formats.odm import write_odm
from oncotrial.formats.sdtm import write_sdtm_folder
from oncotrial.formats.sdtm_spec import to_text_frame
from oncotrial.formats.submission import write_submission

__all__ = ["ExportedFiles", "export_adam", "export_odm", "export_xpt"]


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
    adam = derive_adam(data, ctcae=ctcae)
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
