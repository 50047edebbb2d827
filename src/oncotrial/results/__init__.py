"""The trial's ClinicalTrials.gov results section, generated from its analysis (docs/results.md).

``build_results(TrialResults)`` → :class:`GeneratedResults` (API v2 ``resultsSection`` objects,
provenance, quality-control findings); ``write_results`` renders JSON, PRS XML or HTML.
"""

from oncotrial.results.build import GeneratedResults, build_results
from oncotrial.results.check import Finding, Severity, check_results
from oncotrial.results.model import ResultsSection, from_api, to_api

__all__ = [
    "Finding",
    "GeneratedResults",
    "ResultsSection",
    "Severity",
    "build_results",
    "check_results",
    "from_api",
    "to_api",
]
