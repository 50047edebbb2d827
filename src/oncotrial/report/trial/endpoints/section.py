"""One report section per registered endpoint, in the registration's order.

Each section quotes the registration (title, description, time frame — never reworded), says
how the endpoint was computed, then shows the engine's result: facts, tables with numeric cells
(so that the CSV and XLSX keep full values) and figures; what cannot be computed is a "Not
computable" note with the reason. ``headline`` gives the one-line result for the summary.
"""

from __future__ import annotations

from oncotrial.analysis.results import (
    BiomarkerOutcome,
    EndpointResult,
    QolOutcome,
    RateOutcome,
    SafetyOutcome,
    SurvivalRateOutcome,
    TrialResults,
    TteOutcome,
)
from oncotrial.report import Block, Note, NoteKind, Paragraph, Section
from oncotrial.report.trial.endpoints.biomarker import biomarker_blocks
from oncotrial.report.trial.endpoints.definition import computed_as, registry_quotes
from oncotrial.report.trial.endpoints.qol import qol_blocks
from oncotrial.report.trial.endpoints.rates import rate_blocks
from oncotrial.report.trial.endpoints.safety import safety_blocks
from oncotrial.report.trial.endpoints.tte import survival_rate_blocks, tte_blocks
from oncotrial.report.trial.wording import clause

__all__ = ["endpoint_section"]


def endpoint_section(
    results: TrialResults, item: EndpointResult, *, waterfall: bool = False
) -> Section:
    """The endpoint's section: registration quotes, how it was computed, the result."""
    opening: list[Block] = (
        [
            Paragraph(
                f"{item.label}: a supportive analysis of the analysis plan, not a registered "
                f"outcome. The plan's definition: {item.endpoint.description}"
            )
        ]
        if item.supportive
        else registry_quotes(results, item)
    )
    blocks: list[Block] = [*opening, Paragraph(f"{item.label}. " + computed_as(results, item))]
    outcome = item.outcome
    if isinstance(outcome, RateOutcome):
        blocks += rate_blocks(results, item, outcome, waterfall)
    elif isinstance(outcome, TteOutcome):
        blocks += tte_blocks(results, item, outcome)
    elif isinstance(outcome, SurvivalRateOutcome):
        blocks += survival_rate_blocks(item, outcome)
    elif isinstance(outcome, SafetyOutcome):
        blocks += safety_blocks(results, item, outcome)
    elif isinstance(outcome, BiomarkerOutcome):
        blocks += biomarker_blocks(item, outcome)
    elif isinstance(outcome, QolOutcome):
        blocks += qol_blocks(results, item, outcome)
    what = item.endpoint.title if outcome is None else "Part of this endpoint"
    blocks += [Note.not_computable(what, clause(reason)) for reason in item.reasons]
    blocks += [Note(note, NoteKind.CAUTION) for note in item.notes]
    return Section(item.id, item.endpoint.title, tuple(blocks))
