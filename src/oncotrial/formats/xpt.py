"""SAS transport files (XPT version 5), the format FDA and PMDA take SDTM and ADaM in.

Each dataset is written with pyreadstat (ReadStat's XPORT writer) from its exchange frame and
its metadata (``oncotrial.formats.metadata``): 8-character upper-case names, labels of at most
40 characters, character variables at most 200 long and ASCII (``oncotrial.formats.ascii``),
numbers as doubles (stored as IBM floating point), ADaM dates as SAS date numbers (days since
1960-01-01) with the DATE9. format, ADaM date-times as SAS date-time numbers (seconds) with
DATETIME20. A missing character value is blank, a missing number is SAS
missing (.). SDTM ``--DTC`` dates stay ISO 8601 text, as SDTMIG requires.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial.errors import FormatError
from oncotrial.formats.ascii import to_ascii
from oncotrial.formats.metadata import DatasetMeta
from oncotrial.formats.sdtm_spec import to_text_frame

__all__ = ["SAS_EPOCH", "sas_date", "sas_datetime", "transport_frame", "write_xpt"]

SAS_EPOCH = date(1960, 1, 1)


def sas_date(text: str) -> float:
    """A complete ISO 8601 date as a SAS date number (days since 1960-01-01)."""
    return float((date.fromisoformat(text) - SAS_EPOCH).days)


def sas_datetime(text: str) -> float:
    """``YYYY-MM-DD[T ]hh:mm[:ss]`` as a SAS date-time number (seconds since 1960-01-01)."""
    moment = datetime.fromisoformat(text.replace(" ", "T"))
    return (moment - datetime(1960, 1, 1)).total_seconds()


def transport_frame(frame: pd.DataFrame, meta: DatasetMeta) -> pd.DataFrame:
    """The values of ``frame`` (exchange frame) as the transport file stores them."""
    frame = to_text_frame(frame)
    out: dict[str, object] = {}
    for variable in meta.variables:
        values = frame[variable.name].tolist()
        if variable.kind == "date":
            out[variable.name] = np.array(
                [sas_date(v) if v else np.nan for v in values], dtype=np.float64
            )
        elif variable.kind == "datetime":
            out[variable.name] = np.array(
                [sas_datetime(v) if v else np.nan for v in values], dtype=np.float64
            )
        elif variable.numeric:
            out[variable.name] = np.array(
                [float(v) if v not in (None, "") else np.nan for v in values], dtype=np.float64
            )
        else:
            out[variable.name] = [to_ascii(v) if v else "" for v in values]
    return pd.DataFrame(out, columns=[v.name for v in meta.variables])


def write_xpt(frame: pd.DataFrame, meta: DatasetMeta, path: Path) -> Path:
    """Write one dataset as an XPT v5 file named by the dataset (``dm.xpt``)."""
    import pyreadstat

    data = transport_frame(frame, meta)
    labels: dict[str, str | None] = {v.name: v.label for v in meta.variables}
    formats = {v.name: v.display_format for v in meta.variables if v.display_format}
    try:
        pyreadstat.write_xport(
            data,
            str(path),
            file_label=meta.label,
            column_labels=labels,
            table_name=meta.name,
            file_format_version=5,
            variable_format=formats,
        )
    except Exception as exc:  # ReadStat reports every writing problem as one error type
        raise FormatError(
            f"cannot write the SAS transport file ({exc})",
            file=str(path),
            record=meta.name,
            hint="Check the folder is writable and has space.",
        ) from exc
    return path
