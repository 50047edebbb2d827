"""What every vectorised evaluator of ``oncotrial.eligibility.batch`` shares: the status codes
and how they combine, the screen's context (reference dates per patient), and the column-wise
helpers (comparisons with tolerance, latest usable row per patient, unit factors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncotrial.eligibility.batch_frames import EPOCH, PatientFrames
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.rules import TOLERANCE, Comparator, Window
from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import DictionaryError, RuleError

Codes = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

NOT_MET, MET, UNKNOWN, INVESTIGATOR = np.int8(0), np.int8(1), np.int8(2), np.int8(3)
STATUS = {
    NOT_MET: Status.NOT_MET,
    MET: Status.MET,
    UNKNOWN: Status.UNKNOWN,
    INVESTIGATOR: Status.INVESTIGATOR,
}
# priority of each code when combining (index = code): all-of and any-of (outcome module)
_ALL_RANK = np.array([3, 0, 2, 1], dtype=np.int8)
_ANY_RANK = np.array([0, 3, 2, 1], dtype=np.int8)
_ALL_CODE = np.array([MET, INVESTIGATOR, UNKNOWN, NOT_MET], dtype=np.int8)
_ANY_CODE = np.array([NOT_MET, INVESTIGATOR, UNKNOWN, MET], dtype=np.int8)


# ---------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Ctx:
    frames: PatientFrames
    reference: Floats  # day numbers per patient
    as_of: float
    earliest_cache: dict[Window, Floats]

    @property
    def n(self) -> int:
        return self.frames.size

    def end(self, window: Window | None) -> Floats:
        """Per patient, the day ``window`` runs back to and after which its data are not used:
        the as-of date for a window to registration (``rules.Window``), else the reference."""
        if window is not None and window.anchor == "registration":
            return np.full(self.n, self.as_of, dtype=np.float64)
        return self.reference

    def earliest(self, window: Window) -> Floats:
        if window not in self.earliest_cache:
            self.earliest_cache[window] = _earliest(window, self.end(window))
        return self.earliest_cache[window]


def _earliest(window: Window, reference: Floats) -> Floats:
    if window.unit in ("days", "weeks"):
        return reference - window.value * (7 if window.unit == "weeks" else 1)
    days = pd.to_datetime(pd.Series(reference), unit="D")
    offset = (
        pd.DateOffset(months=window.value)
        if window.unit == "months"
        else pd.DateOffset(years=window.value)
    )
    shifted = days - offset
    return np.asarray((shifted - pd.Timestamp(EPOCH)).dt.days, dtype=np.float64)


def _holds(comparator: Comparator, value: Floats, threshold: Floats | float) -> Bools:
    diff = value - threshold
    tol = TOLERANCE * np.maximum(np.abs(value), np.abs(threshold))
    if comparator is Comparator.GE:
        return np.asarray(diff >= -tol)
    if comparator is Comparator.GT:
        return np.asarray(diff > tol)
    if comparator is Comparator.LE:
        return np.asarray(diff <= tol)
    if comparator is Comparator.LT:
        return np.asarray(diff < -tol)
    return np.asarray(np.abs(diff) <= tol)


def _codes(n: int, value: np.int8) -> Codes:
    return np.full(n, value, dtype=np.int8)


def _decided(ok: Bools, known: Bools) -> Codes:
    out = np.where(ok, MET, NOT_MET).astype(np.int8)
    out[~known] = UNKNOWN
    return out


def _combine_all(parts: Sequence[Codes], n: int) -> Codes:
    if not parts:
        return _codes(n, MET)
    rank = np.max(np.stack([_ALL_RANK[p] for p in parts]), axis=0)
    return np.asarray(_ALL_CODE[rank], dtype=np.int8)


def _combine_any(parts: Sequence[Codes], n: int) -> Codes:
    if not parts:
        return _codes(n, NOT_MET)
    rank = np.max(np.stack([_ANY_RANK[p] for p in parts]), axis=0)
    return np.asarray(_ANY_CODE[rank], dtype=np.int8)


def _latest(frame: pd.DataFrame, order: Sequence[str] = ("date", "order")) -> pd.DataFrame:
    """One row per patient: the latest (by date, then by order in the record)."""
    if frame.empty:
        return frame
    ordered = frame.sort_values(["patient", *order], kind="stable")
    return pd.DataFrame(ordered.drop_duplicates("patient", keep="last"))


def _per_patient(n: int, index: Any, values: Any, fill: float = np.nan) -> Floats:
    out = np.full(n, fill, dtype=np.float64)
    out[np.asarray(index, dtype=np.int64)] = np.asarray(values, dtype=np.float64)
    return out


def _usable(
    ctx: _Ctx, frame: pd.DataFrame, window: Window | None, column: str = "date"
) -> pd.DataFrame:
    patient = frame["patient"].to_numpy()
    dates = frame[column].to_numpy(dtype=np.float64)
    keep = dates <= ctx.end(window)[patient]
    if window is not None:
        keep &= dates >= ctx.earliest(window)[patient]
    return pd.DataFrame(frame[keep])


def _pick(ctx: _Ctx, analyte: str, window: Window | None) -> pd.DataFrame:
    obs = ctx.frames.observations
    return _latest(_usable(ctx, obs[obs["analyte"] == analyte], window))


def _factors(units: pd.Series, target: str, molar_mass: float | None) -> Floats:
    """Each row's factor to ``target``; NaN for a unit that does not convert (a warehouse's
    "furlongs"), so that the value is unknown rather than an error for the whole population."""
    table = {u: _factor(str(u), target, molar_mass) for u in units.dropna().unique()}
    return np.asarray(units.map(table), dtype=np.float64)


def _factor(unit: str, target: str, molar_mass: float | None) -> float:
    try:
        return conversion_factor(unit, target, molar_mass)
    except (DictionaryError, RuleError):
        return float("nan")


def _flags(n: int, patients: Any) -> Bools:
    out = np.zeros(n, dtype=bool)
    out[np.asarray(patients, dtype=np.int64)] = True
    return out


_STATUS_CODE = {Status.MET: MET, Status.NOT_MET: NOT_MET, Status.UNKNOWN: UNKNOWN}


def decide_records(
    f: pd.DataFrame,
    key: list[str],
    decide: Callable[[Any], Status],
    out: Codes,
    *,
    every: bool,
) -> None:
    """Each distinct record of ``f`` (by its ``key`` columns) decided once by ``decide`` — the
    per-patient path's own function, so both paths agree by construction — then each patient's
    records combined into ``out``: all must hold (``every``, Kleene AND) or any may (OR).
    Patients without a record keep the code ``out`` holds for them."""
    if not len(f):
        return
    distinct = f[key].drop_duplicates()
    codes = [_STATUS_CODE[decide(row)] for row in distinct.itertuples(index=False)]
    decided = distinct.assign(code=np.array(codes, dtype=np.int8))
    merged = f[["patient", *key]].merge(decided, on=key, how="left")
    ranks, combined = (_ALL_RANK, _ALL_CODE) if every else (_ANY_RANK, _ANY_CODE)
    rank = ranks[merged["code"].to_numpy(dtype=np.int8)]
    top = pd.Series(rank).groupby(merged["patient"].to_numpy(dtype=np.int64)).max()
    out[top.index.to_numpy()] = combined[top.to_numpy()]
