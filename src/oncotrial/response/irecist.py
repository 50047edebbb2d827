"""iRECIST (Seymour et al., Lancet Oncol 2017;18:e143-52): unconfirmed and confirmed progression.

Timepoint responses from measurements follow the paper's Table 2. The RECIST 1.1 categories of
each assessment (target, non-target, new lesions, computed as for RECIST 1.1 against baseline
and nadir) are read through a small state machine per subject:

- no iUPD pending: RECIST 1.1 PD in any category gives **iUPD** and records, as the reference for
  confirmation, the categories that progressed, the target sum, the new lesions present and their
  sum of diameters (new-lesion sums are kept apart from the target sum); otherwise the RECIST
  response with the ``i`` prefix (iCR, iPR, iSD, NON-iCR/NON-iUPD, NE);
- iUPD pending: **iCPD** when the iUPD is confirmed — a further increase of the target sum of at
  least 5 mm (additive over assessments: compared with the sum at iUPD), any further increase of
  non-target disease (state INCREASED), another new lesion, a new-lesion sum at least 5 mm larger,
  a new non-target lesion that increased, or RECIST 1.1 PD newly met in a category that had not
  progressed; an assessment sooner than ``irecist_min_confirm_days`` after the iUPD cannot
  confirm it. Without confirmation the assessment **remains iUPD** while any category is still at
  iUPD level (new lesions still present count), is NE when not evaluable, and otherwise the iUPD
  is **reset** (iSD/iPR/iCR) and the next progression must meet iUPD again.

Best overall response (iBOR) uses :mod:`oncotrial.response.best_response` with iCPD in the place
of PD and iUPD ranked after it, which reproduces the eight scenarios of the paper's Table 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from oncotrial.response import codes as c
from oncotrial.response import rules as r
from oncotrial.response.confirmation import K_ND, K_NE, K_UPD
from oncotrial.response.frames import NEWLIND, NTRGRESP, OVRLRESP, TRGRESP
from oncotrial.response.measurements import (
    ROLE_NEW,
    ST_ABSENT,
    ST_EQUIVOCAL,
    ST_NE,
    PreparedLesions,
)
from oncotrial.response.problems import Action, ProblemLog
from oncotrial.response.settings import ResponseSettings
from oncotrial.response.timepoints import EPS

__all__ = ["I_LABELS", "apply_irecist", "confirmed_iupd_rows"]

#: RECIST 1.1 timepoint response -> its iRECIST name.
I_LABELS: Final = {
    c.CR: c.ICR,
    c.PR: c.IPR,
    c.SD: c.ISD,
    c.NON_CR_NON_PD: c.NON_ICR_NON_IUPD,
    c.NE: c.NE,
}


@dataclass
class _Pending:
    day: int
    target: bool
    nontarget: bool
    new: bool
    partial_sum: float
    new_ids: frozenset[int] = field(default_factory=frozenset)
    nlt_sum: float = 0.0
    reassessed: bool = False


def _new_lesions_by_timepoint(prep: PreparedLesions) -> dict[tuple[int, int], frozenset[int]]:
    rows = prep.rows
    mask = (
        (np.asarray(rows["ROLE"]) == ROLE_NEW)
        & ~np.asarray(rows["BASELINE"])
        & ~np.isin(np.asarray(rows["STATUS"]), (ST_ABSENT, ST_NE))
    )
    picked = pd.DataFrame(
        {name: rows[name][mask] for name in ("SUBJ", "DAY", "LESION_KEY", "STATUS")}
    )
    confirmed = set(picked.loc[picked["STATUS"] != ST_EQUIVOCAL, "LESION_KEY"].tolist())
    picked = picked[(picked["STATUS"] != ST_EQUIVOCAL) | picked["LESION_KEY"].isin(confirmed)]
    out: dict[tuple[int, int], set[int]] = {}
    for subj, day, lesion in zip(picked["SUBJ"], picked["DAY"], picked["LESION_KEY"], strict=True):
        out.setdefault((int(subj), int(day)), set()).add(int(lesion))
    return {key: frozenset(value) for key, value in out.items()}


def apply_irecist(
    timepoints: pd.DataFrame,
    prep: PreparedLesions,
    settings: ResponseSettings,
    log: ProblemLog,
    usubjid: pd.Index,
) -> pd.DataFrame:
    """Replace RECIST 1.1 overall responses by iRECIST ones (rows sorted by subject, date)."""
    new_ids = _new_lesions_by_timepoint(prep)
    subj = timepoints["SUBJ"].to_numpy()
    day = timepoints["DAY"].to_numpy()
    overall = timepoints[OVRLRESP].to_numpy()
    base_rule = timepoints["RULE"].to_numpy()
    t_pd = timepoints[TRGRESP].to_numpy() == r.T_PD
    nt_pd = timepoints[NTRGRESP].to_numpy() == r.N_PD
    new_yes = timepoints[NEWLIND].to_numpy() == r.NEW_YES
    psum = timepoints["PARTIAL_SUM"].to_numpy()
    assessed = timepoints["N_ASSESSED"].to_numpy() > 0
    nt_inc = timepoints["NT_INCREASED"].to_numpy()
    nl_inc = timepoints["NL_INCREASED"].to_numpy()
    nlt = timepoints["NLT_SUM"].to_numpy()

    labels = np.empty(len(timepoints), dtype=object)
    rule_ids = np.empty(len(timepoints), dtype=object)
    late: list[int] = []
    pending: _Pending | None = None
    current = -1
    for i in range(len(timepoints)):
        if subj[i] != current:
            current, pending = int(subj[i]), None
        ids = new_ids.get((int(subj[i]), int(day[i])), frozenset())
        any_pd = bool(t_pd[i] or nt_pd[i] or new_yes[i])
        if pending is None:
            if any_pd:
                labels[i], rule_ids[i] = c.IUPD, "IR-IUPD"
                pending = _Pending(
                    day=int(day[i]),
                    target=bool(t_pd[i]),
                    nontarget=bool(nt_pd[i]),
                    new=bool(new_yes[i]),
                    partial_sum=float(psum[i]) if assessed[i] else np.nan,
                    new_ids=ids,
                    nlt_sum=float(nlt[i]),
                )
            else:
                labels[i], rule_ids[i] = I_LABELS[str(overall[i])], str(base_rule[i])
            continue
        if not pending.reassessed:
            pending.reassessed = True
            if day[i] - pending.day > settings.irecist_max_confirm_days:
                late.append(i)
        evidence = _evidence(
            pending,
            t_pd=bool(t_pd[i]),
            nt_pd=bool(nt_pd[i]),
            new_yes=bool(new_yes[i]),
            psum=float(psum[i]) if assessed[i] else np.nan,
            nt_increased=bool(nt_inc[i]),
            nl_increased=bool(nl_inc[i]),
            ids=ids,
            nlt_sum=float(nlt[i]),
        )
        early = day[i] - pending.day < settings.irecist_min_confirm_days
        if evidence and not early:
            labels[i], rule_ids[i] = c.ICPD, evidence
        elif evidence:
            labels[i], rule_ids[i] = c.IUPD, "IR-EARLY"
        elif any_pd:
            labels[i], rule_ids[i] = c.IUPD, "IR-REMAIN"
        elif overall[i] == c.NE:
            labels[i], rule_ids[i] = c.NE, str(base_rule[i])
        else:
            labels[i], rule_ids[i] = I_LABELS[str(overall[i])], "IR-RESET"
            pending = None
    if late:
        rows = timepoints.iloc[late]
        log.add(
            pd.DataFrame({"USUBJID": usubjid[rows["SUBJ"].to_numpy()]}),
            None,
            problem=f"first assessment after iUPD more than {settings.irecist_max_confirm_days} "
            "days later (iRECIST: confirm 4-8 weeks after iUPD)",
            action=Action.FLAGGED,
            rule="IR-LATE",
        )
    out = timepoints.copy()
    out[OVRLRESP] = labels
    out["RULE"] = rule_ids
    return out


def _evidence(
    pending: _Pending,
    *,
    t_pd: bool,
    nt_pd: bool,
    new_yes: bool,
    psum: float,
    nt_increased: bool,
    nl_increased: bool,
    ids: frozenset[int],
    nlt_sum: float,
) -> str | None:
    """The rule confirming the pending iUPD at this assessment, if any (Seymour 2017 Table 2)."""
    if pending.target:
        measured = not np.isnan(psum) and not np.isnan(pending.partial_sum)
        if measured and psum >= pending.partial_sum + 5.0 - EPS:
            return "IR-ICPD-TARGET"
    elif t_pd:
        return "IR-ICPD-TARGET"
    if pending.nontarget:
        if nt_increased:
            return "IR-ICPD-NT"
    elif nt_pd:
        return "IR-ICPD-NT"
    if pending.new:
        if ids - pending.new_ids or nlt_sum >= pending.nlt_sum + 5.0 - EPS or nl_increased:
            return "IR-ICPD-NEW"
    elif new_yes:
        return "IR-ICPD-NEW"
    return None


def confirmed_iupd_rows(subj: np.ndarray, code: np.ndarray, first_icpd: np.ndarray) -> np.ndarray:
    """For each subject's first iCPD row, the iUPD row it confirms (-1 where none).

    Walks back from the iCPD over iUPD, NE and ND assessments to the earliest iUPD of that run:
    iRECIST dates progression at the iUPD that was later confirmed.
    """
    out = np.full(len(first_icpd), -1, dtype=np.int64)
    for s, row in enumerate(first_icpd):
        if row < 0:
            continue
        start = int(row)
        p = int(row) - 1
        while p >= 0 and subj[p] == subj[row] and code[p] in (K_UPD, K_NE, K_ND):
            if code[p] == K_UPD:
                start = p
            p -= 1
        out[s] = start
    return out
