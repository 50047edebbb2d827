"""Forest plot of hazard ratios by subgroup, on a log scale, with the overall estimate.

Rows are drawn top to bottom in the order given: group headings (``header=True``, e.g. "Age"),
subgroups under them, and the overall row (a diamond spanning its CI). Each row shows its label,
n (and events when given), the estimate as a square sized by n with its CI, and the estimate as
text. A row without an estimate shows its ``note`` ("not estimable: no events") instead of a
point, so that no subgroup silently disappears. Estimates come from the Cox engine; the plot
only draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.ticker import FixedLocator, NullLocator
from matplotlib.transforms import Transform, blended_transform_factory

from oncotrial.errors import ValueProblem
from oncotrial.report.figures._common import optional_float, show_no_data, truncate
from oncotrial.report.figures.style import TEXT_WIDTH_IN, figure_style, new_figure

__all__ = ["ForestPlot", "ForestRow", "plot_forest"]


@dataclass(frozen=True)
class ForestRow:
    """One line of the forest plot.

    ``estimate``/``lower``/``upper``: the HR and its CI (``None`` when not estimable, with a
    ``note`` saying why). ``n``: patients in the subgroup; ``events``: optional. ``header``: a
    group heading with no estimate; ``overall``: the all-patients row, drawn as a diamond.
    ``level`` indents the label (subgroups under a heading use 1).
    """

    label: str
    n: int | None = None
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    events: int | None = None
    note: str | None = None
    header: bool = False
    overall: bool = False
    level: int = 0

    def __post_init__(self) -> None:
        record = f"forest row {self.label!r}"
        values = {}
        for name in ("estimate", "lower", "upper"):
            value = optional_float(getattr(self, name), what=name, record=record)
            if value is not None and not (value > 0 and math.isfinite(value)):
                # A ratio's CI can reach 0 or infinity when a group has no events; such a row
                # belongs in the plot as "not estimable" with a note, not as a point.
                value = None
            values[name] = value
            object.__setattr__(self, name, value)
        est, lo, hi = values["estimate"], values["lower"], values["upper"]
        if (
            est is not None
            and lo is not None
            and hi is not None
            and not lo * (1 - 1e-9) <= est <= hi * (1 + 1e-9)
        ):
            raise ValueProblem(
                f"{record}: the estimate {est:g} lies outside its CI {lo:g}–{hi:g}",
                record=self.label,
                field="estimate",
            )


@dataclass(frozen=True)
class ForestPlot:
    """What :func:`plot_forest` draws.

    ``favours``: texts under the axis, left and right of the reference line (e.g.
    ``("Favours radiotherapy", "Favours no radiotherapy")``). ``estimate_label`` heads the
    text column ("HR (95% CI)").
    """

    rows: Sequence[ForestRow]
    favours: tuple[str, str] | None = None
    estimate_label: str = "HR (95% CI)"
    x_label: str = "Hazard ratio (log scale)"
    reference: float = 1.0
    title: str | None = None
    width_in: float = TEXT_WIDTH_IN

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))


def _estimate_text(row: ForestRow) -> str:
    if row.header:
        return ""
    if row.estimate is None:
        return row.note or "not estimable"
    if row.lower is None or row.upper is None:
        return f"{row.estimate:.2f}"
    return f"{row.estimate:.2f} ({row.lower:.2f}–{row.upper:.2f})"


def _n_text(row: ForestRow) -> str:
    if row.n is None:
        return ""
    return f"{row.n}" if row.events is None else f"{row.events}/{row.n}"


def _draw_row(
    ax: Axes, text: Transform, plot: ForestPlot, row: ForestRow, y: int, max_n: int
) -> None:
    """One row: its label and n at the left, its estimate at the right, and between them the
    interval with the estimate (a square sized by n; the overall row a diamond)."""
    weight = "bold" if (row.header or row.overall) else "normal"
    label = truncate("    " * row.level + row.label, 0.32 * plot.width_in, 8, weight)
    ax.text(
        0.01,
        y,
        label,
        transform=text,
        ha="left",
        va="center",
        fontsize=8,
        fontweight=weight,
        clip_on=False,
    )
    ax.text(
        0.395,
        y,
        _n_text(row),
        transform=text,
        ha="right",
        va="center",
        fontsize=8,
        clip_on=False,
    )
    ax.text(
        0.99,
        y,
        _estimate_text(row),
        transform=text,
        ha="right",
        va="center",
        fontsize=8,
        fontweight="bold" if row.overall else "normal",
        color="#000000" if row.estimate is not None or row.header else "#555555",
        clip_on=False,
    )
    if row.estimate is None:
        return
    if row.lower is not None and row.upper is not None:
        if row.overall:
            ax.add_patch(
                Polygon(
                    [
                        (row.lower, y),
                        (row.estimate, y - 0.32),
                        (row.upper, y),
                        (row.estimate, y + 0.32),
                    ],
                    closed=True,
                    facecolor="#000000",
                    edgecolor="#000000",
                    zorder=3,
                )
            )
            return
        ax.plot([row.lower, row.upper], [y, y], color="#000000", linewidth=1.0, zorder=2)
    size = 3.5 + 4.5 * math.sqrt((row.n or 0) / max_n)
    ax.plot(
        row.estimate,
        y,
        marker="s" if not row.overall else "D",
        markersize=size,
        color="#000000",
        linestyle="none",
        zorder=3,
    )


def _log_axis(
    ax: Axes, rows: list[ForestRow], estimates: list[ForestRow], plot: ForestPlot
) -> None:
    """The x range and ticks of the log axis: the estimates' intervals and the reference."""
    if estimates:
        lows = [float(r.lower or r.estimate or 1.0) for r in estimates]
        highs = [float(r.upper or r.estimate or 1.0) for r in estimates]
        lo = min([*lows, plot.reference]) / 1.15
        hi = max([*highs, plot.reference]) * 1.15
        ax.set_xlim(lo, hi)
        ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if lo <= t <= hi]
        if len(ticks) < 3:  # a narrow range: finer ticks that still do not collide
            ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4) if lo <= t <= hi]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels([f"{t:g}" for t in ticks])
    else:
        ax.set_xlim(0.25, 4)
        ax.xaxis.set_major_locator(FixedLocator([0.25, 0.5, 1, 2, 4]))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels(["0.25", "0.5", "1", "2", "4"])
        if rows:
            show_no_data(ax, "No estimable hazard ratio.")


def _favours(
    ax: Axes, fig: Figure, favours: tuple[str, str], reference: float, height: float
) -> None:
    """Which arm each side of the reference line favours, under the axis."""
    below = blended_transform_factory(ax.transData, fig.transFigure)
    ax.text(
        reference,
        0.1 / height,
        f"← {favours[0]}  ",
        transform=below,
        ha="right",
        va="bottom",
        fontsize=7.5,
        color="#333333",
    )
    ax.text(
        reference,
        0.1 / height,
        f"  {favours[1]} →",
        transform=below,
        ha="left",
        va="bottom",
        fontsize=7.5,
        color="#333333",
    )


def plot_forest(plot: ForestPlot) -> Figure:
    """Draw the rows with label, n, CI on a log axis and the estimate as text."""
    rows = list(plot.rows)
    n_rows = len(rows)
    row_h = 0.22
    with figure_style():
        header_in, footer_in = 0.45, 0.75 if plot.favours else 0.55
        height = header_in + footer_in + max(n_rows, 2) * row_h + (0.25 if plot.title else 0)
        fig = new_figure(plot.width_in, height)
        left, right = 0.42, 0.72  # the plot region, as figure fractions
        ax = fig.add_axes((left, footer_in / height, right - left, max(n_rows, 2) * row_h / height))
        ax.set_ylim(max(n_rows, 2) - 0.5, -0.5)  # one row keeps the height of one row
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.yaxis.set_major_locator(NullLocator())
        ax.set_xscale("log")
        text = blended_transform_factory(fig.transFigure, ax.transData)
        heading_y = (footer_in + max(n_rows, 2) * row_h + 0.25) / height
        has_events = any(r.events is not None for r in rows)
        for x, label, ha in (
            (0.01, "Subgroup", "left"),
            (0.395, "Events/n" if has_events else "n", "right"),
            (0.99, plot.estimate_label, "right"),
        ):
            fig.text(x, heading_y, label, ha=ha, va="center", fontweight="bold", fontsize=8)
        rule_y = heading_y - 0.15 / height
        fig.add_artist(Line2D([0.0, 1.0], [rule_y, rule_y], color="#333333", linewidth=0.6))
        estimates = [r for r in rows if r.estimate is not None]
        max_n = max((r.n or 0 for r in rows if not r.overall), default=0) or 1
        for y, row in enumerate(rows):
            _draw_row(ax, text, plot, row, y, max_n)
        _log_axis(ax, rows, estimates, plot)
        ax.axvline(plot.reference, color="#555555", linewidth=0.8, linestyle=(0, (3, 2)), zorder=1)
        ax.set_xlabel(plot.x_label, fontsize=8)
        if plot.favours:
            _favours(ax, fig, plot.favours, plot.reference, height)
        if not rows:
            show_no_data(ax, "No subgroups to show.")
        if plot.title:
            fig.text(
                0.01,
                1 - 0.05 / height,
                plot.title,
                ha="left",
                va="top",
                fontweight="bold",
                fontsize=9.5,
            )
    return fig
