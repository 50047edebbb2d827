"""Best overall response and the subject-level response parameters, vectorised.

Input: timepoint responses as codes (:mod:`oncotrial.response.confirmation` ``K_*``), sorted by
subject then date with one row per subject and date, all on or after the reference date. For
each subject the engine picks, with one ``lexsort``-free pass of segment minima:

- BOR: the best of CR > PR > SD (CR/PR/SD at least ``sd_min_days`` after the reference date) >
  NON-CR/NON-PD (same window) > PD > iUPD > NE (NE, or SD/NON-CR/NON-PD before the window) > ND,
  the first such assessment dating it (admiralonco ``derive_param_bor``);
- CBOR: the same with CR and PR counting only when confirmed, unconfirmed CR/PR counting as SD
  once the window is reached and NE before it (admiralonco ``derive_param_confirmed_bor``), and,
  with ``after_cr = recist``, a PR/SD/NON-CR/NON-PD right after a CR counting as PD
  (RECIST 1.1 Table 3);
- RSP/CRSP (first response, first confirmed response), CB/CCB (clinical benefit), PD (first
  progression), LSTA (last assessment).

Assessments after the first PD (iRECIST: after iCPD) do not count unless ``count_after_pd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from oncotrial.response.confirmation import (
    K_CR,
    K_ND,
    K_NE,
    K_NON,
    K_PD,
    K_PR,
    K_SD,
    K_UPD,
    confirm,
)
from oncotrial.response.settings import AfterCompleteResponse, ResponseSettings

__all__ = ["MISSING_RANK", "BestResponse", "derive_best_response"]

#: Rank of "no assessment" (after ND); ranks 0-7 equal the K_* codes.
MISSING_RANK: Final = 8
_BIG: Final = np.iinfo(np.int64).max


@dataclass(frozen=True)
class BestResponse:
    """Per-subject results as row indices into the timepoint rows (-1 = none) and ranks."""

    counted: np.ndarray  # per row: counts toward the best response (ANL02FL)
    confirmed: np.ndarray  # per row: a confirmed CR or PR
    after_cr: np.ndarray  # per row: a PR/SD/NON-CR/NON-PD right after a CR (Table 3)
    bor_rank: np.ndarray
    bor_row: np.ndarray
    cbor_rank: np.ndarray
    cbor_row: np.ndarray
    cbor_after_cr: np.ndarray  # per subject: CBOR decided by the Table 3 after-CR rule
    rsp_row: np.ndarray
    crsp_row: np.ndarray
    cb_row: np.ndarray
    ccb_row: np.ndarray
    pd_row: np.ndarray
    lsta_row: np.ndarray


def _segments(subj: np.ndarray, n_subjects: int) -> tuple[np.ndarray, np.ndarray]:
    starts = np.searchsorted(subj, np.arange(n_subjects), side="left")
    ends = np.searchsorted(subj, np.arange(n_subjects), side="right")
    return starts, ends


def _segment_min(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Minimum of values[start:end] per segment (_BIG for empty segments)."""
    out = np.full(len(starts), _BIG, dtype=np.int64)
    nonempty = ends > starts
    if nonempty.any() and len(values):
        out[nonempty] = np.minimum.reduceat(values, starts[nonempty])
    return out


def _first_row(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    positions = np.where(mask, np.arange(len(mask), dtype=np.int64), _BIG)
    first = _segment_min(positions, starts, ends)
    return np.where(first == _BIG, -1, first)


def _best(rank: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best (lowest) rank per subject and the first row holding it."""
    n = len(rank)
    composite = rank.astype(np.int64) * (n + 1) + np.arange(n, dtype=np.int64)
    best = _segment_min(composite, starts, ends)
    has = best != _BIG
    best_rank = np.where(has, best // (n + 1), MISSING_RANK)
    best_row = np.where(has, best % (n + 1), -1)
    # A subject whose rows are all uncounted has the sentinel rank (99): no counted assessment.
    uncounted = best_rank >= 99
    return np.where(uncounted, MISSING_RANK, best_rank), np.where(uncounted, -1, best_row)


def derive_best_response(
    subj: np.ndarray,
    day: np.ndarray,
    code: np.ndarray,
    ref_day: np.ndarray,
    settings: ResponseSettings,
    *,
    n_subjects: int,
) -> BestResponse:
    """Derive the response parameters; see the module docstring."""
    n = len(code)
    starts, ends = _segments(subj, n_subjects)
    window = day >= ref_day[subj] + settings.sd_min_days

    # Assessments counted toward best response: up to and including the first PD/iCPD.
    first_pd = _first_row(code == K_PD, starts, ends)
    pd_day = np.full(n_subjects, _BIG, dtype=np.int64)
    pd_day[first_pd >= 0] = day[first_pd[first_pd >= 0]]
    counted = np.ones(n, dtype=bool) if settings.count_after_pd else day <= pd_day[subj]

    idx = np.flatnonzero(counted)
    cr_ok_c, pr_ok_c = confirm(subj[idx], day[idx], code[idx], settings)
    confirmed = np.zeros(n, dtype=bool)
    confirmed[idx[cr_ok_c | pr_ok_c]] = True
    cr_ok = np.zeros(n, dtype=bool)
    cr_ok[idx[cr_ok_c]] = True
    pr_ok = np.zeros(n, dtype=bool)
    pr_ok[idx[pr_ok_c]] = True

    # RECIST 1.1 Table 3: PR/SD/NON-CR/NON-PD as the next evaluable assessment after a CR.
    evaluable = counted & (code != K_NE) & (code != K_ND)
    last_eval = np.maximum.accumulate(np.where(evaluable, np.arange(n), -1)) if n else evaluable
    prev_eval = np.r_[-1, last_eval[:-1]] if n else last_eval
    prev_ok = prev_eval >= 0
    prev_code = np.where(prev_ok, code[np.maximum(prev_eval, 0)], -1)
    prev_subj = np.where(prev_ok, subj[np.maximum(prev_eval, 0)], -1)
    after_cr = (
        counted & np.isin(code, (K_PR, K_SD, K_NON)) & (prev_code == K_CR) & (prev_subj == subj)
    )
    if settings.after_cr is AfterCompleteResponse.ADMIRALONCO:
        after_cr = np.zeros(n, dtype=bool)

    uncounted = np.int64(99)
    bor = np.select(
        [
            code == K_CR,
            code == K_PR,
            (code == K_SD) & window,
            (code == K_NON) & window,
            code == K_PD,
            code == K_UPD,
            np.isin(code, (K_SD, K_NON, K_NE)),
        ],
        [K_CR, K_PR, K_SD, K_NON, K_PD, K_UPD, K_NE],
        default=K_ND,
    ).astype(np.int64)
    bor = np.where(counted, bor, uncounted)

    # The Table 3 reading comes first: a PR after a CR is disease reappearing, whatever follows.
    cbor = np.select(
        [
            after_cr,
            cr_ok,
            pr_ok,
            np.isin(code, (K_CR, K_PR, K_SD)) & window,
            (code == K_NON) & window,
            code == K_PD,
            code == K_UPD,
            np.isin(code, (K_CR, K_PR, K_SD, K_NON, K_NE)),
        ],
        [K_PD, K_CR, K_PR, K_SD, K_NON, K_PD, K_UPD, K_NE],
        default=K_ND,
    ).astype(np.int64)
    cbor = np.where(counted, cbor, uncounted)

    bor_rank, bor_row = _best(bor, starts, ends)
    cbor_rank, cbor_row = _best(cbor, starts, ends)
    cbor_after_cr = np.zeros(n_subjects, dtype=bool)
    has = cbor_row >= 0
    cbor_after_cr[has] = after_cr[cbor_row[has]]

    rsp_row = _first_row(counted & ((code == K_CR) | (code == K_PR)), starts, ends)
    crsp_row = _first_row(counted & confirmed, starts, ends)
    benefit = _first_row(counted & np.isin(code, (K_CR, K_PR, K_SD, K_NON)) & window, starts, ends)
    cb_row = _earliest(rsp_row, benefit)
    ccb_row = _earliest(crsp_row, benefit)
    lsta_row = np.where(ends > starts, ends - 1, -1)
    return BestResponse(
        counted=counted,
        confirmed=confirmed,
        after_cr=after_cr,
        bor_rank=bor_rank,
        bor_row=bor_row,
        cbor_rank=cbor_rank,
        cbor_row=cbor_row,
        cbor_after_cr=cbor_after_cr,
        rsp_row=rsp_row,
        crsp_row=crsp_row,
        cb_row=cb_row,
        ccb_row=ccb_row,
        pd_row=first_pd,
        lsta_row=lsta_row,
    )


def _earliest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise earlier of two row indices (rows are date-ordered within a subject; -1 = none)."""
    aa = np.where(a < 0, _BIG, a)
    bb = np.where(b < 0, _BIG, b)
    out = np.minimum(aa, bb)
    return np.where(out == _BIG, -1, out)
