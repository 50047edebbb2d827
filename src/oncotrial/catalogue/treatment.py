"""Treatment: study drug administrations (EX), local therapy (PR) and other therapy (CM).

docs/sdtm.md: one EX record per administration of an infused drug (one per cycle of an oral drug),
the cycle in VISIT ``CYCLE c DAY 1``; cryoablation, radiofrequency ablation and radiotherapy are
PR ``LOCAL THERAPY`` records (radiotherapy with its dose in Gy, one record per treated lesion,
linked by ``PRLNKID``); prior, concomitant and subsequent anticancer therapy are CM records told
apart by ``CMCAT``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from oncotrial.catalogue.checks import DATE_CHECKS, PLAUSIBLE_RANGE, WARNING
from oncotrial.catalogue.common import ANATOMICAL_LOCATIONS, CDISC_CT, LATERALITY
from oncotrial.catalogue.model import Entity, Field, Kind, Range
from oncotrial.catalogue.rule import EditCheck
from oncotrial.catalogue.vocabulary import Term, Vocabulary, vocabulary

__all__ = [
    "CM_CATEGORIES",
    "CONCOMITANT",
    "DOSE_ADJUSTMENTS",
    "DOSE_FORMS",
    "DOSE_UNITS",
    "EXPOSURE",
    "LOCAL_THERAPY",
    "MEDICATION",
    "PRIOR_THERAPY",
    "PROCEDURE",
    "RADIATION_DOSE_UNIT",
    "ROUTES",
    "ROUTE_OF_PROTOCOL",
    "STUDY_TREATMENT",
    "SUBSEQUENT_THERAPY",
]

STUDY_TREATMENT: Final = "STUDY TREATMENT"  # EXCAT
LOCAL_THERAPY: Final = "LOCAL THERAPY"  # PRCAT
RADIATION_DOSE_UNIT: Final = "Gy"

ROUTES: Final = Vocabulary(
    "Route of Administration",
    (
        Term("INTRAVENOUS", "Intravenous"),
        Term("ORAL", "Oral"),
        Term("SUBCUTANEOUS", "Subcutaneous"),
        Term("INTRAMUSCULAR", "Intramuscular"),
        Term("PERCUTANEOUS", "Percutaneous"),
        Term("INTRATUMORAL", "Intratumoral"),
        Term("RESPIRATORY (INHALATION)", "Inhaled"),
        Term("TOPICAL", "Topical"),
    ),
    f"{CDISC_CT}, ROUTE",
)
#: The protocol's route words (``oncotrial.protocol.dosing.Route`` values) → EXROUTE.
ROUTE_OF_PROTOCOL: Final = MappingProxyType(
    {
        "intravenous": "INTRAVENOUS",
        "oral": "ORAL",
        "subcutaneous": "SUBCUTANEOUS",
        "intramuscular": "INTRAMUSCULAR",
        "percutaneous": "PERCUTANEOUS",
        "intratumoral": "INTRATUMORAL",
        "inhaled": "RESPIRATORY (INHALATION)",
        "topical": "TOPICAL",
    }
)
#: The usual dose form of a route (EXDOSFRM, CDISC CT FRM) when the protocol names none.
DOSE_FORMS: Final = MappingProxyType(
    {"INTRAVENOUS": "INJECTION", "ORAL": "TABLET", "SUBCUTANEOUS": "INJECTION"}
)
DOSE_UNITS: Final = vocabulary(
    "Dose unit", f"{CDISC_CT}, UNIT", ("mg", "mg/kg", "mg/m2", "g", "µg")
)
DOSE_ADJUSTMENTS: Final = vocabulary(
    "Reason for dose adjustment",
    "docs/sdtm.md EX (EXADJ)",
    (
        ("DOSE DELAYED: ADVERSE EVENT", "Delayed: adverse event"),
        ("DOSE DELAYED: SCHEDULING", "Delayed: scheduling"),
        ("DOSE REDUCED: ADVERSE EVENT", "Reduced: adverse event"),
    ),
)
DELAYED_FOR_AE, DELAYED_FOR_SCHEDULING, REDUCED_FOR_AE = DOSE_ADJUSTMENTS.codes
DOSE_TOLERANCE: Final = 0.10  # a dose more than 10% off the protocol's needs a reason

EXPOSURE: Final = Entity(
    key="exposure",
    title="Study drug administration",
    domains=("EX",),
    description="One administration (one cycle of an oral drug), the cycle in VISIT.",
    fields=(
        Field("trt", "Study drug", Kind.CHOICE, required=True, example="SERPLULIMAB",
              help="An intervention of the protocol.", sdtm="EXTRT"),
        Field("visit", "Cycle", Kind.CHOICE, required=True, sdtm="VISIT, VISITNUM"),
        Field("stdtc", "Date given (start)", Kind.DATE, required=True, sdtm="EXSTDTC"),
        Field("endtc", "End date", Kind.DATE, help="Oral drugs: last day of the cycle's dosing.",
              sdtm="EXENDTC"),
        Field("dose", "Dose", Kind.NUMBER, required=True, minimum=0, example="300",
              sdtm="EXDOSE"),
        Field("dosu", "Unit", Kind.CHOICE, required=True, vocabulary=DOSE_UNITS, example="mg",
              sdtm="EXDOSU"),
        Field("route", "Route", Kind.CHOICE, vocabulary=ROUTES.only(*ROUTES.codes[:4]),
              example="INTRAVENOUS", sdtm="EXROUTE"),
        Field("adj", "Dose adjustment", Kind.CHOICE, vocabulary=DOSE_ADJUSTMENTS,
              help="Empty when given as planned.", sdtm="EXADJ"),
    ),
    checks=(
        *DATE_CHECKS,
        EditCheck("EX-AFTER-ENROLLMENT", "study drug is not given before enrollment",
                  "docs/sdtm.md EX", fields=("stdtc",)),
        EditCheck("EX-DOSE-UNIT", "the dose is in the protocol's unit", "protocol dosing",
                  WARNING, ("dosu",)),
        EditCheck("EX-DOSE", f"a dose more than {DOSE_TOLERANCE:.0%} off the protocol dose "
                  "records the reason (EXADJ)", "protocol dosing; docs/sdtm.md EX", WARNING,
                  ("dose",)),
    ),
    section="treatment",
)  # fmt: skip

PROCEDURE: Final = Entity(
    key="procedure",
    title="Local therapy",
    domains=("PR",),
    description="Cryoablation, radiofrequency ablation or radiotherapy: date, treated site, the "
    "treated lesion (PRLNKID = TULNKID) and the radiation dose in Gy.",
    fields=(
        Field("trt", "Procedure", Kind.CHOICE, required=True, example="CT-GUIDED CRYOABLATION",
              sdtm="PRTRT"),
        Field("stdtc", "Date", Kind.DATE, required=True, sdtm="PRSTDTC"),
        Field("endtc", "End date", Kind.DATE, help="Radiotherapy: last fraction.",
              sdtm="PRENDTC"),
        Field("location", "Treated site", required=True, vocabulary=ANATOMICAL_LOCATIONS,
              help="Organ, as CDISC anatomical location terms.", example="LUNG", sdtm="PRLOC"),
        Field("laterality", "Laterality", Kind.CHOICE, vocabulary=LATERALITY, sdtm="PRLAT"),
        Field("lesion_id", "Treated lesion", help="TULNKID, if the lesion is recorded.",
              sdtm="PRLNKID"),
        Field("dose", "Radiation dose", Kind.NUMBER, minimum=0, unit=RADIATION_DOSE_UNIT,
              plausible=Range(0, 150, "a radiation dose in Gy", PLAUSIBLE_RANGE.id),
              sdtm="PRDOSE, PRDOSU"),
    ),
    checks=(
        *DATE_CHECKS,
        PLAUSIBLE_RANGE,
        EditCheck("PR-LOCATION-TERM", "the treated site is one of the usual anatomical location "
                  "terms", ANATOMICAL_LOCATIONS.source, WARNING, ("location",)),
    ),
    section="treatment",
)  # fmt: skip

CM_CATEGORIES: Final = vocabulary(
    "Category for Medication",
    "docs/sdtm.md CM (CMCAT)",
    (
        ("PRIOR ANTICANCER THERAPY", "Prior anticancer therapy"),
        ("CONCOMITANT MEDICATION", "Concomitant medication"),
        ("SUBSEQUENT ANTICANCER THERAPY", "Subsequent anticancer therapy"),
    ),
)
PRIOR_THERAPY, CONCOMITANT, SUBSEQUENT_THERAPY = CM_CATEGORIES.codes
PRIMARY_MALIGNANCY: Final = "PRIMARY MALIGNANCY"  # CMINDC of prior anticancer therapy

MEDICATION: Final = Entity(
    key="medication",
    title="Medication or therapy",
    domains=("CM",),
    description="Prior anticancer therapy (before consent), concomitant medication, and "
    "subsequent anticancer therapy (after study treatment, e.g. after progression).",
    fields=(
        Field("cat", "Category", Kind.CHOICE, required=True, vocabulary=CM_CATEGORIES,
              sdtm="CMCAT"),
        Field("trt", "Medication or regimen", required=True, example="DOCETAXEL", sdtm="CMTRT"),
        Field("indication", "Indication", sdtm="CMINDC"),
        Field("stdtc", "Start date", Kind.DATE, required=True, sdtm="CMSTDTC"),
        Field("endtc", "End date", Kind.DATE, sdtm="CMENDTC"),
    ),
    checks=(
        *DATE_CHECKS,
        EditCheck("CM-SUBSEQUENT", "subsequent therapy starts after study treatment began",
                  "docs/sdtm.md CM", fields=("stdtc",)),
        EditCheck("CM-PRIOR", "prior therapy starts before informed consent", "docs/sdtm.md CM",
                  WARNING, ("stdtc",)),
    ),
    section="treatment",
    notes=("Prior therapy is exempt from DATE-AFTER-CONSENT.",),
)  # fmt: skip
