"""Kaplan-Meier curves are dotted where fewer than 5 patients remain at risk, and the caption
says so (issue 14: "curves are drawn down to 1–2 patients at risk without caveat").

Expected by hand (R's survfit gives the same n.risk): 7 patients with events on days 10, 20, …,
70 have 7, 6, 5, 4, … at risk at those days; after day 30 only 4 remain, so the curve is dotted
from day 30.
"""

from __future__ import annotations

from oncotrial.report.figures.km import KMCurve, KMPlot, plot_km
from oncotrial.report.trial.figures import MIN_AT_RISK, sparse_from
from oncotrial.stats.km import kaplan_meier


def test_the_sparse_tail_starts_where_fewer_than_five_remain() -> None:
    curve = kaplan_meier([10, 20, 30, 40, 50, 60, 70], [1] * 7)
    assert MIN_AT_RISK == 5
    assert list(curve.n_risk) == [7, 6, 5, 4, 3, 2, 1]
    assert sparse_from(curve) == 30.0
    assert sparse_from(kaplan_meier([10, 20], [1, 1])) == 0.0  # never 5 at risk
    assert sparse_from(kaplan_meier([10] * 6, [1] * 6)) is None  # the last step leaves 6 at risk


def test_the_tail_is_drawn_dotted_and_the_head_solid() -> None:
    km = KMCurve(
        "Arm A",
        times=[10, 20, 30, 40, 50, 60, 70],
        survival=[6 / 7, 5 / 7, 4 / 7, 3 / 7, 2 / 7, 1 / 7, 0.0],
        sparse_from=30.0,
    )
    fig = plot_km(KMPlot([km], show_ci=False, show_medians=False))
    ax = fig.axes[0]
    styles = {line.get_linestyle() for line in ax.get_lines()}
    assert ":" in styles and "-" in styles
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    solid = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    # both parts meet at day 30 (≈ 0.99 months), the solid one ends there
    assert max(solid[0].get_xdata()) == min(dotted[0].get_xdata()) == 30 / 30.4375
