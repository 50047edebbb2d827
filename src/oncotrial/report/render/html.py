"""One self-contained HTML file: Jinja2 template, inline CSS, figures as data: URIs.

The page needs no network at all — no web fonts, scripts or external styles — and says so to
the browser with a Content-Security-Policy (``default-src 'none'; img-src data:``), so it opens
the same from a USB stick, an e-mail attachment or an air-gapped review room. Markup is
accessible: landmarks (``header``/``nav``/``main``), one ``h1``, numbered headings, table
captions with ``th scope``, figure ``alt`` text, notes with ``role="note"``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

import jinja2
from markupsafe import Markup

from oncotrial.report.document import (
    CellValue,
    Column,
    Facts,
    Figure,
    Listing,
    Note,
    Paragraph,
    RegistryQuote,
    Report,
    Table,
    format_cell,
)

__all__ = ["render_html"]

#: CSS pixels per inch: a figure designed 6.85 in wide shows at its print size on screen.
CSS_PX_PER_IN = 96


def _kind(block: object) -> str:
    if isinstance(block, Listing):
        return "listing"
    for cls, name in (
        (Table, "table"),
        (Figure, "figure"),
        (Paragraph, "paragraph"),
        (RegistryQuote, "quote"),
        (Facts, "facts"),
        (Note, "note"),
    ):
        if isinstance(block, cls):
            return name
    return "unknown"


def _png_uri(figure: Figure) -> str:
    return "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii")


_SVG_PROLOGUE = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)


def _inline_svg(figure: Figure) -> Markup:
    """The figure's SVG without its XML prologue, safe to place inside HTML."""
    svg = _SVG_PROLOGUE.sub("", figure.svg or "")
    # matplotlib writes ids like "patch_1" in every figure; prefix them so that two inline
    # SVGs on one page cannot collide (duplicate ids break clip paths and accessibility).
    svg = re.sub(r'id="([^"]+)"', rf'id="{figure.id}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{figure.id}-\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{figure.id}-\1"', svg)
    return Markup(svg)


def _show(value: CellValue, column: Column, missing_text: str) -> str:
    return format_cell(value, column, missing_text)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("oncotrial.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.globals.update(
        kind=_kind,
        png_uri=_png_uri,
        inline_svg=_inline_svg,
        show=_show,
        css_width=lambda f: round(f.width_in * CSS_PX_PER_IN),
        css_height=lambda f: round(f.height_in * CSS_PX_PER_IN),
    )
    return env


@cache
def _css() -> str:
    return (files("oncotrial.report") / "templates" / "report.css").read_text(encoding="utf-8")


def render_html(report: Report, *, table_links: Mapping[str, str] | None = None) -> str:
    """The report as one HTML document (a string).

    ``table_links`` maps table ids to relative paths of their CSV files; when given, each
    table links its data (``write_report`` passes them). Without it the page has no links
    outside itself.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(report=report, css=Markup(_css()), table_links=dict(table_links or {}))
