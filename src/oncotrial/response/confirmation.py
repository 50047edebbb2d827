"""Confirmation of CR and PR (RECIST 1.1 §4.6.1, Table 3), vectorised over all subjects.

The rule is admiralonco's (``derive_param_confirmed_bor``, events ``crsp_y_cr``/``crsp_y_pr``),
which the oracle was derived with:

- a CR is confirmed when the first later CR at least ``confirmation_days`` after it exists and
  every assessment up to and including that one is CR or NE, with at most ``max_ne_between``
  NE;
- a PR is confirmed when the first later CR or PR at least ``confirmation_days`` after it exists
  and every assessment up to it is CR, PR, NE (or SD, at most one, if ``accept_sd_between``),
  with at most ``max_ne_between`` NE and no PR after a CR.

Only the *first* qualifying confirmation candidate is examined, as admiralonco's
``first_cond_upper`` does: if the window up to it breaks a condition, the response is not
confirmed by a later assessment either.

The confirming assessment is always a *later* one, whatever ``confirmation_days`` (0 included):
admiralonco joins each response with the observations after it only (``join_type = "after"`` in
``derive_param_confirmed_bor`` and its ``crsp_y_cr``/``cbor_cr`` events; admiral's
``filter_joined`` keeps ``tmp_obs_nr.join > tmp_obs_nr``), so a lone CR never confirms itself.

Rows must be sorted by subject then date with one row per subject and date. Everything is
computed with "next index of" arrays and prefix counts, so the cost is a few passes over the
rows whatever the number of subjects.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from oncotrial.response.settings import ResponseSettings

__all__ = ["K_CR", "K_ND", "K_NE", "K_NON", "K_PD", "K_PR", "K_SD", "K_UPD", "confirm"]

K_CR: Final = 0
K_PR: Final = 1
K_SD: Final = 2
K_NON: Final = 3
K_PD: Final = 4  # RECIST PD, iRECIST iCPD
K_UPD: Final = 5  # iRECIST iUPD (unconfirmed progression)
K_NE: Final = 6
K_ND: Final = 7


def _next_index(mask: np.ndarray) -> np.ndarray:
    """next[p] = smallest q >= p with mask[q] (len(mask) if none); length len(mask) + 1."""
    n = len(mask)
    idx = np.where(mask, np.arange(n), n)
    out = np.empty(n + 1, dtype=np.int64)
    out[n] = n
    out[:n] = np.minimum.accumulate(idx[::-1])[::-1]
    return out


def _prefix(mask: np.ndarray) -> np.ndarray:
    """pre[p] = number of True in mask[:p]; length len(mask) + 1."""
    out = np.zeros(len(mask) + 1, dtype=np.int64)
    np.cumsum(mask, out=out[1:])
    return out


def confirm(
    subj: np.ndarray, day: np.ndarray, code: np.ndarray, settings: ResponseSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the CR rows and PR rows that are confirmed."""
    n = len(code)
    cr_ok = np.zeros(n, dtype=bool)
    pr_ok = np.zeros(n, dtype=bool)
    if n == 0:
        return cr_ok, pr_ok
    d0 = int(day.min())
    span = int(day.max()) - d0 + settings.confirmation_days + 2
    composite = subj.astype(np.int64) * span + (day - d0)
    positions = np.arange(n)
    # First row at least `confirmation_days` after each row (same subject checked below), and
    # strictly after it: with 0 days the row itself would otherwise be its own confirmation.
    start = np.searchsorted(composite, composite + settings.confirmation_days, side="left")
    start = np.maximum(start, positions + 1)

    is_cr = code == K_CR
    is_pr = code == K_PR
    is_ne = code == K_NE
    is_sd = code == K_SD
    next_cr = _next_index(is_cr)
    next_pr = _next_index(is_pr)
    next_crpr = _next_index(is_cr | is_pr)
    next_not_cr_ne = _next_index(~(is_cr | is_ne))
    next_not_pr_ok = _next_index(~(is_cr | is_pr | is_ne | is_sd))
    ne_before = _prefix(is_ne)
    sd_before = _prefix(is_sd)
    subj_ext = np.append(subj, -1)

    # CR: confirming row j = first CR at or after `start`, same subject.
    j = next_cr[start]
    same = subj_ext[j] == subj
    window_clean = next_not_cr_ne[np.minimum(positions + 1, n)] > j
    ne_count = ne_before[np.minimum(j + 1, n)] - ne_before[positions + 1]
    cr_ok = is_cr & same & window_clean & (ne_count <= settings.max_ne_between)

    # PR: confirming row j = first CR or PR at or after `start`, same subject.
    j = next_crpr[start]
    same = subj_ext[j] == subj
    jj = np.minimum(j + 1, n)
    window_clean = next_not_pr_ok[np.minimum(positions + 1, n)] > j
    ne_count = ne_before[jj] - ne_before[positions + 1]
    sd_count = sd_before[jj] - sd_before[positions + 1]
    max_sd = 1 if settings.accept_sd_between else 0
    first_cr = next_cr[np.minimum(positions + 1, n)]
    pr_after_cr = (first_cr <= j) & (next_pr[np.minimum(first_cr, n)] <= j)
    pr_ok = (
        is_pr
        & same
        & window_clean
        & (ne_count <= settings.max_ne_between)
        & (sd_count <= max_sd)
        & ~pr_after_cr
    )
    return cr_ok, pr_ok
