"""The RECIST timepoint response of a subject's tumour assessments, shown where they are entered.

The response engine (``oncotrial.response``) derives it from the stored lesions and results, the
same derivation the analysis uses (docs/response.md): target, non-target and new-lesion responses
and the overall response of each assessment after the baseline, with the rule that decided it
(``oncotrial response rules`` prints them). A target not measured makes the target response NE
(RECIST 1.1 §4.3.1 and Table 1), so no sum or change is shown as if it were evaluable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from oncotrial.catalogue.tumour import (
    NEW_LESION_INDICATOR,
    NON_TARGET_RESPONSE,
    OVERALL_RESPONSE,
    TARGET_RESPONSE,
)
from oncotrial.formats.lesions import sdtm_lesions
from oncotrial.protocol.model import Protocol
from oncotrial.response import ResponseSettings, derive_response
from oncotrial.store import models as db
from oncotrial.store.sdtm_export import export_sdtm
from oncotrial.web.entry import parse_date

__all__ = ["Timepoint", "derived_timepoints"]


@dataclass(frozen=True)
class Timepoint:
    """One assessment's derived response (codes as in ADRS: CR, PR, SD, PD, NE, NON-CR/NON-PD)."""

    date: str
    visit: str
    overall: str
    rule: str
    target: str
    non_target: str
    new_lesions: str
    target_sum: float | None
    change: float | None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def derived_timepoints(
    subject: db.Subject, protocol: Protocol, evaluator: str
) -> dict[str, Timepoint]:
    """Date (YYYY-MM-DD) → derived response of each of ``evaluator``'s follow-up assessments."""
    if not db.Measurement.objects.filter(subject=subject).exists():
        return {}
    frames = export_sdtm(subject.trial, domains=["TU", "TR"], usubjids=[subject.usubjid])
    if "TU" not in frames or "TR" not in frames or frames["TR"].empty:
        return {}
    settings = protocol.analysis.response or ResponseSettings()
    # The reference date anchors the SD window of the best response only, not a timepoint: the
    # enrollment date stands in for either reference here.
    allocation = db.Disposition.objects.filter(
        subject=subject, decod__in=list(db.Disposition.ALLOCATION_TERMS)
    ).first()
    reference = parse_date(allocation.stdtc) if allocation else None
    subjects = pd.DataFrame(
        {
            "USUBJID": [subject.usubjid],
            settings.reference_date.value: [reference.isoformat() if reference else None],
        }
    )
    result = derive_response(
        subjects,
        lesions=sdtm_lesions(frames["TU"], frames["TR"]),
        settings=settings,
        evaluator=evaluator,
    )
    out: dict[str, Timepoint] = {}
    for row in result.timepoints.to_dict("records"):
        when = pd.Timestamp(row["ADT"]).date().isoformat()
        out[when] = Timepoint(
            date=when,
            visit=_text(row.get("AVISIT")),
            overall=_text(row.get(OVERALL_RESPONSE.testcd)),
            rule=_text(row.get("RULE")),
            target=_text(row.get(TARGET_RESPONSE.testcd)),
            non_target=_text(row.get(NON_TARGET_RESPONSE.testcd)),
            new_lesions=_text(row.get(NEW_LESION_INDICATOR.testcd)),
            target_sum=_number(row.get("SUM")),
            change=_number(row.get("PCHG")),
        )
    return out
