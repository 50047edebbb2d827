"""Forms of disposition events and death (DS, with DM DTHDTC/DTHFL kept in agreement)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from oncotrial.catalogue import common as cc
from oncotrial.catalogue import safety, subject
from oncotrial.errors import OncotrialError
from oncotrial.store import models as db
from oncotrial.store.mapping import model_fields
from oncotrial.web.entry.base import (
    EntryContext,
    FieldSpec,
    Issue,
    _date_checks,
    _entity_spec,
    _iso,
    field_spec,
    parse_date,
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
