"""Writing a trial's report: analyse, build the document, write HTML + PDF + XLSX + CSV.

The use case behind ``oncotrial report``, ``oncotrial demo`` and the web application's Results
page: the analysis pipeline (``oncotrial.analysis.analyse_trial``) gives the results, the trial
report (``oncotrial.report.trial.build_trial_report``) words them, and the renderers write every
format or none. The caller reads the clock (``generated``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from oncotrial.analysis import TrialData, TrialResults, analyse_trial
from oncotrial.app.dictionary import find_dictionary
from oncotrial.app.trial_data import load_from_folder, load_from_store
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import InputError
from oncotrial.formats.plan_files import find_trial_plan
from oncotrial.protocol.model import AnalysisPlan
from oncotrial.report import Report, ReportFiles, write_report
from oncotrial.report.trial import build_trial_report

__all__ = ["TrialReport", "report_trial", "write_trial_report"]


@dataclass(frozen=True)
class TrialReport:
    """What ``write_trial_report`` produced: the results, the document and its files."""

    results: TrialResults
    report: Report
    files: ReportFiles
    ctcae_reason: str | None = None  # why the adverse-event tables are missing, if they are


def write_trial_report(
    data: TrialData,
    out_dir: Path,
    *,
    generated: datetime,
    plan: AnalysisPlan | None = None,
    cutoff: date | None = None,
    ctcae: CtcaeDictionary | None = None,
    ctcae_reason: str | None = None,
) -> TrialReport:
    """Analyse ``data`` (by ``plan``, default the protocol's), build its report and write it to
    ``out_dir`` (all formats or none). The trial's reviewed statistical analysis plan (the
    user's, else the bundled one; ``oncotrial sap``) is followed where one exists."""
    identity = data.protocol.identity
    reviewed = find_trial_plan(identity.local_id, identity.nct_id, data.trial_id)
    results = analyse_trial(
        data,
        plan=plan,
        cutoff=cutoff,
        ctcae=ctcae,
        ctcae_reason=ctcae_reason,
        sap=reviewed.plan if reviewed is not None else None,
    )
    report = build_trial_report(results, generated=generated)
    return TrialReport(results, report, write_report(report, out_dir), ctcae_reason)


def report_trial(
    out_dir: Path,
    *,
    generated: datetime,
    trial: str | None = None,
    sdtm: Path | None = None,
    protocol: str | None = None,
    simulated: bool = False,
    cutoff: date | None = None,
    ctcae: Path | None = None,
) -> TrialReport:
    """``oncotrial report``: a trial of the configured database (``trial``; ``protocol``
    overrides the stored one) or an SDTM folder with its ``protocol``, analysed and written;
    ``simulated`` marks the data as made by the simulator. ``ctcae``: NCI's CTCAE file (default:
    the environment's or the data directory's; without one the report says why AE tables are
    missing)."""
    dictionary, reason = find_dictionary(ctcae)
    if sdtm is not None:
        if protocol is None:
            raise InputError(
                "an SDTM folder needs its protocol", hint="Pass --protocol (trial id or file)."
            )
        data = load_from_folder(sdtm, protocol)
    elif trial is not None:
        data = load_from_store(trial, protocol=protocol)
    else:
        raise InputError("name a trial of the database, or an SDTM folder with its protocol")
    if simulated:
        data = replace(data, simulated=True)
    return write_trial_report(
        data, out_dir, generated=generated, cutoff=cutoff, ctcae=dictionary, ctcae_reason=reason
    )
