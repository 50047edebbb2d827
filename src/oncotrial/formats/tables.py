"""Reading analysis tables (one row per subject) from CSV for the statistics commands.

``read_survival_table`` reads a time / event / group CSV such as the R oracle files: time any
non-negative number (days, months), event 1 = event and 0 = censored, optional group and
stratum labels. Every bad cell is reported with its file, CSV line (the header is line 1) and
column; nothing is guessed (an empty time is an error, not a censoring). ``extra`` columns
(covariates, a subgroup variable) come back as text with None where the cell is empty: whether
they are numbers or categories, and what a missing value means, is the analysis' decision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from oncotrial.errors import Problem, SchemaError, ValueProblem
from oncotrial.formats.sdtm import read_table_csv

__all__ = ["SurvivalTable", "read_survival_table"]

_LISTED = 20


@dataclass(frozen=True)
class SurvivalTable:
    """Checked columns of a survival CSV; ``lines`` are the CSV line numbers of the rows."""

    source: str
    time: npt.NDArray[np.float64]
    event: npt.NDArray[np.int64]
    group: tuple[str, ...] | None
    strata: tuple[str, ...] | None
    lines: tuple[int, ...]
    extra: dict[str, tuple[str | None, ...]] = field(default_factory=dict)


def read_survival_table(
    path: Path,
    *,
    time: str,
    event: str,
    group: str | None = None,
    strata: str | None = None,
    extra: tuple[str, ...] = (),
) -> SurvivalTable:
    """Read and check the named columns of a survival CSV (see the module docstring)."""
    wanted = [c for c in (time, event, group, strata, *extra) if c]
    frame = read_table_csv(path)
    source = str(path)
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"no column {', '.join(repr(c) for c in missing)}; the columns are "
            f"{', '.join(frame.columns)}",
            file=source,
            field=missing[0],
            hint="Name the columns (--time, --event, --group, …) as they appear in the header.",
        )
    if frame.empty:
        raise SchemaError(
            "the file has a header but no rows", file=source, hint="Add one row per subject."
        )
    problems: list[Problem] = []
    times = np.empty(len(frame))
    events = np.empty(len(frame), dtype=np.int64)
    lines = tuple(range(2, len(frame) + 2))
    for index, (line, raw_time, raw_event) in enumerate(
        zip(lines, frame[time], frame[event], strict=True)
    ):
        where = f"line {line}"
        value = _number(raw_time)
        if value is None:
            reason = "missing time" if _missing(raw_time) else "time is not a number"
            problems.append(Problem(reason, source, where, time, _shown(raw_time)))
        elif not math.isfinite(value) or value < 0:
            problems.append(
                Problem("time must be finite and ≥ 0", source, where, time, _shown(raw_time))
            )
        else:
            times[index] = value
        code = _number(raw_event)
        if code not in (0.0, 1.0):
            reason = (
                "missing event code"
                if _missing(raw_event)
                else "event code must be 0 (censored) or 1 (event)"
            )
            problems.append(Problem(reason, source, where, event, _shown(raw_event)))
        else:
            events[index] = int(code)
    labels: dict[str, tuple[str, ...] | None] = {"group": None, "strata": None}
    for key, column in (("group", group), ("strata", strata)):
        if not column:
            continue
        values = []
        for line, raw in zip(lines, frame[column], strict=True):
            if _missing(raw):
                problems.append(Problem(f"missing {key} label", source, f"line {line}", column))
            values.append("" if _missing(raw) else str(raw).strip())
        labels[key] = tuple(values)
    if problems:
        first = problems[0]
        count = f"; {len(problems)} problems in all" if len(problems) > 1 else ""
        raise ValueProblem(
            f"{first.message} (value {first.value!r}){count}"
            if first.value is not None
            else f"{first.message}{count}",
            file=source,
            record=first.record,
            field=first.field,
            hint="Correct the file and run again; nothing was computed.",
            problems=problems[:_LISTED] if len(problems) > 1 else (),
        )
    return SurvivalTable(
        source=source,
        time=times,
        event=events,
        group=labels["group"],
        strata=labels["strata"],
        lines=lines,
        extra={
            column: tuple(None if _missing(raw) else str(raw).strip() for raw in frame[column])
            for column in extra
        },
    )


def _missing(raw: object) -> bool:
    return raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == ""


def _number(raw: object) -> float | None:
    if _missing(raw):
        return None
    try:
        return float(str(raw).strip())
    except ValueError:
        return None


def _shown(raw: object) -> str | None:
    return None if _missing(raw) else str(raw)
