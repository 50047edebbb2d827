"""Forms of treatment records: study drug (EX), local therapy (PR), other medications and
prior/subsequent therapy (CM).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from oncotrial.catalogue import common as cc
from oncotrial.catalogue import treatment
from oncotrial.protocol.vocabulary import InterventionType
from oncotrial.store import models as db
from oncotrial.web.entry.base import (
    LATERALITY,
    Choices,
    EntryContext,
    FieldSpec,
    Issue,
    _date_checks,
    _entity_spec,
    _iso,
    _location_warning,
    _range_check,
    field_spec,
    parse_date,
    visit_number,
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
