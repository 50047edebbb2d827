"""Quality of life between arms: change from baseline by ANCOVA, and who is missing when.

* :func:`compare_change` — at each post-baseline visit, the difference between arms in the change
  from baseline, adjusted for the baseline score (ANCOVA: ``lm(change ~ arm + baseline)``, the
  analysis EMA's guideline on adjustment for baseline covariates (2015) and the EORTC QLQ-C30
  reporting recommendations favour over comparing raw changes), with its t-based 95% CI and p,
  among subjects with both scores (statsmodels OLS; checked against R's ``lm``).
* :func:`missing_pattern` — for the subjects with a baseline score, per arm and visit how many
  questionnaires were returned, and per subject whether the series is complete, stops early
  (monotone dropout) or has gaps (intermittent). Descriptive comparisons of completers are
  biased when attrition differs between arms (patients who progress stop answering): the
  pattern must be shown with the comparison (Fairclough, *Design and Analysis of Quality of Life
  Studies in Clinical Trials*, 2010, ch. 6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from oncotrial.catalogue.baseline import QOL_GLOBAL_TEST
from oncotrial.errors import AnalysisError, SchemaError

__all__ = [
    "ChangeComparison",
    "MissingPattern",
    "VisitMissing",
    "compare_change",
    "missing_pattern",
]


@dataclass(frozen=True)
class ChangeComparison:
    """One visit: subjects analysed per arm and the adjusted difference (compared − reference)."""

    visit: str
    visitnum: float
    n: tuple[int, ...]  # per arm, reference first
    difference: float
    se: float
    lower: float
    upper: float
    p: float


@dataclass(frozen=True)
class VisitMissing:
    arm: str
    visit: str
    visitnum: float
    expected: int  # subjects with a baseline score
    observed: int

    @property
    def missing(self) -> int:
        return self.expected - self.observed


@dataclass(frozen=True)
class MissingPattern:
    arms: tuple[str, ...]
    visits: tuple[VisitMissing, ...]
    complete: tuple[int, ...]  # per arm
    monotone: tuple[int, ...]  # stops early, no gap before
    intermittent: tuple[int, ...]  # a gap followed by a later questionnaire
    no_follow_up: tuple[int, ...]  # baseline only


def _scores(qs: pd.DataFrame, subjects: pd.DataFrame, test: str, arm: str) -> pd.DataFrame:
    for column in ("USUBJID", "QSTESTCD", "VISIT", "VISITNUM", "QSSTRESN"):
        if column not in qs.columns:
            raise SchemaError(f"the QS domain has no {column} column", field=column)
    if arm not in subjects.columns:
        raise SchemaError(f"the subject table has no {arm} column", field=arm)
    rows = qs[qs["QSTESTCD"].astype(str) == test].copy()
    if rows.empty:
        raise AnalysisError(f"QS holds no {test} scores", field="QSTESTCD")
    rows["USUBJID"] = rows["USUBJID"].astype(str)
    rows["SCORE"] = pd.to_numeric(rows["QSSTRESN"], errors="coerce")
    rows["VISITNUM"] = pd.to_numeric(rows["VISITNUM"], errors="coerce")
    flag = rows["QSBLFL"].fillna("").astype(str) if "QSBLFL" in rows else ""
    rows["BASE"] = flag == "Y"
    members = subjects[["USUBJID", arm]].dropna().astype(str).rename(columns={arm: "ARM_"})
    rows = rows[rows["SCORE"].notna()].merge(members, on="USUBJID", how="inner")
    baseline = rows[rows["BASE"]].drop_duplicates("USUBJID").set_index("USUBJID")["SCORE"]
    rows["BASELINE"] = rows["USUBJID"].map(baseline)
    return rows[rows["BASELINE"].notna()]


def _visits(rows: pd.DataFrame) -> list[tuple[str, float]]:
    post = rows[~rows["BASE"]]
    order = post.groupby("VISIT")["VISITNUM"].min().sort_values()
    return [(str(v), float(n)) for v, n in order.items()]


def compare_change(
    qs: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    test: str = QOL_GLOBAL_TEST.testcd,
    arm: str = "ARM",
    reference: str | None = None,
    conf_level: float = 0.95,
) -> tuple[ChangeComparison, ...]:
    """ANCOVA of the change from baseline per visit (module docstring); two arms."""
    rows = _scores(qs, subjects, test, arm)
    arms = sorted(rows["ARM_"].unique())
    if len(arms) != 2:
        raise AnalysisError(
            f"the comparison needs two arms with baseline scores, found {len(arms)}", field=arm
        )
    ref = reference or arms[0]
    if ref not in arms:
        raise AnalysisError(f"reference arm {ref!r} has no baseline scores", field=arm)
    other = next(a for a in arms if a != ref)
    result = []
    for visit, visitnum in _visits(rows):
        at = rows[(rows["VISIT"] == visit) & ~rows["BASE"]].drop_duplicates("USUBJID")
        counts = (int((at["ARM_"] == ref).sum()), int((at["ARM_"] == other).sum()))
        if min(counts) < 2 or len(at) < 4:
            continue  # too few to estimate a difference with its variance
        change = (at["SCORE"] - at["BASELINE"]).to_numpy(dtype=float)
        design = np.column_stack(
            (
                np.ones(len(at)),
                (at["ARM_"] == other).to_numpy(float),
                at["BASELINE"].to_numpy(float),
            )
        )
        fit = sm.OLS(change, design).fit()
        lower, upper = fit.conf_int(alpha=1 - conf_level)[1]
        result.append(
            ChangeComparison(
                visit=visit,
                visitnum=visitnum,
                n=counts,
                difference=float(fit.params[1]),
                se=float(fit.bse[1]),
                lower=float(lower),
                upper=float(upper),
                p=float(fit.pvalues[1]),
            )
        )
    return tuple(result)


def missing_pattern(
    qs: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    test: str = QOL_GLOBAL_TEST.testcd,
    arm: str = "ARM",
) -> MissingPattern:
    """Returned questionnaires per arm and visit, and each subject's pattern (module docstring)."""
    rows = _scores(qs, subjects, test, arm)
    arms = tuple(sorted(rows["ARM_"].unique()))
    visits = _visits(rows)
    seen = rows[~rows["BASE"]].groupby("USUBJID")["VISIT"].agg(set)
    per_visit = []
    complete, monotone, intermittent, none = [], [], [], []
    names = [v for v, _ in visits]
    for arm_name in arms:
        members = rows.loc[rows["ARM_"] == arm_name, "USUBJID"].unique()
        for visit, visitnum in visits:
            observed = sum(1 for s in members if visit in seen.get(s, set()))
            per_visit.append(VisitMissing(arm_name, visit, visitnum, len(members), observed))
        counts = {"complete": 0, "monotone": 0, "intermittent": 0, "none": 0}
        for subject in members:
            present = [v in seen.get(subject, set()) for v in names]
            if all(present):
                counts["complete"] += 1
            elif not any(present):
                counts["none"] += 1
            elif present.index(False) > max(i for i, p in enumerate(present) if p):
                counts["monotone"] += 1
            else:
                counts["intermittent"] += 1
        complete.append(counts["complete"])
        monotone.append(counts["monotone"])
        intermittent.append(counts["intermittent"])
        none.append(counts["none"])
    return MissingPattern(
        arms=arms,
        visits=tuple(per_visit),
        complete=tuple(complete),
        monotone=tuple(monotone),
        intermittent=tuple(intermittent),
        no_follow_up=tuple(none),
    )
