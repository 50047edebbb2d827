"""A Cox model of named terms, as R's ``coxph(Surv(time, event) ~ group + age + stage)``.

The terms (:mod:`oncotrial.stats.terms`) give the model matrix and R's coefficient names. Rows
with a missing covariate are left out (R's ``na.omit``) and listed in ``excluded``, never dropped
silently. A column that is a linear combination of earlier ones (a covariate constant in the
data, an interaction of a level with one arm) is *aliased*: R reports its coefficient as NA and
fits the others; so does this, with ``None`` for the aliased coefficient. Aliasing is judged as
R's ``cholesky2`` does, on the information matrix (at β = 0): a column whose pivot falls below
``toler.chol`` = ε^¾ times the largest diagonal element carries no information beyond the columns
before it — which also catches a column constant within every stratum that has events. The
likelihood-ratio test has as many degrees of freedom as estimated coefficients (R
``summary(fit)$logtest``).
Optional strata give each stratum its own baseline hazard (R ``+ strata(s)``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, Problem
from oncotrial.stats._arrays import FloatArray, IntArray, as_event, as_groups, as_time
from oncotrial.stats.cox import CoxResult, Ties, cox_ph, event_moments, prepare_stratum
from oncotrial.stats.terms import Term, build_design, complete_rows

__all__ = ["CoxModel", "ModelCoefficient", "fit_cox_model", "lr_test"]


@dataclass(frozen=True)
class ModelCoefficient:
    """One coefficient by R's name; all None when aliased (R's NA)."""

    name: str
    coef: float | None
    hr: float | None
    se: float | None
    lower: float | None
    upper: float | None
    p: float | None

    def to_dict(self) -> dict[str, float | None]:
        return {
            "coef": self.coef,
            "hr": self.hr,
            "se": self.se,
            "lower": self.lower,
            "upper": self.upper,
            "p": self.p,
        }


@dataclass(frozen=True)
class CoxModel:
    """A fitted model: coefficients by name, the LR test, and the data it was fitted on.

    ``fit`` is the fit of the estimable columns; ``x``/``time``/``event``/``strata`` are the rows
    used (complete cases) and ``kept`` the estimable column indices of the full design, so that
    ``cox.zph`` can be computed on exactly the fitted model.
    """

    formula: str
    terms: tuple[Term, ...]
    coefficients: tuple[ModelCoefficient, ...]
    aliased: tuple[str, ...]
    fit: CoxResult
    n: int
    events: int
    excluded: tuple[Problem, ...]
    time: FloatArray
    event: npt.NDArray[np.bool_]
    x: FloatArray
    strata: IntArray | None
    assign: tuple[tuple[int, ...], ...]  # per term: indices into the estimable columns

    @property
    def loglik(self) -> float:
        return self.fit.loglik

    @property
    def df(self) -> int:
        return self.fit.df

    @property
    def lr_chisq(self) -> float:
        return self.fit.lr_chisq

    @property
    def lr_p(self) -> float:
        return self.fit.lr_p

    def coefficient(self, name: str) -> ModelCoefficient:
        for coefficient in self.coefficients:
            if coefficient.name == name:
                return coefficient
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """R-shaped: ``formula``, ``terms`` by coefficient name, ``lr_chisq``/``lr_df``/``lr_p``."""
        return {
            "formula": self.formula,
            "n": self.n,
            "events": self.events,
            "excluded": len(self.excluded),
            "ties": self.fit.ties.value,
            "terms": {c.name: c.to_dict() for c in self.coefficients},
            "aliased": list(self.aliased),
            "lr_chisq": self.lr_chisq,
            "lr_df": self.df,
            "lr_p": self.lr_p,
            "warnings": list(self.fit.warnings),
        }


def fit_cox_model(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    terms: Sequence[Term],
    *,
    strata: Sequence[str] | npt.ArrayLike | None = None,
    ties: Ties | str = Ties.EFRON,
    conf_level: float = 0.95,
    response: str = "Surv(time, event)",
) -> CoxModel:
    """Fit ``response ~ term₁ + term₂ + …`` (see the module docstring)."""
    times = as_time(time)
    events = as_event(event, times.size)
    if not terms:
        raise AnalysisError("a Cox model needs at least one covariate", field="covariates")
    design = build_design(terms)
    if design.x.shape[0] != times.size:
        raise AnalysisError(
            f"the covariates have {design.x.shape[0]} rows for {times.size} times",
            field="covariates",
        )
    keep, excluded = complete_rows(design)
    codes = None if strata is None else as_groups(strata, times.size, field="strata")[1]
    x = design.x[keep]
    t, e = times[keep], events[keep]
    s = None if codes is None else codes[keep]
    if t.size < 2 or not e.any():
        raise AnalysisError(
            f"{t.size} subject(s) with every covariate, {int(e.sum())} event(s) among them "
            f"({len(excluded)} left out for a missing value): the model cannot be fitted",
            field=excluded[0].field if excluded else "event",
            hint="Fill in the missing covariates or leave the covariate out.",
        )
    aliased = set(_aliased(t, e, x, s, Ties(ties)))
    estimable = [j for j in range(x.shape[1]) if j not in aliased]
    if not estimable:
        raise AnalysisError(
            "every covariate is constant or collinear; no hazard ratio is estimable",
            field="covariates",
        )
    names = [design.names[j] for j in estimable]
    fit = cox_ph(t, e, x[:, estimable], names=names, ties=ties, strata=s, conf_level=conf_level)
    fitted = {term.name: term for term in fit.terms}
    coefficients = []
    for name in design.names:
        term = fitted.get(name)
        if term is None:
            coefficients.append(ModelCoefficient(name, None, None, None, None, None, None))
            continue
        coefficients.append(
            ModelCoefficient(
                name,
                term.coef,
                _finite(term.hr),
                term.se,
                _finite(term.lower),
                _finite(term.upper),
                term.p,
            )
        )
    position = {j: i for i, j in enumerate(estimable)}
    assign = tuple(
        tuple(position[j] for j in columns if j in position) for columns in design.assign
    )
    formula = f"{response} ~ " + " + ".join(term.name for term in terms)
    if strata is not None:
        formula += " + strata(strata)"
    return CoxModel(
        formula=formula,
        terms=tuple(terms),
        coefficients=tuple(coefficients),
        aliased=tuple(design.names[j] for j in sorted(aliased)),
        fit=fit,
        n=int(keep.sum()),
        events=int(e.sum()),
        excluded=excluded,
        time=t,
        event=e,
        x=x[:, estimable],
        strata=s,
        assign=assign,
    )


def lr_test(reduced: CoxModel, full: CoxModel) -> tuple[float, int, float]:
    """Likelihood-ratio test of nested models (R ``anova(reduced, full)``): χ², df, p."""
    if reduced.n != full.n:
        raise AnalysisError(
            f"the models were fitted on different rows ({reduced.n} and {full.n}); "
            "a likelihood-ratio test compares models of the same data",
            field="covariates",
        )
    chisq = 2 * (full.loglik - reduced.loglik)
    df = full.df - reduced.df
    p = float(_st.chi2.sf(chisq, df)) if df > 0 else math.nan
    return float(chisq), df, p


#: R coxph.control()$toler.chol
TOLER_CHOL = float(np.finfo(np.float64).eps) ** 0.75


def _aliased(
    times: FloatArray,
    events: npt.NDArray[np.bool_],
    x: FloatArray,
    strata: IntArray | None,
    ties: Ties,
) -> tuple[int, ...]:
    """Columns without information of their own, in R's order (module docstring)."""
    centred = x - x.mean(axis=0)
    codes = strata if strata is not None else np.zeros(times.size, dtype=np.int64)
    info = np.zeros((x.shape[1], x.shape[1]))
    beta = np.zeros(x.shape[1])
    for stratum in np.unique(codes):
        mask = codes == stratum
        part = prepare_stratum(times[mask], events[mask], centred[mask], ties)
        if part.efron_time.size:
            info += event_moments(part, beta)[2].sum(axis=0)
    eps = TOLER_CHOL * float(np.max(np.diag(info), initial=0.0))
    kept: list[int] = []
    aliased = []
    for j in range(info.shape[0]):
        pivot = info[j, j]
        if kept:
            block = info[np.ix_(kept, kept)]
            cross = info[kept, j]
            pivot -= float(cross @ np.linalg.solve(block, cross))
        if pivot <= eps:
            aliased.append(j)
        else:
            kept.append(j)
    return tuple(aliased)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
