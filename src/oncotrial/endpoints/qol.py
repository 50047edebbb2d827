"""Quality-of-life scores: per arm and visit, the score and its change from baseline.

Reads SDTM QS records of one test (default the EORTC QLQ-C30 global health status, ``QLQGHS``,
0–100, higher = better; docs/sdtm.md, QS). Baseline is the record flagged ``QSBLFL = Y``; a
visit's change from baseline uses the subjects with both. Descriptive only, as phase II protocols
summarise quality of life: n, mean, standard deviation, median; and the share of subjects whose
score improved or worsened by at least 10 points, the minimal important difference of the
QLQ-C30 (Osoba D et al., J Clin Oncol 1998;16:139-44). Pure: frames in, an immutable result out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncotrial.catalogue.baseline import QOL_GLOBAL_TEST
from oncotrial.errors import AnalysisError, SchemaError

__all__ = ["MINIMAL_IMPORTANT_DIFFERENCE", "ScoreRow", "ScoreSummary", "summarise_scores"]

MINIMAL_IMPORTANT_DIFFERENCE = 10.0
SOURCE = (
    "EORTC QLQ-C30 scoring manual (3rd ed., 2001); minimal important difference 10 points "
    "(Osoba et al., J Clin Oncol 1998;16:139-44)"
)


@dataclass(frozen=True)
class ScoreRow:
    """One arm at one visit. Change statistics cover subjects with a baseline score."""

    arm: str
    visit: str
    visitnum: float
    baseline: bool
    n: int
    mean: float
    sd: float | None
    median: float
    change_n: int
    change_mean: float | None
    change_sd: float | None
    improved: int  # change ≥ +MID
    worsened: int  # change ≤ −MID


@dataclass(frozen=True)
class ScoreSummary:
    test: str
    label: str
    arms: tuple[str, ...]
    rows: tuple[ScoreRow, ...]
    subjects_with_baseline: tuple[int, ...]  # per arm
    source: str = SOURCE


def _sd(values: np.ndarray) -> float | None:
    return float(np.std(values, ddof=1)) if values.size > 1 else None


def summarise_scores(
    qs: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    test: str = QOL_GLOBAL_TEST.testcd,
    arm: str = "ARM",
) -> ScoreSummary:
    """Per arm (of ``subjects``: USUBJID, ``arm``) and visit, the ``test`` scores of QS."""
    for column in ("USUBJID", "QSTESTCD", "VISIT", "QSSTRESN"):
        if column not in qs.columns:
            raise SchemaError(f"the QS domain has no {column} column", field=column)
    for column in ("USUBJID", arm):
        if column not in subjects.columns:
            raise SchemaError(f"the subject table has no {column} column", field=column)
    rows = qs[qs["QSTESTCD"].astype(str) == test].copy()
    if rows.empty:
        raise AnalysisError(f"QS holds no {test} scores", field="QSTESTCD")
    label = str(rows["QSTEST"].iloc[0]) if "QSTEST" in rows.columns else test
    rows["USUBJID"] = rows["USUBJID"].astype(str)
    rows["SCORE"] = pd.to_numeric(rows["QSSTRESN"], errors="coerce")
    rows["VISITNUM"] = (
        pd.to_numeric(rows["VISITNUM"], errors="coerce") if "VISITNUM" in rows else math.nan
    )
    flag = rows["QSBLFL"] if "QSBLFL" in rows.columns else pd.Series("", index=rows.index)
    rows["BASE_FLAG"] = flag.astype(object).where(flag.notna(), "").astype(str) == "Y"
    rows = rows[rows["SCORE"].notna()]
    members = subjects[["USUBJID", arm]].copy()
    members["USUBJID"] = members["USUBJID"].astype(str)
    members = members.rename(columns={arm: "_ARM"})
    members = members[members["_ARM"].notna()]
    rows = rows.merge(members, on="USUBJID", how="inner")
    baseline = rows[rows["BASE_FLAG"]].drop_duplicates("USUBJID").set_index("USUBJID")["SCORE"]
    rows["CHANGE"] = rows["SCORE"] - rows["USUBJID"].map(baseline)
    arms = tuple(sorted(members["_ARM"].astype(str).unique()))
    out: list[ScoreRow] = []
    with_baseline = []
    for arm_name in arms:
        in_arm = rows[rows["_ARM"].astype(str) == arm_name]
        with_baseline.append(int(in_arm.loc[in_arm["BASE_FLAG"], "USUBJID"].nunique()))
        # Baseline first, then visits in visit-number order.
        visits = (
            in_arm.assign(_ORDER=np.where(in_arm["BASE_FLAG"], -math.inf, in_arm["VISITNUM"]))
            .groupby("VISIT", sort=False)["_ORDER"]
            .min()
            .sort_values()
        )
        for visit, order in visits.items():
            at = in_arm[in_arm["VISIT"] == visit].drop_duplicates("USUBJID")
            scores = at["SCORE"].to_numpy(dtype=float)
            is_baseline = bool(order == -math.inf)
            change = at["CHANGE"].dropna().to_numpy(dtype=float)
            if is_baseline:
                change = np.array([], dtype=float)
            out.append(
                ScoreRow(
                    arm=arm_name,
                    visit=str(visit),
                    visitnum=float(at["VISITNUM"].min()),
                    baseline=is_baseline,
                    n=int(scores.size),
                    mean=float(scores.mean()),
                    sd=_sd(scores),
                    median=float(np.median(scores)),
                    change_n=int(change.size),
                    change_mean=float(change.mean()) if change.size else None,
                    change_sd=_sd(change),
                    improved=int((change >= MINIMAL_IMPORTANT_DIFFERENCE).sum()),
                    worsened=int((change <= -MINIMAL_IMPORTANT_DIFFERENCE).sum()),
                )
            )
    return ScoreSummary(
        test=test,
        label=label,
        arms=arms,
        rows=tuple(out),
        subjects_with_baseline=tuple(with_baseline),
    )
