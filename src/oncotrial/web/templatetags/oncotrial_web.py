"""Template filters of the web application (loaded in every template)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

register = template.Library()

_TONES = {
    # subject and visit states, screening verdicts, query states
    "on study": "ok",
    "eligible": "ok",
    "done": "ok",
    "met": "ok",
    "passes": "ok",
    "closed": "muted",
    "in screening": "info",
    "due": "info",
    "upcoming": "muted",
    "answered": "info",
    "open": "warn",
    "incomplete": "warn",
    "unknown": "warn",
    "investigator": "warn",
    "done, out of window": "warn",
    "off treatment": "muted",
    "off study": "muted",
    "not needed": "muted",
    "screen failure": "bad",
    "not eligible": "bad",
    "not met": "bad",
    "fails": "bad",
    "overdue": "bad",
    "died": "bad",
}


@register.filter
def tone(value: Any) -> str:
    """The colour family of a status word (ok, info, warn, bad, muted)."""
    return _TONES.get(str(value).lower(), "muted")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def number(value: Any) -> str:
    """A number without a needless '.0' (72.0 → 72, 33.5 → 33.5)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def make_list_words(value: str) -> list[str]:
    """'LEFT RIGHT' → ['LEFT', 'RIGHT'] (for short fixed choice lists in templates)."""
    return str(value).split()


@register.simple_tag
def options(values: Any, chosen: Any, label: str = "") -> SafeString:
    """A select's ``<option>`` list, the one equal to ``chosen`` selected; ``label="word"``
    shows each value in lower case with a capital first letter ("PARTIAL" → "Partial").

    The same markup as the template loop it replaces (``<option value="{{ v }}" {% if v ==
    chosen %}selected{% endif %}>{{ v }}</option>``), built in Python: the tumour assessment
    form's dozen such loops were a third of its rendering time (issue 13)."""
    try:
        return _options(tuple(values), chosen, label == "word")
    except TypeError:  # a value that cannot key the cache: built as it is
        return _options.__wrapped__(tuple(values), chosen, label == "word")


@lru_cache(maxsize=512)
def _options(values: tuple[Any, ...], chosen: Any, word: bool) -> SafeString:
    # Cached: the values are the catalogue's fixed code lists and a protocol's visit names.
    return mark_safe(  # every part escaped by format_html
        "".join(
            format_html(
                '<option value="{}" {}>{}</option>',
                v,
                "selected" if v == chosen else "",
                capfirst(str(v).lower()) if word else v,
            )
            for v in values
        )
    )


@register.simple_tag
def value_options(values: Any) -> SafeString:
    """A datalist's ``<option value="…">`` entries (no label, no closing tag, as before)."""
    return _value_options(tuple(values))


@lru_cache(maxsize=64)
def _value_options(values: tuple[Any, ...]) -> SafeString:
    return mark_safe("".join(format_html('<option value="{}">', v) for v in values))
