"""Tumour response: RECIST 1.1, iRECIST, mRECIST, lesions to best overall response (core, pure).

Entry point: :func:`derive_response` (lesion measurements or recorded timepoint responses, an
ADSL-like subject frame and :class:`ResponseSettings`) returns a :class:`ResponseResult` with the
ADaM ADRS, timepoint and lesion tables, a per-subject summary and the excluded/flagged records.
Every rule is declared in :mod:`oncotrial.response.rules` (``rules_table()`` prints them).

The names below are loaded on first use (PEP 562), so that the protocol model, which only needs
:mod:`oncotrial.response.settings`, does not import pandas with the engine (a fast CLI start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOME = {
    "RULES": "rules",
    "AfterCompleteResponse": "settings",
    "ReferenceDate": "settings",
    "ResponseCriteria": "settings",
    "ResponseResult": "engine",
    "ResponseSettings": "settings",
    "Rule": "rules",
    "derive_response": "engine",
    "rules_table": "rules",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
