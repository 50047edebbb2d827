"""The statistical analysis plan of one trial: typed, versioned, every value with its source.

An :class:`AnalysisPlan` is stored beside the protocol (YAML, ``formats/plan_files.py``) and says,
per endpoint, what is analysed and how (ICH E9 (R1) §5; FDA Guidance *Clinical Trial Endpoints
for the Approval of Cancer Drugs and Biologics*, 2018): the population, time zero, what is an
event and which censoring rules apply, how the registration's time frame is used, response
criteria and confirmation, the denominator of a rate, the hypothesis and design (Simon stages or
events), the primary test, sensitivity analyses and subgroups; and for safety the
treatment-emergent window — from the first protocol intervention of any kind (drug, procedure,
radiotherapy) — with the attribution of adverse events per intervention.

Every value is :class:`~oncotrial.plan.provenance.Sourced`. Where the plan reads the registration
differently from its words (a single-arm trial's "from randomization"), a :class:`Departure`
records the quote, what the plan does and why. ``version`` counts reviews: each accepted
assumption makes a new version with a :class:`Review` entry.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oncotrial.plan.provenance import Assumed, Sourced
from oncotrial.protocol.endpoints import EndpointKind, EndpointLevel, Origin
from oncotrial.protocol.timeframe import Duration
from oncotrial.response.settings import ResponseCriteria

__all__ = [
    "PLAN_SCHEMA_VERSION",
    "AnalysisMethod",
    "AnalysisPlan",
    "Departure",
    "DescriptiveDesign",
    "EndpointPlan",
    "EventDrivenDesign",
    "Hypothesis",
    "InterventionRole",
    "Population",
    "Review",
    "SafetyPlan",
    "Sensitivity",
    "SensitivityKind",
    "Sidedness",
    "SimonTwoStageDesign",
    "SingleStageDesign",
    "StudyDesign",
    "TimeFrameUse",
    "WindowStart",
]

PLAN_SCHEMA_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Population(StrEnum):
    """Analysis sets (ICH E9 §5.2; CONSORT 2010 item 16)."""

    ALL_ENROLLED = "all enrolled"  # single-arm full analysis set
    INTENTION_TO_TREAT = "intention to treat"  # all randomized, analysed as randomized
    SAFETY = "safety"  # received any protocol intervention, analysed as treated
    RESPONSE_EVALUABLE = "response evaluable"  # measurable disease and ≥ 1 post-baseline scan
    RESPONDERS = "responders"  # confirmed CR or PR (duration of response)
    WITH_BASELINE = "with a baseline measurement"  # change from baseline (QoL)


class TimeFrameUse(StrEnum):
    """How a registration's time frame enters the analysis."""

    LANDMARK = "landmark"  # the rate at that time (6-month PFS)
    ASSESSMENT_WINDOW = "assessment window"  # only assessments within it count (ORR by 6 months)
    MAXIMUM_FOLLOW_UP = "maximum follow-up"  # follow-up censored there (PFS assessed up to 12 m)
    NOT_APPLIED = "not applied"  # a horizon of data collection only


class Sidedness(StrEnum):
    GREATER = "one-sided (greater)"
    LESS = "one-sided (less)"
    TWO_SIDED = "two-sided"


class AnalysisMethod(StrEnum):
    """The primary analysis of an endpoint."""

    EXACT_BINOMIAL = "exact binomial test with Clopper-Pearson CI"
    SIMON_TWO_STAGE = "Simon two-stage decision, exact binomial test at the end"
    RATE_WITH_EXACT_CI = "rate with Clopper-Pearson CI (descriptive)"
    RATE_DIFFERENCE = "difference of rates with Newcombe CI"
    KAPLAN_MEIER = "Kaplan-Meier median and landmark rates (descriptive)"
    LOGRANK = "log-rank test and Cox hazard ratio"
    STRATIFIED_LOGRANK = "stratified log-rank test and stratified Cox hazard ratio"
    CUMULATIVE_INCIDENCE = "cumulative incidence (Aalen-Johansen) and Gray's test"
    ANCOVA = "ANCOVA of the change from baseline, adjusted for baseline"
    AE_INCIDENCE = "incidence by CTCAE term and worst grade (descriptive)"
    LOGISTIC = "logistic regression of response on the biomarker"


class SensitivityKind(StrEnum):
    CENSORING_VARIANT = "censoring-rule variant"
    ADJUSTED_COX = "covariate-adjusted Cox model"
    PROPORTIONAL_HAZARDS = "proportional-hazards check (cox.zph)"
    SUBGROUPS = "subgroup hazard ratios with interaction test"
    COMPETING_RISK = "competing-risk analysis"
    DENOMINATOR = "alternative denominator"
    TIME_ZERO = "alternative time zero"


class WindowStart(StrEnum):
    """Where the treatment-emergent window opens."""

    FIRST_INTERVENTION = "first protocol intervention of any kind"
    FIRST_DOSE = "first dose of study drug"


class SingleStageDesign(_Frozen):
    kind: Literal["single stage"] = "single stage"
    n: int = Field(gt=0)
    critical: int = Field(ge=0, description="H0 is rejected with at least this many responses.")


class SimonTwoStageDesign(_Frozen):
    kind: Literal["Simon two-stage"] = "Simon two-stage"
    r1: int = Field(ge=0)
    n1: int = Field(gt=0)
    r: int = Field(ge=0)
    n: int = Field(gt=0)
    variant: Literal["optimal", "minimax", "given"] = "optimal"

    @model_validator(mode="after")
    def _check(self) -> SimonTwoStageDesign:
        if not (self.r1 < self.n1 < self.n and self.r1 <= self.r < self.n):
            raise ValueError(
                f"not a two-stage design: need r1 < n1 < n and r1 ≤ r < n, got "
                f"{self.r1}/{self.n1}, {self.r}/{self.n}"
            )
        return self


class EventDrivenDesign(_Frozen):
    kind: Literal["event-driven"] = "event-driven"
    events: int = Field(gt=0)


class DescriptiveDesign(_Frozen):
    kind: Literal["descriptive"] = "descriptive"
    n: int | None = Field(None, gt=0)


StudyDesign = Annotated[
    SingleStageDesign | SimonTwoStageDesign | EventDrivenDesign | DescriptiveDesign,
    Field(discriminator="kind"),
]


class Hypothesis(_Frozen):
    """H0 and H1 of the primary comparison: a rate against a null rate, or a hazard ratio."""

    measure: Literal["response rate", "hazard ratio", "landmark rate"]
    null: Sourced[float]
    alternative: Sourced[float] | None = None
    sided: Sourced[Sidedness]
    alpha: Sourced[float]
    power: Sourced[float] | None = None
    design: Sourced[StudyDesign]


class Sensitivity(_Frozen):
    """One sensitivity or supportive analysis."""

    id: str = Field(min_length=1)
    kind: SensitivityKind
    description: str = Field(min_length=1)
    variant: str | None = Field(
        None, description="For a censoring-rule variant: its id (endpoints.sensitivity)."
    )


class Departure(_Frozen):
    """Where the plan reads the registration other than by its words, and why."""

    id: str = Field(min_length=1)
    field: str = Field(min_length=1, description="The plan field that departs, e.g. time_zero.")
    registration: str = Field(min_length=1, description="What the registration says, verbatim.")
    where: str = Field(min_length=1)
    analysis: str = Field(min_length=1, description="What the plan does instead.")
    source: Assumed


class EndpointPlan(_Frozen):
    """How one endpoint is analysed."""

    id: str = Field(min_length=1, description="Short id used in paths: PFS, ORR, OS12M, …")
    title: str = Field(min_length=1)
    registration: int | None = Field(
        None, description="Index of the registered outcome in the protocol's endpoints, if any."
    )
    level: Sourced[EndpointLevel]
    kind: Sourced[EndpointKind]
    definition: Sourced[str]
    population: Sourced[Population]
    time_zero: Sourced[Origin] | None = None
    event: Sourced[str] | None = None
    censoring: Sourced[str] | None = Field(
        None, description="Censoring rule set id (endpoints.tte.RuleSet): fda2018, admiralonco."
    )
    competing_risk: Sourced[str] | None = None
    time_frame: Sourced[Duration] | None = None
    time_frame_use: Sourced[TimeFrameUse] | None = None
    criteria: Sourced[ResponseCriteria] | None = None
    confirmation_days: Sourced[int] | None = None
    sd_min_days: Sourced[int] | None = None
    denominator: Sourced[Population] | None = None
    hypothesis: Hypothesis | None = None
    method: Sourced[AnalysisMethod]
    landmarks: tuple[Sourced[Duration], ...] = ()
    strata: tuple[Sourced[str], ...] = ()
    covariates: tuple[Sourced[str], ...] = ()
    subgroups: tuple[Sourced[str], ...] = ()
    sensitivity: tuple[Sourced[Sensitivity], ...] = ()
    departures: tuple[Departure, ...] = ()


class InterventionRole(_Frozen):
    """One protocol intervention in the safety analysis."""

    name: str = Field(min_length=1, description="The protocol's intervention name.")
    opens_window: Sourced[bool]
    attribution: Sourced[bool] = Field(
        description="Whether each AE's relationship to this intervention is assessed and tabled."
    )


class SafetyPlan(_Frozen):
    population: Sourced[Population]
    window_start: Sourced[WindowStart]
    window_days_after_last: Sourced[int]
    window_cap: Sourced[Duration] | None = Field(
        None, description="A registration's horizon for AE collection from time zero, if any."
    )
    ctcae_version: Sourced[str]
    interventions: tuple[InterventionRole, ...]
    departures: tuple[Departure, ...] = ()


class Review(_Frozen):
    """One review step: who accepted which assumptions, when, making which version."""

    version: int = Field(ge=1)
    by: str = Field(min_length=1)
    at: datetime
    accepted: tuple[str, ...]
    note: str | None = None


class AnalysisPlan(_Frozen):
    """The reviewed analysis plan of one trial."""

    schema_version: int = PLAN_SCHEMA_VERSION
    trial_id: str = Field(min_length=1)
    version: int = Field(1, ge=1)
    registration: str = Field(
        min_length=1, description="The registry record the plan was written against."
    )
    time_zero: Sourced[Origin]
    assessment_interval_days: Sourced[int] | None = None
    assessment_window_days: Sourced[int] | None = None
    staging: Sourced[str] | None = None
    randomization_ratio: Sourced[str] | None = None
    endpoints: tuple[EndpointPlan, ...]
    safety: SafetyPlan
    reviews: tuple[Review, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> AnalysisPlan:
        if self.schema_version != PLAN_SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {self.schema_version} is not supported (this oncotrial reads "
                f"plan version {PLAN_SCHEMA_VERSION})"
            )
        ids = [e.id for e in self.endpoints]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"endpoint ids must be unique: {', '.join(duplicates)} repeat")
        return self

    def endpoint(self, endpoint_id: str) -> EndpointPlan:
        for endpoint in self.endpoints:
            if endpoint.id == endpoint_id:
                return endpoint
        raise KeyError(endpoint_id)
