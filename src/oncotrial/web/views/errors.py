"""Error pages: CSRF failures, domain errors, 403, 404 and 500 — clear words, never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oncotrial.errors import OncotrialError
from oncotrial.web.render import respond

__all__ = ["csrf_failure", "domain_error", "forbidden", "not_found", "server_error"]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    data = {
        "title": "The form has expired",
        "message": "This form could not be accepted because its security token is missing or "
        "out of date (cross-site request forgery protection). Nothing was saved. Reload the page "
        "and submit it again.",
    }
    return respond(request, "web/error.html", data, status=403)


def domain_error(request: HttpRequest, error: OncotrialError) -> HttpResponse:
    data = {
        "title": "This could not be done",
        "message": str(error),
        "problems": [p.describe() for p in error.problems[:50]],
    }
    return respond(request, "web/error.html", data, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "You may not open this page."
    return respond(
        request, "web/error.html", {"title": "Not allowed", "message": message}, status=403
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return respond(
        request,
        "web/error.html",
        {"title": "Not found", "message": "There is no such page, or it is not yours to see."},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors here: the failure may be in them.
    return render(
        request,
        "web/error_plain.html",
        {
            "title": "Something went wrong",
            "message": "The server met an internal error; nothing was saved. This is a bug in "
            "oncotrial — please report it with the time it happened.",
        },
        status=500,
    )
