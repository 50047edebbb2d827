"""The sign-off tables of a subject's casebook: form status decisions, locks and signatures.

What a data manager expects from REDCap or OpenClinica (issue 13): per subject and visit, the
site marks the visit's forms complete, a monitor marks them source-data verified, a data manager
locks them (or the subject's whole casebook), and the investigator signs the casebook
electronically. These tables hold those decisions; whether a visit has data at all is derived
from the clinical records (``oncotrial.store.casebook``). Every change keeps its history with
django-simple-history under the store's audit rules (user on every row, reason on every change);
migration 0004 makes these history tables append-only like the others.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

__all__ = ["Casebook", "Signature", "VisitSignoff"]

# The forms of a subject that belong to no visit (demographics, adverse events, medications):
# signed off like a visit, under this key.
SUBJECT_FORMS = ""


def _person() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )


class Casebook(models.Model):
    """A subject's casebook: exists from the first sign-off decision on; holds the whole-casebook
    lock. Its row is what the edit hook reads first (no row: nothing to enforce)."""

    trial = models.ForeignKey("store.Trial", on_delete=models.PROTECT, related_name="+")
    subject = models.OneToOneField("store.Subject", on_delete=models.PROTECT, related_name="+")
    locked_by = _person()
    locked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()


class VisitSignoff(models.Model):
    """The decisions about one visit's forms of one subject (``visit`` "" = subject-level forms)."""

    trial = models.ForeignKey("store.Trial", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("store.Subject", on_delete=models.PROTECT, related_name="+")
    visit = models.CharField(max_length=200, blank=True, default=SUBJECT_FORMS)
    completed_by = _person()
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_by = _person()
    verified_at = models.DateTimeField(null=True, blank=True)
    locked_by = _person()
    locked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["subject", "visit"], name="visit_signoff_unique"),
        )


class Signature(models.Model):
    """An investigator's electronic signature of a subject's casebook (21 CFR 11.50: printed name,
    date and time, meaning), with the SHA-256 of the canonical serialization it was applied to.
    A later change to the casebook voids it (``voided_at``, ``void_reason``); it is never
    deleted."""

    trial = models.ForeignKey("store.Trial", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("store.Subject", on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.TextField()
    meaning = models.TextField()
    signed_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)
    content = models.TextField()  # the canonical serialization that was hashed
    excluded = models.JSONField(default=list)  # fields left out (arms in a masked trial)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True, default="")
    history = HistoricalRecords()
