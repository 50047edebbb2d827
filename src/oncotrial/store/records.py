"""One record at a time: find it, change it or delete it (always with a reason), read its history.

A record is named ``USUBJID`` (the subject's DM record) or ``USUBJID/DOMAIN/SEQ`` (``AE/3`` of
that subject), with the trial given separately when the database holds several.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from oncotrial.errors import InputError, IntegrityError, StoreError
from oncotrial.store import models
from oncotrial.store.audit import HistoryEntry, acting_as, get_user, history_of
from oncotrial.store.mapping import domain_columns, model_for
from oncotrial.store.sdtm_export import export_sdtm, find_trial
from oncotrial.store.sdtm_import import ImportResult, import_sdtm, lock_trial
from oncotrial.store.validation import Source

__all__ = [
    "RecordRef",
    "delete_record",
    "find_record",
    "parse_record",
    "record_history",
    "update_record",
]


@dataclass(frozen=True)
class RecordRef:
    usubjid: str
    domain: str = "DM"
    seq: int | None = None

    def __str__(self) -> str:
        return self.usubjid if self.domain == "DM" else f"{self.usubjid}/{self.domain}/{self.seq}"


def parse_record(text: str) -> RecordRef:
    """``USUBJID`` or ``USUBJID/DOMAIN/SEQ``."""
    parts = text.strip().split("/")
    if len(parts) == 1 and parts[0]:
        return RecordRef(parts[0])
    if len(parts) == 3 and parts[0] and parts[2].isdigit():
        domain = parts[1].upper()
        if model_for(domain) is None:
            raise InputError(
                f"{domain} is not a domain oncotrial stores record by record",
                record=text,
                hint="Use DM, DS, IE, TU, TR, RS, EX, PR, AE, LB, CM, QS, VS, SC, GF or MI.",
            )
        return RecordRef(parts[0], domain, int(parts[2]))
    raise InputError(
        f"cannot read the record name {text!r}",
        hint="Name a record as USUBJID (the subject) or USUBJID/DOMAIN/SEQ, e.g. 002-01-0003/AE/2.",
    )


def _trial(trial_id: str | None) -> models.Trial:
    if trial_id:
        return find_trial(trial_id)
    trials: list[models.Trial] = list(models.Trial.objects.all()[:2])
    if len(trials) == 1:
        return trials[0]
    if not trials:
        raise StoreError("the database holds no trial yet")
    raise InputError("the database holds several trials", hint="Name one with --trial ID.")


def find_record(
    ref: RecordRef, trial_id: str | None = None
) -> models.Subject | models.SubjectRecord:
    trial = _trial(trial_id)
    subject: models.Subject | None = models.Subject.objects.filter(
        trial=trial, usubjid=ref.usubjid
    ).first()
    if subject is None:
        raise StoreError(f"no subject {ref.usubjid} in trial {trial.trial_id}", record=str(ref))
    if ref.domain == "DM":
        return subject
    model = model_for(ref.domain)
    assert model is not None
    query = model.objects.filter(subject=subject, seq=ref.seq)
    if model is models.Finding:
        query = query.filter(domain=ref.domain)
    record: models.SubjectRecord | None = query.first()
    if record is None:
        raise StoreError(
            f"subject {ref.usubjid} has no {ref.domain} record with {ref.domain}SEQ {ref.seq}",
            record=str(ref),
        )
    return record


def update_record(
    ref: RecordRef,
    changes: dict[str, str | None],
    *,
    reason: str,
    user: str | None = None,
    trial_id: str | None = None,
    ctcae: Any = None,
) -> ImportResult:
    """Change SDTM variables of one record (``{"AETOXGR": "3"}``), audited with ``reason``.

    The changed record goes through the same checks as an import (CTCAE term and grade, dates,
    one randomization, death after enrollment, …) and is written only if it passes.
    """
    if not (reason or "").strip():
        raise IntegrityError("a change to a stored record needs a reason; nothing was written")
    trial = _trial(trial_id)
    find_record(ref, trial.trial_id)  # a clear error for a record that does not exist
    frame = export_sdtm(trial, domains=[ref.domain], usubjids=[ref.usubjid])[ref.domain]
    if ref.domain != "DM":
        frame = frame[frame[f"{ref.domain}SEQ"] == str(ref.seq)]
    row = frame.reset_index(drop=True).copy()
    for variable, value in changes.items():
        if variable in {"STUDYID", "DOMAIN", "USUBJID", f"{ref.domain}SEQ"}:
            raise InputError(
                f"{variable} identifies the record and cannot be changed",
                record=str(ref),
                field=variable,
            )
        row[variable] = value
    return import_sdtm(
        {ref.domain: row},
        trial_id=trial.trial_id,
        user=user,
        reason=reason,
        mode="change",
        sources={ref.domain: Source(f"record {ref}", first_row=1)},
        ctcae=ctcae,
        source_name=f"change of {ref}",
    )


def delete_record(
    ref: RecordRef, *, reason: str, user: str | None = None, trial_id: str | None = None
) -> None:
    """Delete one record (its history keeps every value), audited with ``reason``."""
    if not (reason or "").strip():
        raise IntegrityError("deleting a stored record needs a reason; nothing was deleted")
    account = get_user(user)
    with transaction.atomic(), acting_as(account, reason):
        record = find_record(ref, trial_id)
        lock_trial(record.trial.trial_id)
        record._change_reason = reason
        try:
            record.delete()
        except Exception as exc:  # ProtectedError: measurements still refer to it
            if type(exc).__name__ == "ProtectedError":
                raise IntegrityError(
                    f"{ref} still has records that refer to it; delete those first",
                    record=str(ref),
                ) from exc
            raise


def record_history(ref: RecordRef, trial_id: str | None = None) -> list[HistoryEntry]:
    """The audit trail of a record, also after it was deleted."""
    trial = _trial(trial_id)
    model = models.Subject if ref.domain == "DM" else model_for(ref.domain)
    assert model is not None
    history = model.history.model
    if ref.domain == "DM":
        rows = history.objects.filter(trial_id=trial.pk, usubjid=ref.usubjid)
    else:
        subject_ids = list(
            models.Subject.history.filter(trial_id=trial.pk, usubjid=ref.usubjid)
            .values_list("id", flat=True)
            .distinct()
        )
        rows = history.objects.filter(subject_id__in=subject_ids, seq=ref.seq)
        if model is models.Finding:
            rows = rows.filter(domain=ref.domain)
    ids = sorted(set(rows.values_list("id", flat=True)))
    if not ids:
        raise StoreError(f"no record {ref} in trial {trial.trial_id} (and no history of one)")
    labels = {m.field: m.variable for m in domain_columns(ref.domain) if not m.on_assessment}
    labels.update({"assessment_id": "tumour assessment", "extra": "other variables"})
    entries: list[HistoryEntry] = []
    for pk in ids:
        entries.extend(history_of(model, pk, labels))
    return sorted(entries, key=lambda e: e.when)
