"""Results: the trial's data for analysis — SDTM domains as CSV or Dataset-JSON, with ADSL."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse

from oncotrial import __version__
from oncotrial.formats.adsl import derive_adsl, write_adsl
from oncotrial.formats.sdtm import write_sdtm_folder
from oncotrial.store.sdtm_export import export_sdtm, trial_domains
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.render import respond
from oncotrial.web.roles import Permission

__all__ = ["results_page", "sdtm_download"]

FORMATS = {"csv": "SDTM domains, CSV", "json": "SDTM domains, CDISC Dataset-JSON 1.1"}


@trial_view(Permission.VIEW_RESULTS)
def results_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    trial_id = access.trial.trial_id
    data = {
        "title": "Results",
        "domains": trial_domains(access.trial),
        "downloads": [
            {"label": label, "format": fmt, "url": f"/t/{trial_id}/results/sdtm-{fmt}.zip"}
            for fmt, label in FORMATS.items()
        ],
    }
    return respond(
        request, "web/results.html", data, context={"access": access, "nav_section": "results"}
    )


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
