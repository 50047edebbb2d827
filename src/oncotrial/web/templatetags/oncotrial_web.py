"""Template filters of the web application (loaded in every template)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
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


class _CachedURLNode(URLNode):
    """``{% url %}`` whose reversals are remembered (``_reverse``); otherwise Django's own."""

    def render(self, context: Any) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        view_name = self.view_name.resolve(context)
        try:  # as Django's URLNode
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        found = ""
        try:
            key = (view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf())
            try:
                found = _reverse(key)
            except TypeError:  # a value that cannot key the cache
                found = _reverse.__wrapped__(key)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = found
            return ""
        return str(conditional_escape(found)) if context.autoescape else found


@lru_cache(maxsize=4096)
def _reverse(key: tuple[Any, ...]) -> str:
    # A URL depends only on the URL map, the script prefix and the values: all in the key. The
    # page frame (base.html) reverses ~16 fixed URLs on every page (issue 13).
    view_name, args, kwargs, current_app, _prefix, _urlconf = key
    found: str = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
    return found


@register.tag
def cached_url(parser: Any, token: Any) -> Any:
    """``{% cached_url 'web:trial' t %}``: as ``{% url %}`` (same arguments, ``as var`` too),
    each distinct reversal computed once per process."""
    node = url_tag(parser, token)
    return _CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
