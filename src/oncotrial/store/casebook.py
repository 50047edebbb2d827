"""A subject's casebook: per-visit form status, source-data verification, locks, e-signature.

What data managers expect from REDCap or OpenClinica (issue 13). A visit's forms are the records
carrying its VISIT (tumour assessments with their measurements and responses, study drug,
procedures, labs, findings, disposition events); records of no visit (demographics, adverse
events, medications, …) are the subject-level forms, signed off under the key ``""``. A visit's
status is, from the weakest: not started (no record), in progress (records), complete (the site
said so), verified (a monitor checked them against the source), locked (a data manager froze
them, or the whole casebook). The decisions are stored (``oncotrial.store.signoff``); "not
started" and "in progress" are derived from the records.

Every write to a subject's record passes ``_before_write`` (a ``pre_save``/``pre_delete`` hook,
so no path — web form, command line, change-mode import — escapes it). Under the subject's row
lock, which every sign-off decision also takes, it refuses a write to a locked visit or casebook
(SIGN-2), turns a verified visit back to unverified (SIGN-1) and voids a standing signature of
the casebook (SIGN-4), each with its history row saying why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import models as dj
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone

from oncotrial.catalogue.rule import Rule
from oncotrial.errors import IntegrityError, RecordLocked, StoreError
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as, current_reason, current_user
from oncotrial.store.signoff import SUBJECT_FORMS, Casebook, Signature, VisitSignoff

__all__ = [
    "CASEBOOK_RULES",
    "MEANING",
    "STATUSES",
    "SUBJECT_FORMS",
    "FormStatus",
    "RecordLock",
    "before_bulk_insert",
    "canonical_content",
    "casebook_lock",
    "connect_signals",
    "form_statuses",
    "incomplete_forms",
    "lock_casebook",
    "lock_of",
    "lock_visit",
    "mark_complete",
    "person_name",
    "record_lock",
    "sign_casebook",
    "signature_valid",
    "statuses_of",
    "subject_writes",
    "unlock_casebook",
    "unlock_visit",
    "verify_visit",
    "visit_of",
]

CASEBOOK_RULES = (
    Rule(
        "SIGN-1",
        "A monitor marks a complete visit's forms source-data verified; a later change to any of "
        "its records turns it back to unverified, with the change named in its history.",
        "ICH E6(R2) §5.18.4(m) (monitor verifies CRF entries against source documents)",
    ),
    Rule(
        "SIGN-2",
        "A locked visit or casebook refuses every change to its records until a data manager "
        "unlocks it with a reason.",
        "ICH E6(R2) §5.5.3 (data integrity of the trial database); CDISC ODM record locking",
    ),
    Rule(
        "SIGN-3",
        "A signature shows the signer's printed name, the date and time, and its meaning; the "
        "signer re-enters their password to sign.",
        "21 CFR 11.50(a), 11.200(a)(1)",
    ),
    Rule(
        "SIGN-4",
        "A signature is linked to what was signed by the SHA-256 of its canonical serialization; "
        "any later change to the casebook voids it (shown as void, with why and when).",
        "21 CFR 11.70 (signature/record linking)",
    ),
    Rule(
        "SIGN-5",
        "The investigator signs only a casebook whose forms are all marked complete by the site "
        "(verified or locked after that): every visit with a record, and the subject-level "
        "forms. A signature is refused with the list of the forms not marked complete.",
        "ICH E6(R2) §4.9.0-4.9.1 (the investigator ensures the CRF data are complete before "
        "endorsing them); OpenClinica 3 subject casebook signing (all CRFs marked complete)",
    ),
)

MEANING = "I approve the data in this casebook as accurate and complete."
STATUSES = ("not started", "in progress", "complete", "verified", "locked")

# Records of a subject, in the order the canonical serialization lists them.
CASEBOOK_MODELS: tuple[type[dj.Model], ...] = (
    db.Subject,
    db.TumourAssessment,
    *dict.fromkeys(db.RECORD_MODELS.values()),
)
# Models with their own VISIT (Measurement and Response take their assessment's).
_VISIT_MODELS = (
    db.Disposition,
    db.TumourAssessment,
    db.Lesion,
    db.Exposure,
    db.Procedure,
    db.LabResult,
    db.Finding,
)


def _visit_name(value: str | None) -> str:
    return (value or "").strip().upper()


def visit_of(record: dj.Model) -> str:
    """The visit whose forms hold ``record`` (``SUBJECT_FORMS`` for a record of no visit)."""
    if isinstance(record, db.Measurement | db.Response):
        assessment = record.assessment if record.assessment_id else None
        return _visit_name(assessment.visit if assessment is not None else None)
    if isinstance(record, db.Procedure) and not record.visit and record.trt:
        return _procedure_visit(record.trt)  # the schedule's name of a procedure visit
    return _visit_name(getattr(record, "visit", None))


def _procedure_visit(trt: str | None) -> str:
    return _visit_name(f"PROCEDURE: {trt}") if trt else SUBJECT_FORMS


def _subject_id(record: dj.Model) -> int | None:
    found = record.pk if isinstance(record, db.Subject) else getattr(record, "subject_id", None)
    return int(found) if found is not None else None


def person_name(user: Any) -> str:
    if user is None:
        return "unknown"
    return str(user.get_full_name() or user.username)


def _describe(record: dj.Model, visit: str) -> str:
    if isinstance(record, db.Subject):
        return "the demographics"
    seq = getattr(record, "seq", None)
    what = f"{record._meta.verbose_name} {seq if seq is not None else record.pk}"
    return f"{what} ({visit})" if visit else what


def _when(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _locked_message(what: str, by: Any, at: dt.datetime, where: str) -> RecordLocked:
    name = by if isinstance(by, str) else person_name(by)
    return RecordLocked(
        f"{where} was locked by {name} at {_when(at)}: {what} cannot be changed; nothing was saved",
        hint="Ask a data manager to unlock it (with the reason) if the data must change.",
    )


def _enforce(
    subject_id: int,
    record: dj.Model | str,
    touched: set[str] | Callable[[], set[str]],
    action: str,
) -> None:
    """SIGN-1, SIGN-2, SIGN-4 for a write to ``record`` touching the visits ``touched`` (see
    the module doc); ``touched`` may be a function, called only for a signed-off casebook."""
    if subject_id in _UNSIGNED.get():  # locked and seen without a casebook (subject_writes)
        return
    # The subject's row lock and whether it has a casebook row, in one query: this runs before
    # every record written (issue 13: two queries per record were a fifth of a save's).
    casebook_id = (
        db.Subject._base_manager.select_for_update(of=("self",))
        .filter(pk=subject_id)
        .annotate(
            casebook_id=Subquery(
                Casebook.objects.filter(subject_id=OuterRef("pk")).values("pk")[:1]
            )
        )
        .values_list("casebook_id", flat=True)
        .first()
    )
    if casebook_id is None:  # no sign-off decision yet: nothing to enforce
        return
    casebook = Casebook.objects.get(pk=casebook_id)
    visits = touched() if callable(touched) else touched
    what = record if isinstance(record, str) else _describe(record, sorted(visits)[-1])
    if casebook.locked_at is not None:
        raise _locked_message(what, casebook.locked_by, casebook.locked_at, "This casebook")
    signoffs = list(VisitSignoff.objects.filter(subject_id=subject_id, visit__in=visits))
    for signoff in signoffs:
        if signoff.locked_at is not None:
            where = f"Visit {signoff.visit}" if signoff.visit else "The subject-level forms"
            raise _locked_message(what, signoff.locked_by, signoff.locked_at, where)
    user, reason = current_user(), (current_reason() or "").strip()
    because = f"{what} {action} by {person_name(user)}" + (f": {reason}" if reason else "")
    for signoff in signoffs:
        if signoff.verified_at is not None:
            signoff.verified_at, signoff.verified_by = None, None
            signoff._change_reason = f"unverified: {because}"
            signoff.save(update_fields=["verified_at", "verified_by"])
    now = timezone.now()
    for signature in Signature.objects.filter(subject_id=subject_id, voided_at__isnull=True):
        signature.voided_at, signature.void_reason = now, because
        signature._change_reason = f"signature void: {because}"
        signature.save(update_fields=["voided_at", "void_reason"])


# Subjects whose row this thread's transaction holds locked and found without a casebook row,
# within ``subject_writes``: no sign-off decision can appear for them before the transaction ends
# (every decision first takes the same row lock, ``_open``), so the check need not be repeated.
_UNSIGNED: ContextVar[frozenset[int]] = ContextVar("oncotrial_unsigned", default=frozenset())


@contextmanager
def subject_writes(subject: db.Subject) -> Iterator[db.Subject]:
    """The subject's row, locked until the caller's transaction ends, for writing several of its
    records: the casebook is looked up with the lock, in one query, and when there is none the
    edit hook does not look again for each record written inside the block (issue 13: one
    query per record of an assessment save). With a casebook every write is checked as always.
    """
    if not transaction.get_connection().in_atomic_block:
        raise StoreError("subject_writes needs the caller's transaction (transaction.atomic)")
    locked: db.Subject = (
        db.Subject.objects.select_for_update(of=("self",))
        .annotate(
            casebook_ref=Subquery(
                Casebook.objects.filter(subject_id=OuterRef("pk")).values("pk")[:1]
            )
        )
        .get(pk=subject.pk)
    )
    if locked.casebook_ref is not None:
        yield locked
        return
    token = _UNSIGNED.set(_UNSIGNED.get() | {locked.pk})
    try:
        yield locked
    finally:
        _UNSIGNED.reset(token)


def _before_save(sender: Any, instance: dj.Model, raw: bool = False, **_: Any) -> None:
    subject_id = _subject_id(instance)
    if raw or subject_id is None:
        return

    def touched() -> set[str]:
        """The record's visit, and the stored one (a change may move it to another visit)."""
        visits = {visit_of(instance)}
        if instance.pk is not None and isinstance(instance, _VISIT_MODELS):
            stored = type(instance)._base_manager.filter(pk=instance.pk).first()
            if stored is not None:
                visits.add(visit_of(stored))
        return visits

    _enforce(subject_id, instance, touched, "added" if instance.pk is None else "changed")


def _before_delete(sender: Any, instance: dj.Model, **_: Any) -> None:
    subject_id = _subject_id(instance)
    if subject_id is not None:
        _enforce(subject_id, instance, lambda: {visit_of(instance)}, "deleted")


def before_bulk_insert(model: type[dj.Model], columns: Any) -> None:
    """The same rules for records a bulk import adds (``store.bulk`` writes no ``save``): only
    subjects with a casebook row (a sign-off decision) are looked at."""
    if "subject_id" not in columns or "trial_id" not in columns:
        return
    trials = {int(t) for t in columns["trial_id"]}
    signed_off = set(
        Casebook.objects.filter(trial_id__in=trials).values_list("subject_id", flat=True)
    )
    if not signed_off:
        return
    subjects = [int(s) for s in columns["subject_id"]]
    if "visit" in columns:
        visits = [_visit_name(v) for v in columns["visit"]]
    elif "assessment_id" in columns:
        by_id = dict(
            db.TumourAssessment.objects.filter(
                pk__in={int(a) for a in columns["assessment_id"] if a is not None}
            ).values_list("pk", "visit")
        )
        visits = [_visit_name(by_id.get(a)) for a in columns["assessment_id"]]
    else:
        visits = [SUBJECT_FORMS] * len(subjects)
    touched: dict[int, set[str]] = {}
    for subject_id, visit in zip(subjects, visits, strict=True):
        if subject_id in signed_off:
            touched.setdefault(subject_id, set()).add(visit)
    for subject_id, visited in sorted(touched.items()):
        what = f"{model._meta.verbose_name} records (import)"
        _enforce(subject_id, what, visited, "added")


def connect_signals() -> None:
    """Run the sign-off rules before every write to a subject's record (called by the app)."""
    for model in CASEBOOK_MODELS:
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"casebook_save_{model.__name__}")
        pre_delete.connect(
            _before_delete, sender=model, dispatch_uid=f"casebook_delete_{model.__name__}"
        )


# -- status -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormStatus:
    """One visit's forms of one subject: what is there and what was decided about it."""

    visit: str
    records: int
    status: str
    completed: tuple[str, dt.datetime] | None = None
    verified: tuple[str, dt.datetime] | None = None
    locked: tuple[str, dt.datetime] | None = None


def _record_visits(subjects: Sequence[db.Subject]) -> dict[int, dict[str, int]]:
    """Number of records per visit of each subject (``SUBJECT_FORMS`` for those of no visit),
    in one query per model."""
    ids = [s.pk for s in subjects]
    counts: dict[int, dict[str, int]] = {pk: {SUBJECT_FORMS: 1} for pk in ids}  # demographics
    assessments = dict(
        db.TumourAssessment.objects.filter(subject_id__in=ids).values_list("pk", "visit")
    )
    for model in CASEBOOK_MODELS[1:]:
        rows = model.objects.filter(subject_id__in=ids)
        pairs: Iterable[tuple[int, str | None]]
        if model in (db.Measurement, db.Response):
            pairs = (
                (sid, assessments.get(a))
                for sid, a in rows.values_list("subject_id", "assessment_id")
            )
        elif model is db.Procedure:
            pairs = (
                (sid, visit or _procedure_visit(trt))
                for sid, visit, trt in rows.values_list("subject_id", "visit", "trt")
            )
        elif model in _VISIT_MODELS:
            pairs = rows.values_list("subject_id", "visit")
        else:
            pairs = ((sid, None) for sid in rows.values_list("subject_id", flat=True))
        for subject_id, visit in pairs:
            key = _visit_name(visit)
            counts[subject_id][key] = counts[subject_id].get(key, 0) + 1
    return counts


def _decision(by: Any, at: dt.datetime | None) -> tuple[str, dt.datetime] | None:
    return (person_name(by), at) if at is not None else None


def _status(
    visit: str, records: int, signoff: VisitSignoff | None, casebook: Casebook | None
) -> FormStatus:
    locked = _decision(signoff.locked_by, signoff.locked_at) if signoff else None
    if casebook is not None and casebook.locked_at is not None:
        locked = locked or _decision(casebook.locked_by, casebook.locked_at)
    completed = _decision(signoff.completed_by, signoff.completed_at) if signoff else None
    verified = _decision(signoff.verified_by, signoff.verified_at) if signoff else None
    if locked:
        status = "locked"
    elif verified:
        status = "verified"
    elif completed:
        status = "complete"
    else:
        status = "in progress" if records else "not started"
    return FormStatus(visit, records, status, completed, verified, locked)


def statuses_of(
    subjects: Sequence[db.Subject], scheduled: dict[int, Sequence[str]]
) -> dict[int, list[FormStatus]]:
    """Per subject (by pk): the subject-level forms, then each visit ``scheduled`` for it (in
    order), then any other visit its records or decisions name, each with its status."""
    ids = [s.pk for s in subjects]
    counts = _record_visits(subjects)
    decisions: dict[int, dict[str, VisitSignoff]] = {pk: {} for pk in ids}
    for signoff in VisitSignoff.objects.filter(subject_id__in=ids).select_related(
        "completed_by", "verified_by", "locked_by"
    ):
        decisions[signoff.subject_id][signoff.visit] = signoff
    casebooks = {
        c.subject_id: c
        for c in Casebook.objects.filter(subject_id__in=ids).select_related("locked_by")
    }
    out: dict[int, list[FormStatus]] = {}
    for pk in ids:
        order = [SUBJECT_FORMS, *(_visit_name(v) for v in scheduled.get(pk, ()))]
        order += sorted((set(counts[pk]) | set(decisions[pk])) - set(order))
        out[pk] = [
            _status(visit, counts[pk].get(visit, 0), decisions[pk].get(visit), casebooks.get(pk))
            for visit in dict.fromkeys(order)
        ]
    return out


def form_statuses(subject: db.Subject, scheduled: Sequence[str]) -> list[FormStatus]:
    """The form status of each visit of one subject (see ``statuses_of``)."""
    return statuses_of([subject], {subject.pk: scheduled})[subject.pk]


# -- decisions --------------------------------------------------------------------------------


def _open(subject: db.Subject) -> Casebook:
    """Lock the subject's row (the edit hook's lock too) and return its casebook row."""
    db.Subject._base_manager.select_for_update().filter(pk=subject.pk).first()
    # From here on the subject has a casebook: this block's writes are checked again.
    _UNSIGNED.set(_UNSIGNED.get() - {subject.pk})
    casebook, _ = Casebook.objects.get_or_create(subject=subject, trial_id=subject.trial_id)
    return cast(Casebook, casebook)


def _signoff(subject: db.Subject, visit: str) -> VisitSignoff:
    signoff, _ = VisitSignoff.objects.get_or_create(
        subject=subject, visit=_visit_name(visit), defaults={"trial_id": subject.trial_id}
    )
    return cast(VisitSignoff, signoff)


def _label(visit: str) -> str:
    return f"visit {visit}" if visit else "the subject-level forms"


def _refuse_locked(casebook: Casebook, signoff: VisitSignoff, doing: str) -> None:
    if casebook.locked_at is not None:
        raise RecordLocked(
            f"the casebook is locked (by {person_name(casebook.locked_by)} at "
            f"{_when(casebook.locked_at)}); cannot {doing}"
        )
    if signoff.locked_at is not None:
        raise RecordLocked(
            f"{_label(signoff.visit)} is locked (by {person_name(signoff.locked_by)} at "
            f"{_when(signoff.locked_at)}); cannot {doing}"
        )


def mark_complete(subject: db.Subject, visit: str, *, user: Any) -> None:
    """The site says the visit's forms are complete."""
    with transaction.atomic(), acting_as(user, "forms marked complete"):
        casebook = _open(subject)
        signoff = _signoff(subject, visit)
        _refuse_locked(casebook, signoff, "mark it complete")
        if signoff.completed_at is not None:
            raise IntegrityError(
                f"{_label(signoff.visit)} was already marked complete by "
                f"{person_name(signoff.completed_by)} at {_when(signoff.completed_at)}"
            )
        if _record_visits([subject])[subject.pk].get(signoff.visit, 0) == 0:
            raise IntegrityError(
                f"{_label(signoff.visit)} has no record yet; there is nothing to mark complete",
                hint="Enter the visit's forms first.",
            )
        signoff.completed_at, signoff.completed_by = timezone.now(), user
        signoff.save()


def verify_visit(subject: db.Subject, visit: str, *, user: Any) -> None:
    """A monitor marks the visit's forms source-data verified (SIGN-1)."""
    with transaction.atomic(), acting_as(user, "source data verified"):
        casebook = _open(subject)
        signoff = _signoff(subject, visit)
        _refuse_locked(casebook, signoff, "verify it")
        if signoff.completed_at is None:
            raise IntegrityError(
                f"{_label(signoff.visit)} is not marked complete; the site marks it complete "
                "before it is verified"
            )
        if signoff.verified_at is not None:
            raise IntegrityError(
                f"{_label(signoff.visit)} was already verified by "
                f"{person_name(signoff.verified_by)} at {_when(signoff.verified_at)}"
            )
        signoff.verified_at, signoff.verified_by = timezone.now(), user
        signoff.save()


def lock_visit(subject: db.Subject, visit: str, *, user: Any) -> None:
    with transaction.atomic(), acting_as(user, "locked"):
        casebook = _open(subject)
        signoff = _signoff(subject, visit)
        _refuse_locked(casebook, signoff, "lock it again")
        signoff.locked_at, signoff.locked_by = timezone.now(), user
        signoff.save()


def _reason(reason: str, what: str) -> str:
    if not (reason or "").strip():
        raise IntegrityError(
            f"unlocking {what} needs a reason; nothing was changed",
            field="reason",
            hint="Say why the data must change.",
        )
    return reason.strip()


def unlock_visit(subject: db.Subject, visit: str, *, user: Any, reason: str) -> None:
    why = _reason(reason, _label(_visit_name(visit)))
    with transaction.atomic(), acting_as(user, f"unlocked: {why}"):
        _open(subject)
        signoff = _signoff(subject, visit)
        if signoff.locked_at is None:
            raise IntegrityError(f"{_label(signoff.visit)} is not locked")
        signoff.locked_at, signoff.locked_by = None, None
        signoff.save()


def lock_casebook(subject: db.Subject, *, user: Any) -> None:
    with transaction.atomic(), acting_as(user, "casebook locked"):
        casebook = _open(subject)
        if casebook.locked_at is not None:
            raise RecordLocked(
                f"the casebook is already locked (by {person_name(casebook.locked_by)} at "
                f"{_when(casebook.locked_at)})"
            )
        casebook.locked_at, casebook.locked_by = timezone.now(), user
        casebook.save()


def unlock_casebook(subject: db.Subject, *, user: Any, reason: str) -> None:
    why = _reason(reason, "the casebook")
    with transaction.atomic(), acting_as(user, f"casebook unlocked: {why}"):
        casebook = _open(subject)
        if casebook.locked_at is None:
            raise IntegrityError("the casebook is not locked")
        casebook.locked_at, casebook.locked_by = None, None
        casebook.save()


# -- signature --------------------------------------------------------------------------------


def canonical_content(subject: db.Subject, excluded: Iterable[str] = ()) -> str:
    """The casebook as signed: every record of the subject (model, id, revision and every field
    but the ``excluded`` ones), models in a fixed order, records by id, keys sorted, compact JSON
    in UTF-8. In a masked trial the arm fields are excluded: a hash over them would let anyone
    who sees it and knows the rest of the record test which arm it holds."""
    hidden = set(excluded) | {"trial_id"}
    records = []
    for model in CASEBOOK_MODELS:
        field = "pk" if model is db.Subject else "subject_id"
        rows = model.objects.filter(**{field: subject.pk}).order_by("pk").values()
        for row in rows:
            kept = {k: v for k, v in row.items() if k not in hidden}
            records.append({"model": model.__name__, **kept})
    document = {"trial": subject.trial.trial_id, "usubjid": subject.usubjid, "records": records}
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def incomplete_forms(subject: db.Subject) -> list[str]:
    """The forms of ``subject`` that hold records but are not marked complete (SIGN-5), by
    name ("the subject-level forms", "visit WEEK 8"), in casebook order. Visits with no record
    (not started, e.g. a missed visit) have nothing to sign and are not asked for."""
    return [
        _label(s.visit) for s in form_statuses(subject, ()) if s.records and s.completed is None
    ]


def sign_casebook(
    subject: db.Subject, *, user: Any, password: str, excluded: Iterable[str] = ()
) -> Signature:
    """The investigator signs the casebook (SIGN-3, SIGN-4, SIGN-5): re-authenticated by
    password, and only once every form with a record is marked complete."""
    if not password or not user.check_password(password):
        raise IntegrityError(
            "the password is not right; the casebook was not signed",
            field="password",
            hint="Enter the password you sign in with.",
        )
    with transaction.atomic(), acting_as(user, "casebook signed"):
        _open(subject)
        standing = Signature.objects.filter(subject=subject, voided_at__isnull=True).first()
        if standing is not None:
            raise IntegrityError(
                f"the casebook is already signed by {standing.signer_name} at "
                f"{_when(standing.signed_at)}; a change to it voids that signature"
            )
        # Read under the subject's row lock: a record added meanwhile is counted (SIGN-5).
        incomplete = incomplete_forms(subject)
        if incomplete:
            raise IntegrityError(
                "the casebook cannot be signed yet; not marked complete: "
                + ", ".join(incomplete)
                + ". Nothing was signed",
                hint="The site marks each visit's forms complete (a monitor may then verify "
                "them) before the investigator signs.",
            )
        content = canonical_content(subject, excluded)
        return cast(
            Signature,
            Signature.objects.create(
                trial_id=subject.trial_id,
                subject=subject,
                signer=user,
                signer_name=person_name(user),
                meaning=MEANING,
                signed_at=timezone.now(),
                sha256=_digest(content),
                content=content,
                excluded=sorted(set(excluded)),
            ),
        )


def signature_valid(signature: Signature) -> bool:
    """Whether the casebook still serializes to what was signed (a write that bypassed the hook,
    e.g. raw SQL, shows here)."""
    subject = db.Subject.objects.get(pk=signature.subject_id)
    return bool(_digest(canonical_content(subject, signature.excluded)) == signature.sha256)


@dataclass(frozen=True)
class RecordLock:
    """Why a record cannot be changed now: ``where`` was locked by ``by`` at ``at``."""

    where: str  # "This casebook", "Visit WEEK 8", "The subject-level forms"
    what: str  # the record, e.g. "lab result 1 (SCREENING)"
    by: str
    at: dt.datetime

    @property
    def when(self) -> str:
        return _when(self.at)


def record_lock(record: dj.Model) -> RecordLock | None:
    """The lock that keeps ``record`` from being changed now (its visit's or its casebook's)."""
    subject_id = _subject_id(record)
    casebook = Casebook.objects.filter(subject_id=subject_id).select_related("locked_by").first()
    if casebook is None:
        return None
    visit = visit_of(record)
    what = _describe(record, visit)
    if casebook.locked_at is not None:
        by = person_name(casebook.locked_by)
        return RecordLock("This casebook", what, by, casebook.locked_at)
    signoff = (
        VisitSignoff.objects.filter(subject_id=subject_id, visit=visit)
        .select_related("locked_by")
        .first()
    )
    if signoff is not None and signoff.locked_at is not None:
        where = f"Visit {visit}" if visit else "The subject-level forms"
        return RecordLock(where, what, person_name(signoff.locked_by), signoff.locked_at)
    return None


def casebook_lock(subject: db.Subject) -> RecordLock | None:
    """The whole-casebook lock of ``subject``, if any: no record of it can be added or changed."""
    # Two values, and the person only when locked (issue 13: the assessment form asks on every
    # request, and a casebook is rarely locked).
    row = (
        Casebook.objects.filter(subject=subject)
        .order_by("pk")
        .values_list("locked_at", "locked_by_id")
        .first()
    )
    if row is None or row[0] is None:
        return None
    locked_at, locked_by = row
    user = get_user_model()._default_manager.filter(pk=locked_by).first() if locked_by else None
    return RecordLock("This casebook", "the subject's records", person_name(user), locked_at)


def lock_of(record: dj.Model) -> str | None:
    """Why ``record`` cannot be changed now (its visit or casebook is locked), or None."""
    lock = record_lock(record)
    if lock is None:
        return None
    return str(_locked_message(lock.what, lock.by, lock.at, lock.where))
