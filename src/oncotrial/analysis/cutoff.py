"""The data as known at a data cut-off: SDTM records dated after it are left out.

A report is always "as of" a cut-off date. ``apply_cutoff(frames, cutoff)`` returns new frames
holding what could have been recorded by that date (ICH E3 §11.4: analyses state the cut-off of
the data they use); ``latest_date(frames)`` is the default cut-off when none is given — the last
date anything was recorded. The rules, per variable (docs/trial-report.md, "Data cut-off"):

- subjects consented after the cut-off (``DM.RFICDTC``) are left out of every domain;
- a record whose own date (``--DTC``, or ``--STDTC`` for events, interventions and dispositions)
  is after the cut-off is left out;
- an end date after the cut-off (``AEENDTC``, ``CMENDTC``) is cleared, with ``AEOUT``: the event
  was ongoing at the cut-off and its outcome not yet known; an administration or procedure
  running over the cut-off (``EXENDTC``, ``PRENDTC``) ends at the cut-off;
- DM: a death after the cut-off (``DTHDTC``, ``DTHFL``) and first/last dose dates after it are
  cleared; the end of participation (``RFPENDTC``) is capped at the cut-off.

Dates are compared as ISO 8601 text on their first ten characters, so a partial date (``2024-05``)
is kept when its month is not after the cut-off's — the record may predate the cut-off, and
leaving it out would lose it silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from oncotrial.errors import InputError

__all__ = ["apply_cutoff", "latest_date"]

#: Domain -> the variable that dates a record (records after the cut-off are left out).
_RECORD_DATE = {
    "DS": "DSSTDTC",
    "EX": "EXSTDTC",
    "PR": "PRSTDTC",
    "AE": "AESTDTC",
    "CM": "CMSTDTC",
    "MH": "MHSTDTC",
}
#: Domain -> end dates cleared when after the cut-off (and variables cleared with them).
_CLEARED_END = {"AE": ("AEENDTC", ("AEOUT",)), "CM": ("CMENDTC", ())}
#: Domain -> end dates capped at the cut-off.
_CAPPED_END = {"EX": "EXENDTC", "PR": "PRENDTC"}


def _day(values: pd.Series) -> pd.Series:
    """The comparable date text of each value ('' when missing)."""
    return values.astype(object).where(values.notna(), "").astype(str).str.slice(0, 10)


def _after(values: pd.Series, limit: str) -> pd.Series:
    text = _day(values)
    # Compare on as many characters as the value has: "2024-06" is after "2024-05-31", while
    # "2024-05" is not after "2024-05-15" (it may be earlier in the month).
    return pd.Series(
        [bool(t) and t > limit[: len(t)] for t in text], index=values.index, dtype=bool
    )


def _record_date(domain: str, frame: pd.DataFrame) -> str | None:
    if domain == "DM":  # a subject is kept or left out by consent date, never by DMDTC
        return None
    column = _RECORD_DATE.get(domain, f"{domain}DTC")
    return column if column in frame.columns else None


def latest_date(frames: Mapping[str, pd.DataFrame]) -> date | None:
    """The latest complete date in any ``--DTC`` variable of the frames (None when none)."""
    latest: str | None = None
    for frame in frames.values():
        for column in frame.columns:
            if not str(column).endswith("DTC"):
                continue
            text = _day(frame[column])
            complete = text[text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")]
            if len(complete):
                top = complete.max()
                latest = top if latest is None or top > latest else latest
    return date.fromisoformat(latest) if latest else None


def apply_cutoff(frames: Mapping[str, pd.DataFrame], cutoff: date) -> dict[str, pd.DataFrame]:
    """New frames holding only what was known on ``cutoff`` (see the module docstring)."""
    limit = cutoff.isoformat()
    dm = frames.get("DM")
    late_subjects: set[str] = set()
    if dm is not None and "RFICDTC" in dm.columns:
        late_subjects = set(dm.loc[_after(dm["RFICDTC"], limit), "USUBJID"].astype(str))
        if len(late_subjects) == len(dm):
            raise InputError(
                f"no subject had consented by the data cut-off {limit}",
                field="cutoff",
                hint="Choose a later cut-off date.",
            )
    out: dict[str, pd.DataFrame] = {}
    for domain, frame in frames.items():
        domain = domain.upper()
        kept = frame
        if late_subjects and "USUBJID" in kept.columns:
            kept = kept[~kept["USUBJID"].astype(str).isin(late_subjects)]
        column = _record_date(domain, kept)
        if column is not None:
            kept = kept[~_after(kept[column], limit)]
        kept = kept.copy()
        if domain in _CLEARED_END and _CLEARED_END[domain][0] in kept.columns:
            end, also = _CLEARED_END[domain]
            late = _after(kept[end], limit)
            for name in (end, *also):
                if name in kept.columns:
                    kept[name] = kept[name].astype(object).where(~late, None)
        if domain in _CAPPED_END and _CAPPED_END[domain] in kept.columns:
            end = _CAPPED_END[domain]
            kept[end] = kept[end].astype(object).where(~_after(kept[end], limit), limit)
        if domain == "DM":
            kept = _cut_demographics(kept, limit)
        out[domain] = kept.reset_index(drop=True)
    return out


def _cut_demographics(dm: pd.DataFrame, limit: str) -> pd.DataFrame:
    if "DTHDTC" in dm.columns:
        late = _after(dm["DTHDTC"], limit)
        for name in ("DTHDTC", "DTHFL"):
            if name in dm.columns:
                dm[name] = dm[name].astype(object).where(~late, None)
    for name in ("RFSTDTC", "RFXSTDTC", "RFENDTC", "RFXENDTC"):
        if name in dm.columns:
            dm[name] = dm[name].astype(object).where(~_after(dm[name], limit), None)
    if "RFPENDTC" in dm.columns:
        dm["RFPENDTC"] = dm["RFPENDTC"].astype(object).where(~_after(dm["RFPENDTC"], limit), limit)
    return dm
