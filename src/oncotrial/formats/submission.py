"""A submission folder: one SAS transport file per dataset and the define.xml beside them.

All or nothing: the metadata is built (every name, label, length and character checked) before
anything is written, the files go to a temporary folder beside the target, and only when every
file is written and define.xml has passed the Define-XML 2.1 schema are they moved into place.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from oncotrial.formats.define_xml import write_define
from oncotrial.formats.metadata import StudyMetadata, describe_datasets
from oncotrial.formats.xpt import write_xpt

__all__ = ["write_submission"]


def write_submission(
    frames: Mapping[str, pd.DataFrame],
    folder: Path,
    *,
    standard: str,
    study_oid: str,
    study_name: str,
    description: str,
    created: str,
    source_version: str,
    dictionaries: Mapping[str, str] | None = None,
) -> tuple[StudyMetadata, list[Path]]:
    """Write ``<dataset>.xpt`` for each frame and ``define.xml`` into ``folder``."""
    metadata = describe_datasets(
        frames,
        standard=standard,
        study_oid=study_oid,
        study_name=study_name,
        description=description,
        dictionaries=dictionaries,
    )
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder))
    try:
        names = []
        for dataset in metadata.datasets:
            write_xpt(frames[dataset.name], dataset, staging / dataset.file_name)
            names.append(dataset.file_name)
        write_define(
            metadata, staging / "define.xml", created=created, source_version=source_version
        )
        names.append("define.xml")
        written = []
        for name in names:
            target = folder / name
            (staging / name).replace(target)
            written.append(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return metadata, written
