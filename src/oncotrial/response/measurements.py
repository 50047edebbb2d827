"""Lesion records to checked baseline and follow-up measurements (RECIST 1.1 §3-§4.2).

Every record is converted and checked column by column on the distinct values (so millions of
rows cost a few ``factorize`` passes); what cannot be used is reported in the problem log with
the action taken, and the rest goes on:

- a record whose date, role, state or diameter cannot be read is excluded;
- a lesion recorded twice on one date with different values is excluded at that date (counts as
  not assessed); identical duplicates are merged and flagged;
- a lymph-node target given only its longest diameter (RECIST needs the short axis, §4.2) and a
  non-nodal target given only a short axis are excluded at that date;
- a follow-up record of a lesion with no baseline record is excluded ("measurement without a
  baseline"); a target lesion without a usable baseline measurement excludes its subject, since
  the baseline sum of diameters is then unknown;
- a lesion id used with two roles or as node and non-node excludes its subject (two lesions share
  an id);
- a new lesion dated on or before the reference date is excluded; earlier pre-reference records
  of a lesion are superseded by its latest one (baseline = latest record on or before the
  reference date, RECIST 1.1 §3.2);
- subjects not in the subject file, without a reference date, without any baseline record or
  without baseline disease are excluded.

Baseline rule violations (more than 5 targets or 2 per organ, non-nodal target < 10 mm, nodal
target < 15 mm short axis, baseline older than 28 days) are reported and kept (RECIST 1.1 §4.2,
§3.1.1: "violations are reported, not silently fixed").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncotrial.response import codes as c
from oncotrial.response.dates import NO_DATE, parse_dates
from oncotrial.response.frames import LESION_REQUIRED, require_columns
from oncotrial.response.problems import Action, ProblemLog
from oncotrial.response.settings import ResponseSettings

__all__ = ["PreparedLesions", "SubjectIndex", "prepare_lesions"]

_ROLE_CODES = {c.Role.TARGET: 0, c.Role.NON_TARGET: 1, c.Role.NEW: 2}
ROLE_TARGET, ROLE_NONTARGET, ROLE_NEW = 0, 1, 2
ROLE_NAMES = np.array([c.Role.TARGET, c.Role.NON_TARGET, c.Role.NEW], dtype=object)

#: Canonical states as small integers (-1 = no state recorded).
ST_NONE, ST_ABSENT, ST_PRESENT, ST_PROGRESSION, ST_INCREASED, ST_EQUIVOCAL, ST_NE, ST_SMALL = (
    -1,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
)
_STATUS_CODES = {
    c.Status.ABSENT: ST_ABSENT,
    c.Status.PRESENT: ST_PRESENT,
    c.Status.PROGRESSION: ST_PROGRESSION,
    c.Status.INCREASED: ST_INCREASED,
    c.Status.EQUIVOCAL: ST_EQUIVOCAL,
    c.Status.NOT_EVALUABLE: ST_NE,
    c.Status.TOO_SMALL: ST_SMALL,
}
STATUS_NAMES = {code: name for name, code in _STATUS_CODES.items()}

_YES = {"Y", "YES", "TRUE", "1", "T"}
_NO = {"N", "NO", "FALSE", "0", "F"}


@dataclass(frozen=True)
class SubjectIndex:
    """The subject universe (ADSL order) with each subject's reference day."""

    usubjid: pd.Index
    studyid: np.ndarray  # object
    ref_day: np.ndarray  # int64, NO_DATE where unknown

    def __len__(self) -> int:
        return len(self.usubjid)


@dataclass(frozen=True)
class PreparedLesions:
    """Usable measurements plus each subject's baseline."""

    rows: pd.DataFrame
    assessments: pd.DataFrame
    n_target: np.ndarray
    n_nontarget: np.ndarray
    base_sum: np.ndarray
    base_day: np.ndarray
    included: np.ndarray


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _map_words(
    series: pd.Series, table: dict[str, int], words: Mapping[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factorize text and map each distinct value: (codes, unknown mask, blank mask)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    k = len(uniques)
    mapped = np.full(k + 1, -1, dtype=np.int16)
    unknown = np.zeros(k + 1, dtype=bool)
    blank = np.zeros(k + 1, dtype=bool)
    blank[k] = True
    for position, raw in enumerate(uniques):
        text = c.normalise_word(str(raw))
        if not text:
            blank[position] = True
            continue
        canonical = words.get(text) if words is not None else text
        if canonical is not None and canonical in table:
            mapped[position] = table[canonical]
        else:
            unknown[position] = True
    idx = np.where(codes < 0, k, codes)
    return mapped[idx], unknown[idx], blank[idx]


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Floats and a mask of values that were given but are not non-negative numbers."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        bad = values < 0
        return np.where(bad, np.nan, values), bad
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parsed = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    blank = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
    bad_u = (np.isnan(parsed) & ~blank) | (parsed < 0)
    parsed = np.where(bad_u, np.nan, parsed)
    idx = np.where(codes < 0, len(uniques), codes)
    return np.append(parsed, np.nan)[idx], np.append(bad_u, False)[idx]


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def prepare_lesions(
    lesions: pd.DataFrame,
    subjects: SubjectIndex,
    settings: ResponseSettings,
    log: ProblemLog,
) -> PreparedLesions:
    """Check and convert lesion records; see the module docstring for what is excluded."""
    require_columns(lesions, LESION_REQUIRED, what="lesion")
    frame = lesions.reset_index(drop=True)
    n = len(frame)
    base = pd.DataFrame(
        {
            "USUBJID": _text(_column(frame, "USUBJID")),
            "SOURCE": _text(_column(frame, "SOURCE")),
            "RECORD": _text(_column(frame, "RECORD")),
        }
    )
    ok = np.ones(n, dtype=bool)

    # --- subject ---------------------------------------------------------------------------
    usubjid = base["USUBJID"]
    subj = subjects.usubjid.get_indexer(pd.Index(usubjid.astype(str).where(usubjid.notna(), "")))
    no_id = usubjid.isna().to_numpy() | (usubjid.astype(str).str.strip() == "").to_numpy()
    log.add(
        base,
        no_id,
        problem="the subject identifier is missing",
        action=Action.RECORD_EXCLUDED,
        field="USUBJID",
    )
    ok &= ~no_id
    unknown = (subj < 0) & ~no_id
    if unknown.any():
        missing_ids = usubjid[unknown].astype(str).unique().tolist()
        log.add_subjects(
            missing_ids,
            problem="the subject is not in the subject file (ADSL); its lesion records are "
            "not used",
            action=Action.SUBJECT_EXCLUDED,
        )
    ok &= ~unknown
    known = ~unknown & ~no_id
    subj = np.where(subj < 0, 0, subj).astype(np.int64)
    ref_day = subjects.ref_day[subj]
    no_ref = ok & (ref_day == NO_DATE)
    if no_ref.any():
        log.add_subjects(
            usubjid[no_ref].astype(str).unique().tolist(),
            problem=f"the subject has no reference date ({settings.reference_date.value}) in "
            "the subject file",
            action=Action.SUBJECT_EXCLUDED,
        )
    ok &= ~no_ref

    # --- role, state, node flag, diameters, date --------------------------------------------
    role, role_bad, role_blank = _map_words(_column(frame, "ROLE"), _ROLE_CODES, c.ROLE_WORDS)
    role_bad |= role_blank
    log.add(
        base,
        ok & role_bad,
        problem="unknown or missing lesion role (TARGET, NON-TARGET or NEW expected)",
        action=Action.RECORD_EXCLUDED,
        field="ROLE",
        value=_column(frame, "ROLE"),
    )
    ok &= ~role_bad

    status, status_bad, _ = _map_words(_column(frame, "STATUS"), _STATUS_CODES, c.NT_STATUS_WORDS)
    log.add(
        base,
        ok & status_bad,
        problem="unknown lesion state (PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION, INCREASED, "
        "EQUIVOCAL, NOT EVALUABLE or TOO SMALL TO MEASURE expected)",
        action=Action.RECORD_EXCLUDED,
        field="STATUS",
        value=_column(frame, "STATUS"),
    )
    ok &= ~status_bad

    node_raw = _column(frame, "IS_NODE")
    if pd.api.types.is_bool_dtype(node_raw.dtype):
        is_node = node_raw.to_numpy(dtype=bool)
    else:
        node_codes, node_bad, _ = _map_words(
            node_raw.astype(object),
            {**dict.fromkeys(_YES, 1), **dict.fromkeys(_NO, 0)},
        )
        is_node = node_codes == 1
        log.add(
            base,
            ok & node_bad,
            problem="IS_NODE must be Y or N",
            action=Action.RECORD_EXCLUDED,
            field="IS_NODE",
            value=node_raw,
        )
        ok &= ~node_bad

    ldiam, ld_bad = _numbers(_column(frame, "LDIAM"))
    saxis, sa_bad = _numbers(_column(frame, "SAXIS"))
    for name, bad in (("LDIAM", ld_bad), ("SAXIS", sa_bad)):
        log.add(
            base,
            ok & bad,
            problem="the diameter is not a non-negative number of millimetres",
            action=Action.NOT_ASSESSED,
            field=name,
            value=_column(frame, name),
        )
        ok &= ~bad

    dates = parse_dates(_column(frame, "DTC"), partial_day=settings.partial_date_day)
    bad_date = dates.problem != None  # noqa: E711 - elementwise on an object array
    log.add(
        base,
        ok & bad_date,
        problem=dates.problem,
        action=Action.RECORD_EXCLUDED,
        field="DTC",
        value=_column(frame, "DTC"),
    )
    ok &= ~bad_date
    day = dates.days

    lesion_code, lesion_uniques = pd.factorize(
        _column(frame, "LESION_ID").astype(object), use_na_sentinel=True
    )
    no_lesion = lesion_code < 0
    log.add(
        base,
        ok & no_lesion,
        problem="the lesion identifier is missing",
        action=Action.RECORD_EXCLUDED,
        field="LESION_ID",
    )
    ok &= ~no_lesion
    n_lesion_codes = max(len(lesion_uniques), 1)
    lesion_key = subj * n_lesion_codes + np.where(no_lesion, 0, lesion_code)

    pre = day <= ref_day
    new_pre = ok & pre & (role == ROLE_NEW)
    log.add(
        base,
        new_pre,
        problem="a new lesion dated on or before the reference date (new lesions appear after "
        "baseline)",
        action=Action.RECORD_EXCLUDED,
        field="DTC",
        value=_column(frame, "DTC"),
    )
    ok &= ~new_pre

    # --- the measurement RECIST uses (§4.2: LD for non-nodal, short axis for nodal targets) ---
    measure = np.where(is_node, saxis, ldiam)
    other = np.where(is_node, ldiam, saxis)
    value = measure.copy()
    value = np.where(status == ST_SMALL, settings.too_small_mm, value)
    value = np.where(np.isnan(value) & (status == ST_ABSENT), 0.0, value)
    value = np.where(status == ST_NE, np.nan, value)
    wrong_axis = (
        ok
        & (role != ROLE_NONTARGET)
        & np.isnan(measure)
        & ~np.isnan(other)
        & ~np.isin(status, (ST_SMALL, ST_ABSENT, ST_NE))
    )
    node_ld = wrong_axis & is_node & (role == ROLE_TARGET)
    log.add(
        base,
        node_ld,
        problem="a lymph-node target lesion is given only a longest diameter; RECIST 1.1 §4.2 "
        "sums the short axis of nodes (give LPERP/SAXIS)",
        action=Action.NOT_ASSESSED,
        field="SAXIS",
    )
    nonnode_sa = wrong_axis & ~is_node & (role == ROLE_TARGET)
    log.add(
        base,
        nonnode_sa,
        problem="a non-nodal target lesion is given only a short axis; RECIST 1.1 §4.2 sums "
        "the longest diameter of non-nodal lesions (give LDIAM)",
        action=Action.NOT_ASSESSED,
        field="LDIAM",
    )
    ok &= ~(node_ld | nonnode_sa)

    # --- duplicates: one record per lesion per date ----------------------------------------
    ok = _check_duplicates(ok, lesion_key, day, role, is_node, value, status, base, frame, log)

    # --- a lesion id names one lesion: one role, node or not ------------------------------
    excluded_subj = np.zeros(len(subjects), dtype=bool)
    valid_role = ~role_bad & ~no_lesion & known
    conflict_keys = _conflicting_keys(lesion_key[valid_role], role[valid_role], is_node[valid_role])
    if len(conflict_keys):
        conflict_rows = valid_role & np.isin(lesion_key, conflict_keys)
        first = _first_per_key(lesion_key, conflict_rows)
        log.add(
            base,
            first,
            problem="the lesion id is used with different roles or node flags (two lesions "
            "share an id); the subject's lesions cannot be told apart",
            action=Action.SUBJECT_EXCLUDED,
            field="LESION_ID",
            value=_column(frame, "LESION_ID"),
        )
        excluded_subj[np.unique(subj[conflict_rows])] = True

    # --- baseline: each lesion's latest record on or before the reference date -------------
    pre_ok = ok & pre
    latest = _latest_day_per_key(lesion_key, day, pre_ok)
    superseded = pre_ok & (day < latest)
    log.add(
        base,
        superseded,
        problem="an earlier pre-treatment record of a lesion also measured later before the "
        "reference date; the later one is the baseline",
        action=Action.RECORD_EXCLUDED,
        field="DTC",
        value=_column(frame, "DTC"),
        rule="BL-DATE",
    )
    ok &= ~superseded
    baseline = ok & pre

    n_subjects = len(subjects)
    has_any_record = np.bincount(subj[known], minlength=n_subjects) > 0
    base_t = baseline & (role == ROLE_TARGET) & ~np.isnan(value)
    base_nt = baseline & (role == ROLE_NONTARGET)
    target_keys_all = np.unique(
        lesion_key[valid_role & (role == ROLE_TARGET) & ~excluded_subj[subj]]
    )
    target_keys_ok = np.unique(lesion_key[base_t])
    missing_base = np.setdiff1d(target_keys_all, target_keys_ok, assume_unique=True)
    if len(missing_base):
        rows_missing = valid_role & np.isin(lesion_key, missing_base)
        first = _first_per_key(lesion_key, rows_missing)
        log.add(
            base,
            first,
            problem="a target lesion without a usable baseline measurement (on or before the "
            "reference date); the baseline sum of diameters is unknown",
            action=Action.SUBJECT_EXCLUDED,
            field="LESION_ID",
            value=_column(frame, "LESION_ID"),
        )
        excluded_subj[np.unique(missing_base // n_lesion_codes)] = True

    eligible = (subjects.ref_day != NO_DATE) & ~excluded_subj
    has_baseline = np.bincount(subj[baseline], minlength=n_subjects) > 0
    no_baseline = has_any_record & eligible & ~has_baseline
    log.add_subjects(
        subjects.usubjid[no_baseline],
        problem="no lesion record on or before the reference date: measurements without a baseline",
        action=Action.SUBJECT_EXCLUDED,
    )
    n_target = np.bincount(subj[base_t], minlength=n_subjects)
    n_nontarget = np.bincount(subj[base_nt], minlength=n_subjects)
    no_disease = has_baseline & eligible & (n_target == 0) & (n_nontarget == 0)
    log.add_subjects(
        subjects.usubjid[no_disease],
        problem="no target or non-target lesion at baseline",
        action=Action.SUBJECT_EXCLUDED,
        rule="BL-NODISEASE",
    )
    included = eligible & has_baseline & ~no_disease

    # --- follow-up records of lesions absent at baseline -----------------------------------
    base_keys = np.unique(lesion_key[baseline])
    follow = ok & ~pre & included[subj]
    orphan = follow & (role != ROLE_NEW) & ~np.isin(lesion_key, base_keys)
    log.add(
        base,
        orphan,
        problem="a measurement without a baseline: this lesion has no record on or before the "
        "reference date",
        action=Action.RECORD_EXCLUDED,
        field="LESION_ID",
        value=_column(frame, "LESION_ID"),
    )
    ok &= ~orphan

    keep = ok & included[subj]
    base_sum = np.bincount(subj[base_t & keep], weights=value[base_t & keep], minlength=n_subjects)
    base_sum = np.where(n_target > 0, base_sum, np.nan)
    bl_rows = baseline & keep
    base_day = _max_per_subject(subj[bl_rows], day[bl_rows], n_subjects)

    _baseline_checks(
        frame=frame,
        base=base,
        mask=base_t & keep,
        subj=subj,
        lesion_key=lesion_key,
        organ=_column(frame, "ORGAN"),
        is_node=is_node,
        value=value,
        day=day,
        ref_day=ref_day,
        settings=settings,
        log=log,
    )

    rows = pd.DataFrame(
        {
            "SUBJ": subj[keep],
            "USUBJID": base["USUBJID"].to_numpy()[keep],
            "LESION": lesion_code[keep],
            "LESION_KEY": lesion_key[keep],
            "LESION_ID": np.asarray(_column(frame, "LESION_ID"), dtype=object)[keep],
            "ROLE": role[keep].astype(np.int8),
            "IS_NODE": is_node[keep],
            "ORGAN": np.asarray(_column(frame, "ORGAN"), dtype=object)[keep],
            "LDIAM": ldiam[keep],
            "SAXIS": saxis[keep],
            "VALUE": value[keep],
            "STATUS": status[keep].astype(np.int8),
            "DAY": day[keep],
            "IMPUTED": dates.imputed[keep],
            "BASELINE": baseline[keep],
            "VISIT": np.asarray(_column(frame, "VISIT"), dtype=object)[keep],
            "EVAL": np.asarray(_column(frame, "EVAL"), dtype=object)[keep],
            "EVALID": np.asarray(_column(frame, "EVALID"), dtype=object)[keep],
            "SOURCE": base["SOURCE"].to_numpy()[keep],
            "RECORD": base["RECORD"].to_numpy()[keep],
        }
    )
    # Assessments happened on every post-reference date with a readable date, even where the
    # records themselves were excluded: such an assessment is then NE, not absent.
    dated = ~bad_date & known
    took_place = dated & ~pre & included[subj]
    assessments = pd.DataFrame(
        {
            "SUBJ": subj[took_place],
            "DAY": day[took_place],
            "IMPUTED": dates.imputed[took_place],
            "VISIT": np.asarray(_column(frame, "VISIT"), dtype=object)[took_place],
            "EVAL": np.asarray(_column(frame, "EVAL"), dtype=object)[took_place],
            "EVALID": np.asarray(_column(frame, "EVALID"), dtype=object)[took_place],
        }
    )
    return PreparedLesions(
        rows=rows,
        assessments=assessments,
        n_target=np.where(included, n_target, 0),
        n_nontarget=np.where(included, n_nontarget, 0),
        base_sum=np.where(included, base_sum, np.nan),
        base_day=np.where(included, base_day, NO_DATE),
        included=included,
    )


def _max_per_subject(subj: np.ndarray, day: np.ndarray, n_subjects: int) -> np.ndarray:
    out = np.full(n_subjects, NO_DATE, dtype=np.int64)
    if len(subj) == 0:
        return out
    order = np.lexsort((day, subj))
    s, d = subj[order], day[order]
    last = np.r_[s[1:] != s[:-1], True]
    out[s[last]] = d[last]
    return out


def _first_per_key(keys: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mask of the first row (in row order) of each key among the masked rows."""
    out = np.zeros(len(keys), dtype=bool)
    rows = np.flatnonzero(mask)
    if len(rows):
        _, first = np.unique(keys[rows], return_index=True)
        out[rows[first]] = True
    return out


def _latest_day_per_key(keys: np.ndarray, day: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """For each row, the latest day among the masked rows with the same key (min int if none)."""
    out = np.full(len(keys), np.iinfo(np.int64).min, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return out
    k, d = keys[rows], day[rows]
    order = np.lexsort((d, k))
    ks, ds = k[order], d[order]
    last = np.r_[ks[1:] != ks[:-1], True]
    uk, ud = ks[last], ds[last]
    pos = np.searchsorted(uk, keys)
    pos = np.minimum(pos, len(uk) - 1)
    found = uk[pos] == keys
    out[found] = ud[pos[found]]
    return out


def _conflicting_keys(keys: np.ndarray, role: np.ndarray, is_node: np.ndarray) -> np.ndarray:
    if len(keys) == 0:
        return np.array([], dtype=np.int64)
    attr = role.astype(np.int64) * 2 + is_node.astype(np.int64)
    pairs = np.unique(np.stack([keys, attr], axis=1), axis=0)
    counts = np.bincount(np.unique(pairs[:, 0], return_inverse=True)[1])
    uk = np.unique(pairs[:, 0])
    return uk[counts > 1]


def _check_duplicates(
    ok: np.ndarray,
    lesion_key: np.ndarray,
    day: np.ndarray,
    role: np.ndarray,
    is_node: np.ndarray,
    value: np.ndarray,
    status: np.ndarray,
    base: pd.DataFrame,
    frame: pd.DataFrame,
    log: ProblemLog,
) -> np.ndarray:
    rows = np.flatnonzero(ok)
    if len(rows) == 0:
        return ok
    keyframe = pd.DataFrame({"k": lesion_key[rows], "d": day[rows]})
    dup = keyframe.duplicated(keep=False).to_numpy()
    if not dup.any():
        return ok
    dup_rows = rows[dup]
    detail = pd.DataFrame(
        {
            "k": lesion_key[dup_rows],
            "d": day[dup_rows],
            "role": role[dup_rows],
            "node": is_node[dup_rows],
            "value": np.where(np.isnan(value[dup_rows]), -1.0, value[dup_rows]),
            "status": status[dup_rows],
            "row": dup_rows,
        }
    )
    distinct = detail.groupby(["k", "d"])[["role", "node", "value", "status"]].nunique()
    conflict = (distinct > 1).any(axis=1)
    detail = detail.join(conflict.rename("conflict"), on=["k", "d"])
    first_in_group = ~detail.duplicated(["k", "d"]).to_numpy()
    conflicting = detail["conflict"].to_numpy()
    merged_rows = detail["row"].to_numpy()[~conflicting & ~first_in_group]
    conflict_rows = detail["row"].to_numpy()[conflicting]
    mask = np.zeros(len(ok), dtype=bool)
    mask[merged_rows] = True
    log.add(
        base,
        mask,
        problem="the same lesion is recorded again on the same date with identical values",
        action=Action.MERGED,
        field="LESION_ID",
        value=_column(frame, "LESION_ID"),
    )
    cmask = np.zeros(len(ok), dtype=bool)
    cmask[conflict_rows] = True
    log.add(
        base,
        cmask,
        problem="duplicate lesion id: the lesion is recorded more than once on this date with "
        "different values",
        action=Action.NOT_ASSESSED,
        field="LESION_ID",
        value=_column(frame, "LESION_ID"),
    )
    return ok & ~mask & ~cmask


def _baseline_checks(
    *,
    frame: pd.DataFrame,
    base: pd.DataFrame,
    mask: np.ndarray,
    subj: np.ndarray,
    lesion_key: np.ndarray,
    organ: pd.Series,
    is_node: np.ndarray,
    value: np.ndarray,
    day: np.ndarray,
    ref_day: np.ndarray,
    settings: ResponseSettings,
    log: ProblemLog,
) -> None:
    small_ld = mask & ~is_node & (value < 10)
    log.add(
        base,
        small_ld,
        problem="non-nodal target lesion below 10 mm at baseline (not measurable by RECIST 1.1)",
        action=Action.FLAGGED,
        field="LDIAM",
        value=value,
        rule="BL-LD10",
    )
    small_sa = mask & is_node & (value < 15)
    log.add(
        base,
        small_sa,
        problem="nodal target lesion below 15 mm short axis at baseline (not pathological by "
        "RECIST 1.1)",
        action=Action.FLAGGED,
        field="SAXIS",
        value=value,
        rule="BL-SA15",
    )
    old = mask & (day < ref_day - settings.baseline_max_days)
    log.add(
        base,
        _first_per_key(subj, old),
        problem=f"baseline measurement more than {settings.baseline_max_days} days before the "
        "reference date",
        action=Action.FLAGGED,
        field="DTC",
        value=_column(frame, "DTC"),
        rule="BL-AGE",
    )
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return
    counts = np.bincount(subj[rows])
    many = np.zeros(len(mask), dtype=bool)
    many[rows] = counts[subj[rows]] > 5
    log.add(
        base,
        _first_per_key(subj, many),
        problem="more than 5 target lesions at baseline (RECIST 1.1 §4.2 allows 5)",
        action=Action.FLAGGED,
        field="LESION_ID",
        rule="BL-MAX5",
    )
    organ_text = organ.astype(object).where(organ.notna(), "").astype(str).str.upper().str.strip()
    organ_code = pd.factorize(organ_text)[0]
    pair = subj.astype(np.int64) * (organ_code.max() + 2) + organ_code
    known_organ = mask & (organ_text != "").to_numpy()
    prow = np.flatnonzero(known_organ)
    if len(prow):
        _, inverse, cnt = np.unique(pair[prow], return_inverse=True, return_counts=True)
        crowded = np.zeros(len(mask), dtype=bool)
        crowded[prow] = cnt[inverse] > 2
        log.add(
            base,
            _first_per_key(pair, crowded),
            problem="more than 2 target lesions in one organ at baseline (RECIST 1.1 §4.2 "
            "allows 2)",
            action=Action.FLAGGED,
            field="ORGAN",
            value=organ,
            rule="BL-MAX2",
        )
