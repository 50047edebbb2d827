"""Data queries: a monitor raises one on a record, the site answers, the monitor closes it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from oncotrial.errors import ValueProblem
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as
from oncotrial.store.conduct import Query, QueryMessage
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.entry import ENTITIES
from oncotrial.web.query_status import days_open
from oncotrial.web.render import respond, wants_json
from oncotrial.web.roles import Permission

__all__ = ["query_detail", "query_list", "query_new"]

STATUSES = (Query.OPEN, Query.ANSWERED, Query.CLOSED)


def _row(q: Query, now: Any) -> dict[str, Any]:
    return {
        "id": q.pk,
        "subject": q.subject.usubjid if q.subject_id else None,
        "entity": q.entity,
        "record_id": q.record_id,
        "field": q.field,
        "text": q.text,
        "status": q.status,
        "raised_by": q.raised_by.username,
        "raised_at": q.raised_at,
        "days_open": days_open(q.raised_at, q.status, now),
    }


@trial_view(Permission.VIEW_SUBJECTS)
def query_list(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    status = request.GET.get("status", "")
    queries = Query.objects.filter(trial=access.trial).select_related("subject", "raised_by")
    if status in STATUSES:
        queries = queries.filter(status=status)
    else:
        status = ""
    data = {
        "title": "Queries",
        "status": status,
        "statuses": list(STATUSES),
        "queries": [_row(q, timezone.now()) for q in queries.order_by("-raised_at")],
    }
    return respond(
        request,
        "web/queries.html",
        data,
        context={
            "access": access,
            "nav_section": "queries",
            "can_raise": access.can(Permission.RAISE_QUERIES),
        },
    )


@require_http_methods(["GET", "POST"])
@trial_view(Permission.RAISE_QUERIES)
def query_new(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    usubjid = source.get("subject", "")[:100]
    entity = source.get("entity", "")[:40]
    record = source.get("record", "")[:20]
    field = source.get("field", "").strip()[:60]
    error = None
    if request.method == "POST":
        subject = db.Subject.objects.filter(trial=access.trial, usubjid=usubjid).first()
        text = request.POST.get("text", "").strip()[:2000]
        try:
            if subject is None:
                raise ValueProblem("choose a subject of this trial", field="subject")
            if entity and entity not in ENTITIES:
                raise ValueProblem(f"{entity!r} is not a kind of record", field="entity")
            record_id = int(record) if record.isdigit() else None
            if record and record_id is None:
                raise ValueProblem("the record number is a whole number", field="record")
            if (
                entity
                and record_id is not None
                and not ENTITIES[entity].queryset(subject).filter(pk=record_id).exists()
            ):
                raise ValueProblem("no such record for this subject", field="record")
            if not text:
                raise ValueProblem("write the question", field="text")
        except ValueProblem as exc:
            error = str(exc)
        else:
            with transaction.atomic(), acting_as(request.user, None):
                query = Query.objects.create(
                    trial=access.trial,
                    subject=subject,
                    entity=entity,
                    record_id=record_id,
                    field=field,
                    text=text,
                    raised_by=request.user,
                )
                QueryMessage.objects.create(
                    query=query, author=request.user, text=text, action="raised"
                )
            if wants_json(request):
                return respond(request, "", {"created": query.pk}, status=201)
            messages.success(request, f"Query {query.pk} raised.")
            return redirect("web:query", access.trial.trial_id, query.pk)
    subjects = list(
        db.Subject.objects.filter(trial=access.trial)
        .order_by("usubjid")
        .values_list("usubjid", flat=True)
    )
    data = {
        "title": "Raise a query",
        "subject": usubjid,
        "entity": entity,
        "record": record,
        "field": field,
        "subjects": subjects,
        "entities": [(k, s.title) for k, s in ENTITIES.items()],
        "error": error,
    }
    return respond(
        request,
        "web/query_new.html",
        data,
        context={"access": access, "nav_section": "queries"},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@trial_view(Permission.VIEW_SUBJECTS)
def query_detail(request: HttpRequest, access: TrialAccess, pk: int) -> HttpResponse:
    query = Query.objects.filter(trial=access.trial, pk=pk).select_related("subject").first()
    if query is None:
        raise Http404("No such query.")
    if request.method == "POST":
        action = request.POST.get("action", "")
        text = request.POST.get("text", "").strip()[:2000]
        if action == "answer":
            access.require(Permission.ANSWER_QUERIES)
            new_status = Query.ANSWERED
        elif action in {"close", "reopen"}:
            access.require(Permission.RAISE_QUERIES)
            new_status = Query.CLOSED if action == "close" else Query.OPEN
        else:
            raise Http404("No such action.")
        if action == "answer" and not text:
            messages.error(request, "Write the answer.")
        else:
            with transaction.atomic(), acting_as(request.user, f"query {action}"):
                QueryMessage.objects.create(
                    query=query, author=request.user, text=text, action=action
                )
                query.status = new_status
                query.save(update_fields=["status"])
            messages.success(request, f"Query {query.pk}: {action}.")
        return redirect("web:query", access.trial.trial_id, query.pk)
    data = {
        "title": f"Query {query.pk}",
        "query": _row(query, timezone.now()),
        # Not "messages": that is Django's flash messages in every template (base.html).
        "thread": [
            {"author": m.author.username, "action": m.action, "text": m.text, "at": m.at}
            for m in query.messages.select_related("author").order_by("at", "pk")
        ],
    }
    return respond(
        request,
        "web/query.html",
        data,
        context={
            "access": access,
            "nav_section": "queries",
            "can_answer": access.can(Permission.ANSWER_QUERIES),
            "can_close": access.can(Permission.RAISE_QUERIES),
        },
    )
