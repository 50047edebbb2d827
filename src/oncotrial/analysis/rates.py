"""Response-rate endpoints (ORR, DCR): the rate and every best-response category, by arm."""

from __future__ import annotations

import pandas as pd

from oncotrial.analysis.context import Inputs
from oncotrial.analysis.responses import response_run
from oncotrial.analysis.results import RateOutcome
from oncotrial.endpoints.rates import BOR_CATEGORIES, RateDefinition, RateResult, compute_rate
from oncotrial.protocol.endpoints import Endpoint

__all__ = ["BOR_LABELS", "rate_outcome"]

BOR_LABELS = {
    "CR": "Complete response (CR)",
    "PR": "Partial response (PR)",
    "SD": "Stable disease (SD)",
    "NON-CR/NON-PD": "Non-CR/non-PD",
    "PD": "Progressive disease (PD)",
    "NE": "Not evaluable (NE)",
    "MISSING": "No post-baseline assessment",
}


def _rate_by_arm(
    table: pd.DataFrame, definition: RateDefinition, inputs: Inputs, *, compare: bool = True
) -> RateResult:
    return compute_rate(
        table, definition, bor="BOR", arm="ARM", reference=inputs.control, compare=compare
    )


def rate_outcome(
    inputs: Inputs, endpoint: Endpoint, definition: RateDefinition
) -> RateOutcome | str:
    run = response_run(inputs, endpoint.reading.time_frame)
    if isinstance(run, str):
        return run
    if run.table.empty:
        return "no patient is in the efficacy analysis set"
    categories = []
    for category in BOR_CATEGORIES:
        single = RateDefinition(
            id=category,
            name=BOR_LABELS[category],
            responders=frozenset({category}),
            description=f"best overall response {category}",
            source="RECIST 1.1 §4.4 (best overall response categories)",
        )
        # each category is described per arm; only the endpoint's rate is compared
        categories.append((category, _rate_by_arm(run.table, single, inputs, compare=False)))
    return RateOutcome(
        definition=definition,
        rate=_rate_by_arm(run.table, definition, inputs),
        categories=tuple(categories),
        response=run,
    )
