"""Entering and correcting records with edit checks; a record's audit history."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from oncotrial.errors import EditConflict, OncotrialError, RecordLocked
from oncotrial.formats.sdtm_spec import variable_label
from oncotrial.store import models as db
from oncotrial.store.audit import history_of
from oncotrial.store.casebook import RecordLock, casebook_lock, lock_of, record_lock
from oncotrial.store.entry import create_record, update_record
from oncotrial.store.mapping import domain_columns
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.conflict import conflict_page
from oncotrial.web.entry import ENTITIES, EntitySpec, EntryContext, lower_first
from oncotrial.web.forms import EntryForm, build_entry_form, field_schema
from oncotrial.web.query_status import field_query_counts
from oncotrial.web.render import respond, wants_json
from oncotrial.web.roles import BLINDED_FIELDS, Permission
from oncotrial.web.trials import today
from oncotrial.web.views.casebook import lock_notice, locked_response
from oncotrial.web.views.ctcae import grade_context
from oncotrial.web.views.subjects import get_subject

__all__ = ["record_edit", "record_history", "record_new"]


def _spec(entity: str) -> EntitySpec:
    spec = ENTITIES.get(entity)
    if spec is None:
        raise Http404("No such kind of record.")
    return spec


def _record(spec: EntitySpec, subject: db.Subject, pk: int) -> Any:
    record = spec.queryset(subject).filter(pk=pk).first()
    if record is None:
        raise Http404("No such record for this subject.")
    return record


def _context(access: TrialAccess, subject: db.Subject) -> EntryContext:
    return EntryContext(
        trial=access.trial, protocol=access.protocol, subject=subject, today=today()
    )


def _page(
    request: HttpRequest,
    access: TrialAccess,
    subject: db.Subject,
    spec: EntitySpec,
    form: EntryForm,
    *,
    record: Any = None,
    status: int = 200,
    lock: RecordLock | None = None,
) -> HttpResponse:
    editable = access.can(Permission.ENTER_DATA) and lock is None
    data = {
        "title": (
            ("Correct " if access.can(Permission.ENTER_DATA) else "")
            if record is not None
            else "New "
        )
        + (lower_first(spec.title) if access.can(Permission.ENTER_DATA) else spec.title),
        "usubjid": subject.usubjid,
        "entity": spec.key,
        "record_id": record.pk if record is not None else None,
        "revision": getattr(record, "revision", None),
        "fields": field_schema(form),
        "errors": [str(e) for e in form.non_field_errors()],
        "warnings": [w.message for w in form.warnings],
        "locked": lock_notice(lock, new=record is None),
    }
    grades = None
    if "grade" in form.fields:
        term = form["term"].value() if "term" in form.fields else ""
        grades = grade_context(str(term or ""), str(form["grade"].value() or ""))
    query_base, field_queries = "", {}
    if record is not None and access.can(Permission.RAISE_QUERIES):
        # A query raised from the field: the form's link carries the record and field.
        query_base = (
            reverse("web:query_new", args=[access.trial.trial_id])
            + "?"
            + urlencode({"subject": subject.usubjid, "entity": spec.key, "record": record.pk})
        )
    if record is not None:
        field_queries = field_query_counts(subject, spec.key, record.pk)
    return respond(
        request,
        "web/entry_form.html",
        data,
        context={
            "grades": grades,
            "read_only": not editable,
            "editable": editable,
            "access": access,
            "nav_section": "subjects",
            "form": form,
            "spec": spec,
            "subject": subject,
            "record": record,
            "query_base": query_base,
            "field_queries": field_queries,
        },
        status=status,
    )


def _refresh_initial(request: HttpRequest) -> dict[str, Any]:
    return {k: v for k, v in request.GET.items() if k not in {"format", "refresh"}}


@require_http_methods(["GET", "POST"])
@trial_view(Permission.VIEW_SUBJECTS)
def record_new(
    request: HttpRequest, access: TrialAccess, usubjid: str, entity: str
) -> HttpResponse:
    access.require(Permission.ENTER_DATA)
    subject = get_subject(access, usubjid)
    spec = _spec(entity)
    if not spec.creatable:
        raise Http404("These records are entered with their tumour assessment.")
    if spec.single:
        existing = spec.queryset(subject).first()
        if existing is not None:
            return redirect("web:record_edit", access.trial.trial_id, usubjid, entity, existing.pk)
    ctx = _context(access, subject)
    url = reverse("web:record_new", args=[access.trial.trial_id, usubjid, entity])
    if request.method == "GET":
        initial = _refresh_initial(request) if request.GET.get("refresh") else {}
        form = build_entry_form(spec, ctx, initial=initial, refresh_url=url + "?refresh=1")
        lock = casebook_lock(subject)  # SIGN-2: nothing can be added to a locked casebook
        if lock is not None:
            for field in form.fields.values():
                field.disabled = True
        return _page(request, access, subject, spec, form, lock=lock)
    form = build_entry_form(spec, ctx, data=request.POST, refresh_url=url + "?refresh=1")
    if form.is_valid():
        try:
            with transaction.atomic():
                record = create_record(
                    spec.model, subject, spec.to_record(form.cleaned_data, ctx), user=request.user
                )
                if spec.subject_updates is not None:
                    update_record(
                        subject,
                        spec.subject_updates(record),
                        user=request.user,
                        reason=f"{lower_first(spec.title)} recorded "
                        f"({spec.model.__name__} {record.pk})",
                    )
        except RecordLocked as exc:  # SIGN-2: 423 with who locked it and when
            return locked_response(request, access, exc)
        except OncotrialError as exc:
            form.add_error(None, str(exc))
        else:
            if wants_json(request):
                return respond(request, "", {"created": record.pk, "entity": spec.key}, status=201)
            messages.success(request, f"{spec.title} saved.")
            return redirect("web:subject", access.trial.trial_id, usubjid)
    return _page(request, access, subject, spec, form, status=400)


MISSING_REVISION_PAGE = (
    "This page is out of date: it does not say which version of the record it corrects, "
    "so nothing was saved. Reload the page, check the record, and make your change again."
)
MISSING_REVISION_JSON = (
    "field 'revision' is required: send the record's revision as read with its form "
    "(GET ?format=json answers it) as a whole number; nothing was saved"
)


def _posted_revision(request: HttpRequest) -> int | None:
    """The record revision the edit was made on (the form's hidden field), or None when absent
    or not a whole number ≥ 1 (a revision starts at 1, oncotrial.store.models)."""
    raw = request.POST.get("revision", "").strip()
    if not raw.isdigit() or not raw.isascii():
        return None
    value = int(raw)
    return value if value >= 1 else None


@require_http_methods(["GET", "POST"])
@trial_view(Permission.VIEW_SUBJECTS)
def record_edit(
    request: HttpRequest, access: TrialAccess, usubjid: str, entity: str, pk: int
) -> HttpResponse:
    subject = get_subject(access, usubjid)
    spec = _spec(entity)
    record = _record(spec, subject, pk)
    ctx = _context(access, subject)
    url = reverse("web:record_edit", args=[access.trial.trial_id, usubjid, entity, pk])
    if request.method == "GET":
        initial = {**spec.from_record(record), "revision": record.revision}
        if request.GET.get("refresh"):
            initial.update(_refresh_initial(request))
        form = build_entry_form(
            spec, ctx, initial=initial, editing=True, refresh_url=url + "?refresh=1"
        )
        lock = record_lock(record)
        if lock is not None or not access.can(Permission.ENTER_DATA):
            # A monitor reads the record: no widget to change, no reason, no Save (ROLE-3);
            # nor does anyone while its visit or casebook is locked (SIGN-2), and the page
            # says which lock, by whom and when.
            for field in form.fields.values():
                field.disabled = True
        return _page(request, access, subject, spec, form, record=record, lock=lock)
    access.require(Permission.ENTER_DATA)
    locked = lock_of(record)
    if locked:  # SIGN-2, whatever the form holds (the save's hook enforces it too)
        return locked_response(request, access, RecordLocked(locked))
    form = build_entry_form(
        spec, ctx, data=request.POST, editing=True, refresh_url=url + "?refresh=1"
    )
    revision = _posted_revision(request)
    if revision is None:
        # Without the revision the save cannot be checked against a change made since the
        # page was opened (issue 13: no silent overwrite), so nothing is written.
        if wants_json(request):
            return respond(
                request, "", {"error": MISSING_REVISION_JSON, "field": "revision"}, status=400
            )
        form.is_valid()  # the typed values are shown again, with their own problems
        form.add_error(None, MISSING_REVISION_PAGE)
        return _page(request, access, subject, spec, form, record=record, status=400)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            with transaction.atomic():
                changes = update_record(
                    record,
                    spec.to_record(form.cleaned_data, ctx),
                    user=request.user,
                    reason=reason,
                    expected_revision=revision,
                )
                if spec.subject_updates is not None and changes:
                    record.refresh_from_db()
                    update_record(
                        subject, spec.subject_updates(record), user=request.user, reason=reason
                    )
        except EditConflict as exc:
            return conflict_page(request, access, subject, spec, form, exc)
        except RecordLocked as exc:  # SIGN-2: 423 with who locked it and when
            return locked_response(request, access, exc)
        except OncotrialError as exc:
            form.add_error(None, str(exc))
        else:
            if wants_json(request):
                revision = (
                    type(record)
                    ._default_manager.filter(pk=record.pk)
                    .values_list("revision", flat=True)
                )
                return respond(
                    request, "", {"changed": [c[0] for c in changes], "revision": revision.first()}
                )
            messages.success(
                request,
                f"{spec.title} corrected ({len(changes)} field{'s' if len(changes) != 1 else ''})."
                if changes
                else "Nothing changed.",
            )
            return redirect("web:subject", access.trial.trial_id, usubjid)
    return _page(request, access, subject, spec, form, record=record, status=400)


def _field_labels(spec: EntitySpec, ctx: EntryContext, record: Any) -> dict[str, str]:
    """Model field → what the user reads: the form's label, else the SDTM variable's label and
    name (issue 13 item 11: the history showed ``orres`` and ``stresn``)."""
    domain = str(getattr(record, "domain", None) or getattr(spec.model, "DOMAIN", ""))
    labels = {
        c.field: f"{variable_label(domain, c.variable)} ({c.variable})"
        for c in domain_columns(domain)
    }
    try:
        form_fields = spec.fields(ctx, spec.from_record(record))
    except (OncotrialError, KeyError, ValueError):  # a form that needs more context: SDTM only
        form_fields = ()
    labels.update({f.name: f.label for f in form_fields})
    return labels


def _as_entered(value: Any) -> Any:
    """A stored number as it was typed: 105.0 was entered as 105."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@trial_view(Permission.VIEW_SUBJECTS)
def record_history(
    request: HttpRequest, access: TrialAccess, usubjid: str, entity: str, pk: int
) -> HttpResponse:
    subject = get_subject(access, usubjid)
    spec = _spec(entity)
    record = _record(spec, subject, pk)
    entries = history_of(spec.model, record.pk)
    hidden = {"subject_id", "trial_id", "assessment_id", "lesion_id", "domain"}
    if not access.shows_arms:
        hidden |= BLINDED_FIELDS
    labels = _field_labels(spec, _context(access, subject), record)
    names = {
        u.username: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(username__in={e.user for e in entries if e.user})
    }
    data = {
        "title": f"History of {lower_first(spec.title)} {record.pk}",
        "usubjid": subject.usubjid,
        "entity": spec.key,
        "record_id": record.pk,
        "history": [
            {
                "when": e.when,
                "user": e.user,
                "user_name": names.get(e.user or "", e.user),
                "action": e.action,
                "reason": e.reason,
                "changes": [
                    {
                        "field": f,
                        "label": labels.get(f, f),
                        "old": _as_entered(old),
                        "new": _as_entered(new),
                    }
                    for f, old, new in e.changes
                    if f not in hidden
                ],
            }
            for e in entries
        ],
    }
    return respond(
        request,
        "web/history.html",
        data,
        context={"access": access, "nav_section": "subjects", "spec": spec},
    )
