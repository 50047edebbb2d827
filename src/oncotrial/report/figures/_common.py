"""Helpers shared by the figure modules: input checks, text measuring and wrapping."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from oncotrial.errors import ValueProblem
from oncotrial.report.figures.style import FONT_FAMILY

__all__ = [
    "check_nondecreasing",
    "check_same_length",
    "float_tuple",
    "optional_float",
    "show_no_data",
    "text_width_in",
    "truncate",
    "wrap_text",
]


def float_tuple(
    values: Iterable[Any] | None, *, what: str, record: str | None = None
) -> tuple[float, ...]:
    """``values`` as a tuple of floats (numpy arrays, lists, pandas series all accepted)."""
    if values is None:
        return ()
    try:
        return tuple(float(v) for v in values)
    except (TypeError, ValueError) as exc:
        raise ValueProblem(f"{what} must be numbers: {exc}", record=record, field=what) from exc


def optional_float(value: Any, *, what: str, record: str | None = None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueProblem(
            f"{what} must be a number or None: {exc}", record=record, field=what
        ) from exc
    return None if math.isnan(number) else number


def check_same_length(record: str, **columns: Sequence[Any]) -> None:
    lengths = {name: len(values) for name, values in columns.items() if values}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueProblem(
            f"{record}: the value sequences differ in length ({shown})",
            record=record,
            hint="Give one value per time point in each sequence.",
        )


def check_nondecreasing(values: Sequence[float], *, what: str, record: str) -> None:
    for before, after in itertools.pairwise(values):
        if after < before:
            raise ValueProblem(
                f"{record}: {what} must not decrease ({before:g} is followed by {after:g})",
                record=record,
                field=what,
            )


def show_no_data(ax: Axes, message: str) -> None:
    """Write ``message`` in the middle of an empty panel (degenerate input never crashes)."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=9,
        color="#444444",
        bbox={"facecolor": "white", "edgecolor": "#BBBBBB", "linewidth": 0.5, "pad": 6},
        zorder=10,
    )


@lru_cache(maxsize=4096)
def _width_pt(text: str, size: float, weight: str) -> float:
    props = FontProperties(family=FONT_FAMILY, size=size, weight=weight)
    width, _, _ = text_to_path.get_text_width_height_descent(text, props, ismath=False)
    return float(width)


def text_width_in(text: str, size: float, weight: str = "normal") -> float:
    """The printed width of ``text`` in inches, measured with the figure font."""
    return _width_pt(text, size, weight) / 72.0


def wrap_text(text: str, width_in: float, size: float, weight: str = "normal") -> list[str]:
    """Greedy word wrap to ``width_in`` inches; a word longer than a line is split by characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_width_in(candidate, size, weight) <= width_in:
                line = candidate
                continue
            if line:
                lines.append(line)
            while text_width_in(word, size, weight) > width_in and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and text_width_in(word[:cut], size, weight) > width_in:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def truncate(text: str, width_in: float, size: float, weight: str = "normal") -> str:
    """``text`` shortened with an ellipsis to fit ``width_in`` inches."""
    if text_width_in(text, size, weight) <= width_in:
        return text
    while text and text_width_in(text + "…", size, weight) > width_in:
        text = text[:-1]
    return text.rstrip() + "…"
