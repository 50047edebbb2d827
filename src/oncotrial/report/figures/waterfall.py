"""Waterfall plot: each patient's best % change in the sum of target-lesion diameters.

One bar per patient, sorted from the largest increase to the largest decrease, coloured (and
hatched, for greyscale) by best overall response. Dashed reference lines at −30% (the RECIST 1.1
§4.3.1 partial-response threshold) and +20% (the progressive-disease threshold on the nadir,
drawn here against baseline as is customary). Patients without a post-baseline target
measurement cannot have a bar; their number is printed under the plot instead of silently
dropping them. With several arms, one panel per arm, bar widths equal across panels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from oncotrial.errors import ValueProblem
from oncotrial.report.figures._common import optional_float, show_no_data
from oncotrial.report.figures.style import (
    RESPONSE_ORDER,
    TEXT_WIDTH_IN,
    figure_style,
    new_figure,
    response_style,
)

__all__ = ["WaterfallBar", "WaterfallPlot", "plot_waterfall"]


@dataclass(frozen=True)
class WaterfallBar:
    """One patient: best % change from baseline in the target sum (``None`` = not measurable
    after baseline) and best overall response (``CR``, ``PR``, ``SD``, ``PD`` or ``NE``)."""

    subject_id: str
    best_change_pct: float | None
    best_response: str
    arm: str | None = None
    # PD not by the target sum (RECIST 1.1 §4.3): "N" a new lesion, "NT" non-target progression;
    # printed at the bar, whose height alone would read as stable disease or shrinkage
    pd_by: str | None = None

    def __post_init__(self) -> None:
        change = optional_float(
            self.best_change_pct, what="best_change_pct", record=self.subject_id
        )
        object.__setattr__(self, "best_change_pct", change)
        if self.best_response not in RESPONSE_ORDER:
            raise ValueProblem(
                f"subject {self.subject_id}: best response {self.best_response!r} is not one of "
                f"{', '.join(RESPONSE_ORDER)}",
                record=self.subject_id,
                field="best_response",
                hint="Map the response engine's category to CR, PR, SD, PD or NE "
                "(non-CR/non-PD counts as SD here).",
            )


@dataclass(frozen=True)
class WaterfallPlot:
    """What :func:`plot_waterfall` draws. Bars above ``cap_pct`` are cut at it and labelled
    with their value. ``arms`` orders the panels (default: order of first appearance)."""

    bars: Sequence[WaterfallBar]
    title: str | None = None
    y_label: str = "Best change from baseline in\nsum of target lesion diameters (%)"
    cap_pct: float = 100.0
    arms: Sequence[str] = ()
    show_subject_ids: bool | None = None
    width_in: float = TEXT_WIDTH_IN
    height_in: float = 3.6

    def __post_init__(self) -> None:
        object.__setattr__(self, "bars", tuple(self.bars))
        object.__setattr__(self, "arms", tuple(self.arms))


def _panels(plot: WaterfallPlot) -> list[tuple[str | None, list[WaterfallBar]]]:
    arms: list[str | None] = list(plot.arms)
    for bar in plot.bars:
        if bar.arm not in arms:
            arms.append(bar.arm)
    if not arms:
        arms = [None]
    return [(arm, [b for b in plot.bars if b.arm == arm]) for arm in arms]


def plot_waterfall(plot: WaterfallPlot) -> Figure:
    """Draw the waterfall (one panel per arm)."""
    panels = _panels(plot)
    measured = [[b for b in bars if b.best_change_pct is not None] for _, bars in panels]
    with figure_style():
        fig = new_figure(plot.width_in, plot.height_in)
        widths = [max(len(m), 4) for m in measured]
        grid = fig.add_gridspec(
            1,
            len(panels),
            width_ratios=widths,
            left=0.12,
            right=0.99,
            top=0.80,
            bottom=0.13,
            wspace=0.06,
        )
        values = [float(b.best_change_pct or 0.0) for m in measured for b in m]
        top = min(max([*values, 30.0]), plot.cap_pct) + 12
        bottom = min([-100.0, *values]) - 5
        show_ids = (
            plot.show_subject_ids
            if plot.show_subject_ids is not None
            else max((len(m) for m in measured), default=0) <= 30
        )
        first_ax: Axes | None = None
        for index, ((arm, bars), shown) in enumerate(zip(panels, measured, strict=True)):
            ax = fig.add_subplot(grid[0, index], sharey=first_ax)
            first_ax = first_ax or ax
            _draw_panel(ax, arm, bars, shown, plot, show_ids, len(panels) > 1)
            ax.set_ylim(bottom, top)
            if index == 0:
                ax.set_ylabel(plot.y_label)
            else:
                ax.tick_params(labelleft=False)
        present = {b.best_response for b in plot.bars} or set(RESPONSE_ORDER)
        handles = [
            Patch(
                facecolor=response_style(c)["color"],
                hatch=response_style(c)["hatch"],
                edgecolor="#333333",
                linewidth=0.4,
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
            handlelength=1.8,
            handleheight=1.1,
            title_fontsize=8,
        )
        if plot.title:
            fig.text(0.01, 0.99, plot.title, ha="left", va="top", fontweight="bold", fontsize=9.5)
    return fig


def _draw_panel(
    ax: Axes,
    arm: str | None,
    bars: list[WaterfallBar],
    shown: list[WaterfallBar],
    plot: WaterfallPlot,
    show_ids: bool,
    titled: bool,
) -> None:
    if titled:
        ax.set_title(f"{arm or 'No arm'} (n = {len(bars)})", fontsize=8.5, pad=4)
    for y in (-30.0, 20.0):  # labelled by the y ticks of the same values
        ax.axhline(y, color="#444444", linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
    ax.axhline(0, color="#000000", linewidth=0.8, zorder=2)
    ordered = sorted(shown, key=lambda b: (-(b.best_change_pct or 0.0), b.subject_id))
    x = np.arange(len(ordered))
    for xi, bar in enumerate(ordered):
        style = response_style(bar.best_response)
        value = float(bar.best_change_pct or 0.0)
        drawn = min(value, plot.cap_pct)
        ax.bar(
            xi,
            drawn,
            width=0.8,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="#333333",
            linewidth=0.4,
            zorder=3,
        )
        if value > plot.cap_pct:
            ax.text(
                xi,
                drawn + 1.5,
                f"{value:.0f}%",
                ha="center",
                va="bottom",
                fontsize=6.5,
                rotation=90,
            )
        elif value == 0.0:  # a zero-height bar would be invisible: mark the patient
            ax.plot(xi, 0, marker="_", markersize=6, color=style["color"], zorder=4)
        if bar.pd_by:
            ax.text(
                xi,
                (drawn + 2.0) if drawn >= 0 else 2.0,
                bar.pd_by,
                ha="center",
                va="bottom",
                fontsize=6,
                fontweight="bold",
                zorder=5,
            )
    ax.set_xlim(-0.7, max(len(ordered), 4) - 0.3)
    if show_ids and ordered:
        ax.set_xticks(x)
        ax.set_xticklabels([b.subject_id for b in ordered], rotation=90, fontsize=6)
        ax.tick_params(axis="x", length=0)
    else:
        ax.set_xticks([])
        ax.set_xlabel("Patients", labelpad=4)
    ax.spines["bottom"].set_visible(False)
    ax.set_yticks([t for t in (-100, -50, -30, 0, 20, 50, 100) if t <= plot.cap_pct])
    missing = len(bars) - len(shown)
    if not ordered:
        show_no_data(ax, "No patient has a post-baseline\ntarget-lesion measurement.")
    elif missing:
        # Top right: bars are sorted so the right end of a panel holds the shrinking tumours.
        ax.text(
            0.99,
            0.99,
            f"{missing} without post-baseline\nmeasurement not shown",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7,
            color="#444444",
        )
