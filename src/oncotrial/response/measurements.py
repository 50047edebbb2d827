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
from oncotrial.response.frames import LDIAM, LESION_REQUIRED, SAXIS, require_columns
from oncotrial.response.lesion_checks import (
    baseline_checks,
    check_duplicates,
    column,
    conflicting_keys,
    first_per_key,
    latest_day_per_key,
    max_per_subject,
)
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
    """Usable measurements (``ROW`` points into ``frame``, the input) plus each baseline."""

    frame: pd.DataFrame
    #: Usable records: ROW (position in ``frame``), SUBJ, LESION_KEY, ROLE, IS_NODE, LDIAM,
    #: SAXIS, VALUE (the RECIST measure, NaN = not assessed), STATUS, DAY, IMPUTED, BASELINE.
    rows: dict[str, np.ndarray]
    #: Every post-reference record with a readable date (ROW, SUBJ, DAY, IMPUTED): the
    #: assessments that took place, even where their records were excluded.
    assessments: dict[str, np.ndarray]
    n_target: np.ndarray
    n_nontarget: np.ndarray
    base_sum: np.ndarray
    base_day: np.ndarray
    included: np.ndarray


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


def _diameters(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Longest diameter and short axis (with not-a-number masks) from LDIAM/SAXIS, or from
    DIAMETER (the lesion's RECIST measure) with an optional AXIS (LONG or SHORT)."""
    if "DIAMETER" not in frame.columns:
        ldiam, ld_bad = _numbers(column(frame, LDIAM))
        saxis, sa_bad = _numbers(column(frame, SAXIS))
        return ldiam, ld_bad, saxis, sa_bad
    diameter, bad = _numbers(frame["DIAMETER"])
    if "AXIS" not in frame.columns:
        return diameter, bad, diameter, bad
    axis, _, _ = _map_words(frame["AXIS"], {"LONG": 0, "SHORT": 1})
    ldiam = np.where(axis == 1, np.nan, diameter)
    saxis = np.where(axis == 0, np.nan, diameter)
    return ldiam, bad, saxis, bad


def _subjects_of(
    series: pd.Series, subjects: SubjectIndex
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Subject position per row (-1 unknown), missing-id mask, and the unknown ids."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = [str(u).strip() for u in uniques]
    blank = np.array([t == "" for t in text] + [True], dtype=bool)
    position = np.append(subjects.usubjid.get_indexer(pd.Index(text, dtype=object)), -1)
    idx = np.where(codes < 0, len(uniques), codes)
    unknown_ids = [t for t, p in zip(text, position[:-1], strict=True) if p < 0 and t]
    return position[idx], blank[idx], unknown_ids


def prepare_lesions(
    lesions: pd.DataFrame,
    subjects: SubjectIndex,
    settings: ResponseSettings,
    log: ProblemLog,
) -> PreparedLesions:
    """Check and convert lesion records; see the module docstring for what is excluded.

    The checks run in the order of the module docstring, each on the records the earlier ones
    kept (``_Records.ok``), so that one record is reported for its first problem only.
    """
    require_columns(lesions, LESION_REQUIRED, what="lesion")
    work = _Records.read(lesions.reset_index(drop=True), subjects, settings, log)
    _exclude_early_new_lesions(work)
    _exclude_wrong_axis(work)
    work.ok = check_duplicates(
        work.ok,
        work.wide_key,
        work.n_codes,
        work.day,
        work.role,
        work.is_node,
        work.value,
        work.status,
        work.frame,
        log,
    )
    excluded = _subjects_with_shared_ids(work, len(subjects))
    base = _baseline(work, subjects, excluded)
    _exclude_orphans(work, base)
    baseline_checks(
        frame=work.frame,
        mask=base.target & work.ok & base.included[work.subj],
        subj=work.subj,
        is_node=work.is_node,
        value=work.value,
        day=work.day,
        ref_day=work.ref_day,
        settings=settings,
        log=log,
    )
    return _prepared(work, base)


@dataclass
class _Records:
    """The lesion records under check: one array entry per input row (``prepare_lesions``'s
    scratch, never returned). ``ok`` marks the records still usable; ``exclude`` logs a problem
    and drops the records."""

    frame: pd.DataFrame
    log: ProblemLog
    ok: np.ndarray
    subj: np.ndarray  # subject position (0 where unknown: see ``known``)
    known: np.ndarray
    ref_day: np.ndarray
    role: np.ndarray
    role_bad: np.ndarray
    status: np.ndarray
    is_node: np.ndarray
    ldiam: np.ndarray
    saxis: np.ndarray
    value: np.ndarray  # the RECIST measure (§4.2), NaN = not assessed
    measure: np.ndarray  # the diameter RECIST sums for the lesion (short axis of nodes)
    other: np.ndarray  # the other diameter
    day: np.ndarray
    imputed: np.ndarray
    bad_date: np.ndarray
    no_lesion: np.ndarray
    key: np.ndarray  # dense key of (subject, lesion id)
    wide_key: np.ndarray
    n_codes: int
    n_keys: int
    subj_of_key: np.ndarray
    pre: np.ndarray  # on or before the reference date

    def exclude(
        self,
        mask: np.ndarray,
        *,
        problem: str,
        action: str,
        field: str,
        value: pd.Series | None = None,
        rule: str | None = None,
    ) -> None:
        self.log.add(
            self.frame, mask, problem=problem, action=action, field=field, value=value, rule=rule
        )
        self.ok &= ~mask

    def column(self, name: str) -> pd.Series:
        return column(self.frame, name)

    @classmethod
    def read(
        cls,
        frame: pd.DataFrame,
        subjects: SubjectIndex,
        settings: ResponseSettings,
        log: ProblemLog,
    ) -> _Records:
        """Every column converted; records whose subject, role, state, node flag, diameters,
        date or lesion id cannot be read are excluded (and logged) on the way."""
        ok = np.ones(len(frame), dtype=bool)
        subj, known, ref_day = _read_subjects(frame, subjects, settings, log, ok)
        role, role_bad = _read_roles(frame, log, ok)
        status = _read_states(frame, log, ok)
        is_node = _read_node_flags(frame, log, ok)
        ldiam, saxis = _read_diameters(frame, log, ok)
        dates = parse_dates(column(frame, "DTC"), partial_day=settings.partial_date_day)
        log.add(
            frame,
            ok & dates.bad,
            problem=dates.problem,
            action=Action.RECORD_EXCLUDED,
            field="DTC",
            value=column(frame, "DTC"),
        )
        ok &= ~dates.bad
        lesion_code, lesion_uniques = pd.factorize(column(frame, "LESION_ID"), use_na_sentinel=True)
        no_lesion = lesion_code < 0
        log.add(
            frame,
            ok & no_lesion,
            problem="the lesion identifier is missing",
            action=Action.RECORD_EXCLUDED,
            field="LESION_ID",
        )
        ok &= ~no_lesion
        # Dense lesion keys (one per subject and lesion id) so that membership tests are
        # lookups.
        n_subjects = len(subjects)
        n_codes = max(len(lesion_uniques), 1)
        wide_key = subj * n_codes + np.where(no_lesion, 0, lesion_code)
        if n_subjects * n_codes <= max(4 * len(frame), 1_000_000):
            # Few distinct lesion ids (T1..T5): subject x id is already a small dense key space.
            key, n_keys = wide_key, n_subjects * n_codes
        else:
            key, key_uniques = pd.factorize(wide_key)
            n_keys = len(key_uniques)
        subj_of_key = np.zeros(n_keys, dtype=np.int64)
        subj_of_key[key] = subj
        # The measurement RECIST uses (§4.2: LD for non-nodal, short axis for nodal targets).
        measure = np.where(is_node, saxis, ldiam)
        value = np.where(status == ST_SMALL, settings.too_small_mm, measure)
        value = np.where(np.isnan(value) & (status == ST_ABSENT), 0.0, value)
        value = np.where(status == ST_NE, np.nan, value)
        return cls(
            frame=frame,
            log=log,
            ok=ok,
            subj=subj,
            known=known,
            ref_day=ref_day,
            role=role,
            role_bad=role_bad,
            status=status,
            is_node=is_node,
            ldiam=ldiam,
            saxis=saxis,
            value=value,
            measure=measure,
            other=np.where(is_node, ldiam, saxis),
            day=dates.days,
            imputed=dates.imputed,
            bad_date=dates.bad,
            no_lesion=no_lesion,
            key=key,
            wide_key=wide_key,
            n_codes=n_codes,
            n_keys=n_keys,
            subj_of_key=subj_of_key,
            pre=dates.days <= ref_day,
        )


def _read_subjects(
    frame: pd.DataFrame,
    subjects: SubjectIndex,
    settings: ResponseSettings,
    log: ProblemLog,
    ok: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(subject position, known mask, reference day) per record; ``ok`` loses records of
    unknown subjects and of subjects without a reference date."""
    subj, no_id, unknown_ids = _subjects_of(frame["USUBJID"], subjects)
    log.add(
        frame,
        no_id,
        problem="the subject identifier is missing",
        action=Action.RECORD_EXCLUDED,
        field="USUBJID",
    )
    log.add_subjects(
        unknown_ids,
        problem="the subject is not in the subject file (ADSL); its lesion records are not used",
        action=Action.SUBJECT_EXCLUDED,
    )
    known = subj >= 0
    ok &= known
    subj = np.where(known, subj, 0).astype(np.int64)
    ref_day = subjects.ref_day[subj]
    no_ref_subjects = np.zeros(len(subjects), dtype=bool)
    no_ref_subjects[subj[known]] = True
    no_ref_subjects &= subjects.ref_day == NO_DATE
    log.add_subjects(
        subjects.usubjid[no_ref_subjects].tolist(),
        problem=f"the subject has no reference date ({settings.reference_date.value}) in the "
        "subject file",
        action=Action.SUBJECT_EXCLUDED,
    )
    ok &= ref_day != NO_DATE
    return subj, known, ref_day


def _read_roles(
    frame: pd.DataFrame, log: ProblemLog, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    role, role_bad, role_blank = _map_words(column(frame, "ROLE"), _ROLE_CODES, c.ROLE_WORDS)
    role_bad |= role_blank
    log.add(
        frame,
        ok & role_bad,
        problem="unknown or missing lesion role (TARGET, NON-TARGET or NEW expected)",
        action=Action.RECORD_EXCLUDED,
        field="ROLE",
        value=column(frame, "ROLE"),
    )
    ok &= ~role_bad
    return role, role_bad


def _read_states(frame: pd.DataFrame, log: ProblemLog, ok: np.ndarray) -> np.ndarray:
    status, status_bad, _ = _map_words(column(frame, "STATUS"), _STATUS_CODES, c.NT_STATUS_WORDS)
    log.add(
        frame,
        ok & status_bad,
        problem="unknown lesion state (PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION, INCREASED, "
        "EQUIVOCAL, NOT EVALUABLE or TOO SMALL TO MEASURE expected)",
        action=Action.RECORD_EXCLUDED,
        field="STATUS",
        value=column(frame, "STATUS"),
    )
    ok &= ~status_bad
    return status


def _read_node_flags(frame: pd.DataFrame, log: ProblemLog, ok: np.ndarray) -> np.ndarray:
    node_raw = column(frame, "IS_NODE")
    if pd.api.types.is_bool_dtype(node_raw.dtype):
        return node_raw.to_numpy(dtype=bool)
    node_codes, node_bad, _ = _map_words(
        node_raw, {**dict.fromkeys(_YES, 1), **dict.fromkeys(_NO, 0)}
    )
    log.add(
        frame,
        ok & node_bad,
        problem="IS_NODE must be Y or N",
        action=Action.RECORD_EXCLUDED,
        field="IS_NODE",
        value=node_raw,
    )
    ok &= ~node_bad
    return np.asarray(node_codes == 1, dtype=bool)


def _read_diameters(
    frame: pd.DataFrame, log: ProblemLog, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    ldiam, ld_bad, saxis, sa_bad = _diameters(frame)
    diameter_fields = ("DIAMETER", "DIAMETER") if "DIAMETER" in frame.columns else (LDIAM, SAXIS)
    for name, bad in zip(diameter_fields, (ld_bad, sa_bad & ~ld_bad), strict=True):
        log.add(
            frame,
            ok & bad,
            problem="the diameter is not a non-negative number of millimetres",
            action=Action.NOT_ASSESSED,
            field=name,
            value=column(frame, name),
        )
        ok &= ~bad
    return ldiam, saxis


def _exclude_early_new_lesions(work: _Records) -> None:
    work.exclude(
        work.ok & work.pre & (work.role == ROLE_NEW),
        problem="a new lesion dated on or before the reference date (new lesions appear after "
        "baseline)",
        action=Action.RECORD_EXCLUDED,
        field="DTC",
        value=work.column("DTC"),
    )


def _exclude_wrong_axis(work: _Records) -> None:
    """A target measured on the axis RECIST 1.1 §4.2 does not sum is not assessed."""
    wrong_axis = (
        work.ok
        & (work.role == ROLE_TARGET)
        & np.isnan(work.measure)
        & ~np.isnan(work.other)
        & ~np.isin(work.status, (ST_SMALL, ST_ABSENT, ST_NE))
    )
    work.log.add(
        work.frame,
        wrong_axis & work.is_node,
        problem="a lymph-node target lesion is given only a longest diameter; RECIST 1.1 §4.2 "
        "sums the short axis of nodes (give LPERP/SAXIS)",
        action=Action.NOT_ASSESSED,
        field=SAXIS,
    )
    work.log.add(
        work.frame,
        wrong_axis & ~work.is_node,
        problem="a non-nodal target lesion is given only a short axis; RECIST 1.1 §4.2 sums "
        "the longest diameter of non-nodal lesions (give LDIAM)",
        action=Action.NOT_ASSESSED,
        field=LDIAM,
    )
    work.ok &= ~wrong_axis


def _subjects_with_shared_ids(work: _Records, n_subjects: int) -> np.ndarray:
    """Subjects (mask) one of whose lesion ids names two lesions: one role, node or not."""
    excluded = np.zeros(n_subjects, dtype=bool)
    valid_role = work.known & ~work.role_bad & ~work.no_lesion
    key = work.key
    conflict = conflicting_keys(
        key[valid_role], work.role[valid_role], work.is_node[valid_role], work.n_keys
    )
    if conflict.any():
        work.log.add(
            work.frame,
            first_per_key(key, valid_role & conflict[key], work.n_keys),
            problem="the lesion id is used with different roles or node flags (two lesions "
            "share an id); the subject's lesions cannot be told apart",
            action=Action.SUBJECT_EXCLUDED,
            field="LESION_ID",
            value=work.column("LESION_ID"),
        )
        excluded[work.subj_of_key[conflict]] = True
    return excluded


@dataclass(frozen=True)
class _Baseline:
    rows: np.ndarray  # the baseline records (per input row)
    target: np.ndarray  # baseline target records with a measure
    included: np.ndarray  # subjects (mask) with baseline disease, not excluded
    n_target: np.ndarray
    n_nontarget: np.ndarray


def _baseline(work: _Records, subjects: SubjectIndex, excluded: np.ndarray) -> _Baseline:
    """Each lesion's latest record on or before the reference date (RECIST 1.1 §3.2), and
    the subjects with baseline disease; subjects without a usable baseline are excluded."""
    n_subjects, key, subj, n_keys = len(subjects), work.key, work.subj, work.n_keys
    pre_ok = work.ok & work.pre
    latest = latest_day_per_key(key, work.day, pre_ok, n_keys)
    work.exclude(
        pre_ok & (work.day < latest[key]),
        problem="an earlier pre-treatment record of a lesion also measured later before the "
        "reference date; the later one is the baseline",
        action=Action.RECORD_EXCLUDED,
        field="DTC",
        value=work.column("DTC"),
        rule="BL-DATE",
    )
    baseline = work.ok & work.pre
    has_any_record = np.bincount(subj[work.known], minlength=n_subjects) > 0
    has_baseline = np.bincount(subj[baseline], minlength=n_subjects) > 0
    eligible = (subjects.ref_day != NO_DATE) & ~excluded
    work.log.add_subjects(
        subjects.usubjid[has_any_record & eligible & ~has_baseline].tolist(),
        problem="no lesion record on or before the reference date: measurements without a baseline",
        action=Action.SUBJECT_EXCLUDED,
    )
    base_t = baseline & (work.role == ROLE_TARGET) & ~np.isnan(work.value)
    base_nt = baseline & (work.role == ROLE_NONTARGET)
    valid_role = work.known & ~work.role_bad & ~work.no_lesion
    is_target_key = np.zeros(n_keys, dtype=bool)
    is_target_key[key[valid_role & (work.role == ROLE_TARGET)]] = True
    is_target_key &= eligible[work.subj_of_key] & has_baseline[work.subj_of_key]
    has_base_value = np.zeros(n_keys, dtype=bool)
    has_base_value[key[base_t]] = True
    missing_base = is_target_key & ~has_base_value
    if missing_base.any():
        work.log.add(
            work.frame,
            first_per_key(key, valid_role & missing_base[key], n_keys),
            problem="a target lesion without a usable baseline measurement (on or before the "
            "reference date); the baseline sum of diameters is unknown",
            action=Action.SUBJECT_EXCLUDED,
            field="LESION_ID",
            value=work.column("LESION_ID"),
        )
        excluded[work.subj_of_key[missing_base]] = True
        eligible &= ~excluded
    n_target = np.bincount(subj[base_t], minlength=n_subjects)
    n_nontarget = np.bincount(subj[base_nt], minlength=n_subjects)
    no_disease = has_baseline & eligible & (n_target == 0) & (n_nontarget == 0)
    work.log.add_subjects(
        subjects.usubjid[no_disease].tolist(),
        problem="no target or non-target lesion at baseline",
        action=Action.SUBJECT_EXCLUDED,
        rule="BL-NODISEASE",
    )
    return _Baseline(
        rows=baseline,
        target=base_t,
        included=eligible & has_baseline & ~no_disease,
        n_target=n_target,
        n_nontarget=n_nontarget,
    )


def _exclude_orphans(work: _Records, base: _Baseline) -> None:
    """Follow-up records of lesions absent at baseline (new lesions aside)."""
    in_baseline = np.zeros(work.n_keys, dtype=bool)
    in_baseline[work.key[base.rows]] = True
    work.exclude(
        work.ok
        & ~work.pre
        & base.included[work.subj]
        & (work.role != ROLE_NEW)
        & ~in_baseline[work.key],
        problem="a measurement without a baseline: this lesion has no record on or before the "
        "reference date",
        action=Action.RECORD_EXCLUDED,
        field="LESION_ID",
        value=work.column("LESION_ID"),
    )


def _prepared(work: _Records, base: _Baseline) -> PreparedLesions:
    """The usable records, the assessments that took place and each subject's baseline."""
    included, subj = base.included, work.subj
    n_subjects = len(included)
    keep = work.ok & included[subj]
    kept_t = base.target & keep
    base_sum = np.bincount(subj[kept_t], weights=work.value[kept_t], minlength=n_subjects)
    base_sum = np.where(base.n_target > 0, base_sum, np.nan)
    bl_rows = base.rows & keep
    base_day = max_per_subject(subj[bl_rows], work.day[bl_rows], n_subjects)
    everything = bool(keep.all())

    def kept(values: np.ndarray) -> np.ndarray:
        # Nothing excluded (the usual case): the arrays are used as they are, without copies.
        return values if everything else values[keep]

    rows = {
        "ROW": np.flatnonzero(keep),
        "SUBJ": kept(subj),
        "LESION_KEY": kept(work.key),
        "ROLE": kept(work.role).astype(np.int8, copy=False),
        "IS_NODE": kept(work.is_node),
        LDIAM: kept(work.ldiam),
        SAXIS: kept(work.saxis),
        "VALUE": kept(work.value),
        "STATUS": kept(work.status).astype(np.int8, copy=False),
        "DAY": kept(work.day),
        "IMPUTED": kept(work.imputed),
        "BASELINE": kept(base.rows),
    }
    # Assessments happened on every post-reference date with a readable date, even where the
    # records themselves were excluded: such an assessment is then NE, not absent.
    took_place = ~work.bad_date & work.known & ~work.pre & included[subj]
    assessments = {
        "ROW": np.flatnonzero(took_place),
        "SUBJ": subj[took_place],
        "DAY": work.day[took_place],
        "IMPUTED": work.imputed[took_place],
    }
    return PreparedLesions(
        frame=work.frame,
        rows=rows,
        assessments=assessments,
        n_target=np.where(included, base.n_target, 0),
        n_nontarget=np.where(included, base.n_nontarget, 0),
        base_sum=np.where(included, base_sum, np.nan),
        base_day=np.where(included, base_day, NO_DATE),
        included=included,
    )
