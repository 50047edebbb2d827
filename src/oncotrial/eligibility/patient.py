"""A patient as screening sees it: demographics, measurements, history — immutable, typed.

File formats (JSON/CSV records, FHIR R4 bundles) are read into this model by
``oncotrial.formats.patients``; screening never sees a file.

Sections that are lists of history (``conditions``, ``medications``, ``therapies``,
``procedures``, ``biomarkers``, ``lesions``, ``allergies``, ``adverse_events``) are ``None`` when
the record does not provide them and a tuple (possibly empty) when it does. A provided list is
taken as complete: no live vaccine among the medications recorded means none was given. An
absent list makes every rule that needs it unknown, naming the list to collect. Each record
carries ``record``, where it came from in the input ("labs[3]", "Observation/abc"), so that
evidence can point back to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from oncotrial.eligibility.analytes import ANALYTES, Scale, analyte_for_loinc, ordinal_rank
from oncotrial.eligibility.concepts import match_concepts
from oncotrial.eligibility.concepts_variants import canonical_variant
from oncotrial.eligibility.extent import Extent
from oncotrial.eligibility.units import compatible, convert, parse_unit
from oncotrial.errors import DictionaryError

__all__ = [
    "ALLERGY_GRADES",
    "CLINICAL_STATUS_ACTIVE",
    "CLINICAL_STATUS_CODES",
    "CLINICAL_STATUS_OVER",
    "AdverseEventRecord",
    "AllergyRecord",
    "Biomarker",
    "ClinicalStatus",
    "ConditionRecord",
    "Diagnosis",
    "Lesion",
    "MedicationRecord",
    "Observation",
    "Patient",
    "PerformanceStatus",
    "ProcedureRecord",
    "TherapyLine",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Observation(_Frozen):
    """A lab result, vital sign or ECG interval, with its own reference range."""

    analyte: str = Field(description="Analyte key; read from the LOINC code when not given.")
    loinc: str | None = None
    value: float | None = None
    result: str | None = Field(None, description="Qualitative result: 'negative', '1+'.")
    unit: str | None = None
    date: dt.date
    low: float | None = Field(None, description="Lower limit of normal (reference range).")
    high: float | None = Field(None, description="Upper limit of normal (reference range).")
    range_unit: str | None = Field(None, description="Unit of low/high when not ``unit``.")
    record: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _analyte_from_loinc(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("analyte") and data.get("loinc"):
            found = analyte_for_loinc(str(data["loinc"]))
            if found is None:
                raise ValueError(f"LOINC {data['loinc']} is not an analyte any rule uses")
            data = {**data, "analyte": found.key}
        return data

    @model_validator(mode="after")
    def _check(self) -> Observation:
        if self.analyte not in ANALYTES:
            raise ValueError(
                f"unknown analyte {self.analyte!r}; known: {', '.join(sorted(ANALYTES))}"
            )
        item = ANALYTES[self.analyte]
        if self.loinc and self.loinc not in item.loinc:
            raise ValueError(f"LOINC {self.loinc} does not report {item.name}")
        if item.scale is Scale.QUANTITATIVE:
            if self.value is None:
                raise ValueError(f"{item.name} needs a numeric value")
            if self.unit is None:
                raise ValueError(f"{item.name} {self.value:g} has no unit")
            assert item.unit is not None  # quantitative analytes all have a unit
            for unit in (self.unit, self.range_unit):
                if unit is None:
                    continue
                try:
                    parse_unit(unit)
                except DictionaryError as exc:
                    raise ValueError(str(exc)) from None
                if not compatible(unit, item.unit, item.molar_mass):
                    raise ValueError(
                        f"{item.name} in {unit} cannot be converted to {item.unit}; "
                        "check that the unit belongs to this test"
                    )
        else:
            if self.result is None:
                raise ValueError(f"{item.name} needs a result ({', '.join(item.results)})")
            try:
                ordinal_rank(item, self.result)
            except DictionaryError as exc:
                raise ValueError(str(exc)) from None
        return self


class PerformanceStatus(_Frozen):
    scale: Literal["ECOG", "Karnofsky", "Lansky"] = "ECOG"
    score: int = Field(ge=0, le=100)
    date: dt.date | None = None
    record: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PerformanceStatus:
        if self.scale == "ECOG" and self.score > 5:
            raise ValueError(f"ECOG scores run from 0 to 5, not {self.score}")
        if self.scale != "ECOG" and self.score % 10:
            raise ValueError(f"{self.scale} scores are multiples of 10, not {self.score}")
        return self


class _Coded(_Frozen):
    concept: str | None = Field(None, description="A concept key of oncotrial's vocabulary.")
    code: str | None = None
    system: str | None = Field(None, description="SNOMED, ICD-10, ATC, CVX or a FHIR URI.")
    text: str | None = None

    def concepts(self, table: str) -> frozenset[str]:
        return match_concepts(
            table,
            keys=(self.concept,) if self.concept else (),
            codes=((self.system, self.code),),
            names=(self.text,),
        )


# HL7 FHIR R4 Condition.clinicalStatus, value set http://hl7.org/fhir/ValueSet/condition-clinical
# (code system http://terminology.hl7.org/CodeSystem/condition-clinical): the first three codes
# say the condition is there now, the other three that it is not.
ClinicalStatus = Literal["active", "recurrence", "relapse", "inactive", "remission", "resolved"]
CLINICAL_STATUS_ACTIVE: frozenset[str] = frozenset({"active", "recurrence", "relapse"})
# a condition that is over: no longer current, whether or not an abatement date is recorded
CLINICAL_STATUS_OVER: frozenset[str] = frozenset({"inactive", "remission", "resolved"})
CLINICAL_STATUS_CODES: tuple[str, ...] = (
    "active",
    "recurrence",
    "relapse",
    "inactive",
    "remission",
    "resolved",
)


class ConditionRecord(_Coded):
    onset: dt.date | None = None
    abatement: dt.date | None = Field(None, description="When it resolved; none if ongoing.")
    clinical_status: ClinicalStatus | None = Field(
        None,
        description=(
            "HL7 FHIR R4 Condition.clinicalStatus (ValueSet condition-clinical): active, "
            "recurrence or relapse — the condition is there now; inactive, remission or "
            "resolved — it is not. None: not recorded, which leaves a rule on an active "
            "condition unknown unless the record has abated."
        ),
    )
    # Status of metastases (brain metastases "treated and stable", issue 12 item 3); None is
    # not recorded, which leaves a rule that needs it unknown.
    treated: bool | None = Field(None, description="Local therapy given (radiotherapy, surgery).")
    stable_since: dt.date | None = Field(
        None,
        description="First imaging from which no progression is seen, up to the latest imaging.",
    )
    symptomatic: bool | None = Field(None, description="Causing neurological symptoms now.")
    record: str | None = None


class MedicationRecord(_Coded):
    start: dt.date | None = None
    end: dt.date | None = Field(None, description="Last day taken; none if ongoing.")
    dose: float | None = Field(None, gt=0, description="Daily dose, in ``dose_unit``.")
    dose_unit: str | None = Field(None, description="A unit of mass per day: 'mg/d'.")
    record: str | None = None

    @model_validator(mode="after")
    def _check_dose(self) -> MedicationRecord:
        if (self.dose is None) != (self.dose_unit is None):
            raise ValueError("give a dose with its unit (e.g. 10 mg/d), or neither")
        if self.dose_unit is not None:
            try:
                parse_unit(self.dose_unit)
            except DictionaryError as exc:
                raise ValueError(str(exc)) from None
            if not compatible(self.dose_unit, "mg/d"):
                raise ValueError(f"a daily dose is a mass per day (mg/d), not {self.dose_unit}")
        return self

    def mg_per_day(self) -> float | None:
        if self.dose is None or self.dose_unit is None:
            return None
        return convert(self.dose, self.dose_unit, "mg/d")


# HL7 FHIR R4 AllergyIntolerance.reaction.severity (ValueSet reaction-event-severity) as CTCAE
# v5.0 grades, by the general grade descriptions of CTCAE v5.0 (NCI, 2017: "Grade 1 Mild; Grade 2
# Moderate; Grade 3 Severe or medically significant but not immediately life-threatening; Grade 4
# Life-threatening consequences; Grade 5 Death"): a severe reaction is grade 3 or more.
ALLERGY_GRADES: dict[str, tuple[int, int]] = {"mild": (1, 1), "moderate": (2, 2), "severe": (3, 5)}


class AllergyRecord(_Coded):
    """An allergy or intolerance to a substance (HL7 FHIR R4 AllergyIntolerance): the substance
    is the record's concept, code or text, read as a therapy (a drug or a class of drugs)."""

    type: Literal["allergy", "intolerance"] | None = Field(
        None, description="FHIR AllergyIntolerance.type: immune (allergy) or not (intolerance)."
    )
    criticality: Literal["low", "high", "unable-to-assess"] | None = Field(
        None, description="FHIR AllergyIntolerance.criticality: the risk of a future reaction."
    )
    severity: Literal["mild", "moderate", "severe"] | None = Field(
        None, description="FHIR reaction.severity of the most severe reaction recorded."
    )
    grade: int | None = Field(None, ge=1, le=5, description="CTCAE grade of the reaction.")
    clinical_status: Literal["active", "inactive", "resolved"] | None = Field(
        None, description="FHIR AllergyIntolerance.clinicalStatus; None: not recorded."
    )
    verification_status: (
        Literal["unconfirmed", "presumed", "confirmed", "refuted", "entered-in-error"] | None
    ) = Field(
        None,
        description=(
            "FHIR AllergyIntolerance.verificationStatus: a refuted or entered-in-error record "
            "is no allergy; an unconfirmed or presumed one leaves a rule unknown."
        ),
    )
    date: dt.date | None = Field(None, description="Onset, else the day it was recorded.")
    record: str | None = None

    def grades(self) -> tuple[int, int] | None:
        """The CTCAE grades the reaction may have had: its grade, else its severity's."""
        if self.grade is not None:
            return (self.grade, self.grade)
        return ALLERGY_GRADES.get(self.severity or "")


class AdverseEventRecord(_Frozen):
    """An adverse event of prior anticancer therapy (a toxicity not yet resolved, or resolved
    on ``end``): its CTCAE v5.0 term (the file readers check it against the CTCAE dictionary),
    its grade now — the latest assessed — and the grade the patient had before that therapy."""

    term: str = Field(min_length=1, description="A CTCAE v5.0 term: 'Alopecia'.")
    grade: int | None = Field(None, ge=1, le=5, description="CTCAE grade now; None: not graded.")
    baseline_grade: int | None = Field(
        None, ge=0, le=5, description="CTCAE grade before the therapy (0: absent); None: unknown."
    )
    start: dt.date | None = None
    end: dt.date | None = Field(None, description="The day it resolved; None: ongoing.")
    record: str | None = None

    @model_validator(mode="after")
    def _check(self) -> AdverseEventRecord:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"{self.term} resolved ({self.end}) before it began ({self.start})")
        return self


class TherapyLine(_Frozen):
    """A prior line of systemic therapy: its drugs, number of cycles, dates, line number."""

    line: int | None = Field(None, ge=1)
    drugs: tuple[MedicationRecord, ...] = Field(min_length=1)
    cycles: int | None = Field(None, ge=0)
    start: dt.date | None = None
    end: dt.date | None = None
    record: str | None = None


class ProcedureRecord(_Coded):
    category: str | None = Field(None, description="A procedure concept key (major_surgery…).")
    date: dt.date | None = None
    site: str | None = Field(
        None, description="Body site treated, in words: 'prostate', 'head and neck', 'chest'."
    )
    record: str | None = None

    def concepts(self, table: str = "procedure") -> frozenset[str]:
        return match_concepts(
            table,
            keys=tuple(k for k in (self.concept, self.category) if k),
            codes=((self.system, self.code),),
            names=(self.text,),
        )


class Biomarker(_Frozen):
    """A marker's result. A detected result may name the variant found (``variant``: an HGVS
    amino-acid substitution or a declared class, stored canonical — concepts_variants); a test
    that found several variants is several results of the same date."""

    marker: str
    status: Literal["detected", "not_detected", "failed"] | None = None
    value: float | None = Field(None, description="A percentage (PD-L1 TPS).", ge=0, le=100)
    variant: str | None = Field(
        None, description="The variant detected: 'G12C', 'p.Gly12Cys', 'exon 19 deletion'."
    )
    date: dt.date | None = None
    record: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Biomarker:
        if self.status is None and self.value is None:
            raise ValueError(f"{self.marker}: give a status or a value")
        if self.variant is not None and self.status != "detected":
            # a variant names what was found: a negative or failed test of one variant would
            # read as the whole marker not detected (or failed) to every other rule
            raise ValueError(
                f"{self.marker}: a variant is recorded with a detected result only "
                f"(status {self.status!r})"
            )
        return self

    @field_validator("variant")
    @classmethod
    def _canonical(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "marker" not in info.data:
            return value
        return canonical_variant(str(info.data["marker"]), value)


class Diagnosis(_Coded):
    """The cancer under study: what, how it was confirmed, its stage and size."""

    confirmed_by: Literal["histology", "cytology"] | None = None
    date: dt.date | None = None
    stage: str | None = Field(None, description="AJCC stage group, e.g. 'IA2', 'IVB'.")
    t: str | None = None
    n: str | None = None
    m: str | None = None
    edition: int | None = Field(None, description="AJCC edition (8, 9).")
    extent: Extent | None = Field(
        None,
        description="The extent of the disease at screening: localised, locally_advanced or "
        "metastatic (eligibility.extent: the stage at diagnosis does not change on relapse).",
    )
    tumour_size_mm: float | None = Field(None, gt=0)
    record: str | None = None


class Lesion(_Frozen):
    organ: str = Field(min_length=1)
    measurable: bool | None = None
    complete_metabolic_response: bool | None = None
    date: dt.date | None = None
    record: str | None = None


class Patient(_Frozen):
    id: str = Field(min_length=1)
    sex: Literal["female", "male"] | None = None
    birth_date: dt.date | None = None
    consent_date: dt.date | None = None
    planned_first_dose: dt.date | None = None
    performance_status: tuple[PerformanceStatus, ...] = ()
    observations: tuple[Observation, ...] = ()
    diagnosis: Diagnosis | None = None
    conditions: tuple[ConditionRecord, ...] | None = None
    medications: tuple[MedicationRecord, ...] | None = None
    therapies: tuple[TherapyLine, ...] | None = None
    procedures: tuple[ProcedureRecord, ...] | None = None
    biomarkers: tuple[Biomarker, ...] | None = None
    lesions: tuple[Lesion, ...] | None = None
    allergies: tuple[AllergyRecord, ...] | None = Field(
        None, description="Allergies and intolerances; () when none are known, None: not asked."
    )
    adverse_events: tuple[AdverseEventRecord, ...] | None = Field(
        None, description="Adverse events of prior therapy; () when none, None: not asked."
    )
