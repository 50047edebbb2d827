"""Trial reports built in the application, from the database, with the application layer's
``write_trial_report`` (the same report `oncotrial report` writes: docs/trial-report.md).

A build writes HTML, PDF, XLSX and the CSV tables into ``web-reports/<trial>/<time>/`` of the
data directory, keeps the Kaplan-Meier and waterfall figures as PNG files for the trial page, and
records the build (cut-off, who, when, the endpoints' headlines and the participant flow) so that
the trial page can show the Study Results without analysing again. The web layer reads the clock
(``generated``); the analysis never does.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from oncotrial.app.dictionary import find_dictionary
from oncotrial.app.reporting import write_trial_report
from oncotrial.app.trial_data import load_from_store
from oncotrial.errors import StoreError
from oncotrial.home import data_home
from oncotrial.report import Figure, Section
from oncotrial.report.trial import headline
from oncotrial.store import models as db
from oncotrial.store.conduct import ReportBuild

__all__ = ["REPORTS_DIR", "build_report", "report_folder", "results_figures"]

REPORTS_DIR = "web-reports"
SHOWN_FIGURES = ("-km", "-waterfall")  # figure id endings shown on the trial page


def report_folder(build: ReportBuild) -> Path:
    folder: Path = (data_home() / build.folder).resolve()
    root = (data_home() / REPORTS_DIR).resolve()
    if root not in folder.parents:
        raise StoreError(f"report {build.pk} points outside the reports folder")
    return folder


def _figures(sections: Sequence[Section]) -> Iterator[Figure]:
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Figure):
                yield block
        yield from _figures(section.subsections)


def build_report(
    trial: db.Trial, *, cutoff: date | None, user: Any, generated: datetime
) -> ReportBuild:
    """Analyse the trial, write its report files and record the build (module docstring)."""
    dictionary, reason = find_dictionary(None)
    data = load_from_store(trial.trial_id)
    relative = (
        Path(REPORTS_DIR)
        / trial.trial_id
        / f"{generated.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    )
    folder = data_home(create=True) / relative
    made = write_trial_report(
        data,
        folder,
        generated=generated.replace(tzinfo=None, microsecond=0),
        cutoff=cutoff,
        ctcae=dictionary,
        ctcae_reason=reason,
    )
    results = made.results
    figures = []
    (folder / "figures").mkdir(exist_ok=True)
    for figure in _figures(made.report.sections):
        if figure.id.endswith(SHOWN_FIGURES):
            (folder / "figures" / f"{figure.id}.png").write_bytes(figure.png)
            figures.append({"id": figure.id, "caption": figure.caption, "alt": figure.alt_text})
    consort = results.consort
    summary = {
        "endpoints": [
            {"label": item.label, "title": item.endpoint.title, "result": headline(item)}
            for item in results.endpoints
        ],
        "flow": {
            "screened": consort.screened,
            "not_eligible": [list(x) for x in consort.not_eligible],
            "enrolled": consort.enrolled,
            "randomized": consort.randomized,
            "arms": [asdict(arm) for arm in consort.arms],
        },
        "figures": figures,
        "notes": list(results.notes),
        "files": {
            "html": made.files.html.name,
            "pdf": made.files.pdf.name,
            "xlsx": made.files.xlsx.name,
            "tables": len(made.files.csv),
        },
    }
    summary["ctgov"] = _ctgov_draft(results, folder)
    build: ReportBuild = ReportBuild.objects.create(
        trial=trial,
        cutoff=results.cutoff,
        cutoff_stated=results.cutoff_stated,
        generated=generated,
        built_by=user,
        folder=str(relative),
        simulated=results.simulated,
        summary=summary,
    )
    return build


def _ctgov_draft(results: Any, folder: Path) -> dict[str, Any]:
    """The ClinicalTrials.gov results section of the same analysis, as a draft (docs/results.md):
    written beside the report (JSON and HTML), its checks summarised for the trial page."""
    from oncotrial.results import Severity, build_results
    from oncotrial.results.render import render

    draft = build_results(results)
    for fmt in ("json", "html"):
        (folder / f"ctgov-results.{fmt}").write_text(render(draft, fmt), encoding="utf-8")
    errors = [f for f in draft.findings if f.severity is Severity.ERROR]
    return {
        "errors": len(errors),
        "to_write": len(draft.findings) - len(errors),
        "findings": [f"{f.severity.value}: {f.field}: {f.message}" for f in draft.findings],
    }


def results_figures(build: ReportBuild) -> list[dict[str, str]]:
    return list(build.summary.get("figures", []))
