"""Computable eligibility rules: declared data that a protocol's YAML carries under each item.

A criterion item keeps its text and gains zero or more rules. Each rule has an ``id`` (the item's
id, a dash and a number: ``I9.3-1``; nested rules add ``.1``, ``.2``), a ``description`` a
person can read, the ``source`` span of the item's text it was read from, and an optional
``note`` (a reviewer's reading of doubtful text). ``kind`` says which of the models below it is.

Rules state what the text states. For an inclusion item every rule must be met; for an exclusion
item the rules describe what excludes, and any rule met excludes. An item without rules is an
investigator checklist item; a ``judgement`` rule marks the part of an item that stays with the
investigator when the rest is computable.

Numbers are compared with a relative tolerance of 1e-9 (``Comparator.holds``): converting
1 500/mm³ gives 1.5000000000000002 × 10^9/L in binary floating point, and a threshold of
exactly 1.5 must still be met. No clinical rounding is applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oncotrial.eligibility.analytes import ANALYTES, DERIVED, Scale, ordinal_rank
from oncotrial.eligibility.concepts import BIOMARKERS, CONDITIONS, PROCEDURES, THERAPIES
from oncotrial.eligibility.concepts_oncology import BODY_SITES, MALIGNANCY_EXCEPTIONS
from oncotrial.eligibility.concepts_toxicity import TOXICITY_EXCEPTIONS
from oncotrial.eligibility.concepts_variants import variant
from oncotrial.eligibility.extent import EXTENT_NAMES, Extent
from oncotrial.eligibility.rule_window import DayWindow, DoseWindow, Window
from oncotrial.eligibility.units import compatible, parse_unit
from oncotrial.eligibility.wording import count_range, scores_text, to_confirm, toxicity_text
from oncotrial.errors import DictionaryError

__all__ = [
    "AgeRule",
    "AllOfRule",
    "AllergyRule",
    "AnyOfRule",
    "BiomarkerRule",
    "Bound",
    "CnsMetastasesRule",
    "Comparator",
    "ConditionRule",
    "ConditionalRule",
    "DerivedRule",
    "DiagnosisRule",
    "JudgementRule",
    "LabResultRule",
    "LabRule",
    "LesionRule",
    "MedicationRule",
    "NotRule",
    "OtherMalignancyRule",
    "PerformanceStatusRule",
    "PriorLinesRule",
    "ProcedureRule",
    "RegimenRule",
    "Rule",
    "SexRule",
    "Span",
    "StageRule",
    "ToxicityException",
    "ToxicityRule",
    "TumourSizeRule",
    "Window",
    "children",
    "describe_rule",
    "iter_rules",
    "leaf_rules",
]

TOLERANCE = 1e-9


class Comparator(StrEnum):
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="

    @property
    def symbol(self) -> str:
        return {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}[self.value]

    @property
    def negated(self) -> Comparator:
        return {
            Comparator.GE: Comparator.LT,
            Comparator.GT: Comparator.LE,
            Comparator.LE: Comparator.GT,
            Comparator.LT: Comparator.GE,
            Comparator.EQ: Comparator.EQ,
        }[self]

    def holds(self, value: float, threshold: float) -> bool:
        """``value <op> threshold`` with a relative tolerance of 1e-9 for equality."""
        diff = value - threshold
        tol = TOLERANCE * max(abs(value), abs(threshold))
        if self is Comparator.GE:
            return diff >= -tol
        if self is Comparator.GT:
            return diff > tol
        if self is Comparator.LE:
            return diff <= tol
        if self is Comparator.LT:
            return diff < -tol
        return abs(diff) <= tol


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Frozen):
    """Where in the item's text (as stored, with its markdown escapes) a rule was read."""

    start: int = Field(ge=0)
    end: int = Field(gt=0)
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Span:
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"span {self.start}-{self.end} is {self.end - self.start} characters long but "
                f"its text {self.text!r} has {len(self.text)}"
            )
        return self


class _Rule(_Frozen):
    kind: str
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    description: str = Field(min_length=1)
    source: Span | None = None
    note: str | None = Field(None, description="A reviewer's reading of doubtful text.")


def _known(table: dict[str, object], key: str, what: str) -> None:
    if key not in table:
        raise ValueError(f"unknown {what} {key!r}; known: {', '.join(sorted(table))}")


class AgeRule(_Rule):
    """Age in completed years on the day named by ``at`` (ICH E6: consent precedes screening)."""

    kind: Literal["age"]
    comparator: Comparator
    value: float = Field(ge=0)
    at: Literal["consent", "first_dose"] = "consent"


class SexRule(_Rule):
    kind: Literal["sex"]
    sex: Literal["female", "male"]


class PerformanceStatusRule(_Rule):
    """ECOG (Oken et al., Am J Clin Oncol 1982), Karnofsky or Lansky (play-performance, Lansky
    et al., Cancer 1987) score among ``allowed`` (``eligibility.performance``)."""

    kind: Literal["performance_status"]
    scale: Literal["ECOG", "Karnofsky", "Lansky"] = "ECOG"
    allowed: tuple[int, ...] = Field(min_length=1)
    within: DayWindow | None = None

    @model_validator(mode="after")
    def _check(self) -> PerformanceStatusRule:
        valid = range(6) if self.scale == "ECOG" else range(0, 101, 10)
        bad = [v for v in self.allowed if v not in valid]
        if bad:
            raise ValueError(f"{self.scale} has no score {bad[0]}")
        if list(self.allowed) != sorted(set(self.allowed)):
            raise ValueError("allowed scores must be listed once each, in increasing order")
        return self


class LabRule(_Rule):
    """A measured value against a threshold in a unit, or a multiple of the patient's ULN/LLN.

    With ``relative_to`` the threshold is ``value`` × the upper (or lower) limit of normal of the
    patient's own result (its reference range), as CTCAE and protocols define ×ULN limits.
    """

    kind: Literal["lab"]
    analyte: str
    comparator: Comparator
    value: float
    unit: str | None = None
    relative_to: Literal["ULN", "LLN"] | None = None
    within: DayWindow | None = None

    @model_validator(mode="after")
    def _check(self) -> LabRule:
        _known(dict(ANALYTES), self.analyte, "analyte")
        item = ANALYTES[self.analyte]
        if item.scale is not Scale.QUANTITATIVE or item.unit is None:
            raise ValueError(f"{item.name} is not a measured value; use a lab_result rule")
        if (self.unit is None) == (self.relative_to is None):
            raise ValueError("give either a unit or relative_to (ULN or LLN), not both")
        if self.unit is not None:
            try:
                parse_unit(self.unit)
            except DictionaryError as exc:
                raise ValueError(exc.message) from None
            if not compatible(self.unit, item.unit, item.molar_mass):
                raise ValueError(f"{self.unit} cannot be converted to {item.unit} ({item.name})")
        return self


class LabResultRule(_Rule):
    """A qualitative or ordinal result: pregnancy test negative, urine dipstick ≤ 1+."""

    kind: Literal["lab_result"]
    analyte: str
    comparator: Comparator = Comparator.EQ
    result: str
    within: DayWindow | None = None

    @model_validator(mode="after")
    def _check(self) -> LabResultRule:
        _known(dict(ANALYTES), self.analyte, "analyte")
        item = ANALYTES[self.analyte]
        if item.scale is Scale.QUANTITATIVE:
            raise ValueError(f"{item.name} is a measured value; use a lab rule")
        try:
            ordinal_rank(item, self.result)
        except DictionaryError as exc:
            raise ValueError(exc.message) from None
        if item.scale is Scale.NOMINAL and self.comparator is not Comparator.EQ:
            raise ValueError(f"{item.name} results have no order; use comparator '=='")
        return self


class DerivedRule(_Rule):
    """A computed value (creatinine clearance, QTc, BMI) against a threshold."""

    kind: Literal["derived"]
    quantity: str
    comparator: Comparator
    value: float
    unit: str
    within: DayWindow | None = Field(None, description="How recent the lab inputs must be.")

    @model_validator(mode="after")
    def _check(self) -> DerivedRule:
        _known(dict(DERIVED), self.quantity, "derived quantity")
        if not compatible(self.unit, DERIVED[self.quantity].unit):
            raise ValueError(f"{self.unit} is not a unit of {DERIVED[self.quantity].name}")
        return self


class DiagnosisRule(_Rule):
    kind: Literal["diagnosis"]
    condition: str
    confirmed_by: tuple[Literal["histology", "cytology"], ...] = ()

    @model_validator(mode="after")
    def _check(self) -> DiagnosisRule:
        _known(dict(CONDITIONS), self.condition, "condition")
        return self


class StageRule(_Rule):
    """AJCC stage group and TNM categories; 'IA' allows IA1, IA2 and IA3 (its subgroups)."""

    kind: Literal["stage"]
    editions: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    t: tuple[str, ...] = ()
    n: tuple[str, ...] = ()
    m: tuple[str, ...] = ()
    extent: tuple[Extent, ...] = Field((), description="The extent now (eligibility.extent).")

    @model_validator(mode="after")
    def _check(self) -> StageRule:
        if not (self.groups or self.t or self.n or self.m or self.extent):
            raise ValueError("a stage rule needs stage groups, T, N or M categories or extents")
        return self


class Bound(_Frozen):
    comparator: Comparator
    value: float


class TumourSizeRule(_Rule):
    """The primary tumour's greatest dimension within bounds ('> 1 cm and ≤ 3 cm')."""

    kind: Literal["tumour_size"]
    bounds: tuple[Bound, ...] = Field(min_length=1)
    unit: Literal["mm", "cm"] = "mm"


class BiomarkerRule(_Rule):
    """A marker's status (EGFR/ALK/ROS1 not detected) or level (PD-L1 TPS ≥ 50 %)."""

    kind: Literal["biomarker"]
    marker: str
    status: Literal["detected", "not_detected"] | None = None
    comparator: Comparator | None = None
    value: float | None = Field(None, description="A percentage (PD-L1 tumour proportion).")
    failed_as: Literal["detected", "not_detected"] | None = Field(
        None, description="How a failed test counts, when the protocol says so."
    )
    variant: tuple[str, ...] | None = Field(
        None,
        description="The variants, any of which a detected result must record ('G12C'; "
        "'exon 19 deletion', 'L858R'): declared in concepts_variants.",
    )

    @model_validator(mode="after")
    def _check(self) -> BiomarkerRule:
        _known(dict(BIOMARKERS), self.marker, "biomarker")
        if (self.status is None) == (self.comparator is None or self.value is None):
            raise ValueError("give either a status or a comparator and value")
        if self.variant is not None:
            if self.status != "detected" or not self.variant:
                raise ValueError("a variant rule asks for a detected result of one variant")
            for key in self.variant:
                if variant(self.marker, key) is None:
                    raise ValueError(f"unknown {self.marker} variant {key!r} (concepts_variants)")
        return self


class MedicationRule(_Rule):
    """A therapy class received (ever, within a window, or ongoing at the reference date); for
    systemic corticosteroids optionally at a daily dose beyond a limit in mg/day of
    prednisone-equivalent ('> 10 mg daily prednisone equivalent'). A window may run back from
    registration ("within 4 weeks before randomization": ``Window.anchor``)."""

    kind: Literal["medication"]
    therapy: str
    within: Window | None = None
    ongoing: bool = False
    daily_dose: Bound | None = Field(
        None, description="Prednisone-equivalent mg/day (systemic corticosteroids only)."
    )

    @model_validator(mode="after")
    def _check(self) -> MedicationRule:
        _known(dict(THERAPIES), self.therapy, "therapy class")
        if self.daily_dose is not None and self.therapy != "systemic_corticosteroid":
            raise ValueError("a daily dose limit is read for systemic corticosteroids only")
        return self


class ProcedureRule(_Rule):
    """A procedure done (ever or within a window); a radiotherapy optionally to a body site
    ('previous radiotherapy to the prostate')."""

    kind: Literal["procedure"]
    procedure: str
    within: DayWindow | None = None
    site: str | None = Field(None, description="A body site key (radiotherapy only).")

    @model_validator(mode="after")
    def _check(self) -> ProcedureRule:
        _known(dict(PROCEDURES), self.procedure, "procedure")
        if self.site is not None:
            _known(dict(BODY_SITES), self.site, "body site")
            if self.procedure not in {"radiotherapy", "radical_radiotherapy"}:
                raise ValueError("a body site is read for radiotherapy only")
        return self


# 'pneumonitis that required steroids': the condition AND words no record shows (issue 12)
QUALIFIER = "Words the records cannot show: a record is unknown (confirm them), none not met."


class ConditionRule(_Rule):
    """A condition recorded (ever, with onset within the window, or current: not resolved).

    ``active`` ("active autoimmune disease") reads the record's clinical status (HL7 FHIR R4
    Condition.clinicalStatus, ``ConditionRecord.clinical_status``): met by a record that is
    active, a recurrence or a relapse and not abated by the reference date; not met when no
    record of the condition is there (a provided list is complete) or every one is inactive,
    in remission, resolved or abated; unknown while a record has neither a status nor an
    abatement date.
    """

    kind: Literal["condition"]
    condition: str
    within: DayWindow | None = None
    current: bool = Field(
        False,
        description="Only conditions not resolved by the reference date: no abatement by then, "
        "no clinical status inactive, remission or resolved.",
    )
    active: bool = Field(
        False,
        description="Only conditions whose clinical status is active, recurrence or relapse.",
    )
    qualifier: str | None = Field(None, min_length=1, description=QUALIFIER)

    @model_validator(mode="after")
    def _check(self) -> ConditionRule:
        _known(dict(CONDITIONS), self.condition, "condition")
        if self.active and (self.current or self.within is not None):
            raise ValueError("an active condition is current: give active alone")
        return self


class OtherMalignancyRule(_Rule):
    """A malignancy other than the cancer under study: ever, present within the window
    ('another primary malignancy within the past 5 years': diagnosed before the reference date
    and not resolved before the window opens), or current; apart from the exceptions named
    (non-melanoma skin cancer, carcinoma in situ, …).

    A malignancy that cannot be told apart from the cancer under study, and a carcinoma in situ
    no exception names (whether the criterion counts it is not said), make the rule unknown.
    """

    kind: Literal["other_malignancy"]
    within: DayWindow | None = None
    current: bool = False
    exceptions: tuple[str, ...] = ()
    qualifier: str | None = Field(None, min_length=1, description=QUALIFIER)

    @model_validator(mode="after")
    def _check(self) -> OtherMalignancyRule:
        for key in self.exceptions:
            if key not in MALIGNANCY_EXCEPTIONS:
                raise ValueError(
                    f"unknown malignancy exception {key!r}; known: "
                    + ", ".join(MALIGNANCY_EXCEPTIONS)
                )
        if self.current and self.within is not None:
            raise ValueError("give either current or a window, not both")
        return self


class CnsMetastasesRule(_Rule):
    """Brain or CNS metastases that are not treated and stable: 'untreated or symptomatic brain
    metastases; treated metastases are eligible if radiologically stable for ≥ 4 weeks and off
    steroids for ≥ 7 days'. A current brain-metastasis record counts unless it is treated and,
    as the text asks, stable for at least ``stable_for``, without symptoms, and no systemic
    corticosteroid was taken within ``steroid_free``. Leptomeningeal disease is a condition of
    its own (never exempted here)."""

    kind: Literal["cns_metastases"]
    stable_for: DoseWindow | None = Field(
        None, description="Radiologically stable at least this long before the reference date."
    )
    asymptomatic: bool = Field(False, description="Only metastases without symptoms are exempt.")
    steroid_free: DoseWindow | None = Field(
        None, description="No systemic corticosteroid within this window (exempt ones only)."
    )
    confirm: str | None = Field(None, description="Exemption words no record shows (quoted).")


class AllergyRule(_Rule):
    """An allergy or intolerance recorded to one of ``substances`` (therapy concepts): 'Known
    hypersensitivity to pembrolizumab or any of its excipients' (``evaluate_allergy``)."""

    kind: Literal["allergy"]
    substances: tuple[str, ...] = ()
    study_drugs: bool = Field(False, description="'… to the study drug(s)': never named here.")
    excipients: bool = Field(False, description="'… or its excipients': not checkable.")
    min_grade: int | None = Field(None, ge=1, le=5, description="CTCAE grade ('severe': 3).")

    @model_validator(mode="after")
    def _check(self) -> AllergyRule:
        for substance in self.substances:
            _known(dict(THERAPIES), substance, "therapy")
        if not self.substances and not self.study_drugs:
            raise ValueError("name the substances, the study drugs, or both")
        return self

    @property
    def named(self) -> str:
        """What the allergy is to, as the rule says it."""
        names = [THERAPIES[s].name for s in self.substances]
        return " or ".join([*names, *(["the study drug(s)"] if self.study_drugs else [])])


class ToxicityException(_Frozen):
    """A toxicity the criterion excepts (a ``concepts_toxicity`` key), up to ``max_grade`` (None:
    any grade), and a qualifier no record shows ('stable', 'on replacement therapy'), quoted."""

    concept: str
    max_grade: int | None = Field(None, ge=1, le=5)
    confirm: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ToxicityException:
        _known(dict(TOXICITY_EXCEPTIONS), self.concept, "toxicity")
        return self


class ToxicityRule(_Rule):
    """Toxicities of prior therapy recovered (CTCAE v5.0): no adverse event of prior therapy
    ongoing on the reference date above ``max_grade``, unless back to its baseline grade (when
    ``or_baseline``) or excepted; ``unread``: exceptions the text names that no concept reads
    (``evaluate_toxicity``)."""

    kind: Literal["toxicity"]
    max_grade: int = Field(ge=0, le=4)
    or_baseline: bool = False
    exceptions: tuple[ToxicityException, ...] = ()
    unread: tuple[str, ...] = ()


class RegimenRule(_Rule):
    """A prior line of therapy containing every listed class, with a number of cycles."""

    kind: Literal["regimen"]
    line: int | None = Field(None, ge=1)
    therapies: tuple[str, ...] = Field(min_length=1)
    min_cycles: int | None = Field(None, ge=1)
    max_cycles: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> RegimenRule:
        for therapy in self.therapies:
            _known(dict(THERAPIES), therapy, "therapy class")
        return self


class PriorLinesRule(_Rule):
    """How many prior lines of systemic therapy (those containing ``therapy`` when given): 'at
    least one line of platinum-based chemotherapy', 'more than two lines of chemotherapy'."""

    kind: Literal["prior_lines"]
    therapy: str | None = None
    min_lines: int | None = Field(None, ge=0)
    max_lines: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _check(self) -> PriorLinesRule:
        if self.therapy is not None:
            _known(dict(THERAPIES), self.therapy, "therapy class")
        if self.min_lines is None and self.max_lines is None:
            raise ValueError("a prior-lines rule needs min_lines or max_lines")
        return self


class LesionRule(_Rule):
    """Counts of current lesions: at most N lesions in at most M organs, at least K measurable."""

    kind: Literal["lesions"]
    max_lesions: int | None = Field(None, ge=0)
    max_organs: int | None = Field(None, ge=0)
    min_measurable: int | None = Field(None, ge=1)
    exclude_complete_metabolic_response: bool = Field(
        False, description="Count only lesions without complete metabolic response (PET-CT)."
    )
    criteria: str | None = Field(None, description="The measurability criteria ('RECIST 1.1').")
    within: DoseWindow | None = None

    @model_validator(mode="after")
    def _check(self) -> LesionRule:
        if self.max_lesions is None and self.max_organs is None and self.min_measurable is None:
            raise ValueError("a lesion rule needs max_lesions, max_organs or min_measurable")
        return self


class JudgementRule(_Rule):
    """What stays with the investigator: the description says what to judge."""

    kind: Literal["judgement"]


class NotRule(_Rule):
    """Met when ``rule`` is not met: 'patients with ground-glass nodules are excluded' inside an
    inclusion item, 'no prior immune checkpoint inhibitor'."""

    kind: Literal["not"]
    rule: Rule


class AllOfRule(_Rule):
    kind: Literal["all_of"]
    rules: tuple[Rule, ...] = Field(min_length=1)


class AnyOfRule(_Rule):
    """Met when any is met: 'Cr ≤ 1.5 × ULN, or if > 1.5 × ULN, CrCl ≥ 50 mL/min'."""

    kind: Literal["any_of"]
    rules: tuple[Rule, ...] = Field(min_length=2)


class ConditionalRule(_Rule):
    """``then`` applies when ``when`` is met, ``otherwise`` (if given) when it is not.

    'ALT ≤ 2.5 × ULN; ≤ 5 × ULN if liver metastases': when = liver metastases, then = ALT ≤ 5 ×
    ULN, otherwise = ALT ≤ 2.5 × ULN. Without ``otherwise`` the rule is met when ``when`` is not.
    """

    kind: Literal["conditional"]
    when: Rule
    then: Rule
    otherwise: Rule | None = None


Rule = Annotated[
    AgeRule
    | SexRule
    | PerformanceStatusRule
    | LabRule
    | LabResultRule
    | DerivedRule
    | DiagnosisRule
    | StageRule
    | TumourSizeRule
    | BiomarkerRule
    | MedicationRule
    | ProcedureRule
    | ConditionRule
    | OtherMalignancyRule
    | CnsMetastasesRule
    | AllergyRule
    | ToxicityRule
    | RegimenRule
    | PriorLinesRule
    | LesionRule
    | JudgementRule
    | NotRule
    | AllOfRule
    | AnyOfRule
    | ConditionalRule,
    Field(discriminator="kind"),
]

NotRule.model_rebuild()
AllOfRule.model_rebuild()
AnyOfRule.model_rebuild()
ConditionalRule.model_rebuild()


def children(rule: Rule) -> tuple[Rule, ...]:
    if isinstance(rule, AllOfRule | AnyOfRule):
        return rule.rules
    if isinstance(rule, NotRule):
        return (rule.rule,)
    if isinstance(rule, ConditionalRule):
        return (rule.when, rule.then) + ((rule.otherwise,) if rule.otherwise else ())
    return ()


def leaf_rules(rule: Rule) -> Iterator[Rule]:
    """The rules under ``rule`` that hold no other rule (``rule`` itself when it holds none)."""
    parts = children(rule)
    if not parts:
        yield rule
    for part in parts:
        yield from leaf_rules(part)


def iter_rules(rules: tuple[Rule, ...]) -> list[Rule]:
    """Every rule and nested rule, depth first."""
    found: list[Rule] = []
    for rule in rules:
        found.append(rule)
        found.extend(iter_rules(children(rule)))
    return found


def _number(value: float) -> str:
    return f"{value:g}"


def _within(window: Window | None, what: str = "") -> str:
    return f" within {window}{window.or_half_lives} before {window.day}{what}" if window else ""


def describe_rule(rule: Rule) -> str:
    """A one-line reading of a rule, generated from its fields (for audit and the parser)."""
    if isinstance(rule, AgeRule):
        at = "consent" if rule.at == "consent" else "the first dose"
        return f"age at {at} {rule.comparator.symbol} {_number(rule.value)} years"
    if isinstance(rule, SexRule):
        return f"sex is {rule.sex}"
    if isinstance(rule, PerformanceStatusRule):
        scores = scores_text(rule.allowed)
        return f"{rule.scale} performance status {scores}{_within(rule.within)}"
    if isinstance(rule, LabRule):
        name = ANALYTES[rule.analyte].name
        if rule.relative_to:
            limit = f"{_number(rule.value)} × {rule.relative_to}"
        elif rule.unit == "{ratio}":
            limit = _number(rule.value)
        elif rule.unit and rule.unit.startswith("10^"):
            limit = f"{_number(rule.value)} × {rule.unit}"
        else:
            limit = f"{_number(rule.value)} {rule.unit}"
        return f"{name} {rule.comparator.symbol} {limit}{_within(rule.within)}"
    if isinstance(rule, LabResultRule):
        name = ANALYTES[rule.analyte].name
        return f"{name} {rule.comparator.symbol} {rule.result}{_within(rule.within)}"
    if isinstance(rule, DerivedRule):
        name = DERIVED[rule.quantity].name
        limit = f"{rule.comparator.symbol} {_number(rule.value)} {rule.unit}"
        return f"{name} {limit}{_within(rule.within, ' (lab inputs)')}"
    if isinstance(rule, DiagnosisRule):
        how = f", confirmed by {' or '.join(rule.confirmed_by)}" if rule.confirmed_by else ""
        return f"diagnosis of {CONDITIONS[rule.condition].name}{how}"
    if isinstance(rule, StageRule):
        parts = []
        if rule.groups:
            parts.append(f"stage {' or '.join(rule.groups)}")
        for label, values in (("T", rule.t), ("N", rule.n), ("M", rule.m)):
            if values:
                parts.append(f"{label} {' or '.join(values)}")
        if rule.extent:
            parts.append(f"disease now {' or '.join(EXTENT_NAMES[e] for e in rule.extent)}")
        edition = f" (AJCC edition {' or '.join(map(str, rule.editions))})" if rule.editions else ""
        return ", ".join(parts) + edition
    if isinstance(rule, TumourSizeRule):
        bounds = " and ".join(f"{b.comparator.symbol} {_number(b.value)}" for b in rule.bounds)
        return f"tumour size {bounds} {rule.unit}"
    if isinstance(rule, BiomarkerRule):
        if rule.variant:
            return f"{rule.marker} {' or '.join(rule.variant)} detected"
        if rule.status:
            return f"{rule.marker} {rule.status.replace('_', ' ')}"
        assert rule.comparator is not None and rule.value is not None  # checked by the model
        return f"{rule.marker} {rule.comparator.symbol} {_number(rule.value)} %"
    if isinstance(rule, MedicationRule):
        when = " ongoing" if rule.ongoing else _within(rule.within) or " ever"
        dose = ""
        if rule.daily_dose is not None:
            limit = f"{rule.daily_dose.comparator.symbol} {_number(rule.daily_dose.value)}"
            dose = f" at {limit} mg/day prednisone-equivalent"
        return f"{THERAPIES[rule.therapy].name} received{when}{dose}"
    if isinstance(rule, ProcedureRule):
        site = f" to the {BODY_SITES[rule.site][0][0]}" if rule.site else ""
        return f"{PROCEDURES[rule.procedure].name}{site}{_within(rule.within) or ' ever'}"
    if isinstance(rule, ConditionRule):
        onset = _within(rule.within).replace(" within", " with onset within")
        now = " (active)" if rule.active else " (current)" if rule.current else ""
        return f"{CONDITIONS[rule.condition].name}{now}{onset}{to_confirm(rule.qualifier)}"
    if isinstance(rule, OtherMalignancyRule):
        when = " (current)" if rule.current else _within(rule.within) or " ever"
        but = ", except " + ", ".join(CONDITIONS[k].name for k in rule.exceptions)
        but = (but if rule.exceptions else "") + to_confirm(rule.qualifier)
        return f"malignancy other than the cancer under study{when}{but}"
    if isinstance(rule, CnsMetastasesRule):
        return describe_cns(rule)
    if isinstance(rule, AllergyRule):
        grade = f" of CTCAE grade ≥ {rule.min_grade}" if rule.min_grade else ""
        return f"allergy{grade} to {rule.named}{' or its excipients' if rule.excipients else ''}"
    if isinstance(rule, ToxicityRule):
        listed = tuple((e.concept, e.max_grade, e.confirm) for e in rule.exceptions)
        return toxicity_text(rule.max_grade, rule.or_baseline, listed, rule.unread)
    if isinstance(rule, RegimenRule):
        what = " with ".join(THERAPIES[t].name for t in rule.therapies)
        line = f"line {rule.line}: " if rule.line else ""
        cycles = count_range(rule.min_cycles, rule.max_cycles, "cycles")
        return f"{line}{what}{', ' + cycles if cycles else ''}"
    if isinstance(rule, PriorLinesRule):
        what = THERAPIES[rule.therapy].name if rule.therapy else "systemic therapy"
        return f"prior lines of {what}: {count_range(rule.min_lines, rule.max_lines, 'lines')}"
    if isinstance(rule, LesionRule):
        parts = []
        counted = (
            "lesions without complete metabolic response"
            if (rule.exclude_complete_metabolic_response)
            else "lesions"
        )
        if rule.max_lesions is not None:
            parts.append(f"at most {rule.max_lesions} {counted}")
        if rule.max_organs is not None:
            parts.append(f"in at most {rule.max_organs} organs")
        if rule.min_measurable is not None:
            criteria = f" ({rule.criteria})" if rule.criteria else ""
            parts.append(f"at least {rule.min_measurable} measurable{criteria}")
        return " ".join(parts) + _within(rule.within)
    if isinstance(rule, JudgementRule):
        return rule.description
    if isinstance(rule, NotRule):
        return f"not ({describe_rule(rule.rule)})"
    if isinstance(rule, AllOfRule):
        return " and ".join(f"({describe_rule(r)})" for r in rule.rules)
    if isinstance(rule, AnyOfRule):
        return " or ".join(f"({describe_rule(r)})" for r in rule.rules)
    text = f"if {describe_rule(rule.when)}: {describe_rule(rule.then)}"
    if rule.otherwise is not None:
        text += f"; otherwise {describe_rule(rule.otherwise)}"
    return text


def describe_cns(rule: CnsMetastasesRule) -> str:
    unless = ["treated"]
    if rule.stable_for is not None:
        unless.append(f"radiologically stable for at least {rule.stable_for}")
    if rule.asymptomatic:
        unless.append("without symptoms")
    if rule.steroid_free is not None:
        unless.append(f"off systemic corticosteroids for at least {rule.steroid_free}")
    if rule.confirm is not None:
        unless.append(f'"{rule.confirm}" (to confirm)')
    return "brain/CNS metastases (current), unless " + ", ".join(unless)
