"""The ADaM ADRS shape: one row per subject and parameter, as the admiralonco template builds it.

Parameters (PARAMCD): OVR (one row per assessment), BOR, CBOR, RSP, CRSP, CB, CCB, BCP, CBCP,
PD, LSTA and, when baseline lesions are known, MDIS. Every subject of the subject file gets one
row of each subject-level parameter; a subject without assessments has BOR/CBOR ``MISSING`` and
``N`` flags, as admiralonco does. Dates (``ADT``) are those of the assessment that decided the
parameter; ``RULE`` names the deciding rule (see :mod:`oncotrial.response.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from oncotrial.response import codes as c
from oncotrial.response.best_response import BestResponse
from oncotrial.response.columns import filled, frame_of, lookup, take, text_where
from oncotrial.response.dates import NO_DATE, to_datetime64
from oncotrial.response.settings import ResponseCriteria, ResponseSettings

__all__ = [
    "ADRS_COLUMNS",
    "PARAMS",
    "AdrsInput",
    "SubjectParameter",
    "build_adrs",
    "subject_parameters",
]

#: PARAMCD -> PARAM template ({a} = assessor), in admiralonco's wording.
PARAMS: Final = {
    "BCP": "Best Overall Response of CR/PR by {a} (confirmation not required)",
    "BOR": "Best Overall Response by {a} (confirmation not required)",
    "CB": "Clinical Benefit by {a} (confirmation for response not required)",
    "CBCP": "Best Confirmed Overall Response of CR/PR by {a}",
    "CBOR": "Best Confirmed Overall Response by {a}",
    "CCB": "Confirmed Clinical Benefit by {a}",
    "CRSP": "Confirmed Response by {a}",
    "LSTA": "Last Disease Assessment by {a}",
    "MDIS": "Measurable Disease at Baseline by {a}",
    "OVR": "Overall Response by {a}",
    "PD": "Disease Progression by {a}",
    "RSP": "Response by {a} (confirmation not required)",
}

ADRS_COLUMNS: Final = (
    "STUDYID",
    "USUBJID",
    "PARAMCD",
    "PARAM",
    "PARCAT1",
    "PARCAT2",
    "PARCAT3",
    "AVISIT",
    "ADT",
    "ADTF",
    "AVALC",
    "AVAL",
    "ANL01FL",
    "ANL02FL",
    "RSEVAL",
    "RSEVALID",
    "RULE",
    "ASEQ",
)


@dataclass(frozen=True)
class AdrsInput:
    """What the ADRS is built from."""

    usubjid: np.ndarray  # object, per subject
    studyid: np.ndarray  # object, per subject
    ref_day: np.ndarray  # int64 per subject
    excluded: np.ndarray  # bool per subject
    measurable: np.ndarray | None  # bool per subject, None when unknown
    ovr: pd.DataFrame  # SUBJ, DAY, IMPUTED, CODE, AVALC, RULE, VISIT, EVAL, EVALID
    best: BestResponse
    pd_row: np.ndarray  # per subject: the assessment dating progression (-1 none)


#: iRECIST's names for the RECIST 1.1 response values the parameters are declared with.
_IRECIST_NAMES: Final = {
    c.CR: c.ICR,
    c.PR: c.IPR,
    c.SD: c.ISD,
    c.NON_CR_NON_PD: c.NON_ICR_NON_IUPD,
    c.PD: c.ICPD,
}


def _named(values: np.ndarray, criteria: ResponseCriteria) -> np.ndarray:
    if criteria is not ResponseCriteria.IRECIST:
        return values
    return np.array([_IRECIST_NAMES.get(v, v) for v in values], dtype=object)


def _yes_no(row: np.ndarray) -> np.ndarray:
    return text_where(row >= 0, "Y", "N")


def _mark(rule: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """The deciding rule, or EXCLUDED for subjects whose data were left out."""
    out = np.asarray(rule, dtype=object).copy()
    out[excluded] = "EXCLUDED"
    return out


_PARAM_ORDER = {code: position for position, code in enumerate(sorted(PARAMS))}


@dataclass(frozen=True)
class SubjectParameter:
    """One subject-level parameter for every subject: value, deciding assessment row, rule."""

    paramcd: str
    avalc: np.ndarray  # object per subject
    row: np.ndarray  # int64 per subject: index into the timepoint rows (-1: no date)
    rule: np.ndarray  # object per subject


def subject_parameters(data: AdrsInput, settings: ResponseSettings) -> list[SubjectParameter]:
    """BOR, CBOR, RSP, CRSP, CB, CCB, BCP, CBCP, PD, LSTA (and MDIS) for every subject."""
    n_subjects = len(data.usubjid)
    decided = data.best.decisions

    def constant(text: str) -> np.ndarray:
        return filled(n_subjects, text)

    def from_decision(paramcd: str, row: np.ndarray | None = None) -> SubjectParameter:
        decision = decided[paramcd]
        value = _named(decision.value, settings.criteria)
        return SubjectParameter(paramcd, value, decision.row if row is None else row, decision.rule)

    def responder(paramcd: str, best: str) -> SubjectParameter:
        # BCP/CBCP: Y when BOR/CBOR is CR or PR, dated as it (admiralonco ADRS template).
        decision = decided[best]
        row = np.where(np.isin(decision.value, (c.CR, c.PR)), decision.row, -1)
        return SubjectParameter(paramcd, _yes_no(row), row, constant(paramcd))

    ovr_avalc = data.ovr["AVALC"].to_numpy(dtype=object)
    params = [
        from_decision("BOR"),
        from_decision("CBOR"),
        from_decision("RSP"),
        from_decision("CRSP"),
        from_decision("CB"),
        from_decision("CCB"),
        responder("BCP", "BOR"),
        responder("CBCP", "CBOR"),
        from_decision("PD", data.pd_row),
        SubjectParameter(
            "LSTA", take(ovr_avalc, data.best.lsta_row), data.best.lsta_row, constant("LSTA")
        ),
    ]
    if data.measurable is not None:
        params.append(
            SubjectParameter(
                "MDIS",
                text_where(data.measurable, "Y", "N"),
                np.full(n_subjects, -1, dtype=np.int64),
                constant("MDIS"),
            )
        )
    return [
        SubjectParameter(p.paramcd, p.avalc, p.row, _mark(p.rule, data.excluded)) for p in params
    ]


def _adrs_order(
    subj: np.ndarray, param_code: np.ndarray, n_ovr: int, n_subjects: int
) -> np.ndarray:
    """The sort order by subject, PARAMCD, date, computed arithmetically (no sort).

    Within a subject the rows are the subject-level parameters (one each) in PARAMCD order with
    the subject's OVR rows, already date-ordered, in the OVR slot.
    """
    total = len(subj)
    ovr_code = _PARAM_ORDER["OVR"]
    is_ovr = np.arange(total) < n_ovr
    n_params = (total - n_ovr) // max(n_subjects, 1)
    codes_present = np.unique(param_code[n_ovr:]) if n_subjects else np.array([], dtype=np.int64)
    before = int((codes_present < ovr_code).sum())
    rank = np.searchsorted(codes_present, param_code)  # place among the parameters present
    ovr_count = np.bincount(subj[:n_ovr], minlength=n_subjects)
    size = n_params + ovr_count
    start = np.cumsum(size) - size
    ovr_first = np.cumsum(ovr_count) - ovr_count
    within = np.arange(total) - ovr_first[subj]  # index of an OVR row within its subject
    position = np.where(
        is_ovr,
        start[subj] + before + within,
        start[subj] + np.where(rank < before, rank, rank + ovr_count[subj]),
    )
    order = np.empty(total, dtype=np.int64)
    order[position] = np.arange(total)
    return order


def build_adrs(
    data: AdrsInput,
    params: list[SubjectParameter],
    settings: ResponseSettings,
    assessor: str,
) -> pd.DataFrame:
    """Assemble the ADRS frame (sorted by subject, PARAMCD, ADT; ASEQ numbered per subject)."""
    n_subjects = len(data.usubjid)
    subjects = np.arange(n_subjects)
    ovr_avalc = data.ovr["AVALC"].to_numpy(dtype=object)
    n_ovr = len(data.ovr)
    subj_parts = [data.ovr["SUBJ"].to_numpy(dtype=np.int64)]
    param_parts = [np.full(n_ovr, _PARAM_ORDER["OVR"], dtype=np.int64)]
    avalc_parts = [ovr_avalc]
    row_parts = [np.arange(n_ovr, dtype=np.int64)]
    rule_parts = [data.ovr["RULE"].to_numpy(dtype=object)]
    for param in params:
        subj_parts.append(subjects)
        param_parts.append(np.full(n_subjects, _PARAM_ORDER[param.paramcd], dtype=np.int64))
        avalc_parts.append(param.avalc)
        row_parts.append(param.row)
        rule_parts.append(param.rule)

    subj = np.concatenate(subj_parts)
    param_code = np.concatenate(param_parts)
    row = np.concatenate(row_parts)
    order = _adrs_order(subj, param_code, n_ovr, n_subjects)
    subj = subj[order]
    param_code = param_code[order]
    row = row[order]
    day = data.ovr["DAY"].to_numpy(dtype=np.int64)
    adt_day = np.full(len(row), NO_DATE, dtype=np.int64)
    adt_day[row >= 0] = day[row[row >= 0]]
    avalc = np.concatenate(avalc_parts)[order]
    rule = np.concatenate(rule_parts)[order]
    is_ovr = order < n_ovr
    counted = np.zeros(len(row), dtype=bool)
    counted[is_ovr] = data.best.counted[row[is_ovr]]
    imputed = np.zeros(len(row), dtype=bool)
    imputed[row >= 0] = data.ovr["IMPUTED"].to_numpy(dtype=bool)[row[row >= 0]]

    codes = np.array(sorted(PARAMS), dtype=object)
    texts = np.array([PARAMS[code].format(a=assessor) for code in codes], dtype=object)
    aval = lookup(avalc, c.AVAL, np.nan)
    starts = np.r_[True, subj[1:] != subj[:-1]] if len(subj) else np.zeros(0, dtype=bool)
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(subj)), 0))

    def from_ovr(column: str) -> np.ndarray:
        return take(data.ovr[column].to_numpy(dtype=object), row)

    columns: dict[str, np.ndarray | str] = {
        "STUDYID": data.studyid[subj],
        "USUBJID": data.usubjid[subj],
        "PARAMCD": codes[param_code],
        "PARAM": texts[param_code],
        "PARCAT1": "Tumor Response",
        "PARCAT2": assessor,
        "PARCAT3": settings.criteria.value,
        "AVISIT": from_ovr("VISIT"),
        "ADT": to_datetime64(adt_day),
        "ADTF": text_where(imputed, "D"),
        "AVALC": avalc,
        "AVAL": aval,
        "ANL01FL": "Y",
        "ANL02FL": text_where(is_ovr & counted, "Y"),
        "RSEVAL": from_ovr("EVAL"),
        "RSEVALID": from_ovr("EVALID"),
        "RULE": rule,
        settings.reference_date.value: to_datetime64(data.ref_day)[subj],
        "ASEQ": np.arange(len(subj)) - group_start + 1,
    }
    return frame_of(columns, len(subj))
