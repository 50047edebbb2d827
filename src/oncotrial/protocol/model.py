"""The trial protocol: what a registration says and what an investigator adds.

A ``Protocol`` is immutable. Its sections follow a registry page (ClinicalTrials.gov and the
registry page of seed 002): identity, status, design, arms and interventions, outcomes,
eligibility, sponsors, locations, identifiers. ``analysis`` holds what a registration leaves to
the investigator (reference date, response criteria settings, imaging schedule, safety window).
``provenance`` records, per field path, whether a value came verbatim from the registry, was
derived by oncotrial from registry text, or was added by a person — every field not listed came
from the registry record.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oncotrial.eligibility.criteria import Eligibility
from oncotrial.protocol.dosing import Dosing
from oncotrial.protocol.endpoints import Endpoint, EndpointKind, EndpointLevel, Origin
from oncotrial.protocol.vocabulary import (
    Allocation,
    ArmType,
    DateType,
    EnrollmentType,
    InterventionModel,
    InterventionType,
    Masking,
    ObservationalModel,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    ResponsiblePartyType,
    StudyType,
    TimePerspective,
)
from oncotrial.response.settings import ResponseSettings

__all__ = [
    "AnalysisPlan",
    "Arm",
    "Contact",
    "Description",
    "Design",
    "Enrollment",
    "FieldSource",
    "Identity",
    "ImportFormat",
    "Intervention",
    "Location",
    "Official",
    "Organization",
    "PartialDate",
    "Protocol",
    "Provenance",
    "RelatedTrial",
    "ResponsibleParty",
    "SecondaryId",
    "SourceRecord",
    "Sponsors",
    "Status",
]

SCHEMA_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PartialDate(_Frozen):
    """A registry date, possibly to the month only ('2020-06'), actual or estimated."""

    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    type: DateType | None = None

    def __str__(self) -> str:
        return f"{self.date}{' (estimated)' if self.type is DateType.ESTIMATED else ''}"


class SecondaryId(_Frozen):
    id: str
    type: str | None = None
    domain: str | None = None
    link: str | None = None


class Organization(_Frozen):
    name: str
    agency_class: str | None = Field(None, description="NIH, INDUSTRY, OTHER, …")


class Identity(_Frozen):
    nct_id: str | None = Field(None, pattern=r"^NCT\d{8}$")
    local_id: str | None = Field(
        None, description="Local id for a trial without a registry id (e.g. '000').", min_length=1
    )
    org_study_id: str | None = None
    secondary_ids: tuple[SecondaryId, ...] = ()
    brief_title: str = Field(min_length=1)
    official_title: str | None = None
    acronym: str | None = None
    organization: Organization | None = None

    @property
    def trial_id(self) -> str:
        """The id oncotrial uses: NCT number, else the local id, else the org study id."""
        return self.nct_id or self.local_id or self.org_study_id or _slug(self.brief_title)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "trial"


class Status(_Frozen):
    overall_status: OverallStatus | None = None
    why_stopped: str | None = None
    start: PartialDate | None = None
    primary_completion: PartialDate | None = None
    completion: PartialDate | None = None
    first_posted: PartialDate | None = None
    last_updated: PartialDate | None = None
    verified: str | None = None


class Enrollment(_Frozen):
    count: int | None = Field(None, ge=0)
    type: EnrollmentType | None = None


class Design(_Frozen):
    study_type: StudyType | None = None
    phases: tuple[Phase, ...] = ()
    allocation: Allocation | None = None
    intervention_model: InterventionModel | None = None
    intervention_model_description: str | None = None
    masking: Masking | None = None
    who_masked: tuple[str, ...] = ()
    primary_purpose: PrimaryPurpose | None = None
    observational_model: ObservationalModel | None = None
    time_perspective: TimePerspective | None = None


class ResponsibleParty(_Frozen):
    type: ResponsiblePartyType | None = None
    name: str | None = None
    title: str | None = None
    affiliation: str | None = None


class Sponsors(_Frozen):
    lead: Organization | None = None
    responsible_party: ResponsibleParty | None = None
    collaborators: tuple[Organization, ...] = ()


class Intervention(_Frozen):
    type: InterventionType
    name: str = Field(min_length=1)
    description: str | None = None
    other_names: tuple[str, ...] = ()
    arm_labels: tuple[str, ...] = ()
    dosing: Dosing = Field(default_factory=Dosing, description="Reading of dose and schedule.")


class Arm(_Frozen):
    label: str = Field(min_length=1)
    type: ArmType | None = None
    description: str | None = None
    interventions: tuple[str, ...] = Field((), description="Names of the arm's interventions.")


class Contact(_Frozen):
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    phone_ext: str | None = None
    email: str | None = None


class Official(_Frozen):
    name: str | None = None
    affiliation: str | None = None
    role: str | None = None


class Location(_Frozen):
    facility: str | None = None
    status: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    contacts: tuple[Contact, ...] = ()


class RelatedTrial(_Frozen):
    nct_id: str | None = None
    title: str
    status: str | None = None
    phases: tuple[str, ...] = ()


class ImportFormat(StrEnum):
    CTGOV_JSON = "ClinicalTrials.gov API v2 JSON"
    CTGOV_CSV = "ClinicalTrials.gov CSV export"
    TEXT_FIELDS = "one-field-per-line text export"
    TEXT_BULLETED = "summary with bulleted criteria"
    REGISTRY_PAGE = "registry web page text"
    YAML = "oncotrial protocol YAML"


class SourceRecord(_Frozen):
    format: ImportFormat
    name: str = Field(description="File name (and record) the protocol was imported from.")
    notes: tuple[str, ...] = Field((), description="What the import could not carry, and why.")


class FieldSource(StrEnum):
    REGISTRY = "registry"
    DERIVED = "derived"
    PERSON = "person"


class Provenance(_Frozen):
    """Where one field's value came from (fields not listed came from the registry)."""

    field: str = Field(min_length=1, description="Field path, e.g. 'arms[0].interventions'.")
    source: FieldSource
    note: str | None = None
    by: str | None = Field(None, description="Who added or reviewed it (for person entries).")


class AnalysisPlan(_Frozen):
    """What the investigator sets where a registration is silent."""

    reference_date: Origin | None = Field(
        None, description="Time zero for time-to-event endpoints and the SD minimum duration."
    )
    response: ResponseSettings | None = None
    imaging_interval_days: int | None = Field(None, gt=0)
    imaging_window_days: int | None = Field(None, ge=0)
    teae_window_days: int | None = Field(
        None, ge=0, description="Days after the last dose within which AEs are treatment-emergent."
    )
    randomization_ratio: tuple[int, ...] | None = None
    stratification_factors: tuple[str, ...] = ()


class Description(_Frozen):
    brief_summary: str | None = None
    detailed_description: str | None = None


class Protocol(_Frozen):
    """A trial protocol, immutable; sections in the order of a registry page."""

    schema_version: int = Field(description="Version of this model's YAML shape.")
    identity: Identity
    status: Status = Field(default_factory=Status)
    description: Description = Field(default_factory=Description)
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    design: Design = Field(default_factory=Design)
    enrollment: Enrollment | None = None
    arms: tuple[Arm, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    eligibility: Eligibility = Field(default_factory=Eligibility)
    sponsors: Sponsors = Field(default_factory=Sponsors)
    locations: tuple[Location, ...] = ()
    central_contacts: tuple[Contact, ...] = ()
    officials: tuple[Official, ...] = ()
    related_trials: tuple[RelatedTrial, ...] = ()
    analysis: AnalysisPlan = Field(default_factory=AnalysisPlan)
    registry_results: str | None = Field(
        None,
        description="The registry record's resultsSection, verbatim (JSON text); read it with "
        "oncotrial.results.registry_results.",
    )
    source: SourceRecord
    provenance: tuple[Provenance, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Protocol:
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {self.schema_version} is not supported (this oncotrial reads "
                f"version {SCHEMA_VERSION})"
            )
        return self

    def consistency_warnings(self) -> tuple[str, ...]:
        """Inconsistencies a reviewer should look at (registries do not enforce these)."""
        warnings = []
        names = {i.name for i in self.interventions}
        for arm in self.arms:
            unknown = [n for n in arm.interventions if n not in names]
            if unknown:
                warnings.append(
                    f"arm {arm.label!r} names intervention(s) {', '.join(unknown)} that the "
                    "protocol does not list"
                )
        if self.is_randomized and len(self.arms) < 2:
            warnings.append("the design is randomized but fewer than two arms are listed")
        if not self.endpoints:
            warnings.append("no endpoints: the registration lists no outcome measures")
        from oncotrial.eligibility.reconcile import age_conflicts  # the parser loads on demand

        warnings.extend(age_conflicts(self.eligibility))
        return tuple(warnings)

    @property
    def trial_id(self) -> str:
        return self.identity.trial_id

    @property
    def title(self) -> str:
        return self.identity.brief_title

    def endpoints_at(self, level: EndpointLevel) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if e.level is level)

    def endpoints_of(self, kind: EndpointKind) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if e.reading.kind is kind)

    @property
    def is_randomized(self) -> bool:
        return self.design.allocation is Allocation.RANDOMIZED

    def provenance_of(self, field: str) -> Provenance:
        """The provenance of ``field``: the most specific recorded entry, else the registry."""
        best: Provenance | None = None
        for entry in self.provenance:
            if (
                field == entry.field or field.startswith((entry.field + ".", entry.field + "["))
            ) and (best is None or len(entry.field) > len(best.field)):
                best = entry
        return best or Provenance(field=field, source=FieldSource.REGISTRY)
