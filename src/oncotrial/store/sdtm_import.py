"""Import SDTM domain frames into the trial database: all-or-nothing, audited.

``import_sdtm(frames, …)`` checks every record (``oncotrial.store.validation``) and, only when
there is no problem at all, writes them in one transaction holding the trial's write lock, each
record with its history row (user, time, reason). Two modes:

- ``add`` (default): every record is new; a record already stored is a problem.
- ``update``: records already stored (same USUBJID and --SEQ) are updated where their values
  differ — each change audited with the required ``reason`` — and new ones are added.

Uninterpreted domains (SV, MH, SUPPxx, …) are stored as they are (``OtherRecord``); in ``update``
mode their stored records are replaced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from django.db import IntegrityError as DjangoIntegrityError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import IntegrityError, StoreError, ValueProblem
from oncotrial.formats.sdtm_spec import to_text_frame
from oncotrial.store import models
from oncotrial.store.audit import acting_as, get_user
from oncotrial.store.bulk import BulkWriter
from oncotrial.store.mapping import ColumnMap, domain_columns, model_for
from oncotrial.store.sdtm_export import export_sdtm
from oncotrial.store.validation import NONE_KEY as _NONE_KEY
from oncotrial.store.validation import Source, lesion_index, validate_frames

__all__ = ["ROW_COLUMN", "ImportResult", "import_sdtm", "lock_trial", "store_protocol"]

_IDENTIFIERS = {"STUDYID", "DOMAIN", "USUBJID"}
ROW_COLUMN = "__ROW"  # the template row a record came from (not stored)


@dataclass(frozen=True)
class ImportResult:
    trial_id: str
    created_trial: bool
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    protocol_version: int | None = None

    @property
    def total_inserted(self) -> int:
        return sum(self.inserted.values())


def lock_trial(trial_id: str) -> None:
    """Serialize writers of one trial until the transaction ends.

    PostgreSQL: a transaction-level advisory lock on the trial id (it also covers creating the
    trial). SQLite: the IMMEDIATE transaction already holds the database's write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"oncotrial:{trial_id}"])


def store_protocol(trial: models.Trial, yaml_text: str, note: str = "") -> int:
    """Store the protocol YAML as a new version when it differs from the current one."""
    digest = hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()
    current = trial.protocol_versions.order_by("-version").first()
    if current is not None and current.sha256 == digest:
        return int(current.version)
    version = (current.version + 1) if current else 1
    models.ProtocolVersion.objects.create(
        trial=trial, version=version, yaml=yaml_text, sha256=digest, note=note
    )
    return version


def _studyid(frames: Mapping[str, pd.DataFrame], fallback: str | None) -> str:
    found: set[str] = set()
    for frame in frames.values():
        if "STUDYID" in frame.columns:
            found.update(frame["STUDYID"].dropna().unique().tolist())
    if len(found) > 1:
        raise ValueProblem(
            f"the files hold several studies ({', '.join(sorted(found))}); import one trial at a "
            "time",
            field="STUDYID",
        )
    if found:
        return found.pop()
    if fallback:
        return fallback
    raise ValueProblem(
        "no STUDYID in the files and no trial given", field="STUDYID", hint="Pass --trial ID."
    )


def import_sdtm(
    frames: Mapping[str, pd.DataFrame],
    *,
    trial_id: str | None = None,
    title: str = "",
    protocol_yaml: str | None = None,
    user: str | None = None,
    reason: str | None = None,
    mode: str = "add",
    modes: Mapping[str, str] | None = None,
    sources: Mapping[str, Source] | None = None,
    ctcae: CtcaeDictionary | Callable[[], CtcaeDictionary] | None = None,
    source_name: str = "SDTM import",
    assign_seq: bool = False,
    prepare: Callable[
        [dict[str, pd.DataFrame], Mapping[str, pd.DataFrame]], dict[str, pd.DataFrame]
    ]
    | None = None,
) -> ImportResult:
    """Check and store SDTM frames (see the module docstring); raises with every problem found.

    ``modes`` sets the mode per domain (``add``, ``update``, ``change`` = stored records only);
    ``assign_seq`` numbers records without --SEQ after the subject's stored ones (inside the
    trial's write lock, so that concurrent imports never take the same number); ``prepare``
    adjusts the incoming frames once the stored records are known (also inside the lock).
    """
    modes = dict(modes or {})
    if ({mode, *modes.values()} - {"add"}) and not (reason or "").strip():
        raise ValueProblem(
            "updating stored records needs a reason", hint="Pass --reason TEXT with --update."
        )
    incoming = {
        domain.upper(): to_text_frame(frame.reset_index(drop=True), domain.upper())
        for domain, frame in frames.items()
    }
    studyid = _studyid(incoming, trial_id)
    trial_id = trial_id or studyid
    account = get_user(user)
    dictionary = _dictionary_loader(ctcae)
    now = timezone.now()
    first_entry_reason = reason or f"first entry: {source_name}"
    try:
        with transaction.atomic(), acting_as(account, first_entry_reason):
            lock_trial(trial_id)
            trial = models.Trial.objects.filter(trial_id=trial_id).first()
            if trial is not None and trial.studyid != studyid:
                raise ValueProblem(
                    f"trial {trial_id} holds study {trial.studyid!r}, the files study {studyid!r}",
                    field="STUDYID",
                )
            existing = _existing(trial, incoming)
            if prepare is not None:
                incoming = prepare(incoming, existing)
            if assign_seq:
                incoming = {d: _assign_seq(d, f, existing.get(d)) for d, f in incoming.items()}
            sources = dict(sources or {})
            for domain, frame in list(incoming.items()):
                if ROW_COLUMN in frame.columns:  # records made from template rows
                    base = sources.get(domain) or Source(source_name)
                    rows = tuple(int(r) for r in frame[ROW_COLUMN])
                    sources[domain] = Source(base.name, base.first_row, rows)
                    incoming[domain] = frame.drop(columns=[ROW_COLUMN]).reset_index(drop=True)
            problems = validate_frames(
                incoming,
                existing,
                studyid=studyid,
                mode=mode,
                modes=modes,
                sources=sources,
                ctcae=dictionary,
            )
            if problems:
                files = sorted({p.file for p in problems if p.file})
                raise ValueProblem(
                    f"{len(problems)} problem(s) in {', '.join(files) or 'the import'}; nothing "
                    "was written",
                    hint="Correct the rows listed and import the files again.",
                    problems=problems,
                )
            created = trial is None
            if trial is None:
                trial = models.Trial.objects.create(trial_id=trial_id, studyid=studyid, title=title)
            elif title and not trial.title:
                trial.title = title
                trial._change_reason = "title added"
                trial.save()
            version = None
            if protocol_yaml is not None:
                version = store_protocol(trial, protocol_yaml, note=first_entry_reason)
            writer = _Writer(
                trial,
                existing,
                BulkWriter(user_id=account.pk, reason=first_entry_reason, when=now),
                reason,
                mode,
                modes,
            )
            writer.write(incoming)
            return ImportResult(
                trial_id=trial_id,
                created_trial=created,
                inserted=writer.inserted,
                updated=writer.updated,
                unchanged=writer.unchanged,
                protocol_version=version,
            )
    except DjangoIntegrityError as exc:
        raise IntegrityError(
            f"the database refused the import ({exc}); nothing was written",
            hint="Another user may have written the same records at the same time; check and "
            "import again.",
        ) from exc


def _dictionary_loader(
    ctcae: CtcaeDictionary | Callable[[], CtcaeDictionary] | None,
) -> Callable[[], CtcaeDictionary]:
    if isinstance(ctcae, CtcaeDictionary):
        return lambda: ctcae
    if ctcae is not None:
        return ctcae

    def load() -> CtcaeDictionary:
        from oncotrial.formats.ctcae import load_ctcae

        return load_ctcae()

    return load


def _existing(
    trial: models.Trial | None, incoming: Mapping[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """The stored records of the subjects the import touches (for key and cross-record checks)."""
    if trial is None:
        return {}
    touched: set[str] = set()
    for frame in incoming.values():
        if "USUBJID" in frame.columns:
            touched.update(frame["USUBJID"].dropna().unique().tolist())
    frames = export_sdtm(trial, domains=["DM", *models.RECORD_MODELS], usubjids=touched)
    for domain in incoming:
        if model_for(domain) is None:
            frames.update(export_sdtm(trial, domains=[domain]))
    return frames


def _assign_seq(domain: str, frame: pd.DataFrame, stored: pd.DataFrame | None) -> pd.DataFrame:
    """Number records without --SEQ after the subject's highest stored (or given) one."""
    if model_for(domain) is None or domain == "DM" or "USUBJID" not in frame.columns:
        return frame
    name = f"{domain}SEQ"
    frame = frame.copy()
    if name not in frame.columns:
        frame.insert(list(frame.columns).index("USUBJID") + 1, name, None)
    missing = frame[name].isna()
    if not missing.any():
        return frame
    highest: dict[Hashable, float] = {}  # USUBJID -> the highest number it has
    for source in (stored, frame):
        if source is not None and len(source) and name in source.columns:
            numbers = pd.to_numeric(source[name], errors="coerce")
            for subject, value in numbers.groupby(source["USUBJID"]).max().items():
                if value == value:
                    highest[subject] = max(highest.get(subject, 0.0), float(value))
    order = frame[missing].groupby("USUBJID").cumcount() + 1
    start = frame.loc[missing, "USUBJID"].map(lambda u: highest.get(u, 0.0))
    frame.loc[missing, name] = [str(int(v)) for v in (start + order)]
    return frame


def _value(text: Any, kind: str) -> Any:
    if text is None:
        return None
    if kind == "float":
        return float(text)
    if kind == "int":
        return int(float(text))
    return text


def _convert(series: pd.Series, kind: str) -> Any:
    """Model field values from a text column (validation has checked the numbers)."""
    if kind == "text":
        return series.to_numpy(dtype=object).tolist()
    return pd.to_numeric(series).to_numpy(dtype=np.float64, na_value=np.nan)


class _Writer:
    def __init__(
        self,
        trial: models.Trial,
        existing: Mapping[str, pd.DataFrame],
        bulk: BulkWriter,
        reason: str | None,
        mode: str,
        modes: Mapping[str, str] | None = None,
    ) -> None:
        self.trial = trial
        self.existing = existing
        self.bulk = bulk
        self.reason = reason
        self.mode = mode
        self.modes = dict(modes or {})
        self.inserted: dict[str, int] = {}
        self.updated: dict[str, int] = {}
        self.unchanged: dict[str, int] = {}
        self.subject_ids: dict[str, int] = dict(
            models.Subject.objects.filter(trial=trial).values_list("usubjid", "id")
        )

    # -- orchestration -----------------------------------------------------------------------
    def write(self, frames: Mapping[str, pd.DataFrame]) -> None:
        # A fixed order (subjects, lesions, then the model order, then other domains by name):
        # concurrent imports then lock tables in the same order and cannot deadlock.
        known = ["DM", "TU", *(d for d in models.RECORD_MODELS if d != "TU")]
        order = [d for d in known if d in frames] + sorted(d for d in frames if d not in known)
        for domain in order:
            frame = frames.get(domain)
            if frame is None:
                continue
            self._layout(domain, frame)
            if model_for(domain) is None:
                self._other(domain, frame)
                continue
            new, changed = self._split(domain, frame)
            if changed is not None and len(changed):
                self._update(domain, changed)
            if len(new):
                self._insert(domain, new)
            self.inserted[domain] = self.inserted.get(domain, 0) + len(new)

    def _split(self, domain: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        if self.modes.get(domain, self.mode) == "add":
            return frame, None
        stored = self.existing.get(domain)
        if stored is None or stored.empty:
            return frame, None
        key = ["USUBJID"] if domain == "DM" else ["USUBJID", f"{domain}SEQ"]
        probe = frame[key].copy()
        known = stored[key].copy()
        if domain != "DM":
            probe[key[1]] = pd.to_numeric(probe[key[1]])
            known[key[1]] = pd.to_numeric(known[key[1]])
        marker = probe.merge(known.drop_duplicates(), on=key, how="left", indicator=True)["_merge"]
        is_new = (marker == "left_only").to_numpy()
        return frame[is_new], frame[~is_new]

    def _layout(self, domain: str, frame: pd.DataFrame) -> None:
        columns = [str(c) for c in frame.columns]
        layout = models.DomainLayout.objects.filter(trial=self.trial, domain=domain).first()
        if layout is None:
            models.DomainLayout.objects.create(trial=self.trial, domain=domain, columns=columns)
            return
        added = [c for c in columns if c not in layout.columns]
        if added:
            layout.columns = [*layout.columns, *added]
            layout._change_reason = (
                self.reason or f"variables {', '.join(added)} added by an import"
            )
            layout.save()

    # -- inserts ---------------------------------------------------------------------------------
    def _fields(self, domain: str, frame: pd.DataFrame) -> tuple[dict[str, list[Any]], list[Any]]:
        """Model field values and the ``extra`` dicts of ``frame``'s rows."""
        maps = [m for m in domain_columns(domain) if not m.on_assessment]
        values: dict[str, list[Any]] = {}
        for m in maps:
            if m.variable in frame.columns:
                values[m.field] = _convert(frame[m.variable], m.kind)
        mapped = {m.variable for m in domain_columns(domain)}
        extra_columns = [c for c in frame.columns if c not in mapped and c not in _IDENTIFIERS]
        extras: list[Any] = [None] * len(frame)
        if extra_columns:
            part = frame[extra_columns]
            for position, row in enumerate(part.itertuples(index=False, name=None)):
                data = {
                    name: value
                    for name, value in zip(extra_columns, row, strict=True)
                    if value is not None and value == value
                }
                extras[position] = data or None
        return values, extras

    def _insert(self, domain: str, frame: pd.DataFrame) -> None:
        model = model_for(domain)
        assert model is not None
        frame = frame.reset_index(drop=True)
        values, extras = self._fields(domain, frame)
        n = len(frame)
        columns: dict[str, Any] = {**values, "extra": extras, "trial_id": [self.trial.pk] * n}
        if domain == "DM":
            columns["usubjid"] = frame["USUBJID"].tolist()
            columns["site_id"] = self._sites(frame)
            ids = self.bulk.insert(models.Subject, columns)
            self.subject_ids.update(zip(frame["USUBJID"].tolist(), ids.tolist(), strict=True))
            return
        columns["subject_id"] = [self.subject_ids[u] for u in frame["USUBJID"].tolist()]
        if model is models.Finding:
            columns["domain"] = [domain] * n
        if domain in ("TR", "RS"):
            columns["assessment_id"] = self._assessments(domain, frame)
        if domain == "TR":
            columns["lesion_id"] = self._lesion_ids(frame)
        self.bulk.insert(model, columns)

    def _sites(self, frame: pd.DataFrame) -> list[int | None]:
        if "SITEID" not in frame.columns:
            return [None] * len(frame)
        known = dict(models.Site.objects.filter(trial=self.trial).values_list("site_id", "id"))
        for site in sorted(set(frame["SITEID"].dropna().tolist()) - set(known)):
            known[site] = models.Site.objects.create(
                trial=self.trial, site_id=site, name=f"Site {site}"
            ).pk
        return [known.get(s) if s is not None else None for s in frame["SITEID"].tolist()]

    def _assessments(self, domain: str, frame: pd.DataFrame) -> list[int]:
        """The tumour assessment of each TR/RS row, created when new (see mapping)."""
        keys = pd.DataFrame(
            {
                "subject_id": [self.subject_ids[u] for u in frame["USUBJID"].tolist()],
                "visit": frame.get("VISIT"),
                "visitnum": pd.to_numeric(frame["VISITNUM"], errors="coerce")
                if "VISITNUM" in frame.columns
                else np.nan,
                "dtc": frame.get(f"{domain}DTC"),
                "evaluator": frame.get(f"{domain}EVAL"),
                "evaluator_id": frame.get(f"{domain}EVALID"),
            }
        )
        key = ["subject_id", "visit", "visitnum", "dtc", "evaluator", "evaluator_id"]
        subjects = sorted(set(keys["subject_id"].tolist()))
        stored = pd.DataFrame.from_records(
            list(
                models.TumourAssessment.objects.filter(
                    trial=self.trial, subject_id__in=subjects
                ).values_list("id", *key)
            )
            if len(subjects) < 5000
            else list(
                models.TumourAssessment.objects.filter(trial=self.trial).values_list("id", *key)
            ),
            columns=["id", *key],
        )
        sentinel = {c: _NONE_KEY for c in key if c not in ("subject_id", "visitnum")}
        left = keys.fillna(sentinel).fillna({"visitnum": -1e300})
        right = stored.fillna(sentinel).fillna({"visitnum": -1e300}).drop_duplicates(key)
        right["visitnum"] = right["visitnum"].astype(float)
        left["visitnum"] = left["visitnum"].astype(float)
        merged = left.merge(right, on=key, how="left")
        missing = merged["id"].isna().to_numpy()
        if missing.any():
            new_keys = left[missing].drop_duplicates(key)
            ids = self.bulk.reserve_ids(models.TumourAssessment, len(new_keys))
            raw = keys.loc[new_keys.index]
            self.bulk.insert(
                models.TumourAssessment,
                {
                    "trial_id": [self.trial.pk] * len(raw),
                    "subject_id": raw["subject_id"].tolist(),
                    "visit": _convert(raw["visit"], "text") if "visit" in raw else None,
                    "visitnum": raw["visitnum"].tolist(),
                    "dtc": _convert(raw["dtc"], "text"),
                    "evaluator": _convert(raw["evaluator"], "text"),
                    "evaluator_id": _convert(raw["evaluator_id"], "text"),
                },
                ids=ids,
            )
            created = new_keys.assign(id=ids)
            refill = left[missing].merge(created, on=key, how="left")["id"].to_numpy()
            merged.loc[missing, "id"] = refill
        return [int(i) for i in merged["id"].tolist()]

    def _lesion_ids(self, frame: pd.DataFrame) -> list[int]:
        subjects = sorted({self.subject_ids[u] for u in frame["USUBJID"].tolist()})
        query = models.Lesion.objects.filter(trial=self.trial)
        if len(subjects) < 5000:
            query = query.filter(subject_id__in=subjects)
        rows = list(
            query.values_list("id", "subject__usubjid", "link_id", "evaluator", "evaluator_id")
        )
        lesions = pd.DataFrame.from_records(
            rows, columns=["id", "USUBJID", "LNKID", "EVAL", "EVALID"]
        )
        wanted = pd.DataFrame(
            {
                "USUBJID": frame["USUBJID"],
                "LNKID": frame.get("TRLNKID"),
                "EVAL": frame.get("TREVAL"),
                "EVALID": frame.get("TREVALID"),
            }
        )
        found = lesion_index(lesions, wanted)
        if (found < 0).any():  # validation guarantees a lesion; a concurrent delete would not
            raise StoreError("a measured lesion disappeared during the import; nothing was written")
        ids: list[int] = lesions["id"].to_numpy()[found].tolist()
        return ids

    def _other(self, domain: str, frame: pd.DataFrame) -> None:
        stored = models.OtherRecord.objects.filter(trial=self.trial, domain=domain)
        if stored.exists():
            if self.modes.get(domain, self.mode) == "add":
                raise ValueProblem(
                    f"the trial already holds {domain} records; nothing was written",
                    hint="Import with --update and a --reason to replace them.",
                )
            for record in stored:
                record._change_reason = self.reason
                record.delete()
            self.updated[domain] = len(frame)
        records = frame.astype(object).where(frame.notna(), None)
        data = [
            dict(zip(records.columns, row, strict=True))
            for row in records.itertuples(index=False, name=None)
        ]
        n = len(frame)
        seq_name = f"{domain}SEQ"
        self.bulk.insert(
            models.OtherRecord,
            {
                "trial_id": [self.trial.pk] * n,
                "domain": [domain] * n,
                "position": list(range(n)),
                "usubjid": records["USUBJID"].tolist() if "USUBJID" in records else None,
                "seq": [
                    None if v is None else int(float(v)) if _is_int(v) else None
                    for v in (records[seq_name].tolist() if seq_name in records else [None] * n)
                ],
                "data": data,
            },
        )
        self.inserted[domain] = n

    # -- updates -----------------------------------------------------------------------------
    def _update(self, domain: str, frame: pd.DataFrame) -> None:
        model = model_for(domain)
        assert model is not None
        stored = self.existing[domain]
        key = ["USUBJID"] if domain == "DM" else ["USUBJID", f"{domain}SEQ"]
        stored_by_key = {_key(row, key): row for row in _records(stored)}
        maps = domain_columns(domain)
        changed = unchanged = 0
        for row in _records(frame):
            before = stored_by_key[_key(row, key)]
            differences = [
                name
                for name in row
                if name not in _IDENTIFIERS and row.get(name) != before.get(name)
            ]
            if not differences:
                unchanged += 1
                continue
            changed += 1
            self._update_record(domain, model, maps, row, differences)
        self.updated[domain] = self.updated.get(domain, 0) + changed
        self.unchanged[domain] = self.unchanged.get(domain, 0) + unchanged

    def _update_record(
        self,
        domain: str,
        model: type[Model],
        maps: tuple[ColumnMap, ...],
        row: dict[str, Any],
        differences: list[str],
    ) -> None:
        if domain == "DM":
            record = model.objects.get(trial=self.trial, usubjid=row["USUBJID"])
        else:
            query = model.objects.filter(
                subject_id=self.subject_ids[row["USUBJID"]], seq=int(float(row[f"{domain}SEQ"]))
            )
            if model is models.Finding:
                query = query.filter(domain=domain)
            record = query.get()
        by_variable = {m.variable: m for m in maps}
        extra = dict(record.extra or {})
        moves_assessment = False
        for name in differences:
            mapping = by_variable.get(name)
            if mapping is None:
                if row[name] is None:
                    extra.pop(name, None)
                else:
                    extra[name] = row[name]
            elif mapping.on_assessment:
                moves_assessment = True
            else:
                setattr(record, mapping.field, _value(row[name], mapping.kind))
        record.extra = extra or None
        if moves_assessment:
            frame = pd.DataFrame([row])
            record.assessment_id = self._assessments(domain, frame)[0]
        if domain == "TR" and {"TRLNKID", "TREVAL", "TREVALID"} & set(differences):
            record.lesion_id = self._lesion_ids(pd.DataFrame([row]))[0]
        if domain == "DM" and "SITEID" in differences:
            record.site_id = self._sites(pd.DataFrame([row]))[0]
        record._change_reason = self.reason
        record.save()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of an SDTM frame as dicts (its column names are SDTM variables: strings)."""
    return cast("list[dict[str, Any]]", frame.to_dict(orient="records"))


def _key(row: Mapping[str, Any], key: list[str]) -> tuple[Any, ...]:
    return tuple(float(row[k]) if k.endswith("SEQ") else row[k] for k in key)


def _is_int(value: str) -> bool:
    try:
        return float(value).is_integer()
    except ValueError:
        return False
