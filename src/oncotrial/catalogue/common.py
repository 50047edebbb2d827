"""Vocabularies and conventions shared by several entities: flags, epochs, visits, sites.

Visits (docs/sdtm.md, "Identifiers, visits and assessors"): ``SCREENING`` is VISITNUM 1, the
procedure visit of the n-th intervention 50 + n, ``CYCLE c DAY 1`` 100 + c, the k-th tumour
assessment (``WEEK w`` or ``DAY d`` on the imaging schedule) 200 + k, ``END OF TREATMENT`` 900,
``SURVIVAL FOLLOW-UP`` 1000.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from oncotrial.catalogue.vocabulary import vocabulary

__all__ = [
    "ANATOMICAL_LOCATIONS",
    "CDISC_CT",
    "END_OF_TREATMENT_VISIT",
    "EPOCHS",
    "EPOCH_FOLLOW_UP",
    "EPOCH_SCREENING",
    "EPOCH_TREATMENT",
    "LATERALITY",
    "NOT_DONE",
    "SCREENING",
    "SURVIVAL_FOLLOW_UP_VISIT",
    "UNSCHEDULED",
    "YES",
    "YES_NO",
    "assessment_visit",
    "cycle_visit",
    "visit_number",
]

CDISC_CT: Final = "CDISC Controlled Terminology (SDTM)"

YES: Final = "Y"
YES_NO: Final = vocabulary("No Yes Response", f"{CDISC_CT}, NY", (("N", "No"), ("Y", "Yes")))
NOT_DONE: Final = "NOT DONE"  # --STAT (CDISC CT ND)

SCREENING: Final = "SCREENING"
END_OF_TREATMENT_VISIT: Final = "END OF TREATMENT"
SURVIVAL_FOLLOW_UP_VISIT: Final = "SURVIVAL FOLLOW-UP"
UNSCHEDULED: Final = "UNSCHEDULED"

EPOCHS: Final = vocabulary("Epoch", f"{CDISC_CT}, EPOCH", ("SCREENING", "TREATMENT", "FOLLOW-UP"))
EPOCH_SCREENING, EPOCH_TREATMENT, EPOCH_FOLLOW_UP = EPOCHS.codes

# CDISC anatomical location terms (LOC) for the usual sites of lung and colorectal cancer
# and their metastases; a lymph node is TULOC LYMPH NODE, its station in TULOCDTL.
ANATOMICAL_LOCATIONS: Final = vocabulary(
    "Anatomical location",
    f"{CDISC_CT}, LOC",
    (
        "LUNG",
        "LIVER",
        "LYMPH NODE",
        "ADRENAL GLAND",
        "BONE",
        "BRAIN",
        "PLEURA",
        "PERITONEUM",
        "KIDNEY",
        "SPLEEN",
    ),
)
LATERALITY: Final = vocabulary(
    "Laterality",
    f"{CDISC_CT}, LAT",
    (("LEFT", "Left"), ("RIGHT", "Right"), ("BILATERAL", "Bilateral")),
)

VISITNUM_SCREENING: Final = 1
VISITNUM_PROCEDURE: Final = 50  # + the intervention's number
VISITNUM_CYCLE: Final = 100  # + the cycle
VISITNUM_ASSESSMENT: Final = 200  # + the scheduled assessment's number
VISITNUM_END_OF_TREATMENT: Final = 900
VISITNUM_SURVIVAL_FOLLOW_UP: Final = 1000


def cycle_visit(cycle: int) -> tuple[str, int]:
    """``CYCLE c DAY 1`` and its VISITNUM."""
    return f"CYCLE {cycle} DAY 1", VISITNUM_CYCLE + cycle


def assessment_visit(k: int, interval_days: int) -> tuple[str, int]:
    """The k-th scheduled tumour assessment, ``k × interval_days`` after the reference date:
    ``WEEK w`` on a whole week, else ``DAY d`` (study day d, the reference being day 1), and its
    VISITNUM (``oncotrial.enrollment`` plans the same names)."""
    days = k * interval_days
    name = f"WEEK {days // 7}" if days % 7 == 0 else f"DAY {days + 1}"
    return name, VISITNUM_ASSESSMENT + k


def visit_number(
    visit: str | None, *, imaging_interval_days: int | None, procedures: Sequence[str] = ()
) -> int | None:
    """VISITNUM of a visit name by the convention above; None for a visit it does not number.

    ``procedures`` are the protocol's intervention names in order (``PROCEDURE: <NAME>``).
    """
    if not visit:
        return None
    name = visit.upper()
    if name == SCREENING:
        return VISITNUM_SCREENING
    parts = name.split()
    if name.startswith("CYCLE ") and len(parts) > 1 and parts[1].isdigit():
        return VISITNUM_CYCLE + int(parts[1])
    scheduled = name.startswith(("WEEK ", "DAY ")) and len(parts) > 1 and parts[1].isdigit()
    if scheduled and imaging_interval_days:
        # WEEK w is day 7w after the reference; DAY d is study day d (day 1 = the reference).
        days = int(parts[1]) * 7 if name.startswith("WEEK") else int(parts[1]) - 1
        k, remainder = divmod(days, imaging_interval_days)
        if remainder == 0 and k > 0:
            return VISITNUM_ASSESSMENT + k
    if name.startswith("PROCEDURE: "):
        for n, procedure in enumerate(procedures, start=1):
            if name == f"PROCEDURE: {procedure.upper()}":
                return VISITNUM_PROCEDURE + n
    return {
        END_OF_TREATMENT_VISIT: VISITNUM_END_OF_TREATMENT,
        SURVIVAL_FOLLOW_UP_VISIT: VISITNUM_SURVIVAL_FOLLOW_UP,
    }.get(name)
