"""The data entry forms, declared as data: fields, the record they write, and their edit checks.

One ``EntitySpec`` per kind of record a trial team enters (docs/sdtm.md says where each goes):
ECOG and quality of life (QS), height and weight (VS), stage, histology and primary site (SC),
driver mutations (GF), PD-L1 (MI), labs (LB), study drug (EX), local therapy (PR), adverse events
(AE, CTCAE v5.0), other medications and prior/subsequent therapy (CM), end of treatment / end of
study / alive contacts (DS) and death (DS + DM). Tumour assessments have their own form
(``oncotrial.web.assessments``); their lesions and measurements are corrected here.

The fields, their vocabularies, the SDTM records and the edit checks are the entity catalogue's
(``oncotrial.catalogue``, docs/catalogue.md): a form field is built from the catalogue's field, a
record from its tests and record builders, and each check names the catalogue rule it applies.
Edit checks are of two kinds: an *error* refuses the entry (an impossible value: a date in the
future, a grade CTCAE does not define for the term, an end before a start), a *warning* asks the
person to confirm (an unusual value: a dose 10 % off the protocol's, a stage outside the
protocol's population). Each check states its rule in its message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Model, QuerySet

from oncotrial.catalogue import baseline, labs, safety, subject, treatment, tumour
from oncotrial.catalogue import common as cc
from oncotrial.catalogue.checks import (
    DATE_AFTER_CONSENT,
    DATE_BEFORE_DEATH,
    DATE_NOT_FUTURE,
    END_AFTER_START,
)
from oncotrial.catalogue.model import Entity, Kind, Range
from oncotrial.catalogue.model import Field as CatalogueField
from oncotrial.catalogue.staging import edition_category, edition_of_category, stage_groups
from oncotrial.catalogue.vocabulary import Vocabulary
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.enrollment import compute_visit_schedule
from oncotrial.errors import OncotrialError
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.protocol.model import Protocol
from oncotrial.protocol.vocabulary import InterventionType
from oncotrial.store import models as db
from oncotrial.store.mapping import model_fields

__all__ = [
    "ENTITIES",
    "LOCATIONS",
    "EntitySpec",
    "EntryContext",
    "FieldSpec",
    "Issue",
    "field_spec",
    "lower_first",
    "parse_date",
    "visit_number",
]

Choices = tuple[tuple[str, str], ...]
LOCATIONS = cc.ANATOMICAL_LOCATIONS.codes
LATERALITY: Choices = (("", "—"), *cc.LATERALITY.choices())


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | textarea | date | number | integer | choice | term | grade
    required: bool = False
    choices: Choices = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    help: str = ""
    refresh: bool = False  # changing it re-draws the form (dependent choices)
    wide: bool = False
    suggestions: tuple[str, ...] = ()  # offered, not enforced (a datalist)


def field_spec(
    source: CatalogueField,
    *,
    choices: Choices | Vocabulary | None = None,
    **changes: Any,
) -> FieldSpec:
    """A form field from the catalogue's field: label, kind, required, choices (its vocabulary),
    limits, unit and help; ``changes`` adapt it to the form (refresh, wide, a dynamic list)."""
    listed = source.vocabulary if choices is None else choices
    pairs = listed.choices() if isinstance(listed, Vocabulary) else (listed or ())
    kind = source.kind.value
    suggestions: tuple[str, ...] = ()
    if source.kind is Kind.TEXT and pairs:
        kind, suggestions, pairs = "text", tuple(code for code, _ in pairs), ()
    values: dict[str, Any] = {
        "name": source.name,
        "label": source.label,
        "kind": kind,
        "required": source.required,
        "choices": pairs,
        "minimum": source.minimum,
        "maximum": source.maximum,
        "unit": source.unit,
        "help": source.help,
        "suggestions": suggestions,
    }
    values.update(changes)
    return FieldSpec(**values)


@dataclass(frozen=True)
class Issue:
    field: str | None
    message: str
    warning: bool = False
    rule: str | None = None  # the catalogue's EditCheck id


@dataclass
class EntryContext:
    """What edit checks need to know about the trial, the subject and today."""

    trial: db.Trial
    protocol: Protocol
    subject: db.Subject
    today: dt.date
    ctcae_loader: Callable[[], CtcaeDictionary] = load_ctcae
    _dates: dict[str, dt.date | None] = field(default_factory=dict)

    @cached_property
    def consent(self) -> dt.date | None:
        return parse_date(self.subject.rficdtc)

    @cached_property
    def allocated(self) -> dt.date | None:
        record = db.Disposition.objects.filter(
            subject=self.subject, decod__in=list(db.Disposition.ALLOCATION_TERMS)
        ).first()
        return parse_date(record.stdtc) if record else None

    @cached_property
    def death(self) -> dt.date | None:
        record = db.Disposition.objects.filter(subject=self.subject, decod=subject.DEATH).first()
        return parse_date(record.stdtc) if record else parse_date(self.subject.dthdtc)

    @cached_property
    def first_dose(self) -> dt.date | None:
        dates = [
            parse_date(d)
            for d in db.Exposure.objects.filter(subject=self.subject).values_list(
                "stdtc", flat=True
            )
        ]
        known = [d for d in dates if d]
        return min(known) if known else None

    @cached_property
    def ctcae(self) -> CtcaeDictionary:
        return self.ctcae_loader()

    def visit_choices(self) -> Choices:
        names: list[str] = [cc.SCREENING]
        reference = self.allocated or self.consent or self.today
        schedule = compute_visit_schedule(
            self.protocol, reference=reference, first_dose=self.first_dose, horizon_days=730
        )
        names += [v.visit for v in schedule.visits if v.visit != cc.SCREENING]
        names += [cc.END_OF_TREATMENT_VISIT, cc.SURVIVAL_FOLLOW_UP_VISIT, cc.UNSCHEDULED]
        seen: dict[str, None] = {}
        for name in names:
            seen.setdefault(name, None)
        return tuple((n, n.title().replace("Of", "of")) for n in seen)

    def interventions(self, *kinds: InterventionType) -> Choices:
        return tuple(
            (i.name.upper(), i.name)
            for i in self.protocol.interventions
            if not kinds or i.type in kinds
        )


def lower_first(title: str) -> str:
    """'Adverse event' → 'adverse event'; 'ECOG performance status' stays as it is."""
    first = title.split()[0]
    return title if first.isupper() else title[0].lower() + title[1:]


def parse_date(text: Any) -> dt.date | None:
    """The date of an ISO 8601 --DTC text (complete dates only; partial dates give None)."""
    if isinstance(text, dt.date):
        return text
    if not text or len(str(text)) < 10:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def visit_number(visit: str | None, protocol: Protocol) -> float | None:
    """VISITNUM of a visit name by the catalogue's convention (``oncotrial.catalogue.common``)."""
    return cc.visit_number(
        visit,
        imaging_interval_days=protocol.analysis.imaging_interval_days,
        procedures=[i.name for i in protocol.interventions],
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else (value or None)


def _num_text(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _declares(entity: Entity, check_id: str) -> bool:
    return any(c.id == check_id for c in entity.checks)


def _date_checks(
    values: Mapping[str, Any],
    ctx: EntryContext,
    entity: Entity,
    *,
    start: str,
    end: str | None = None,
    after_consent: bool = True,
) -> list[Issue]:
    """The date rules the entity declares (catalogue.checks): not in the future, on or after
    consent (unless ``after_consent`` is False for this record), not after the death, the end
    not before the start."""
    issues: list[Issue] = []
    consent = after_consent and _declares(entity, DATE_AFTER_CONSENT.id)
    before_death = _declares(entity, DATE_BEFORE_DEATH.id)
    for name in (start, end):
        if name is None:
            continue
        when = values.get(name)
        if not isinstance(when, dt.date):
            continue
        if when > ctx.today and _declares(entity, DATE_NOT_FUTURE.id):
            issues.append(
                Issue(
                    name,
                    f"{when.isoformat()} is in the future (today is {ctx.today}).",
                    rule=DATE_NOT_FUTURE.id,
                )
            )
        if consent and ctx.consent and when < ctx.consent:
            issues.append(
                Issue(
                    name,
                    f"{when.isoformat()} is before informed consent ({ctx.consent}); data of a "
                    f"study subject are collected after consent ({DATE_AFTER_CONSENT.source}).",
                    rule=DATE_AFTER_CONSENT.id,
                )
            )
        if before_death and ctx.death and when > ctx.death:
            issues.append(
                Issue(
                    name,
                    f"{when.isoformat()} is after the death ({ctx.death}).",
                    rule=DATE_BEFORE_DEATH.id,
                )
            )
    first, last = values.get(start), values.get(end) if end else None
    if isinstance(first, dt.date) and isinstance(last, dt.date) and last < first:
        issues.append(
            Issue(end, f"the end ({last}) is before the start ({first}).", rule=END_AFTER_START.id)
        )
    return issues


def _range_check(value: Any, name: str, plausible: Range | None) -> list[Issue]:
    """The catalogue's plausible range of a measurement (an error outside it)."""
    if plausible is None or not isinstance(value, int | float):
        return []
    if plausible.low <= value <= plausible.high:
        return []
    return [
        Issue(
            name,
            f"{value:g} is outside the plausible range of {plausible.what} "
            f"({plausible.low:g}–{plausible.high:g}).",
            rule=plausible.check,
        )
    ]


# --- the entities ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitySpec:
    key: str
    title: str
    plural: str
    model: type[Model]
    section: str  # baseline | treatment | safety | labs | follow-up | tumour
    fields: Callable[[EntryContext, Mapping[str, Any]], tuple[FieldSpec, ...]]
    to_record: Callable[[Mapping[str, Any], EntryContext], dict[str, Any]]
    from_record: Callable[[Any], dict[str, Any]]
    checks: Callable[[Mapping[str, Any], EntryContext], list[Issue]]
    queryset: Callable[[db.Subject], QuerySet[Any]]
    columns: tuple[str, ...]
    row: Callable[[Any], tuple[str, ...]]
    creatable: bool = True
    single: bool = False
    help: str = ""
    # DM fields kept in agreement with the record (death: DTHDTC, DTHFL; docs/sdtm.md).
    subject_updates: Callable[[Any], dict[str, Any]] | None = None
    entity: Entity | None = None  # the catalogue's declaration of the entity


def _entity_spec(entity: Entity, **spec: Any) -> EntitySpec:
    """The form of a catalogue entity: its key, title and section are the entity's."""
    return EntitySpec(
        key=entity.key, title=entity.title, section=entity.section, entity=entity, **spec
    )


def _findings(subject_: db.Subject, domain: str, **filters: Any) -> QuerySet[Any]:
    return db.Finding.objects.filter(subject=subject_, domain=domain, **filters).order_by(
        "dtc", "seq"
    )


def _visit_field(ctx: EntryContext, required: bool = True) -> FieldSpec:
    return FieldSpec("visit", "Visit", "choice", required=required, choices=ctx.visit_choices())


def _finding_values(
    values: Mapping[str, Any], ctx: EntryContext, test: Any, text: str | None, number: Any = None
) -> dict[str, Any]:
    """A Finding's fields: the test's codes and result, the visit, the date, the baseline flag."""
    visit = values.get("visit") or None
    return {
        "visit": visit,
        "visitnum": visit_number(visit, ctx.protocol),
        "dtc": _iso(values.get("dtc")),
        "blfl": cc.YES if visit == cc.SCREENING else None,
        "domain": test.domain,
        **model_fields(test.domain, {**test.codes(), **test.result(text, number)}),
    }


def _screening_finding(
    values: Mapping[str, Any], test: Any, text: str | None, number: Any = None, **extra: Any
) -> dict[str, Any]:
    """A Finding recorded at screening (disease, mutations, PD-L1)."""
    return {
        "domain": test.domain,
        **model_fields(test.domain, {**test.codes(), **test.result(text, number)}),
        **extra,
        "visit": cc.SCREENING,
        "visitnum": cc.VISITNUM_SCREENING,
        "dtc": _iso(values.get("dtc")),
    }


# ECOG (QS ECOG101) — docs/sdtm.md, QS.
_ECOG = baseline.ECOG
ECOG_GRADES: Choices = baseline.ECOG_GRADES.choices()


def _ecog_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (_visit_field(ctx), field_spec(_ECOG.field("dtc")), field_spec(_ECOG.field("score")))


def _ecog_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    score = int(values["score"])
    return _finding_values(values, ctx, baseline.ECOG_TEST, str(score), float(score))


def _ecog_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _ECOG, start="dtc")
    rule = _ECOG.check("ECOG-5-DEATH")
    if values.get("score") == "5" and not ctx.death:
        issues.append(
            Issue(
                "score", "ECOG 5 means the subject died; record the death as well.", True, rule.id
            )
        )
    return issues


ECOG = _entity_spec(
    _ECOG,
    plural="ECOG performance status",
    model=db.Finding,
    fields=_ecog_fields,
    to_record=_ecog_to,
    from_record=lambda r: {"visit": r.visit, "dtc": parse_date(r.dtc), "score": r.stresc},
    checks=_ecog_checks,
    queryset=lambda s: _findings(s, baseline.ECOG_TEST.domain, testcd=baseline.ECOG_TEST.testcd),
    columns=("Visit", "Date", "ECOG"),
    row=lambda r: (r.visit or "", r.dtc or "", r.stresc or ""),
)


# Quality of life (QS QLQGHS, EORTC QLQ-C30 global health status 0–100).
_QOL = baseline.QOL


def _qol_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (_visit_field(ctx), field_spec(_QOL.field("dtc")), field_spec(_QOL.field("score")))


def _qol_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    score = float(values["score"])
    return _finding_values(values, ctx, baseline.QOL_GLOBAL_TEST, _num_text(score), score)


QOL = _entity_spec(
    _QOL,
    plural="Quality of life",
    model=db.Finding,
    fields=_qol_fields,
    to_record=_qol_to,
    from_record=lambda r: {"visit": r.visit, "dtc": parse_date(r.dtc), "score": r.stresn},
    checks=lambda v, ctx: _date_checks(v, ctx, _QOL, start="dtc"),
    queryset=lambda s: _findings(
        s, baseline.QOL_GLOBAL_TEST.domain, testcd=baseline.QOL_GLOBAL_TEST.testcd
    ),
    columns=("Visit", "Date", "Score"),
    row=lambda r: (r.visit or "", r.dtc or "", r.stresc or ""),
)


# Height and weight (VS).
_VITAL = baseline.VITAL_SIGNS
VITALS = {t.testcd: t for t in _VITAL.tests}


def _vital_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = VITALS.get(current.get("test") or "", _VITAL.tests[0])
    return (
        field_spec(_VITAL.field("test"), refresh=True),
        _visit_field(ctx),
        field_spec(_VITAL.field("dtc")),
        field_spec(_VITAL.field("value"), label=test.test, unit=test.unit, help=""),
    )


def _vital_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    value = float(values["value"])
    return _finding_values(values, ctx, VITALS[values["test"]], _num_text(value), value)


def _vital_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _VITAL, start="dtc")
    test = VITALS.get(values.get("test") or "")
    if test is not None:
        issues += _range_check(values.get("value"), "value", test.plausible)
    return issues


VITAL = _entity_spec(
    _VITAL,
    plural="Height and weight",
    model=db.Finding,
    fields=_vital_fields,
    to_record=_vital_to,
    from_record=lambda r: {
        "test": r.testcd,
        "visit": r.visit,
        "dtc": parse_date(r.dtc),
        "value": r.stresn,
    },
    checks=_vital_checks,
    queryset=lambda s: _findings(s, _VITAL.domains[0]),
    columns=("Measurement", "Visit", "Date", "Value"),
    row=lambda r: (r.test or r.testcd or "", r.visit or "", r.dtc or "", f"{r.stresc} {r.stresu}"),
)


# Disease at study entry (SC): stage (with its AJCC edition), histology, primary site.
_DISEASE = baseline.DISEASE
DISEASE = {t.testcd: t for t in _DISEASE.tests}
_STAGE = baseline.STAGE_TEST.testcd


def _edition(values: Mapping[str, Any]) -> int:
    text = str(values.get("edition") or "8")
    return int(text) if text.isdigit() else 8


def _disease_values(test: Any, edition: int) -> tuple[str, ...]:
    if test.testcd == _STAGE:
        return stage_groups(edition, parents=True)
    return test.results.codes if test.results is not None else ()


def _disease_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = DISEASE.get(current.get("test") or "", baseline.STAGE_TEST)
    values = _disease_values(test, _edition(current))
    fields = [
        field_spec(_DISEASE.field("test"), refresh=True),
        field_spec(_DISEASE.field("value"), label=test.test, choices=tuple((v, v) for v in values)),
    ]
    if test.testcd == _STAGE:
        fields.append(field_spec(_DISEASE.field("edition"), required=True, refresh=True))
    fields.append(field_spec(_DISEASE.field("dtc")))
    return tuple(fields)


def _disease_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = DISEASE[values["test"]]
    category = edition_category(_edition(values)) if test.testcd == _STAGE else None
    return _screening_finding(values, test, values["value"], cat=category)


def _disease_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _DISEASE, start="dtc")
    test = DISEASE.get(values.get("test") or "")
    rule = _DISEASE.check("SC-STAGE-EDITION")
    if test is not None and values.get("value") not in _disease_values(test, _edition(values)):
        what = f"AJCC edition {_edition(values)}" if test.testcd == _STAGE else test.test.lower()
        issues.append(Issue("value", f"choose a value of {what}.", rule=rule.id))
    return issues


DISEASE_SPEC = _entity_spec(
    _DISEASE,
    plural="Disease at study entry",
    model=db.Finding,
    fields=_disease_fields,
    to_record=_disease_to,
    from_record=lambda r: {
        "test": r.testcd,
        "value": r.stresc,
        "edition": str(edition_of_category(r.cat) or 8) if r.testcd == _STAGE else None,
        "dtc": parse_date(r.dtc),
    },
    checks=_disease_checks,
    queryset=lambda s: _findings(s, _DISEASE.domains[0]),
    columns=("Characteristic", "Value", "Date"),
    row=lambda r: (r.test or r.testcd or "", r.stresc or "", r.dtc or ""),
)


# Driver mutations (GF).
_GENE = baseline.MUTATIONS
GENES = _GENE.field("gene").choices


def _gene_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = baseline.gene_test(current.get("gene") or GENES[0])
    return (
        field_spec(_GENE.field("gene"), refresh=True),
        field_spec(_GENE.field("status"), choices=tuple((c, c) for c in test.results.codes))
        if test.results is not None
        else field_spec(_GENE.field("status")),
        field_spec(_GENE.field("dtc")),
    )


def _gene_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = baseline.gene_test(values["gene"])
    return _screening_finding(values, test, values["status"], method=test.method)


GENE = _entity_spec(
    _GENE,
    plural="Driver mutations",
    model=db.Finding,
    fields=_gene_fields,
    to_record=_gene_to,
    from_record=lambda r: {"gene": r.testcd, "status": r.stresc, "dtc": parse_date(r.dtc)},
    checks=lambda v, ctx: _date_checks(v, ctx, _GENE, start="dtc"),
    queryset=lambda s: _findings(s, _GENE.domains[0]),
    columns=("Gene", "Result", "Date"),
    row=lambda r: (r.testcd or "", r.stresc or "", r.dtc or ""),
)


# PD-L1 tumour proportion score (MI), the assay in SPDEVID.
_PDL1 = baseline.PDL1
_TPS = baseline.PDL1_TEST


def _pdl1_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return tuple(field_spec(f) for f in _PDL1.fields)


def _pdl1_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    value = float(values["value"])
    return _screening_finding(
        values,
        _TPS,
        _num_text(value),
        value,
        method=_TPS.method,
        spec=_TPS.specimen,
        spdevid=values["assay"],
    )


PDL1 = _entity_spec(
    _PDL1,
    plural="PD-L1",
    model=db.Finding,
    fields=_pdl1_fields,
    to_record=_pdl1_to,
    from_record=lambda r: {"value": r.stresn, "assay": r.spdevid, "dtc": parse_date(r.dtc)},
    checks=lambda v, ctx: (
        _date_checks(v, ctx, _PDL1, start="dtc")
        + _range_check(v.get("value"), "value", _TPS.plausible)
    ),
    queryset=lambda s: _findings(s, _TPS.domain, testcd=_TPS.testcd),
    columns=("TPS", "Assay", "Date"),
    row=lambda r: (f"{r.stresc} %", r.spdevid or "", r.dtc or ""),
)


# Laboratory tests (LB): the catalogue's tests, LOINC codes and standard units.
_LAB = labs.LAB
LAB_TESTS = {t.testcd: t for t in labs.ENTRY_TESTS}


def _lab_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = LAB_TESTS.get(current.get("test") or "", labs.ENTRY_TESTS[0])
    return (
        field_spec(_LAB.field("test"), refresh=True),
        _visit_field(ctx),
        field_spec(_LAB.field("dtc")),
        field_spec(_LAB.field("value"), unit=test.unit, help=""),
        field_spec(_LAB.field("low"), unit=test.unit),
        field_spec(_LAB.field("high"), unit=test.unit),
    )


def _lab_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = LAB_TESTS[values["test"]]
    value = float(values["value"])
    low, high = values.get("low"), values.get("high")
    visit = values.get("visit") or None
    record = labs.result_record(
        test,
        _num_text(value),
        value,
        low=low,
        high=high,
        low_text=_num_text(low),
        high_text=_num_text(high),
        indicator=labs.reference_indicator(value, low, high),
    )
    return {
        **model_fields(test.domain, record),
        "blfl": cc.YES if visit == cc.SCREENING else None,
        "visit": visit,
        "visitnum": visit_number(visit, ctx.protocol),
        "dtc": _iso(values.get("dtc")),
    }


def _lab_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _LAB, start="dtc")
    test = LAB_TESTS.get(values.get("test") or "")
    if test is not None:
        issues += _range_check(values.get("value"), "value", test.plausible)
    low, high = values.get("low"), values.get("high")
    if isinstance(low, float) and isinstance(high, float) and low >= high:
        issues.append(
            Issue(
                "high",
                "the upper limit of normal must be above the lower limit.",
                rule=_LAB.check("LB-RANGE-ORDER").id,
            )
        )
    return issues


LAB = _entity_spec(
    _LAB,
    plural="Laboratory results",
    model=db.LabResult,
    fields=_lab_fields,
    to_record=_lab_to,
    from_record=lambda r: {
        "test": r.testcd,
        "visit": r.visit,
        "dtc": parse_date(r.dtc),
        "value": r.stresn,
        "low": r.stnrlo,
        "high": r.stnrhi,
    },
    checks=_lab_checks,
    queryset=lambda s: db.LabResult.objects.filter(subject=s).order_by("dtc", "seq"),
    columns=("Test", "Visit", "Date", "Result", "Range", "Flag"),
    row=lambda r: (
        r.testcd or "",
        r.visit or "",
        r.dtc or "",
        f"{r.stresc} {r.stresu or ''}".strip(),
        f"{r.ornrlo or ''}–{r.ornrhi or ''}" if (r.ornrlo or r.ornrhi) else "",
        r.nrind or "",
    ),
)


# Study drug administrations (EX).
_EX = treatment.EXPOSURE
DOSE_ADJUSTMENTS: Choices = (("", "Given as planned"), *treatment.DOSE_ADJUSTMENTS.choices())
SYSTEMIC = (
    InterventionType.DRUG,
    InterventionType.BIOLOGICAL,
    InterventionType.COMBINATION_PRODUCT,
    InterventionType.GENETIC,
    InterventionType.DIETARY_SUPPLEMENT,
    InterventionType.OTHER,
)
LOCAL = (InterventionType.PROCEDURE, InterventionType.RADIATION, InterventionType.DEVICE)


def _protocol_dose(ctx: EntryContext, treatment_: str | None) -> tuple[float | None, str | None]:
    for intervention in ctx.protocol.interventions:
        if treatment_ and intervention.name.upper() == treatment_.upper():
            return intervention.dosing.dose, intervention.dosing.unit
    return None, None


def _exposure_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    choices = ctx.interventions(*SYSTEMIC) or ctx.interventions()
    dose, unit = _protocol_dose(ctx, current.get("trt") or (choices[0][0] if choices else None))
    cycles = tuple(c for c in ctx.visit_choices() if c[0].startswith("CYCLE"))
    return (
        field_spec(_EX.field("trt"), choices=choices, refresh=True),
        field_spec(_EX.field("visit"), choices=cycles or ctx.visit_choices()),
        field_spec(_EX.field("stdtc")),
        field_spec(_EX.field("endtc")),
        field_spec(
            _EX.field("dose"),
            help=f"Protocol dose: {dose:g} {unit or ''}" if dose is not None else "",
        ),
        field_spec(_EX.field("dosu"), choices=tuple((u, u) for u in _EX.field("dosu").choices)),
        field_spec(_EX.field("route")),
        field_spec(_EX.field("adj"), choices=DOSE_ADJUSTMENTS, help=""),
    )


def _exposure_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    visit = values.get("visit")
    start = _iso(values.get("stdtc"))
    return {
        "trt": values["trt"],
        "cat": treatment.STUDY_TREATMENT,
        "dose": values.get("dose"),
        "dosu": values.get("dosu") or None,
        "route": values.get("route") or None,
        "adj": values.get("adj") or None,
        "epoch": cc.EPOCH_TREATMENT,
        "visit": visit,
        "visitnum": visit_number(visit, ctx.protocol),
        "stdtc": start,
        "endtc": _iso(values.get("endtc")) or start,
    }


def _exposure_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _EX, start="stdtc", end="endtc")
    start = values.get("stdtc")
    if isinstance(start, dt.date) and ctx.allocated and start < ctx.allocated:
        issues.append(
            Issue(
                "stdtc",
                f"study drug on {start} is before enrollment ({ctx.allocated}).",
                rule=_EX.check("EX-AFTER-ENROLLMENT").id,
            )
        )
    dose, unit = _protocol_dose(ctx, values.get("trt"))
    given = values.get("dose")
    if dose and isinstance(given, float):
        if unit and values.get("dosu") and values["dosu"] != unit:
            issues.append(
                Issue(
                    "dosu",
                    f"the protocol doses in {unit}, not {values['dosu']}.",
                    True,
                    _EX.check("EX-DOSE-UNIT").id,
                )
            )
        elif abs(given - dose) / dose > treatment.DOSE_TOLERANCE and not values.get("adj"):
            issues.append(
                Issue(
                    "dose",
                    f"{given:g} differs from the protocol dose {dose:g} {unit or ''} by more than "
                    f"{treatment.DOSE_TOLERANCE:.0%} and no dose adjustment is recorded.",
                    True,
                    _EX.check("EX-DOSE").id,
                )
            )
    return issues


EXPOSURE = _entity_spec(
    _EX,
    plural="Study drug",
    model=db.Exposure,
    fields=_exposure_fields,
    to_record=_exposure_to,
    from_record=lambda r: {
        "trt": r.trt,
        "visit": r.visit,
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc) if r.endtc != r.stdtc else None,
        "dose": r.dose,
        "dosu": r.dosu,
        "route": r.route,
        "adj": r.adj or "",
    },
    checks=_exposure_checks,
    queryset=lambda s: db.Exposure.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Drug", "Cycle", "Date", "Dose", "Adjustment"),
    row=lambda r: (
        r.trt or "",
        r.visit or "",
        r.stdtc or "",
        f"{r.dose:g} {r.dosu or ''}".strip() if r.dose is not None else "",
        r.adj or "",
    ),
)


# Local therapy (PR).
_PR = treatment.PROCEDURE


def _procedure_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    choices = ctx.interventions(*LOCAL) or ctx.interventions()
    return (
        field_spec(_PR.field("trt"), choices=choices),
        field_spec(_PR.field("stdtc")),
        field_spec(_PR.field("endtc")),
        field_spec(_PR.field("location")),
        field_spec(_PR.field("laterality"), choices=LATERALITY),
        field_spec(_PR.field("dose")),
    )


def _procedure_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    start = _iso(values.get("stdtc"))
    return {
        "trt": values["trt"],
        "cat": treatment.LOCAL_THERAPY,
        "dose": values.get("dose"),
        "dosu": treatment.RADIATION_DOSE_UNIT if values.get("dose") is not None else None,
        "location": (values.get("location") or "").strip().upper() or None,
        "laterality": values.get("laterality") or None,
        "epoch": cc.EPOCH_TREATMENT,
        "stdtc": start,
        "endtc": _iso(values.get("endtc")) or start,
    }


def _location_warning(value: Any, name: str, rule: str) -> list[Issue]:
    text = (value or "").strip().upper()
    if text and text not in LOCATIONS:
        return [
            Issue(
                name,
                f"{text!r} is not one of the usual anatomical location terms "
                f"({', '.join(LOCATIONS)}).",
                True,
                rule,
            )
        ]
    return []


PROCEDURE = _entity_spec(
    _PR,
    plural="Local therapy",
    model=db.Procedure,
    fields=_procedure_fields,
    to_record=_procedure_to,
    from_record=lambda r: {
        "trt": r.trt,
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc) if r.endtc != r.stdtc else None,
        "location": r.location,
        "laterality": r.laterality or "",
        "dose": r.dose,
    },
    checks=lambda v, ctx: (
        _date_checks(v, ctx, _PR, start="stdtc", end="endtc")
        + _location_warning(v.get("location"), "location", "PR-LOCATION-TERM")
        + _range_check(v.get("dose"), "dose", _PR.field("dose").plausible)
    ),
    queryset=lambda s: db.Procedure.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Procedure", "Date", "Site", "Dose"),
    row=lambda r: (
        r.trt or "",
        r.stdtc or "",
        " ".join(x for x in (r.laterality, r.location) if x),
        f"{r.dose:g} {treatment.RADIATION_DOSE_UNIT}" if r.dose is not None else "",
    ),
)


# Adverse events (AE, CTCAE v5.0).
_AE = safety.ADVERSE_EVENT
RELATED: Choices = (("", "—"), *safety.RELATEDNESS.choices())


def _ae_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    fields = [
        field_spec(_AE.field("term"), wide=True),
        field_spec(_AE.field("grade"), wide=True),
        field_spec(_AE.field("stdtc")),
        field_spec(_AE.field("endtc")),
        field_spec(_AE.field("serious")),
        field_spec(_AE.field("rel")),
    ]
    for n, intervention in enumerate(ctx.protocol.interventions, start=1):
        fields.append(
            FieldSpec(f"rel{n}", f"Related to {intervention.name}", "choice", choices=RELATED)
        )
    fields += [
        field_spec(_AE.field("acn")),
        field_spec(_AE.field("acnoth")),
        field_spec(_AE.field("outcome")),
    ]
    return tuple(fields)


def _ae_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    entry = ctx.ctcae.lookup(values["term"])
    extra = {
        safety.relatedness_variable(n): values.get(f"rel{n}") or None
        for n in range(1, len(ctx.protocol.interventions) + 1)
    }
    start = values.get("stdtc")
    epoch = (
        cc.EPOCH_TREATMENT
        if ctx.first_dose and isinstance(start, dt.date) and start >= ctx.first_dose
        else cc.EPOCH_SCREENING
    )
    meddra = int(entry.meddra_code) if entry.meddra_code.isdigit() else None
    return {
        "term": values["term"].strip(),
        "llt": entry.term,
        "lltcd": meddra,
        "decod": entry.term,
        "bodsys": entry.soc,
        "grade": int(values["grade"]),
        "serious": values["serious"],
        "rel": values.get("rel") or None,
        "acn": values.get("acn") or None,
        "acnoth": (values.get("acnoth") or "").strip().upper() or None,
        "outcome": values.get("outcome") or None,
        "epoch": epoch,
        "stdtc": _iso(start),
        "endtc": _iso(values.get("endtc")),
        "extra": {k: v for k, v in extra.items() if v} or None,
    }


def _ae_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _AE, start="stdtc", end="endtc")
    term, grade = values.get("term"), values.get("grade")
    fatal = safety.FATAL_GRADE
    if term:
        try:
            entry = ctx.ctcae.lookup(term)
        except OncotrialError as exc:
            issues.append(Issue("term", str(exc), rule=safety.AE_TERM.id))
        else:
            problem = grade and safety.grade_problem(
                entry.term, int(grade), entry.defined_grades, version=ctx.ctcae.version
            )
            if problem:
                issues.append(Issue("grade", f"{problem}.", rule=safety.AE_GRADE_DEFINED.id))
    if grade == fatal and values.get("outcome") and values["outcome"] != safety.FATAL:
        issues.append(
            Issue(
                "outcome",
                "a grade 5 event is fatal (CTCAE v5.0: 'Death related to AE').",
                rule="AE-FATAL-GRADE",
            )
        )
    if values.get("outcome") == safety.FATAL and grade and grade != fatal:
        issues.append(
            Issue("grade", "a fatal event is grade 5 (CTCAE v5.0).", rule="AE-FATAL-GRADE")
        )
    if grade == fatal and values.get("serious") != cc.YES:
        issues.append(
            Issue("serious", "a fatal event is serious (ICH E2A).", rule="AE-FATAL-SERIOUS")
        )
    if values.get("outcome") == safety.RECOVERED and not values.get("endtc"):
        issues.append(Issue("endtc", "a resolved event has an end date.", True, "AE-RESOLVED-END"))
    return issues


AE = _entity_spec(
    _AE,
    plural="Adverse events",
    model=db.AdverseEvent,
    fields=_ae_fields,
    to_record=_ae_to,
    from_record=lambda r: {
        "term": r.decod or r.term,
        "grade": str(r.grade) if r.grade else None,
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc),
        "serious": r.serious or "N",
        "rel": r.rel or "",
        "acn": r.acn or "",
        "acnoth": r.acnoth or "",
        "outcome": r.outcome or "",
        **{
            f"rel{k[5:]}": v
            for k, v in (r.extra or {}).items()
            if k.startswith("AEREL") and k[5:].isdigit()
        },
    },
    checks=_ae_checks,
    queryset=lambda s: db.AdverseEvent.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Term", "Grade", "Start", "End", "Serious", "Related", "Outcome"),
    row=lambda r: (
        r.decod or r.term or "",
        str(r.grade or ""),
        r.stdtc or "",
        r.endtc or "ongoing",
        r.serious or "",
        r.rel or "",
        r.outcome or "",
    ),
)


# Other medications, prior and subsequent anticancer therapy (CM).
_CM = treatment.MEDICATION


def _cm_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return tuple(field_spec(f) for f in _CM.fields)


def _cm_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    prior = values.get("cat") == treatment.PRIOR_THERAPY
    issues = _date_checks(values, ctx, _CM, start="stdtc", end="endtc", after_consent=not prior)
    start = values.get("stdtc")
    if (
        values.get("cat") == treatment.SUBSEQUENT_THERAPY
        and isinstance(start, dt.date)
        and ctx.first_dose
        and start < ctx.first_dose
    ):
        issues.append(
            Issue(
                "stdtc",
                "subsequent therapy starts after study treatment began.",
                rule="CM-SUBSEQUENT",
            )
        )
    if prior and isinstance(start, dt.date) and ctx.consent and start >= ctx.consent:
        issues.append(
            Issue("stdtc", "prior therapy starts before informed consent.", True, "CM-PRIOR")
        )
    return issues


MEDICATION = _entity_spec(
    _CM,
    plural="Medications and other therapy",
    model=db.Medication,
    fields=_cm_fields,
    to_record=lambda v, ctx: {
        "cat": v["cat"],
        "trt": v["trt"].strip().upper(),
        "indication": (v.get("indication") or "").strip().upper() or None,
        "stdtc": _iso(v.get("stdtc")),
        "endtc": _iso(v.get("endtc")),
    },
    from_record=lambda r: {
        "cat": r.cat,
        "trt": r.trt,
        "indication": r.indication or "",
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc),
    },
    checks=_cm_checks,
    queryset=lambda s: db.Medication.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Category", "Medication", "Indication", "Start", "End"),
    row=lambda r: (r.cat or "", r.trt or "", r.indication or "", r.stdtc or "", r.endtc or ""),
)


# Disposition events other than death (DS).
_DS = subject.DISPOSITION
DISPOSITION_EVENTS = subject.DISPOSITION_EVENT


def _ds_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    event = DISPOSITION_EVENTS.get(current.get("event") or "", subject.DISPOSITION_EVENTS[0])
    return (
        field_spec(_DS.field("event"), refresh=True),
        field_spec(_DS.field("decod"), choices=tuple((r, r.capitalize()) for r in event.reasons)),
        field_spec(_DS.field("term")),
        field_spec(_DS.field("stdtc")),
    )


def _ds_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    term = (values.get("term") or "").strip().upper() or None
    record = subject.disposition_record(values["event"], values["decod"], term)
    return {
        **model_fields("DS", record),
        "stdtc": _iso(values.get("stdtc")),
    }


def _ds_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _DS, start="stdtc")
    event = values.get("event")
    if event in DISPOSITION_EVENTS and values.get("decod") not in DISPOSITION_EVENTS[event].reasons:
        issues.append(Issue("decod", "choose a reason listed for this event.", rule="DS-REASON"))
    start = values.get("stdtc")
    if isinstance(start, dt.date) and ctx.allocated and start < ctx.allocated:
        issues.append(
            Issue(
                "stdtc",
                f"this is before enrollment ({ctx.allocated}).",
                rule="DS-AFTER-ENROLLMENT",
            )
        )
    if event != subject.ALIVE and not ctx.allocated:
        issues.append(
            Issue(
                "event",
                "the subject has not been enrolled; record a screen failure instead.",
                rule="DS-ENROLLED",
            )
        )
    return issues


DISPOSITION = _entity_spec(
    _DS,
    plural="Disposition",
    model=db.Disposition,
    fields=_ds_fields,
    to_record=_ds_to,
    from_record=lambda r: {
        "event": subject.ALIVE if r.decod == subject.ALIVE else r.scat,
        "decod": r.decod,
        "term": r.term if r.term != r.decod else "",
        "stdtc": parse_date(r.stdtc),
    },
    checks=_ds_checks,
    queryset=lambda s: (
        db.Disposition.objects.filter(
            subject=s, scat__in=[e.subcategory for e in subject.DISPOSITION_EVENTS]
        )
        .exclude(decod=subject.DEATH)
        .order_by("stdtc", "seq")
    ),
    columns=("Event", "Reason", "Date"),
    row=lambda r: (r.scat or "", r.decod or "", r.stdtc or ""),
)


# Death (DS DEATH, with DM DTHDTC/DTHFL kept in agreement).
_DEATH = subject.DEATH_ENTITY


def _death_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return tuple(field_spec(f) for f in _DEATH.fields)


def _death_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    cause = values["cause"]
    if cause == subject.ADVERSE_EVENT:
        cause = subject.death_cause_of_adverse_event(ctx.ctcae.lookup(values["ae_term"]).term)
    return {
        **model_fields("DS", subject.death_record(cause)),
        "stdtc": _iso(values.get("stdtc")),
    }


def _death_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _DEATH, start="stdtc")
    when = values.get("stdtc")
    if isinstance(when, dt.date) and ctx.allocated and when < ctx.allocated:
        issues.append(
            Issue(
                "stdtc",
                f"the death date is before enrollment ({ctx.allocated}).",
                rule="DEATH-AFTER-ENROLLMENT",
            )
        )
    if isinstance(when, dt.date):
        later = _latest_record_date(ctx.subject)
        if later and later > when:
            issues.append(
                Issue(
                    "stdtc",
                    f"the subject has a record dated {later}, after this death date.",
                    rule="DEATH-LAST-RECORD",
                )
            )
    if values.get("cause") == subject.ADVERSE_EVENT:
        if not values.get("ae_term"):
            issues.append(
                Issue("ae_term", "name the fatal adverse event (CTCAE term).", rule="DEATH-AE-TERM")
            )
        else:
            try:
                ctx.ctcae.lookup(values["ae_term"])
            except OncotrialError as exc:
                issues.append(Issue("ae_term", str(exc), rule=safety.AE_TERM.id))
    return issues


def _latest_record_date(subject_: db.Subject) -> dt.date | None:
    dates: list[str | None] = []
    dates += db.Exposure.objects.filter(subject=subject_).values_list("stdtc", flat=True)
    dates += db.AdverseEvent.objects.filter(subject=subject_).values_list("stdtc", flat=True)
    dates += db.TumourAssessment.objects.filter(subject=subject_).values_list("dtc", flat=True)
    dates += db.LabResult.objects.filter(subject=subject_).values_list("dtc", flat=True)
    parsed = [parse_date(d) for d in dates]
    known = [d for d in parsed if d]
    return max(known) if known else None


DEATH = _entity_spec(
    _DEATH,
    plural="Death",
    model=db.Disposition,
    fields=_death_fields,
    to_record=_death_to,
    from_record=lambda r: {
        "stdtc": parse_date(r.stdtc),
        "cause": subject.ADVERSE_EVENT
        if (r.term or "").startswith(subject.ADVERSE_EVENT)
        else r.term,
        "ae_term": (r.term or "").partition(": ")[2].capitalize(),
    },
    checks=_death_checks,
    queryset=lambda s: db.Disposition.objects.filter(subject=s, decod=subject.DEATH),
    columns=("Date", "Cause"),
    row=lambda r: (r.stdtc or "", r.term or ""),
    single=True,
    subject_updates=lambda r: {"dthdtc": r.stdtc, "dthfl": cc.YES},
)


# Corrections of tumour assessment records (made by the assessment form).
_TU = tumour.LESION


def _lesion_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        field_spec(_TU.field("location"), help=""),
        field_spec(_TU.field("location_detail"), help=""),
        field_spec(_TU.field("laterality"), choices=LATERALITY),
    )


LESION = _entity_spec(
    _TU,
    plural="Lesions",
    model=db.Lesion,
    fields=_lesion_fields,
    to_record=lambda v, ctx: {
        "location": v["location"].strip().upper(),
        "location_detail": (v.get("location_detail") or "").strip().upper() or None,
        "laterality": v.get("laterality") or None,
    },
    from_record=lambda r: {
        "location": r.location,
        "location_detail": r.location_detail or "",
        "laterality": r.laterality or "",
    },
    checks=lambda v, ctx: _location_warning(v.get("location"), "location", "TU-LOCATION-TERM"),
    queryset=lambda s: db.Lesion.objects.filter(subject=s).order_by("link_id", "seq"),
    columns=("Lesion", "Role", "Location", "Detail"),
    row=lambda r: (r.link_id or "", r.role or "", r.location or "", r.location_detail or ""),
    creatable=False,
)

_TR = tumour.MEASUREMENT
NOT_DONE: Choices = (("", "Measured"), *_TR.field("stat").vocabulary.choices())  # type: ignore[union-attr]
_STATES = (*tumour.TUMOUR_STATE.results.codes,)  # type: ignore[union-attr]


def _measurement_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        field_spec(_TR.field("value"), required=False),
        field_spec(_TR.field("stat"), choices=NOT_DONE),
        field_spec(_TR.field("reasnd")),
    )


def _measurement_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    text = (values.get("value") or "").strip().upper()
    if values.get("stat") == cc.NOT_DONE:
        return {
            "orres": None,
            "stresc": None,
            "stresn": None,
            "stat": cc.NOT_DONE,
            "reasnd": (values.get("reasnd") or "").strip().upper() or None,
        }
    try:
        number = float(text)
    except ValueError:
        return {"orres": text, "stresc": text, "stresn": None, "stat": None, "reasnd": None}
    return {
        "orres": f"{number:g}",
        "stresc": f"{number:g}",
        "stresn": number,
        "stat": None,
        "reasnd": None,
    }


def _measurement_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    text = (values.get("value") or "").strip().upper()
    if values.get("stat") == cc.NOT_DONE:
        if values.get("reasnd"):
            return []
        return [Issue("reasnd", "say why it was not done.", rule="TR-NOT-DONE-REASON")]
    if not text:
        return [Issue("value", "enter the result, or mark it not done.", rule="TR-RESULT")]
    try:
        number = float(text)
    except ValueError:
        if text not in _STATES:
            return [
                Issue(
                    "value",
                    f"a result is a number in mm or one of {', '.join(_STATES)}.",
                    rule="TR-RESULT",
                )
            ]
        return []
    return _range_check(number, "value", tumour.LONGEST_DIAMETER.plausible)


MEASUREMENT = _entity_spec(
    _TR,
    plural="Lesion measurements",
    model=db.Measurement,
    fields=_measurement_fields,
    to_record=_measurement_to,
    from_record=lambda r: {
        "value": r.orres or "",
        "stat": r.stat or "",
        "reasnd": r.reasnd or "",
    },
    checks=_measurement_checks,
    queryset=lambda s: db.Measurement.objects.filter(subject=s).order_by("seq"),
    columns=("Lesion", "Test", "Result", "Status"),
    row=lambda r: (r.link_id or "", r.testcd or "", r.orres or "", r.stat or ""),
    creatable=False,
)


# Demographics (DM): set at screening, corrected here with a reason.
_DM = subject.DEMOGRAPHICS


def _demographics_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        field_spec(_DM.field("sex")),
        field_spec(_DM.field("birth_year")),
        field_spec(_DM.field("age"), required=False),
    )


def _demographics_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    year, age = values.get("birth_year"), values.get("age")
    return {
        "sex": values["sex"],
        "brthdtc": str(year) if year else None,
        "age": float(age) if age is not None else None,
        "ageu": subject.AGE_UNIT if age is not None else None,
    }


def _demographics_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    year, age = values.get("birth_year"), values.get("age")
    rule = subject.BIRTH_YEAR_CHECK.id
    issues: list[Issue] = []
    if isinstance(year, int) and ctx.consent is not None:
        if year > ctx.consent.year:
            issues.append(
                Issue("birth_year", "the year of birth is after informed consent.", rule=rule)
            )
        elif isinstance(age, int) and ctx.consent.year - year - age not in (0, 1):
            issues.append(
                Issue(
                    "age",
                    f"an age of {age} at consent ({ctx.consent}) does not fit a birth in {year}.",
                    rule=rule,
                )
            )
    return issues


DEMOGRAPHICS = _entity_spec(
    _DM,
    plural="Demographics",
    model=db.Subject,
    fields=_demographics_fields,
    to_record=_demographics_to,
    from_record=lambda r: {
        "sex": r.sex or "U",
        "birth_year": int(r.brthdtc[:4]) if r.brthdtc and r.brthdtc[:4].isdigit() else None,
        "age": int(r.age) if r.age is not None else None,
    },
    checks=_demographics_checks,
    queryset=lambda s: db.Subject.objects.filter(pk=s.pk),
    columns=("Sex", "Year of birth", "Age"),
    row=lambda r: (r.sex or "", r.brthdtc or "", f"{r.age:g}" if r.age is not None else ""),
    creatable=False,
)


ENTITIES: dict[str, EntitySpec] = {
    spec.key: spec
    for spec in (
        ECOG,
        VITAL,
        DISEASE_SPEC,
        GENE,
        PDL1,
        LAB,
        EXPOSURE,
        PROCEDURE,
        MEDICATION,
        AE,
        QOL,
        DISPOSITION,
        DEATH,
        LESION,
        MEASUREMENT,
        DEMOGRAPHICS,
    )
}

SECTIONS: Sequence[tuple[str, str]] = (
    ("baseline", "Baseline"),
    ("treatment", "Treatment"),
    ("safety", "Adverse events"),
    ("labs", "Laboratory"),
    ("follow-up", "Follow-up"),
)
