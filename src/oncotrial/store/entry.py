"""Writing one subject's records through the ORM, audited, without races.

Every write runs in a transaction that first locks the subject's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions hold the database's write lock), so two people
adding records to the same subject at the same moment get consecutive ``--SEQ`` numbers instead
of a collision. Writes are attributed to the person (``acting_as``) and a change after first
entry carries its reason, which the store's audit rules require (``oncotrial.store.audit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError as DjangoIntegrityError
from django.db import transaction
from django.db.models import Max, Model

from oncotrial.errors import IntegrityError, ValueProblem
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as

__all__ = ["create_record", "lock_subject", "next_seq", "update_record"]


def lock_subject(subject: db.Subject) -> db.Subject:
    """The subject's row, locked until the transaction ends."""
    return db.Subject.objects.select_for_update().get(pk=subject.pk)


def next_seq(model: type[Model], subject: db.Subject, domain: str | None = None) -> int:
    """The next --SEQ of the subject in the model's domain (call inside ``lock_subject``)."""
    records = model.objects.filter(subject=subject)  # type: ignore[attr-defined]
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
            return model.objects.create(  # type: ignore[attr-defined]
                trial_id=locked.trial_id, subject=locked, seq=seq, **values
            )
        except DjangoIntegrityError as exc:
            raise IntegrityError(
                f"the database refused the record ({exc}); nothing was saved",
                record=locked.usubjid,
            ) from exc


def update_record(
    record: Model, values: Mapping[str, Any], *, user: Any, reason: str
) -> list[tuple[str, Any, Any]]:
    """Change ``record``'s fields to ``values``; returns (field, old, new) for what changed."""
    if not reason.strip():
        raise ValueProblem(
            "a change to a record needs a reason", field="reason", hint="Say why it changes."
        )
    with transaction.atomic(), acting_as(user, reason.strip()):
        locked = type(record).objects.select_for_update().get(pk=record.pk)  # type: ignore[attr-defined]
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
