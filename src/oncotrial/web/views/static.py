"""The application's own static files (CSS, JS, htmx), served by the application itself.

A team server has no separate web server in front of it by default, so the files are served here
(read from the package, cached by browsers for a day). No page data is in them; they are the one
thing served without a login (the login page needs its stylesheet).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

__all__ = ["STATIC_ROOT", "static_file"]

STATIC_ROOT = (Path(__file__).resolve().parents[1] / "static" / "web").resolve()
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
}


@login_not_required
@require_GET
def static_file(request: HttpRequest, path: str) -> HttpResponse:
    target = (STATIC_ROOT / path).resolve()
    if STATIC_ROOT not in target.parents or not target.is_file() or target.suffix not in _TYPES:
        raise Http404("No such file.")
    response = FileResponse(target.open("rb"), content_type=_TYPES[target.suffix])
    response["Cache-Control"] = "public, max-age=86400"
    return response
