"""Every rule the response engine applies, declared as data with an id, a description and a source.

Each derived row of the output names the rule that decided it (column ``RULE``); ``rules_table()``
prints them all for audit (``oncotrial response rules``). Sources:

- RECIST 1.1: Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised
  RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-47.
- iRECIST: Seymour L et al. iRECIST: guidelines for response criteria for use in trials testing
  immunotherapeutics. Lancet Oncol 2017;18:e143-52.
- mRECIST: Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular
  carcinoma. Semin Liver Dis 2010;30:52-60.
- admiralonco: the pharmaverse R package's ADRS template and ``derive_param_*`` functions, whose
  defaults the oracle ``adrs_onco.csv`` was derived with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from oncotrial.catalogue.rule import Rule
from oncotrial.response import codes as c
from oncotrial.response.conditions import (
    Condition,
    Confirmed,
    FollowsCompleteResponse,
    Response,
    SdWindow,
)
from oncotrial.response.confirmation import (
    K_CR,
    K_ND,
    K_NE,
    K_NON,
    K_PD,
    K_PR,
    K_SD,
    K_UPD,
    Confirmation,
)

__all__ = [
    "ADMIRALONCO",
    "BOR",
    "CB",
    "CBOR",
    "CCB",
    "CONFIRM_CR",
    "CONFIRM_PR",
    "CRSP",
    "IRECIST",
    "MRECIST",
    "OVERALL_RULES",
    "PARAMETERS",
    "PD",
    "RECIST",
    "RSP",
    "RULES",
    "Event",
    "OverallRule",
    "Parameter",
    "Rule",
    "rules_table",
]

RECIST: Final = "RECIST 1.1 (Eisenhauer 2009)"
IRECIST: Final = "iRECIST (Seymour 2017)"
MRECIST: Final = "mRECIST (Lencioni & Llovet 2010)"
ADMIRALONCO: Final = "admiralonco"


# Target-lesion categories of a timepoint, as the overall-response tables name them.
T_CR: Final = "CR"
T_PR: Final = "PR"
T_SD: Final = "SD"
T_PD: Final = "PD"
T_NE: Final = "NE"  # "not all evaluated"
T_NA: Final = "NA"  # no target lesions at baseline
TARGET_CATEGORIES: Final = (T_CR, T_PR, T_SD, T_PD, T_NE, T_NA)

N_CR: Final = "CR"
N_NON: Final = "NON-CR/NON-PD"
N_PD: Final = "PD"
N_NE: Final = "NE"
N_NA: Final = "NA"  # no non-target lesions at baseline
NONTARGET_CATEGORIES: Final = (N_CR, N_NON, N_PD, N_NE, N_NA)

NEW_NO: Final = "N"
NEW_YES: Final = "Y"
NEW_EQUIVOCAL: Final = "EQUIVOCAL"
NEW_CATEGORIES: Final = (NEW_NO, NEW_YES, NEW_EQUIVOCAL)

_NON_PD_NT = frozenset({N_CR, N_NON, N_NA})
_NO_NEW = frozenset({NEW_NO, NEW_EQUIVOCAL})  # an equivocal new lesion is not PD (yet)
_ANY_T = frozenset(TARGET_CATEGORIES)
_ANY_N = frozenset(NONTARGET_CATEGORIES)
_ANY_NEW = frozenset(NEW_CATEGORIES)


@dataclass(frozen=True)
class OverallRule(Rule):
    """A row of RECIST 1.1 Table 1 or 2: target, non-target and new-lesion states -> response."""

    target: frozenset[str] = frozenset()
    nontarget: frozenset[str] = frozenset()
    new: frozenset[str] = frozenset()
    result: str = ""

    def matches(self, target: str, nontarget: str, new: str) -> bool:
        return target in self.target and nontarget in self.nontarget and new in self.new


def _overall(
    rule_id: str,
    quote: str,
    target: Iterable[str],
    nontarget: Iterable[str],
    new: Iterable[str],
    result: str,
    source: str,
) -> OverallRule:
    return OverallRule(
        id=rule_id,
        description=quote,
        source=source,
        target=frozenset(target),
        nontarget=frozenset(nontarget),
        new=frozenset(new),
        result=result,
    )


_T1 = "RECIST 1.1 Table 1 (target ± non-target disease)"
_T2 = "RECIST 1.1 Table 2 (non-target disease only)"

#: RECIST 1.1 Tables 1 and 2, in the order they are applied (the first matching row decides).
#: PD rows come first: "PD | Any | Yes or No", "Any | PD | Yes or No", "Any | Any | Yes" override
#: every other row. Non-target "NA" (none at baseline) is read as compatible with CR, as eCRFs do.
OVERALL_RULES: Final[tuple[OverallRule, ...]] = (
    _overall("T1-NEW", "Any | Any | Yes -> PD", _ANY_T, _ANY_N, {NEW_YES}, c.PD, _T1),
    _overall("T1-TPD", "PD | Any | Yes or No -> PD", {T_PD}, _ANY_N, _ANY_NEW, c.PD, _T1),
    _overall(
        "T1-NTPD",
        "Any | PD | Yes or No -> PD (T2: Unequivocal PD | Yes or No -> PD)",
        _ANY_T,
        {N_PD},
        _ANY_NEW,
        c.PD,
        f"{_T1}; {_T2}",
    ),
    _overall("T1-CR", "CR | CR | No -> CR", {T_CR}, {N_CR, N_NA}, _NO_NEW, c.CR, _T1),
    _overall("T1-CR-NON", "CR | Non-CR/non-PD | No -> PR", {T_CR}, {N_NON}, _NO_NEW, c.PR, _T1),
    _overall("T1-CR-NE", "CR | Not evaluated | No -> PR", {T_CR}, {N_NE}, _NO_NEW, c.PR, _T1),
    _overall(
        "T1-PR",
        "PR | Non-PD or not all evaluated | No -> PR",
        {T_PR},
        {*_NON_PD_NT, N_NE},
        _NO_NEW,
        c.PR,
        _T1,
    ),
    _overall(
        "T1-SD",
        "SD | Non-PD or not all evaluated | No -> SD",
        {T_SD},
        {*_NON_PD_NT, N_NE},
        _NO_NEW,
        c.SD,
        _T1,
    ),
    _overall(
        "T1-NE",
        "Not all evaluated | Non-PD | No -> NE",
        {T_NE},
        {*_NON_PD_NT, N_NE},
        _NO_NEW,
        c.NE,
        _T1,
    ),
    _overall("T2-CR", "CR | No -> CR", {T_NA}, {N_CR}, _NO_NEW, c.CR, _T2),
    _overall(
        "T2-NON",
        "Non-CR/non-PD | No -> Non-CR/non-PD",
        {T_NA},
        {N_NON},
        _NO_NEW,
        c.NON_CR_NON_PD,
        _T2,
    ),
    _overall("T2-NE", "Not all evaluated | No -> NE", {T_NA}, {N_NE}, _NO_NEW, c.NE, _T2),
)

_RULES: tuple[Rule, ...] = (
    # --- baseline -------------------------------------------------------------------------
    Rule(
        "BL-DATE",
        "Baseline = each lesion's latest record on or before the reference date; earlier "
        "pre-reference records of the same lesion are excluded as superseded",
        f"{RECIST} §3.2: baseline evaluations as close as possible to the treatment start",
    ),
    Rule(
        "BL-AGE",
        "Baseline record more than `baseline_max_days` before the reference date (flagged)",
        f"{RECIST} §3.2: 'never more than 4 weeks before the beginning of the treatment'",
    ),
    Rule(
        "BL-MAX5",
        "More than 5 target lesions at baseline (flagged, all kept)",
        f"{RECIST} §4.2: 'a maximum of five lesions total'",
    ),
    Rule(
        "BL-MAX2",
        "More than 2 target lesions in one organ at baseline (flagged, all kept)",
        f"{RECIST} §4.2: 'and a maximum of two lesions per organ'",
    ),
    Rule(
        "BL-LD10",
        "Non-nodal target lesion with baseline longest diameter < 10 mm (flagged, kept)",
        f"{RECIST} §3.1.1: measurable lesions have 'a minimum size of 10 mm by CT scan'",
    ),
    Rule(
        "BL-SA15",
        "Nodal target lesion with baseline short axis < 15 mm (flagged, kept)",
        f"{RECIST} §3.1.1: a node 'must be ≥15 mm in short axis' to be measurable",
    ),
    Rule(
        "BL-NODISEASE",
        "Subject without target or non-target lesions at baseline: excluded",
        f"{RECIST} §4.1: response is assessed against baseline tumour burden",
    ),
    # --- target lesions -------------------------------------------------------------------
    Rule(
        "TL-SUM",
        "Sum of diameters = longest diameter of non-nodal targets + short axis of nodal targets",
        f"{RECIST} §4.2: 'a sum of the diameters (longest for non-nodal lesions, short axis for "
        "nodal lesions)'",
    ),
    Rule(
        "TL-TSTM",
        "A target lesion 'too small to measure' counts `too_small_mm` (default 5 mm)",
        f"{RECIST} Appendix II / §4.3.2: 'a default value of 5 mm should be assigned'",
    ),
    Rule(
        "TL-CR",
        "Target CR: every non-nodal target 0 mm and every nodal target < 10 mm short axis "
        "(the sum may be > 0)",
        f"{RECIST} §4.3.1: 'Disappearance of all target lesions. Any pathological lymph nodes "
        "... must have reduction in short axis to <10 mm'",
    ),
    Rule(
        "TL-PR",
        "Target PR: sum at least 30% below the baseline sum",
        f"{RECIST} §4.3.1: 'At least a 30% decrease in the sum of diameters ..., taking as "
        "reference the baseline sum diameters'",
    ),
    Rule(
        "TL-PD",
        "Target PD: sum at least 20% and at least 5 mm above the nadir (smallest sum on study, "
        "baseline included)",
        f"{RECIST} §4.3.1: 'At least a 20% increase ... taking as reference the smallest sum on "
        "study ... the sum must also demonstrate an absolute increase of at least 5 mm'",
    ),
    Rule(
        "TL-PD-PARTIAL",
        "Target PD although some targets are not assessed: the assessed ones already meet PD",
        f"{RECIST} §4.4.2: NE unless the missing lesions would not change the response, 'most "
        "likely ... in the case of PD'",
    ),
    Rule(
        "TL-SD",
        "Target SD: neither PR nor PD",
        f"{RECIST} §4.3.1: 'Neither sufficient shrinkage to qualify for PR nor sufficient "
        "increase to qualify for PD'",
    ),
    Rule(
        "TL-NE",
        "Target NE: a baseline target lesion is not assessed (and PD is not met)",
        f"{RECIST} §4.4.2: 'If only a subset of lesion measurements are made ... NE'",
    ),
    Rule(
        "MR-TL-PD",
        "mRECIST target PD: viable-diameter sum at least 20% above the nadir (no 5 mm minimum)",
        f"{MRECIST} Table 1: 'An increase of at least 20% in the sum of the diameters of viable "
        "(enhancing) target lesions, taking as reference the smallest sum'",
    ),
    Rule(
        "MR-TL-CR",
        "mRECIST target CR: no intratumoral arterial enhancement left (viable diameters 0; "
        "nodes < 10 mm as RECIST 1.1)",
        f"{MRECIST} Table 1: 'Disappearance of any intratumoral arterial enhancement in all "
        "target lesions'",
    ),
    Rule(
        "MR-TL-PR",
        "mRECIST target PR: viable-diameter sum at least 30% below baseline",
        f"{MRECIST} Table 1: 'At least a 30% decrease in the sum of diameters of viable "
        "(contrast enhancement in the arterial phase) target lesions'",
    ),
    # --- non-target lesions ---------------------------------------------------------------
    Rule(
        "NT-CR",
        "Non-target CR: every non-target lesion absent",
        f"{RECIST} §4.3.3: 'Disappearance of all non-target lesions'",
    ),
    Rule(
        "NT-NON",
        "Non-target Non-CR/Non-PD: one or more non-target lesions persist "
        "(mRECIST: IR/SD, persisting enhancement)",
        f"{RECIST} §4.3.3; {MRECIST} Table 2 'IR/SD'",
    ),
    Rule(
        "NT-PD",
        "Non-target PD: unequivocal progression of an existing non-target lesion",
        f"{RECIST} §4.3.3: 'Unequivocal progression of existing non-target lesions'",
    ),
    Rule(
        "NT-NE",
        "Non-target not all evaluated: a baseline non-target lesion is not assessed",
        f"{RECIST} Table 1 'Not evaluated' / §4.4.2",
    ),
    Rule(
        "NT-NA",
        "No non-target lesion at baseline",
        "oncotrial convention (eCRF 'not applicable')",
    ),
    # --- new lesions ----------------------------------------------------------------------
    Rule(
        "NL-YES",
        "Unequivocal new lesion present",
        f"{RECIST} §4.3.5: 'The appearance of new malignant lesions denotes disease progression'",
    ),
    Rule(
        "NL-EQUIVOCAL",
        "Only equivocal new lesions: not PD at this assessment",
        f"{RECIST} §4.3.5: 'If a new lesion is equivocal ... continued therapy and follow-up "
        "evaluation will clarify'",
    ),
    Rule(
        "NL-CONFIRMED",
        "An equivocal new lesion later confirmed: PD dated at its first sighting",
        f"{RECIST} §4.3.5: 'If repeat scans confirm there is definitely a new lesion, then "
        "progression should be declared using the date of the initial scan'",
    ),
    # --- timepoints from records ----------------------------------------------------------
    Rule(
        "TP-RECORDED",
        "Timepoint response as recorded in RS (RSTESTCD OVRLRESP, RSSTRESC)",
        "SDTM RS; admiralonco ADRS template (AVALC = RSSTRESC)",
    ),
    Rule(
        "TP-SAMEDAY",
        "Several timepoint responses on one date: the worst is kept (PD, NE, NON-CR/NON-PD, SD, "
        "PR, CR), flagged",
        "oncotrial convention (admiralonco requires one record per date and errors otherwise)",
    ),
    Rule(
        "TP-BEFORE-REF",
        "A timepoint response dated before the reference date is excluded",
        f"{ADMIRALONCO} ADRS template: ANL01FL = Y only 'on or after randomization date'",
    ),
    # --- best overall response: what the parameters below do not decide by an event ------
    Rule(
        "BOR-WINDOW",
        "Assessments after the first PD do not count (unless `count_after_pd`)",
        f"{RECIST} §4.4.3 (best response recorded 'until disease progression'); {ADMIRALONCO} "
        "source_pd / ANL02FL",
    ),
    Rule(
        "BOR-MISSING",
        "No timepoint response at all: MISSING",
        f"{ADMIRALONCO} derive_param_bor (missing_as_ne = FALSE)",
    ),
    Rule(
        "CBOR-MISSING",
        "No timepoint response at all: MISSING",
        f"{ADMIRALONCO} derive_param_confirmed_bor",
    ),
    Rule(
        "BCP",
        "Best overall response of CR/PR: Y when BOR is CR or PR (dated as BOR), else N",
        f"{ADMIRALONCO} ADRS template (PARAMCD BCP)",
    ),
    Rule(
        "CBCP",
        "Best confirmed overall response of CR/PR: Y when CBOR is CR or PR, else N",
        f"{ADMIRALONCO} ADRS template (PARAMCD CBCP)",
    ),
    Rule(
        "LSTA",
        "Last disease assessment: the last timepoint on or after the reference date",
        f"{ADMIRALONCO} derive_param_lasta",
    ),
    Rule(
        "EXCLUDED",
        "The subject had records and every one was left out (see the excluded list), or the "
        "subject was excluded as a whole: its parameters are those of a subject without "
        "assessments (MISSING, N)",
        "oncotrial convention: bad input is reported and left out, never guessed",
    ),
    Rule(
        "MDIS",
        "Measurable disease at baseline: Y when the subject has a target lesion at baseline",
        f"{ADMIRALONCO} ADRS template (PARAMCD MDIS)",
    ),
    # --- iRECIST --------------------------------------------------------------------------
    Rule(
        "IR-IUPD",
        "iUPD: RECIST 1.1 PD criteria met (target, non-target or new lesions) with no iUPD pending",
        f"{IRECIST} Table 2 column 'no previous iUPD'",
    ),
    Rule(
        "IR-ICPD-TARGET",
        "iCPD: target sum ≥ 5 mm above the sum at iUPD (target was an iUPD category), or target "
        "PD newly met",
        f"{IRECIST} Table 2: 'further increase in sum of measures ≥5 mm'; FAQ: increases are "
        "additive",
    ),
    Rule(
        "IR-ICPD-NT",
        "iCPD: any further increase of a non-target lesion (non-target was an iUPD category), or "
        "non-target unequivocal progression newly met",
        f"{IRECIST} Table 2: 'further increase in the size of non-target disease (does not need "
        "to meet RECIST 1.1 criteria for unequivocal progression)'",
    ),
    Rule(
        "IR-ICPD-NEW",
        "iCPD: another new lesion, new-lesion target sum ≥ 5 mm above its sum at iUPD, any "
        "increase of a new non-target lesion, or new lesions appearing when they were not an iUPD "
        "category",
        f"{IRECIST} Table 2: 'increase in the size or number of new lesions previously identified'",
    ),
    Rule(
        "IR-REMAIN",
        "iUPD pending, no confirmation and some category still iUPD: the timepoint stays iUPD",
        f"{IRECIST} Table 2 column 'previous iUPD': 'Remains iUPD unless iCPD is confirmed'",
    ),
    Rule(
        "IR-EARLY",
        "An assessment sooner than `irecist_min_confirm_days` after iUPD cannot confirm it",
        f"{IRECIST}: confirmation 'at the next assessment (4-8 weeks later)'",
    ),
    Rule(
        "IR-LATE",
        "First assessment after iUPD later than `irecist_max_confirm_days` (flagged)",
        f"{IRECIST}: next assessment 'no longer than 8 weeks' after iUPD",
    ),
    Rule(
        "IR-RESET",
        "iUPD followed by iSD, iPR or iCR (no category at iUPD level, no new lesion): the iUPD "
        "is reset and the next progression must again meet iUPD",
        f"{IRECIST}: 'iUPD ... can be followed by iSD, iPR or iCR ... the bar is reset'",
    ),
    Rule(
        "IR-AFTER-ICPD",
        "Assessments after iCPD do not count toward the iBOR",
        f"{IRECIST}: iCPD is confirmed progression",
    ),
)


# --- best overall response and the subject-level response parameters ----------------------
# Each parameter is admiralonco's list of event() objects for derive_extreme_event, executed by
# oncotrial.response.best_response: every counted assessment takes the value of the first event
# it meets (in the order written), each subject the best value by ``ranking``, dated by the
# first assessment with it; a subject without any gets ``otherwise``.


@dataclass(frozen=True, kw_only=True)
class Event(Rule):
    """An assessment meeting ``condition`` gives the parameter ``value`` (admiralonco event)."""

    condition: Condition
    value: str

    def describe(self) -> str:
        return f"{self.id}: {self.value} when {self.condition} — {self.description} [{self.source}]"


@dataclass(frozen=True)
class Parameter:
    """A subject-level parameter: its events in order, the ranking of their values, the default."""

    paramcd: str
    events: tuple[Event, ...]
    ranking: tuple[str, ...]
    otherwise: str
    otherwise_rule: str

    def __post_init__(self) -> None:
        unranked = [e.id for e in self.events if e.value not in self.ranking]
        if unranked:  # pragma: no cover - guards the declarations below
            raise RuntimeError(f"{self.paramcd}: events {unranked} give a value not ranked")

    def describe(self) -> str:
        lines = [f"{self.paramcd}: best of {' > '.join(self.ranking)}, else {self.otherwise}"]
        lines += [f"  {event.describe()}" for event in self.events]
        return "\n".join(lines)


#: RECIST 1.1 §4.6.1 / Table 3 confirmation, admiralonco events crsp_y_cr and crsp_y_pr.
CONFIRM_CR: Final = Confirmation(
    response=K_CR, confirmed_by=frozenset({K_CR}), between=frozenset({K_CR, K_NE})
)
CONFIRM_PR: Final = Confirmation(
    response=K_PR,
    confirmed_by=frozenset({K_CR, K_PR}),
    between=frozenset({K_CR, K_PR, K_NE}),
    sd_between=True,
    no_pr_after_cr=True,
)

_RANKING: Final = (c.CR, c.PR, c.SD, c.NON_CR_NON_PD, c.PD, c.IUPD, c.NE, c.ND)
_BOR_SRC: Final = f"{ADMIRALONCO} derive_param_bor"
_CBOR_SRC: Final = f"{ADMIRALONCO} derive_param_confirmed_bor"
_IUPD_NOTE: Final = (
    "iRECIST only (the response labels are then iCR, iPR, iSD, NON-iCR/NON-iUPD, iCPD): an iUPD "
    "never confirmed ranks after iCPD and before NE"
)

BOR: Final = Parameter(
    "BOR",
    (
        Event(
            "BOR-CR",
            "Best response CR: a CR timepoint",
            _BOR_SRC,
            condition=Response((K_CR,)),
            value=c.CR,
        ),
        Event(
            "BOR-PR",
            "Best response PR: a PR timepoint",
            _BOR_SRC,
            condition=Response((K_PR,)),
            value=c.PR,
        ),
        Event(
            "BOR-SD",
            "Best response SD: a CR, PR or SD timepoint at least `sd_min_days` after the "
            "reference date",
            f"{RECIST} §4.6.3 (SD 'at least once after study entry at a minimum interval'); "
            f"{_BOR_SRC} ref_start_window",
            condition=Response((K_CR, K_PR, K_SD)) & SdWindow(),
            value=c.SD,
        ),
        Event(
            "BOR-NONCRPD",
            "Best response NON-CR/NON-PD: such a timepoint at least `sd_min_days` after the "
            "reference date",
            f"{RECIST} Table 2 footnote a; {_BOR_SRC}",
            condition=Response((K_NON,)) & SdWindow(),
            value=c.NON_CR_NON_PD,
        ),
        Event(
            "BOR-PD",
            "Best response PD: a PD timepoint",
            _BOR_SRC,
            condition=Response((K_PD,)),
            value=c.PD,
        ),
        Event(
            "BOR-IUPD",
            f"Best response iUPD: {_IUPD_NOTE}",
            f"{IRECIST} Table 3 examples 1-8",
            condition=Response((K_UPD,)),
            value=c.IUPD,
        ),
        Event(
            "BOR-NE",
            "Best response NE: NE timepoints, or SD/NON-CR/NON-PD before the SD window",
            f"{RECIST} Table 3 ('otherwise NE'); {_BOR_SRC}",
            condition=Response((K_SD, K_NON, K_NE)),
            value=c.NE,
        ),
        Event(
            "BOR-ND",
            "Best response ND: only assessments not done",
            f"{_BOR_SRC} (ND ranks after NE)",
            condition=Response((K_ND,)),
            value=c.ND,
        ),
    ),
    ranking=_RANKING,
    otherwise=c.MISSING,
    otherwise_rule="BOR-MISSING",
)

CBOR: Final = Parameter(
    "CBOR",
    (
        # First: a PR/SD right after a CR is disease reappearing, whatever follows (Table 3).
        Event(
            "CBOR-AFTER-CR",
            "A PR, SD or NON-CR/NON-PD as the next evaluable timepoint after a CR counts as PD "
            "for the confirmed best response (setting `after_cr = recist`)",
            f"{RECIST} Table 3 rows CR|PR ('SD, PD or PR', footnote a: 'any disease seen at a "
            "subsequent time point ... makes the disease PD at that point in time') and CR|SD "
            "('SD provided minimum criteria for SD duration met, otherwise, PD')",
            condition=FollowsCompleteResponse((K_PR, K_SD, K_NON)),
            value=c.PD,
        ),
        Event(
            "CBOR-CR",
            "Confirmed CR: a CR confirmed by a later CR at least `confirmation_days` after it, "
            "only CR or NE between, at most `max_ne_between` NE",
            f"{RECIST} §4.6.1 and Table 3 row CR|CR; {_CBOR_SRC}",
            condition=Confirmed(CONFIRM_CR),
            value=c.CR,
        ),
        Event(
            "CBOR-PR",
            "Confirmed PR: a PR confirmed by a later CR or PR at least `confirmation_days` after "
            "it, only CR, PR, NE (and one SD if `accept_sd_between`) between, no PR after a CR, "
            "at most `max_ne_between` NE",
            f"{RECIST} §4.6.1, Table 3 rows PR|CR, PR|PR; {_CBOR_SRC}",
            condition=Confirmed(CONFIRM_PR),
            value=c.PR,
        ),
        Event(
            "CBOR-SD",
            "Confirmed best response SD: an unconfirmed CR/PR or an SD at least `sd_min_days` "
            "after the reference date",
            f"{RECIST} Table 3 ('SD provided minimum criteria for SD duration met'); {_CBOR_SRC}",
            condition=Response((K_CR, K_PR, K_SD)) & SdWindow(),
            value=c.SD,
        ),
        Event(
            "CBOR-NONCRPD",
            "Confirmed best response NON-CR/NON-PD (as BOR-NONCRPD)",
            _CBOR_SRC,
            condition=Response((K_NON,)) & SdWindow(),
            value=c.NON_CR_NON_PD,
        ),
        Event(
            "CBOR-PD",
            "Confirmed best response PD: a PD timepoint and no SD window reached",
            f"{RECIST} Table 3 ('otherwise, PD')",
            condition=Response((K_PD,)),
            value=c.PD,
        ),
        Event(
            "CBOR-IUPD",
            f"Confirmed best response iUPD: {_IUPD_NOTE}",
            f"{IRECIST} Table 3 examples 1-8",
            condition=Response((K_UPD,)),
            value=c.IUPD,
        ),
        Event(
            "CBOR-NE",
            "Confirmed best response NE: NE timepoints, or responses before the SD window",
            f"{RECIST} Table 3 ('otherwise NE'); {_CBOR_SRC}",
            condition=Response((K_CR, K_PR, K_SD, K_NON, K_NE)),
            value=c.NE,
        ),
        Event(
            "CBOR-ND",
            "Confirmed best response ND: only assessments not done",
            f"{_CBOR_SRC} (ND ranks after NE)",
            condition=Response((K_ND,)),
            value=c.ND,
        ),
    ),
    ranking=_RANKING,
    otherwise=c.MISSING,
    otherwise_rule="CBOR-MISSING",
)


def _flag(paramcd: str, event: Event) -> Parameter:
    """A Y/N parameter: Y at the first assessment meeting the event, N without one."""
    return Parameter(paramcd, (event,), ranking=("Y",), otherwise="N", otherwise_rule=event.id)


_RESPONSE: Final = Response((K_CR, K_PR))
_CONFIRMED: Final = Confirmed(CONFIRM_CR) | Confirmed(CONFIRM_PR)
_BENEFIT: Final = Response((K_CR, K_PR, K_SD, K_NON)) & SdWindow()

RSP: Final = _flag(
    "RSP",
    Event(
        "RSP",
        "Response (unconfirmed): Y at the first CR or PR, else N",
        f"{ADMIRALONCO} derive_param_response / event response_y",
        condition=_RESPONSE,
        value="Y",
    ),
)
CRSP: Final = _flag(
    "CRSP",
    Event(
        "CRSP",
        "Confirmed response: Y at the first confirmed CR or PR (dated at that CR/PR), else N",
        f"{ADMIRALONCO} derive_param_confirmed_resp / events crsp_y_cr, crsp_y_pr",
        condition=_CONFIRMED,
        value="Y",
    ),
)
CB: Final = _flag(
    "CB",
    Event(
        "CB",
        "Clinical benefit (disease control): Y at the earlier of the response date and the "
        "first CR/PR/SD/NON-CR/NON-PD at least `sd_min_days` after the reference date, else N",
        f"{ADMIRALONCO} derive_param_clinbenefit (ref_start_window)",
        condition=_RESPONSE | _BENEFIT,
        value="Y",
    ),
)
CCB: Final = _flag(
    "CCB",
    Event(
        "CCB",
        "Confirmed clinical benefit: as CB with the confirmed response date",
        f"{ADMIRALONCO} derive_param_clinbenefit with source_resp = CRSP",
        condition=_CONFIRMED | _BENEFIT,
        value="Y",
    ),
)
PD: Final = _flag(
    "PD",
    Event(
        "PD",
        "Disease progression: Y at the first PD timepoint (iRECIST: the iUPD that was confirmed "
        "as iCPD), else N",
        f"{ADMIRALONCO} ADRS template (PARAMCD PD); {IRECIST} (progression dated at iUPD)",
        condition=Response((K_PD,)),
        value="Y",
    ),
)

#: The parameters decided by events, in ADRS order of derivation.
PARAMETERS: Final = (BOR, CBOR, RSP, CRSP, CB, CCB, PD)
_EVENTS: Final = tuple(event for parameter in PARAMETERS for event in parameter.events)

RULES: Final[Mapping[str, Rule]] = MappingProxyType(
    {rule.id: rule for rule in (*_RULES, *OVERALL_RULES, *_EVENTS)}
)
if len(RULES) != len(_RULES) + len(OVERALL_RULES) + len(_EVENTS):  # pragma: no cover
    raise RuntimeError("duplicate rule id in oncotrial.response.rules")


def _condition(rule: Rule) -> str:
    """What the engine executes for a rule, when it is declared as a condition."""
    if isinstance(rule, Event):
        return f"{rule.condition} -> {rule.value}"
    if isinstance(rule, OverallRule):
        return (
            f"target in ({', '.join(sorted(rule.target))}) & non-target in "
            f"({', '.join(sorted(rule.nontarget))}) & new lesion in ({', '.join(sorted(rule.new))})"
            f" -> {rule.result}"
        )
    return ""


def rules_table() -> list[dict[str, str]]:
    """Every rule as a row (id, description, source, condition), in declaration order, for audit.

    ``condition`` is the executed condition of the rules declared as one (the overall-response
    tables and the best-response events), empty for the rules the engine applies in code.
    """
    return [
        {
            "id": rule.id,
            "description": rule.description,
            "source": rule.source,
            "condition": _condition(rule),
        }
        for rule in RULES.values()
    ]
