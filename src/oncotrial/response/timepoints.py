"""Timepoint responses from measurements: target, non-target, new lesions, overall (vectorised).

For every follow-up assessment (one per subject and date) the engine computes, with numpy
group sums over all subjects at once:

- the sum of diameters of the baseline target lesions assessed, its change from baseline and from
  the nadir (the smallest complete sum so far, baseline included; RECIST 1.1 §4.3.1);
- the target category (CR, PR, SD, PD, NE; RECIST 1.1 §4.3.1, §4.4.2; mRECIST without the 5 mm
  minimum, Lencioni & Llovet 2010);
- the non-target category (CR, NON-CR/NON-PD, PD, NE; §4.3.3) and the new-lesion indicator
  (§4.3.5, equivocal lesions confirmed later date PD at their first sighting);
- the overall response by RECIST 1.1 Tables 1 and 2, looked up in a table built from the declared
  rules (:data:`oncotrial.response.rules.OVERALL_RULES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from oncotrial.response import rules as r
from oncotrial.response.columns import filled
from oncotrial.response.frames import NEWLIND, NTRGRESP, OVRLRESP, TRGRESP
from oncotrial.response.measurements import (
    ROLE_NEW,
    ROLE_NONTARGET,
    ROLE_TARGET,
    ST_ABSENT,
    ST_EQUIVOCAL,
    ST_INCREASED,
    ST_NE,
    ST_PRESENT,
    ST_PROGRESSION,
    ST_SMALL,
    PreparedLesions,
)
from oncotrial.response.settings import ResponseCriteria, ResponseSettings

__all__ = [
    "NT_ASSESSED",
    "OVERALL_LOOKUP",
    "Categories",
    "LesionCounts",
    "derive_timepoints",
    "overall_response",
    "pull",
    "read_categories",
]

# Floating-point sums of decimal millimetres (20.37 + 32.32 …) are compared with this slack so
# that a sum exactly 30% below baseline is a PR, as the guideline's 'at least' intends.
EPS: Final = 1e-6

_T = {name: i for i, name in enumerate(r.TARGET_CATEGORIES)}
_N = {name: i for i, name in enumerate(r.NONTARGET_CATEGORIES)}
_NEW = {name: i for i, name in enumerate(r.NEW_CATEGORIES)}


def _build_lookup() -> tuple[np.ndarray, tuple[r.OverallRule, ...]]:
    table = np.full((len(_T), len(_N), len(_NEW)), -1, dtype=np.int16)
    for t_name, ti in _T.items():
        for n_name, ni in _N.items():
            for new_name, wi in _NEW.items():
                for position, rule in enumerate(r.OVERALL_RULES):
                    if rule.matches(t_name, n_name, new_name):
                        table[ti, ni, wi] = position
                        break
    return table, r.OVERALL_RULES


#: [target, non-target, new] -> index into OVERALL_RULES (-1: no disease at all, not derived).
OVERALL_LOOKUP, _RULE_ROWS = _build_lookup()
_RESULTS: Final = np.array([rule.result for rule in _RULE_ROWS], dtype=object)
_RULE_IDS: Final = np.array([rule.id for rule in _RULE_ROWS], dtype=object)


def overall_response(target: str, nontarget: str, new: str) -> r.OverallRule:
    """The RECIST 1.1 Table 1/2 row that decides one combination (for tests and audit)."""
    position = int(OVERALL_LOOKUP[_T[target], _N[nontarget], _NEW[new]])
    if position < 0:
        raise KeyError(f"no overall-response rule for {target}/{nontarget}/{new}")
    return _RULE_ROWS[position]


# Non-target states that count as the lesion assessed (RECIST 1.1 Table 1 "not evaluated" else).
NT_ASSESSED: Final = (ST_ABSENT, ST_PRESENT, ST_PROGRESSION, ST_INCREASED, ST_SMALL)


@dataclass(frozen=True)
class LesionCounts:
    """What the categories of each assessment are read from (one value per assessment).

    Targets: how many at baseline, how many measured, the sum of those measured, the nadir and
    baseline sums, how many non-nodal targets are not 0 mm and how many nodes are 10 mm or more.
    Non-targets: how many at baseline, in unequivocal progression, assessed, absent. New lesions:
    how many unequivocal, equivocal but confirmed at some assessment, equivocal only.
    """

    n_target: np.ndarray
    n_assessed: np.ndarray
    partial_sum: np.ndarray
    nadir: np.ndarray
    base_sum: np.ndarray
    nonzero_nonnodal: np.ndarray
    pathological_node: np.ndarray
    n_nontarget: np.ndarray
    nontarget_pd: np.ndarray
    nontarget_assessed: np.ndarray
    nontarget_absent: np.ndarray
    new: np.ndarray
    new_confirmed: np.ndarray
    new_equivocal: np.ndarray


@dataclass(frozen=True)
class Categories:
    """Each assessment's category indices (into ``rules.*_CATEGORIES``), rules and overall."""

    target: np.ndarray
    target_rule: np.ndarray
    nontarget: np.ndarray
    nontarget_rule: np.ndarray
    new: np.ndarray
    new_rule: np.ndarray
    position: np.ndarray  # index into OVERALL_RULES
    overall: np.ndarray  # RECIST 1.1 overall response
    rule: np.ndarray  # the Table 1/2 row that decided it


def read_categories(counts: LesionCounts, settings: ResponseSettings) -> Categories:
    """Target, non-target and new-lesion categories and the overall response (RECIST 1.1 §4.3,
    Tables 1-2; mRECIST without the 5 mm minimum). The engine reads every assessment of a trial
    with it, the simulator one scan at a time (:mod:`oncotrial.response.reading`)."""
    n_target, n_assessed, psum = counts.n_target, counts.n_assessed, counts.partial_sum
    nadir, base_sum = counts.nadir, counts.base_sum
    complete = (n_target > 0) & (n_assessed == n_target)
    mrecist = settings.criteria is ResponseCriteria.MRECIST
    min_abs = 0.0 if mrecist else 5.0
    with np.errstate(invalid="ignore"):
        increase = psum - nadir
        pd_met = (
            (n_target > 0)
            & (n_assessed > 0)
            & (increase > EPS)
            & (psum >= 1.2 * nadir - EPS)
            & (increase >= min_abs - EPS)
        )
        pr_met = complete & (psum <= 0.7 * base_sum + EPS)
    cr_met = complete & (counts.nonzero_nonnodal == 0) & (counts.pathological_node == 0)
    t_cat = np.select(
        [n_target == 0, pd_met, ~complete, cr_met, pr_met],
        [_T[r.T_NA], _T[r.T_PD], _T[r.T_NE], _T[r.T_CR], _T[r.T_PR]],
        default=_T[r.T_SD],
    )
    pfx = "MR-" if mrecist else ""
    t_rule = np.select(
        [n_target == 0, pd_met & complete, pd_met, ~complete, cr_met, pr_met],
        ["", f"{pfx}TL-PD", "TL-PD-PARTIAL", "TL-NE", f"{pfx}TL-CR", f"{pfx}TL-PR"],
        default="TL-SD",
    ).astype(object)

    n_nt = counts.n_nontarget
    nt_conditions = [
        n_nt == 0,
        counts.nontarget_pd > 0,
        counts.nontarget_assessed < n_nt,
        counts.nontarget_absent == n_nt,
    ]
    n_cat = np.select(
        nt_conditions, [_N[r.N_NA], _N[r.N_PD], _N[r.N_NE], _N[r.N_CR]], default=_N[r.N_NON]
    )
    n_rule = np.select(
        nt_conditions, ["NT-NA", "NT-PD", "NT-NE", "NT-CR"], default="NT-NON"
    ).astype(object)

    new_cat = np.select(
        [(counts.new > 0) | (counts.new_confirmed > 0), counts.new_equivocal > 0],
        [_NEW[r.NEW_YES], _NEW[r.NEW_EQUIVOCAL]],
        default=_NEW[r.NEW_NO],
    )
    new_rule = np.select(
        [counts.new > 0, counts.new_confirmed > 0, counts.new_equivocal > 0],
        ["NL-YES", "NL-CONFIRMED", "NL-EQUIVOCAL"],
        default="",
    ).astype(object)

    # --- overall: RECIST 1.1 Tables 1 and 2 -------------------------------------------------
    position = OVERALL_LOOKUP[t_cat, n_cat, new_cat]
    if (position < 0).any():  # pragma: no cover - subjects without disease are excluded before
        raise RuntimeError("timepoint without any baseline disease reached the overall table")
    return Categories(
        target=t_cat,
        target_rule=t_rule,
        nontarget=n_cat,
        nontarget_rule=n_rule,
        new=new_cat,
        new_rule=new_rule,
        position=position,
        overall=_RESULTS[position],
        rule=_RULE_IDS[position],
    )


def pull(frame: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """Values of an optional input column at the given row positions (None if absent)."""
    if column not in frame.columns:
        return filled(len(rows), None)
    return np.asarray(frame[column].take(rows).to_numpy(dtype=object), dtype=object)


def _bincount(index: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(index, weights=weights, minlength=n)


def derive_timepoints(prep: PreparedLesions, settings: ResponseSettings) -> pd.DataFrame:
    """One row per subject and follow-up date, ordered by subject then date."""
    ass = prep.assessments
    subj_a = np.asarray(ass["SUBJ"], dtype=np.int64)
    day_a = np.asarray(ass["DAY"], dtype=np.int64)
    if len(ass["SUBJ"]) == 0:
        return _empty()
    d0 = int(day_a.min())
    span = int(day_a.max()) - d0 + 1
    key_a = subj_a * span + (day_a - d0)
    keys, first, inverse = np.unique(key_a, return_index=True, return_inverse=True)
    n_tp = len(keys)
    tp_subj = keys // span
    tp_day = keys % span + d0
    imputed = _bincount(inverse, n_tp, np.asarray(ass["IMPUTED"], dtype=float)) > 0

    rows = prep.rows
    follow = ~np.asarray(rows["BASELINE"])
    f_subj = np.asarray(rows["SUBJ"], dtype=np.int64)[follow]
    f_day = np.asarray(rows["DAY"], dtype=np.int64)[follow]
    tp = np.searchsorted(keys, f_subj * span + (f_day - d0))
    role = np.asarray(rows["ROLE"])[follow]
    status = np.asarray(rows["STATUS"])[follow]
    value = np.asarray(rows["VALUE"])[follow]
    node = np.asarray(rows["IS_NODE"])[follow]

    # --- target lesions -------------------------------------------------------------------
    is_t = role == ROLE_TARGET
    assessed = is_t & ~np.isnan(value)
    n_assessed = _bincount(tp[assessed], n_tp)
    psum = _bincount(tp[assessed], n_tp, value[assessed])
    nonzero_nonnodal = _bincount(tp[assessed & ~node & (value > EPS)], n_tp)
    pathological_node = _bincount(tp[assessed & node & (value >= 10 - EPS)], n_tp)
    n_target = prep.n_target[tp_subj]
    base_sum = prep.base_sum[tp_subj]
    complete = (n_target > 0) & (n_assessed == n_target)
    tsum = np.where(complete, psum, np.nan)

    nadir = _nadir_before(complete, psum, tp_subj, base_sum)

    # --- non-target lesions ---------------------------------------------------------------
    is_n = role == ROLE_NONTARGET
    nt_increased = _bincount(tp[is_n & (status == ST_INCREASED)], n_tp)

    # --- new lesions ----------------------------------------------------------------------
    is_new = role == ROLE_NEW
    unequivocal = is_new & ~np.isin(status, (ST_EQUIVOCAL, ST_ABSENT, ST_NE))
    equivocal = is_new & (status == ST_EQUIVOCAL)
    lesion_key = np.asarray(rows["LESION_KEY"])[follow]
    confirmed_keys = np.unique(lesion_key[unequivocal])
    confirmed = equivocal & np.isin(lesion_key, confirmed_keys)
    n_new = _bincount(tp[unequivocal], n_tp)
    n_confirmed = _bincount(tp[confirmed], n_tp)
    new_measure = np.where(np.isnan(value), 0.0, value)
    nlt_sum = _bincount(tp[unequivocal | confirmed], n_tp, new_measure[unequivocal | confirmed])
    nl_increased = _bincount(tp[is_new & (status == ST_INCREASED)], n_tp)

    read = read_categories(
        LesionCounts(
            n_target=n_target,
            n_assessed=n_assessed,
            partial_sum=psum,
            nadir=nadir,
            base_sum=base_sum,
            nonzero_nonnodal=nonzero_nonnodal,
            pathological_node=pathological_node,
            n_nontarget=prep.n_nontarget[tp_subj],
            nontarget_pd=_bincount(tp[is_n & (status == ST_PROGRESSION)], n_tp),
            nontarget_assessed=_bincount(tp[is_n & np.isin(status, NT_ASSESSED)], n_tp),
            nontarget_absent=_bincount(tp[is_n & (status == ST_ABSENT)], n_tp),
            new=n_new,
            new_confirmed=n_confirmed,
            new_equivocal=_bincount(tp[equivocal & ~confirmed], n_tp),
        ),
        settings,
    )
    t_cat, t_rule = read.target, read.target_rule
    n_cat, n_rule = read.nontarget, read.nontarget_rule
    new_cat, new_rule = read.new, read.new_rule

    t_names = np.array(r.TARGET_CATEGORIES, dtype=object)
    n_names = np.array(r.NONTARGET_CATEGORIES, dtype=object)
    new_names = np.array(r.NEW_CATEGORIES, dtype=object)
    chg, pchg, chg_nadir, pchg_nadir = _changes(tsum, base_sum, nadir)
    first_rows = np.asarray(ass["ROW"])[first]
    n_targets_safe = np.where(n_target > 0, n_target, 0)
    return pd.DataFrame(
        {
            "SUBJ": tp_subj,
            "DAY": tp_day,
            "IMPUTED": imputed,
            "VISIT": pull(prep.frame, "VISIT", first_rows),
            "EVAL": pull(prep.frame, "EVAL", first_rows),
            "EVALID": pull(prep.frame, "EVALID", first_rows),
            "N_TARGET": n_targets_safe,
            "N_ASSESSED": n_assessed,
            "SUM": tsum,
            "PARTIAL_SUM": np.where(n_target > 0, psum, np.nan),
            "BASE_SUM": base_sum,
            "NADIR": nadir,
            "CHG": chg,
            "PCHG": pchg,
            "CHG_NADIR": chg_nadir,
            "PCHG_NADIR": pchg_nadir,
            TRGRESP: t_names[t_cat],
            "TRGRULE": t_rule,
            NTRGRESP: n_names[n_cat],
            "NTRGRULE": n_rule,
            NEWLIND: new_names[new_cat],
            "NEWRULE": new_rule,
            "NT_INCREASED": nt_increased > 0,
            "NEW_COUNT": n_new + n_confirmed,
            "NLT_SUM": nlt_sum,
            "NL_INCREASED": nl_increased > 0,
            OVRLRESP: read.overall,
            "RULE": read.rule,
        }
    )


def _nadir_before(
    complete: np.ndarray, psum: np.ndarray, tp_subj: np.ndarray, base_sum: np.ndarray
) -> np.ndarray:
    """Nadir before each timepoint: the smallest of the baseline sum and the complete sums of
    earlier timepoints (RECIST 1.1 §4.3.1 'smallest sum on study ... includes the baseline')."""
    running = pd.Series(np.where(complete, psum, np.inf)).groupby(tp_subj).cummin()
    before = running.groupby(tp_subj).shift(1).fillna(np.inf).to_numpy()
    nadir = np.minimum(np.where(np.isnan(base_sum), np.inf, base_sum), before)
    return np.where(np.isinf(nadir), np.nan, nadir)


def _changes(
    tsum: np.ndarray, base_sum: np.ndarray, nadir: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Change and percent change of the sum from baseline and from the nadir."""
    with np.errstate(divide="ignore", invalid="ignore"):
        chg = tsum - base_sum
        pchg = 100.0 * chg / base_sum
        chg_nadir = tsum - nadir
        pchg_nadir = np.where(nadir > 0, 100.0 * chg_nadir / nadir, np.nan)
    return chg, pchg, chg_nadir, pchg_nadir


def _empty() -> pd.DataFrame:
    columns = {
        "SUBJ": np.int64,
        "DAY": np.int64,
        "IMPUTED": bool,
        "VISIT": object,
        "EVAL": object,
        "EVALID": object,
        "N_TARGET": np.int64,
        "N_ASSESSED": np.int64,
        "SUM": float,
        "PARTIAL_SUM": float,
        "BASE_SUM": float,
        "NADIR": float,
        "CHG": float,
        "PCHG": float,
        "CHG_NADIR": float,
        "PCHG_NADIR": float,
        TRGRESP: object,
        "TRGRULE": object,
        NTRGRESP: object,
        "NTRGRULE": object,
        NEWLIND: object,
        "NEWRULE": object,
        "NT_INCREASED": bool,
        "NEW_COUNT": np.int64,
        "NLT_SUM": float,
        "NL_INCREASED": bool,
        OVRLRESP: object,
        "RULE": object,
    }
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
