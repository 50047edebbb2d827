"""Building output columns from masks and row indices (object arrays with ``None`` for missing)."""

from __future__ import annotations

import numpy as np

__all__ = ["take", "text_where"]


def text_where(mask: np.ndarray, text: str | np.ndarray, otherwise: object = None) -> np.ndarray:
    """``text`` where ``mask`` holds, ``otherwise`` elsewhere, as an object array."""
    out = np.full(len(mask), otherwise, dtype=object)
    selected = np.asarray(mask, dtype=bool)
    if isinstance(text, str):
        out[selected] = text
    else:
        out[selected] = np.asarray(text, dtype=object)[selected]
    return out


def take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]`` as objects, ``None`` where a row index is negative."""
    rows = np.asarray(rows, dtype=np.int64)
    out = np.full(len(rows), None, dtype=object)
    valid = rows >= 0
    if len(values):
        out[valid] = np.asarray(values, dtype=object)[rows[valid]]
    return out
