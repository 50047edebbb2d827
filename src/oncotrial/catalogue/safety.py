"""Adverse events (AE) by CTCAE v5.0 term and grade.

``AEDECOD`` is the CTCAE v5.0 term (NCI's dictionary, ``oncotrial.endpoints.ctcae``), ``AELLT``/
``AELLTCD`` the same term and its MedDRA code, ``AEBODSYS`` its system organ class; ``AETOXGR``
the grade 1–5, which must be one CTCAE defines for the term (e.g. Alopecia has grades 1 and 2
only). docs/sdtm.md AE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from oncotrial.catalogue.checks import DATE_CHECKS, WARNING
from oncotrial.catalogue.common import CDISC_CT, YES_NO
from oncotrial.catalogue.model import Entity, Field, Kind
from oncotrial.catalogue.rule import EditCheck
from oncotrial.catalogue.vocabulary import vocabulary

__all__ = [
    "ACTIONS",
    "ADVERSE_EVENT",
    "AE_GRADE_DEFINED",
    "AE_GRADE_RANGE",
    "CTCAE_GRADES",
    "CTCAE_VERSION",
    "OUTCOMES",
    "RELATEDNESS",
    "grade_problem",
    "relatedness_variable",
]

CTCAE_VERSION: Final = "5.0"
CTCAE: Final = f"CTCAE v{CTCAE_VERSION}"

CTCAE_GRADES: Final = vocabulary(
    "CTCAE grade",
    f"{CTCAE}, Grades",
    (("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")),
)
FATAL_GRADE: Final = "5"
RELATEDNESS: Final = vocabulary(
    "Causality", "docs/sdtm.md AE (AEREL)", (("RELATED", "Related"), ("NOT RELATED", "Not related"))
)
RELATED, NOT_RELATED = RELATEDNESS.codes
ACTIONS: Final = vocabulary(
    "Action Taken with Study Treatment",
    f"{CDISC_CT}, ACN",
    (
        ("DOSE NOT CHANGED", "Dose not changed"),
        ("DRUG INTERRUPTED", "Drug interrupted"),
        ("DOSE REDUCED", "Dose reduced"),
        ("DRUG WITHDRAWN", "Drug withdrawn"),
        ("NOT APPLICABLE", "Not applicable"),
    ),
)
OUTCOMES: Final = vocabulary(
    "Outcome of Event",
    f"{CDISC_CT}, OUT",
    (
        ("RECOVERED/RESOLVED", "Recovered / resolved"),
        ("RECOVERING/RESOLVING", "Recovering / resolving"),
        ("NOT RECOVERED/NOT RESOLVED", "Not recovered / not resolved"),
        ("RECOVERED/RESOLVED WITH SEQUELAE", "Recovered with sequelae"),
        ("FATAL", "Fatal"),
        ("UNKNOWN", "Unknown"),
    ),
)
RECOVERED, _RECOVERING, NOT_RECOVERED, _SEQUELAE, FATAL, _UNKNOWN = OUTCOMES.codes


def relatedness_variable(number: int) -> str:
    """AEREL1, AEREL2, …: the relationship to the protocol's n-th intervention (NSV)."""
    return f"AEREL{number}"


AE_GRADE_RANGE: Final = EditCheck(
    "AE-GRADE-RANGE",
    "the grade is one of CTCAE grades 1–5",
    f"{CTCAE}, Grades",
    fields=("grade",),
)
AE_TERM: Final = EditCheck(
    "AE-TERM",
    f"the term is a {CTCAE} term (the closest terms are suggested)",
    f"{CTCAE} (NCI)",
    fields=("term",),
)
AE_GRADE_DEFINED: Final = EditCheck(
    "AE-GRADE-DEFINED",
    "the grade is one CTCAE defines for the term",
    f"{CTCAE}, Grades ('-' marks a grade not available for a term)",
    fields=("grade",),
)


def grade_problem(
    term: str, grade: int, defined: Sequence[int], *, version: str = CTCAE_VERSION
) -> str | None:
    """Why ``grade`` is not acceptable for ``term`` (its ``defined`` grades), or None.

    The one wording of rules AE-GRADE-RANGE and AE-GRADE-DEFINED, used by data entry, import and
    the dictionary itself.
    """
    if not 1 <= grade <= 5:
        return f"grade {grade} is outside CTCAE grades 1–5"
    if grade not in defined:
        listed = ", ".join(str(g) for g in defined)
        return (
            f"grade {grade} is not defined for {term!r} in CTCAE v{version} "
            f"(defined grades: {listed})"
        )
    return None


ADVERSE_EVENT: Final = Entity(
    key="ae",
    title="Adverse event",
    domains=("AE",),
    description="One adverse event by CTCAE v5.0 term and grade, with seriousness, relatedness "
    "(overall and per intervention, AEREL1…), action and outcome.",
    fields=(
        Field("term", f"{CTCAE} term", Kind.TERM, required=True, example="Pneumonitis",
              help="Type a few letters; choose the CTCAE term. Its grades are shown below.",
              sdtm="AEDECOD, AELLT, AELLTCD, AEBODSYS"),
        Field("verbatim", "Term as reported", help="Default: the CTCAE term.", sdtm="AETERM"),
        Field("grade", "Grade", Kind.GRADE, required=True, vocabulary=CTCAE_GRADES,
              sdtm="AETOXGR"),
        Field("stdtc", "Start date", Kind.DATE, required=True, sdtm="AESTDTC"),
        Field("endtc", "End date", Kind.DATE, help="Empty while ongoing.", sdtm="AEENDTC"),
        Field("serious", "Serious", Kind.CHOICE, required=True, vocabulary=YES_NO,
              sdtm="AESER"),
        Field("rel", "Related to study treatment", Kind.CHOICE, required=True,
              vocabulary=RELATEDNESS, sdtm="AEREL"),
        Field("acn", "Action with study drug", Kind.CHOICE, required=True, vocabulary=ACTIONS,
              sdtm="AEACN"),
        Field("acnoth", "Other action", help="E.g. TREATMENT WITH STEROIDS.", sdtm="AEACNOTH"),
        Field("outcome", "Outcome", Kind.CHOICE, required=True, vocabulary=OUTCOMES,
              sdtm="AEOUT"),
    ),
    checks=(
        *DATE_CHECKS,
        AE_TERM,
        AE_GRADE_RANGE,
        AE_GRADE_DEFINED,
        EditCheck("AE-FATAL-GRADE", "a grade 5 event is fatal, and a fatal event is grade 5",
                  f"{CTCAE} (grade 5: death related to AE)", fields=("grade", "outcome")),
        EditCheck("AE-FATAL-SERIOUS", "a fatal event is serious", "ICH E2A (serious: results "
                  "in death)", fields=("serious",)),
        EditCheck("AE-RESOLVED-END", "a resolved event has an end date", "SDTMIG 3.4 AE",
                  WARNING, ("endtc",)),
    ),
    section="safety",
)  # fmt: skip
