"""Middleware: security headers, session expiry, and one handler for domain errors."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from oncotrial.errors import OncotrialError

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DomainErrors",
    "HeadAsGet",
    "SecurityHeaders",
    "SessionExpiry",
]

# Only this server's own scripts, styles and images; no inline script, no plugins, no framing.
# (htmx is configured not to inject its indicator styles and not to evaluate code.)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

Handler = Callable[[HttpRequest], HttpResponse]


class HeadAsGet:
    """HEAD is answered wherever GET is (RFC 9110 §9.3.2: the same headers, no body).

    The views allow GET (and POST) by name; a HEAD reaches them as GET and its body is dropped
    here, Content-Length kept (issue 13 item 11: ``HEAD /login/`` answered 405).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if response.streaming:
            response.streaming_content = iter(())
        else:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class SecurityHeaders:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Clinical data must not linger in shared browser caches.
            response.setdefault("Cache-Control", "no-store")
        return response


class SessionExpiry:
    """Log out after ``ONCOTRIAL_IDLE_MINUTES`` without a request or ``ONCOTRIAL_MAX_HOURS``.

    The time of the last request is written to the session at most once a minute, so that a busy
    user does not cost a session write on every request.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get("oncotrial_started", now)
            seen = session.get("oncotrial_seen", now)
            idle = settings.ONCOTRIAL_IDLE_MINUTES * 60
            longest = settings.ONCOTRIAL_MAX_HOURS * 3600
            if now - seen > idle or now - started > longest:
                logout(request)
                response = redirect(f"{settings.LOGIN_URL}?expired=1")
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=200)
                    response["HX-Redirect"] = f"{settings.LOGIN_URL}?expired=1"
                return response
            if "oncotrial_started" not in session:
                session["oncotrial_started"] = now
            if now - seen >= 60 or "oncotrial_seen" not in session:
                session["oncotrial_seen"] = now
        return self.get_response(request)


class DomainErrors:
    """An ``OncotrialError`` a view did not catch becomes a clear page (400), never a traceback."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OncotrialError):
            from oncotrial.web.views.errors import domain_error

            return domain_error(request, exception)
        return None
