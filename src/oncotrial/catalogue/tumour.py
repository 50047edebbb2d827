"""Tumour assessments: lesions (TU), their measurements (TR) and timepoint responses (RS).

docs/sdtm.md gives the conventions, after the CDISC pilot oncology data: TU identifies each lesion
once per assessor (``TUMIDENT``; role in ``TUSTRESC``; a lymph node is ``TULOC LYMPH NODE``); TR
holds one result per lesion per scan (``LDIAM`` the longest diameter, ``LPERP`` the short axis of
a node, ``TUMSTATE`` the state of a non-target or new lesion); RS the target, non-target and
overall responses by the criteria in ``RSCAT``. RECIST 1.1 is Eisenhauer et al., Eur J Cancer
2009;45:228–247.
"""

from __future__ import annotations

from typing import Final

from oncotrial.catalogue.checks import DATE_NOT_FUTURE, PLAUSIBLE_RANGE, WARNING
from oncotrial.catalogue.common import ANATOMICAL_LOCATIONS, CDISC_CT, LATERALITY
from oncotrial.catalogue.model import Entity, Field, Kind, Range, Test
from oncotrial.catalogue.rule import EditCheck
from oncotrial.catalogue.vocabulary import vocabulary

__all__ = [
    "ASSESSMENT_CHECKS",
    "CR",
    "CRITERIA",
    "EVALUATORS",
    "IMAGING_METHODS",
    "LESION",
    "LESION_ROLES",
    "LONGEST_DIAMETER",
    "LYMPH_NODE",
    "MEASUREMENT",
    "MEASUREMENT_TESTS",
    "ND",
    "NE",
    "NEW_LESION_INDICATOR",
    "NON_CR_NON_PD",
    "NON_TARGET_RESPONSE",
    "OVERALL_RESPONSE",
    "PD",
    "PR",
    "RESPONSE",
    "RESPONSE_TESTS",
    "SD",
    "SHORT_AXIS",
    "TARGET_RESPONSE",
    "TUMOUR_IDENTIFICATION",
    "TUMOUR_STATE",
    "LesionRole",
    "LesionState",
    "diameter_test",
]

RECIST: Final = "RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228–247)"


class LesionRole:
    """Lesion roles (TU ``TUSTRESC``; TR ``TRGRPID``)."""

    TARGET: Final = "TARGET"
    NON_TARGET: Final = "NON-TARGET"
    NEW: Final = "NEW"


class LesionState:
    """Lesion states recorded at an assessment (TR ``TUMSTATE`` and the words readers map to)."""

    ABSENT: Final = "ABSENT"
    PRESENT: Final = "PRESENT"
    PROGRESSION: Final = "UNEQUIVOCAL PROGRESSION"
    INCREASED: Final = "INCREASED"  # iRECIST: any further increase since the last assessment
    EQUIVOCAL: Final = "EQUIVOCAL"  # new lesions only (RECIST 1.1 §4.3.5)
    NOT_EVALUABLE: Final = "NOT EVALUABLE"
    TOO_SMALL: Final = "TOO SMALL TO MEASURE"  # target lesions (RECIST 1.1 Appendix II)


LESION_ROLES: Final = vocabulary(
    "Tumor Identification Result",
    f"{CDISC_CT}, TUMIDRS; RECIST 1.1 §4.2",
    (
        (LesionRole.TARGET, "Target"),
        (LesionRole.NON_TARGET, "Non-target"),
        (LesionRole.NEW, "New"),
    ),
)
NON_TARGET_STATES: Final = vocabulary(
    "Non-target lesion state",
    "RECIST 1.1 §4.3.2 (CR, non-CR/non-PD, unequivocal progression)",
    (LesionState.PRESENT, LesionState.ABSENT, LesionState.PROGRESSION),
)
NEW_LESION_STATES: Final = vocabulary(
    "New lesion state",
    "RECIST 1.1 §4.3.5 (a new lesion is unequivocal or equivocal)",
    (LesionState.PRESENT, LesionState.EQUIVOCAL),
)
EVALUATORS: Final = vocabulary(
    "Evaluator",
    f"{CDISC_CT}, EVAL; docs/sdtm.md (independent reads as in the pharmaverse data)",
    ("INVESTIGATOR", "INDEPENDENT ASSESSOR"),
)
IMAGING_METHODS: Final = vocabulary(
    "Method of identification", f"{CDISC_CT}, METHOD", (("CT SCAN", "CT scan"), ("MRI", "MRI"))
)
LYMPH_NODE: Final = "LYMPH NODE"  # TULOC of a node (RECIST 1.1 §3.1.1: short axis measured)
ACCEPTED: Final = "Y"  # --ACPTFL on the read that counts

TUMOUR_IDENTIFICATION: Final = Test("TU", "TUMIDENT", "Tumor Identification", results=LESION_ROLES)
LESION: Final = Entity(
    key="lesion",
    title="Lesion",
    domains=("TU",),
    description="A lesion as identified by one assessor: its id (T01…, NT01…, NEW01…), role and "
    "location; TUDTC the scan that found it.",
    fields=(
        Field("lesion_id", "Lesion id", required=True,
              help="T01–T05 targets, NT01… non-targets, NEW01… new lesions.", sdtm="TULNKID"),
        Field("role", "Role", Kind.CHOICE, required=True, vocabulary=LESION_ROLES,
              sdtm="TUORRES, TUSTRESC"),
        Field("location", "Location", required=True, vocabulary=ANATOMICAL_LOCATIONS,
              help="Organ, as CDISC anatomical location terms.", example="LUNG", sdtm="TULOC"),
        Field("location_detail", "Location detail", help="E.g. the node station.",
              example="MEDIASTINAL", sdtm="TULOCDTL"),
        Field("laterality", "Laterality", Kind.CHOICE, vocabulary=LATERALITY, sdtm="TULAT"),
        Field("method", "Imaging method", Kind.CHOICE, vocabulary=IMAGING_METHODS,
              example="CT SCAN", sdtm="TUMETHOD"),
        Field("evaluator", "Assessor", Kind.CHOICE, vocabulary=EVALUATORS, sdtm="TUEVAL"),
    ),
    tests=(TUMOUR_IDENTIFICATION,),
    checks=(
        EditCheck("TU-LOCATION-TERM", "the location is one of the usual anatomical location "
                  "terms", ANATOMICAL_LOCATIONS.source, WARNING, ("location",)),
    ),
    section="tumour",
)  # fmt: skip

# -- measurements (TR) -------------------------------------------------------------------------

LONGEST_DIAMETER: Final = Test(
    "TR", "LDIAM", "Longest Diameter", unit="mm",
    plausible=Range(0, 500, "a lesion diameter in mm", PLAUSIBLE_RANGE.id),
    definition="A non-nodal lesion's longest diameter in the plane of measurement "
    "(RECIST 1.1 §3.2).",
)  # fmt: skip
SHORT_AXIS: Final = Test(
    "TR", "LPERP", "Longest Perpendicular", unit="mm",
    plausible=Range(0, 500, "a lesion diameter in mm", PLAUSIBLE_RANGE.id),
    definition="A lymph node's short axis, perpendicular to its longest diameter (RECIST 1.1 "
    "§3.2; CDISC TRTESTCD LPERP).",
)  # fmt: skip
SHORT_AXIS_ALIAS: Final = "SAXIS"  # another TRTESTCD data use for the short axis
TUMOUR_STATE: Final = Test(
    "TR", "TUMSTATE", "Tumor State",
    results=vocabulary("Tumor state", RECIST,
                       (*NON_TARGET_STATES.codes, LesionState.EQUIVOCAL)),
)  # fmt: skip
MEASUREMENT_TESTS: Final = (LONGEST_DIAMETER, SHORT_AXIS, TUMOUR_STATE)
NOT_ASSESSABLE: Final = "NOT ASSESSABLE: IMAGE OBSCURED"  # TRREASND the simulator writes
TOO_SMALL_MM: Final = 5.0  # RECIST 1.1 Appendix I: a lesion too small to measure is 5 mm


def diameter_test(node: bool) -> Test:
    """The RECIST measure of a lesion: a node's short axis, any other lesion's longest diameter."""
    return SHORT_AXIS if node else LONGEST_DIAMETER


MEASUREMENT: Final = Entity(
    key="measurement",
    title="Lesion measurement",
    domains=("TR",),
    description="One result of one lesion at one scan: a diameter in mm for targets (and "
    "measurable new lesions), a state otherwise; NOT DONE with a reason when not assessed.",
    fields=(
        Field("value", "Result", required=True,
              help="mm for target lesions; PRESENT / ABSENT / UNEQUIVOCAL PROGRESSION for "
              "non-target lesions.", sdtm="TRORRES, TRSTRESC, TRSTRESN"),
        Field("stat", "Status", Kind.CHOICE,
              vocabulary=vocabulary("Completion status", f"{CDISC_CT}, ND",
                                    (("NOT DONE", "Not done"),)),
              sdtm="TRSTAT"),
        Field("reasnd", "Reason not done", sdtm="TRREASND"),
    ),
    tests=MEASUREMENT_TESTS,
    checks=(
        EditCheck("TR-RESULT", "a result is a diameter in mm or a lesion state", RECIST,
                  fields=("value",)),
        EditCheck("TR-NOT-DONE-REASON", "a result not done says why", "SDTMIG 3.4 --REASND",
                  fields=("reasnd",)),
        PLAUSIBLE_RANGE,
        EditCheck("TR-LESION-IDENTIFIED", "the measured lesion is identified in TU (same "
                  "subject, link id and assessor)", "docs/sdtm.md TR", fields=("value",)),
        EditCheck("TR-AFTER-BASELINE", "a lesion is not measured before its baseline (TUDTC)",
                  RECIST, fields=("value",)),
    ),
    section="tumour",
)  # fmt: skip

# -- the assessment form's rules (RECIST 1.1) ----------------------------------------------------

MAX_TARGETS: Final = 5
MAX_TARGETS_PER_ORGAN: Final = 2
MIN_TARGET_MM: Final = 10.0
MIN_TARGET_NODE_MM: Final = 15.0
BASELINE_WINDOW_DAYS: Final = 28

ASSESSMENT_CHECKS: Final = (
    EditCheck("RECIST-TARGETS", f"at most {MAX_TARGETS} target lesions, at most "
              f"{MAX_TARGETS_PER_ORGAN} per organ", "RECIST 1.1 §4.2", fields=("lesions",)),
    EditCheck("RECIST-MEASURABLE", f"a target lesion measures at least {MIN_TARGET_MM:g} mm "
              f"(a node at least {MIN_TARGET_NODE_MM:g} mm in short axis) at baseline",
              "RECIST 1.1 §3.1.1", fields=("value",)),
    EditCheck("RECIST-BASELINE-WINDOW", f"the baseline scan is at most {BASELINE_WINDOW_DAYS} "
              "days before the start of treatment", "RECIST 1.1 §3.2.1", WARNING, ("date",)),
    EditCheck("ASSESSMENT-AFTER-BASELINE", "a follow-up scan is after the baseline scan",
              RECIST, fields=("date",)),
    DATE_NOT_FUTURE,
)  # fmt: skip

# -- responses (RS) ------------------------------------------------------------------------------

CR: Final = "CR"
PR: Final = "PR"
SD: Final = "SD"
NON_CR_NON_PD: Final = "NON-CR/NON-PD"
PD: Final = "PD"
NE: Final = "NE"
ND: Final = "ND"

CRITERIA: Final = vocabulary(
    "Response criteria",
    "docs/sdtm.md RS (RSCAT)",
    ("RECIST 1.1", "iRECIST", "mRECIST"),
)
TARGET_RESPONSES: Final = vocabulary("Target response", RECIST + " §4.3.1", (CR, PR, SD, PD, NE))
NON_TARGET_RESPONSES: Final = vocabulary(
    "Non-target response", RECIST + " §4.3.2", (CR, NON_CR_NON_PD, PD, NE)
)
OVERALL_RESPONSES: Final = vocabulary(
    "Overall response", RECIST + " §4.3.4", (CR, PR, SD, NON_CR_NON_PD, PD, NE)
)
TARGET_RESPONSE: Final = Test("RS", "TRGRESP", "Target Response", results=TARGET_RESPONSES)
NON_TARGET_RESPONSE: Final = Test(
    "RS", "NTRGRESP", "Non-target Response", results=NON_TARGET_RESPONSES
)
OVERALL_RESPONSE: Final = Test("RS", "OVRLRESP", "Overall Response", results=OVERALL_RESPONSES)
# The new-lesion indicator: a column of the response engine's timepoint frame, and an RS test
# imported data may carry (oncotrial records new lesions in TU/TR, docs/sdtm.md RS).
NEW_LESION_INDICATOR: Final = Test(
    "RS", "NEWLIND", "New Lesion Indicator", results=vocabulary("NY", CDISC_CT, ("Y", "N"))
)
RESPONSE_TESTS: Final = (TARGET_RESPONSE, NON_TARGET_RESPONSE, OVERALL_RESPONSE)

RESPONSE: Final = Entity(
    key="response",
    title="Timepoint response",
    domains=("RS",),
    description="The investigator's responses at a tumour assessment, by the criteria in "
    "RSCAT; the response engine derives them from TR independently.",
    fields=(
        Field("criteria", "Criteria", Kind.CHOICE, vocabulary=CRITERIA,
              help="RECIST 1.1 (default), iRECIST or mRECIST.", sdtm="RSCAT"),
        Field("evaluator", "Assessor", Kind.CHOICE, vocabulary=EVALUATORS,
              help="INVESTIGATOR (default) or INDEPENDENT ASSESSOR.", sdtm="RSEVAL"),
        Field("target", "Target response", Kind.CHOICE, vocabulary=TARGET_RESPONSES,
              sdtm="RS TRGRESP"),
        Field("non_target", "Non-target response", Kind.CHOICE, vocabulary=NON_TARGET_RESPONSES,
              sdtm="RS NTRGRESP"),
        Field("overall", "Overall response", Kind.CHOICE, required=True,
              vocabulary=OVERALL_RESPONSES, sdtm="RS OVRLRESP"),
    ),
    tests=RESPONSE_TESTS,
    section="tumour",
)  # fmt: skip


# -- the records (SDTM variables; the caller adds USUBJID, visit, dates and any assessor id) -------


def lesion_record(
    link_id: str,
    role: str,
    location: str | None,
    *,
    detail: str | None = None,
    laterality: str | None = None,
    method: str | None = None,
    evaluator: str | None = None,
    evaluator_id: str | None = None,
) -> dict[str, object]:
    """TU: the lesion ``link_id`` identified as ``role`` at ``location`` (accepted read)."""
    return {
        "TULNKID": link_id,
        **TUMOUR_IDENTIFICATION.codes(),
        **TUMOUR_IDENTIFICATION.result(role),
        "TULOC": location,
        "TULOCDTL": detail,
        "TULAT": laterality,
        "TUMETHOD": method or IMAGING_METHODS.codes[0],
        "TUEVAL": evaluator,
        "TUEVALID": evaluator_id,
        "TUACPTFL": ACCEPTED,
    }


def diameter_record(node: bool, text: str | None, number: object = None) -> dict[str, object]:
    """TR result of the lesion's RECIST measure (mm): ``text`` as recorded, ``number``."""
    test = diameter_test(node)
    return {**test.codes(), **test.result(text, number)}


def state_record(state: str | None) -> dict[str, object]:
    """TR TUMSTATE result: the state of a non-target or new lesion."""
    return {**TUMOUR_STATE.codes(), **TUMOUR_STATE.result(state)}


def not_done_record(test: Test, reason: str | None) -> dict[str, object]:
    """TR ``test`` not done (``--STAT`` NOT DONE, ``--REASND`` the reason), without a result."""
    return {**test.codes(), test.var("--STAT"): "NOT DONE", test.var("--REASND"): reason}


def response_record(
    test: Test, value: str | None, criteria: str = CRITERIA.codes[0]
) -> dict[str, object]:
    """RS ``test`` (TRGRESP, NTRGRESP, OVRLRESP) with ``value`` by ``criteria`` (RSCAT)."""
    return {**test.codes(), test.var("--CAT"): criteria, **test.result(value)}


#: TULNKID prefixes by role (docs/sdtm.md TU): T01–T05, NT01…, NEW01….
LINK_PREFIXES: Final = {LesionRole.TARGET: "T", LesionRole.NON_TARGET: "NT", LesionRole.NEW: "NEW"}


def link_id(role: str, number: int) -> str:
    """The TULNKID of the ``number``-th lesion of ``role``: ``T01``, ``NT02``, ``NEW01``."""
    return f"{LINK_PREFIXES[role]}{number:02d}"


def role_of_link(link: str | None) -> str:
    """The role a TULNKID's prefix names (TARGET when it names none)."""
    text = (link or "").upper()
    for role in (LesionRole.NEW, LesionRole.NON_TARGET):
        if text.startswith(LINK_PREFIXES[role]):
            return role
    return LesionRole.TARGET
