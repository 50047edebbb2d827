"""Building output columns from masks and row indices (object arrays with ``None`` for missing)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["filled", "frame_of", "lookup", "take", "text_where"]


def filled(n: int, value: object) -> np.ndarray:
    """An object array of ``n`` times ``value`` (``np.full`` is slow for objects)."""
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def text_where(mask: np.ndarray, text: str | np.ndarray, otherwise: object = None) -> np.ndarray:
    """``text`` where ``mask`` holds, ``otherwise`` elsewhere, as an object array."""
    out = filled(len(mask), otherwise)
    selected = np.asarray(mask, dtype=bool)
    if isinstance(text, str):
        out[selected] = text
    else:
        out[selected] = np.asarray(text, dtype=object)[selected]
    return out


def take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]`` as objects, ``None`` where a row index is negative."""
    rows = np.asarray(rows, dtype=np.int64)
    out = filled(len(rows), None)
    valid = rows >= 0
    if len(values):
        out[valid] = np.asarray(values, dtype=object)[rows[valid]]
    return out


def frame_of(columns: dict[str, np.ndarray | str], n: int) -> pd.DataFrame:
    """A frame from arrays and scalars; object arrays stay object (no string inference cost)."""
    data: dict[str, pd.Series | np.ndarray] = {}
    for name, values in columns.items():
        if isinstance(values, str):
            data[name] = pd.Series(filled(n, values), dtype=object, copy=False)
        elif values.dtype == object:
            data[name] = pd.Series(values, dtype=object, copy=False)
        else:
            data[name] = values
    return pd.DataFrame(data, copy=False)


def lookup(
    values: np.ndarray | pd.Series, table: Mapping[str, float], default: float
) -> np.ndarray:
    """Map each value through ``table`` (``default`` when absent) working on distinct values."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    mapped = np.array([table.get(str(u), default) for u in uniques] + [default], dtype=float)
    return np.asarray(mapped[np.where(codes < 0, len(uniques), codes)], dtype=float)
