"""The figure library: each figure draws its input faithfully, in one style, and never crashes
on empty or degenerate input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure as MplFigure
from matplotlib.text import Text

from oncotrial.errors import ValueProblem
from oncotrial.report import Figure
from oncotrial.report.figures import (
    MONTH_DAYS,
    OKABE_ITO,
    RESPONSE_COLORS,
    ConsortArm,
    ConsortFlow,
    ForestPlot,
    ForestRow,
    KMCurve,
    KMPlot,
    Reason,
    SpiderPlot,
    SpiderSeries,
    SwimmerLane,
    SwimmerPlot,
    WaterfallBar,
    WaterfallPlot,
    month_ticks,
    plot_consort,
    plot_forest,
    plot_km,
    plot_spider,
    plot_swimmer,
    plot_waterfall,
)
from oncotrial.report.figures.style import (
    ARM_HATCHES,
    ARM_LINESTYLES,
    ARM_MARKERS,
    RESPONSE_HATCHES,
    RESPONSE_MARKERS,
    TEXT_WIDTH_IN,
)


def texts(fig: MplFigure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def shown(fig: MplFigure) -> str:
    return "\n".join(t.get_text() for t in texts(fig))


def rendered(fig: MplFigure, is_blank) -> bytes:
    png = Figure.from_matplotlib(fig, id="f", caption="c", alt_text="a", dpi=60).png
    assert not is_blank(png)
    return png


# ------------------------------------------------------------------ style


def test_okabe_ito_palette_is_the_published_one() -> None:
    assert OKABE_ITO == {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
    }


def _grey(hex_colour: str) -> float:
    r, g, b = to_rgb(hex_colour)
    return 0.299 * r + 0.587 * g + 0.114 * b  # ITU-R BT.601 luma, as a greyscale print sees it


def test_response_categories_stay_distinguishable_in_greyscale() -> None:
    """Each pair of categories differs in grey value by ≥ 0.12 or in hatching; markers differ."""
    categories = list(RESPONSE_COLORS)
    for i, a in enumerate(categories):
        for b in categories[i + 1 :]:
            grey_apart = abs(_grey(RESPONSE_COLORS[a]) - _grey(RESPONSE_COLORS[b])) >= 0.12
            assert grey_apart or RESPONSE_HATCHES[a] != RESPONSE_HATCHES[b], (a, b)
    assert len(set(RESPONSE_MARKERS.values())) == len(RESPONSE_MARKERS)


def test_groups_differ_in_line_style_marker_and_hatch_not_only_colour() -> None:
    assert len(set(map(str, ARM_LINESTYLES))) == len(ARM_LINESTYLES)
    assert len(set(ARM_MARKERS)) == len(ARM_MARKERS)
    assert len(set(ARM_HATCHES)) == len(ARM_HATCHES)


def curve(label: str = "Arm A", n_events: int = 8, **kw) -> KMCurve:
    times = [30.0 * (k + 1) for k in range(n_events)]
    survival = [1 - (k + 1) / (n_events + 2) for k in range(n_events)]
    fields = {
        "times": times,
        "survival": survival,
        "lower": [max(0.0, s - 0.2) for s in survival],
        "upper": [min(1.0, s + 0.15) for s in survival],
        "censor_times": [45.0, 100.0, 400.0],
        "median": 150.0,
    }
    return KMCurve(label, **(fields | kw))


def all_figures() -> list[MplFigure]:
    ticks = month_ticks(400)
    return [
        plot_km(
            KMPlot(
                [curve(at_risk=[10] * len(ticks)), curve("B", at_risk=[9] * len(ticks))],
                at_risk_times=ticks,
            )
        ),
        plot_waterfall(WaterfallPlot([WaterfallBar("1", -40, "PR"), WaterfallBar("2", 30, "PD")])),
        plot_swimmer(SwimmerPlot([SwimmerLane("1", "A", 100, 200, ((50, "PR"),), 150)])),
        plot_spider(SpiderPlot([SpiderSeries("1", [42, 84], [-20, -40], "PR")])),
        plot_forest(ForestPlot([ForestRow("All", 10, 0.5, 0.2, 1.1, overall=True)])),
        plot_consort(ConsortFlow(10, (ConsortArm("A", 10, 9, (), 3, (), 9),), screened=12)),
    ]


def test_every_figure_uses_one_font_family_at_print_width() -> None:
    for fig in all_figures():
        assert fig.get_size_inches()[0] == pytest.approx(TEXT_WIDTH_IN)
        families = {t.get_fontname() for t in texts(fig)}
        assert families == {"DejaVu Sans"}, families
        sizes = {t.get_fontsize() for t in texts(fig)}
        assert min(sizes) >= 5.5, "text smaller than 5.5 pt is unreadable in print"


# ------------------------------------------------------------------ Kaplan-Meier


def test_month_ticks_cover_the_follow_up_in_whole_months() -> None:
    assert month_ticks(0) == (0.0, MONTH_DAYS)
    ticks = month_ticks(700)  # 23.0 months → every 3 months up to 24
    assert [round(t / MONTH_DAYS, 6) for t in ticks] == [0, 3, 6, 9, 12, 15, 18, 21, 24]
    assert len(month_ticks(3650)) <= 9
    assert month_ticks(3650)[-1] >= 3650


def test_km_draws_steps_in_months_with_at_risk_aligned_to_ticks(is_blank) -> None:
    ticks = month_ticks(360)
    a = curve("Experimental", at_risk=[20, 15, 11, 8, 5, 2, 1][: len(ticks)])
    fig = plot_km(
        KMPlot([a], y_label="Progression-free survival", at_risk_times=ticks, annotation="HR 0.6")
    )
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == pytest.approx([t / MONTH_DAYS for t in ticks])
    assert ax.get_xlabel() == "Time (months)"
    step = ax.lines[0]
    assert step.get_drawstyle() == "steps-post"
    x, y = step.get_data()
    assert x[0] == 0 and y[0] == 1.0  # drawn from (0, 1)
    assert x[1] == pytest.approx(30 / MONTH_DAYS) and y[1] == pytest.approx(a.survival[0])
    # the number at risk sits exactly under each tick
    risk_ax = fig.axes[1]
    numbers = [(float(t.get_position()[0]), t.get_text()) for t in risk_ax.texts]
    for tick, n in zip(ticks, a.at_risk, strict=True):
        assert any(math.isclose(x, tick / MONTH_DAYS) and text == str(n) for x, text in numbers)
    assert "Number at risk" in shown(fig)
    assert "HR 0.6" in shown(fig)
    rendered(fig, is_blank)


def test_km_censor_marks_sit_on_the_curve() -> None:
    a = curve(censor_times=[45.0, 100.0])
    fig = plot_km(KMPlot([a]))
    marks = [line for line in fig.axes[0].lines if line.get_linestyle() == "None"]
    x, y = marks[0].get_data()
    assert list(x) == pytest.approx([45 / MONTH_DAYS, 100 / MONTH_DAYS])
    assert list(y) == pytest.approx([a.survival[0], a.survival[2]])  # S(45)=S(30), S(100)=S(90)


def test_km_median_guides_are_drawn_only_when_reached() -> None:
    reached = plot_km(KMPlot([curve(median=150.0)]))
    not_reached = plot_km(KMPlot([curve(median=None)]))
    assert len(reached.axes[0].lines) == len(not_reached.axes[0].lines) + 2


def test_km_groups_differ_in_colour_and_line_style() -> None:
    fig = plot_km(KMPlot([curve("A"), curve("B")]))
    steps = [line for line in fig.axes[0].lines if line.get_drawstyle() == "steps-post"]
    assert to_hex(steps[0].get_color()).upper() == OKABE_ITO["blue"]
    assert to_hex(steps[1].get_color()).upper() == OKABE_ITO["vermillion"]
    assert steps[0].get_linestyle() != steps[1].get_linestyle()


@pytest.mark.parametrize(
    "plot",
    [
        KMPlot([]),
        KMPlot([KMCurve("No events", [], [], censor_times=[10, 50, 200])]),
        KMPlot([KMCurve("One patient", [100.0], [0.0], [None], [None])]),
        KMPlot([KMCurve("Nothing at all", [], [])], at_risk_times=[0.0]),
    ],
    ids=["no curves", "no events", "one patient dies", "no follow-up"],
)
def test_km_degenerate_inputs_render(plot: KMPlot, is_blank) -> None:
    rendered(plot_km(plot), is_blank)


def test_km_shows_a_message_when_there_is_nothing_to_draw() -> None:
    assert "No patients" in shown(plot_km(KMPlot([])))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"times": [10, 5], "survival": [0.9, 0.8]}, "times must not decrease"),
        ({"times": [10, 20], "survival": [0.8, 0.9]}, "survival"),
        ({"times": [10], "survival": [1.2]}, "within 0–1"),
        ({"times": [10, 20], "survival": [0.9]}, "differ in length"),
        ({"times": [10], "survival": [0.9], "lower": [0.8, 0.7]}, "differ in length"),
        ({"times": ["soon"], "survival": [0.9]}, "must be numbers"),
    ],
)
def test_km_curve_rejects_bad_input(kwargs, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        KMCurve("bad", **kwargs)


def test_km_at_risk_must_match_the_times() -> None:
    with pytest.raises(ValueProblem, match="2 numbers at risk for 3 at-risk times"):
        KMPlot([curve(at_risk=[5, 4])], at_risk_times=[0, 30, 60])


def test_km_accepts_numpy_arrays_and_stores_tuples() -> None:
    c = KMCurve("np", np.array([1.0, 2.0]), np.array([0.9, 0.8]))
    assert c.times == (1.0, 2.0) and isinstance(c.survival, tuple)
    assert c.survival_at(0.5) == 1.0 and c.survival_at(1.5) == 0.9 and c.survival_at(9) == 0.8


# ------------------------------------------------------------------ waterfall


def test_waterfall_sorts_bars_colours_by_response_and_draws_thresholds(is_blank) -> None:
    bars = [
        WaterfallBar("a", -35.0, "PR"),
        WaterfallBar("b", 25.0, "PD"),
        WaterfallBar("c", -100.0, "CR"),
        WaterfallBar("d", 5.0, "SD"),
        WaterfallBar("e", None, "NE"),
    ]
    fig = plot_waterfall(WaterfallPlot(bars))
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [25.0, 5.0, -35.0, -100.0]
    colours = [to_hex(p.get_facecolor()).upper() for p in ax.patches]
    assert colours == [RESPONSE_COLORS[c].upper() for c in ("PD", "SD", "PR", "CR")]
    lines = {tuple(line.get_ydata()) for line in ax.lines}
    assert (-30.0, -30.0) in lines and (20.0, 20.0) in lines
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", "d", "a", "c"]
    assert "1 without post-baseline" in shown(fig)
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["CR", "PR", "SD", "PD", "NE"]
    rendered(fig, is_blank)


def test_waterfall_caps_large_increases_and_labels_them() -> None:
    fig = plot_waterfall(WaterfallPlot([WaterfallBar("a", 240.0, "PD")]))
    assert fig.axes[0].patches[0].get_height() == 100.0
    assert "240%" in shown(fig)


def test_waterfall_makes_one_panel_per_arm() -> None:
    bars = [WaterfallBar(str(i), -10.0 * i, "SD", "A" if i % 2 else "B") for i in range(6)]
    fig = plot_waterfall(WaterfallPlot(bars, arms=("B", "A")))
    assert [ax.get_title() for ax in fig.axes] == ["B (n = 3)", "A (n = 3)"]


@pytest.mark.parametrize(
    "bars",
    [[], [WaterfallBar("1", None, "NE")], [WaterfallBar("1", 0.0, "SD")]],
    ids=["nobody", "no measurement", "one unchanged"],
)
def test_waterfall_degenerate_inputs_render(bars, is_blank) -> None:
    rendered(plot_waterfall(WaterfallPlot(bars)), is_blank)


def test_waterfall_rejects_an_unknown_response() -> None:
    with pytest.raises(ValueProblem, match="'iCR' is not one of CR, PR, SD, PD, NE"):
        WaterfallBar("1", -50, "iCR")


# ------------------------------------------------------------------ swimmer


def test_swimmer_orders_lanes_by_duration_and_marks_events(is_blank) -> None:
    lanes = [
        SwimmerLane("short", "A", 60, 90, progression_day=60),
        SwimmerLane("long", "B", 300, 400, ((56, "PR"), (120, "CR")), ongoing=False, death_day=400),
        SwimmerLane("mid", "A", 200, None, ongoing=True),
    ]
    fig = plot_swimmer(SwimmerPlot(lanes))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["long", "mid", "short"]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    for expected in (
        "A: on treatment",
        "B: on treatment",
        "Complete response",
        "Partial response",
        "Progression",
        "Death",
        "On treatment at cut-off",
        "Follow-up",
    ):
        assert expected in labels
    bar_widths = sorted(p.get_width() for p in ax.patches)
    assert bar_widths == pytest.approx([60 / MONTH_DAYS, 200 / MONTH_DAYS, 300 / MONTH_DAYS])
    rendered(fig, is_blank)


@pytest.mark.parametrize(
    "lanes",
    [[], [SwimmerLane("1", "A", 0.0)], [SwimmerLane(str(i), "A", i + 1.0) for i in range(150)]],
    ids=["nobody", "zero days", "150 patients"],
)
def test_swimmer_degenerate_and_large_inputs_render(lanes, is_blank) -> None:
    fig = plot_swimmer(SwimmerPlot(lanes))
    assert fig.get_size_inches()[1] < 11  # fits an A4 page even for many patients
    rendered(fig, is_blank)


def test_swimmer_rejects_bad_lanes() -> None:
    with pytest.raises(ValueProblem, match="not CR or PR"):
        SwimmerLane("1", "A", 10, responses=((5, "SD"),))
    with pytest.raises(ValueProblem, match="≥ 0"):
        SwimmerLane("1", "A", -1)


# ------------------------------------------------------------------ spider


def test_spider_starts_every_line_at_baseline_and_styles_by_response(is_blank) -> None:
    series = [
        SpiderSeries("1", [42, 84], [-35, -60], "PR"),
        SpiderSeries("2", [42], [25], "PD"),
    ]
    fig = plot_spider(SpiderPlot(series))
    first = fig.axes[0].lines[-2]
    assert next(iter(first.get_xdata())) == 0 and next(iter(first.get_ydata())) == 0
    assert to_hex(first.get_color()).upper() == RESPONSE_COLORS["PR"].upper()
    second = fig.axes[0].lines[-1]
    assert second.get_linestyle() != first.get_linestyle()
    rendered(fig, is_blank)


@pytest.mark.parametrize(
    "series",
    [[], [SpiderSeries("1", [], [], "NE")], [SpiderSeries("1", [0.0], [0.0], "SD")]],
    ids=["nobody", "no visits", "baseline only"],
)
def test_spider_degenerate_inputs_render(series, is_blank) -> None:
    rendered(plot_spider(SpiderPlot(series)), is_blank)


# ------------------------------------------------------------------ forest


def test_forest_draws_rows_in_order_on_a_log_axis(is_blank) -> None:
    rows = [
        ForestRow("All patients", 60, 0.64, 0.36, 1.13, events=41, overall=True),
        ForestRow("Age", header=True),
        ForestRow("< 65", 34, 0.58, 0.26, 1.30, level=1),
        ForestRow("PD-L1 < 1%", 14, level=1, note="not estimable: no events"),
    ]
    fig = plot_forest(ForestPlot(rows, favours=("Favours A", "Favours B")))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    text = shown(fig)
    for expected in (
        "0.64 (0.36–1.13)",
        "0.58 (0.26–1.30)",
        "not estimable: no events",
        "41/60",
        "← Favours A",
        "Favours B →",
    ):
        assert expected in text
    assert any(line.get_xdata()[0] == 1.0 for line in ax.lines)  # the reference line at HR 1
    rendered(fig, is_blank)


def test_forest_treats_infinite_or_zero_limits_as_not_estimable() -> None:
    row = ForestRow("No events", 5, 0.0, 0.0, math.inf)
    assert (row.estimate, row.lower, row.upper) == (None, None, None)


def test_forest_rejects_an_estimate_outside_its_ci() -> None:
    with pytest.raises(ValueProblem, match="outside its CI"):
        ForestRow("x", 10, 2.0, 0.5, 1.5)


@pytest.mark.parametrize(
    "rows",
    [[], [ForestRow("Only a heading", header=True)], [ForestRow("x", 3, note="no events")]],
    ids=["no rows", "heading only", "nothing estimable"],
)
def test_forest_degenerate_inputs_render(rows, is_blank) -> None:
    rendered(plot_forest(ForestPlot(rows)), is_blank)


# ------------------------------------------------------------------ CONSORT


def test_consort_shows_every_count_and_reason(is_blank) -> None:
    flow = ConsortFlow(
        enrolled=60,
        screened=81,
        randomized=True,
        not_eligible=(Reason("EGFR mutation", 6), Reason("Declined", 15)),
        arms=(
            ConsortArm(
                "RT", 30, 29, (Reason("Withdrew consent", 1),), 12, (Reason("Progression", 12),), 30
            ),
            ConsortArm(
                "Control", 30, 30, (), 16, (Reason("Progression", 16),), 29, (Reason("Lost", 1),)
            ),
        ),
    )
    fig = plot_consort(flow)
    text = shown(fig)
    for expected in (
        "Assessed for eligibility (n = 81)",
        "Excluded (n = 21)",
        "EGFR mutation (n = 6)",
        "Randomized (n = 60)",
        "Allocated to RT (n = 30)",
        "Received allocated intervention (n = 29)",
        "Did not receive allocated intervention (n = 1)",
        "Withdrew consent (n = 1)",
        "Discontinued treatment (n = 16)",
        "Analysed (n = 29)",
        "Excluded from analysis (n = 1)",
        "Enrolment",
        "Allocation",
        "Follow-up",
        "Analysis",
    ):
        assert expected in text, expected
    rendered(fig, is_blank)


def test_consort_single_arm_wording_and_not_reported_counts() -> None:
    text = shown(plot_consort(ConsortFlow(25, (ConsortArm("Serplulimab + cryoablation", 25),))))
    assert "Enrolled (n = 25)" in text
    assert "Serplulimab + cryoablation (n = 25)" in text
    assert "Allocated to" not in text
    assert "Discontinued treatment (not reported)" in text


def test_consort_wraps_long_reasons_inside_their_box() -> None:
    long_reason = "Inadequate organ function: creatinine clearance below 50 mL/min " * 3
    fig = plot_consort(
        ConsortFlow(
            5, (ConsortArm("A", 5),), screened=9, not_eligible=(Reason(long_reason.strip(), 4),)
        )
    )
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width_px = fig.get_size_inches()[0] * fig.dpi
    for t in texts(fig):
        box = t.get_window_extent(renderer)
        assert box.x1 <= width_px + 0.5, t.get_text()


@pytest.mark.parametrize(
    "flow",
    [
        ConsortFlow(0),
        ConsortFlow(1, (ConsortArm("A", 1, 0, (), 0, (), 0),)),
        ConsortFlow(3, tuple(ConsortArm(f"Arm {i}", 1) for i in range(3)), randomized=True),
    ],
    ids=["nobody", "one patient, untreated", "three arms"],
)
def test_consort_degenerate_inputs_render(flow: ConsortFlow, is_blank) -> None:
    rendered(plot_consort(flow), is_blank)


def test_consort_rejects_impossible_counts() -> None:
    with pytest.raises(ValueProblem, match="25 enrolled but only 20 screened"):
        ConsortFlow(25, screened=20)
    with pytest.raises(ValueProblem, match=r"received .* exceeds allocated"):
        ConsortArm("A", 10, received=11)


def test_km_risk_table_shows_full_arm_labels_wrapped_never_truncated() -> None:
    ticks = month_ticks(400)
    long = "Maintenance therapy + consolidation radiotherapy to all residual tumours"
    fig = plot_km(
        KMPlot(
            [
                curve(long, at_risk=[10] * len(ticks)),
                curve("Maintenance therapy", at_risk=[9] * len(ticks)),
            ],
            at_risk_times=ticks,
        )
    )
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert not any("…" in t for t in texts)
    wrapped = [t for t in texts if "\n" in t and t.replace("\n", " ") == long]
    assert wrapped  # the long label, whole, over several lines
