"""One publication style for every figure: font, sizes, palette, line styles, markers.

* Font: DejaVu Sans, the font matplotlib ships, so figures look the same on every machine and
  match the PDF's text (which registers the same TTF files).
* Sizes: figures are drawn at their print size — :data:`TEXT_WIDTH_IN` is the A4 text width
  the PDF uses — with 8 pt tick labels and 8.5–9 pt labels, readable in print without scaling.
* Colour: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), safe for the
  common colour-vision deficiencies. Colour is never the only cue: groups also differ in line
  style and marker, and response categories in bar hatching, so a greyscale print still reads.

Figures are built with :class:`matplotlib.figure.Figure` directly (never pyplot), inside
:func:`figure_style`, so no global state changes and nothing needs closing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oncotrial.catalogue.durations import DAYS_PER_MONTH

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "ARM_COLORS",
    "ARM_HATCHES",
    "ARM_LINESTYLES",
    "ARM_MARKERS",
    "CENSOR_MARKERS",
    "FONT_FAMILY",
    "MONTH_DAYS",
    "OKABE_ITO",
    "RESPONSE_COLORS",
    "RESPONSE_HATCHES",
    "RESPONSE_LINESTYLES",
    "RESPONSE_MARKERS",
    "RESPONSE_ORDER",
    "STYLE",
    "TEXT_WIDTH_IN",
    "arm_style",
    "days_to_months",
    "figure_style",
    "new_figure",
    "response_style",
]

#: Okabe & Ito (2008) colour-blind-safe palette, by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

FONT_FAMILY = "DejaVu Sans"

#: The PDF's text width on A4 with 18 mm margins (174 mm); figures are drawn this wide.
TEXT_WIDTH_IN = 6.85

#: Days per month used on every time axis: the mean Gregorian month (365.25 / 12).
MONTH_DAYS = DAYS_PER_MONTH

#: Arms/groups in order: colour, line style, marker, hatch — each alone tells groups apart.
ARM_COLORS = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
)
ARM_LINESTYLES: tuple[Any, ...] = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)))
ARM_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
ARM_HATCHES = ("", "////", "....", "xxxx", "\\\\\\\\", "++")
#: Censor marks per group: "|" is the convention; the others keep groups apart in greyscale.
CENSOR_MARKERS = ("|", "x", "+", "1", "2", "3")

#: Best overall response categories (RECIST 1.1 §4.4) in display order.
RESPONSE_ORDER = ("CR", "PR", "SD", "PD", "NE")
#: Dark to light (CR darkest) so the order survives greyscale; hatching separates SD/PD/NE
#: further, whose grey values are close.
RESPONSE_COLORS: dict[str, str] = {
    "CR": OKABE_ITO["blue"],
    "PR": OKABE_ITO["sky_blue"],
    "SD": OKABE_ITO["orange"],
    "PD": OKABE_ITO["vermillion"],
    "NE": "#BBBBBB",
}
RESPONSE_HATCHES: dict[str, str] = {"CR": "", "PR": "", "SD": "....", "PD": "////", "NE": "xxxx"}
RESPONSE_LINESTYLES: dict[str, Any] = {
    "CR": "-",
    "PR": "-",
    "SD": "--",
    "PD": ":",
    "NE": "-.",
}
RESPONSE_MARKERS: dict[str, str] = {"CR": "o", "PR": "^", "SD": "s", "PD": "X", "NE": "D"}

#: matplotlib rc settings applied while a figure is built and saved.
STYLE: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.5,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#000000",
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.5,
    "hatch.linewidth": 0.6,
    "hatch.color": "#333333",
    "svg.fonttype": "path",  # text as paths: the SVG needs no font on the reader's machine
    "pdf.fonttype": 42,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "axes.unicode_minus": True,
}


@contextmanager
def figure_style() -> Iterator[None]:
    """Apply :data:`STYLE` for the duration of a block, restoring the previous settings."""
    with matplotlib.rc_context(STYLE):
        yield


def new_figure(width_in: float, height_in: float) -> Figure:
    """A white figure at print size on an Agg canvas (call inside :func:`figure_style`).

    The canvas is attached explicitly rather than by ``matplotlib.use("Agg")`` so that the
    report never changes the backend of a program that imports it (a notebook, the web app).
    """
    figure = Figure(figsize=(width_in, height_in), facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def days_to_months(days: Any) -> Any:
    """Days → months (÷ 30.4375) for scalars and numpy arrays alike."""
    return days / MONTH_DAYS


def arm_style(index: int) -> dict[str, Any]:
    """Colour, line style, marker and hatch of the ``index``-th group (cycling)."""
    return {
        "color": ARM_COLORS[index % len(ARM_COLORS)],
        "linestyle": ARM_LINESTYLES[index % len(ARM_LINESTYLES)],
        "marker": ARM_MARKERS[index % len(ARM_MARKERS)],
        "hatch": ARM_HATCHES[index % len(ARM_HATCHES)],
        "censor": CENSOR_MARKERS[index % len(CENSOR_MARKERS)],
    }


def response_style(category: str) -> dict[str, Any]:
    """Colour, hatch, line style and marker of a best-response category (unknown → NE)."""
    key = category if category in RESPONSE_COLORS else "NE"
    return {
        "color": RESPONSE_COLORS[key],
        "hatch": RESPONSE_HATCHES[key],
        "linestyle": RESPONSE_LINESTYLES[key],
        "marker": RESPONSE_MARKERS[key],
    }
