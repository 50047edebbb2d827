"""Small formatting helpers shared by the statistics and design commands."""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from oncotrial.cli._output import console

__all__ = ["emit", "fmt_num", "fmt_p", "fmt_time", "to_json"]


def fmt_num(value: float | None, digits: int = 4) -> str:
    """A number to ``digits`` significant digits; None or NaN (undefined) as "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞"
    return f"{value:.{digits}g}"


def fmt_time(value: float | None) -> str:
    """A time as given (no rounding of days or months); None as "NR" (not reached)."""
    if value is None:
        return "NR"
    return f"{value:g}"


def fmt_p(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def to_json(document: Any, indent: int = 2, level: int = 0) -> str:
    """Indented JSON with lists of numbers or strings on one line (tables stay readable)."""
    pad = " " * (indent * (level + 1))
    if isinstance(document, dict):
        if not document:
            return "{}"
        items = [
            f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {to_json(v, indent, level + 1)}"
            for k, v in document.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * (indent * level) + "}"
    if isinstance(document, list | tuple) and any(isinstance(v, dict | list) for v in document):
        items = [f"{pad}{to_json(v, indent, level + 1)}" for v in document]
        return "[\n" + ",\n".join(items) + "\n" + " " * (indent * level) + "]"
    return json.dumps(document, allow_nan=False, ensure_ascii=False)


def emit(render_text: Any, document: Any, fmt: str, out: Path | None) -> None:
    """Write JSON or Rich text to stdout, or atomically to ``out`` (nothing on failure)."""
    if fmt == "json":
        text = to_json(document) + "\n"
        if out is None:
            click.echo(text, nl=False)
            return
    else:
        if out is None:
            render_text(console)
            return
        from rich.console import Console

        capture = Console(record=True, width=100, highlight=False, file=io.StringIO())
        render_text(capture)
        text = capture.export_text()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
