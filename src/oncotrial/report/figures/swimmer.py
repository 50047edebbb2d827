"""Swimmer plot: per patient, time on treatment and on study, with response and event markers.

Each lane is one patient, longest on study at the top. The thick bar is time on treatment
(coloured and hatched by arm); a thin grey line continues to the end of follow-up. Markers show
the onset of each response (CR, PR), progression and death; an arrow marks a patient still on
treatment at the data cut-off. Times are days from the reference date (day 0), shown in months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncotrial.errors import ValueProblem
from oncotrial.report.figures._common import optional_float, show_no_data
from oncotrial.report.figures.style import (
    MONTH_DAYS,
    OKABE_ITO,
    TEXT_WIDTH_IN,
    arm_style,
    figure_style,
    new_figure,
)

__all__ = ["EVENT_MARKERS", "SwimmerLane", "SwimmerPlot", "plot_swimmer"]

#: Marker styles of the events. Black or yellow with a black edge, so they stand out on any
#: arm colour and in greyscale; the shapes differ too.
EVENT_MARKERS: dict[str, dict[str, Any]] = {
    "CR": {
        "marker": "o",
        "markerfacecolor": OKABE_ITO["yellow"],
        "markeredgecolor": "black",
        "markersize": 6.5,
        "label": "Complete response",
    },
    "PR": {
        "marker": "^",
        "markerfacecolor": "white",
        "markeredgecolor": "black",
        "markersize": 6.5,
        "label": "Partial response",
    },
    "progression": {
        "marker": "X",
        "markerfacecolor": "black",
        "markeredgecolor": "white",
        "markersize": 7.5,
        "label": "Progression",
    },
    "death": {
        "marker": "s",
        "markerfacecolor": "black",
        "markeredgecolor": "black",
        "markersize": 5.5,
        "label": "Death",
    },
    "procedure": {
        "marker": "D",
        "markerfacecolor": OKABE_ITO["yellow"],
        "markeredgecolor": "black",
        "markersize": 5,
        "label": "Procedure (local therapy)",
    },
    "ongoing": {
        "marker": r"$\rightarrow$",
        "markerfacecolor": "black",
        "markeredgecolor": "black",
        "markersize": 9,
        "label": "On treatment at cut-off",
    },
}


@dataclass(frozen=True)
class SwimmerLane:
    """One patient's lane (all times in days from day 0).

    ``treatment_days``: time on treatment; ``study_days``: time on study (≥ treatment; ``None``
    = same). ``responses``: ``(day, "CR"|"PR")`` onsets. ``ongoing``: still on treatment at the
    cut-off (an arrow follows the bar). ``treatment_start``: day of the first dose from the
    analysis time zero (randomization), where the bar starts; ``gaps``: ``(from, to)`` days
    without treatment inside the bar (drawn as breaks); ``procedures``: days of procedures.
    """

    subject_id: str
    arm: str
    treatment_days: float
    study_days: float | None = None
    responses: Sequence[tuple[float, str]] = ()
    progression_day: float | None = None
    death_day: float | None = None
    ongoing: bool = False
    treatment_start: float = 0.0
    gaps: Sequence[tuple[float, float]] = ()
    procedures: Sequence[float] = ()

    def __post_init__(self) -> None:
        record = f"subject {self.subject_id}"
        object.__setattr__(self, "gaps", tuple((float(a), float(b)) for a, b in self.gaps))
        object.__setattr__(self, "procedures", tuple(float(d) for d in self.procedures))
        object.__setattr__(self, "treatment_start", float(self.treatment_start))
        treatment = optional_float(self.treatment_days, what="treatment_days", record=record)
        study = optional_float(self.study_days, what="study_days", record=record)
        if treatment is None or treatment < 0 or (study is not None and study < 0):
            raise ValueProblem(
                f"{record}: time on treatment and on study must be days ≥ 0",
                record=self.subject_id,
                field="treatment_days",
            )
        responses = []
        for day, category in self.responses:
            if category not in ("CR", "PR"):
                raise ValueProblem(
                    f"{record}: response onset {category!r} is not CR or PR",
                    record=self.subject_id,
                    field="responses",
                )
            responses.append((float(day), category))
        object.__setattr__(self, "treatment_days", treatment)
        object.__setattr__(self, "study_days", study)
        object.__setattr__(self, "responses", tuple(responses))
        for name in ("progression_day", "death_day"):
            object.__setattr__(
                self, name, optional_float(getattr(self, name), what=name, record=record)
            )

    @property
    def length(self) -> float:
        return max(
            self.treatment_start + self.treatment_days,
            *self.procedures,
            self.study_days or 0.0,
            self.progression_day or 0.0,
            self.death_day or 0.0,
            *(d for d, _ in self.responses),
        )


@dataclass(frozen=True)
class SwimmerPlot:
    """What :func:`plot_swimmer` draws; ``arms`` orders the arm legend (default: first seen).
    Subject ids label the lanes when there are at most ``max_labelled`` of them."""

    lanes: Sequence[SwimmerLane]
    arms: Sequence[str] = ()
    title: str | None = None
    x_label: str = "Time since start of treatment (months)"
    max_labelled: int = 60
    width_in: float = TEXT_WIDTH_IN

    def __post_init__(self) -> None:
        object.__setattr__(self, "lanes", tuple(self.lanes))
        object.__setattr__(self, "arms", tuple(self.arms))


def plot_swimmer(plot: SwimmerPlot) -> Figure:
    """Draw one lane per patient, longest at the top."""
    lanes = sorted(plot.lanes, key=lambda lane: (-lane.length, lane.subject_id))
    arms = list(plot.arms)
    for lane in lanes:
        if lane.arm not in arms:
            arms.append(lane.arm)
    n = len(lanes)
    # Lanes shrink past 44 patients so that the plot stays within 7.5 in (it must fit a page).
    lane_h = min(0.17, 7.5 / max(n, 1))
    with figure_style():
        plot_h = max(1.0 if not n else 0.45, lane_h * n)
        height = plot_h + (1.25 if n else 0.75) + (0.25 if plot.title else 0.0)
        fig = new_figure(plot.width_in, height)
        ax = fig.add_axes((0.12, 0.55 / height, 0.86, plot_h / height))
        y = np.arange(n)
        bar_h = 0.62
        x_end = max(max((lane.length for lane in lanes), default=0.0) / MONTH_DAYS, 1.0)
        nudge = x_end * 0.018  # the arrow starts just after the bar it continues
        for row, lane in enumerate(lanes):
            style = arm_style(arms.index(lane.arm))
            treated_to = lane.treatment_start + lane.treatment_days
            if lane.study_days is not None and lane.study_days > treated_to:
                ax.plot(
                    [treated_to / MONTH_DAYS, lane.study_days / MONTH_DAYS],
                    [row, row],
                    color="#888888",
                    linewidth=1.0,
                    zorder=1,
                )
            ax.barh(
                row,
                lane.treatment_days / MONTH_DAYS,
                left=lane.treatment_start / MONTH_DAYS,
                height=bar_h,
                color=style["color"],
                hatch=style["hatch"],
                edgecolor="#333333",
                linewidth=0.4,
                zorder=2,
            )
            for start, stop in lane.gaps:  # no treatment: a break in the bar
                ax.barh(
                    row,
                    (stop - start) / MONTH_DAYS,
                    left=start / MONTH_DAYS,
                    height=bar_h + 0.1,
                    color="white",
                    linewidth=0,
                    zorder=2.5,
                )
            for day in lane.procedures:
                _mark(ax, day, row, EVENT_MARKERS["procedure"])
            for day, category in lane.responses:
                _mark(ax, day, row, EVENT_MARKERS[category])
            if lane.progression_day is not None:
                _mark(ax, lane.progression_day, row, EVENT_MARKERS["progression"])
            if lane.death_day is not None:
                _mark(ax, lane.death_day, row, EVENT_MARKERS["death"])
            if lane.ongoing:
                ax.plot(
                    treated_to / MONTH_DAYS + nudge,
                    row,
                    linestyle="none",
                    zorder=4,
                    **{k: v for k, v in EVENT_MARKERS["ongoing"].items() if k != "label"},
                )
        ax.set_xlim(0, x_end * 1.06)
        ax.set_ylim(n - 0.5 if n else 0.5, -0.5)
        if not lanes:
            show_no_data(ax, "No treated patients to show.")
        if n <= plot.max_labelled:
            ax.set_yticks(y)
            ax.set_yticklabels([lane.subject_id for lane in lanes], fontsize=7 if n <= 40 else 5.5)
        else:
            ax.set_yticks([])
            ax.set_ylabel(f"Patients (n = {n})")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(plot.x_label)
        ax.grid(axis="x", color="#E3E3E3", linewidth=0.5)
        ax.set_axisbelow(True)
        handles: list[Any] = [
            Patch(
                facecolor=arm_style(i)["color"],
                hatch=arm_style(i)["hatch"],
                edgecolor="#333333",
                linewidth=0.4,
                label=f"{arm}: on treatment",
            )
            for i, arm in enumerate(arms)
        ]
        if any(
            lane.study_days and lane.study_days > lane.treatment_start + lane.treatment_days
            for lane in lanes
        ):
            handles.append(Line2D([], [], color="#888888", linewidth=1.0, label="Follow-up"))
        for key, spec in EVENT_MARKERS.items():
            used = any(
                (key in ("CR", "PR") and any(c == key for _, c in lane.responses))
                or (key == "progression" and lane.progression_day is not None)
                or (key == "death" and lane.death_day is not None)
                or (key == "ongoing" and lane.ongoing)
                or (key == "procedure" and bool(lane.procedures))
                for lane in lanes
            )
            if used:
                handles.append(Line2D([], [], linestyle="none", **spec))
        if handles:
            fig.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, 1 - 0.02),
                ncol=min(3, len(handles)),
                columnspacing=1.5,
                handletextpad=0.4,
            )
        if plot.title:
            fig.text(0.01, 0.995, plot.title, ha="left", va="top", fontweight="bold", fontsize=9.5)
    return fig


def _mark(ax: Any, day: float, row: float, spec: dict[str, Any]) -> None:
    ax.plot(
        day / MONTH_DAYS,
        row,
        linestyle="none",
        zorder=5,
        markeredgewidth=0.8,
        **{k: v for k, v in spec.items() if k != "label"},
    )
