"""Choosing whose reads count when several assessors read the same subject.

SDTM marks the read that counts with ``--ACPTFL = Y`` (after adjudication between independent
radiologists, possibly a different reader at each visit). By default that accepted read is used;
a user may instead name an assessor (``INVESTIGATOR``, ``RADIOLOGIST 1``), matched against
``--EVAL`` or ``--EVALID``. Data from one assessor only needs no choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncotrial.errors import RuleError

__all__ = ["AssessorChoice", "select_assessor"]


@dataclass(frozen=True)
class AssessorChoice:
    """The records kept and how the assessor is named in parameter labels (e.g. 'Investigator')."""

    frame: pd.DataFrame
    label: str


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str).str.strip()


def _names(frame: pd.DataFrame) -> pd.Series:
    evalid = _text(frame, "EVALID")
    return evalid.where(evalid != "", _text(frame, "EVAL"))


def select_assessor(frame: pd.DataFrame, evaluator: str | None, *, what: str) -> AssessorChoice:
    """Keep the records of the chosen assessor (``None``: the accepted records)."""
    if not any(column in frame.columns for column in ("EVAL", "EVALID", "ACPTFL")):
        if evaluator is not None:
            raise RuleError(
                f"the {what} records name no assessor (no EVAL/EVALID column), so assessor "
                f"{evaluator!r} cannot be chosen",
                field="EVAL",
                hint="Leave --evaluator out for single-assessor data.",
            )
        return AssessorChoice(frame, "Investigator")
    names = _names(frame)
    available = sorted({n for n in names.unique() if n})
    if evaluator is not None:
        wanted = evaluator.strip().upper()
        match = (_text(frame, "EVAL").str.upper() == wanted) | (
            _text(frame, "EVALID").str.upper() == wanted
        )
        if not match.any() and len(frame):
            raise RuleError(
                f"no {what} records from assessor {evaluator!r}; the data has "
                f"{', '.join(available) or 'no named assessor'}",
                field="EVAL",
                hint="Choose one of those with --evaluator, or leave it out to use the accepted "
                "records (ACPTFL = Y).",
            )
        return AssessorChoice(frame.loc[match.to_numpy()], evaluator.strip().title())
    accepted = _text(frame, "ACPTFL").str.upper() == "Y"
    if accepted.any():
        return AssessorChoice(frame.loc[accepted.to_numpy()], "Accepted Assessor")
    if len(available) > 1:
        raise RuleError(
            f"the {what} records come from several assessors ({', '.join(available)}) and none "
            "is marked accepted (ACPTFL = Y)",
            field="EVAL",
            hint="Name the assessor whose reads count with --evaluator.",
        )
    label = available[0].title() if available else "Investigator"
    return AssessorChoice(frame, label)
