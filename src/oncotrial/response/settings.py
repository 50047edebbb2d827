"""Which response criteria a protocol uses and how best overall response is confirmed.

The protocol model stores these settings; the response engine reads them. Defaults follow
RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-47) and the admiralonco template where
the guideline leaves a choice.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ResponseCriteria", "ResponseSettings"]


class ResponseCriteria(StrEnum):
    """Tumour response criteria a protocol can name."""

    RECIST_1_1 = "RECIST 1.1"
    IRECIST = "iRECIST"
    MRECIST = "mRECIST"


class ResponseSettings(BaseModel):
    """How timepoint responses become a best overall response (RECIST 1.1 §4.4, Table 3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    criteria: ResponseCriteria = Field(
        ResponseCriteria.RECIST_1_1, description="Response criteria named by the protocol."
    )
    confirmation_days: int = Field(
        28,
        ge=0,
        description="Minimum days between a CR/PR and its confirmation (RECIST 1.1 §4.4.1: "
        "'no less than 4 weeks').",
    )
    sd_min_days: int = Field(
        42,
        ge=0,
        description="Minimum days from the reference date for SD to count as best response "
        "(RECIST 1.1 §4.4.1; protocol-set, often 6 weeks).",
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
