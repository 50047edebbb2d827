"""The trial's records as SDTM domain frames (text), exactly as they were imported.

Each domain's frame has the columns of its imported layout (``DomainLayout``) in that order, plus
any variable that has gained values since, else the canonical order of ``formats.sdtm_spec``. Rows
are in SDTM key order (USUBJID, --SEQ); an uninterpreted domain keeps its imported row order.
Numbers are written canonically (``formats.sdtm_spec.numbers_as_text``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Model

from oncotrial.errors import StoreError
from oncotrial.formats.sdtm_spec import numbers_as_text, order_columns
from oncotrial.store import models
from oncotrial.store.mapping import domain_columns, model_for

__all__ = ["export_sdtm", "find_trial", "trial_domains"]


def find_trial(trial_id: str) -> models.Trial:
    trial: models.Trial | None = models.Trial.objects.filter(trial_id=trial_id).first()
    if trial is None:
        known = list(models.Trial.objects.order_by("trial_id").values_list("trial_id", flat=True))
        raise StoreError(
            f"no trial {trial_id!r} in the database",
            hint=(
                f"Known trials: {', '.join(known)}."
                if known
                else "The database holds no trial yet: import or simulate one first."
            ),
        )
    return trial


def _query(sql: str, params: list[object], columns: list[str]) -> pd.DataFrame:
    """Rows as object columns (no dtype inference: values stay None or Python objects)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})
    array = np.empty((len(rows), len(columns)), dtype=object)
    array[:] = rows  # one object block: no per-column type inference
    return pd.DataFrame(array, columns=columns, dtype=object, copy=False)


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _format(series: pd.Series, kind: str) -> pd.Series:
    if kind == "text":
        return series if series.dtype == object else series.astype(object)
    numbers = pd.to_numeric(series.astype(object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return pd.Series(numbers_as_text(numbers), index=series.index, dtype=object)


def _subject_filter(
    subject_ids: list[int] | None, column: str = "subject_id"
) -> tuple[str, list[int]]:
    if subject_ids is None or len(subject_ids) > 20000:  # large sets: filtered after the query
        return "", []
    if not subject_ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(subject_ids))})", list(subject_ids)


def trial_domains(trial: models.Trial) -> list[str]:
    """The domains holding records for ``trial``, DM first then in oncotrial's order."""
    found: list[str] = []
    if models.Subject.objects.filter(trial=trial).exists():
        found.append("DM")
    for domain, model in models.RECORD_MODELS.items():
        query = model.objects.filter(trial=trial)
        if model is models.Finding:
            query = query.filter(domain=domain)
        if query.exists():
            found.append(domain)
    others = (
        models.OtherRecord.objects.filter(trial=trial)
        .values_list("domain", flat=True)
        .distinct()
        .order_by("domain")
    )
    return found + [d for d in others if d not in found]


def export_sdtm(
    trial: models.Trial | str,
    *,
    domains: Iterable[str] | None = None,
    usubjids: Iterable[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """The trial's domains as text frames (all of them, or the ones named)."""
    if isinstance(trial, str):
        trial = find_trial(trial)
    wanted = [d.upper() for d in domains] if domains is not None else trial_domains(trial)
    subjects = _query(
        "SELECT id, usubjid FROM store_subject WHERE trial_id = %s",
        [trial.pk],
        ["id", "usubjid"],
    )
    subject_ids: list[int] | None = None
    if usubjids is not None:
        keep = set(usubjids)
        subjects = subjects[subjects["usubjid"].isin(keep)]
        subject_ids = [int(i) for i in subjects["id"]]
    usubjid_of = dict(zip(subjects["id"].tolist(), subjects["usubjid"].tolist(), strict=True))
    layouts = {
        layout.domain: list(layout.columns)
        for layout in models.DomainLayout.objects.filter(trial=trial)
    }
    frames: dict[str, pd.DataFrame] = {}
    for domain in wanted:
        model = model_for(domain)
        if model is None:
            frame = _other_frame(trial, domain, usubjids)
        else:
            frame = _domain_frame(trial, domain, model, subject_ids, usubjid_of)
        if frame is None:
            continue
        frames[domain] = _arrange(frame, domain, layouts.get(domain))
    return frames


def _domain_frame(
    trial: models.Trial,
    domain: str,
    model: type[Model],
    subject_ids: list[int] | None,
    usubjid_of: dict[int, str],
) -> pd.DataFrame | None:
    maps = domain_columns(domain)
    own = [m for m in maps if not m.on_assessment]
    on_assessment = [m for m in maps if m.on_assessment]
    table = model._meta.db_table
    key = "id" if domain == "DM" else "subject_id"
    select = [key] + [m.field for m in own]
    if _has_extra(model, trial, domain):
        select.append("extra")
    if on_assessment:
        select.append("assessment_id")
    sql = f"SELECT {', '.join(_quote(c) for c in select)} FROM {_quote(table)} WHERE trial_id = %s"
    params: list[object] = [trial.pk]
    if model is models.Finding:
        sql += " AND domain = %s"
        params.append(domain)
    clause, extra_params = _subject_filter(subject_ids, key)
    raw = _query(sql + clause, params + extra_params, select)
    if subject_ids is not None and len(subject_ids) > 20000:
        raw = raw[raw[key].isin(set(subject_ids))].reset_index(drop=True)
    if raw.empty:
        return None
    # SDTM key order (USUBJID, --SEQ) from the stored numbers, before anything becomes text.
    rank = {sid: i for i, (sid, _) in enumerate(sorted(usubjid_of.items(), key=lambda kv: kv[1]))}
    names = raw[key].map(rank).to_numpy(dtype=np.int64)
    seq = (
        pd.to_numeric(raw["seq"]).to_numpy(dtype=np.float64)
        if "seq" in raw.columns
        else np.zeros(len(raw))
    )
    raw = raw.iloc[np.lexsort((seq, names))].reset_index(drop=True)
    out: dict[str, pd.Series] = {}
    out["STUDYID"] = pd.Series([trial.studyid] * len(raw), dtype=object)
    out["DOMAIN"] = pd.Series([domain] * len(raw), dtype=object)
    out["USUBJID"] = raw[key].map(usubjid_of).astype(object)
    for m in own:
        out[m.variable] = _format(raw[m.field], m.kind)
    if on_assessment:
        fields = [m.field for m in on_assessment]
        ids = sorted({int(i) for i in raw["assessment_id"].tolist()})
        assessments = _assessments(ids, fields)
        joined = raw[["assessment_id"]].merge(
            assessments, left_on="assessment_id", right_on="id", how="left"
        )
        for m in on_assessment:
            out[m.variable] = _format(joined[m.field], m.kind).set_axis(raw.index)
    frame = pd.DataFrame(out)
    if "extra" in raw.columns:
        _merge_extra(frame, raw["extra"])
    return frame


def _has_extra(model: type[Model], trial: models.Trial, domain: str) -> bool:
    query = model.objects.filter(trial=trial, extra__isnull=False)
    if model is models.Finding:
        query = query.filter(domain=domain)
    return bool(query.exists())


def _assessments(ids: list[int], fields: list[str]) -> pd.DataFrame:
    columns = ["id", *fields]
    parts = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        placeholders = ", ".join(["%s"] * len(chunk))
        parts.append(
            _query(
                f"SELECT {', '.join(columns)} FROM store_tumourassessment "
                f"WHERE id IN ({placeholders})",
                list(chunk),
                columns,
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _merge_extra(frame: pd.DataFrame, extra: pd.Series) -> None:
    """Spread the ``extra`` variables (JSON text on SQLite, dicts on PostgreSQL) into columns."""
    items = extra.tolist()
    positions = [i for i, item in enumerate(items) if item is not None]
    if not positions:
        return
    values: dict[str, list[str | None]] = {}
    size = len(frame)
    for position in positions:
        item = items[position]
        data = json.loads(item) if isinstance(item, str) else item
        for name, value in (data or {}).items():
            if name not in values:
                values[name] = [None] * size
            values[name][position] = value
    for name, column in values.items():
        frame[name] = pd.Series(column, index=frame.index, dtype=object)


def _other_frame(
    trial: models.Trial, domain: str, usubjids: Iterable[str] | None
) -> pd.DataFrame | None:
    query = models.OtherRecord.objects.filter(trial=trial, domain=domain)
    if usubjids is not None:
        query = query.filter(usubjid__in=list(usubjids))
    rows = list(query.order_by("position").values_list("data", flat=True))
    if not rows:
        return None
    return pd.DataFrame.from_records(rows).astype(object)


def _arrange(frame: pd.DataFrame, domain: str, layout: list[str] | None) -> pd.DataFrame:
    """Columns per the imported layout (else canonical order), rows in key order."""

    def has_values(name: str) -> bool:
        return any(v is not None and v == v for v in frame[name].tolist())

    if layout is not None:
        synthesized = {"STUDYID", "DOMAIN"}  # written from the trial, kept only if imported
        columns = list(layout) + [
            c for c in frame.columns if c not in layout and c not in synthesized and has_values(c)
        ]
    else:
        required = {"STUDYID", "DOMAIN", "USUBJID", f"{domain}SEQ"}
        columns = order_columns(
            domain, [c for c in frame.columns if c in required or has_values(c)]
        )
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.Series(None, index=frame.index, dtype=object)
    frame = frame[columns]
    if model_for(domain) is None:
        return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)
    return frame.reset_index(drop=True)  # rows were put in key order when read
