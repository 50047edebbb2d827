"""Per-subject, per-record problems found while deriving responses.

Bad records do not stop a derivation: each one is reported with where it came from (source file
and record), what is wrong and what the engine did about it (``ACTION``), and the rest of the
trial is still derived. Problems are collected as small frames so that millions of rows can be
checked with vectorised masks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from oncotrial.errors import Problem

__all__ = ["PROBLEM_COLUMNS", "Action", "ProblemLog", "as_problems"]

PROBLEM_COLUMNS: Final = (
    "USUBJID",
    "SOURCE",
    "RECORD",
    "FIELD",
    "VALUE",
    "PROBLEM",
    "ACTION",
    "RULE",
)


class Action:
    """What the engine did with a problem record."""

    RECORD_EXCLUDED: Final = "record excluded"
    SUBJECT_EXCLUDED: Final = "subject excluded"
    NOT_ASSESSED: Final = "record excluded; the lesion counts as not assessed at this assessment"
    MERGED: Final = "identical duplicate merged"
    FLAGGED: Final = "kept, flagged for review"


class ProblemLog:
    """Collects problems; ``frame()`` returns them in the order found."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(
        self,
        rows: pd.DataFrame,
        mask: np.ndarray | pd.Series | None,
        *,
        problem: str | np.ndarray | pd.Series,
        action: str,
        field: str | None = None,
        value: pd.Series | np.ndarray | None = None,
        rule: str | None = None,
    ) -> None:
        """Report the rows of ``rows`` selected by ``mask`` (all if None).

        ``rows`` must have USUBJID and may have SOURCE and RECORD columns.
        """
        selector = np.ones(len(rows), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        if not selector.any():
            return
        wanted = [name for name in ("USUBJID", "SOURCE", "RECORD") if name in rows.columns]
        picked = rows.loc[selector, wanted]

        def _column(name: str) -> pd.Series:
            if name not in picked.columns:
                return pd.Series([None] * len(picked), dtype=object)
            values = picked[name].astype(object).reset_index(drop=True)
            if name == "RECORD":  # a bare number is a line of a CSV file
                values = values.map(lambda v: f"line {v}" if isinstance(v, int | np.integer) else v)
            return values.where(values.notna(), None)

        rows_at = np.flatnonzero(selector)

        def _pick(data: str | np.ndarray | pd.Series | None) -> object:
            if data is None or isinstance(data, str):
                return data
            if isinstance(data, pd.Series):
                return data.iloc[rows_at].to_numpy(dtype=object)
            return np.asarray(data)[rows_at].astype(object)

        values = _pick(value)
        part = pd.DataFrame(
            {
                "USUBJID": _column("USUBJID"),
                "SOURCE": _column("SOURCE"),
                "RECORD": _column("RECORD"),
                "FIELD": field,
                "VALUE": (
                    None
                    if values is None
                    else pd.Series(values, dtype=object).map(_text).reset_index(drop=True)
                ),
                "PROBLEM": _pick(problem),
                "ACTION": action,
                "RULE": rule,
            },
            columns=list(PROBLEM_COLUMNS),
        )
        self._parts.append(part)

    def add_subjects(
        self,
        subjects: Sequence[str] | np.ndarray,
        *,
        problem: str | Sequence[str],
        action: str,
        source: str | None = None,
        rule: str | None = None,
    ) -> None:
        """Report problems about whole subjects."""
        if len(subjects) == 0:
            return
        self._parts.append(
            pd.DataFrame(
                {
                    "USUBJID": list(subjects),
                    "SOURCE": source,
                    "RECORD": None,
                    "FIELD": None,
                    "VALUE": None,
                    "PROBLEM": problem if isinstance(problem, str) else list(problem),
                    "ACTION": action,
                    "RULE": rule,
                },
                columns=list(PROBLEM_COLUMNS),
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in PROBLEM_COLUMNS})
        return pd.concat(self._parts, ignore_index=True).astype(object)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def as_problems(frame: pd.DataFrame) -> list[Problem]:
    """The rows of a problem frame as :class:`oncotrial.errors.Problem` objects."""
    out = []
    for row in frame.itertuples(index=False):
        record = ", ".join(
            str(part) for part in (f"subject {row.USUBJID}", row.RECORD) if _text(part) is not None
        )
        out.append(
            Problem(
                message=f"{row.PROBLEM} — {row.ACTION}",
                file=_text(row.SOURCE),
                record=record or None,
                field=_text(row.FIELD),
                value=_text(row.VALUE),
            )
        )
    return out
