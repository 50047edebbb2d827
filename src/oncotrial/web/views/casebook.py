"""A subject's casebook in the browser: per-visit form status, SDV, locks and the e-signature.

``/t/<trial>/casebooks/`` is the trial's form status grid (subjects × visits, like REDCap's record
status dashboard); ``…/subjects/<id>/casebook/`` one subject's visits with the actions each role
may take (the site marks complete, a monitor verifies, a data manager locks and unlocks with a
reason); ``…/casebook/sign/`` the investigator's signature, re-authenticated by password. The
rules are SIGN-1..4 (``oncotrial.store.casebook``). None of these pages shows an arm: the
signed serialization of a masked trial leaves the arm fields out, and the pages show its hash
and a count of records per visit, never record values.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from oncotrial.enrollment import VisitState
from oncotrial.errors import OncotrialError, RecordLocked
from oncotrial.store import casebook as book
from oncotrial.store import models as db
from oncotrial.store.signoff import Casebook, Signature
from oncotrial.web import throttle
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.render import respond, wants_json
from oncotrial.web.roles import BLINDED_FIELDS, Permission
from oncotrial.web.trials import today
from oncotrial.web.views.subjects import get_subject
from oncotrial.web.visits import subject_visits, visits_of

__all__ = ["casebook_page", "casebooks_page", "lock_notice", "locked_response", "sign_page"]

TONES = {
    "not started": "muted",
    "in progress": "info",
    "complete": "warn",
    "verified": "ok",
    "locked": "bad",
}
SUBJECT_FORMS_LABEL = "Subject-level forms (demographics, adverse events, medications)"
# action → (permission, what the page says once done)
ACTIONS: dict[str, tuple[Permission, str]] = {
    "complete": (Permission.ENTER_DATA, "marked complete"),
    "verify": (Permission.VERIFY_SOURCE, "marked source-data verified"),
    "lock": (Permission.LOCK_RECORDS, "locked"),
    "unlock": (Permission.LOCK_RECORDS, "unlocked"),
    "lock_casebook": (Permission.LOCK_RECORDS, "locked"),
    "unlock_casebook": (Permission.LOCK_RECORDS, "unlocked"),
}


def _excluded(access: TrialAccess) -> list[str]:
    """Fields left out of what is signed: the arm in a masked trial (see the module doc)."""
    return sorted(BLINDED_FIELDS) if access.masked else []


def _scheduled(access: TrialAccess, subject: db.Subject) -> list[str]:
    """The visits of the subject's schedule that are due or past (upcoming ones have no forms)."""
    visits = subject_visits(access.protocol, subject, as_of=today())
    if visits is None:
        return ["SCREENING"]
    return [s.visit.visit for s in visits.statuses if s.state is not VisitState.UPCOMING]


def _label(visit: str) -> str:
    return visit or SUBJECT_FORMS_LABEL


def _row(status: book.FormStatus) -> dict[str, Any]:
    def who(decision: tuple[str, Any] | None) -> dict[str, Any] | None:
        return {"by": decision[0], "at": decision[1]} if decision else None

    return {
        "visit": status.visit,
        "label": _label(status.visit),
        "records": status.records,
        "status": status.status,
        "tone": TONES[status.status],
        "completed": who(status.completed),
        "verified": who(status.verified),
        "locked": who(status.locked),
    }


def _signatures(subject: db.Subject) -> list[dict[str, Any]]:
    out = []
    for s in Signature.objects.filter(subject=subject).order_by("-signed_at", "-pk"):
        void_reason = s.void_reason
        voided_at = s.voided_at
        if voided_at is None and not book.signature_valid(s):
            # changed by a path that bypassed the application (SIGN-4: the hash no longer holds)
            void_reason = "the casebook no longer matches what was signed (its SHA-256 differs)"
        out.append(
            {
                "signer": s.signer_name,
                "meaning": s.meaning,
                "signed_at": s.signed_at,
                "sha256": s.sha256,
                "valid": voided_at is None and not void_reason,
                "voided_at": voided_at,
                "void_reason": void_reason,
            }
        )
    return out


def _casebook_data(access: TrialAccess, subject: db.Subject) -> dict[str, Any]:
    rows = [_row(s) for s in book.form_statuses(subject, _scheduled(access, subject))]
    casebook = Casebook.objects.filter(subject=subject).select_related("locked_by").first()
    locked = casebook is not None and casebook.locked_at is not None
    return {
        "title": f"Casebook of {subject.usubjid}",
        "usubjid": subject.usubjid,
        "visits": rows,
        "casebook_locked": (
            {"by": book.person_name(casebook.locked_by), "at": casebook.locked_at}
            if locked and casebook is not None
            else None
        ),
        "signatures": _signatures(subject),
        "statuses": list(book.STATUSES),
    }


def _error(
    request: HttpRequest, access: TrialAccess, subject: db.Subject, exc: OncotrialError
) -> HttpResponse:
    status = 423 if isinstance(exc, RecordLocked) else 409
    data = {**_casebook_data(access, subject), "error": str(exc)}
    return respond(request, "web/casebook.html", data, context=_context(access), status=status)


def _context(access: TrialAccess) -> dict[str, Any]:
    return {
        "access": access,
        "nav_section": "casebooks",
        "can_complete": access.can(Permission.ENTER_DATA),
        "can_verify": access.can(Permission.VERIFY_SOURCE),
        "can_lock": access.can(Permission.LOCK_RECORDS),
        "can_sign": access.can(Permission.SIGN_CASEBOOK),
    }


def _act(request: HttpRequest, subject: db.Subject, action: str) -> str:
    visit = request.POST.get("visit", "")
    reason = request.POST.get("reason", "")
    user = request.user
    if action == "complete":
        book.mark_complete(subject, visit, user=user)
    elif action == "verify":
        book.verify_visit(subject, visit, user=user)
    elif action == "lock":
        book.lock_visit(subject, visit, user=user)
    elif action == "unlock":
        book.unlock_visit(subject, visit, user=user, reason=reason)
    elif action == "lock_casebook":
        book.lock_casebook(subject, user=user)
    else:
        book.unlock_casebook(subject, user=user, reason=reason)
    where = "The casebook" if action.endswith("casebook") else _label(visit.strip().upper())
    return f"{where} {ACTIONS[action][1]}."


@require_http_methods(["GET", "HEAD", "POST"])
@trial_view(Permission.VIEW_SUBJECTS)
def casebook_page(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    subject = get_subject(access, usubjid)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return respond(
                request,
                "web/error.html",
                {"title": "Unknown action", "message": f"No casebook action {action!r}."},
                status=400,
            )
        access.require(ACTIONS[action][0])
        try:
            done = _act(request, subject, action)
        except OncotrialError as exc:
            return _error(request, access, subject, exc)
        if wants_json(request):
            return respond(request, "", {"done": done, **_casebook_data(access, subject)})
        messages.success(request, done)
        return redirect("web:casebook", access.trial.trial_id, usubjid)
    return respond(
        request, "web/casebook.html", _casebook_data(access, subject), context=_context(access)
    )


def _address(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


@require_http_methods(["GET", "HEAD", "POST"])
@trial_view(Permission.VIEW_SUBJECTS)
def sign_page(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    access.require(Permission.SIGN_CASEBOOK)
    subject = get_subject(access, usubjid)
    user = request.user
    data = {
        **_casebook_data(access, subject),
        "title": f"Sign the casebook of {subject.usubjid}",
        "meaning": book.MEANING,
        "signer": book.person_name(user),
        "username": user.get_username(),
        "incomplete": book.incomplete_forms(subject),
        "error": None,
    }
    if request.method != "POST":
        return respond(request, "web/casebook_sign.html", data, context=_context(access))
    now = timezone.now()
    # Re-entering the password here is a sign-in: the sign-in throttle applies to it too.
    wait = throttle.seconds_locked(user.get_username(), _address(request), now)
    status = 400
    if wait > 0:
        data["error"] = (
            f"Too many wrong passwords; try again in {max(1, wait // 60)} minute(s). "
            "The casebook was not signed."
        )
        status = 429
    else:
        try:
            signature = book.sign_casebook(
                subject,
                user=user,
                password=request.POST.get("password", ""),
                excluded=_excluded(access),
            )
        except OncotrialError as exc:
            if exc.field == "password":
                throttle.record_attempt(
                    user.get_username(), _address(request), now, succeeded=False
                )
                status = 403
            else:
                status = 423 if isinstance(exc, RecordLocked) else 409
            data["error"] = str(exc)
        else:
            done = (
                f"Casebook signed by {signature.signer_name} at "
                f"{signature.signed_at:%Y-%m-%d %H:%M} UTC (SHA-256 {signature.sha256[:16]}…)."
            )
            if wants_json(request):
                return respond(request, "", {"done": done, "sha256": signature.sha256}, status=201)
            messages.success(request, done)
            return redirect("web:casebook", access.trial.trial_id, usubjid)
    return respond(request, "web/casebook_sign.html", data, context=_context(access), status=status)


@require_http_methods(["GET", "HEAD"])
@trial_view(Permission.VIEW_SUBJECTS)
def casebooks_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    """Subjects × visits, each cell the visit's form status (enrolled subjects)."""
    subjects = list(db.Subject.objects.filter(trial=access.trial).order_by("usubjid"))
    enrolled = visits_of(access.protocol, subjects, as_of=today())
    scheduled = {
        v.usubjid: [s.visit.visit for s in v.statuses if s.state is not VisitState.UPCOMING]
        for v in enrolled
    }
    shown = [s for s in subjects if s.usubjid in scheduled]
    statuses = book.statuses_of(shown, {s.pk: scheduled[s.usubjid] for s in shown})
    columns: list[str] = []
    for subject in shown:
        columns += [f.visit for f in statuses[subject.pk] if f.visit not in columns]
    rows = []
    for subject in shown:
        by_visit = {f.visit: f for f in statuses[subject.pk]}
        rows.append(
            {
                "usubjid": subject.usubjid,
                "cells": [
                    {"visit": c, "status": by_visit[c].status, "tone": TONES[by_visit[c].status]}
                    if c in by_visit
                    else None
                    for c in columns
                ],
            }
        )
    data = {
        "title": "Form status",
        "columns": [{"visit": c, "label": c or "Subject-level"} for c in columns],
        "subjects": rows,
        "statuses": list(book.STATUSES),
    }
    return respond(request, "web/casebooks.html", data, context=_context(access))


def lock_notice(lock: book.RecordLock | None, *, new: bool = False) -> dict[str, str] | None:
    """What a locked form shows instead of its edit controls (``_locked_notice.html``): which
    lock, by whom, when, and what it forbids (SIGN-2)."""
    if lock is None:
        return None
    consequence = "no record can be added to it" if new else f"{lock.what} cannot be changed"
    return {"where": lock.where, "by": lock.by, "at": lock.when, "consequence": consequence}


def locked_response(request: HttpRequest, access: TrialAccess, exc: RecordLocked) -> HttpResponse:
    """The refusal of an edit of a locked record: 423 (Locked) with the lock's who and when."""
    data = {"title": "This record is locked", "message": str(exc), "locked": True}
    if wants_json(request):
        return respond(request, "", {"error": str(exc), "locked": True}, status=423)
    return respond(
        request,
        "web/error.html",
        data,
        context={"access": access, "nav_section": "subjects"},
        status=423,
    )
