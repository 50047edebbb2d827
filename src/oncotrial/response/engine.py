"""The response engine's entry point: lesion measurements or recorded responses to ADRS.

``derive_response`` is pure: it takes data frames (see :mod:`oncotrial.response.frames`) and
settings and returns a :class:`ResponseResult`; it reads no file and no clock. Bad records are
reported in ``result.excluded`` (what was left out) and ``result.flags`` (kept, for review) and
the rest of the trial is derived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from oncotrial.errors import InputError, Problem, SchemaError
from oncotrial.response import rules as r
from oncotrial.response.adrs import AdrsInput, build_adrs, subject_parameters
from oncotrial.response.assessor import select_assessor
from oncotrial.response.best_response import derive_best_response
from oncotrial.response.columns import filled, frame_of, lookup, take, text_where
from oncotrial.response.dates import NO_DATE, parse_dates, to_datetime64
from oncotrial.response.frames import (
    LDIAM,
    NEWLIND,
    NTRGRESP,
    OVRLRESP,
    SAXIS,
    SUBJECT_REQUIRED,
    TRGRESP,
    require_columns,
)
from oncotrial.response.irecist import apply_irecist, confirmed_iupd_rows
from oncotrial.response.measurements import (
    ROLE_NAMES,
    STATUS_NAMES,
    PreparedLesions,
    SubjectIndex,
    prepare_lesions,
)
from oncotrial.response.problems import Action, ProblemLog, as_problems
from oncotrial.response.recorded import CODE_OF, prepare_recorded
from oncotrial.response.settings import ResponseCriteria, ResponseSettings
from oncotrial.response.summary import build_summary
from oncotrial.response.timepoints import derive_timepoints, pull

__all__ = ["ResponseResult", "derive_response", "subject_index"]


@dataclass(frozen=True)
class ResponseResult:
    """What ``derive_response`` returns; treat the frames as read-only.

    ``adrs``: ADaM ADRS (see ``docs/response.md`` for the columns); ``timepoints``: one row per
    subject and assessment with the component responses and sums; ``lesions``: one row per lesion
    and assessment with the timepoint's sums and changes (lesion input only, else empty; built on
    first use); ``summary``: one row per subject; ``excluded``: records and subjects left out,
    with why; ``flags``: records kept but flagged for review.
    """

    adrs: pd.DataFrame
    timepoints: pd.DataFrame
    summary: pd.DataFrame
    excluded: pd.DataFrame
    flags: pd.DataFrame
    settings: ResponseSettings
    assessor: str
    rules: Mapping[str, r.Rule] = field(default_factory=lambda: r.RULES, repr=False)
    _lesion_parts: tuple[PreparedLesions, pd.DataFrame, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def lesions(self) -> pd.DataFrame:
        """One row per lesion and assessment (baseline included), with the timepoint's sums."""
        if self._lesion_parts is None:
            return pd.DataFrame(columns=list(LESION_COLUMNS))
        return _lesions_output(*self._lesion_parts)

    def excluded_problems(self) -> list[Problem]:
        """The excluded records as :class:`oncotrial.errors.Problem` objects (for reports)."""
        return as_problems(self.excluded)


def subject_index(subjects: pd.DataFrame, settings: ResponseSettings) -> SubjectIndex:
    """The subject universe with reference days; raises on a malformed subject frame."""
    ref = settings.reference_date.value
    require_columns(subjects, (*SUBJECT_REQUIRED, ref), what="subject")
    ids = subjects["USUBJID"].astype(object)
    if ids.isna().any():
        raise SchemaError("a subject has no USUBJID", field="USUBJID")
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise SchemaError(
            f"USUBJID {duplicated.iloc[0]!r} appears more than once in the subject file",
            field="USUBJID",
            hint="The subject file (ADSL) must have one row per subject.",
        )
    column = subjects[ref]
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        days = column.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        ref_day = np.where(np.isnat(days), NO_DATE, days.astype(np.int64))
    else:
        parsed = parse_dates(column.astype(object), partial_day="reject")
        present = column.notna().to_numpy()
        bad = present & parsed.bad
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{ref} {column.iloc[first]!r} of subject {ids.iloc[first]} is not a date "
                f"({parsed.problem[first]})",
                field=ref,
                record=str(ids.iloc[first]),
                hint="Give complete ISO 8601 dates (YYYY-MM-DD) or leave the cell empty.",
            )
        ref_day = parsed.days
    studyid = (
        subjects["STUDYID"].astype(object).to_numpy()
        if "STUDYID" in subjects.columns
        else filled(len(subjects), None)
    )
    return SubjectIndex(
        usubjid=pd.Index(ids.astype(str).to_numpy(dtype=object)),
        studyid=studyid,
        ref_day=ref_day.astype(np.int64),
    )


def derive_response(
    subjects: pd.DataFrame,
    *,
    lesions: pd.DataFrame | None = None,
    timepoints: pd.DataFrame | None = None,
    settings: ResponseSettings | None = None,
    evaluator: str | None = None,
    measurable: Mapping[str, bool] | None = None,
) -> ResponseResult:
    """Derive timepoint and best overall responses for every subject of ``subjects``.

    Give exactly one of ``lesions`` (measurements; RECIST 1.1 Tables 1-2 are applied) or
    ``timepoints`` (recorded responses, SDTM RS OVRLRESP). ``evaluator`` names the assessor whose
    records count (default: the accepted records, ACPTFL = Y). ``measurable`` (USUBJID -> has
    target lesions at baseline) adds the MDIS parameter for recorded responses.
    """
    settings = settings or ResponseSettings()
    if (lesions is None) == (timepoints is None):
        raise InputError(
            "give either lesion measurements or recorded timepoint responses (not both, not "
            "neither)",
            hint="Use --sdtm with TU/TR or RS, or --lesions for the long lesion CSV.",
        )
    index = subject_index(subjects, settings)
    n_subjects = len(index)
    log = ProblemLog()
    usubjid = index.usubjid.to_numpy(dtype=object)
    prep: PreparedLesions | None = None
    tp_frame = pd.DataFrame()
    if lesions is not None:
        choice = select_assessor(lesions, evaluator, what="lesion")
        prep = prepare_lesions(choice.frame, index, settings, log)
        tp_frame = derive_timepoints(prep, settings)
        if settings.criteria is ResponseCriteria.IRECIST:
            tp_frame = apply_irecist(tp_frame, prep, settings, log, index.usubjid)
        ovr = tp_frame.rename(columns={OVRLRESP: "AVALC"})
        table = {label: float(code) for label, code in CODE_OF[settings.criteria].items()}
        ovr["CODE"] = lookup(ovr["AVALC"], table, -1.0).astype(np.int64)
        excluded = ~prep.included & _has_records(choice.frame, index)
        measurable_arr: np.ndarray | None = np.where(prep.included, prep.n_target > 0, False)
        assessor = choice.label
    else:
        assert timepoints is not None  # narrowed by the check above
        choice = select_assessor(timepoints, evaluator, what="timepoint response")
        ovr = prepare_recorded(choice.frame, index, settings, log)
        excluded = _has_records(choice.frame, index) & _subject_excluded(log, index)
        measurable_arr = None
        if measurable is not None:
            measurable_arr = np.array([bool(measurable.get(s, False)) for s in usubjid])
        assessor = choice.label

    subj = ovr["SUBJ"].to_numpy(dtype=np.int64)
    day = ovr["DAY"].to_numpy(dtype=np.int64)
    code = ovr["CODE"].to_numpy(dtype=np.int64)
    # A subject left without any assessment because its records were excluded is EXCLUDED too
    # (never a plain MISSING: the excluded list says why), docs/response.md.
    no_assessment = np.bincount(subj, minlength=n_subjects) == 0
    excluded = excluded | (no_assessment & _records_left_out(log, index))
    best = derive_best_response(subj, day, code, index.ref_day, settings, n_subjects=n_subjects)
    pd_row = best.pd_row
    if settings.criteria is ResponseCriteria.IRECIST:
        pd_row = confirmed_iupd_rows(subj, code, best.pd_row)
    _flag_after_cr(ovr, best.after_cr, usubjid, log)

    adrs_input = AdrsInput(
        usubjid=usubjid,
        studyid=index.studyid,
        ref_day=index.ref_day,
        excluded=excluded,
        measurable=measurable_arr,
        ovr=ovr,
        best=best,
        pd_row=pd_row,
    )
    params = subject_parameters(adrs_input, settings)
    adrs = build_adrs(adrs_input, params, settings, assessor)
    timepoints_out = _timepoints_output(ovr, best.counted, usubjid, index.studyid)
    problems = log.frame()
    flagged = problems["ACTION"].isin([Action.FLAGGED, Action.MERGED]).to_numpy()
    summary = build_summary(
        params,
        ovr,
        best.counted,
        settings,
        usubjid=usubjid,
        studyid=index.studyid,
        ref_day=index.ref_day,
        excluded=excluded,
        measurable=measurable_arr,
        base_sum=prep.base_sum if prep is not None else None,
    )
    return ResponseResult(
        adrs=adrs,
        timepoints=timepoints_out,
        _lesion_parts=(prep, ovr, usubjid) if prep is not None else None,
        summary=summary,
        excluded=problems.loc[~flagged].reset_index(drop=True),
        flags=problems.loc[flagged].reset_index(drop=True),
        settings=settings,
        assessor=assessor,
    )


def _has_records(frame: pd.DataFrame, index: SubjectIndex) -> np.ndarray:
    ids = pd.unique(np.asarray(frame["USUBJID"].unique(), dtype=object))
    present = index.usubjid.get_indexer(pd.Index([str(i) for i in ids], dtype=object))
    out = np.zeros(len(index), dtype=bool)
    out[present[present >= 0]] = True
    return out


def _records_left_out(log: ProblemLog, index: SubjectIndex) -> np.ndarray:
    """Per subject: some of its records (or the subject) were excluded."""
    frame = log.frame()
    left_out = frame["ACTION"].isin(
        [Action.RECORD_EXCLUDED, Action.SUBJECT_EXCLUDED, Action.NOT_ASSESSED]
    )
    ids = frame.loc[left_out, "USUBJID"].dropna()
    out = np.zeros(len(index), dtype=bool)
    position = index.usubjid.get_indexer(pd.Index(ids.astype(str)))
    out[position[position >= 0]] = True
    return out


def _subject_excluded(log: ProblemLog, index: SubjectIndex) -> np.ndarray:
    frame = log.frame()
    ids = frame.loc[frame["ACTION"] == Action.SUBJECT_EXCLUDED, "USUBJID"]
    out = np.zeros(len(index), dtype=bool)
    position = index.usubjid.get_indexer(pd.Index(ids.astype(str)))
    out[position[position >= 0]] = True
    return out


def _flag_after_cr(
    ovr: pd.DataFrame, after_cr: np.ndarray, usubjid: np.ndarray, log: ProblemLog
) -> None:
    if not after_cr.any():
        return
    rows = ovr.loc[after_cr]
    log.add(
        pd.DataFrame(
            {"USUBJID": usubjid[rows["SUBJ"].to_numpy()], "RECORD": _day_text(rows["DAY"])}
        ),
        None,
        problem="a PR/SD after a CR counts as PD for the confirmed best response (RECIST 1.1 "
        "Table 3 footnote a); if the CR was in fact a PR, correct the CR",
        action=Action.FLAGGED,
        field="AVALC",
        value=rows["AVALC"],
        rule="CBOR-AFTER-CR",
    )


def _day_text(days: pd.Series) -> np.ndarray:
    return np.array(
        [f"assessment {d}" for d in np.datetime_as_string(to_datetime64(days.to_numpy()), "D")],
        dtype=object,
    )


def _timepoints_output(
    ovr: pd.DataFrame, counted: np.ndarray, usubjid: np.ndarray, studyid: np.ndarray
) -> pd.DataFrame:
    subj = ovr["SUBJ"].to_numpy(dtype=np.int64)
    columns: dict[str, np.ndarray | str] = {
        "STUDYID": studyid[subj],
        "USUBJID": usubjid[subj],
        "ADT": to_datetime64(ovr["DAY"].to_numpy(dtype=np.int64)),
        "ADTF": text_where(ovr["IMPUTED"].to_numpy(dtype=bool), "D"),
        "AVISIT": ovr["VISIT"].to_numpy(dtype=object),
        "RSEVAL": ovr["EVAL"].to_numpy(dtype=object),
        "RSEVALID": ovr["EVALID"].to_numpy(dtype=object),
    }
    for column in (
        "N_TARGET",
        "N_ASSESSED",
        "SUM",
        "BASE_SUM",
        "NADIR",
        "CHG",
        "PCHG",
        "CHG_NADIR",
        "PCHG_NADIR",
        TRGRESP,
        "TRGRULE",
        NTRGRESP,
        "NTRGRULE",
        NEWLIND,
        "NEWRULE",
        "NLT_SUM",
    ):
        if column in ovr.columns:
            columns[column] = ovr[column].to_numpy()
    columns[OVRLRESP] = ovr["AVALC"].to_numpy(dtype=object)
    columns["RULE"] = ovr["RULE"].to_numpy(dtype=object)
    columns["ANL02FL"] = text_where(counted, "Y")
    return frame_of(columns, len(subj))


LESION_COLUMNS = (
    "USUBJID",
    "RSEVAL",
    "RSEVALID",
    "LESION_ID",
    "ROLE",
    "ORGAN",
    "IS_NODE",
    "ADT",
    "ADTF",
    "AVISIT",
    "ABLFL",
    LDIAM,
    SAXIS,
    "DIAMETER",
    "STATUS",
    "SUM",
    "BASE_SUM",
    "NADIR",
    "CHG",
    "PCHG",
    "CHG_NADIR",
    "PCHG_NADIR",
    TRGRESP,
    NTRGRESP,
    NEWLIND,
    OVRLRESP,
)


def _lesions_output(prep: PreparedLesions, ovr: pd.DataFrame, usubjid: np.ndarray) -> pd.DataFrame:
    rows = prep.rows
    source = np.asarray(rows["ROW"], dtype=np.int64)
    subj = np.asarray(rows["SUBJ"], dtype=np.int64)
    day = np.asarray(rows["DAY"], dtype=np.int64)
    baseline = np.asarray(rows["BASELINE"], dtype=bool)
    n = len(source)
    columns: dict[str, np.ndarray | str] = {
        "USUBJID": usubjid[subj],
        "RSEVAL": pull(prep.frame, "EVAL", source),
        "RSEVALID": pull(prep.frame, "EVALID", source),
        "LESION_ID": pull(prep.frame, "LESION_ID", source),
        "ROLE": ROLE_NAMES[np.asarray(rows["ROLE"], dtype=np.int64)],
        "ORGAN": pull(prep.frame, "ORGAN", source),
        "IS_NODE": np.asarray(rows["IS_NODE"], dtype=bool),
        "ADT": to_datetime64(day),
        "ADTF": text_where(np.asarray(rows["IMPUTED"], dtype=bool), "D"),
        "AVISIT": pull(prep.frame, "VISIT", source),
        "ABLFL": text_where(baseline, "Y"),
        LDIAM: np.asarray(rows[LDIAM], dtype=float),
        SAXIS: np.asarray(rows[SAXIS], dtype=float),
        "DIAMETER": np.asarray(rows["VALUE"], dtype=float),
        "STATUS": take(
            np.array([STATUS_NAMES.get(k) for k in range(max(STATUS_NAMES) + 1)], dtype=object),
            np.asarray(rows["STATUS"], dtype=np.int64),
        ),
    }
    base_sum = prep.base_sum[subj]
    position = np.full(n, -1, dtype=np.int64)
    if len(ovr):
        t_subj = ovr["SUBJ"].to_numpy(dtype=np.int64)
        t_day = ovr["DAY"].to_numpy(dtype=np.int64)
        d0 = int(min(t_day.min(), day.min()))
        span = int(max(t_day.max(), day.max())) - d0 + 1
        keys = t_subj * span + (t_day - d0)
        wanted = subj * span + (day - d0)
        found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        position = np.where(~baseline & (keys[found] == wanted), found, -1)
    hit = position >= 0
    safe = np.maximum(position, 0)

    def numbers(name: str, at_baseline: np.ndarray | float) -> np.ndarray:
        values = ovr[name].to_numpy(dtype=float)[safe] if len(ovr) else np.full(n, np.nan)
        return np.where(hit, values, np.where(baseline, at_baseline, np.nan))

    columns["SUM"] = numbers("SUM", base_sum)
    columns["BASE_SUM"] = base_sum
    columns["NADIR"] = numbers("NADIR", np.nan)
    columns["CHG"] = numbers("CHG", 0.0)
    columns["PCHG"] = numbers("PCHG", 0.0)
    columns["CHG_NADIR"] = numbers("CHG_NADIR", np.nan)
    columns["PCHG_NADIR"] = numbers("PCHG_NADIR", np.nan)
    for name in (TRGRESP, NTRGRESP, NEWLIND):
        columns[name] = take(ovr[name].to_numpy(dtype=object), position)
    columns[OVRLRESP] = take(ovr["AVALC"].to_numpy(dtype=object), position)
    return frame_of({name: columns[name] for name in LESION_COLUMNS}, n)
