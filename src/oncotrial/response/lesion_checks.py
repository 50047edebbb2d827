"""Checks over lesion records by key (subject, lesion id, date), vectorised for millions of rows.

``prepare_lesions`` (measurements.py) calls these: identical duplicates merged and conflicting
ones not assessed (one record per lesion per date), a lesion id naming two lesions, and the
baseline rule violations that RECIST 1.1 §3.1.1 and §4.2 say to report rather than fix (more
than five targets or two per organ, targets below the measurable size, a baseline older than
the window).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.response import codes as c
from oncotrial.response.dates import NO_DATE
from oncotrial.response.frames import LDIAM, SAXIS
from oncotrial.response.problems import Action, ProblemLog
from oncotrial.response.settings import ResponseSettings

__all__ = [
    "baseline_checks",
    "check_duplicates",
    "column",
    "conflicting_keys",
    "first_per_key",
    "latest_day_per_key",
    "max_per_subject",
]


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def max_per_subject(subj: np.ndarray, day: np.ndarray, n_subjects: int) -> np.ndarray:
    out = np.full(n_subjects, NO_DATE, dtype=np.int64)
    if len(subj) == 0:
        return out
    order = np.lexsort((day, subj))
    s, d = subj[order], day[order]
    last = np.r_[s[1:] != s[:-1], True]
    out[s[last]] = d[last]
    return out


def first_per_key(keys: np.ndarray, mask: np.ndarray, n_keys: int) -> np.ndarray:
    """Mask of the first row (in row order) of each key among the masked rows."""
    out = np.zeros(len(keys), dtype=bool)
    rows = np.flatnonzero(mask)
    if len(rows):
        first = np.full(n_keys, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, keys[rows], rows)
        out[first[first != np.iinfo(np.int64).max]] = True
    return out


def latest_day_per_key(
    keys: np.ndarray, day: np.ndarray, mask: np.ndarray, n_keys: int
) -> np.ndarray:
    """Per key, the latest day among the masked rows (min int64 where none)."""
    out = np.full(n_keys, np.iinfo(np.int64).min, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if len(rows):
        np.maximum.at(out, keys[rows], day[rows])
    return out


def conflicting_keys(
    keys: np.ndarray, role: np.ndarray, is_node: np.ndarray, n_keys: int
) -> np.ndarray:
    """Per key: recorded with more than one (role, node) combination."""
    out = np.zeros(n_keys, dtype=bool)
    if len(keys) == 0:
        return out
    attr = role.astype(np.int64) * 2 + is_node.astype(np.int64)
    lowest = np.full(n_keys, 99, dtype=np.int64)
    highest = np.full(n_keys, -1, dtype=np.int64)
    np.minimum.at(lowest, keys, attr)
    np.maximum.at(highest, keys, attr)
    return np.asarray((highest >= 0) & (lowest != highest), dtype=bool)


def check_duplicates(
    ok: np.ndarray,
    lesion_key: np.ndarray,
    n_codes: int,
    day: np.ndarray,
    role: np.ndarray,
    is_node: np.ndarray,
    value: np.ndarray,
    status: np.ndarray,
    frame: pd.DataFrame,
    log: ProblemLog,
) -> np.ndarray:
    rows = np.flatnonzero(ok)
    if len(rows) == 0:
        return ok
    d0 = int(day[rows].min())
    span = int(day[rows].max()) - d0 + 1
    codes = max(n_codes, 1)
    by_date = (lesion_key[rows] // codes) * span + (day[rows] - d0)  # subject, then date
    steps = np.diff(by_date)
    dup = None
    if len(rows) < 2:
        return ok
    if bool(np.all(steps >= 0)):
        # Records sorted by subject and date (the usual layout): a duplicate can only sit in a
        # run of one subject and date, and counting (run, lesion) pairs needs no hashing.
        run = np.concatenate(([0], np.cumsum(steps > 0)))
        if (int(run[-1]) + 1) * codes <= 8 * len(rows) + 1_000_000:
            pair = run * codes + lesion_key[rows] % codes
            dup = np.bincount(pair)[pair] > 1
    if dup is None:
        pairs = lesion_key[rows].astype(np.int64) * span + (day[rows] - d0)
        pair_codes, pair_uniques = pd.factorize(pairs)
        dup = np.bincount(pair_codes, minlength=len(pair_uniques))[pair_codes] > 1
    if not dup.any():
        return ok
    dup_rows = rows[dup]
    detail = pd.DataFrame(
        {
            "k": lesion_key[dup_rows],
            "d": day[dup_rows],
            "role": role[dup_rows],
            "node": is_node[dup_rows],
            "value": np.where(np.isnan(value[dup_rows]), -1.0, value[dup_rows]),
            "status": status[dup_rows],
            "row": dup_rows,
        }
    )
    distinct = detail.groupby(["k", "d"])[["role", "node", "value", "status"]].nunique()
    conflict = (distinct > 1).any(axis=1)
    detail = detail.join(conflict.rename("conflict"), on=["k", "d"])
    first_in_group = ~detail.duplicated(["k", "d"]).to_numpy()
    conflicting = detail["conflict"].to_numpy()
    merged_rows = detail["row"].to_numpy()[~conflicting & ~first_in_group]
    conflict_rows = detail["row"].to_numpy()[conflicting]
    mask = np.zeros(len(ok), dtype=bool)
    mask[merged_rows] = True
    log.add(
        frame,
        mask,
        problem="the same lesion is recorded again on the same date with identical values",
        action=Action.MERGED,
        field="LESION_ID",
        value=column(frame, "LESION_ID"),
    )
    cmask = np.zeros(len(ok), dtype=bool)
    cmask[conflict_rows] = True
    log.add(
        frame,
        cmask,
        problem="duplicate lesion id: the lesion is recorded more than once on this date with "
        "different values",
        action=Action.NOT_ASSESSED,
        field="LESION_ID",
        value=column(frame, "LESION_ID"),
    )
    return ok & ~mask & ~cmask


def baseline_checks(
    *,
    frame: pd.DataFrame,
    mask: np.ndarray,
    subj: np.ndarray,
    is_node: np.ndarray,
    value: np.ndarray,
    day: np.ndarray,
    ref_day: np.ndarray,
    settings: ResponseSettings,
    log: ProblemLog,
) -> None:
    """Report (and keep) baseline target lesions that break RECIST 1.1 §3.1.1/§4.2."""
    n_subjects = int(subj.max()) + 1 if len(subj) else 0
    log.add(
        frame,
        mask & ~is_node & (value < 10),
        problem="non-nodal target lesion below 10 mm at baseline (not measurable by RECIST 1.1)",
        action=Action.FLAGGED,
        field=LDIAM,
        value=value,
        rule="BL-LD10",
    )
    log.add(
        frame,
        mask & is_node & (value < 15),
        problem="nodal target lesion below 15 mm short axis at baseline (not pathological by "
        "RECIST 1.1)",
        action=Action.FLAGGED,
        field=SAXIS,
        value=value,
        rule="BL-SA15",
    )
    log.add(
        frame,
        first_per_key(subj, mask & (day < ref_day - settings.baseline_max_days), n_subjects),
        problem=f"baseline measurement more than {settings.baseline_max_days} days before the "
        "reference date",
        action=Action.FLAGGED,
        field="DTC",
        value=column(frame, "DTC"),
        rule="BL-AGE",
    )
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return
    counts = np.bincount(subj[rows], minlength=n_subjects)
    log.add(
        frame,
        first_per_key(subj, mask & (counts[subj] > 5), n_subjects),
        problem="more than 5 target lesions at baseline (RECIST 1.1 §4.2 allows 5)",
        action=Action.FLAGGED,
        field="LESION_ID",
        rule="BL-MAX5",
    )
    if "ORGAN" not in frame.columns:
        return
    raw_code, raw_uniques = pd.factorize(frame["ORGAN"].to_numpy(dtype=object)[rows])
    # Organ names compared case- and space-insensitively; a missing organ is not counted.
    names = [c.normalise_word(str(u)) for u in raw_uniques]
    organ_code = pd.factorize(np.array([*names, ""], dtype=object)[raw_code])[0]
    organ_text = pd.Series(np.array([*names, ""], dtype=object)[raw_code], dtype=object)
    pair = subj[rows] * (int(organ_code.max()) + 2) + organ_code
    _, inverse, count = np.unique(pair, return_inverse=True, return_counts=True)
    crowded_rows = rows[(count[inverse] > 2) & (organ_text != "").to_numpy()]
    crowded = np.zeros(len(mask), dtype=bool)
    crowded[crowded_rows] = True
    log.add(
        frame,
        first_per_key(subj, crowded, n_subjects),
        problem="more than 2 target lesions in one organ at baseline (RECIST 1.1 §4.2 allows 2)",
        action=Action.FLAGGED,
        field="ORGAN",
        value=frame["ORGAN"],
        rule="BL-MAX2",
    )
