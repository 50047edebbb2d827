"""Tumour response: RECIST 1.1, iRECIST, mRECIST, lesions to best overall response (core, pure).

Entry point: :func:`derive_response` (lesion measurements or recorded timepoint responses, an
ADSL-like subject frame and :class:`ResponseSettings`) returns a :class:`ResponseResult` with the
ADaM ADRS, timepoint and lesion tables, a per-subject summary and the excluded/flagged records.
Every rule is declared in :mod:`oncotrial.response.rules` (``rules_table()`` prints them).
"""

from oncotrial.response.engine import ResponseResult, derive_response
from oncotrial.response.rules import RULES, Rule, rules_table
from oncotrial.response.settings import (
    AfterCompleteResponse,
    ReferenceDate,
    ResponseCriteria,
    ResponseSettings,
)

__all__ = [
    "RULES",
    "AfterCompleteResponse",
    "ReferenceDate",
    "ResponseCriteria",
    "ResponseResult",
    "ResponseSettings",
    "Rule",
    "derive_response",
    "rules_table",
]
