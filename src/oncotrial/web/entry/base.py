"""What every data entry form is made of: fields built from the catalogue, the context
edit checks read, the date and range checks, and the form's declaration (``EntitySpec``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Model, QuerySet

from oncotrial.catalogue import common as cc
from oncotrial.catalogue import subject
from oncotrial.catalogue.checks import (
    DATE_AFTER_CONSENT,
    DATE_BEFORE_DEATH,
    DATE_NOT_FUTURE,
    END_AFTER_START,
)
from oncotrial.catalogue.model import Entity, Kind, Range
from oncotrial.catalogue.model import Field as CatalogueField
from oncotrial.catalogue.vocabulary import Vocabulary
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.enrollment import compute_visit_schedule
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.protocol.model import Protocol
from oncotrial.protocol.vocabulary import InterventionType
from oncotrial.store import models as db
from oncotrial.store.mapping import model_fields

__all__ = [
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
        # The first record's date only, not the record (as ``.first()``: by primary key).
        stdtc = (
            db.Disposition.objects.filter(
                subject=self.subject, decod__in=list(db.Disposition.ALLOCATION_TERMS)
            )
            .order_by("pk")
            .values_list("stdtc", flat=True)
            .first()
        )
        return parse_date(stdtc)

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


_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def partial_bounds(value: Any) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date covers: itself when complete, the month or the year of an
    ISO 8601 partial date ("2026-09", "2026"; SDTMIG 3.4 §4.4.2 allows them in --DTC)."""
    if isinstance(value, dt.date):
        return value, value
    match = _PARTIAL.match(str(value or ""))
    if match is None:
        return None
    year, month = int(match.group(1)), match.group(2)
    if month is not None and not 1 <= int(month) <= 12:
        return None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = dt.date(year, int(month), 1)
    following = dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


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
        bounds = partial_bounds(values.get(name))
        if bounds is None:
            continue
        # A partial date breaks a rule only when every day it may stand for breaks it.
        when, latest = bounds
        if when > ctx.today and _declares(entity, DATE_NOT_FUTURE.id):
            issues.append(
                Issue(
                    name,
                    f"{_iso(values.get(name))} is in the future (today is {ctx.today}).",
                    rule=DATE_NOT_FUTURE.id,
                )
            )
        if consent and ctx.consent and latest < ctx.consent:
            issues.append(
                Issue(
                    name,
                    f"{_iso(values.get(name))} is before informed consent ({ctx.consent}); "
                    "data of a study subject are collected after consent "
                    f"({DATE_AFTER_CONSENT.source}).",
                    rule=DATE_AFTER_CONSENT.id,
                )
            )
        if before_death and ctx.death and when > ctx.death:
            issues.append(
                Issue(
                    name,
                    f"{_iso(values.get(name))} is after the death ({ctx.death}).",
                    rule=DATE_BEFORE_DEATH.id,
                )
            )
    first = partial_bounds(values.get(start))
    last = partial_bounds(values.get(end)) if end else None
    if end and first is not None and last is not None and last[1] < first[0]:
        issues.append(
            Issue(
                end,
                f"the end ({_iso(values.get(end))}) is before the start "
                f"({_iso(values.get(start))}).",
                rule=END_AFTER_START.id,
            )
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
