"""What the analysis of one trial produced: engine outputs, grouped for the report.

Every number here was computed by a core engine (response, endpoints, stats) or is a count of
subjects; the report (``oncotrial.report.trial``) only words and formats these objects.
Frames are read-only by convention (the dataclasses are frozen; do not mutate their frames).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import pandas as pd

from oncotrial.analysis.hypothesis import RateTest
from oncotrial.endpoints.biomarker import PdL1Analysis
from oncotrial.endpoints.censoring_reasons import CensoringReasons
from oncotrial.endpoints.exposure import DrugExposure, ExposureRate
from oncotrial.endpoints.local_progression import LocalProgression
from oncotrial.endpoints.qol import ScoreSummary
from oncotrial.endpoints.qol_comparison import ChangeComparison, MissingPattern
from oncotrial.endpoints.rates import RateDefinition, RateResult
from oncotrial.endpoints.safety import AeCategory, Count, WorstGradeTable
from oncotrial.endpoints.tte import CensoringRules, Param
from oncotrial.plan.model import AnalysisPlan as StatisticalPlan
from oncotrial.plan.model import WindowStart
from oncotrial.protocol.endpoints import Endpoint, EndpointLevel
from oncotrial.protocol.model import AnalysisPlan, Protocol
from oncotrial.protocol.timeframe import Duration
from oncotrial.response import ResponseResult, ResponseSettings
from oncotrial.stats.competing import CumulativeIncidence, GrayTest, IncidenceEstimate
from oncotrial.stats.cox import CoxResult, CoxTerm
from oncotrial.stats.cox_model import CoxModel
from oncotrial.stats.followup import FollowUp
from oncotrial.stats.km import KaplanMeier, LandmarkEstimate
from oncotrial.stats.logrank import LogRankResult
from oncotrial.stats.subgroups import SubgroupAnalysis
from oncotrial.stats.zph import PhTest

__all__ = [
    "AnalysisSets",
    "ArmInfo",
    "BaselineRow",
    "BaselineTable",
    "BiomarkerOutcome",
    "CompetingOutcome",
    "ConsortArmCounts",
    "ConsortCounts",
    "EndpointResult",
    "LandmarkValue",
    "Outcome",
    "QolOutcome",
    "RateOutcome",
    "ResponseRun",
    "SafetyOutcome",
    "SubgroupHR",
    "SurvivalRateOutcome",
    "TrialResults",
    "TteOutcome",
]


@dataclass(frozen=True)
class ArmInfo:
    """A trial arm as the data name it (DM ARMCD/ARM), with its role in comparisons."""

    code: str
    label: str
    control: bool = False


@dataclass(frozen=True)
class AnalysisSets:
    """Who is analysed for what. ``efficacy``/``safety`` are ADSL rows (read-only)."""

    reference: str  # ADSL variable of time zero: RANDDT or TRTSDT
    reference_label: str  # "randomization", "enrollment", "first dose"
    screened: int
    enrolled: int
    efficacy: pd.DataFrame
    safety: pd.DataFrame
    efficacy_name: str
    efficacy_definition: str
    safety_definition: str


@dataclass(frozen=True)
class ConsortArmCounts:
    label: str
    allocated: int
    treated: int
    not_treated: tuple[tuple[str, int], ...]
    discontinued: int
    discontinued_reasons: tuple[tuple[str, int], ...]
    ongoing: int
    analysed: int
    not_analysed: tuple[tuple[str, int], ...]
    completed: int = 0  # completed study treatment (EOTSTT = COMPLETED)
    lost_to_follow_up: int = 0  # left the study lost to follow-up (DCSREAS)
    in_follow_up: int = 0  # still followed in the study at the cut-off (EOSSTT = ONGOING)


@dataclass(frozen=True)
class ConsortCounts:
    screened: int
    not_eligible: tuple[tuple[str, int], ...]
    enrolled: int
    randomized: bool
    arms: tuple[ConsortArmCounts, ...]
    in_screening: int = 0  # consented, neither a screen failure nor enrolled at the cut-off
    # enrolled although an IE record says a criterion was not met or not decided: a protocol
    # deviation the report lists (ICH E3 10.2); (USUBJID, arm label, "IETESTCD: IETEST (result)")
    enrolled_not_eligible: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class BaselineRow:
    label: str
    cells: tuple[str, ...]
    heading: bool = False


@dataclass(frozen=True)
class BaselineTable:
    columns: tuple[str, ...]  # arm labels (and "Total" with several arms)
    totals: tuple[int, ...]
    rows: tuple[BaselineRow, ...]
    notes: tuple[str, ...] = ()  # e.g. the registration's AJCC edition against the recorded one


@dataclass(frozen=True)
class ResponseRun:
    """One derivation of responses: the engine's result and which best response counts.

    ``bor`` is the ADRS parameter used for rates (``CBOR`` confirmed, ``BOR`` unconfirmed);
    ``horizon`` the time frame the assessments were limited to (None: all up to the cut-off).
    ``table``: one row per subject of the efficacy set — USUBJID, SUBJID, ARM, BOR (the value
    used), BEST_PCHG (best post-baseline change of the target sum, %: the response engine's
    summary column).
    """

    result: ResponseResult
    source: str
    bor: str
    horizon: Duration | None
    table: pd.DataFrame


@dataclass(frozen=True)
class RateOutcome:
    definition: RateDefinition
    rate: RateResult
    categories: tuple[tuple[str, RateResult], ...]  # each best-response category as a rate
    response: ResponseRun
    test: RateTest | None = None  # the plan's exact test and design decision (single arm)


@dataclass(frozen=True)
class LandmarkValue:
    arm: str
    estimate: LandmarkEstimate | None
    reason: str | None = None


@dataclass(frozen=True)
class SubgroupHR:
    factor: str
    level: str
    n: int
    events: int
    term: CoxTerm | None
    note: str | None = None


@dataclass(frozen=True)
class ModelOutcome:
    """The plan's adjusted Cox model, proportional-hazards checks and subgroup analyses."""

    covariates: tuple[str, ...]
    strata: tuple[str, ...]
    unadjusted: CoxModel | None
    adjusted: CoxModel | None
    ph_unadjusted: PhTest | None
    ph_adjusted: PhTest | None
    subgroups: tuple[SubgroupAnalysis, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SensitivityOutcome:
    """The endpoint derived again under one censoring-rule variant (the plan's sensitivity)."""

    id: str
    description: str
    variant: str  # endpoints.sensitivity.CENSORING_VARIANTS id
    curves: tuple[tuple[str, KaplanMeier], ...]
    logrank: LogRankResult | None
    cox: CoxResult | None
    note: str | None


@dataclass(frozen=True)
class CompetingOutcome:
    """The cumulative incidence of an event with a competing one (Aalen-Johansen) per arm,
    Gray's test between arms, and F(t) at the plan's landmark."""

    event: str  # "local progression of a residual lesion"
    competing: str  # "death without local progression"
    curves: tuple[tuple[str, CumulativeIncidence], ...]
    gray: GrayTest | None
    landmark: Duration | None
    at_landmark: tuple[tuple[str, IncidenceEstimate], ...]
    note: str | None = None


@dataclass(frozen=True)
class TteOutcome:
    """A time-to-event endpoint: KM per arm, landmark rates, and the arm comparison."""

    param: Param
    name: str
    population: str
    curves: tuple[tuple[str, KaplanMeier], ...]
    landmark: Duration | None
    landmarks: tuple[LandmarkValue, ...]
    logrank: LogRankResult | None
    cox: CoxResult | None
    comparison_note: str | None
    subgroups: tuple[SubgroupHR, ...]
    adtte: pd.DataFrame
    local: LocalProgression | None = None
    # median follow-up by the reverse Kaplan-Meier method (Schemper & Smith 1996): overall and
    # per arm, in days; PFS and OS only
    followup: tuple[FollowUp, ...] = ()
    censoring: CensoringReasons | None = None  # events by kind, censorings by reason
    sensitivity: tuple[SensitivityOutcome, ...] = ()  # the plan's censoring-rule variants
    models: ModelOutcome | None = None  # the plan's adjusted Cox, PH test and subgroups
    # local control with death as a competing event (the plan's cumulative incidence)
    incidence: CompetingOutcome | None = None


@dataclass(frozen=True)
class SurvivalRateOutcome:
    source: TteOutcome
    landmark: Duration
    values: tuple[LandmarkValue, ...]


@dataclass(frozen=True)
class SafetyOutcome:
    overview: tuple[tuple[AeCategory, tuple[Count, ...]], ...]
    worst: WorstGradeTable
    adae: pd.DataFrame
    window_days: int
    dictionary: str  # "CTCAE v5.0"
    dictionary_origin: str = ""  # where it came from: "NCI's publication …, shipped with oncotrial"
    window_start: WindowStart = WindowStart.FIRST_DOSE  # where the treatment-emergent window opens
    attributed: tuple[str, ...] = ()  # interventions with relatedness tabled (plan)
    relatedness_columns: tuple[str, ...] = ()  # their ADAE flags, RELFL_<NAME>
    first_intervention: tuple[tuple[str, int], ...] = ()  # what opened the window: n patients
    subjects: int = 0  # the safety set (patients with a protocol intervention)
    notes: tuple[str, ...] = ()
    exposure: tuple[DrugExposure, ...] = ()  # per arm and drug: duration, dose intensity
    # subjects with a TEAE (any; grade ≥ 3) per 100 patient-years of the treatment window
    eair: tuple[tuple[str, tuple[ExposureRate, ...]], ...] = ()

    @property
    def dictionary_description(self) -> str:
        return (
            f"{self.dictionary} ({self.dictionary_origin})"
            if self.dictionary_origin
            else (self.dictionary)
        )


@dataclass(frozen=True)
class BiomarkerOutcome:
    analysis: PdL1Analysis
    response: ResponseRun


@dataclass(frozen=True)
class QolOutcome:
    summary: ScoreSummary
    # two arms: the ANCOVA of the change from baseline per visit (compared − reference) and
    # who is missing when (Fairclough 2010, ch. 6); ``comparison_note`` says why there is none
    comparison: tuple[ChangeComparison, ...] = ()
    reference: str | None = None
    missing: MissingPattern | None = None
    comparison_note: str | None = None


Outcome: TypeAlias = (
    RateOutcome | TteOutcome | SurvivalRateOutcome | SafetyOutcome | BiomarkerOutcome | QolOutcome
)

_LEVEL_WORDS = {
    EndpointLevel.PRIMARY: "Primary",
    EndpointLevel.SECONDARY: "Secondary",
    EndpointLevel.OTHER: "Other",
}


@dataclass(frozen=True)
class EndpointResult:
    """One registered endpoint and what could be computed for it.

    ``reasons`` say why the endpoint (or a part of it, with an outcome present) could not be
    computed from the data; ``notes`` are further facts the reader needs.
    """

    endpoint: Endpoint
    index: int  # 1-based position in the registration
    level_index: int  # 1-based position within its level
    outcome: Outcome | None
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # a supportive analysis of the plan, not a registered outcome (its words are the plan's)
    supportive: bool = False

    @property
    def id(self) -> str:
        return f"sup{self.level_index}" if self.supportive else f"ep{self.index}"

    @property
    def label(self) -> str:
        if self.supportive:
            return f"Supportive analysis {self.level_index}"
        return f"{_LEVEL_WORDS[self.endpoint.level]} outcome {self.level_index}"


@dataclass(frozen=True)
class TrialResults:
    """Everything the report shows, as the engines computed it."""

    protocol: Protocol
    plan: AnalysisPlan  # the analysis plan the results follow
    trial_id: str
    source: str
    simulated: bool
    cutoff: date
    cutoff_stated: bool  # False: the cut-off is the latest date in the data
    arms: tuple[ArmInfo, ...]
    adsl: pd.DataFrame
    sets: AnalysisSets
    consort: ConsortCounts
    baseline: BaselineTable
    settings: ResponseSettings
    confirmation_required: bool
    response: ResponseRun | None
    response_reason: str | None
    rules: CensoringRules
    endpoints: tuple[EndpointResult, ...]
    safety_frame: pd.DataFrame | None  # the AE records (SDTM) of the safety set
    notes: tuple[str, ...]
    sap: StatisticalPlan | None = None  # the reviewed statistical analysis plan followed, if any
    # the plan's safety analysis where the registration has no safety endpoint (ICH E3 §12)
    safety: SafetyOutcome | str | None = None
    # the plan's supportive analyses of a randomized trial (ORR, DCR, DoR per arm; CONSORT
    # 2010 item 17a), after the registered endpoints; never mixed with them
    supportive: tuple[EndpointResult, ...] = ()
    dosing: pd.DataFrame | None = None  # SDTM EX as of the cut-off (swimmer: dosing gaps)
    procedures: pd.DataFrame | None = None  # SDTM PR as of the cut-off (swimmer: procedures)

    @property
    def randomized(self) -> bool:
        return self.consort.randomized

    @property
    def arm_labels(self) -> tuple[str, ...]:
        return tuple(a.label for a in self.arms)
