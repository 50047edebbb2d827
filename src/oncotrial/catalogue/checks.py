"""Edit checks every dated record is subject to (each entity lists the ones it applies).

An ``EditCheck`` is declared data; data entry (``oncotrial.web.entry``) and import
(``oncotrial.store.validation``) execute it and name it in the message they give.
"""

from __future__ import annotations

from typing import Final

from oncotrial.catalogue.rule import EditCheck, Severity

__all__ = [
    "DATE_AFTER_CONSENT",
    "DATE_BEFORE_DEATH",
    "DATE_CHECKS",
    "DATE_NOT_FUTURE",
    "END_AFTER_START",
    "PLAUSIBLE_RANGE",
    "WARNING",
]

WARNING: Final = Severity.WARNING

DATE_NOT_FUTURE: Final = EditCheck(
    "DATE-NOT-FUTURE",
    "a date is not after today",
    "ICH E6(R2) §4.9.0 (data attributable, contemporaneous, accurate)",
)
DATE_AFTER_CONSENT: Final = EditCheck(
    "DATE-AFTER-CONSENT",
    "data of a study subject are collected on or after informed consent",
    "ICH E6(R2) §4.8.8",
)
DATE_BEFORE_DEATH: Final = EditCheck(
    "DATE-BEFORE-DEATH",
    "no record is dated after the subject's death",
    "protocol data management convention (docs/web.md)",
)
END_AFTER_START: Final = EditCheck(
    "END-AFTER-START",
    "an end date is not before its start date",
    "SDTMIG 3.4 §4.4 (--STDTC/--ENDTC)",
)
PLAUSIBLE_RANGE: Final = EditCheck(
    "PLAUSIBLE-RANGE",
    "a measurement lies in the plausible range its field declares (docs/catalogue.md)",
    "protocol data management convention (range checks on entry)",
)

DATE_CHECKS: Final = (DATE_NOT_FUTURE, DATE_AFTER_CONSENT, DATE_BEFORE_DEATH, END_AFTER_START)
