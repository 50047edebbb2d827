"""One survival analysis: KM per group, landmarks, log-rank and Cox, as one immutable result.

This is what ``oncotrial stats survival`` and the report call. :meth:`SurvivalAnalysis.to_dict`
gives the structure and field names of the R oracle files (``oracles/survival/*.expected.json``)
with ``km`` for the chosen transform and ``cox`` for the chosen ties method; a median or limit
that is not reached, and a value R reports as NaN, is ``None``.

The analysis-plan statistics follow ``oracles/analysis/``: ``followup`` (reverse Kaplan-Meier,
always), ``cox_adjusted`` (with covariates), ``ph_test`` (``cox.zph`` of the unadjusted model
and, with covariates, of the adjusted one) and ``subgroups`` (per-level HRs and the interaction
test). Their coefficient names are R's: the group column's name followed by the level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats._arrays import as_event, as_groups, as_time
from oncotrial.stats.cox import CoxResult, Ties, cox_two_groups
from oncotrial.stats.cox_model import CoxModel, fit_cox_model
from oncotrial.stats.followup import FollowUp, median_follow_up
from oncotrial.stats.km import ConfType, KaplanMeier, LandmarkEstimate, kaplan_meier
from oncotrial.stats.logrank import LogRankResult, logrank_test
from oncotrial.stats.subgroups import SubgroupAnalysis, subgroup_analysis
from oncotrial.stats.terms import Term, make_term
from oncotrial.stats.zph import PhTest, cox_zph

__all__ = ["ALL", "SurvivalAnalysis", "survival_analysis"]

#: Label of the single curve when no group is given (as the oracle files).
ALL = "all"


@dataclass(frozen=True)
class SurvivalAnalysis:
    """Curves by group, landmark estimates, and (with two or more groups) the tests."""

    n: int
    groups: tuple[str, ...]
    curves: Mapping[str, KaplanMeier]
    landmark_times: tuple[float, ...]
    landmarks: Mapping[str, tuple[LandmarkEstimate, ...]]
    logrank: LogRankResult | None
    cox: CoxResult | None
    conf_type: ConfType
    conf_level: float
    ties: Ties
    stratified: bool
    followup: Mapping[str, FollowUp] = field(default_factory=lambda: MappingProxyType({}))
    cox_adjusted: CoxModel | None = None
    ph_test: Mapping[str, PhTest] = field(default_factory=lambda: MappingProxyType({}))
    subgroups: SubgroupAnalysis | None = None

    def to_dict(self) -> dict[str, Any]:
        """Oracle-shaped, JSON-ready dictionary (NaN and "not reached" become None)."""
        result: dict[str, Any] = {
            "n": self.n,
            "settings": {
                "conf_type": self.conf_type.value,
                "conf_level": self.conf_level,
                "ties": self.ties.value,
                "stratified": self.stratified,
                "conventions": "R survival 3.5-3: survfit, summary(fit)$table median rule, "
                "summary(fit, times=), survdiff, coxph",
            },
            "km": {
                "conf_type": self.conf_type.value,
                "groups": {name: _curve_dict(self, name) for name in self.groups},
            },
        }
        if self.logrank is not None:
            lr = self.logrank
            result["logrank"] = {
                "chisq": lr.chisq,
                "df": lr.df,
                "p": lr.p,
                "observed": list(lr.observed),
                "expected": list(lr.expected),
                "groups": list(lr.groups),
            }
        if self.cox is not None:
            result["cox"] = _cox_dict(self.cox)
        if self.followup:
            result["settings"]["followup"] = (
                f"reverse Kaplan-Meier (Schemper & Smith 1996), {self.conf_type.value} CI"
            )
            result["followup"] = {name: e.to_dict() for name, e in self.followup.items()}
        if self.cox_adjusted is not None:
            result["cox_adjusted"] = self.cox_adjusted.to_dict()
        if self.ph_test:
            result["settings"]["ph_test"] = "cox.zph(fit, transform = 'km', terms = TRUE)"
            result["ph_test"] = {name: test.to_dict() for name, test in self.ph_test.items()}
        if self.subgroups is not None:
            result["subgroups"] = self.subgroups.to_dict()
        cleaned: dict[str, Any] = _clean(result)
        return cleaned


def survival_analysis(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    group: Sequence[str] | npt.ArrayLike | None = None,
    *,
    landmarks: Sequence[float] = (),
    conf_type: ConfType | str = ConfType.LOG,
    conf_level: float = 0.95,
    ties: Ties | str = Ties.EFRON,
    strata: Sequence[str] | npt.ArrayLike | None = None,
    group_name: str = "group",
    covariates: Mapping[str, Sequence[object]] | None = None,
    subgroup: tuple[str, Sequence[object]] | None = None,
) -> SurvivalAnalysis:
    """KM by group with landmarks; with a group, the log-rank test and Cox HRs too.

    A ``group`` with a single level is an :class:`~oncotrial.errors.AnalysisError` (the tests
    need two); a landmark after a group's last follow-up is one too. ``covariates`` (name →
    values, numeric or categorical) add the adjusted Cox model and its PH test; ``subgroup``
    (name, values) adds subgroup HRs with the interaction test. ``group_name`` names the group
    in R's coefficient names (``groupexperimental``).
    """
    times = as_time(time)
    events = as_event(event, times.size)
    if strata is not None and group is None:
        raise ValueProblem(
            "strata only apply to the comparison of groups",
            field="strata",
            hint="Give a group as well, or leave out the strata.",
        )
    kind = ConfType(conf_type)
    method = Ties(ties)
    names, codes = (
        ((ALL,), np.zeros(times.size, dtype=np.int64))
        if group is None
        else as_groups(group, times.size)
    )
    if group is not None and len(names) < 2:
        raise AnalysisError(
            f"the group column has one level ({names[0]!r}); the log-rank test and the hazard "
            "ratio need two",
            field="group",
            hint="Leave out the group option for a single curve, or give a column with two or "
            "more groups.",
        )
    curves = {
        name: kaplan_meier(
            times[codes == index],
            events[codes == index],
            conf_type=kind,
            conf_level=conf_level,
            label=None if group is None else name,
        )
        for index, name in enumerate(names)
    }
    wanted = tuple(float(t) for t in landmarks)
    estimates = {
        name: curve.survival_at(wanted) if wanted else () for name, curve in curves.items()
    }
    logrank = cox = None
    if group is not None:
        labels = np.asarray(names, dtype=object)[codes]
        logrank = logrank_test(times, events, labels, strata=strata)
        cox = cox_two_groups(
            times, events, labels, ties=method, strata=strata, conf_level=conf_level
        )
    plan = _plan_statistics(
        times,
        events,
        None if group is None else np.asarray(names, dtype=object)[codes],
        strata=strata,
        ties=method,
        conf_level=conf_level,
        group_name=group_name,
        covariates=covariates,
        subgroup=subgroup,
    )
    return SurvivalAnalysis(
        n=int(times.size),
        groups=names,
        curves=MappingProxyType(curves),
        landmark_times=wanted,
        landmarks=MappingProxyType(estimates),
        logrank=logrank,
        cox=cox,
        conf_type=kind,
        conf_level=conf_level,
        ties=method,
        stratified=strata is not None,
        followup=median_follow_up(times, events, group, conf_type=kind, conf_level=conf_level),
        **plan,
    )


def _plan_statistics(
    times: npt.NDArray[np.float64],
    events: npt.NDArray[np.bool_],
    labels: npt.NDArray[Any] | None,
    *,
    strata: Sequence[str] | npt.ArrayLike | None,
    ties: Ties,
    conf_level: float,
    group_name: str,
    covariates: Mapping[str, Sequence[object]] | None,
    subgroup: tuple[str, Sequence[object]] | None,
) -> dict[str, Any]:
    """The adjusted Cox model, the PH tests and the subgroup analysis that were asked for."""
    result: dict[str, Any] = {}
    arm: list[Term] = [] if labels is None else [make_term(group_name, labels, factor=True)]
    extra = [make_term(name, values) for name, values in (covariates or {}).items()]
    tests: dict[str, PhTest] = {}

    def fit(terms: list[Term]) -> CoxModel:
        return fit_cox_model(times, events, terms, ties=ties, conf_level=conf_level, strata=strata)

    if arm:
        tests["unadjusted"] = cox_zph(fit(arm))
    if extra:
        adjusted = fit([*arm, *extra])
        result["cox_adjusted"] = adjusted
        tests["adjusted"] = cox_zph(adjusted)
    result["ph_test"] = MappingProxyType(tests)
    if subgroup is not None:
        if labels is None:
            raise ValueProblem(
                "subgroup hazard ratios compare groups",
                field="subgroup",
                hint="Give a group as well.",
            )
        name, values = subgroup
        result["subgroups"] = subgroup_analysis(
            times,
            events,
            labels,
            values,
            variable=name,
            group_name=group_name,
            ties=ties,
            conf_level=conf_level,
            strata=strata,
        )
    return result


def _curve_dict(analysis: SurvivalAnalysis, name: str) -> dict[str, Any]:
    curve = analysis.curves[name]
    rows = curve.event_rows()
    median = curve.median
    marks = analysis.landmarks[name]
    return {
        "n": curve.n,
        "events": curve.events,
        "median": median.time,
        "median_lower": median.lower,
        "median_upper": median.upper,
        "table": {
            "time": curve.times[rows].tolist(),
            "n_risk": curve.n_risk[rows].tolist(),
            "n_event": curve.n_event[rows].tolist(),
            "survival": curve.survival[rows].tolist(),
            "std_err": curve.std_err[rows].tolist(),
            "lower": curve.lower[rows].tolist(),
            "upper": curve.upper[rows].tolist(),
        },
        "landmarks": {
            "time": [m.time for m in marks],
            "survival": [m.survival for m in marks],
            "lower": [m.lower for m in marks],
            "upper": [m.upper for m in marks],
            "std_err": [m.std_err for m in marks],
            "n_risk": [m.n_risk for m in marks],
        },
    }


def _cox_dict(cox: CoxResult) -> dict[str, Any]:
    common = {
        "ties": cox.ties.value,
        "reference": cox.reference,
        "score_p": cox.score_p,
        "lr_p": cox.lr_p,
        "wald_test_p": cox.wald_p,
        "n": cox.n,
        "events": cox.events,
    }
    terms = [
        {
            "compared": t.name,
            "coef": t.coef,
            "hr": t.hr,
            "se": t.se,
            "lower": t.lower,
            "upper": t.upper,
            "wald_p": t.p,
        }
        for t in cox.terms
    ]
    if len(terms) == 1:
        return {"reference": cox.reference, **terms[0], **common}
    return {**common, "terms": terms}


def _clean(value: Any) -> Any:
    """NaN and ±∞ → None (JSON has neither); numpy scalars → Python numbers; recursive."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if np.isfinite(number) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
