"""Writing one subject's records through the ORM, audited, without races.

Every write runs in a transaction that first locks the subject's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions hold the database's write lock), so two people
adding records to the same subject at the same moment get consecutive ``--SEQ`` numbers instead
of a collision. Writes are attributed to the person (``acting_as``) and a change after first
entry carries its reason, which the store's audit rules require (``oncotrial.store.audit``).

Optimistic concurrency (issue 13): a change made from a form carries the record's ``revision``
as the form showed it. ``update_record`` compares it with the stored one *under the row lock*
(``SELECT … FOR UPDATE`` waits for a concurrent writer on PostgreSQL and then reads its committed
row; SQLite's IMMEDIATE transaction holds the database write lock from its start), so of two
saves from the same revision exactly one is written and the other gets an ``EditConflict``
naming who changed the record since, and when; nothing of it is written.

One tumour assessment per subject, visit and assessor (``create_assessment``): checked under the
subject's lock, with a partial unique index behind it (see ``TumourAssessment``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError as DjangoIntegrityError
from django.db import transaction
from django.db.models import Max, Model
from simple_history.utils import get_history_manager_for_model

from oncotrial.catalogue.common import UNSCHEDULED
from oncotrial.errors import EditConflict, IntegrityError, ValueProblem
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as

__all__ = [
    "create_assessment",
    "create_record",
    "lock_subject",
    "next_seq",
    "update_record",
]


def lock_subject(subject: db.Subject) -> db.Subject:
    """The subject's row, locked until the transaction ends."""
    locked: db.Subject = db.Subject.objects.select_for_update().get(pk=subject.pk)
    return locked


def next_seq(model: type[Model], subject: db.Subject, domain: str | None = None) -> int:
    """The next --SEQ of the subject in the model's domain (call inside ``lock_subject``)."""
    records = model.objects.filter(subject=subject)
    if domain is not None and model is db.Finding:
        records = records.filter(domain=domain)
    highest = records.aggregate(top=Max("seq"))["top"]
    return int(highest or 0) + 1


def create_record(
    model: type[Model],
    subject: db.Subject,
    values: Mapping[str, Any],
    *,
    user: Any,
    reason: str | None = None,
) -> Model:
    """Add one record of ``subject`` with the next --SEQ of its domain."""
    with transaction.atomic(), acting_as(user, reason):
        locked = lock_subject(subject)
        seq = next_seq(model, locked, values.get("domain"))
        try:
            return model.objects.create(trial_id=locked.trial_id, subject=locked, seq=seq, **values)
        except DjangoIntegrityError as exc:
            raise IntegrityError(
                f"the database refused the record ({exc}); nothing was saved",
                record=locked.usubjid,
            ) from exc


def _record_name(record: Model) -> str:
    subject = getattr(record, "subject", None)
    usubjid = getattr(subject, "usubjid", None) or getattr(record, "usubjid", None)
    name = str(record._meta.verbose_name)
    return f"{usubjid} {name} {record.pk}" if usubjid else f"{name} {record.pk}"


def _conflict(locked: Model, expected: int) -> EditConflict:
    """The refusal of a save from revision ``expected`` of ``locked`` (a newer one is stored)."""
    history = get_history_manager_for_model(locked)
    rows = list(
        history.filter(id=locked.pk, revision__gte=expected)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    opened = next((row.instance for row in rows if row.revision == expected), None)
    changed_by = [
        (
            (row.history_user.get_full_name() or row.history_user.username)
            if row.history_user_id
            else "unknown",
            row.history_date,
            row.history_change_reason,
        )
        for row in rows
        if row.revision > expected
    ]
    stored_revision = getattr(locked, "revision", 0)
    who = changed_by[-1] if changed_by else None
    since = f" by {who[0]} at {who[1]:%Y-%m-%d %H:%M} UTC" if who else ""
    return EditConflict(
        f"the {locked._meta.verbose_name} was changed{since} after you opened it (you opened "
        f"revision {expected}, the stored one is revision {stored_revision}); nothing was saved",
        stored=locked,
        opened=opened,
        changed_by=changed_by,
        expected_revision=expected,
        record=_record_name(locked),
        hint="Compare your values with the stored ones and save again from the current revision.",
    )


def update_record(
    record: Model,
    values: Mapping[str, Any],
    *,
    user: Any,
    reason: str,
    expected_revision: int | None = None,
) -> list[tuple[str, Any, Any]]:
    """Change ``record``'s fields to ``values``; returns (field, old, new) for what changed.

    With ``expected_revision`` (the revision the person's form showed) the change is refused
    with ``EditConflict`` when the stored record has moved on since, whatever the values.
    """
    if not reason.strip():
        raise ValueProblem(
            "a change to a record needs a reason", field="reason", hint="Say why it changes."
        )
    with transaction.atomic(), acting_as(user, reason.strip()):
        # The subject's row first, then the record's: the order every writer of a subject
        # takes (create_record, the casebook sign-off and its edit hook), so no two deadlock.
        subject_id = (
            record.pk if isinstance(record, db.Subject) else getattr(record, "subject_id", None)
        )
        if subject_id is not None:
            db.Subject._base_manager.select_for_update().filter(pk=subject_id).first()
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        if expected_revision is not None and locked.revision != expected_revision:
            raise _conflict(locked, expected_revision)
        changes = []
        for name, value in values.items():
            old = getattr(locked, name)
            if old != value:
                changes.append((name, old, value))
                setattr(locked, name, value)
        if changes:
            try:
                locked.save(update_fields=[name for name, _, _ in changes])
            except DjangoIntegrityError as exc:
                raise IntegrityError(
                    f"the database refused the change ({exc}); nothing was saved"
                ) from exc
        return changes


def create_assessment(subject: db.Subject, values: Mapping[str, Any]) -> db.TumourAssessment:
    """A new tumour assessment of ``subject`` entered through the application.

    Call inside a transaction holding the subject's row lock (``lock_subject`` or
    ``casebook.subject_writes``): the check below then sees every
    assessment committed before, and the partial unique index ``assessment_one_per_visit``
    refuses what a writer without the lock would add. Unscheduled scans may repeat.
    """
    visit, evaluator = values.get("visit"), values.get("evaluator")
    if visit != UNSCHEDULED:
        existing = (
            db.TumourAssessment.objects.filter(subject=subject, visit=visit, evaluator=evaluator)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            raise IntegrityError(
                f"{visit} already has a tumour assessment by the {str(evaluator).lower()} "
                f"(scan of {existing.dtc}); nothing was saved",
                record=subject.usubjid,
                field="visit",
                hint=f"Open the {visit} assessment to correct it, or choose {UNSCHEDULED} for an "
                "extra scan.",
            )
    # No savepoint of its own (two round trips per save, issue 13): a refusal by the index aborts
    # the caller's transaction, which the IntegrityError raised below then rolls back.
    try:
        assessment: db.TumourAssessment = db.TumourAssessment.objects.create(
            trial_id=subject.trial_id, subject=subject, entered=True, **values
        )
        return assessment
    except DjangoIntegrityError as exc:
        raise IntegrityError(
            f"{visit} already has a tumour assessment by the {str(evaluator).lower()}; "
            "nothing was saved",
            record=subject.usubjid,
            field="visit",
        ) from exc
