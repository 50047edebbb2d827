"""Timepoint responses recorded by the investigator or a reviewer (SDTM RS, RSTESTCD OVRLRESP).

For trials that record responses rather than lesions. Each record is checked: a response that is
not a category of the protocol's criteria, a date that cannot be read, a subject unknown to the
subject file or without a reference date, and an assessment before the reference date (the
admiralonco template's ``ANL01FL``: only assessments 'on or after randomization date') are
reported and excluded. Several responses on one date keep the worst and are flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.response import codes as c
from oncotrial.response.confirmation import K_CR, K_ND, K_NE, K_NON, K_PD, K_PR, K_SD, K_UPD
from oncotrial.response.dates import NO_DATE, parse_dates
from oncotrial.response.frames import TIMEPOINT_REQUIRED, require_columns
from oncotrial.response.measurements import SubjectIndex
from oncotrial.response.problems import Action, ProblemLog
from oncotrial.response.settings import ResponseCriteria, ResponseSettings

__all__ = ["CODE_OF", "LABELS", "prepare_recorded"]

CODE_OF: dict[ResponseCriteria, dict[str, int]] = {
    ResponseCriteria.RECIST_1_1: {
        c.CR: K_CR,
        c.PR: K_PR,
        c.SD: K_SD,
        c.NON_CR_NON_PD: K_NON,
        c.PD: K_PD,
        c.NE: K_NE,
        c.ND: K_ND,
    },
    ResponseCriteria.IRECIST: {
        c.ICR: K_CR,
        c.IPR: K_PR,
        c.ISD: K_SD,
        c.NON_ICR_NON_IUPD: K_NON,
        c.ICPD: K_PD,
        c.IUPD: K_UPD,
        c.NE: K_NE,
        c.ND: K_ND,
    },
}
CODE_OF[ResponseCriteria.MRECIST] = CODE_OF[ResponseCriteria.RECIST_1_1]

#: code -> response label, per criteria.
LABELS: dict[ResponseCriteria, dict[int, str]] = {
    criteria: {code: label for label, code in table.items()} for criteria, table in CODE_OF.items()
}

# Worst first: the response kept when one date carries several (PD beats NE beats …).
_SEVERITY = {K_PD: 0, K_UPD: 1, K_NE: 2, K_ND: 3, K_NON: 4, K_SD: 5, K_PR: 6, K_CR: 7}


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def prepare_recorded(
    records: pd.DataFrame,
    subjects: SubjectIndex,
    settings: ResponseSettings,
    log: ProblemLog,
) -> pd.DataFrame:
    """Checked timepoint rows sorted by subject and date (columns SUBJ, DAY, CODE, AVALC, …)."""
    require_columns(records, TIMEPOINT_REQUIRED, what="timepoint response")
    frame = records.reset_index(drop=True)
    n = len(frame)
    base = pd.DataFrame(
        {
            "USUBJID": _column(frame, "USUBJID").astype(object),
            "SOURCE": _column(frame, "SOURCE").astype(object),
            "RECORD": _column(frame, "RECORD").astype(object),
        }
    )
    ok = np.ones(n, dtype=bool)
    usubjid = base["USUBJID"]
    missing_id = usubjid.isna().to_numpy()
    log.add(
        base,
        missing_id,
        problem="the subject identifier is missing",
        action=Action.RECORD_EXCLUDED,
        field="USUBJID",
    )
    ok &= ~missing_id
    subj = subjects.usubjid.get_indexer(pd.Index(usubjid.astype(str)))
    unknown = ok & (subj < 0)
    log.add_subjects(
        usubjid[unknown].astype(str).unique().tolist(),
        problem="the subject is not in the subject file (ADSL); its responses are not used",
        action=Action.SUBJECT_EXCLUDED,
    )
    ok &= ~unknown
    subj = np.where(subj < 0, 0, subj).astype(np.int64)
    ref = subjects.ref_day[subj]
    no_ref = ok & (ref == NO_DATE)
    log.add_subjects(
        usubjid[no_ref].astype(str).unique().tolist(),
        problem=f"the subject has no reference date ({settings.reference_date.value}) in the "
        "subject file",
        action=Action.SUBJECT_EXCLUDED,
    )
    ok &= ~no_ref

    table = CODE_OF[settings.criteria]
    upper = {label.upper(): code for label, code in table.items()}
    raw = _column(frame, "RESPONSE")
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = np.array(
        [upper.get(c.normalise_word(str(u)), -1) for u in uniques] + [-1], dtype=np.int64
    )
    code = mapped[np.where(codes < 0, len(uniques), codes)]
    bad = ok & (code < 0)
    log.add(
        base,
        bad,
        problem=f"not a {settings.criteria.value} timepoint response (expected {', '.join(table)})",
        action=Action.RECORD_EXCLUDED,
        field="RESPONSE",
        value=raw,
    )
    ok &= ~bad

    dates = parse_dates(_column(frame, "DTC"), partial_day=settings.partial_date_day)
    bad_date = ok & dates.bad
    log.add(
        base,
        bad_date,
        problem=dates.problem,
        action=Action.RECORD_EXCLUDED,
        field="DTC",
        value=_column(frame, "DTC"),
    )
    ok &= ~bad_date
    early = ok & (dates.days < ref)
    log.add(
        base,
        early,
        problem=f"an assessment before the reference date ({settings.reference_date.value})",
        action=Action.RECORD_EXCLUDED,
        field="DTC",
        value=_column(frame, "DTC"),
        rule="TP-BEFORE-REF",
    )
    ok &= ~early

    kept = pd.DataFrame(
        {
            "SUBJ": subj[ok],
            "DAY": dates.days[ok],
            "IMPUTED": dates.imputed[ok],
            "CODE": code[ok],
            "SEVERITY": np.array([_SEVERITY[int(k)] for k in code[ok]], dtype=np.int64),
            "VISIT": _column(frame, "VISIT").to_numpy(dtype=object)[ok],
            "EVAL": _column(frame, "EVAL").to_numpy(dtype=object)[ok],
            "EVALID": _column(frame, "EVALID").to_numpy(dtype=object)[ok],
            "SEQ": pd.to_numeric(_column(frame, "SEQ"), errors="coerce").to_numpy()[ok],
            "USUBJID": usubjid.to_numpy(dtype=object)[ok],
            "SOURCE": base["SOURCE"].to_numpy()[ok],
            "RECORD": base["RECORD"].to_numpy()[ok],
        }
    )
    kept = kept.sort_values(["SUBJ", "DAY", "SEVERITY", "SEQ"], kind="stable").reset_index(
        drop=True
    )
    kept = _one_per_day(kept, settings, log)
    kept["AVALC"] = kept["CODE"].map(LABELS[settings.criteria]).astype(object)
    kept["RULE"] = "TP-RECORDED"
    return kept.drop(columns=["SEVERITY"])


def _one_per_day(kept: pd.DataFrame, settings: ResponseSettings, log: ProblemLog) -> pd.DataFrame:
    """One timepoint response a date: the worst (rows are sorted by severity within a date)."""
    same_day = kept.duplicated(["SUBJ", "DAY"]).to_numpy()
    if same_day.any():
        differs = kept.groupby(["SUBJ", "DAY"])["CODE"].transform("nunique").to_numpy() > 1
        log.add(
            kept,
            same_day & differs,
            problem="several timepoint responses on one date; the worst is kept",
            action=Action.RECORD_EXCLUDED,
            field="RESPONSE",
            value=kept["CODE"].map(LABELS[settings.criteria]),
            rule="TP-SAMEDAY",
        )
        log.add(
            kept,
            same_day & ~differs,
            problem="the same timepoint response is recorded twice on one date",
            action=Action.MERGED,
            field="RESPONSE",
        )
        kept = kept.loc[~same_day].reset_index(drop=True)
    return kept
