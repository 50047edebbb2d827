"""The prescreening funnel as a figure: persons left after each criterion, with the statuses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oncotrial.report.figures.style import figure_style, new_figure

__all__ = ["draw_funnel"]

_COLOURS = {"met": "#2e7d32", "investigator": "#0277bd", "unknown": "#f9a825"}


def draw_funnel(steps: pd.DataFrame, path: Path, *, title: str) -> None:
    """A horizontal bar per step: the persons left, split into the statuses that kept them."""
    rows = steps.iloc[::-1].reset_index(drop=True)
    with figure_style():
        figure = new_figure(8.0, 0.32 * len(rows) + 1.2)
        axes = figure.add_subplot(1, 1, 1)
        y = range(len(rows))
        axes.barh(y, rows["left"], color="#cfd8dc", label="left")
        for label, colour in _COLOURS.items():
            if label in rows:
                axes.barh(y, rows[label], height=0.35, color=colour, label=label)
        axes.set_yticks(list(y), rows["step"].tolist(), fontsize=7)
        axes.set_xlabel("persons")
        axes.set_title(title, fontsize=9)
        axes.legend(fontsize=7, loc="lower right")
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=120)
