"""Trials in the database as the web application sees them: import, protocol, progress, subjects.

A trial enters the database from a protocol (a bundled seed or an imported registry record): the
trial row, its protocol version (the YAML), one site per protocol location (SITEID ``01``, ``02``,
… in the protocol's order, docs/sdtm.md; one site ``01`` when the record lists none), and the
importing person as the trial's administrator — all in one transaction, audited.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from oncotrial.catalogue import subject as S
from oncotrial.enrollment import trial_arms
from oncotrial.errors import StoreError
from oncotrial.formats.protocol_files import dump_protocol_yaml, load_protocol_yaml
from oncotrial.protocol.model import Protocol
from oncotrial.protocol.vocabulary import Masking
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as
from oncotrial.store.conduct import Membership, ScreeningRecord
from oncotrial.store.sdtm_import import lock_trial, store_protocol
from oncotrial.web.roles import Role

__all__ = [
    "EnrollmentProgress",
    "SubjectSummary",
    "enrollment_progress",
    "import_trial",
    "is_masked",
    "protocol_of",
    "subject_summaries",
]


# Parsed protocols by the SHA-256 of their YAML (and the name they were parsed under): a request
# reads the current version's number and hash only, and the YAML (tens of kB) only when this
# process has not parsed it yet (issue 13: the text was read on every request of every page).
_PARSED: dict[tuple[str, str, int], Protocol] = {}
_PARSED_MAX = 64


def protocol_of(trial: db.Trial) -> Protocol:
    """The trial's current protocol (parsed once per protocol version and process)."""
    current = (
        trial.protocol_versions.order_by("-version").values_list("pk", "version", "sha256").first()
    )
    if current is None:
        raise StoreError(
            f"trial {trial.trial_id} has no protocol in the database",
            record=trial.trial_id,
            hint="Import its protocol again from the trial list.",
        )
    pk, number, sha256 = current
    key = (sha256, trial.trial_id, number)  # the name given to the parse is part of the result
    found = _PARSED.get(key)
    if found is None:
        yaml_text = trial.protocol_versions.filter(pk=pk).values_list("yaml", flat=True).get()
        found = load_protocol_yaml(yaml_text, f"{trial.trial_id} protocol v{number}")
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def is_masked(protocol: Protocol) -> bool:
    masking = protocol.design.masking
    return masking is not None and masking is not Masking.NONE


def import_trial(protocol: Protocol, *, user: Any, note: str = "") -> db.Trial:
    """Add a trial from its protocol (module docstring); an existing trial id is refused."""
    yaml_text = dump_protocol_yaml(protocol)
    trial_id = protocol.trial_id
    reason = note or f"trial imported from {protocol.source.name}"
    with transaction.atomic(), acting_as(user, reason):
        lock_trial(trial_id)
        if db.Trial.objects.filter(trial_id=trial_id).exists():
            raise StoreError(
                f"trial {trial_id} is already in the database; nothing was changed",
                record=trial_id,
                hint="Open it from the trial list.",
            )
        trial: db.Trial = db.Trial.objects.create(
            trial_id=trial_id, studyid=trial_id, title=protocol.title
        )
        store_protocol(trial, yaml_text, note=reason)
        locations = protocol.locations or ()
        if locations:
            for n, location in enumerate(locations, start=1):
                db.Site.objects.create(
                    trial=trial,
                    site_id=f"{n:02d}",
                    name=location.facility or location.city or f"Site {n:02d}",
                    country=location.country or "",
                )
        else:
            lead = protocol.sponsors.lead
            db.Site.objects.create(
                trial=trial, site_id="01", name=lead.name if lead else "Site 01", country=""
            )
        Membership.objects.create(user=user, trial=trial, role=Role.ADMINISTRATOR.value)
    return trial


@dataclass(frozen=True)
class SubjectSummary:
    usubjid: str
    subjid: str
    site: str
    sex: str
    age: float | None
    consent: str
    status: str  # in screening | eligible | screen failure | on study | off treatment | …
    arm_code: str | None
    arm: str | None
    allocated_on: str | None


_DEATH, _EOS, _EOT = S.DEATH, S.END_OF_STUDY, S.END_OF_TREATMENT
_STATUS_ORDER = (_DEATH, _EOS, _EOT)


def subject_summaries(
    trial: db.Trial, *, show_arms: bool, usubjid: str | None = None
) -> list[SubjectSummary]:
    """Every subject of the trial (or one) with their current status."""
    subjects = db.Subject.objects.filter(trial=trial).order_by("subjid", "usubjid")
    if usubjid is not None:
        subjects = subjects.filter(usubjid=usubjid)
    # Plain rows, not model instances (issue 13: building 500 Subject objects was a fifth of the
    # subject list's CPU time); the arm only when it may be shown.
    arms = ("armcd", "arm") if show_arms else ()
    rows = list(
        subjects.values_list("pk", "usubjid", "subjid", "siteid", "sex", "age", "rficdtc", *arms)
    )
    # The whole trial is read by trial id, not by a list of 500 ids sent with the query.
    where: dict[str, object] = (
        {"trial_id": trial.pk} if usubjid is None else {"subject_id__in": [r[0] for r in rows]}
    )
    events: dict[int, dict[str, str]] = defaultdict(dict)
    for subject_id, decod, scat, stdtc in db.Disposition.objects.filter(**where).values_list(
        "subject_id", "decod", "scat", "stdtc"
    ):
        key = (decod or "").upper()
        if (scat or "").upper() == _EOT:
            key = _EOT
        elif (scat or "").upper() == _EOS and key != _DEATH:
            key = _EOS
        events[subject_id][key] = stdtc or ""
    decisions = dict(ScreeningRecord.objects.filter(**where).values_list("subject_id", "decision"))
    summaries = []
    for pk, usubjid_, subjid, siteid, sex, age, rficdtc, *arm in rows:
        seen = events.get(pk, {})
        allocated = next((seen[t] for t in S.ALLOCATION_TERMS if seen.get(t)), None)
        if _DEATH in seen:
            status = "died"
        elif _EOS in seen:
            status = "off study"
        elif _EOT in seen:
            status = "off treatment"
        elif any(t in seen for t in S.ALLOCATION_TERMS):
            status = "on study"
        elif S.SCREEN_FAILURE in seen:
            status = "screen failure"
        elif decisions.get(pk) == "eligible":
            status = "eligible"
        else:
            status = "in screening"
        summaries.append(
            SubjectSummary(
                usubjid=usubjid_,
                subjid=subjid or "",
                site=siteid or "",
                sex=sex or "",
                age=age,
                consent=rficdtc or "",
                status=status,
                arm_code=arm[0] if show_arms else None,
                arm=arm[1] if show_arms else None,
                allocated_on=allocated,
            )
        )
    return summaries


@dataclass(frozen=True)
class EnrollmentProgress:
    target: int | None
    screened: int
    screen_failures: int
    enrolled: int
    by_arm: tuple[tuple[str, str, int], ...]  # (code, label, n); empty when arms are hidden
    by_month: tuple[tuple[str, int], ...]  # (YYYY-MM, cumulative enrolled)

    @property
    def percent(self) -> float | None:
        if not self.target:
            return None
        return min(100.0, 100.0 * self.enrolled / self.target)


def enrollment_progress(
    trial: db.Trial, protocol: Protocol, *, show_arms: bool
) -> EnrollmentProgress:
    subjects = db.Subject.objects.filter(trial=trial)
    allocations = db.Disposition.objects.filter(
        trial=trial, decod__in=list(db.Disposition.ALLOCATION_TERMS)
    )
    failures = db.Disposition.objects.filter(trial=trial, decod=S.SCREEN_FAILURE)
    # The allocations once, as plain rows: the enrolled subjects, their months and (with arms
    # shown) their arms come from them (issue 13: a query less on the home and trial pages).
    allocation_rows = list(allocations.values_list("subject_id", "stdtc"))
    allocated = {subject_id for subject_id, _ in allocation_rows}
    by_arm: tuple[tuple[str, str, int], ...] = ()
    if show_arms:
        # Matched here, not ``pk IN (subquery)``: without table statistics PostgreSQL ran that as
        # a nested loop over every subject × allocation (30-50 ms with 500 subjects; issue 13).
        counts = Counter(a for pk, a in subjects.values_list("pk", "armcd") if pk in allocated)
        by_arm = tuple((a.code, a.label, counts.get(a.code, 0)) for a in trial_arms(protocol))
    months = Counter(d[:7] for _, d in allocation_rows if d and len(d) >= 7)
    running = 0
    cumulative = []
    for month in _month_range(min(months), max(months)) if months else ():
        running += months.get(month, 0)
        cumulative.append((month, running))
    target = protocol.enrollment.count if protocol.enrollment else None
    return EnrollmentProgress(
        target=target,
        screened=subjects.count(),
        screen_failures=failures.values("subject_id").distinct().count(),
        enrolled=len(allocated),
        by_arm=by_arm,
        by_month=tuple(cumulative),
    )


def _month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` ('2025-11' … '2026-02'), gaps included."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def today() -> dt.date:
    """The server's date (the web layer may read the clock; the core never does)."""
    from django.utils import timezone

    local: dt.date = timezone.localdate()
    return local
