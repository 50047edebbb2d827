"""CONSORT-style participant flow diagram, drawn with matplotlib boxes and arrows.

The layout follows the CONSORT 2010 flow diagram (Schulz et al., BMJ 2010;340:c332) and works
for one arm or several:

* Enrolment — "Assessed for eligibility (n)", a side box "Excluded (n)" with its reasons,
  then "Enrolled (n)" (single arm) or "Randomized (n)";
* Allocation — per arm "Allocated to … (n)", received / did not receive the intervention;
* Follow-up — per arm "Discontinued treatment (n)" with reasons;
* Analysis — per arm "Analysed (n)" and "Excluded from analysis (n)" with reasons.

Every count is given by the caller (from the database's disposition records); the only figure
derived here is "Excluded" = assessed − enrolled when it is not given, CONSORT's own definition.
Reasons are listed as given (a patient with two reasons may be counted under both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from oncotrial.errors import ValueProblem
from oncotrial.report.figures._common import text_width_in, wrap_text
from oncotrial.report.figures.style import TEXT_WIDTH_IN, figure_style, new_figure

__all__ = ["ConsortArm", "ConsortFlow", "Reason", "plot_consort"]

FONT = 7.5
LINE_H = FONT * 1.32 / 72  # inches per text line
PAD = 0.07  # inches inside a box
GAP = 0.32  # inches between stage rows (room for an arrow)
STAGE_W = 0.82  # width of the stage labels on the left


@dataclass(frozen=True)
class Reason:
    """A count with its reason, e.g. ``Reason("EGFR mutation", 3)``."""

    text: str
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueProblem(f"reason {self.text!r} has a negative count {self.n}", field="n")


@dataclass(frozen=True)
class ConsortArm:
    """One arm's flow. ``None`` means "not reported" (the box says so); 0 is a real zero."""

    label: str
    allocated: int
    received: int | None = None
    not_received: Sequence[Reason] = ()
    discontinued: int | None = None
    discontinued_reasons: Sequence[Reason] = ()
    analysed: int | None = None
    excluded_from_analysis: Sequence[Reason] = ()
    analysis_set: str = "Analysed"
    completed: int | None = None  # completed the treatment (None: not reported)
    lost_to_follow_up: int | None = None

    def __post_init__(self) -> None:
        for name in ("not_received", "discontinued_reasons", "excluded_from_analysis"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        counts = (self.allocated, self.received, self.discontinued, self.analysed)
        if any(c is not None and c < 0 for c in counts):
            raise ValueProblem(f"arm {self.label!r} has a negative count", record=self.label)
        for name in ("received", "analysed"):
            value = getattr(self, name)
            if value is not None and value > self.allocated:
                raise ValueProblem(
                    f"arm {self.label!r}: {name} ({value}) exceeds allocated ({self.allocated})",
                    record=self.label,
                    field=name,
                )


@dataclass(frozen=True)
class ConsortFlow:
    """The whole flow. ``screened`` (assessed for eligibility) and ``not_eligible`` reasons are
    optional; ``excluded`` defaults to screened − enrolled. ``randomized`` switches the wording
    ("Randomized" / "Allocated to") from the single-arm wording ("Enrolled" / "Treated with")."""

    enrolled: int
    arms: Sequence[ConsortArm] = ()
    screened: int | None = None
    not_eligible: Sequence[Reason] = ()
    excluded: int | None = None
    randomized: bool = False
    width_in: float = TEXT_WIDTH_IN
    in_screening: int = 0  # consented, still being screened at the cut-off (part of Excluded)

    def __post_init__(self) -> None:
        object.__setattr__(self, "arms", tuple(self.arms))
        object.__setattr__(self, "not_eligible", tuple(self.not_eligible))
        if self.screened is not None and self.screened < self.enrolled:
            raise ValueProblem(
                f"CONSORT flow: {self.enrolled} enrolled but only {self.screened} screened",
                field="screened",
                hint="Screened (assessed for eligibility) counts everyone enrolled and more.",
            )

    @property
    def excluded_count(self) -> int | None:
        if self.excluded is not None:
            return self.excluded
        if self.screened is not None:
            return self.screened - self.enrolled
        return None


# A box's content: (text, level, bold); level 0 plain, 1 bullet, 2 sub-bullet.
_Item = tuple[str, int, bool]


def _n(value: int | None) -> str:
    return "not reported" if value is None else f"n = {value}"


def _reasons(reasons: Sequence[Reason], level: int) -> list[_Item]:
    return [(f"{r.text} (n = {r.n})", level, False) for r in reasons]


def _allocation_items(arm: ConsortArm, randomized: bool) -> list[_Item]:
    head = f"Allocated to {arm.label}" if randomized else arm.label
    items: list[_Item] = [(f"{head} ({_n(arm.allocated)})", 0, True)]
    if arm.received is not None or arm.not_received:
        items.append((f"Received allocated intervention ({_n(arm.received)})", 1, False))
        not_received = None if arm.received is None else arm.allocated - arm.received
        if not_received or arm.not_received:
            items.append((f"Did not receive allocated intervention ({_n(not_received)})", 1, False))
            items += _reasons(arm.not_received, 2)
    return items


def _followup_items(arm: ConsortArm) -> list[_Item]:
    items: list[_Item] = []
    if arm.completed is not None:
        items.append((f"Completed treatment ({_n(arm.completed)})", 0, True))
    items += [
        (f"Discontinued treatment ({_n(arm.discontinued)})", 0, True),
        *_reasons(arm.discontinued_reasons, 1),
    ]
    if arm.lost_to_follow_up is not None:
        items.append((f"Lost to follow-up ({_n(arm.lost_to_follow_up)})", 0, True))
    return items


def _analysis_items(arm: ConsortArm) -> list[_Item]:
    items: list[_Item] = [(f"{arm.analysis_set} ({_n(arm.analysed)})", 0, True)]
    excluded = None if arm.analysed is None else arm.allocated - arm.analysed
    if excluded or arm.excluded_from_analysis:
        items.append((f"Excluded from analysis ({_n(excluded)})", 1, False))
        items += _reasons(arm.excluded_from_analysis, 2)
    return items


@dataclass
class _Box:
    x: float  # left, inches
    width: float
    lines: list[tuple[str, float, bool]]  # wrapped: text, indent (in), bold
    top: float = 0.0  # inches from the figure top

    @property
    def height(self) -> float:
        return 2 * PAD + max(len(self.lines), 1) * LINE_H

    @property
    def center(self) -> float:
        return self.x + self.width / 2


_BULLETS = {0: "", 1: "• ", 2: "– "}
_INDENTS = {0: 0.0, 1: 0.0, 2: 0.14}


def _make_box(items: list[_Item], x: float, width: float) -> _Box:
    lines: list[tuple[str, float, bool]] = []
    inner = width - 2 * PAD
    for text, level, bold in items:
        weight = "bold" if bold else "normal"
        bullet = _BULLETS[level]
        indent = _INDENTS[level]
        hang = text_width_in(bullet, FONT, weight) if bullet else 0.0
        wrapped = wrap_text(text, inner - indent - hang, FONT, weight)
        for index, line in enumerate(wrapped):
            if index == 0:
                lines.append((bullet + line, indent, bold))
            else:
                lines.append((line, indent + hang, bold))
    return _Box(x, width, lines)


def plot_consort(flow: ConsortFlow) -> Figure:
    """Draw the flow diagram at print width; the height follows the content."""
    width = flow.width_in
    left = STAGE_W + 0.15
    right = width - 0.04
    content = right - left
    arms = list(flow.arms)
    n_arms = len(arms)
    has_exclusion = flow.screened is not None

    # ---- layout, top to bottom (y in inches from the top) --------------------------------
    stages: list[tuple[str, list[_Box]]] = []
    trunk_x = left + (content * 0.32 if has_exclusion or n_arms <= 1 else content / 2)
    main_w = min(2.3, content * 0.5)
    y = 0.08
    screen_box = excluded_box = None
    enrol_stage: list[_Box] = []
    if has_exclusion:
        screen_box = _make_box(
            [(f"Assessed for eligibility ({_n(flow.screened)})", 0, True)],
            trunk_x - main_w / 2,
            main_w,
        )
        screen_box.top = y
        y += screen_box.height + 0.18
        ex_x = trunk_x + main_w / 2 + 0.25
        excluded_box = _make_box(
            [
                (f"Excluded ({_n(flow.excluded_count)})", 0, True),
                *_reasons(flow.not_eligible, 1),
                *(
                    [(f"Still in screening at the cut-off ({_n(flow.in_screening)})", 1, False)]
                    if flow.in_screening
                    else []
                ),
            ],
            ex_x,
            right - ex_x,
        )
        excluded_box.top = y
        y += excluded_box.height + 0.18
        enrol_stage += [screen_box, excluded_box]
    enrol_box = _make_box(
        [(f"{'Randomized' if flow.randomized else 'Enrolled'} ({_n(flow.enrolled)})", 0, True)],
        trunk_x - main_w / 2,
        main_w,
    )
    enrol_box.top = y
    y += enrol_box.height
    enrol_stage.append(enrol_box)
    stages.append(("Enrolment", enrol_stage))

    if arms:
        y += GAP + (0.12 if n_arms > 1 else 0.0)
        col_w = content / n_arms
        box_w = min(col_w - 0.12, 2.9)
        centers = [trunk_x] if n_arms == 1 else [left + col_w * (i + 0.5) for i in range(n_arms)]
        rows = [
            ("Allocation", [_allocation_items(a, flow.randomized) for a in arms]),
            ("Follow-up", [_followup_items(a) for a in arms]),
            ("Analysis", [_analysis_items(a) for a in arms]),
        ]
        for index, (stage, contents) in enumerate(rows):
            boxes = [
                _make_box(items, c - box_w / 2, box_w)
                for items, c in zip(contents, centers, strict=True)
            ]
            row_h = max(b.height for b in boxes)
            for box in boxes:
                box.top = y
            stages.append((stage, boxes))
            y += row_h + (GAP if index < len(rows) - 1 else 0.0)
    height = y + 0.08

    # ---- drawing ------------------------------------------------------------------------
    with figure_style():
        fig = new_figure(width, height)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)  # y grows downwards, like the layout
        ax.axis("off")
        for _, boxes in stages:
            for box in boxes:
                _draw_box(ax, box, _stage_height(box, boxes))
        for stage, boxes in stages:
            top = min(b.top for b in boxes)
            bottom = max(b.top + _stage_height(b, boxes) for b in boxes)
            _draw_stage_label(ax, stage, top, bottom)
        if screen_box is not None and excluded_box is not None:
            _arrow(ax, (trunk_x, screen_box.top + screen_box.height), (trunk_x, enrol_box.top))
            mid = excluded_box.top + excluded_box.height / 2
            _arrow(ax, (trunk_x, mid), (excluded_box.x, mid))
        if arms:
            alloc = stages[-3][1]
            start = enrol_box.top + enrol_box.height
            if n_arms == 1:
                _arrow(ax, (trunk_x, start), (trunk_x, alloc[0].top))
            else:
                bar_y = start + (alloc[0].top - start) / 2
                ax.plot([trunk_x, trunk_x], [start, bar_y], color="black", linewidth=0.8)
                ax.plot(
                    [alloc[0].center, alloc[-1].center],
                    [bar_y, bar_y],
                    color="black",
                    linewidth=0.8,
                )
                for box in alloc:
                    _arrow(ax, (box.center, bar_y), (box.center, box.top))
            for upper_row, lower_row in zip(stages[-3:-1], stages[-2:], strict=True):
                for upper, lower in zip(upper_row[1], lower_row[1], strict=True):
                    _arrow(
                        ax,
                        (upper.center, upper.top + _stage_height(upper, upper_row[1])),
                        (lower.center, lower.top),
                    )
    return fig


def _stage_height(box: _Box, row: list[_Box]) -> float:
    """Arm boxes in one row share the tallest height so the row reads as a row."""
    same_row = [b for b in row if abs(b.top - box.top) < 1e-9]
    return max(b.height for b in same_row)


def _draw_box(ax: Axes, box: _Box, height: float) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (box.x, box.top),
            box.width,
            height,
            boxstyle="square,pad=0",
            facecolor="white",
            edgecolor="black",
            linewidth=0.8,
            zorder=2,
        )
    )
    for index, (text, indent, bold) in enumerate(box.lines):
        ax.text(
            box.x + PAD + indent,
            box.top + PAD + (index + 0.5) * LINE_H,
            text,
            ha="left",
            va="center_baseline",
            fontsize=FONT,
            fontweight="bold" if bold else "normal",
            zorder=3,
        )


def _draw_stage_label(ax: Axes, label: str, top: float, bottom: float) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (0.04, top),
            STAGE_W,
            bottom - top,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor="#DCEBF5",
            edgecolor="#0072B2",
            linewidth=0.6,
            zorder=1,
        )
    )
    ax.text(
        0.04 + STAGE_W / 2,
        (top + bottom) / 2,
        label,
        ha="center",
        va="center",
        fontsize=FONT,
        fontweight="bold",
        color="#003B5C",
        zorder=2,
    )


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": "black",
            "linewidth": 0.8,
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 8,
        },
        zorder=1,
    )
