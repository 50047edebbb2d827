"""Kaplan-Meier curves with confidence bands, censor marks, medians and a number-at-risk table.

The inputs are what a survival engine already computed — the plot draws, it never estimates:

* each group's step function (``times`` in days, ``survival`` the estimate holding from that
  time until the next, right-continuous as in R ``survival``), its pointwise CI (``lower``,
  ``upper``), censoring times and, optionally, its median;
* the numbers at risk at ``at_risk_times`` (days), which also become the x ticks so that the
  risk table lines up with the axis. :func:`month_ticks` proposes such times.

The x axis is in months (days / 30.4375). The censor mark sits on the curve at the censoring
time (the step function's value there, looked up, not estimated).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from oncotrial.errors import ValueProblem
from oncotrial.report.figures._common import (
    check_nondecreasing,
    check_same_length,
    float_tuple,
    optional_float,
    show_no_data,
    text_width_in,
    wrap_text,
)
from oncotrial.report.figures.style import (
    MONTH_DAYS,
    TEXT_WIDTH_IN,
    arm_style,
    figure_style,
    new_figure,
)

__all__ = ["KMCurve", "KMPlot", "month_ticks", "plot_km"]


@dataclass(frozen=True)
class KMCurve:
    """One group's Kaplan-Meier estimate, as computed by the survival engine.

    ``times``/``survival``/``lower``/``upper`` are parallel sequences: from ``times[i]`` (days)
    the estimate is ``survival[i]`` with pointwise CI ``lower[i]``–``upper[i]`` (``None`` or NaN
    where undefined). A curve that does not start at time 0 is drawn from (0, 1).
    ``censor_times`` (days) get a mark on the curve. ``median`` (days) draws the median guide
    lines; ``None`` = not reached. ``at_risk`` gives the number at risk at each of the plot's
    ``at_risk_times``. ``sparse_from`` (days): from there on fewer patients than the caller's
    threshold remain at risk; the curve is drawn dotted and without its band beyond it (Pocock,
    Clayton & Altman, Lancet 2002;359:1686: the tail rests on too few patients to read).
    """

    label: str
    times: Sequence[float]
    survival: Sequence[float]
    lower: Sequence[float | None] | None = None
    upper: Sequence[float | None] | None = None
    censor_times: Sequence[float] = ()
    median: float | None = None
    at_risk: Sequence[int] = ()
    sparse_from: float | None = None

    def __post_init__(self) -> None:
        record = f"KM curve {self.label!r}"
        object.__setattr__(
            self, "sparse_from", optional_float(self.sparse_from, what="sparse_from", record=record)
        )
        times = float_tuple(self.times, what="times", record=record)
        survival = float_tuple(self.survival, what="survival", record=record)
        lower = _band(self.lower, record, "lower")
        upper = _band(self.upper, record, "upper")
        check_same_length(record, times=times, survival=survival, lower=lower, upper=upper)
        if len(times) != len(survival):
            raise ValueProblem(f"{record}: times and survival differ in length", record=record)
        check_nondecreasing(times, what="times", record=record)
        check_nondecreasing([-s for s in survival], what="survival (negated)", record=record)
        if any(t < 0 for t in times) or any(not 0.0 <= s <= 1.0 for s in survival):
            raise ValueProblem(
                f"{record}: times must be ≥ 0 and survival within 0–1", record=record
            )
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "survival", survival)
        object.__setattr__(self, "lower", lower or None)
        object.__setattr__(self, "upper", upper or None)
        object.__setattr__(
            self, "censor_times", float_tuple(self.censor_times, what="censor_times", record=record)
        )
        object.__setattr__(
            self, "median", optional_float(self.median, what="median", record=record)
        )
        object.__setattr__(self, "at_risk", tuple(int(n) for n in self.at_risk))

    def survival_at(self, day: float) -> float:
        """The step function's value at ``day`` (1 before the first time)."""
        index = bisect.bisect_right(self.times, day) - 1
        return 1.0 if index < 0 else float(self.survival[index])

    @property
    def last_day(self) -> float:
        return max((*self.times, *self.censor_times, 0.0))


def _band(values: Sequence[float | None] | None, record: str, what: str) -> tuple[float, ...]:
    if values is None:
        return ()
    return tuple(math.nan if v is None else float(v) for v in values)


@dataclass(frozen=True)
class KMPlot:
    """What :func:`plot_km` draws.

    ``y_label`` names the endpoint ("Progression-free survival"). ``at_risk_times`` (days) are
    the x ticks and the risk table's columns; each curve's ``at_risk`` must match them (or be
    empty, which leaves its row out). ``x_max`` (days) defaults to the last tick or observation.
    ``annotation`` is caller-supplied text such as "HR 0.62 (95% CI 0.38–1.01); log-rank
    p = 0.054", shown in the lower left.
    """

    curves: Sequence[KMCurve]
    y_label: str = "Survival probability"
    at_risk_times: Sequence[float] = ()
    x_max: float | None = None
    annotation: str | None = None
    title: str | None = None
    show_ci: bool = True
    show_medians: bool = True
    show_censors: bool = True
    width_in: float = TEXT_WIDTH_IN

    def __post_init__(self) -> None:
        object.__setattr__(self, "curves", tuple(self.curves))
        times = float_tuple(self.at_risk_times, what="at_risk_times", record="KM plot")
        check_nondecreasing(times, what="at_risk_times", record="KM plot")
        object.__setattr__(self, "at_risk_times", times)
        object.__setattr__(self, "x_max", optional_float(self.x_max, what="x_max"))
        for curve in self.curves:
            if curve.at_risk and len(curve.at_risk) != len(times):
                raise ValueProblem(
                    f"KM curve {curve.label!r} has {len(curve.at_risk)} numbers at risk for "
                    f"{len(times)} at-risk times",
                    record=curve.label,
                    field="at_risk",
                    hint="Give one number at risk per entry of KMPlot.at_risk_times.",
                )


def month_ticks(max_day: float, *, max_ticks: int = 9) -> tuple[float, ...]:
    """Tick positions in days at whole multiples of 1, 2, 3, 6, 12 or 24 months, from 0 to the
    first multiple at or beyond ``max_day``.

    The step is the smallest giving at most ``max_ticks`` ticks; pass the result as
    ``KMPlot.at_risk_times`` and ask the survival engine for the numbers at risk there.
    """
    months = max(float(max_day), 0.0) / MONTH_DAYS
    for step in (1, 2, 3, 6, 12, 24, 48, 96):
        count = max(math.ceil(months / step - 1e-9), 1) + 1
        if count <= max_ticks:
            break
    return tuple(i * step * MONTH_DAYS for i in range(count))


def _risk_rows(plot: KMPlot) -> list[KMCurve]:
    return [c for c in plot.curves if c.at_risk] if plot.at_risk_times else []


def plot_km(plot: KMPlot) -> Figure:
    """Draw the curves (months on x) with CI bands, censor marks, medians and risk table."""
    curves = list(plot.curves)
    risk_rows = _risk_rows(plot)
    label_size = 8.0
    with figure_style():
        # Layout in inches: the risk table's group labels set the left margin.
        label_width = max(
            (text_width_in(c.label, label_size, "bold") for c in risk_rows), default=0.0
        )
        # full arm labels (CONSORT 2010 item 17a; never "Maintenance thera…"): a label longer
        # than the margin wraps in the risk table instead of being cut
        left_in = min(max(0.75, label_width + 0.35), 1.7)
        lines = max(
            (len(wrap_text(c.label, left_in - 0.35, label_size, "bold")) for c in risk_rows),
            default=1,
        )
        plot_h, table_row_h = 3.3, 0.19 + 0.14 * (lines - 1)
        table_h = (0.42 + table_row_h * len(risk_rows)) if risk_rows else 0.0
        legend_h = 0.35 if curves else 0.0
        top_in = 0.08 + legend_h + (0.25 if plot.title else 0.0)
        bottom_in = 0.5
        height = top_in + plot_h + bottom_in + table_h
        fig = new_figure(plot.width_in, height)
        right_in = 0.25
        frac_w = (plot.width_in - left_in - right_in) / plot.width_in
        ax = fig.add_axes(
            (left_in / plot.width_in, (bottom_in + table_h) / height, frac_w, plot_h / height)
        )
        if plot.title:
            fig.text(
                0.5,
                1 - 0.12 / height,
                plot.title,
                ha="center",
                va="top",
                fontweight="bold",
                fontsize=9.5,
            )

        last = max((c.last_day for c in curves), default=0.0)
        ticks = list(plot.at_risk_times) or list(month_ticks(last))
        # Without an explicit x_max the axis ends at the last at-risk time (the caller chose
        # the ticks) or, with no at-risk times, at the last tick covering every observation.
        x_max = plot.x_max if plot.x_max is not None else ticks[-1]
        x_max = max(x_max, MONTH_DAYS)  # a zero-length axis (no follow-up) still draws
        xm = x_max / MONTH_DAYS

        if not curves:
            show_no_data(ax, "No patients in this analysis set: no curve to draw.")
        for index, curve in enumerate(curves):
            _draw_curve(ax, curve, arm_style(index), plot, x_max)

        ax.set_xlim(0, xm * 1.02)
        ax.set_ylim(-0.02, 1.04)
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.set_xticks([t / MONTH_DAYS for t in ticks])
        ax.set_xticklabels([f"{t / MONTH_DAYS:g}" for t in _rounded(ticks)])
        ax.set_xlabel("Time (months)")
        ax.set_ylabel(plot.y_label)
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.5)
        ax.set_axisbelow(True)
        if curves:
            ax.legend(
                loc="lower left",
                bbox_to_anchor=(0.0, 1.01),
                ncol=min(len(curves), 3),
                handlelength=2.8,
                borderaxespad=0.0,
            )
        if plot.annotation:
            # Upper right is where survival curves usually are not (they fall with time);
            # curves that stay high late (few events) leave the lower left free instead.
            late = [c.survival_at(x_max * 0.6) for c in curves]
            upper = not late or min(late) < 0.7
            ax.text(
                0.98 if upper else 0.02,
                0.97 if upper else 0.04,
                plot.annotation,
                transform=ax.transAxes,
                ha="right" if upper else "left",
                va="top" if upper else "bottom",
                fontsize=8,
                bbox={
                    "facecolor": "white",
                    "edgecolor": "#999999",
                    "linewidth": 0.5,
                    "boxstyle": "round,pad=0.35",
                },
            )
        if risk_rows:
            _draw_risk_table(fig, ax, plot, risk_rows, left_in, height, table_h, label_size)
    return fig


def _rounded(ticks: list[float]) -> list[float]:
    """Tick days whose month value is within rounding of a whole month print as whole months."""
    out = []
    for t in ticks:
        months = t / MONTH_DAYS
        out.append(round(months) * MONTH_DAYS if abs(months - round(months)) < 0.05 else t)
    return out


def _draw_curve(
    ax: Axes, curve: KMCurve, style: dict[str, Any], plot: KMPlot, x_max: float
) -> None:
    times = list(curve.times)
    surv = list(curve.survival)
    lower = list(curve.lower) if curve.lower else None
    upper = list(curve.upper) if curve.upper else None
    if not times or times[0] > 0:
        times.insert(0, 0.0)
        surv.insert(0, 1.0)
        if lower is not None and upper is not None:
            lower.insert(0, 1.0)
            upper.insert(0, 1.0)
    end = min(max(curve.last_day, times[-1]), x_max)
    x = np.array([*times, end]) / MONTH_DAYS
    y = np.array([*surv, surv[-1]])
    keep = x <= x_max / MONTH_DAYS + 1e-9
    cut = curve.sparse_from / MONTH_DAYS if curve.sparse_from is not None else None
    if cut is not None and cut < x[keep][-1]:
        # solid while enough patients remain at risk, dotted beyond (the caption says so)
        y_cut = curve.survival_at(float(curve.sparse_from or 0.0))
        solid = x[keep] <= cut
        xs, ys = np.append(x[keep][solid], cut), np.append(y[keep][solid], y_cut)
        xd = np.insert(x[keep][~solid], 0, cut)
        yd = np.insert(y[keep][~solid], 0, y_cut)
        ax.step(xd, yd, where="post", color=style["color"], linestyle=":", linewidth=1.2, zorder=3)
        keep = keep & (x <= cut)
    else:
        xs, ys = x[keep], y[keep]
    ax.step(
        xs,
        ys,
        where="post",
        color=style["color"],
        linestyle=style["linestyle"],
        label=curve.label,
        linewidth=1.6,
        zorder=3,
    )
    if plot.show_ci and lower is not None and upper is not None:
        lo = np.array([*lower, lower[-1]], dtype=float)
        hi = np.array([*upper, upper[-1]], dtype=float)
        ax.fill_between(
            x[keep],
            lo[keep],
            hi[keep],
            step="post",
            color=style["color"],
            alpha=0.15,
            linewidth=0,
            zorder=1,
        )
    if plot.show_censors and curve.censor_times:
        cx = [t for t in curve.censor_times if t <= x_max]
        ax.plot(
            np.array(cx) / MONTH_DAYS,
            [curve.survival_at(t) for t in cx],
            linestyle="none",
            marker=style["censor"],
            markersize=6,
            markeredgewidth=1.1,
            color=style["color"],
            zorder=4,
        )
    if plot.show_medians and curve.median is not None and curve.median <= x_max:
        m = curve.median / MONTH_DAYS
        ax.plot([0, m], [0.5, 0.5], color="#666666", linewidth=0.7, linestyle=(0, (2, 2)), zorder=2)
        ax.plot(
            [m, m], [0, 0.5], color=style["color"], linewidth=0.9, linestyle=(0, (2, 2)), zorder=2
        )


def _draw_risk_table(
    fig: Figure,
    ax: Axes,
    plot: KMPlot,
    rows: list[KMCurve],
    left_in: float,
    height: float,
    table_h: float,
    size: float,
) -> None:
    width = plot.width_in
    box = ax.get_position()
    risk_ax = fig.add_axes((box.x0, 0.08 / height, box.width, (table_h - 0.42) / height))
    risk_ax.set_xlim(ax.get_xlim())
    risk_ax.set_ylim(len(rows) - 0.5, -0.5)
    risk_ax.axis("off")
    fig.text(
        0.12 / width,
        (0.08 + table_h - 0.42 + 0.1) / height,
        "Number at risk",
        ha="left",
        va="bottom",
        fontsize=8,
        fontweight="bold",
    )
    label_transform = blended_transform_factory(fig.transFigure, risk_ax.transData)
    for row, curve in enumerate(rows):
        style = arm_style(list(plot.curves).index(curve))
        risk_ax.text(
            0.12 / width,
            row,
            "\n".join(wrap_text(curve.label, left_in - 0.35, size, "bold")),
            transform=label_transform,
            linespacing=0.9,
            ha="left",
            va="center",
            fontsize=size,
            color=style["color"],
            fontweight="bold",
        )
        for t, n in zip(plot.at_risk_times, curve.at_risk, strict=True):
            risk_ax.text(t / MONTH_DAYS, row, str(n), ha="center", va="center", fontsize=size)
