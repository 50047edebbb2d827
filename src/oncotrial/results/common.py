"""What every builder of the results section shares: group ids, provenance, number formats.

Numbers are formatted exactly as the trial report formats them (``oncotrial.report.trial.
wording``: months = days / 30.4375 to one decimal, percentages to one decimal), so that a value
in the results section is the value printed in the report at the same cut-off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from oncotrial.report.trial.wording import months, percent
from oncotrial.results.model import Denom, DenomCount, Group

__all__ = [
    "MILESTONE_COMPLETED",
    "MILESTONE_NOT_COMPLETED",
    "MILESTONE_STARTED",
    "NA",
    "Origin",
    "Provenance",
    "arm_groups",
    "denom",
    "fmt_p",
    "fmt_percent",
    "months_or_na",
]

#: The PRS's fixed milestone types of a period (results data element definitions, Participant
#: Flow). "COMPLETED" is also an SDTM DSDECOD term; this is the PRS's word, declared apart.
MILESTONE_STARTED = "STARTED"
MILESTONE_COMPLETED = "COMPLETED"
MILESTONE_NOT_COMPLETED = "NOT COMPLETED"

#: The PRS's value for a number that cannot be estimated; it needs a comment saying why
#: (ClinicalTrials.gov results data element definitions, Outcome Measure Data Table).
NA = "NA"


class Origin(StrEnum):
    """Where a value of the results section comes from (DESIGN.md: provenance to the output)."""

    REGISTRY = "registry"  # the registration's own words (protocol)
    DERIVED = "derived"  # computed from the trial's data by the analysis pipeline
    ASSUMED = "assumed"  # a convention of oncotrial a person must confirm before posting


@dataclass(frozen=True)
class Provenance:
    path: str  # the API path, e.g. outcomeMeasuresModule.outcomeMeasures[0].timeFrame
    origin: Origin
    source: str  # what it was taken or derived from


def arm_groups(
    prefix: str, labels: tuple[str, ...], descriptions: dict[str, str]
) -> tuple[Group, ...]:
    """One group per arm, ids PREFIX000, PREFIX001, … in the analysis's arm order."""
    return tuple(
        Group(f"{prefix}{i:03d}", label, descriptions.get(label)) for i, label in enumerate(labels)
    )


def denom(groups: tuple[Group, ...], counts: tuple[int, ...]) -> Denom:
    return Denom(
        "Participants",
        tuple(DenomCount(g.id, str(n)) for g, n in zip(groups, counts, strict=True)),
    )


def months_or_na(days: float | None) -> str:
    """Days as months to one decimal, by the report's own ``months``; NA when not reached."""
    text = months(days)
    return NA if text == "NR" else text


def fmt_percent(fraction: float | None) -> str:
    """A fraction as a percentage to one decimal, by the report's own ``percent``; NA if none."""
    text = percent(fraction)
    return NA if text == "–" else text.removesuffix("%")


def fmt_p(p: float | None) -> str | None:
    """A p-value as the PRS takes it ("=0.034", "<0.001"); None when not computable."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return None
    return "<0.001" if p < 0.001 else f"={p:.3f}"
