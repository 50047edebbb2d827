"""A visit's laboratory panel on one grid (web/lab_panel.py) and its live CTCAE grade."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from oncotrial.catalogue import labs
from oncotrial.errors import OncotrialError, RecordLocked
from oncotrial.store.casebook import casebook_lock
from oncotrial.store.entry import create_record
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.entry import EntryContext
from oncotrial.web.entry.baseline import LAB
from oncotrial.web.forms import build_entry_form
from oncotrial.web.lab_panel import PANEL, grade_text, panel_rows, parse_number
from oncotrial.web.render import jsonable, respond, wants_json
from oncotrial.web.roles import Permission
from oncotrial.web.trials import today
from oncotrial.web.views.casebook import lock_notice, locked_response
from oncotrial.web.views.subjects import get_subject

__all__ = ["lab_grade", "lab_panel"]


@require_GET
@trial_view(Permission.VIEW_SUBJECTS)
def lab_grade(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    """One row's CTCAE v5.0 grade as its value is typed (htmx swaps it into the grid)."""
    test = labs.LAB_TESTS.get(request.GET.get("test", ""))
    if test is None or test not in PANEL:
        return respond(request, "web/_lab_grade.html", {"grade": ""})
    code = test.testcd
    grade = grade_text(
        test,
        parse_number(request.GET.get(f"{code}-value", "")),
        parse_number(request.GET.get(f"{code}-low", "")),
        parse_number(request.GET.get(f"{code}-high", "")),
    )
    return respond(request, "web/_lab_grade.html", {"grade": grade})


def _validate(
    data: Any, ctx: EntryContext, rows: list[Any], confirmed: bool
) -> tuple[list[Any], list[str]]:
    """The entry forms of the filled rows, each checked as the single-result form checks it."""
    forms, warnings = [], []
    for row in rows:
        if not row.value:
            continue
        posted = {
            "test": row.code,
            "visit": data.get("visit", ""),
            "dtc": data.get("dtc", ""),
            "value": row.value,
            "low": row.low,
            "high": row.high,
            "confirm": "on" if confirmed else "",
        }
        form = build_entry_form(LAB, ctx, data=posted)
        if not form.is_valid():
            row.errors = [
                f"{form.fields[name].label if name in form.fields else 'Entry'}: {message}"
                for name, messages_ in form.errors.items()
                if name != "confirm"
                for message in messages_
            ]
        warnings += [f"{row.test.panel_label}: {w.message}" for w in form.warnings]
        forms.append((row, form))
    return forms, warnings


@require_http_methods(["GET", "POST"])
@trial_view(Permission.VIEW_SUBJECTS)
def lab_panel(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    subject = get_subject(access, usubjid)
    ctx = EntryContext(trial=access.trial, protocol=access.protocol, subject=subject, today=today())
    posted = request.POST if request.method == "POST" else None
    rows = panel_rows(subject, posted)
    errors: list[str] = []
    warnings: list[str] = []
    status = 200
    if posted is not None:
        access.require(Permission.ENTER_DATA)
        confirmed = posted.get("confirm") == "on"
        forms, warnings = _validate(posted, ctx, rows, confirmed)
        if not forms:
            errors.append("Enter at least one result.")
        if not posted.get("visit") or not posted.get("dtc"):
            errors.append("Choose the visit and give the date of the sample (YYYY-MM-DD).")
        if warnings and not confirmed:
            errors.append("Check the warnings, then tick the box to save as it is.")
        if not errors and not any(row.errors for row in rows):
            try:
                with transaction.atomic():  # the whole panel or nothing
                    for _row, form in forms:
                        create_record(
                            LAB.model,
                            subject,
                            LAB.to_record(form.cleaned_data, ctx),
                            user=request.user,
                        )
            except RecordLocked as exc:  # SIGN-2: 423 with who locked it and when, as every form
                return locked_response(request, access, exc)
            except OncotrialError as exc:
                errors.append(str(exc))
            else:
                if wants_json(request):
                    return respond(request, "", {"created": len(forms)}, status=201)
                messages.success(
                    request, f"Laboratory panel {posted.get('visit')} saved ({len(forms)} results)."
                )
                return redirect("web:subject", access.trial.trial_id, usubjid)
        status = 400
    data: dict[str, Any] = {
        "usubjid": subject.usubjid,
        "visit": (posted or {}).get("visit", ""),
        "dtc": (posted or {}).get("dtc", ""),
        "visits": [value for value, _ in ctx.visit_choices() if value],
        "rows": [
            {
                "code": r.code,
                "label": r.test.panel_label,
                "loinc": r.test.loinc,
                "unit": r.test.unit,
                "value": r.value,
                "low": r.low,
                "high": r.high,
                "range_source": r.range_source,
                "grade": r.grade,
                "graded": r.test.grading is not None,
                "errors": r.errors,
            }
            for r in rows
        ],
        "errors": errors,
        "warnings": warnings,
        "ctcae": labs.CTCAE,
        # SIGN-2: a locked casebook takes no new result; the page says why, with no form
        "locked": lock_notice(casebook_lock(subject), new=True),
    }
    return respond(
        request,
        "web/lab_panel.html",
        jsonable(data) if wants_json(request) else data,
        context={"access": access, "nav_section": "subjects"},
        status=status,
    )
