"""Builders for small response-engine inputs: subjects, lesion records, timepoint responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

REF = date(2020, 1, 1)


def day(offset: int) -> str:
    """ISO date ``offset`` days after the reference date."""
    return (REF + timedelta(days=offset)).isoformat()


def subjects(*ids: str, ref: date = REF) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "STUDYID": "TEST",
            "USUBJID": list(ids),
            "RANDDT": pd.to_datetime([ref] * len(ids)),
            "TRTSDT": pd.to_datetime([ref] * len(ids)),
        }
    )


def timepoints(sequence: list[tuple[int, str]], subject: str = "S1") -> pd.DataFrame:
    """Recorded timepoint responses: (days after the reference date, response)."""
    return pd.DataFrame(
        {
            "USUBJID": subject,
            "DTC": [day(d) for d, _ in sequence],
            "RESPONSE": [r for _, r in sequence],
        }
    )


@dataclass(frozen=True)
class L:
    """One lesion record for the builders (diameter in mm; node diameters are short axes)."""

    offset: int
    lesion: str
    role: str = "TARGET"
    diameter: float | None = None
    status: str | None = None
    node: bool = False
    organ: str | None = None
    subject: str = "S1"


def lesions(*records: L) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": [r.subject for r in records],
            "DTC": [day(r.offset) for r in records],
            "LESION_ID": [r.lesion for r in records],
            "ROLE": [r.role for r in records],
            "IS_NODE": ["Y" if r.node else "N" for r in records],
            "ORGAN": [
                r.organ or ("LYMPH NODE" if r.node else f"ORGAN-{r.lesion}") for r in records
            ],
            "DIAMETER": [None if r.diameter is None else str(r.diameter) for r in records],
            "STATUS": [r.status for r in records],
            "SOURCE": "test",
            "RECORD": [f"row {i + 1}" for i in range(len(records))],
        }
    )


def targets(
    offset: int, *sizes: float, subject: str = "S1", nodes: tuple[int, ...] = ()
) -> list[L]:
    """Target lesions T1..Tn measured on one date (indices in ``nodes`` are lymph nodes)."""
    return [
        L(offset, f"T{i + 1}", "TARGET", size, node=i in nodes, subject=subject)
        for i, size in enumerate(sizes)
    ]


def param(adrs: pd.DataFrame, paramcd: str, subject: str = "S1") -> pd.Series:
    rows = adrs[(adrs["PARAMCD"] == paramcd) & (adrs["USUBJID"] == subject)]
    assert len(rows) == 1, f"{paramcd} for {subject}: {len(rows)} rows"
    return rows.iloc[0]


def offset_of(value: object) -> int | None:
    if value is None or pd.isna(value):
        return None
    return (pd.Timestamp(value).date() - REF).days
