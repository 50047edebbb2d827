"""Text cells a spreadsheet cannot run: CSV/XLSX formula injection (OWASP "CSV Injection").

A spreadsheet opening a CSV or XLSX file runs a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (tab and carriage return are stripped first by some), so free text entered in
the web application — ``=HYPERLINK("http://…","CLICK")``, ``@SUM(1+1)`` — would run on the
reviewer's machine. OWASP's remedy: start such a cell with a single quote, which spreadsheets
show as text. A number (``-1.5``, ``+3``, ``1e-3``) is left as it is: it is no formula, and a
numeric column must stay numeric. Every CSV and XLSX the project writes passes its text cells
through :func:`neutralise_formula`.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FORMULA_LEADS", "needs_neutralising", "neutralise_formula"]

FORMULA_LEADS: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def needs_neutralising(text: str) -> bool:
    return text.startswith(FORMULA_LEADS) and _NUMBER.fullmatch(text) is None


def neutralise_formula(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run; else unchanged."""
    if isinstance(value, str) and needs_neutralising(value):
        return "'" + value
    return value
