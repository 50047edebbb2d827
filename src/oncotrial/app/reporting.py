"""Writing a trial's report: analyse, build the document, write HTML + PDF + XLSX + CSV.

The use case behind ``oncotrial report``, ``oncotrial demo`` and the web application's Results
page: the analysis pipeline (``oncotrial.analysis.analyse_trial``) gives the results, the trial
report (``oncotrial.report.trial.build_trial_report``) words them, and the renderers write every
format or none. The caller reads the clock (``generated``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from oncotrial.analysis import TrialData, TrialResults, analyse_trial
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.protocol.model import AnalysisPlan
from oncotrial.report import Report, ReportFiles, write_report
from oncotrial.report.trial import build_trial_report

__all__ = ["TrialReport", "write_trial_report"]


@dataclass(frozen=True)
class TrialReport:
    """What ``write_trial_report`` produced: the results, the document and its files."""

    results: TrialResults
    report: Report
    files: ReportFiles


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
    ``out_dir`` (all formats or none)."""
    results = analyse_trial(data, plan=plan, cutoff=cutoff, ctcae=ctcae, ctcae_reason=ctcae_reason)
    report = build_trial_report(results, generated=generated)
    return TrialReport(results, report, write_report(report, out_dir))
