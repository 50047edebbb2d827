"""Hazard ratios within subgroups and the test of treatment-by-subgroup interaction.

Within each level of the subgroup variable, the HR of the compared arm against the reference arm
from a Cox model of the arm alone (Efron ties). Whether the effect differs between levels is the
likelihood-ratio test of ``~ arm * subgroup`` against ``~ arm + subgroup`` (R ``anova(m0, m1)``),
with one degree of freedom per estimable interaction column — the test that forest plots should
report instead of reading the per-level intervals (ICH E9 §5.7; Wang et al., NEJM 2007;357:2189).

Subjects without a value of the subgroup variable are a level of their own (``missing``), kept
in every model, so that none are dropped silently. A level with one arm only or no events has no
estimable HR: it is listed with its counts and the reason, where R's loop would skip it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from oncotrial.errors import AnalysisError
from oncotrial.stats._arrays import as_event, as_groups, as_time
from oncotrial.stats.cox import Ties
from oncotrial.stats.cox_model import CoxModel, fit_cox_model, lr_test
from oncotrial.stats.terms import interaction, is_missing, make_term

__all__ = ["MISSING_LEVEL", "SubgroupAnalysis", "SubgroupLevel", "subgroup_analysis"]

MISSING_LEVEL = "missing"


@dataclass(frozen=True)
class SubgroupLevel:
    """One level: subjects, events, and the HR with its interval (None when not estimable)."""

    level: str
    n: int
    events: int
    hr: float | None
    lower: float | None
    upper: float | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "n": self.n,
            "events": self.events,
            "hr": self.hr,
            "lower": self.lower,
            "upper": self.upper,
        }
        if self.note:
            result["note"] = self.note
        return result


@dataclass(frozen=True)
class SubgroupAnalysis:
    variable: str
    reference: str
    compared: str
    levels: tuple[SubgroupLevel, ...]
    chisq: float
    df: int
    p: float
    missing: int

    def level(self, name: str) -> SubgroupLevel:
        for level in self.levels:
            if level.level == name:
                return level
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "reference": self.reference,
            "compared": self.compared,
            "levels": {level.level: level.to_dict() for level in self.levels},
            "missing": self.missing,
            "interaction": {"chisq": self.chisq, "df": self.df, "p": self.p},
        }


def subgroup_analysis(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    group: Sequence[str] | npt.ArrayLike,
    subgroup: Sequence[object] | npt.ArrayLike,
    *,
    variable: str = "subgroup",
    group_name: str = "group",
    ties: Ties | str = Ties.EFRON,
    conf_level: float = 0.95,
    strata: Sequence[str] | npt.ArrayLike | None = None,
) -> SubgroupAnalysis:
    """Per-level HRs of the two arms in ``group`` and the interaction LR test."""
    times = as_time(time)
    events = as_event(event, times.size)
    names, codes = as_groups(group, times.size)
    if len(names) != 2:
        raise AnalysisError(
            f"subgroup hazard ratios compare two arms; the group has {len(names)} "
            f"({', '.join(names)})",
            field=group_name,
        )
    raw = list(np.asarray(subgroup, dtype=object))
    if len(raw) != times.size:
        raise AnalysisError(f"{variable} has {len(raw)} values for {times.size} times")
    missing = sum(is_missing(v) for v in raw)
    labels = [MISSING_LEVEL if is_missing(v) else str(v).strip() for v in raw]
    present = sorted({label for label, v in zip(labels, raw, strict=True) if not is_missing(v)})
    order = present + ([MISSING_LEVEL] if missing else [])
    arm = make_term(group_name, np.asarray(names, dtype=object)[codes], factor=True)
    sub = make_term(variable, labels, levels=order)
    main = fit_cox_model(times, events, [arm, sub], ties=ties, strata=strata)
    full = fit_cox_model(times, events, [arm, sub, interaction(arm, sub)], ties=ties, strata=strata)
    chisq, df, p = lr_test(main, full)
    levels = []
    label_array = np.asarray(labels, dtype=object)
    strata_array = None if strata is None else np.asarray(strata, dtype=object)
    for level in order:
        mask = label_array == level
        levels.append(
            _level(
                level,
                times[mask],
                events[mask],
                codes[mask],
                names,
                group_name,
                ties,
                conf_level,
                None if strata_array is None else strata_array[mask],
            )
        )
    return SubgroupAnalysis(
        variable=variable,
        reference=names[0],
        compared=names[1],
        levels=tuple(levels),
        chisq=chisq,
        df=df,
        p=p,
        missing=missing,
    )


def _level(
    level: str,
    times: npt.NDArray[np.float64],
    events: npt.NDArray[np.bool_],
    codes: npt.NDArray[np.int64],
    names: tuple[str, ...],
    group_name: str,
    ties: Ties | str,
    conf_level: float,
    strata: npt.NDArray[Any] | None,
) -> SubgroupLevel:
    n, count = int(times.size), int(events.sum())
    arms = np.unique(codes)
    if arms.size < 2:
        only = names[int(arms[0])]
        return SubgroupLevel(level, n, count, None, None, None, f"one arm only ({only})")
    if count == 0:
        return SubgroupLevel(level, n, count, None, None, None, "no events")
    term = make_term(group_name, np.asarray(names, dtype=object)[codes], levels=names)
    model: CoxModel = fit_cox_model(
        times, events, [term], ties=ties, conf_level=conf_level, strata=strata
    )
    coefficient = model.coefficients[0]
    note = "; ".join(model.fit.warnings) or None
    return SubgroupLevel(
        level, n, count, coefficient.hr, coefficient.lower, coefficient.upper, note
    )
