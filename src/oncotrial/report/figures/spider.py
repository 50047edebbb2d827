"""Spider plot: % change from baseline in the target-lesion sum over time, one line per patient.

Lines start at (0, 0) — baseline — and are coloured, dashed and marked by the patient's best
overall response, so that a greyscale print still separates the categories. Dashed reference
lines at −30% and +20% (RECIST 1.1 §4.3.1 thresholds, drawn against baseline). With several
arms, one panel per arm sharing both axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from oncotrial.errors import ValueProblem
from oncotrial.report.figures._common import (
    check_nondecreasing,
    check_same_length,
    float_tuple,
    show_no_data,
)
from oncotrial.report.figures.style import (
    MONTH_DAYS,
    RESPONSE_ORDER,
    TEXT_WIDTH_IN,
    figure_style,
    new_figure,
    response_style,
)

__all__ = ["SpiderPlot", "SpiderSeries", "plot_spider"]


@dataclass(frozen=True)
class SpiderSeries:
    """One patient's post-baseline assessments: ``days`` since baseline (or day 0) and the %
    change of the target sum from baseline at each; ``best_response`` colours the line."""

    subject_id: str
    days: Sequence[float]
    change_pct: Sequence[float]
    best_response: str
    arm: str | None = None

    def __post_init__(self) -> None:
        record = f"subject {self.subject_id}"
        days = float_tuple(self.days, what="days", record=record)
        change = float_tuple(self.change_pct, what="change_pct", record=record)
        check_same_length(record, days=days, change_pct=change)
        if len(days) != len(change):
            raise ValueProblem(f"{record}: days and change_pct differ in length", record=record)
        check_nondecreasing(days, what="days", record=record)
        if self.best_response not in RESPONSE_ORDER:
            raise ValueProblem(
                f"{record}: best response {self.best_response!r} is not one of "
                f"{', '.join(RESPONSE_ORDER)}",
                record=self.subject_id,
                field="best_response",
            )
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "change_pct", change)


@dataclass(frozen=True)
class SpiderPlot:
    """What :func:`plot_spider` draws; ``arms`` orders the panels (default: first seen)."""

    series: Sequence[SpiderSeries]
    arms: Sequence[str] = ()
    title: str | None = None
    x_label: str = "Time since baseline (months)"
    y_label: str = "Change from baseline in\nsum of target lesion diameters (%)"
    width_in: float = TEXT_WIDTH_IN
    height_in: float = 3.6

    def __post_init__(self) -> None:
        object.__setattr__(self, "series", tuple(self.series))
        object.__setattr__(self, "arms", tuple(self.arms))


def plot_spider(plot: SpiderPlot) -> Figure:
    """Draw one line per patient, one panel per arm."""
    arms: list[str | None] = list(plot.arms)
    for series in plot.series:
        if series.arm not in arms:
            arms.append(series.arm)
    arms = arms or [None]
    all_days = [d for s in plot.series for d in s.days]
    all_change = [c for s in plot.series for c in s.change_pct]
    with figure_style():
        fig = new_figure(plot.width_in, plot.height_in)
        grid = fig.add_gridspec(
            1, len(arms), left=0.12, right=0.99, top=0.82, bottom=0.14, wspace=0.06
        )
        axes: list[Axes] = []
        for index, arm in enumerate(arms):
            ax = fig.add_subplot(
                grid[0, index], sharey=axes[0] if axes else None, sharex=axes[0] if axes else None
            )
            axes.append(ax)
            members = [s for s in plot.series if s.arm == arm]
            _draw_panel(ax, members, arm if len(arms) > 1 else None)
            ax.set_xlabel(plot.x_label)
            if index == 0:
                ax.set_ylabel(plot.y_label)
            else:
                ax.tick_params(labelleft=False)
        first = axes[0]
        x_max = max([*all_days, MONTH_DAYS]) / MONTH_DAYS
        first.set_xlim(0, x_max * 1.04)
        low = min([*all_change, -100.0])
        high = max([*all_change, 40.0])
        first.set_ylim(low - 8, high + 10)
        present = {s.best_response for s in plot.series} or set(RESPONSE_ORDER)
        handles = [
            Line2D(
                [],
                [],
                color=response_style(c)["color"],
                linestyle=response_style(c)["linestyle"],
                marker=response_style(c)["marker"],
                markersize=4,
                label=c,
            )
            for c in RESPONSE_ORDER
            if c in present
        ]
        fig.legend(
            handles=handles,
            title="Best overall response",
            loc="upper center",
            bbox_to_anchor=(0.55, 0.995),
            ncol=len(handles),
            handlelength=2.6,
            title_fontsize=8,
        )
        if plot.title:
            fig.text(0.01, 0.99, plot.title, ha="left", va="top", fontweight="bold", fontsize=9.5)
    return fig


def _draw_panel(ax: Axes, members: list[SpiderSeries], arm: str | None) -> None:
    if arm is not None:
        ax.set_title(f"{arm} (n = {len(members)})", fontsize=8.5, pad=4)
    for y in (-30.0, 20.0):
        ax.axhline(y, color="#444444", linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
    ax.axhline(0, color="#000000", linewidth=0.6, zorder=1)
    for series in members:
        style = response_style(series.best_response)
        days = np.array(series.days)
        change = np.array(series.change_pct)
        if not len(days) or days[0] > 0:  # every line starts at baseline: 0% on day 0
            days = np.concatenate([[0.0], days])
            change = np.concatenate([[0.0], change])
        ax.plot(
            days / MONTH_DAYS,
            change,
            color=style["color"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            markersize=3.2,
            linewidth=1.1,
            alpha=0.95,
            zorder=3,
        )
    ax.set_yticks([-100, -50, -30, 0, 20, 50, 100, 150, 200])
    ax.grid(axis="x", color="#E3E3E3", linewidth=0.5)
    if not any(len(s.days) for s in members):
        show_no_data(ax, "No post-baseline target-lesion\nmeasurements to show.")
