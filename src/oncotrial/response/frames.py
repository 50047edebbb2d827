"""The engine's input frames: which columns they carry and what each column means.

The readers in ``oncotrial.formats.lesions`` and ``oncotrial.formats.adam`` build these frames from
SDTM TU/TR/RS, the long lesion CSV and an ADSL-like subject file; a program can also build them
directly. Values may be text: the engine converts and checks them record by record.

Lesion measurements (one row per lesion per assessment and assessor)
    ``USUBJID``, ``DTC`` (ISO 8601 date of the assessment), ``LESION_ID``, ``ROLE`` (TARGET,
    NON-TARGET or NEW) are required. Optional: ``STUDYID``, ``EVAL``/``EVALID`` (assessor, as SDTM
    --EVAL/--EVALID), ``ACPTFL`` (``Y`` on the accepted read), ``VISIT``, ``ORGAN``, ``IS_NODE``
    (Y/N), ``LDIAM`` (longest diameter, mm), ``SAXIS`` (short axis, mm; the nodal measure) or
    instead ``DIAMETER`` (the lesion's RECIST measure: short axis for nodes, longest diameter
    otherwise) with an optional ``AXIS`` (LONG or SHORT) saying which one was given,
    ``STATUS`` (lesion state: PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION, INCREASED, EQUIVOCAL,
    NOT EVALUABLE, TOO SMALL TO MEASURE), ``SOURCE`` and ``RECORD`` (where the row came from, for
    messages).

Timepoint responses (one row per assessment and assessor; SDTM RS OVRLRESP)
    ``USUBJID``, ``DTC``, ``RESPONSE`` are required. Optional: ``STUDYID``, ``EVAL``, ``EVALID``,
    ``ACPTFL``, ``VISIT``, ``SEQ``, ``SOURCE``, ``RECORD``.

Subjects (one row per subject; ADSL)
    ``USUBJID`` and the reference date named by the settings (``RANDDT`` or ``TRTSDT``, as
    ``datetime64`` with NaT where unknown) are required; ``STUDYID`` is optional.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

from oncotrial.catalogue import tumour as _tumour
from oncotrial.errors import SchemaError

__all__ = [
    "LDIAM",
    "LESION_OPTIONAL",
    "LESION_REQUIRED",
    "NEWLIND",
    "NTRGRESP",
    "OVRLRESP",
    "SAXIS",
    "SUBJECT_REQUIRED",
    "TIMEPOINT_OPTIONAL",
    "TIMEPOINT_REQUIRED",
    "TRGRESP",
    "require_columns",
]

#: The lesion frame's diameters are named after the SDTM TR tests that hold them
#: (``oncotrial.catalogue.tumour``): LDIAM the longest diameter, SAXIS the short axis.
LDIAM: Final = _tumour.LONGEST_DIAMETER.testcd
SAXIS: Final = _tumour.SHORT_AXIS_ALIAS
#: The timepoint frame's responses are named after the SDTM RS tests.
TRGRESP: Final = _tumour.TARGET_RESPONSE.testcd
NTRGRESP: Final = _tumour.NON_TARGET_RESPONSE.testcd
NEWLIND: Final = _tumour.NEW_LESION_INDICATOR.testcd
OVRLRESP: Final = _tumour.OVERALL_RESPONSE.testcd

LESION_REQUIRED: Final = ("USUBJID", "DTC", "LESION_ID", "ROLE")
LESION_OPTIONAL: Final = (
    "STUDYID",
    "EVAL",
    "EVALID",
    "ACPTFL",
    "VISIT",
    "ORGAN",
    "IS_NODE",
    LDIAM,
    SAXIS,
    "DIAMETER",
    "AXIS",
    "STATUS",
    "SOURCE",
    "RECORD",
)
TIMEPOINT_REQUIRED: Final = ("USUBJID", "DTC", "RESPONSE")
TIMEPOINT_OPTIONAL: Final = (
    "STUDYID",
    "EVAL",
    "EVALID",
    "ACPTFL",
    "VISIT",
    "SEQ",
    "SOURCE",
    "RECORD",
)
SUBJECT_REQUIRED: Final = ("USUBJID",)


def require_columns(frame: pd.DataFrame, required: Iterable[str], *, what: str) -> None:
    """Raise a SchemaError naming the missing columns of an input frame."""
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise SchemaError(
            f"the {what} frame lacks column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, frame.columns)) or 'no columns'}",
            field=missing[0],
            hint="Build it with oncotrial.formats.lesions / oncotrial.formats.adam, or see "
            "oncotrial.response.frames for the expected columns.",
        )
