"""Tumour assessment entry (baseline and follow-up) and one assessment's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from oncotrial.enrollment import VisitKind, compute_visit_schedule
from oncotrial.errors import OncotrialError, RecordLocked
from oncotrial.store import models as db
from oncotrial.store.casebook import casebook_lock
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.assessments import (
    EVALUATORS,
    METHODS,
    NEW_STATES,
    NON_TARGET_STATES,
    RESPONSES,
    AssessmentInput,
    empty_input,
    parse_assessment,
    save_assessment,
)
from oncotrial.web.entry import LOCATIONS, EntryContext
from oncotrial.web.recist import derived_timepoints
from oncotrial.web.render import jsonable, respond, wants_json
from oncotrial.web.roles import Permission
from oncotrial.web.trials import today
from oncotrial.web.views.casebook import lock_notice, locked_response
from oncotrial.web.views.subjects import get_subject, subject_assessments

__all__ = ["assessment_detail", "assessment_new", "assessment_preview"]


def _visits(access: TrialAccess, ctx: EntryContext, baseline: bool) -> list[str]:
    if baseline:
        return ["SCREENING"]
    reference = ctx.allocated or ctx.today
    schedule = compute_visit_schedule(
        access.protocol, reference=reference, first_dose=ctx.first_dose, horizon_days=1095
    )
    return [v.visit for v in schedule.visits if v.kind is VisitKind.IMAGING] + ["UNSCHEDULED"]


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "prefix": r.prefix,
            "link_id": r.lesion.link_id if r.lesion is not None else None,
            "role": r.role,
            "location": r.location,
            "location_detail": r.location_detail,
            "laterality": r.laterality,
            "node": r.is_node,
            "value": r.value,
            "size": r.size,
            "not_done": r.not_done,
            "reason": r.reason,
            "errors": r.errors,
        }
        for r in rows
    ]


def _page(
    request: HttpRequest,
    access: TrialAccess,
    subject: db.Subject,
    form: AssessmentInput,
    visits: list[str],
    status: int = 200,
) -> HttpResponse:
    data = {
        "title": "Baseline tumour assessment" if form.baseline else "Tumour assessment",
        "usubjid": subject.usubjid,
        "baseline": form.baseline,
        "visit": form.visit,
        "date": form.date,
        "evaluator": form.evaluator,
        "method": form.method,
        "overall": form.overall,
        "visits": visits,
        "targets": _rows(form.targets),
        "non_targets": _rows(form.non_targets),
        "new": _rows(form.new),
        "errors": form.errors,
        "warnings": form.warnings,
        # SIGN-2: a locked casebook takes no new assessment; the page says why, with no form
        "locked": lock_notice(casebook_lock(subject), new=True),
    }
    return respond(
        request,
        "web/assessment_form.html",
        data,
        context={
            "access": access,
            "nav_section": "subjects",
            "locations": LOCATIONS,
            "evaluators": EVALUATORS,
            "methods": METHODS,
            "nt_states": NON_TARGET_STATES,
            "new_states": NEW_STATES,
            "responses": RESPONSES,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@trial_view(Permission.ENTER_DATA)
def assessment_new(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    subject = get_subject(access, usubjid)
    ctx = EntryContext(trial=access.trial, protocol=access.protocol, subject=subject, today=today())
    if ctx.allocated is None:
        messages.warning(request, "Tumour assessments are entered once the subject is enrolled.")
        return redirect("web:subject", access.trial.trial_id, usubjid)
    if request.method == "GET":
        evaluator = request.GET.get("evaluator", "INVESTIGATOR")
        form = empty_input(subject, evaluator if evaluator in EVALUATORS else "INVESTIGATOR")
        return _page(request, access, subject, form, _visits(access, ctx, form.baseline))
    form = parse_assessment(
        request.POST, subject, access.protocol, today=ctx.today, allocated=ctx.allocated
    )
    visits = _visits(access, ctx, form.baseline)
    if form.visit not in visits:
        form.errors["visit"] = "choose one of the visits listed."
    confirmed = request.POST.get("confirm") == "on"
    if form.warnings and not confirmed and not form.has_errors:
        form.errors["confirm"] = "Check the warnings, then tick the box to save as it is."
    if not form.has_errors:
        try:
            assessment = save_assessment(form, subject, access.protocol, user=request.user)
        except RecordLocked as exc:  # SIGN-2: 423 with who locked it and when, as every form
            return locked_response(request, access, exc)
        except OncotrialError as exc:
            form.errors["save"] = str(exc)
        else:
            if wants_json(request):
                return respond(request, "", {"created": assessment.pk}, status=201)
            messages.success(request, f"Tumour assessment {form.visit} saved.")
            return redirect("web:assessment", access.trial.trial_id, usubjid, assessment.pk)
    return _page(request, access, subject, form, visits, status=400)


# Errors that do not stop a preview: a missing reason for a lesion not done (the derivation is NE
# either way), the confirmation box, the investigator's own response and the visit's name.
_PREVIEW_IGNORED = ("reason",)
_PREVIEW_FORM_IGNORED = ("confirm", "overall", "visit")


def _preview(form: AssessmentInput, subject: db.Subject, access: TrialAccess, user: Any) -> Any:
    """The timepoint response the engine derives if the form were saved as typed, or a message.

    The assessment is written in a transaction that is rolled back, and web/recist.py derives
    the response from the store as it does after saving: one derivation, not a copy of RECIST.
    """
    if form.baseline:
        return "The baseline assessment has no response; it is the reference."
    for row in (*form.targets, *form.non_targets, *form.new):
        for key in _PREVIEW_IGNORED:
            row.errors.pop(key, None)
    for key in _PREVIEW_FORM_IGNORED:
        form.errors.pop(key, None)
    if form.date is None:
        return "Enter the date of the scan to see the derived response."
    if form.has_errors:
        return "The derived response appears once the entries above are valid."
    form.visit = form.visit or "UNSCHEDULED"
    with transaction.atomic():
        save_assessment(form, subject, access.protocol, user=user)
        derived = derived_timepoints(subject, access.protocol, form.evaluator).get(
            form.date.isoformat()
        )
        transaction.set_rollback(True)
    return derived or "No response can be derived from these entries."


@require_http_methods(["POST"])
@trial_view(Permission.ENTER_DATA)
def assessment_preview(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    """The live RECIST timepoint response shown under the form as values are typed (htmx)."""
    subject = get_subject(access, usubjid)
    ctx = EntryContext(trial=access.trial, protocol=access.protocol, subject=subject, today=today())
    form = parse_assessment(
        request.POST, subject, access.protocol, today=ctx.today, allocated=ctx.allocated
    )
    try:
        result = _preview(form, subject, access, request.user)
    except OncotrialError as exc:
        result = f"No preview: {exc}"
    derived, message = (None, result) if isinstance(result, str) else (result, "")
    return respond(
        request,
        "web/_response_preview.html",
        {"derived": jsonable(derived) if wants_json(request) else derived, "message": message},
    )


@trial_view(Permission.VIEW_SUBJECTS)
def assessment_detail(
    request: HttpRequest, access: TrialAccess, usubjid: str, pk: int
) -> HttpResponse:
    subject = get_subject(access, usubjid)
    assessment = db.TumourAssessment.objects.filter(subject=subject, pk=pk).first()
    if assessment is None:
        raise Http404("No such assessment.")
    order = {"TARGET": 0, "NON-TARGET": 1, "NEW": 2}
    measurements = sorted(
        db.Measurement.objects.filter(assessment=assessment).select_related("lesion"),
        key=lambda m: (order.get(m.grpid or "", 3), m.link_id or "", m.seq),
    )
    every = subject_assessments(subject)
    summary = next(a for a in every if a["id"] == assessment.pk)
    responses = db.Response.objects.filter(assessment=assessment).order_by("seq")
    data = {
        "title": (
            f"Baseline tumour assessment ({assessment.visit})"
            if every[0]["id"] == assessment.pk
            else f"Tumour assessment {assessment.visit}"
        ),
        "usubjid": subject.usubjid,
        "assessment": {
            "id": assessment.pk,
            "visit": assessment.visit,
            "date": assessment.dtc,
            "evaluator": assessment.evaluator,
            "target_sum": summary["target_sum"],
            "target_evaluable": summary["target_evaluable"],
            "change": summary["change"],
        },
        # The engine's timepoint response (web/recist.py); None for the baseline assessment.
        "derived": derived_timepoints(subject, access.protocol, assessment.evaluator or "").get(
            assessment.dtc or ""
        ),
        "measurements": [
            {
                "id": m.pk,
                "lesion_id": m.lesion_id,
                "group": m.grpid,
                "link_id": m.link_id,
                "location": m.lesion.location,
                "location_detail": m.lesion.location_detail,
                "laterality": m.lesion.laterality,
                "test": m.test,
                "result": m.orres,
                "unit": m.orresu,
                "status": m.stat,
                "reason": m.reasnd,
            }
            for m in measurements
        ],
        "responses": [{"test": r.test, "result": r.stresc, "criteria": r.cat} for r in responses],
    }
    return respond(
        request,
        "web/assessment.html",
        jsonable(data) if wants_json(request) else data,
        context={
            "access": access,
            "nav_section": "subjects",
            "can_enter": access.can(Permission.ENTER_DATA),
        },
    )
