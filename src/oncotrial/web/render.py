"""Every page has a JSON twin: the same content as data, at the same URL with ``?format=json``.

A view builds the page's content as plain data (``data``) and renders it with a template; when
the request asks for JSON (``?format=json`` or ``Accept: application/json``), the same ``data``
is returned as JSON instead. ``context`` holds what only the HTML needs (forms, widgets).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from pydantic import BaseModel

__all__ = ["RESERVED", "jsonable", "respond", "wants_json"]

# Names every template already has from Django's context processors (settings.py): a page's own
# value under one of them would shadow it; "messages" did, showing a query's thread as flash
# banners of raw dicts (issue 13 item 5).
RESERVED = frozenset(
    {"messages", "request", "user", "perms", "csrf_token", "DEFAULT_MESSAGE_LEVELS"}
)


def wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept: str = request.headers.get("Accept", "")
    return accept.startswith("application/json")


def jsonable(value: Any) -> Any:
    """Plain JSON values from dates, enums, dataclasses, pydantic models and containers."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def respond(
    request: HttpRequest,
    template: str,
    data: dict[str, Any],
    *,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    clash = RESERVED & {*data, *(context or {})}
    if clash:  # a programming error, caught by the tests of every page
        raise TypeError(f"page data uses the reserved template names {sorted(clash)}")
    if wants_json(request):
        return JsonResponse(
            jsonable(data), status=status, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, template, {**data, **(context or {})}, status=status)
