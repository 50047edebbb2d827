"""Results: the trial report (HTML, PDF, XLSX) built from the database, and the SDTM data."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from oncotrial import __version__
from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.errors import OncotrialError, ValueProblem
from oncotrial.formats.adam import write_adsl
from oncotrial.formats.sdtm import write_sdtm_folder
from oncotrial.store.conduct import ReportBuild
from oncotrial.store.sdtm_export import export_sdtm, trial_domains
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.entry import parse_date
from oncotrial.web.render import respond
from oncotrial.web.reports import build_report, report_folder
from oncotrial.web.roles import Permission
from oncotrial.web.trials import today

__all__ = ["report_build", "report_figure", "report_file", "results_page", "sdtm_download"]

FORMATS = {"csv": "SDTM domains, CSV", "json": "SDTM domains, CDISC Dataset-JSON 1.1"}
# The report is one self-contained HTML file: its own inline styles and embedded images, no
# script. It is served with a policy that allows exactly that.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
TABLE = re.compile(r"tables/[a-z0-9][a-z0-9_-]{0,62}\.csv")  # report table ids (docs/report.md)
FILES = {
    "report.html": ("text/html; charset=utf-8", False),
    "report.pdf": ("application/pdf", False),
    # The ClinicalTrials.gov results section drafted from the same analysis (docs/results.md).
    "ctgov-results.html": ("text/html; charset=utf-8", False),
    "ctgov-results.json": ("application/json", True),
    "report.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        True,
    ),
}


def build_view(build: ReportBuild) -> dict[str, Any]:
    base = f"/t/{build.trial.trial_id}/results/{build.pk}"
    return {
        "id": build.pk,
        "cutoff": build.cutoff,
        "cutoff_stated": build.cutoff_stated,
        "generated": build.generated,
        "built_by": build.built_by.get_full_name() or build.built_by.username,
        "simulated": build.simulated,
        "endpoints": build.summary.get("endpoints", []),
        "flow": build.summary.get("flow", {}),
        "notes": build.summary.get("notes", []),
        "figures": [
            {**f, "url": f"{base}/figures/{f['id']}.png"} for f in build.summary.get("figures", [])
        ],
        "files": {
            "html": f"{base}/report.html",
            "pdf": f"{base}/report.pdf",
            "xlsx": f"{base}/report.xlsx",
            "tables": f"{base}/tables.zip",
            "ctgov_html": f"{base}/ctgov-results.html",
            "ctgov_json": f"{base}/ctgov-results.json",
        },
        "ctgov": build.summary.get("ctgov"),
    }


def latest_build(access: TrialAccess) -> ReportBuild | None:
    latest: ReportBuild | None = (
        ReportBuild.objects.filter(trial=access.trial)
        .select_related("trial", "built_by")
        .order_by("-generated", "-pk")
        .first()
    )
    return latest


@trial_view(Permission.VIEW_RESULTS)
def results_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    trial_id = access.trial.trial_id
    builds = (
        ReportBuild.objects.filter(trial=access.trial)
        .select_related("trial", "built_by")
        .order_by("-generated", "-pk")
    )
    data = {
        "title": "Results",
        "reports": [build_view(b) for b in builds[:20]],
        "domains": trial_domains(access.trial),
        "downloads": [
            {"label": label, "format": fmt, "url": f"/t/{trial_id}/results/sdtm-{fmt}.zip"}
            for fmt, label in FORMATS.items()
        ],
    }
    return respond(
        request,
        "web/results.html",
        data,
        context={"access": access, "nav_section": "results", "today": today()},
    )


@require_POST
@trial_view(Permission.VIEW_RESULTS)
def report_build(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    text = request.POST.get("cutoff", "").strip()
    try:
        cutoff = parse_date(text) if text else None
        if text and cutoff is None:
            raise ValueProblem(f"{text!r} is not a date (YYYY-MM-DD)", field="cutoff")
        if cutoff is not None and cutoff > today():
            raise ValueProblem(f"the cut-off {cutoff} is in the future", field="cutoff")
        build = build_report(
            access.trial, cutoff=cutoff, user=request.user, generated=timezone.now()
        )
    except OncotrialError as exc:
        messages.error(request, exc.report(limit=10))
    else:
        messages.success(request, f"Report built with data cut-off {build.cutoff}.")
    return redirect("web:results", access.trial.trial_id)


def _build(access: TrialAccess, pk: int) -> ReportBuild:
    build: ReportBuild | None = (
        ReportBuild.objects.filter(trial=access.trial, pk=pk).select_related("trial").first()
    )
    if build is None:
        raise Http404("No such report.")
    return build


@trial_view(Permission.VIEW_RESULTS)
def report_file(request: HttpRequest, access: TrialAccess, pk: int, name: str) -> HttpResponse:
    build = _build(access, pk)
    folder = report_folder(build)
    if name == "tables.zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((folder / "tables").glob("*.csv")):
                archive.write(path, f"tables/{path.name}")
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="{access.trial.trial_id}-report-{build.cutoff}-tables.zip"'
        )
        return response
    if TABLE.fullmatch(name):  # the report's links to its own tables (tables/<id>.csv)
        path = folder / name
        if not path.is_file():
            raise Http404("No such table.")
        return FileResponse(path.open("rb"), content_type="text/csv; charset=utf-8")
    if name not in FILES:
        raise Http404("No such file.")
    content_type, attachment = FILES[name]
    path = folder / name
    if not path.is_file():
        raise Http404("The file of this report is missing.")
    response = FileResponse(
        path.open("rb"),
        content_type=content_type,
        as_attachment=attachment,
        filename=f"{access.trial.trial_id}-report-{build.cutoff}{Path(name).suffix}",
    )
    if name.endswith(".html"):
        response["Content-Security-Policy"] = REPORT_POLICY
    return response


@trial_view(Permission.VIEW_RESULTS)
def report_figure(request: HttpRequest, access: TrialAccess, pk: int, figure: str) -> HttpResponse:
    build = _build(access, pk)
    known = {f["id"] for f in build.summary.get("figures", [])}
    if figure not in known:
        raise Http404("No such figure.")
    path = report_folder(build) / "figures" / f"{figure}.png"
    if not path.is_file():
        raise Http404("The figure file is missing.")
    return FileResponse(path.open("rb"), content_type="image/png")


@trial_view(Permission.VIEW_RESULTS)
def sdtm_download(request: HttpRequest, access: TrialAccess, fmt: str) -> HttpResponse:
    """Every domain of the trial as exported by the store (and adsl.csv), zipped."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    trial_id = access.trial.trial_id
    frames = export_sdtm(access.trial)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        written = write_sdtm_folder(
            frames,
            root,
            fmt=fmt,
            study_oid=trial_id,
            created=created,
            source_version=__version__,
            canonical=True,
        )
        if "DM" in frames:
            written.append(write_adsl(derive_adsl(frames), root / "adsl.csv"))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(written):
                archive.write(path, f"{trial_id}-sdtm/{path.name}")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{trial_id}-sdtm-{fmt}.zip"'
    return response
