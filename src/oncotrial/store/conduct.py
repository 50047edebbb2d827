"""The trial's conduct around its clinical records: roles, allocation, screening, queries, logins.

Clinical records are in ``oncotrial.store.models``; these tables hold who holds which role in a
trial (the delegation log), the concealed allocation list and its slots, each subject's screening,
data queries, login attempts and report builds. They are part of the one trial database (the
store's Django app, one migration chain), so the command line, the application layer and the web
application reach them alike. Every one of them that a person changes keeps its history with
django-simple-history, under the store's audit rules (user on every row, reason on every change,
history tables append-only — the store's migration 0001 installs the triggers).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from oncotrial.store.roles import Role

__all__ = [
    "AllocationSlot",
    "LoginAttempt",
    "LoginUnlock",
    "Membership",
    "Query",
    "QueryMessage",
    "RandomizationScheme",
    "ReportBuild",
    "ScreeningRecord",
]


ROLE_CHOICES = [(r.value, r.label) for r in Role]


class Membership(models.Model):
    """One role of one person in one trial."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trial_roles"
    )
    trial = models.ForeignKey("store.Trial", on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    granted_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "trial", "role"], name="membership_unique"),
        )


class RandomizationScheme(models.Model):
    """A trial's concealed allocation list: how it was made, and its digest."""

    trial = models.OneToOneField(
        "store.Trial", on_delete=models.PROTECT, related_name="randomization"
    )
    method = models.CharField(max_length=20)  # generated | imported
    source = models.TextField(blank=True, default="")  # imported file name
    arms = models.JSONField()  # [{"code": "A", "label": "…"}]
    ratio = models.JSONField(null=True, blank=True)
    block_sizes = models.JSONField(null=True, blank=True)
    factors = models.JSONField()  # [{"name": "…", "levels": ["…"]}]
    seed = models.BigIntegerField(null=True, blank=True)
    slots_per_stratum = models.IntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()


class AllocationSlot(models.Model):
    """One slot of the list; ``subject`` is set, once, when a subject takes it."""

    scheme = models.ForeignKey(RandomizationScheme, on_delete=models.PROTECT, related_name="slots")
    stratum = models.TextField(blank=True, default="")
    position = models.IntegerField()
    arm = models.CharField(max_length=8)
    block = models.IntegerField(null=True, blank=True)
    block_size = models.IntegerField(null=True, blank=True)
    subject = models.OneToOneField(
        "store.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocation",
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["scheme", "stratum", "position"], name="allocation_slot_unique"
            ),
        )
        indexes = (models.Index(fields=["scheme", "stratum", "position"], name="slot_order"),)


class ScreeningRecord(models.Model):
    """A subject's screening: the patient record entered, the result, and the decision."""

    trial = models.ForeignKey("store.Trial", on_delete=models.PROTECT, related_name="+")
    subject = models.OneToOneField(
        "store.Subject", on_delete=models.PROTECT, related_name="screening"
    )
    patient = models.JSONField()
    result = models.JSONField(null=True, blank=True)
    overall = models.CharField(max_length=20, blank=True, default="")
    as_of = models.DateField()
    checklist = models.JSONField(default=dict, blank=True)  # criterion id -> confirmed answer
    decision = models.CharField(max_length=20, blank=True, default="")  # eligible | screen failure
    reasons = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()


class Query(models.Model):
    """A data query raised by a monitor on a subject's record (or the subject)."""

    OPEN, ANSWERED, CLOSED = "open", "answered", "closed"

    trial = models.ForeignKey("store.Trial", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "store.Subject", on_delete=models.PROTECT, related_name="queries", null=True, blank=True
    )
    entity = models.CharField(max_length=40, blank=True, default="")
    record_id = models.BigIntegerField(null=True, blank=True)
    field = models.CharField(max_length=60, blank=True, default="")
    text = models.TextField()
    status = models.CharField(max_length=10, default=OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()


class QueryMessage(models.Model):
    """One message of a query's thread (append-only: never edited)."""

    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    action = models.CharField(max_length=10)  # raised | answered | closed | reopened
    at = models.DateTimeField(auto_now_add=True)


class LoginAttempt(models.Model):
    """Every login attempt, for throttling and the security log."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()
    succeeded = models.BooleanField()

    class Meta:
        indexes = (
            models.Index(fields=["username", "at"], name="login_user_at"),
            models.Index(fields=["ip", "at"], name="login_ip_at"),
        )


class LoginUnlock(models.Model):
    """An administrator's release of an account throttled by failed sign-ins (kept, like the
    attempts, for the security log): failures before it no longer count for the account."""

    username = models.CharField(max_length=150)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = (models.Index(fields=["username", "at"], name="unlock_user_at"),)


class ReportBuild(models.Model):
    """One trial report built in the application: its cut-off, who built it, where its files are.

    Builds are never changed: a new cut-off or new data make a new build.
    """

    trial = models.ForeignKey("store.Trial", on_delete=models.PROTECT, related_name="+")
    cutoff = models.DateField()
    cutoff_stated = models.BooleanField()
    generated = models.DateTimeField()
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    folder = models.TextField()  # under the data directory
    simulated = models.BooleanField(default=False)
    summary = models.JSONField()  # endpoints' headlines, participant flow, figures
