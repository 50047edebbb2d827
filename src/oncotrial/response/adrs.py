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
from oncotrial.response.best_response import MISSING_RANK, BestResponse
from oncotrial.response.columns import take, text_where
from oncotrial.response.confirmation import K_CR, K_ND, K_NE, K_NON, K_PD, K_PR, K_SD, K_UPD
from oncotrial.response.dates import to_datetime64
from oncotrial.response.settings import ResponseCriteria, ResponseSettings

__all__ = ["ADRS_COLUMNS", "PARAMS", "AdrsInput", "build_adrs"]

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

_BOR_RULES = {
    K_CR: "BOR-CR",
    K_PR: "BOR-PR",
    K_SD: "BOR-SD",
    K_NON: "BOR-NONCRPD",
    K_PD: "BOR-PD",
    K_UPD: "IBOR",
    K_NE: "BOR-NE",
    K_ND: "BOR-NE",
    MISSING_RANK: "BOR-MISSING",
}


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


def _labels(criteria: ResponseCriteria) -> np.ndarray:
    if criteria is ResponseCriteria.IRECIST:
        names = [c.ICR, c.IPR, c.ISD, c.NON_ICR_NON_IUPD, c.ICPD, c.IUPD, c.NE, c.ND, c.MISSING]
    else:
        names = [c.CR, c.PR, c.SD, c.NON_CR_NON_PD, c.PD, c.IUPD, c.NE, c.ND, c.MISSING]
    return np.array(names, dtype=object)


def _yes_no(row: np.ndarray) -> np.ndarray:
    return text_where(row >= 0, "Y", "N")


def _mark(rule: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """The deciding rule, or EXCLUDED for subjects whose data were left out."""
    out = np.asarray(rule, dtype=object).copy()
    out[excluded] = "EXCLUDED"
    return out


_PARAM_ORDER = {code: position for position, code in enumerate(sorted(PARAMS))}


def build_adrs(data: AdrsInput, settings: ResponseSettings, assessor: str) -> pd.DataFrame:
    """Assemble the ADRS frame (sorted by subject, PARAMCD, ADT; ASEQ numbered per subject)."""
    n_subjects = len(data.usubjid)
    best = data.best
    labels = _labels(settings.criteria)
    irecist = settings.criteria is ResponseCriteria.IRECIST
    subjects = np.arange(n_subjects)

    def rules_for(rank: np.ndarray, prefix: str) -> np.ndarray:
        if irecist:
            out = text_where(rank == MISSING_RANK, f"{prefix}-MISSING", "IBOR")
        else:
            table = np.array(
                [_BOR_RULES[k].replace("BOR", prefix, 1) for k in range(MISSING_RANK + 1)],
                dtype=object,
            )
            out = table[rank]
        return out

    cbor_rules = rules_for(best.cbor_rank, "CBOR")
    cbor_rules = np.asarray(cbor_rules, dtype=object).copy()
    cbor_rules[best.cbor_after_cr] = "CBOR-AFTER-CR"
    blocks: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = [
        ("BOR", labels[best.bor_rank], best.bor_row, rules_for(best.bor_rank, "BOR")),
        ("CBOR", labels[best.cbor_rank], best.cbor_row, cbor_rules),
        ("RSP", _yes_no(best.rsp_row), best.rsp_row, np.full(n_subjects, "RSP", dtype=object)),
        ("CRSP", _yes_no(best.crsp_row), best.crsp_row, np.full(n_subjects, "CRSP", dtype=object)),
        ("CB", _yes_no(best.cb_row), best.cb_row, np.full(n_subjects, "CB", dtype=object)),
        ("CCB", _yes_no(best.ccb_row), best.ccb_row, np.full(n_subjects, "CCB", dtype=object)),
    ]
    bcp_row = np.where(np.isin(best.bor_rank, (K_CR, K_PR)), best.bor_row, -1)
    cbcp_row = np.where(np.isin(best.cbor_rank, (K_CR, K_PR)), best.cbor_row, -1)
    blocks += [
        ("BCP", _yes_no(bcp_row), bcp_row, np.full(n_subjects, "BCP", dtype=object)),
        ("CBCP", _yes_no(cbcp_row), cbcp_row, np.full(n_subjects, "CBCP", dtype=object)),
        ("PD", _yes_no(data.pd_row), data.pd_row, np.full(n_subjects, "PD", dtype=object)),
    ]
    ovr_avalc = data.ovr["AVALC"].to_numpy(dtype=object)
    lsta = best.lsta_row
    lsta_avalc = take(ovr_avalc, lsta)
    blocks.append(("LSTA", lsta_avalc, lsta, np.full(n_subjects, "LSTA", dtype=object)))
    if data.measurable is not None:
        blocks.append(
            (
                "MDIS",
                text_where(data.measurable, "Y", "N"),
                np.full(n_subjects, -1, dtype=np.int64),
                np.full(n_subjects, "MDIS", dtype=object),
            )
        )

    n_ovr = len(data.ovr)
    subj_parts = [data.ovr["SUBJ"].to_numpy(dtype=np.int64)]
    param_parts = [np.full(n_ovr, "OVR", dtype=object)]
    avalc_parts = [ovr_avalc]
    row_parts = [np.arange(n_ovr, dtype=np.int64)]
    rule_parts = [data.ovr["RULE"].to_numpy(dtype=object)]
    for block_code, block_avalc, block_rows, block_rule in blocks:
        subj_parts.append(subjects)
        param_parts.append(np.full(n_subjects, block_code, dtype=object))
        avalc_parts.append(np.asarray(block_avalc, dtype=object))
        row_parts.append(np.asarray(block_rows, dtype=np.int64))
        rule_parts.append(_mark(block_rule, data.excluded))

    subj = np.concatenate(subj_parts)
    paramcd = np.concatenate(param_parts)
    avalc = np.concatenate(avalc_parts)
    row = np.concatenate(row_parts)
    rule = np.concatenate(rule_parts)
    has_row = row >= 0
    safe = np.maximum(row, 0)

    def from_ovr(column: str) -> np.ndarray:
        return take(data.ovr[column].to_numpy(dtype=object), row)

    day = data.ovr["DAY"].to_numpy(dtype=np.int64) if n_ovr else np.zeros(0, dtype=np.int64)
    adt_day = np.where(has_row, day[safe] if n_ovr else 0, np.iinfo(np.int64).max)
    imputed = (
        data.ovr["IMPUTED"].to_numpy(dtype=bool)[safe] & has_row
        if n_ovr
        else np.zeros(len(row), dtype=bool)
    )
    counted = np.zeros(len(row), dtype=bool)
    counted[:n_ovr] = best.counted
    is_ovr = np.arange(len(row)) < n_ovr

    # Order: subject, PARAMCD, date (missing last), then row order (admiralonco ASEQ order).
    param_codes = pd.Series(paramcd, dtype=object).map(_PARAM_ORDER).to_numpy(dtype=np.int64)
    order = np.lexsort((np.arange(len(row)), adt_day, param_codes, subj))
    aval = pd.Series(avalc, dtype=object).map(c.AVAL).to_numpy(dtype=float)
    ref_dates = to_datetime64(data.ref_day)
    param_text = {code: text.format(a=assessor) for code, text in PARAMS.items()}
    frame = pd.DataFrame(
        {
            "STUDYID": data.studyid[subj],
            "USUBJID": data.usubjid[subj],
            "PARAMCD": paramcd,
            "PARAM": pd.Series(paramcd, dtype=object).map(param_text).to_numpy(dtype=object),
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
            settings.reference_date.value: ref_dates[subj],
        }
    ).iloc[order]
    frame = frame.reset_index(drop=True)
    subj_sorted = subj[order]
    starts = np.r_[True, subj_sorted[1:] != subj_sorted[:-1]] if len(subj_sorted) else []
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(subj_sorted)), 0))
    frame["ASEQ"] = np.arange(len(subj_sorted)) - group_start + 1
    columns = [*ADRS_COLUMNS[:-1], settings.reference_date.value, "ASEQ"]
    return frame[columns]
