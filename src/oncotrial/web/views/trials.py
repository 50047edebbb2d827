"""The trial list, importing a trial, and the trial page (registry sections, progress, related)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from oncotrial.errors import InputError, OncotrialError
from oncotrial.formats.protocol_files import bundled_protocols, read_protocols
from oncotrial.protocol.model import Protocol
from oncotrial.protocol.page import PageSection, TrialPage, build_trial_page
from oncotrial.protocol.vocabulary import label
from oncotrial.store import models as db
from oncotrial.web.access import TrialAccess, get_access, trial_view, trials_of
from oncotrial.web.query_status import open_by_trial
from oncotrial.web.related import rank_related
from oncotrial.web.render import respond
from oncotrial.web.roles import Permission
from oncotrial.web.trials import enrollment_progress, import_trial, protocol_of
from oncotrial.web.views.results import build_view, latest_build

__all__ = ["home", "import_view", "trial_page"]

MAX_UPLOAD = 5 * 1024 * 1024


def home(request: HttpRequest) -> HttpResponse:
    cards = []
    mine = list(trials_of(request.user))
    open_queries = open_by_trial(mine)
    for trial in mine:
        access = get_access(request.user, trial.trial_id, trial)
        protocol = access.protocol
        progress = enrollment_progress(trial, protocol, show_arms=False)
        cards.append(
            {
                "trial_id": trial.trial_id,
                "title": protocol.title,
                "conditions": list(protocol.conditions),
                "status": label(protocol.status.overall_status),
                "phase": ", ".join(label(p) for p in protocol.design.phases) or "—",
                "design": label(protocol.design.allocation),
                "arms": len(protocol.arms),
                "roles": sorted(r.label for r in access.roles),
                "enrolled": progress.enrolled,
                "screened": progress.screened,
                "target": progress.target,
                "percent": progress.percent,
                "open_queries": open_queries.get(trial.trial_id, 0),
            }
        )
    data = {"title": "Trials", "trials": cards}
    return respond(
        request, "web/home.html", data, context={"can_import": request.user.is_superuser}
    )


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied("Only the site administrator imports trials.")
    present = set(db.Trial.objects.values_list("trial_id", flat=True))
    seeds = [
        {"trial_id": p.trial_id, "title": p.title, "present": p.trial_id in present}
        for p in bundled_protocols()
    ]
    error: OncotrialError | None = None
    if request.method == "POST":
        try:
            protocols = _chosen_protocols(request)
            with transaction.atomic():
                trials = [import_trial(p, user=request.user) for p in protocols]
        except OncotrialError as exc:
            error = exc
        else:
            for trial in trials:
                messages.success(request, f"Trial {trial.trial_id} imported. You administer it.")
            return redirect("web:trial", trial_id=trials[0].trial_id)
    data = {
        "title": "Import a trial",
        "seeds": seeds,
        "error": str(error) if error else None,
        "problems": [p.describe() for p in error.problems] if error else [],
    }
    return respond(request, "web/import.html", data, status=400 if error else 200)


def _chosen_protocols(request: HttpRequest) -> list[Protocol]:
    seed = request.POST.get("seed", "").strip()
    upload = request.FILES.get("record")
    if seed and upload:
        raise InputError("choose a bundled trial or upload a record, not both")
    if seed:
        for protocol in bundled_protocols():
            if protocol.trial_id == seed:
                return [protocol]
        raise InputError(f"{seed!r} is not one of the bundled trials")
    if upload is None:
        raise InputError("choose a bundled trial or upload a registry record")
    if upload.size is not None and upload.size > MAX_UPLOAD:
        raise InputError(
            f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB", file=upload.name
        )
    name = Path(upload.name or "record.txt").name
    suffix = "".join(Path(name).suffixes[-1:]) or ".txt"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            protocols = read_protocols(path)
        except OncotrialError as exc:
            exc.file = name  # the user's file name, not the temporary one
            raise
    if not protocols:
        raise InputError("the file holds no trial", file=name)
    return protocols


def _section(section: PageSection) -> dict[str, Any]:
    return {
        "title": section.title,
        "facts": [list(f) for f in section.facts],
        "text": section.text,
        "items": [
            {
                "heading": i.heading,
                "facts": [list(f) for f in i.facts],
                "text": i.text,
                "depth": i.depth,
            }
            for i in section.items
        ],
        "header": list(section.header),
        "rows": [list(r) for r in section.rows],
        "notes": list(section.notes),
    }


# The trial page's protocol part, per parsed protocol (``protocol_of`` parses each version once
# per process): building it reads every criterion's text (consistency warnings), ~50 ms of CPU
# per request that saturated the server under bench/web_load.py (issue 13).
_PAGES: dict[int, tuple[Protocol, TrialPage]] = {}


def _protocol_page(protocol: Protocol) -> TrialPage:
    known = _PAGES.get(id(protocol))
    if known is None or known[0] is not protocol:
        known = _PAGES[id(protocol)] = (protocol, build_trial_page(protocol))
    return known[1]


@trial_view(Permission.VIEW_TRIAL)
def trial_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    protocol = access.protocol
    page = _protocol_page(protocol)
    progress = enrollment_progress(access.trial, protocol, show_arms=access.shows_arms)
    visible = {t.trial_id: t for t in trials_of(request.user)}
    others = [protocol_of(t) for t in db.Trial.objects.exclude(pk=access.trial.pk)]
    # Ranked among every trial in the database, shown only where the person has access.
    related = [r for r in rank_related(protocol, others, limit=50) if r.trial_id in visible][:5]
    data = {
        "title": page.title,
        "trial_id": page.trial_id,
        "subtitle": page.subtitle,
        "roles": sorted(r.label for r in access.roles),
        "progress": {
            "target": progress.target,
            "screened": progress.screened,
            "screen_failures": progress.screen_failures,
            "enrolled": progress.enrolled,
            "percent": progress.percent,
            "by_arm": [list(a) for a in progress.by_arm],
            "by_month": [list(m) for m in progress.by_month],
        },
        "sections": [_section(s) for s in page.sections],
        "related": related,
    }
    summary = None
    if access.can(Permission.VIEW_RESULTS):
        build = latest_build(access)
        summary = build_view(build) if build is not None else None
    data["results"] = summary
    return respond(
        request,
        "web/trial.html",
        data,
        context={
            "access": access,
            "nav_section": "overview",
            "curve": _curve(progress),
            "results_summary": summary,
            "registry_results": _registry_results(protocol),
        },
    )


def _registry_results(protocol: Any) -> str | None:
    """A registry record's own posted results (kept by the import), as escaped HTML."""
    from django.utils.safestring import mark_safe

    from oncotrial.results.registry import registry_results
    from oncotrial.results.render import section_html

    section = registry_results(protocol)
    # section_html escapes every value of the record (html.escape); it holds no markup of its own.
    return mark_safe(section_html(section)) if section is not None else None


def _curve(progress: Any) -> dict[str, Any] | None:
    """Cumulative enrollment by month as SVG coordinates (a 600 × 90 step line)."""
    months = progress.by_month
    if not months:
        return None
    top = max(progress.target or 0, months[-1][1]) or 1
    width, height = 600.0, 90.0
    step = width / max(len(months), 1)
    points = [(0.0, height)]
    for i, (_, count) in enumerate(months):
        y = height - height * count / top
        points += [(i * step, points[-1][1]), (i * step, y)]
    points.append((width, points[-1][1]))
    target_y = height - height * (progress.target or 0) / top if progress.target else None
    return {
        "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
        "target_y": None if target_y is None else f"{target_y:.1f}",
        "first": months[0][0],
        "last": months[-1][0],
    }
