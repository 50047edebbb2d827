"""The prescreening funnel as a figure: persons left after each criterion, with the statuses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oncotrial.report.figures.style import figure_style, new_figure

__all__ = ["draw_funnel"]

_COLOURS = {"met": "#2e7d32", "investigator": "#0277bd", "unknown": "#f9a825"}


def draw_funnel(steps: pd.DataFrame, path: Path, *, title: str) -> None:
    """A bar per step: the persons left after it (grey), and the statuses of the persons who
    reached it (met, investigator, unknown, stacked; not met is the rest)."""
    rows = steps.iloc[::-1].reset_index(drop=True)
    with figure_style():
        figure = new_figure(8.0, 0.32 * len(rows) + 1.2)
        axes = figure.add_subplot(1, 1, 1)
        y = range(len(rows))
        axes.barh(y, rows["left"], color="#cfd8dc", label="left after the step")
        start = pd.Series(0.0, index=rows.index)
        for label, colour in _COLOURS.items():
            if label in rows:
                # statuses of the persons reaching the step, stacked
                axes.barh(y, rows[label], left=start, height=0.35, color=colour, label=label)
                start = start + rows[label]
        axes.set_yticks(list(y), rows["step"].tolist(), fontsize=7)
        axes.set_xlabel("persons")
        axes.set_title(title, fontsize=9)
        axes.legend(fontsize=7, loc="lower right")
        if "unverified concepts" in rows:
            flagged = [
                str(c)
                for c, k in zip(rows["criterion"], rows["unverified concepts"], strict=True)
                if k
            ]
            if flagged:
                # provenance on the figure itself: these steps rest on unchecked concept ids
                figure.text(
                    0.01,
                    0.005,
                    "unverified OMOP concept ids under: " + ", ".join(reversed(flagged)),
                    fontsize=6,
                )
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=120)
