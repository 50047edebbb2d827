"""Trials in the database: create one from a protocol, store a simulation, import a template, and
summarise what the database holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import connection, transaction

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import StoreError
from oncotrial.formats.protocol_files import dump_protocol_yaml, load_protocol_yaml
from oncotrial.formats.templates import TEMPLATES, Context, convert_template, read_template
from oncotrial.protocol.model import Protocol
from oncotrial.store import models
from oncotrial.store.audit import acting_as, get_user
from oncotrial.store.sdtm_export import find_trial
from oncotrial.store.sdtm_import import (
    ROW_COLUMN,
    ImportResult,
    import_sdtm,
    lock_trial,
    store_protocol,
)
from oncotrial.store.settings import describe_database

__all__ = [
    "DatabaseStatus",
    "TrialSummary",
    "database_status",
    "ensure_trial",
    "import_template",
    "store_simulation",
    "trial_context",
    "trial_protocol",
]


def ensure_trial(
    protocol: Protocol, *, user: str | None = None, trial_id: str | None = None
) -> str:
    """The trial for ``protocol`` (created if new); a changed protocol becomes a new version."""
    account = get_user(user)
    trial_id = trial_id or protocol.trial_id
    with transaction.atomic(), acting_as(account, f"protocol {protocol.trial_id} stored"):
        lock_trial(trial_id)
        trial = models.Trial.objects.filter(trial_id=trial_id).first()
        if trial is None:
            trial = models.Trial.objects.create(
                trial_id=trial_id, studyid=trial_id, title=protocol.title
            )
        store_protocol(trial, dump_protocol_yaml(protocol), note="protocol stored")
    return trial_id


def trial_protocol(trial: models.Trial | str) -> Protocol | None:
    """The trial's current protocol version, if it has one."""
    if isinstance(trial, str):
        trial = find_trial(trial)
    version = trial.protocol
    if version is None:
        return None
    return load_protocol_yaml(version.yaml, f"{trial.trial_id} protocol v{version.version}")


def trial_context(trial: models.Trial, ctcae: CtcaeDictionary | None = None) -> Context:
    protocol = trial_protocol(trial)
    if protocol is None:
        return Context(studyid=trial.studyid, ctcae=ctcae)
    arms = {arm.label: chr(ord("A") + i) for i, arm in enumerate(protocol.arms)}
    return Context(
        studyid=trial.studyid,
        arms=arms,
        interventions=tuple(i.name for i in protocol.interventions),
        randomized=protocol.is_randomized and len(protocol.arms) > 1,
        ctcae=ctcae,
    )


def store_simulation(
    result: Any,
    *,
    user: str | None = None,
    trial_id: str | None = None,
    ctcae: CtcaeDictionary | None = None,
) -> ImportResult:
    """Store a ``SimulatedTrial``: its protocol as version 1 and every SDTM record."""
    trial_id = trial_id or result.studyid
    if models.Trial.objects.filter(trial_id=trial_id).exists():
        raise StoreError(
            f"the database already holds trial {trial_id}; a simulation is stored as a new trial",
            hint="Pass --trial-id NEW_ID, or use another database (--db).",
        )
    frames = result.frames
    if trial_id != result.studyid:
        for frame in frames.values():
            frame["STUDYID"] = trial_id
    return import_sdtm(
        frames,
        trial_id=trial_id,
        title=result.protocol.title,
        protocol_yaml=dump_protocol_yaml(result.protocol),
        user=user,
        ctcae=ctcae,
        source_name=f"simulation of {result.protocol.trial_id} (n={result.n}, seed={result.seed})",
    )


def _drop_known_lesions(
    frames: dict[str, pd.DataFrame], existing: Mapping[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """A lesion is identified once: keep a TU record only for its first sighting."""
    tu = frames.get("TU")
    if tu is None:
        return frames
    key = ["USUBJID", "TULNKID", "TUEVAL", "TUEVALID"]
    work = tu.copy()
    for column in key:
        if column not in work.columns:
            work[column] = None
    marker = work[key].fillna("\u2400")
    stored = existing.get("TU")
    known = set()
    if stored is not None and len(stored):
        probe = stored.reindex(columns=key).fillna("\u2400")
        known = set(map(tuple, probe.to_numpy().tolist()))
    keep = []
    seen: set[tuple[Any, ...]] = set()
    order = (
        work.sort_values("TUDTC", kind="stable").index if "TUDTC" in work.columns else work.index
    )
    first = {}
    for index in order:
        identity = tuple(marker.loc[index].tolist())
        if identity in known or identity in seen:
            continue
        seen.add(identity)
        first[index] = True
    keep = [index in first for index in work.index]
    frames = dict(frames)
    frames["TU"] = tu[keep].reset_index(drop=True)
    if frames["TU"].empty:
        del frames["TU"]
    return frames


def import_template(
    entity: str,
    path: Path,
    *,
    trial_id: str,
    user: str | None = None,
    ctcae: CtcaeDictionary | None = None,
) -> ImportResult:
    """Import a filled template into an existing trial (all or nothing)."""
    trial = find_trial(trial_id)
    template = TEMPLATES[entity.strip().lower().replace("-", "_")]
    if "AE" in template.domains and ctcae is None:
        from oncotrial.formats.ctcae import load_ctcae

        ctcae = load_ctcae()
    records = convert_template(
        template.entity, read_template(path), trial_context(trial, ctcae), file=str(path)
    )
    frames = {}
    for domain, frame in records.frames.items():
        frames[domain] = frame.assign(**{ROW_COLUMN: records.rows[domain]})
    modes = {"DM": "change"} if template.updates_dm else {}
    reason = (
        f"{template.entity} recorded from {path.name} ({', '.join(template.updates_dm)})"
        if template.updates_dm
        else None
    )
    return import_sdtm(
        frames,
        trial_id=trial.trial_id,
        user=user,
        reason=reason,
        modes=modes,
        ctcae=ctcae,
        source_name=str(path),
        assign_seq=True,
        prepare=_drop_known_lesions if template.entity == "tumour_assessment" else None,
    )


@dataclass(frozen=True)
class TrialSummary:
    trial_id: str
    title: str
    protocol_version: int | None
    subjects: int
    records: dict[str, int]


@dataclass(frozen=True)
class DatabaseStatus:
    database: str
    vendor: str
    applied: int
    pending: tuple[str, ...]
    trials: tuple[TrialSummary, ...]
    users: int


def database_status() -> DatabaseStatus:
    """What the database is, whether it is migrated, and what it holds."""
    from django.contrib.auth import get_user_model
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = tuple(f"{m.app_label}.{m.name}" for m, _ in plan)
    applied = len(executor.loader.applied_migrations)
    trials: list[TrialSummary] = []
    if not pending:
        for trial in models.Trial.objects.order_by("trial_id"):
            counts: dict[str, int] = {}
            for domain, model in models.RECORD_MODELS.items():
                query = model.objects.filter(trial=trial)
                if model is models.Finding:
                    query = query.filter(domain=domain)
                count = query.count()
                if count:
                    counts[domain] = count
            for row in (
                models.OtherRecord.objects.filter(trial=trial)
                .values_list("domain")
                .order_by("domain")
                .distinct()
            ):
                counts[row[0]] = models.OtherRecord.objects.filter(
                    trial=trial, domain=row[0]
                ).count()
            version = trial.protocol
            trials.append(
                TrialSummary(
                    trial_id=trial.trial_id,
                    title=trial.title,
                    protocol_version=version.version if version else None,
                    subjects=models.Subject.objects.filter(trial=trial).count(),
                    records=counts,
                )
            )
    users = get_user_model().objects.count() if not pending else 0
    return DatabaseStatus(
        database=describe_database(dict(connection.settings_dict)),
        vendor=connection.vendor,
        applied=applied,
        pending=pending,
        trials=tuple(trials),
        users=users,
    )
