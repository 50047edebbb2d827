"""Confirmation of CR and PR (RECIST 1.1 §4.6.1, Table 3), declared as data, vectorised.

A :class:`Confirmation` is admiralonco's ``event_joined`` for a confirmed response
(``derive_param_confirmed_bor``, events ``crsp_y_cr``/``crsp_y_pr``, with which the oracle was
derived) written as data; :func:`confirm` executes it over all subjects at once. The two rules
the engine applies are declared in :mod:`oncotrial.response.rules` (``CONFIRM_CR``,
``CONFIRM_PR``):

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

from dataclasses import dataclass
from typing import Final

import numpy as np

from oncotrial.response import codes as c
from oncotrial.response.settings import ResponseSettings

__all__ = [
    "CODE_NAMES",
    "K_CR",
    "K_ND",
    "K_NE",
    "K_NON",
    "K_PD",
    "K_PR",
    "K_SD",
    "K_UPD",
    "Confirmation",
    "confirm",
]

K_CR: Final = 0
K_PR: Final = 1
K_SD: Final = 2
K_NON: Final = 3
K_PD: Final = 4  # RECIST PD, iRECIST iCPD
K_UPD: Final = 5  # iRECIST iUPD (unconfirmed progression)
K_NE: Final = 6
K_ND: Final = 7

#: Each code's RECIST 1.1 name (iUPD has none), for printing rules.
CODE_NAMES: Final = (c.CR, c.PR, c.SD, c.NON_CR_NON_PD, c.PD, c.IUPD, c.NE, c.ND)


def _names(codes: frozenset[int]) -> str:
    names = [CODE_NAMES[k] for k in sorted(codes)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


@dataclass(frozen=True)
class Confirmation:
    """When a ``response`` assessment is confirmed by a later one (admiralonco event_joined).

    ``confirmed_by``: the first later assessment with one of these codes at least
    ``confirmation_days`` after the response is the candidate (admiralonco ``first_cond``);
    ``between``: the codes every assessment after the response up to and including the candidate
    may have; ``sd_between``: one SD is accepted too when the setting ``accept_sd_between`` says
    so; ``no_pr_after_cr``: no PR may follow a CR up to the candidate. At most
    ``max_ne_between`` NE in all cases.
    """

    response: int
    confirmed_by: frozenset[int]
    between: frozenset[int]
    sd_between: bool = False
    no_pr_after_cr: bool = False

    def __str__(self) -> str:
        allowed = _names(self.between) + (
            " (one SD if accept_sd_between)" if self.sd_between else ""
        )
        text = (
            f"AVALC == {CODE_NAMES[self.response]} and the first later assessment with "
            f"{_names(self.confirmed_by)} at least confirmation_days after it exists; every "
            f"assessment up to it is {allowed}, at most max_ne_between NE"
        )
        return text + ("; no PR after a CR" if self.no_pr_after_cr else "")


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
    subj: np.ndarray,
    day: np.ndarray,
    code: np.ndarray,
    rule: Confirmation,
    settings: ResponseSettings,
) -> np.ndarray:
    """Mask of the rows that are a ``rule.response`` confirmed as ``rule`` says."""
    n = len(code)
    if n == 0:
        return np.zeros(0, dtype=bool)
    d0 = int(day.min())
    span = int(day.max()) - d0 + settings.confirmation_days + 2
    composite = subj.astype(np.int64) * span + (day - d0)
    positions = np.arange(n)
    after = np.minimum(positions + 1, n)
    # First row at least `confirmation_days` after each row (same subject checked below), and
    # strictly after it: with 0 days the row itself would otherwise be its own confirmation.
    start = np.searchsorted(composite, composite + settings.confirmation_days, side="left")
    start = np.maximum(start, positions + 1)

    is_sd = code == K_SD
    is_ne = code == K_NE
    allowed = np.isin(code, tuple(rule.between))
    if rule.sd_between:
        allowed |= is_sd
    ne_before = _prefix(is_ne)
    subj_ext = np.append(subj, -1)

    # The candidate j: the first confirming code at or after `start`, of the same subject.
    j = _next_index(np.isin(code, tuple(rule.confirmed_by)))[start]
    jj = np.minimum(j + 1, n)
    ok = (code == rule.response) & (subj_ext[j] == subj)
    ok &= _next_index(~allowed)[after] > j  # every assessment up to j allowed
    ok &= ne_before[jj] - ne_before[positions + 1] <= settings.max_ne_between
    if rule.sd_between:
        sd_before = _prefix(is_sd)
        max_sd = 1 if settings.accept_sd_between else 0
        ok &= sd_before[jj] - sd_before[positions + 1] <= max_sd
    if rule.no_pr_after_cr:
        first_cr = _next_index(code == K_CR)[after]
        next_pr = _next_index(code == K_PR)
        ok &= ~((first_cr <= j) & (next_pr[np.minimum(first_cr, n)] <= j))
    return np.asarray(ok, dtype=bool)
