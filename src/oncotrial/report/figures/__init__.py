"""Publication figures for the trial report (matplotlib, Agg canvas, one style).

Each ``plot_*`` function takes one plain, engine-independent input dataclass and returns a
:class:`matplotlib.figure.Figure` drawn at print size; wrap it for a report with
``oncotrial.report.Figure.from_matplotlib(fig, id=…, caption=…, alt_text=…)``.

=====================  ==========================================  ===========================
figure                 input                                       module
=====================  ==========================================  ===========================
Kaplan-Meier curves    ``KMPlot`` of ``KMCurve``                    :mod:`.km`
waterfall              ``WaterfallPlot`` of ``WaterfallBar``        :mod:`.waterfall`
swimmer                ``SwimmerPlot`` of ``SwimmerLane``           :mod:`.swimmer`
spider                 ``SpiderPlot`` of ``SpiderSeries``           :mod:`.spider`
forest                 ``ForestPlot`` of ``ForestRow``              :mod:`.forest`
CONSORT flow           ``ConsortFlow`` of ``ConsortArm``/``Reason`` :mod:`.consort`
=====================  ==========================================  ===========================

Times are days in every input and months (÷ 30.4375) on every axis. Empty or degenerate input
(no patients, no events, one patient, no responders) draws a labelled, empty panel — never an
exception. Bad input (a row of the wrong length, a survival above 1) raises
:class:`oncotrial.errors.ValueProblem` when the input object is built.
"""

from oncotrial.report.figures.consort import ConsortArm, ConsortFlow, Reason, plot_consort
from oncotrial.report.figures.forest import ForestPlot, ForestRow, plot_forest
from oncotrial.report.figures.km import KMCurve, KMPlot, month_ticks, plot_km
from oncotrial.report.figures.spider import SpiderPlot, SpiderSeries, plot_spider
from oncotrial.report.figures.style import (
    MONTH_DAYS,
    OKABE_ITO,
    RESPONSE_COLORS,
    TEXT_WIDTH_IN,
    figure_style,
)
from oncotrial.report.figures.swimmer import SwimmerLane, SwimmerPlot, plot_swimmer
from oncotrial.report.figures.waterfall import WaterfallBar, WaterfallPlot, plot_waterfall

__all__ = [
    "MONTH_DAYS",
    "OKABE_ITO",
    "RESPONSE_COLORS",
    "TEXT_WIDTH_IN",
    "ConsortArm",
    "ConsortFlow",
    "ForestPlot",
    "ForestRow",
    "KMCurve",
    "KMPlot",
    "Reason",
    "SpiderPlot",
    "SpiderSeries",
    "SwimmerLane",
    "SwimmerPlot",
    "WaterfallBar",
    "WaterfallPlot",
    "figure_style",
    "month_ticks",
    "plot_consort",
    "plot_forest",
    "plot_km",
    "plot_spider",
    "plot_swimmer",
    "plot_waterfall",
]
