"""The subject: demographics (DM), eligibility (IE), allocation, disposition and death (DS).

docs/sdtm.md gives the conventions: ``SUBJID`` is the screening number, ``USUBJID`` STUDYID-SUBJID;
the year of birth only is collected; each disposition event is one DS record with the
categories below; a death is the DS ``DEATH`` record outside the end-of-treatment category, with
DM ``DTHDTC``/``DTHFL`` kept in agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from oncotrial.catalogue.checks import DATE_AFTER_CONSENT, DATE_BEFORE_DEATH, DATE_NOT_FUTURE
from oncotrial.catalogue.common import (
    CDISC_CT,
    EPOCH_FOLLOW_UP,
    EPOCH_SCREENING,
    EPOCH_TREATMENT,
    SCREENING,
    VISITNUM_SCREENING,
)
from oncotrial.catalogue.model import Entity, Field, Kind
from oncotrial.catalogue.rule import EditCheck
from oncotrial.catalogue.vocabulary import vocabulary

__all__ = [
    "AGE_UNIT",
    "ALIVE",
    "ALLOCATION",
    "ALLOCATION_KINDS",
    "ALLOCATION_TERMS",
    "ASSIGNED_NOT_TREATED",
    "CONSENT",
    "DEATH",
    "DEATH_CAUSES",
    "DEMOGRAPHICS",
    "DISPOSITION",
    "DISPOSITION_EVENTS",
    "DS_CATEGORIES",
    "ELIGIBILITY",
    "IE_CATEGORIES",
    "IE_RESULTS",
    "RACE",
    "SCREEN_FAILURE",
    "SEX",
    "DispositionEvent",
    "death_cause_of_adverse_event",
]

SEX: Final = vocabulary(
    "Sex",
    f"{CDISC_CT}, SEX",
    (("F", "Female"), ("M", "Male"), ("U", "Unknown"), ("UNDIFFERENTIATED", "Undifferentiated")),
)
AGE_UNIT: Final = "YEARS"
RACE: Final = vocabulary(
    "Race",
    f"{CDISC_CT}, RACE",
    (
        "AMERICAN INDIAN OR ALASKA NATIVE",
        "ASIAN",
        "BLACK OR AFRICAN AMERICAN",
        "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER",
        "WHITE",
        "MULTIPLE",
        "OTHER",
        "NOT REPORTED",
        "UNKNOWN",
    ),
)
ETHNICITY: Final = vocabulary(
    "Ethnicity",
    f"{CDISC_CT}, ETHNIC",
    ("HISPANIC OR LATINO", "NOT HISPANIC OR LATINO", "NOT REPORTED", "UNKNOWN"),
)
# DM ARMNRS (SDTMIG 3.4 §5.2): why a screened subject has no (actual) arm.
SCREEN_FAILURE: Final = "SCREEN FAILURE"
ASSIGNED_NOT_TREATED: Final = "ASSIGNED, NOT TREATED"

BIRTH_YEAR_CHECK: Final = EditCheck(
    "DM-BIRTH-YEAR",
    "the year of birth is not after informed consent, and the age at consent fits it (the "
    "difference is the age or the age + 1)",
    "docs/sdtm.md DM (BRTHDTC is the year of birth; AGE the age at informed consent)",
    fields=("birth_year", "age"),
)

DEMOGRAPHICS: Final = Entity(
    key="demographics",
    title="Demographics",
    domains=("DM",),
    description="One record per screened person, set at screening and corrected with a reason.",
    fields=(
        Field("screening_number", "Screening number", required=True, example="01-0001",
              help="Given at informed consent: SITEID-NNNN.", sdtm="SUBJID"),
        Field("subject_id", "Subject id", help="Default STUDYID-screening number.",
              sdtm="USUBJID"),
        Field("site_id", "Site", required=True, example="01", sdtm="SITEID"),
        Field("sex", "Sex", Kind.CHOICE, required=True, vocabulary=SEX, sdtm="SEX"),
        Field("birth_year", "Year of birth", Kind.INTEGER, minimum=1900, maximum=2100,
              example="1961", sdtm="BRTHDTC"),
        Field("age", "Age at informed consent", Kind.INTEGER, required=True, minimum=0,
              maximum=120, unit="years", example="62", sdtm="AGE, AGEU"),
        Field("consent_date", "Date of informed consent", Kind.DATE, required=True,
              sdtm="RFICDTC, DMDTC; DS INFORMED CONSENT OBTAINED"),
        Field("country", "Country", help="ISO 3166-1 alpha-3.", example="CHN", sdtm="COUNTRY"),
        Field("race", "Race", Kind.CHOICE, vocabulary=RACE, example="ASIAN", sdtm="RACE"),
        Field("ethnicity", "Ethnicity", Kind.CHOICE, vocabulary=ETHNICITY,
              example="NOT HISPANIC OR LATINO",
              sdtm="ETHNIC"),
    ),
    checks=(BIRTH_YEAR_CHECK,),
)  # fmt: skip

# -- disposition (DS) ----------------------------------------------------------------------------

DS_CATEGORIES: Final = vocabulary(
    "Category for Disposition Event",
    f"{CDISC_CT}, DSCAT",
    ("PROTOCOL MILESTONE", "DISPOSITION EVENT", "OTHER EVENT"),
)
_MILESTONE, _EVENT, _OTHER = DS_CATEGORIES.codes

CONSENT: Final = "INFORMED CONSENT OBTAINED"
ALLOCATION_KINDS: Final = vocabulary(
    "Allocation",
    "docs/sdtm.md DS (ENROLLED: registration in a single-arm trial)",
    (("RANDOMIZED", "Randomized"), ("ENROLLED", "Enrolled")),
)
RANDOMIZED, ENROLLED = ALLOCATION_KINDS.codes
ALLOCATION_TERMS: Final = ALLOCATION_KINDS.codes
DEATH: Final = "DEATH"
ALIVE: Final = "ALIVE"
ALIVE_TERM: Final = "ALIVE AT SURVIVAL FOLLOW-UP CONTACT"
END_OF_SCREENING: Final = "END OF SCREENING"
END_OF_TREATMENT: Final = "END OF TREATMENT"
END_OF_STUDY: Final = "END OF STUDY"
SURVIVAL_FOLLOW_UP: Final = "SURVIVAL FOLLOW-UP"
COMPLETED: Final = "COMPLETED"
PROGRESSIVE_DISEASE: Final = "PROGRESSIVE DISEASE"
ADVERSE_EVENT: Final = "ADVERSE EVENT"
WITHDRAWAL: Final = "WITHDRAWAL BY SUBJECT"
LOST: Final = "LOST TO FOLLOW-UP"
PHYSICIAN: Final = "PHYSICIAN DECISION"


@dataclass(frozen=True)
class DispositionEvent:
    """One kind of DS event: its category, subcategory, epoch and the reasons (DSDECOD) it
    allows."""

    key: str
    label: str
    category: str
    subcategory: str | None
    reasons: tuple[str, ...]
    epoch: str


DISPOSITION_EVENTS: Final = (
    DispositionEvent(
        END_OF_TREATMENT,
        "End of treatment",
        _EVENT,
        END_OF_TREATMENT,
        (COMPLETED, PROGRESSIVE_DISEASE, ADVERSE_EVENT, WITHDRAWAL, LOST, PHYSICIAN),
        EPOCH_TREATMENT,
    ),
    DispositionEvent(
        END_OF_STUDY,
        "End of study (not death)",
        _EVENT,
        END_OF_STUDY,
        (COMPLETED, WITHDRAWAL, LOST),
        EPOCH_FOLLOW_UP,
    ),
    DispositionEvent(
        ALIVE,
        "Contact: alive at follow-up",
        _OTHER,
        SURVIVAL_FOLLOW_UP,
        (ALIVE,),
        EPOCH_FOLLOW_UP,
    ),
)
DISPOSITION_EVENT: Final = {event.key: event for event in DISPOSITION_EVENTS}
# An end of treatment may also give DEATH as its reason (docs/sdtm.md DS).
DS_DECODES: Final = vocabulary(
    "Standardized Disposition Term",
    f"{CDISC_CT}, NCOMPLT / PROTMLST; docs/sdtm.md DS",
    (
        CONSENT,
        RANDOMIZED,
        ENROLLED,
        SCREEN_FAILURE,
        COMPLETED,
        PROGRESSIVE_DISEASE,
        ADVERSE_EVENT,
        DEATH,
        WITHDRAWAL,
        LOST,
        PHYSICIAN,
        ALIVE,
    ),
)
DS_SUBCATEGORIES: Final = vocabulary(
    "Subcategory for Disposition Event",
    "docs/sdtm.md DS",
    (END_OF_SCREENING, END_OF_TREATMENT, END_OF_STUDY, SURVIVAL_FOLLOW_UP),
)

DISPOSITION_CHECKS: Final = (
    EditCheck(
        "DS-REASON",
        "the reason (DSDECOD) is one listed for the event",
        "docs/sdtm.md DS",
        fields=("decod",),
    ),
    EditCheck(
        "DS-AFTER-ENROLLMENT",
        "a disposition event after allocation is not dated before the allocation",
        "docs/sdtm.md DS",
        fields=("stdtc",),
    ),
    EditCheck(
        "DS-ENROLLED",
        "end of treatment and end of study are recorded for enrolled subjects only (a screened "
        "subject who is not enrolled is a screen failure)",
        "docs/sdtm.md DS; CONSORT 2010 item 13",
        fields=("event",),
    ),
    EditCheck(
        "DS-ONE-ALLOCATION",
        "a subject has at most one randomization (or enrollment) record and one death record",
        "docs/sdtm.md DS",
        fields=("decod",),
    ),
    EditCheck(
        "DS-DEATH-AFTER-ENROLLMENT",
        "a death is not dated before the subject's enrollment",
        "docs/sdtm.md DS",
        fields=("stdtc",),
    ),
    EditCheck(
        "DM-DEATH-AGREES",
        "DM DTHDTC agrees with the DS death record",
        "SDTMIG 3.4 DM (DTHDTC); docs/sdtm.md",
        fields=("stdtc",),
    ),
)

DISPOSITION: Final = Entity(
    key="disposition",
    title="Disposition event",
    domains=("DS",),
    description="End of treatment, end of study and alive contacts (consent, allocation and "
    "screen failure are written by screening and randomization; death has its own form).",
    fields=(
        Field(
            "event",
            "Event",
            Kind.CHOICE,
            required=True,
            vocabulary=vocabulary(
                "Disposition event",
                "docs/sdtm.md DS",
                tuple((e.key, e.label) for e in DISPOSITION_EVENTS),
            ),
            sdtm="DSCAT, DSSCAT",
        ),
        Field("decod", "Reason", Kind.CHOICE, required=True, vocabulary=DS_DECODES,
              sdtm="DSDECOD"),
        Field("term", "In the investigator's words", sdtm="DSTERM"),
        Field("stdtc", "Date", Kind.DATE, required=True, sdtm="DSSTDTC"),
    ),
    checks=(DATE_NOT_FUTURE, DATE_AFTER_CONSENT, DATE_BEFORE_DEATH, *DISPOSITION_CHECKS),
    section="follow-up",
)  # fmt: skip

# -- death ---------------------------------------------------------------------------------------

OTHER_CAUSE: Final = "OTHER"
DEATH_CAUSES: Final = vocabulary(
    "Cause of death",
    "docs/sdtm.md DS (DSTERM of the death record)",
    (("PROGRESSIVE DISEASE", "Progressive disease"), ("ADVERSE EVENT", "Adverse event"),
     (OTHER_CAUSE, "Other")),
)  # fmt: skip


def death_cause_of_adverse_event(term: str) -> str:
    """DSTERM of a death caused by an adverse event: ``ADVERSE EVENT: <CTCAE TERM>``."""
    return f"{ADVERSE_EVENT}: {term.upper()}"


DEATH_ENTITY: Final = Entity(
    key="death",
    title="Death",
    domains=("DS", "DM"),
    description="The DS DEATH record (DSCAT DISPOSITION EVENT, DSSCAT END OF STUDY, cause in "
    "DSTERM) with DM DTHDTC and DTHFL kept in agreement.",
    fields=(
        Field("stdtc", "Date of death", Kind.DATE, required=True, sdtm="DSSTDTC; DM DTHDTC"),
        Field("cause", "Cause", Kind.CHOICE, required=True, vocabulary=DEATH_CAUSES,
              example="PROGRESSIVE DISEASE", sdtm="DSTERM"),
        Field("ae_term", "Adverse event (when the cause)", Kind.TERM,
              help="The CTCAE term of the fatal adverse event.", sdtm="DSTERM"),
    ),
    checks=(
        DATE_NOT_FUTURE,
        DATE_AFTER_CONSENT,
        EditCheck("DEATH-AFTER-ENROLLMENT", "the death date is not before enrollment",
                  "docs/sdtm.md DS", fields=("stdtc",)),
        EditCheck("DEATH-LAST-RECORD", "no record of the subject is dated after the death",
                  "docs/sdtm.md DS", fields=("stdtc",)),
        EditCheck("DEATH-AE-TERM", "a death caused by an adverse event names its CTCAE term",
                  "CTCAE v5.0 (grade 5: death related to AE)", fields=("ae_term",)),
    ),
    section="follow-up",
)  # fmt: skip

# -- eligibility (IE) ----------------------------------------------------------------------------

IE_CATEGORIES: Final = vocabulary(
    "Inclusion/Exclusion Category", f"{CDISC_CT}, IECAT", ("INCLUSION", "EXCLUSION")
)
IE_RESULTS: Final = vocabulary(
    "Criterion met",
    "SDTMIG 3.4 IE; docs/sdtm.md IE (UNKNOWN: the screener could not decide)",
    ("Y", "N", "UNKNOWN"),
)

ELIGIBILITY: Final = Entity(
    key="eligibility",
    title="Eligibility criterion",
    domains=("IE",),
    description="One record per criterion not met (SDTMIG), or per criterion assessed as the "
    "screener records it; IETESTCD IN01…/EX01… in the protocol's criterion order.",
    fields=(
        Field("criterion_id", "Criterion code", required=True, example="IN03",
              help="IN01… / EX01…", sdtm="IETESTCD"),
        Field("category", "Category", Kind.CHOICE, required=True, vocabulary=IE_CATEGORIES,
              sdtm="IECAT"),
        Field("criterion", "Criterion text", required=True, sdtm="IETEST"),
        Field("result", "Criterion met", Kind.CHOICE, required=True, vocabulary=IE_RESULTS,
              sdtm="IEORRES, IESTRESC"),
        Field("date", "Date", Kind.DATE, required=True, sdtm="IEDTC"),
    ),
    section="baseline",
)  # fmt: skip

ALLOCATION: Final = Entity(
    key="allocation",
    title="Randomization or enrollment",
    domains=("DS", "DM"),
    description="The DS RANDOMIZED (or ENROLLED) record with the stratum, and the arm in DM.",
    fields=(
        Field("date", "Date", Kind.DATE, required=True, sdtm="DSSTDTC"),
        Field("arm", "Arm", required=True, help="Arm label or code as in the protocol.",
              sdtm="DM ARMCD, ARM"),
        Field("stratum", "Stratum", help="Factor values joined by '; '.", sdtm="STRATUM"),
        Field("kind", "Allocation", Kind.CHOICE, vocabulary=ALLOCATION_KINDS,
              help="RANDOMIZED (default for randomized trials) or ENROLLED.",
              sdtm="DSDECOD, DSTERM"),
    ),
    checks=(DISPOSITION_CHECKS[3],),
    section="baseline",
)  # fmt: skip


# -- the records (SDTM variables; the caller adds USUBJID, the date and any visit) ----------------


def consent_record() -> dict[str, object]:
    """DS informed consent, at the screening visit."""
    return {
        "DSTERM": CONSENT,
        "DSDECOD": CONSENT,
        "DSCAT": _MILESTONE,
        "EPOCH": EPOCH_SCREENING,
        "VISIT": SCREENING,
        "VISITNUM": VISITNUM_SCREENING,
    }


def allocation_record(kind: str, stratum: str | None = None) -> dict[str, object]:
    """DS RANDOMIZED or ENROLLED (the stratum in the NSV STRATUM)."""
    if kind not in ALLOCATION_KINDS:
        raise ValueError(f"{kind!r} is not an allocation ({', '.join(ALLOCATION_KINDS.codes)})")
    return {
        "DSTERM": kind,
        "DSDECOD": kind,
        "DSCAT": _MILESTONE,
        "EPOCH": EPOCH_SCREENING,
        "STRATUM": stratum,
    }


def screen_failure_record(reason: str) -> dict[str, object]:
    """DS SCREEN FAILURE; DSTERM the first criterion not met (upper case, 200 characters)."""
    return {
        "DSTERM": reason.upper()[:200],
        "DSDECOD": SCREEN_FAILURE,
        "DSCAT": _EVENT,
        "DSSCAT": END_OF_SCREENING,
        "EPOCH": EPOCH_SCREENING,
        "VISIT": SCREENING,
        "VISITNUM": VISITNUM_SCREENING,
    }


def disposition_record(event: str, reason: str, term: str | None = None) -> dict[str, object]:
    """DS end of treatment, end of study or alive contact; DSTERM ``term`` or the reason."""
    kind = DISPOSITION_EVENT[event]
    return {
        "DSTERM": ALIVE_TERM if event == ALIVE else (term or reason),
        "DSDECOD": reason,
        "DSCAT": kind.category,
        "DSSCAT": kind.subcategory,
        "EPOCH": kind.epoch,
    }


def death_record(cause: str) -> dict[str, object]:
    """DS DEATH (end of study), the cause in DSTERM; DM DTHDTC/DTHFL follow it."""
    return {
        "DSTERM": cause,
        "DSDECOD": DEATH,
        "DSCAT": _EVENT,
        "DSSCAT": END_OF_STUDY,
        "EPOCH": EPOCH_FOLLOW_UP,
    }


def is_death(decod: object, subcategory: object) -> bool:
    """The death record: DSDECOD DEATH outside the end-of-treatment category (an end of
    treatment may give DEATH as its reason as well)."""
    return decod == DEATH and subcategory != END_OF_TREATMENT


def criterion_not_met_record(code: str, text: str, category: str) -> dict[str, object]:
    """IE: a criterion not met (SDTMIG: IE holds the criteria not met) — an inclusion criterion
    answered N, an exclusion criterion answered Y."""
    result = "N" if category == IE_CATEGORIES.codes[0] else "Y"
    return {
        "IETESTCD": code,
        "IETEST": text,
        "IECAT": category,
        "IEORRES": result,
        "IESTRESC": result,
    }
