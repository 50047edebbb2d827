"""The response engine's entry point: lesion measurements or recorded responses to ADRS.

``derive_response`` is pure: it takes data frames (see :mod:`oncotrial.response.frames`) and
settings and returns a :class:`ResponseResult`; it reads no file and no clock. Bad records are
reported in ``result.excluded`` (what was left out) and ``result.flags`` (kept, for review) and
the rest of the trial is derived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncotrial.errors import InputError, Problem, SchemaError
from oncotrial.response import rules as r
from oncotrial.response.adrs import AdrsInput, build_adrs
from oncotrial.response.assessor import select_assessor
from oncotrial.response.best_response import derive_best_response
from oncotrial.response.columns import take, text_where
from oncotrial.response.dates import NO_DATE, parse_dates, to_datetime64
from oncotrial.response.frames import SUBJECT_REQUIRED, require_columns
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
from oncotrial.response.timepoints import derive_timepoints

__all__ = ["ResponseResult", "derive_response", "subject_index"]


@dataclass(frozen=True)
class ResponseResult:
    """What ``derive_response`` returns; treat the frames as read-only.

    ``adrs``: ADaM ADRS (see ``docs/response.md`` for the columns); ``timepoints``: one row per
    subject and assessment with the component responses and sums; ``lesions``: one row per lesion
    and assessment with the timepoint's sums and changes (lesion input only, else empty);
    ``summary``: one row per subject; ``excluded``: records and subjects left out, with why;
    ``flags``: records kept but flagged for review.
    """

    adrs: pd.DataFrame
    timepoints: pd.DataFrame
    lesions: pd.DataFrame
    summary: pd.DataFrame
    excluded: pd.DataFrame
    flags: pd.DataFrame
    settings: ResponseSettings
    assessor: str
    rules: Mapping[str, r.Rule] = field(default_factory=lambda: r.RULES, repr=False)

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
        bad = present & (parsed.problem != None)  # noqa: E711 - elementwise
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
        else np.full(len(subjects), None, dtype=object)
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
        ovr = tp_frame.rename(columns={"OVRLRESP": "AVALC"})
        ovr["CODE"] = ovr["AVALC"].map(CODE_OF[settings.criteria]).to_numpy(dtype=np.int64)
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
    best = derive_best_response(subj, day, code, index.ref_day, settings, n_subjects=n_subjects)
    pd_row = best.pd_row
    if settings.criteria is ResponseCriteria.IRECIST:
        pd_row = confirmed_iupd_rows(subj, code, best.pd_row)
    _flag_after_cr(ovr, best.after_cr, usubjid, log)

    adrs = build_adrs(
        AdrsInput(
            usubjid=usubjid,
            studyid=index.studyid,
            ref_day=index.ref_day,
            excluded=excluded,
            measurable=measurable_arr,
            ovr=ovr,
            best=best,
            pd_row=pd_row,
        ),
        settings,
        assessor,
    )
    timepoints_out = _timepoints_output(ovr, best.counted, usubjid, index.studyid)
    problems = log.frame()
    flagged = problems["ACTION"].isin([Action.FLAGGED, Action.MERGED]).to_numpy()
    summary = build_summary(
        adrs,
        timepoints_out.assign(SUBJ=subj),
        settings,
        usubjid=usubjid,
        studyid=index.studyid,
        ref_day=index.ref_day,
        excluded=excluded,
        measurable=measurable_arr,
        base_sum=prep.base_sum if prep is not None else None,
    )
    lesions_out = _lesions_output(prep, ovr, usubjid) if prep is not None else pd.DataFrame()
    return ResponseResult(
        adrs=adrs,
        timepoints=timepoints_out,
        lesions=lesions_out,
        summary=summary,
        excluded=problems.loc[~flagged].reset_index(drop=True),
        flags=problems.loc[flagged].reset_index(drop=True),
        settings=settings,
        assessor=assessor,
    )


def _has_records(frame: pd.DataFrame, index: SubjectIndex) -> np.ndarray:
    present = index.usubjid.get_indexer(pd.Index(frame["USUBJID"].astype(str).unique()))
    out = np.zeros(len(index), dtype=bool)
    out[present[present >= 0]] = True
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
    out = pd.DataFrame(
        {
            "STUDYID": studyid[subj],
            "USUBJID": usubjid[subj],
            "ADT": to_datetime64(ovr["DAY"].to_numpy(dtype=np.int64)),
            "ADTF": text_where(ovr["IMPUTED"].to_numpy(dtype=bool), "D"),
            "AVISIT": ovr["VISIT"].to_numpy(dtype=object),
            "RSEVAL": ovr["EVAL"].to_numpy(dtype=object),
            "RSEVALID": ovr["EVALID"].to_numpy(dtype=object),
        }
    )
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
        "TRGRESP",
        "TRGRULE",
        "NTRGRESP",
        "NTRGRULE",
        "NEWLIND",
        "NEWRULE",
        "NLT_SUM",
    ):
        if column in ovr.columns:
            out[column] = ovr[column].to_numpy()
    out["OVRLRESP"] = ovr["AVALC"].to_numpy(dtype=object)
    out["RULE"] = ovr["RULE"].to_numpy(dtype=object)
    out["ANL02FL"] = text_where(counted, "Y")
    return out


def _lesions_output(prep: PreparedLesions, ovr: pd.DataFrame, usubjid: np.ndarray) -> pd.DataFrame:
    rows = prep.rows
    subj = rows["SUBJ"].to_numpy(dtype=np.int64)
    day = rows["DAY"].to_numpy(dtype=np.int64)
    baseline = rows["BASELINE"].to_numpy(dtype=bool)
    out = pd.DataFrame(
        {
            "USUBJID": usubjid[subj],
            "RSEVAL": rows["EVAL"].to_numpy(dtype=object),
            "RSEVALID": rows["EVALID"].to_numpy(dtype=object),
            "LESION_ID": rows["LESION_ID"].to_numpy(dtype=object),
            "ROLE": ROLE_NAMES[rows["ROLE"].to_numpy(dtype=np.int64)],
            "ORGAN": rows["ORGAN"].to_numpy(dtype=object),
            "IS_NODE": rows["IS_NODE"].to_numpy(dtype=bool),
            "ADT": to_datetime64(day),
            "ADTF": text_where(rows["IMPUTED"].to_numpy(dtype=bool), "D"),
            "AVISIT": rows["VISIT"].to_numpy(dtype=object),
            "ABLFL": text_where(baseline, "Y"),
            "LDIAM": rows["LDIAM"].to_numpy(dtype=float),
            "SAXIS": rows["SAXIS"].to_numpy(dtype=float),
            "DIAMETER": rows["VALUE"].to_numpy(dtype=float),
            "STATUS": pd.Series(rows["STATUS"].to_numpy(dtype=np.int64))
            .map(STATUS_NAMES)
            .to_numpy(dtype=object),
        }
    )
    n = len(rows)
    t_subj = ovr["SUBJ"].to_numpy(dtype=np.int64)
    t_day = ovr["DAY"].to_numpy(dtype=np.int64)
    base_sum = prep.base_sum[subj]
    fields = {
        "SUM": np.where(baseline, base_sum, np.nan),
        "BASE_SUM": base_sum,
        "NADIR": np.full(n, np.nan),
        "CHG": np.where(baseline, 0.0, np.nan),
        "PCHG": np.where(baseline, 0.0, np.nan),
        "CHG_NADIR": np.full(n, np.nan),
        "PCHG_NADIR": np.full(n, np.nan),
    }
    texts = {name: np.full(n, None, dtype=object) for name in ("TRGRESP", "NTRGRESP", "NEWLIND")}
    ovrl = np.full(n, None, dtype=object)
    if len(ovr):
        d0 = int(min(t_day.min(), day.min()))
        span = int(max(t_day.max(), day.max())) - d0 + 1
        keys = t_subj * span + (t_day - d0)
        pos = np.searchsorted(keys, subj * span + (day - d0))
        pos = np.minimum(pos, len(keys) - 1)
        hit = ~baseline & (keys[pos] == subj * span + (day - d0))
        for name in ("SUM", "NADIR", "CHG", "PCHG", "CHG_NADIR", "PCHG_NADIR"):
            fields[name] = np.where(hit, ovr[name].to_numpy(dtype=float)[pos], fields[name])
        for name in texts:
            texts[name] = take(ovr[name].to_numpy(dtype=object), np.where(hit, pos, -1))
        ovrl = take(ovr["AVALC"].to_numpy(dtype=object), np.where(hit, pos, -1))
    for name, values in {**fields, **texts}.items():
        out[name] = values
    out["OVRLRESP"] = ovrl
    return out
