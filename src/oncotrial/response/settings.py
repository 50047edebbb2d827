"""Which response criteria a protocol uses and how best overall response is confirmed.

The protocol model stores these settings; the response engine reads them. Defaults follow
RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-47) and the admiralonco template where
the guideline leaves a choice. ``docs/response.md`` lists every setting with its source and where
the defaults differ from admiralonco's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AfterCompleteResponse", "ReferenceDate", "ResponseCriteria", "ResponseSettings"]


class ResponseCriteria(StrEnum):
    """Tumour response criteria a protocol can name."""

    RECIST_1_1 = "RECIST 1.1"
    IRECIST = "iRECIST"
    MRECIST = "mRECIST"


class AfterCompleteResponse(StrEnum):
    """How a PR or SD that follows an unconfirmed CR counts for the confirmed best response."""

    #: RECIST 1.1 Table 3 and its footnote a: disease seen after a CR has reappeared, so the
    #: following PR/SD counts as PD ("SD provided minimum criteria for SD duration met,
    #: otherwise, PD").
    RECIST = "recist"
    #: admiralonco ``derive_param_confirmed_bor``: the PR/SD counts as itself (SD once the SD
    #: window is reached, else NE).
    ADMIRALONCO = "admiralonco"


class ReferenceDate(StrEnum):
    """The subject-file variable that anchors the SD window (randomised vs single-arm trials)."""

    RANDDT = "RANDDT"
    TRTSDT = "TRTSDT"


class ResponseSettings(BaseModel):
    """How timepoint responses become a best overall response (RECIST 1.1 §4.4, Table 3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    criteria: ResponseCriteria = Field(
        ResponseCriteria.RECIST_1_1, description="Response criteria named by the protocol."
    )
    confirmation_days: int = Field(
        28,
        ge=0,
        description="Minimum days between a CR/PR and its confirmation (RECIST 1.1 §4.6.1: "
        "'no less than 4 weeks').",
    )
    sd_min_days: int = Field(
        42,
        ge=0,
        description="Minimum days from the reference date for SD to count as best response "
        "(RECIST 1.1 §4.6.3; protocol-set, often 6 weeks).",
    )
    max_ne_between: int = Field(
        1,
        ge=0,
        description="Maximum NE assessments allowed between a response and its confirmation "
        "(admiralonco default 1).",
    )
    accept_sd_between: bool = Field(
        False,
        description="Whether one SD between a PR and its confirming PR is accepted "
        "(admiralonco accept_sd; default no).",
    )
    count_after_pd: bool = Field(
        False, description="Whether assessments after the first PD count toward best response."
    )
    after_cr: AfterCompleteResponse = Field(
        AfterCompleteResponse.RECIST,
        description="How a PR/SD right after an unconfirmed CR counts for the confirmed best "
        "response: RECIST 1.1 Table 3 (as PD) or admiralonco (as itself).",
    )
    reference_date: ReferenceDate = Field(
        ReferenceDate.RANDDT,
        description="Subject-file date the SD window and 'assessment before the reference date' "
        "are measured from (RANDDT for randomised trials, TRTSDT for single-arm).",
    )
    too_small_mm: float = Field(
        5.0,
        ge=0,
        description="Diameter given to a target lesion 'too small to measure' "
        "(RECIST 1.1 Appendix II: default 5 mm).",
    )
    partial_date_day: Literal["first", "last", "reject"] = Field(
        "last",
        description="How an assessment date with a missing day (YYYY-MM) is completed: the "
        "month's first or last day (admiralonco template: last, flagged ADTF = D), or rejected.",
    )
    baseline_max_days: int = Field(
        28,
        ge=0,
        description="Baseline scans older than this many days before the reference date are "
        "flagged (RECIST 1.1 §3.2: 'never more than 4 weeks before the beginning of treatment').",
    )
    irecist_min_confirm_days: int = Field(
        28,
        ge=0,
        description="iRECIST: an assessment sooner than this after iUPD cannot confirm it as "
        "iCPD (Seymour 2017: confirmation at the next assessment 4-8 weeks later).",
    )
    irecist_max_confirm_days: int = Field(
        56,
        ge=0,
        description="iRECIST: a first assessment after iUPD later than this is flagged "
        "(confirmation is still possible at later assessments while iUPD persists).",
    )
