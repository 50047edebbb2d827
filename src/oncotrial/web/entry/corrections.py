"""Corrections of records made elsewhere: lesions and measurements (made by the tumour
assessment form) and demographics (set at screening).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oncotrial.catalogue import common as cc
from oncotrial.catalogue import subject, tumour
from oncotrial.store import models as db
from oncotrial.web.entry.base import (
    LATERALITY,
    Choices,
    EntryContext,
    FieldSpec,
    Issue,
    _entity_spec,
    _location_warning,
    _range_check,
    field_spec,
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
_NOT_DONE_TERMS = _TR.field("stat").vocabulary
_STATE_TERMS = tumour.TUMOUR_STATE.results
# Both are declared in the catalogue (a measurement's status terms, a tumour state's results).
assert _NOT_DONE_TERMS is not None and _STATE_TERMS is not None
NOT_DONE: Choices = (("", "Measured"), *_NOT_DONE_TERMS.choices())
_STATES = (*_STATE_TERMS.codes,)


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
