"""The results section of one analysed trial: every module, its provenance and its checks.

``build_results`` takes the analysis pipeline's :class:`~oncotrial.analysis.TrialResults` — the
object the trial report is written from — so that every number posted is the report's number at
the same cut-off. The section is a draft until a person approves it (``GeneratedResults.draft``).
"""

from __future__ import annotations

from dataclasses import dataclass

from oncotrial.analysis.results import TrialResults
from oncotrial.results.adverse import (
    adverse_module,
    more_info_module,
    no_safety_reason,
    safety_outcome,
)
from oncotrial.results.check import Finding, check_results
from oncotrial.results.common import Provenance
from oncotrial.results.flow import baseline_module, flow_module
from oncotrial.results.model import ResultsSection, to_api
from oncotrial.results.outcomes import outcome_module

__all__ = ["GeneratedResults", "build_results"]


@dataclass(frozen=True)
class GeneratedResults:
    """A results section generated from a trial's data, with provenance and QC findings."""

    trial_id: str
    cutoff: str
    section: ResultsSection
    provenance: tuple[Provenance, ...]
    findings: tuple[Finding, ...]
    simulated: bool
    draft: bool = True  # generated sections are drafts until a person approves them

    def api(self) -> dict[str, object]:
        """``{"resultsSection": …}`` with the API v2 key names."""
        return {"resultsSection": to_api(self.section)}


def build_results(results: TrialResults) -> GeneratedResults:
    provenance: list[Provenance] = []
    flow, _ = flow_module(results, provenance)
    outcomes, missing = outcome_module(results, provenance)
    safety = safety_outcome(results)
    section = ResultsSection(
        participant_flow_module=flow,
        baseline_characteristics_module=baseline_module(results, provenance),
        outcome_measures_module=outcomes,
        adverse_events_module=(
            adverse_module(results, safety, provenance) if safety is not None else None
        ),
        more_info_module=more_info_module(results, provenance),
    )
    return GeneratedResults(
        trial_id=results.trial_id,
        cutoff=results.cutoff.isoformat(),
        section=section,
        provenance=tuple(provenance),
        findings=check_results(
            section,
            results.protocol,
            missing,
            no_safety=None if safety else no_safety_reason(results),
        ),
        simulated=results.simulated,
    )
