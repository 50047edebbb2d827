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

from dataclasses import dataclass, field, replace
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

__all__ = [
    "I_LABELS",
    "Observation",
    "Pending",
    "Step",
    "apply_irecist",
    "confirmed_iupd_rows",
    "irecist_step",
]

#: RECIST 1.1 timepoint response -> its iRECIST name.
I_LABELS: Final = {
    c.CR: c.ICR,
    c.PR: c.IPR,
    c.SD: c.ISD,
    c.NON_CR_NON_PD: c.NON_ICR_NON_IUPD,
    c.NE: c.NE,
}


@dataclass(frozen=True)
class Pending:
    """An iUPD waiting for confirmation, with what progressed and the sums at iUPD."""

    day: int
    target: bool
    nontarget: bool
    new: bool
    partial_sum: float
    new_ids: frozenset[int | str] = field(default_factory=frozenset)
    nlt_sum: float = 0.0
    reassessed: bool = False


@dataclass(frozen=True)
class Observation:
    """One assessment as RECIST 1.1 read it: what iRECIST looks at (Seymour 2017 Table 2)."""

    day: int
    target_pd: bool
    nontarget_pd: bool
    new_yes: bool
    partial_sum: float  # the sum of the targets measured (NaN when none was)
    nontarget_increased: bool
    new_increased: bool
    new_ids: frozenset[int | str]  # the new lesions present (unequivocal or confirmed)
    nlt_sum: float
    overall: str  # the RECIST 1.1 overall response
    rule: str  # and its rule


@dataclass(frozen=True)
class Step:
    """iRECIST's reading of one assessment and the state it leaves."""

    label: str
    rule: str
    pending: Pending | None
    late: bool  # the first reassessment after iUPD came later than irecist_max_confirm_days


def irecist_step(pending: Pending | None, seen: Observation, settings: ResponseSettings) -> Step:
    """The iRECIST response of one assessment given the pending iUPD, if any (module docstring)."""
    any_pd = seen.target_pd or seen.nontarget_pd or seen.new_yes
    if pending is None:
        if any_pd:
            opened = Pending(
                day=seen.day,
                target=seen.target_pd,
                nontarget=seen.nontarget_pd,
                new=seen.new_yes,
                partial_sum=seen.partial_sum,
                new_ids=seen.new_ids,
                nlt_sum=seen.nlt_sum,
            )
            return Step(c.IUPD, "IR-IUPD", opened, False)
        return Step(I_LABELS[seen.overall], seen.rule, None, False)
    late = not pending.reassessed and seen.day - pending.day > settings.irecist_max_confirm_days
    pending = replace(pending, reassessed=True)
    evidence = _evidence(pending, seen)
    early = seen.day - pending.day < settings.irecist_min_confirm_days
    if evidence and not early:
        return Step(c.ICPD, evidence, pending, late)
    if evidence:
        return Step(c.IUPD, "IR-EARLY", pending, late)
    if any_pd:
        return Step(c.IUPD, "IR-REMAIN", pending, late)
    if seen.overall == c.NE:
        return Step(c.NE, seen.rule, pending, late)
    return Step(I_LABELS[seen.overall], "IR-RESET", None, late)


def _new_lesions_by_timepoint(
    prep: PreparedLesions,
) -> dict[tuple[int, int], frozenset[int | str]]:
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
    pending: Pending | None = None
    current = -1
    for i in range(len(timepoints)):
        if subj[i] != current:
            current, pending = int(subj[i]), None
        seen = Observation(
            day=int(day[i]),
            target_pd=bool(t_pd[i]),
            nontarget_pd=bool(nt_pd[i]),
            new_yes=bool(new_yes[i]),
            partial_sum=float(psum[i]) if assessed[i] else np.nan,
            nontarget_increased=bool(nt_inc[i]),
            new_increased=bool(nl_inc[i]),
            new_ids=new_ids.get((int(subj[i]), int(day[i])), frozenset()),
            nlt_sum=float(nlt[i]),
            overall=str(overall[i]),
            rule=str(base_rule[i]),
        )
        step = irecist_step(pending, seen, settings)
        labels[i], rule_ids[i], pending = step.label, step.rule, step.pending
        if step.late:
            late.append(i)
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


def _evidence(pending: Pending, seen: Observation) -> str | None:
    """The rule confirming the pending iUPD at this assessment, if any (Seymour 2017 Table 2)."""
    if pending.target:
        psum, at_iupd = seen.partial_sum, pending.partial_sum
        if not np.isnan(psum) and not np.isnan(at_iupd) and psum >= at_iupd + 5.0 - EPS:
            return "IR-ICPD-TARGET"
    elif seen.target_pd:
        return "IR-ICPD-TARGET"
    if pending.nontarget:
        if seen.nontarget_increased:
            return "IR-ICPD-NT"
    elif seen.nontarget_pd:
        return "IR-ICPD-NT"
    if pending.new:
        if (
            seen.new_ids - pending.new_ids
            or seen.nlt_sum >= pending.nlt_sum + 5.0 - EPS
            or seen.new_increased
        ):
            return "IR-ICPD-NEW"
    elif seen.new_yes:
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
