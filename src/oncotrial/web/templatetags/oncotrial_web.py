"""Template filters of the web application (loaded in every template)."""

from __future__ import annotations

from typing import Any

from django import template

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
