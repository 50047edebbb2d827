"""Screening: a new patient (enter or upload the record), criteria, checklist, decision."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from oncotrial.eligibility.patient import Patient
from oncotrial.errors import InputError, OncotrialError, ValueProblem
from oncotrial.store import models as db
from oncotrial.store.conduct import ScreeningRecord
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.collect import shown, trial_items
from oncotrial.web.entry import parse_date
from oncotrial.web.patient_form import (
    EDITIONS,
    FINDINGS,
    LAB_PANEL,
    STAGES,
    TNM_FIELDS,
    parse_record_text,
    record_from_form,
)
from oncotrial.web.render import respond, wants_json
from oncotrial.web.roles import Permission
from oncotrial.web.screening import (
    answer_checklist,
    checklist_items,
    read_patient_text,
    register_eligible,
    register_screen_failure,
    start_screening,
    stored_patient,
    update_patient,
)
from oncotrial.web.trials import today

__all__ = ["screening_page", "screening_subject"]

MAX_RECORD = 2 * 1024 * 1024


def _record_input(request: HttpRequest, errors: dict[str, str]) -> tuple[Patient | None, str, str]:
    """The patient from the upload, the pasted text and the quick entry (patient, source, kind)."""
    upload = request.FILES.get("record")
    pasted = request.POST.get("record_text", "")
    if upload is not None and pasted.strip():
        raise InputError("upload a record or paste one, not both")
    name, text = "quick entry", ""
    if upload is not None:
        if upload.size and upload.size > MAX_RECORD:
            raise InputError("the record is larger than 2 MB", file=upload.name)
        name = upload.name or "record"
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", file=name) from exc
    elif pasted.strip():
        name, text = "pasted record", pasted[:MAX_RECORD]
    base = parse_record_text(text, name) if text else {}
    if base is None:  # CSV or FHIR: read as a whole, no quick entry on top
        quick = record_from_form(request.POST, {}, errors)
        if set(quick) - {"id"}:
            raise InputError(
                "the quick entry fields can be combined with a JSON record only",
                file=name,
                hint="Leave them empty, or put everything in the uploaded record.",
            )
        kind = "fhir" if '"resourceType"' in text else "csv"
        return read_patient_text(text, name), name, kind
    record = record_from_form(request.POST, base, errors)
    if errors:
        return None, name, "json"
    return read_patient_text(json.dumps(record), name), name, "json" if text else "form"


def _merge(old: Patient, new: Patient) -> Patient:
    """An update: new results are added to the old record; sections given anew replace them."""
    update: dict[str, Any] = {
        "observations": old.observations + new.observations,
        "performance_status": old.performance_status + new.performance_status,
    }
    for name in ("sex", "birth_date", "planned_first_dose", "diagnosis"):
        if getattr(new, name) is not None:
            update[name] = getattr(new, name)
    for name in ("conditions", "medications", "therapies", "procedures", "biomarkers", "lesions"):
        if getattr(new, name) is not None:
            update[name] = getattr(new, name)
    return old.model_copy(update=update)


@require_http_methods(["GET", "POST"])
@trial_view(Permission.SCREEN)
def screening_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    errors: dict[str, str] = {}
    error: str | None = None
    sites = list(db.Site.objects.filter(trial=access.trial).order_by("site_id"))
    if request.method == "POST":
        site = next((s for s in sites if s.site_id == request.POST.get("site")), None)
        consent = parse_date(request.POST.get("consent_date", ""))
        try:
            if site is None:
                raise ValueProblem("choose the site", field="site")
            if consent is None:
                raise ValueProblem(
                    "enter the date of informed consent (YYYY-MM-DD)", field="consent_date"
                )
            patient, source, kind = _record_input(request, errors)
            if patient is not None and not errors:
                screening = start_screening(
                    access.trial,
                    access.protocol,
                    site,
                    patient,
                    consent=consent,
                    as_of=today(),
                    source=source,
                    kind=kind,
                    user=request.user,
                )
        except OncotrialError as exc:
            error = exc.report(limit=10)
        else:
            if not errors:
                if wants_json(request):
                    return respond(
                        request,
                        "",
                        {"usubjid": screening.subject.usubjid, "overall": screening.overall},
                        status=201,
                    )
                messages.success(
                    request,
                    f"{screening.subject.usubjid} registered at consent and screened.",
                )
                return redirect(
                    "web:screening_subject", access.trial.trial_id, screening.subject.usubjid
                )
    pending = ScreeningRecord.objects.filter(trial=access.trial, decision="").select_related(
        "subject"
    )
    data = {
        "title": "Screening",
        "pending": [
            {"usubjid": s.subject.usubjid, "overall": s.overall, "as_of": s.as_of}
            for s in pending.order_by("subject__usubjid")
        ],
        "sites": [{"site_id": s.site_id, "name": s.name} for s in sites],
        "error": error,
        "errors": errors,
    }
    return respond(
        request,
        "web/screening.html",
        data,
        context={
            "access": access,
            "nav_section": "screening",
            "lab_panel": LAB_PANEL,
            "findings": FINDINGS,
            "stages": STAGES,
            "editions": EDITIONS,
            "tnm": TNM_FIELDS,
            "collect": shown(trial_items(access.protocol)),
            "today": today(),
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if (error or errors) else 200,
    )


def _result_view(screening: ScreeningRecord) -> dict[str, Any]:
    result = screening.result or {}
    criteria = []
    for item in result.get("criteria", []):
        evidence = []
        for rule in item.get("rules", []):
            evidence.append(_rule_view(rule))
        answer = screening.checklist.get(item["criterion_id"], {})
        criteria.append(
            {
                "id": item["criterion_id"],
                "kind": item["kind"],
                "text": item["text"],
                "status": item["status"],
                "verdict": item["verdict"],
                "missing": item.get("missing", []),
                "rules": evidence,
                "answer": answer.get("answer"),
                "note": answer.get("note", ""),
                "answered_by": answer.get("by"),
                # a heading decided by its sub-items, or an alternative its heading decides
                # (eligibility.sublists): shown, but neither answered nor a screen-failure reason
                "decides": item.get("in_overall", True),
                "sub_items": item.get("sub_items", []),
            }
        )
    return {
        "overall": result.get("overall"),
        "first_dose": result.get("first_dose"),
        "as_of": result.get("as_of"),
        "failing": result.get("failing", []),
        "to_collect": result.get("to_collect", []),
        "checklist": result.get("checklist", []),
        "criteria": criteria,
    }


def _evidence_text(item: dict[str, Any]) -> str:
    value = item.get("value")
    text = f"{item.get('item')}"
    if value is not None:
        text += f": {value:g}" if isinstance(value, float) else f": {value}"
    if item.get("unit"):
        text += f" {item['unit']}"
    if item.get("converted") is not None:
        text += f" (= {item['converted']:.6g} {item.get('converted_unit') or ''})"
    if item.get("date"):
        text += f" on {item['date']}"
    if item.get("threshold"):
        text += f"; limit {item['threshold']}"
    if item.get("note"):
        text += f"; {item['note']}"
    return text


def _rule_view(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rule["rule_id"],
        "description": rule["description"],
        "status": rule["status"],
        "evidence": [_evidence_text(e) for e in rule.get("evidence", [])],
        "missing": rule.get("missing", []),
        "notes": rule.get("notes", []),
        "parts": [_rule_view(p) for p in rule.get("parts", [])],
    }


@require_http_methods(["GET", "POST"])
@trial_view(Permission.VIEW_SUBJECTS)
def screening_subject(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    screening = (
        ScreeningRecord.objects.filter(trial=access.trial, subject__usubjid=usubjid)
        .select_related("subject")
        .first()
    )
    if screening is None:
        raise Http404("No screening for this subject.")
    error: str | None = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        access.require(Permission.SCREEN)
        action = request.POST.get("action", "")
        try:
            if action == "checklist":
                answers = {
                    item["criterion_id"]: (
                        request.POST.get(f"answer:{item['criterion_id']}", ""),
                        request.POST.get(f"note:{item['criterion_id']}", ""),
                    )
                    for item in checklist_items(screening)
                }
                answer_checklist(screening, answers, user=request.user)
                messages.success(request, "Checklist answers saved.")
            elif action == "eligible":
                register_eligible(screening, user=request.user)
                messages.success(request, f"{usubjid} registered as eligible.")
            elif action == "failure":
                date = parse_date(request.POST.get("date", "")) or today()
                register_screen_failure(
                    screening,
                    access.protocol,
                    date=date,
                    chosen=request.POST.getlist("criterion"),
                    note=request.POST.get("note", "")[:500],
                    user=request.user,
                )
                messages.success(request, f"{usubjid} registered as a screen failure.")
            elif action == "update":
                patient, source, kind = _record_input(request, errors)
                if patient is not None and not errors:
                    update_patient(
                        screening,
                        access.protocol,
                        _merge(stored_patient(screening), patient),
                        as_of=today(),
                        source=source,
                        kind=kind,
                        user=request.user,
                        reason=request.POST.get("reason", "")[:300] or "patient record updated",
                    )
                    messages.success(request, "Record updated and screened again.")
            else:
                raise ValueProblem(f"unknown action {action!r}")
        except OncotrialError as exc:
            error = exc.report(limit=10)
        else:
            if not errors:
                return redirect("web:screening_subject", access.trial.trial_id, usubjid)
        screening.refresh_from_db()
    view = _result_view(screening)
    items = checklist_items(screening)
    data = {
        "title": f"Screening {usubjid}",
        "usubjid": usubjid,
        "decision": screening.decision,
        "reasons": screening.reasons,
        "decided_at": screening.decided_at,
        "record_source": screening.patient.get("source"),
        **view,
        "checklist_open": [i["criterion_id"] for i in items if not i["answer"]],
        "error": error,
        "errors": errors,
    }
    return respond(
        request,
        "web/screening_subject.html",
        data,
        context={
            "access": access,
            "nav_section": "screening",
            "can_screen": access.can(Permission.SCREEN),
            "lab_panel": LAB_PANEL,
            "findings": FINDINGS,
            "stages": STAGES,
            "editions": EDITIONS,
            "tnm": TNM_FIELDS,
            "collect": shown(trial_items(access.protocol)),
            "to_collect_where": shown(view["to_collect"]),
            "today": today(),
            "posted": {},
        },
        status=400 if (error or errors) else 200,
    )
