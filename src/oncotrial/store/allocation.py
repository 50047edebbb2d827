"""The concealed allocation list in the database, and allocating a subject atomically.

Making the list (``store_generated_list``, ``store_imported_list``) writes the scheme and every
slot in one transaction; a list can be replaced only while no slot has been used (rule ALLOC-4).
The seed of a generated list reveals the whole list, so it is kept as concealed as the list.

Allocating (``allocate``) runs in one transaction that first locks the trial's scheme row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transaction holds the database's write
lock): everyone randomizing in that trial queues there, so two people randomizing at the same
moment take consecutive slots — never the same slot, never skipping one (ALLOC-5). Locking the
scheme row rather than the next free slot matters on PostgreSQL: ``… WHERE subject IS NULL ORDER
BY position LIMIT 1 FOR UPDATE`` can return no row at all to the second transaction after the
first commits (its re-check drops the taken row without looking further).

The same transaction writes the DS ``RANDOMIZED`` record (date, stratum) and the subject's arm in
DM (``ARMCD``/``ARM``, docs/sdtm.md). A single-arm trial has no list: ``allocate`` enrolls
(DS ``ENROLLED``, arm A).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from oncotrial.catalogue import subject as subject_terms
from oncotrial.enrollment import (
    AllocationList,
    AllocationScheme,
    StratificationFactor,
    TrialArm,
    allocation_list_from_rows,
    allocation_ratio,
    generate_allocation_list,
    parse_factor,
    stratum_label,
    trial_arms,
)
from oncotrial.errors import IntegrityError, StoreError, ValueProblem
from oncotrial.protocol.model import Protocol
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as
from oncotrial.store.conduct import AllocationSlot, RandomizationScheme, ScreeningRecord
from oncotrial.store.entry import create_record, lock_subject
from oncotrial.store.mapping import model_fields
from oncotrial.store.sdtm_import import lock_trial

__all__ = [
    "Allocation",
    "allocate",
    "protocol_factors",
    "scheme_factors",
    "store_generated_list",
    "store_imported_list",
]


def protocol_factors(protocol: Protocol) -> tuple[StratificationFactor, ...]:
    """The protocol's stratification factors (levels where the protocol gives them)."""
    return tuple(parse_factor(text) for text in protocol.analysis.stratification_factors)


def with_levels(
    factors: Sequence[StratificationFactor], levels: Mapping[str, Sequence[str]]
) -> tuple[StratificationFactor, ...]:
    """Factors completed with the levels given for those the protocol names without levels."""
    out = []
    for factor in factors:
        given = [v.strip() for v in levels.get(factor.name, ()) if v.strip()]
        if not factor.levels:
            if len(given) < 2:
                raise ValueProblem(
                    f"give at least two levels for the stratification factor {factor.name!r}",
                    field=factor.name,
                    hint="Separate the levels with '|', e.g. '0 | 1'.",
                )
            factor = StratificationFactor(factor.name, tuple(given))
        out.append(factor)
    return tuple(out)


def scheme_factors(scheme: RandomizationScheme) -> tuple[StratificationFactor, ...]:
    return tuple(StratificationFactor(f["name"], tuple(f["levels"])) for f in scheme.factors)


def _store(
    trial: db.Trial,
    allocation: AllocationList,
    arms: Sequence[TrialArm],
    factors: Sequence[StratificationFactor],
    *,
    method: str,
    source: str,
    settings: Mapping[str, Any],
    user: Any,
) -> RandomizationScheme:
    reason = f"allocation list {method} ({len(allocation)} slots)"
    with transaction.atomic(), acting_as(user, reason):
        lock_trial(trial.trial_id)
        existing = RandomizationScheme.objects.select_for_update().filter(trial=trial).first()
        if existing is not None:
            if existing.slots.filter(subject__isnull=False).exists():
                raise IntegrityError(
                    f"the allocation list of {trial.trial_id} has been used and is locked; "
                    "nothing was changed",
                    record=trial.trial_id,
                    hint="A list cannot be replaced once a subject has been randomized "
                    "(ICH E9 §2.3.2).",
                )
            with acting_as(user, "allocation list replaced before first use"):
                for slot in existing.slots.all():
                    slot.delete()
                existing.delete()
        scheme: RandomizationScheme = RandomizationScheme.objects.create(
            trial=trial,
            method=method,
            source=source,
            arms=[{"code": a.code, "label": a.label} for a in arms],
            factors=[{"name": f.name, "levels": list(f.levels)} for f in factors],
            sha256=allocation.sha256,
            created_by=user,
            **settings,
        )
        slots = [
            AllocationSlot(
                scheme=scheme,
                stratum=s.stratum,
                position=s.position,
                arm=s.arm,
                block=s.block,
                block_size=s.block_size,
            )
            for s in allocation
        ]
        bulk_create_with_history(
            slots, AllocationSlot, batch_size=500, default_user=user, default_change_reason=reason
        )
    return scheme


def _require_randomized(protocol: Protocol) -> tuple[TrialArm, ...]:
    if not protocol.is_randomized:
        raise ValueProblem(
            f"trial {protocol.trial_id} is not randomized; subjects are enrolled without a list",
            record=protocol.trial_id,
            field="design.allocation",
        )
    return trial_arms(protocol)


def store_generated_list(
    trial: db.Trial,
    protocol: Protocol,
    *,
    block_sizes: Sequence[int],
    seed: int,
    slots_per_stratum: int,
    levels: Mapping[str, Sequence[str]],
    user: Any,
) -> RandomizationScheme:
    arms = _require_randomized(protocol)
    factors = with_levels(protocol_factors(protocol), levels)
    ratio = allocation_ratio(protocol)
    scheme = AllocationScheme(
        arms=tuple(a.code for a in arms),
        ratio=ratio,
        block_sizes=tuple(block_sizes),
        factors=factors,
        seed=seed,
        slots_per_stratum=slots_per_stratum,
    )
    allocation = generate_allocation_list(scheme)
    return _store(
        trial,
        allocation,
        arms,
        factors,
        method="generated",
        source="",
        settings={
            "ratio": list(ratio),
            "block_sizes": list(block_sizes),
            "seed": seed,
            "slots_per_stratum": slots_per_stratum,
        },
        user=user,
    )


def store_imported_list(
    trial: db.Trial,
    protocol: Protocol,
    rows: Sequence[Mapping[str, str | None]],
    *,
    source: str,
    group_codes: Mapping[str, str],
    levels: Mapping[str, Sequence[str]],
    user: Any,
) -> RandomizationScheme:
    arms = _require_randomized(protocol)
    factors = with_levels(protocol_factors(protocol), levels)
    allocation = allocation_list_from_rows(
        rows, arms=arms, factors=factors, source=source, group_codes=group_codes
    )
    return _store(
        trial,
        allocation,
        arms,
        factors,
        method="imported",
        source=source,
        settings={"ratio": list(allocation_ratio(protocol))},
        user=user,
    )


@dataclass(frozen=True)
class Allocation:
    usubjid: str
    arm_code: str
    arm: str
    stratum: str
    date: dt.date
    randomized: bool  # False: enrolled in a single-arm (or non-randomized) trial
    slot_position: int | None = None


def allocate(
    trial: db.Trial,
    protocol: Protocol,
    subject: db.Subject,
    *,
    date: dt.date,
    factor_values: Mapping[str, str],
    user: Any,
    chosen_arm: str | None = None,
) -> Allocation:
    """Randomize (or enroll) an eligible subject; see the module docstring."""
    arms = trial_arms(protocol)
    if not arms:
        raise ValueProblem(
            f"trial {trial.trial_id}'s protocol lists no arms; add them before enrolling",
            record=trial.trial_id,
            field="arms",
        )
    with (
        transaction.atomic(),
        acting_as(user, "randomization" if protocol.is_randomized else "enrollment"),
    ):
        scheme = None
        if protocol.is_randomized:
            scheme = RandomizationScheme.objects.select_for_update().filter(trial=trial).first()
            if scheme is None:
                raise StoreError(
                    f"trial {trial.trial_id} has no allocation list yet; nothing was done",
                    record=trial.trial_id,
                    hint="The trial statistician generates or imports it on the Randomization "
                    "page before the first subject.",
                )
        else:
            lock_trial(trial.trial_id)
        locked = lock_subject(subject)
        if db.Disposition.objects.filter(
            subject=locked, decod__in=list(db.Disposition.ALLOCATION_TERMS)
        ).exists():
            raise IntegrityError(
                f"{locked.usubjid} is already randomized or enrolled; nothing was done",
                record=locked.usubjid,
            )
        screening = ScreeningRecord.objects.filter(subject=locked).first()
        if screening is None or screening.decision != "eligible":
            raise IntegrityError(
                f"{locked.usubjid} has not been registered as eligible; nothing was done",
                record=locked.usubjid,
                hint="Complete the screening and register the patient as eligible first.",
            )
        consent = locked.rficdtc
        if consent and date.isoformat() < consent[:10]:
            raise ValueProblem(
                f"the date {date} is before informed consent ({consent})", field="date"
            )
        position = None
        if scheme is not None:
            factors = scheme_factors(scheme)
            stratum = stratum_label(factors, factor_values)
            slot = (
                AllocationSlot.objects.filter(scheme=scheme, stratum=stratum, subject__isnull=True)
                .order_by("position")
                .first()
            )
            if slot is None:
                raise StoreError(
                    f"the allocation list has no free slot left in stratum "
                    f"{stratum or '(all subjects)'}; nothing was done",
                    record=locked.usubjid,
                    hint="The trial statistician must extend the list (same seed, more slots).",
                )
            slot.subject = locked
            slot.allocated_at = timezone.now()
            slot.allocated_by = user
            slot.save(update_fields=["subject", "allocated_at", "allocated_by"])
            code = slot.arm
            position = slot.position
            term = subject_terms.RANDOMIZED
        else:
            stratum = ""
            codes = {a.code for a in arms}
            if len(arms) == 1:
                code = arms[0].code
            elif chosen_arm in codes:
                code = str(chosen_arm)
            else:
                raise ValueProblem(
                    "this non-randomized trial has several arms: choose the subject's arm",
                    field="arm",
                )
            term = subject_terms.ENROLLED
        label = next(a.label for a in arms if a.code == code)
        create_record(
            db.Disposition,
            locked,
            {
                **model_fields("DS", subject_terms.allocation_record(term, stratum or None)),
                "stdtc": date.isoformat(),
            },
            user=user,
        )
        locked.armcd = code
        locked.arm = label
        locked.save(update_fields=["armcd", "arm"])
    return Allocation(
        usubjid=locked.usubjid,
        arm_code=code,
        arm=label,
        stratum=stratum,
        date=date,
        randomized=scheme is not None,
        slot_position=position,
    )
