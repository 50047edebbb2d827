"""The trial's ClinicalTrials.gov results section, generated from its analysis (docs/results.md).

``build_results(TrialResults)`` → :class:`GeneratedResults` (API v2 ``resultsSection`` objects,
provenance, quality-control findings); ``oncotrial.results.render.render`` writes JSON, XML or
HTML; ``oncotrial.results.registry`` reads a registry record's own results.
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
