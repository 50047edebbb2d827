"""The conflict page: a save from a form opened before someone else saved the same record.

Optimistic concurrency (issue 13; ``oncotrial.store.entry.update_record`` refuses the save under
the row lock). Nothing of the person's save is written; the page shows, field by field, the value
when they opened the form, the value stored now and their value, with who changed the record
since and when, and offers their values again on top of the current revision, so that saving
over the other person's change is a decision taken with both values in view. The JSON twin
answers 409 with the same content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse

from oncotrial.errors import EditConflict
from oncotrial.web.access import TrialAccess
from oncotrial.web.entry import EntitySpec, lower_first
from oncotrial.web.forms import EntryForm, build_entry_form
from oncotrial.web.render import respond
from oncotrial.web.views.ctcae import grade_context

__all__ = ["conflict_page"]


def _shown(value: Any, choices: dict[str, str]) -> str:
    """A value as the person entered or would read it (labels for coded values, 105 not 105.0)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return choices.get(text, text)


def conflict_rows(form: EntryForm, spec: EntitySpec, exc: EditConflict) -> list[dict[str, Any]]:
    """One row per field of the form: opened, stored and the person's value."""
    stored = spec.from_record(exc.stored)
    opened = spec.from_record(exc.opened) if exc.opened is not None else None
    yours = form.cleaned_data
    rows = []
    for field in form.field_specs:
        choices = {str(code): str(label) for code, label in field.choices}
        now = _shown(stored.get(field.name), choices)
        then = _shown(opened.get(field.name), choices) if opened is not None else None
        mine = _shown(yours.get(field.name), choices)
        rows.append(
            {
                "field": field.label,
                "name": field.name,
                "opened": then,
                "stored": now,
                "yours": mine,
                "changed_since": then is not None and then != now,
                "differs": mine != now,
            }
        )
    return rows


def conflict_page(
    request: HttpRequest,
    access: TrialAccess,
    subject: Any,
    spec: EntitySpec,
    form: EntryForm,
    exc: EditConflict,
) -> HttpResponse:
    """409: the stored record, the person's values and who changed the record since."""
    stored_revision = int(getattr(exc.stored, "revision", 0))
    data = {
        "title": f"{spec.title} was changed by someone else",
        "usubjid": subject.usubjid,
        "entity": spec.key,
        "record_id": getattr(exc.stored, "pk", None),
        "conflict": True,
        "message": str(exc),
        "your_revision": exc.expected_revision,
        "revision": stored_revision,
        "changed_by": [
            {"user": user, "when": when, "reason": reason} for user, when, reason in exc.changed_by
        ],
        "fields": conflict_rows(form, spec, exc),
    }
    # The person's values again, now on top of the stored revision: saving this form is a
    # deliberate change of the other person's values, audited with its own reason.
    again = request.POST.copy()
    again["revision"] = str(stored_revision)
    retry = build_entry_form(spec, form.ctx, data=again, editing=True)
    retry.is_valid()
    grades = None
    if "grade" in retry.fields:  # the CTCAE grade choices of the term, as on the form page
        term = retry["term"].value() if "term" in retry.fields else ""
        grades = grade_context(str(term or ""), str(retry["grade"].value() or ""))
    return respond(
        request,
        "web/conflict.html",
        data,
        context={
            "access": access,
            "nav_section": "subjects",
            "form": retry,
            "spec": spec,
            "subject": subject,
            "record": exc.stored,
            "what": lower_first(spec.title),
            "grades": grades,
            "editable": True,  # only a person who may enter data reaches a save conflict
        },
        status=409,
    )
