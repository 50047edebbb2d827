"""Cox proportional-hazards regression (R ``coxph``), Efron or Breslow ties, optional strata.

The partial log-likelihood over distinct event times tⱼ with dⱼ events, risk-set sums
S₀ⱼ = Σ_{time ≥ tⱼ} exp(xβ) (and S₁, S₂ the first and second moments) and tied-event sums D₀ⱼ:

* Breslow (1974): ℓ(β) = Σⱼ [Σ_{deaths} xβ − dⱼ log S₀ⱼ].
* Efron (1977), R's default: ℓ(β) = Σⱼ [Σ_{deaths} xβ − Σ_{k=0}^{dⱼ−1} log(S₀ⱼ − (k/dⱼ) D₀ⱼ)].

β̂ by Newton-Raphson from β = 0 with step halving (as R's ``coxph.fit``), iterated to full
convergence. SE from the inverse information at β̂; the Wald z-test per coefficient, the score
(log-rank) test Uᵀ I⁻¹ U at β = 0 and the likelihood-ratio test 2(ℓ(β̂) − ℓ(0)). Stratified
models sum ℓ, U and I over strata (each stratum its own baseline hazard). Covariates are
centred internally for numerical stability, which changes nothing in the results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, SchemaError, ValueProblem
from oncotrial.stats._arrays import FloatArray, as_event, as_groups, as_time

__all__ = ["CoxResult", "CoxTerm", "Ties", "cox_ph", "cox_two_groups"]


class Ties(StrEnum):
    """How tied event times enter the partial likelihood."""

    EFRON = "efron"  # R coxph default
    BRESLOW = "breslow"  # SAS PROC PHREG default


@dataclass(frozen=True)
class CoxTerm:
    """One coefficient: log hazard ratio, HR, SE, Wald z and p, and the CI of the HR."""

    name: str
    coef: float
    hr: float
    se: float
    z: float
    p: float
    lower: float
    upper: float


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model with its three global tests (R ``summary(coxph(...))``)."""

    terms: tuple[CoxTerm, ...]
    ties: Ties
    n: int
    events: int
    df: int
    loglik_null: float
    loglik: float
    lr_chisq: float
    lr_p: float
    score_chisq: float
    score_p: float
    wald_chisq: float
    wald_p: float
    variance: tuple[tuple[float, ...], ...]
    iterations: int
    converged: bool
    conf_level: float
    stratified: bool = False
    reference: str | None = None
    warnings: tuple[str, ...] = ()

    def term(self, name: str) -> CoxTerm:
        for term in self.terms:
            if term.name == name:
                return term
        raise KeyError(name)


@dataclass(frozen=True)
class Stratum:
    """One stratum prepared for the partial likelihood (shared with ``cox.zph``)."""

    x: FloatArray  # centred covariates, (n, p)
    inverse: npt.NDArray[np.int64]  # distinct-time index of each subject
    m: int  # distinct times
    dead: npt.NDArray[np.bool_]
    d: FloatArray  # events per distinct time
    x_dead: FloatArray  # Σ x over events, (p,)
    efron_time: npt.NDArray[np.int64]  # for Efron: the event-time index of each (j, k)
    efron_frac: FloatArray  # k / dⱼ


def cox_ph(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    covariates: npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    ties: Ties | str = Ties.EFRON,
    strata: npt.ArrayLike | None = None,
    conf_level: float = 0.95,
    max_iter: int = 50,
) -> CoxResult:
    """Fit a Cox model; ``covariates`` is (n,) or (n, p) numeric. Efron ties by default."""
    times = as_time(time)
    events = as_event(event, times.size)
    x, labels = _covariate_matrix(covariates, times.size, names)
    p = x.shape[1]
    try:
        method = Ties(ties)
    except ValueError:
        raise ValueProblem(
            f"unknown ties method {ties!r}", field="ties", hint="Use efron or breslow."
        ) from None
    if not events.any():
        raise AnalysisError("no events: a Cox model cannot be fitted", field="event")
    if np.any(np.ptp(x, axis=0) == 0):
        constant = labels[int(np.flatnonzero(np.ptp(x, axis=0) == 0)[0])]
        raise AnalysisError(
            f"covariate {constant!r} is constant; its hazard ratio is not estimable",
            field=constant,
        )
    x = x - x.mean(axis=0)
    stratum_codes = (
        np.zeros(times.size, dtype=np.int64)
        if strata is None
        else as_groups(strata, times.size, field="strata")[1]
    )
    parts = [
        prepare_stratum(times[mask], events[mask], x[mask], method)
        for mask in (stratum_codes == s for s in np.unique(stratum_codes))
    ]

    def evaluate(beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        total_l: float = 0.0
        total_u, total_i = np.zeros(p), np.zeros((p, p))
        for part in parts:
            ll, u, info = _loglik(part, beta, method)
            total_l += ll
            total_u += u
            total_i += info
        return total_l, total_u, total_i

    loglik_null, score0, info0 = evaluate(np.zeros(p))
    fit = _newton_raphson(evaluate, p, (loglik_null, score0, info0), max_iter)
    beta, loglik, score, info = fit.beta, fit.loglik, fit.score, fit.info
    iterations, converged = fit.iterations, fit.converged
    warnings = []
    if not converged:
        warnings.append(f"Newton-Raphson did not converge in {max_iter} iterations")
    try:
        variance = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise AnalysisError("the information matrix at β̂ is singular", field="covariates") from None
    # R coxph.fit: "Loglik converged before variable ...; coefficient may be infinite" when
    # the remaining Newton step |U·V| exceeds toler.inf·|β| (toler.inf = √eps, eps = 1e-9).
    remaining = np.abs(score @ variance)
    for name, estimate, left in zip(labels, beta, remaining, strict=True):
        if left > 1e-9 and left > np.sqrt(1e-9) * abs(estimate):
            warnings.append(
                f"coefficient of {name!r} may be infinite (the likelihood converged before it: "
                "monotone likelihood, the events are separated by this covariate)"
            )
    try:
        score_chisq = float(score0 @ np.linalg.solve(info0, score0))
    except np.linalg.LinAlgError:
        score_chisq = float("nan")
    terms = _terms(labels, beta, variance, conf_level)
    lr = float(2 * (loglik - loglik_null))
    wald = float(beta @ np.linalg.solve(variance, beta))
    return CoxResult(
        terms=tuple(terms),
        ties=method,
        n=int(times.size),
        events=int(events.sum()),
        df=p,
        loglik_null=float(loglik_null),
        loglik=float(loglik),
        lr_chisq=lr,
        lr_p=float(_st.chi2.sf(lr, p)),
        score_chisq=score_chisq,
        score_p=float(_st.chi2.sf(score_chisq, p)),
        wald_chisq=wald,
        wald_p=float(_st.chi2.sf(wald, p)),
        variance=tuple(tuple(float(v) for v in row) for row in variance),
        iterations=iterations,
        converged=converged,
        conf_level=conf_level,
        stratified=strata is not None,
        warnings=tuple(warnings),
    )


def _covariate_matrix(
    covariates: npt.ArrayLike, n: int, names: Sequence[str] | None
) -> tuple[FloatArray, tuple[str, ...]]:
    """The (n, p) covariate matrix, checked, and the covariates' names."""
    x = np.asarray(covariates, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] != n:
        raise SchemaError(
            f"covariates must have one row per time ({n}), got shape {x.shape}",
            field="covariates",
        )
    if not np.isfinite(x).all():
        row = int(np.flatnonzero(~np.isfinite(x).all(axis=1))[0])
        raise ValueProblem(
            "covariate value missing or not finite",
            record=f"observation {row + 1}",
            field="covariates",
        )
    p = x.shape[1]
    labels = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(p))
    if len(labels) != p:
        raise SchemaError(f"{len(labels)} names for {p} covariates", field="names")
    return x, labels


@dataclass(frozen=True)
class _Fit:
    beta: FloatArray
    loglik: float
    score: FloatArray
    info: FloatArray
    iterations: int
    converged: bool


def _newton_raphson(
    evaluate: Callable[[FloatArray], tuple[float, FloatArray, FloatArray]],
    p: int,
    start: tuple[float, FloatArray, FloatArray],
    max_iter: int,
) -> _Fit:
    """Maximise the partial likelihood from β = 0 (``start``: its log-likelihood, score and
    information there)."""
    beta = np.zeros(p)
    loglik, score, info = start
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            raise AnalysisError(
                "the information matrix is singular; the covariates are collinear or "
                "carry no information about the events",
                field="covariates",
            ) from None
        candidate = beta + step
        new_l, new_u, new_i = evaluate(candidate)
        halvings = 0
        while (not np.isfinite(new_l) or new_l < loglik) and halvings < 30:
            # step halving, as R coxph.fit does when the likelihood gets worse
            candidate = (beta + candidate) / 2
            new_l, new_u, new_i = evaluate(candidate)
            halvings += 1
        small_step = np.max(np.abs(candidate - beta)) <= 1e-10 * (1 + np.max(np.abs(candidate)))
        flat = abs(new_l - loglik) <= 1e-13 * max(1.0, abs(new_l))
        beta, loglik, score, info = candidate, new_l, new_u, new_i
        if small_step or flat:
            converged = True
            break
    return _Fit(beta, loglik, score, info, iterations, converged)


def _terms(
    labels: Sequence[str],
    beta: FloatArray,
    variance: npt.NDArray[np.floating[Any]],
    conf_level: float,
) -> list[CoxTerm]:
    """Each covariate's coefficient, hazard ratio, Wald test and confidence limits."""
    z_level = float(_st.norm.ppf(1 - (1 - conf_level) / 2))
    terms = []
    for index, name in enumerate(labels):
        coef = float(beta[index])
        se = float(np.sqrt(variance[index, index]))
        z = coef / se
        terms.append(
            CoxTerm(
                name=name,
                coef=coef,
                hr=_exp(coef),
                se=se,
                z=z,
                p=float(2 * _st.norm.sf(abs(z))),
                lower=_exp(coef - z_level * se),
                upper=_exp(coef + z_level * se),
            )
        )
    return terms


def cox_two_groups(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    reference: str | None = None,
    ties: Ties | str = Ties.EFRON,
    strata: npt.ArrayLike | None = None,
    conf_level: float = 0.95,
) -> CoxResult:
    """Cox model on group indicators: HR of each other group against ``reference``.

    The reference defaults to the first group in sorted order (as R's factor levels). Terms
    are named by the compared group's label.
    """
    times = as_time(time)
    names, codes = as_groups(group, times.size)
    if len(names) < 2:
        raise AnalysisError(
            f"a hazard ratio compares groups, but the group column has one level ({names[0]!r})",
            field="group",
            hint="Give a group column with at least two levels.",
        )
    ref = names[0] if reference is None else reference
    if ref not in names:
        raise ValueProblem(
            f"reference group {ref!r} is not among the groups ({', '.join(names)})",
            field="reference",
        )
    compared = [name for name in names if name != ref]
    design = np.column_stack([(codes == names.index(name)).astype(np.float64) for name in compared])
    result = cox_ph(
        times, event, design, names=compared, ties=ties, strata=strata, conf_level=conf_level
    )
    return CoxResult(**{**result.__dict__, "reference": ref})


def prepare_stratum(
    times: FloatArray, events: npt.NDArray[np.bool_], x: FloatArray, method: Ties
) -> Stratum:
    """Distinct times, events per time and the Efron fractions k/dⱼ of one stratum."""
    distinct, inverse = np.unique(times, return_inverse=True)
    m = distinct.size
    d = np.bincount(inverse, weights=events, minlength=m).astype(np.float64)
    event_times = np.flatnonzero(d > 0)
    counts = d[event_times].astype(np.int64)
    efron_time = np.repeat(event_times, counts)
    if method is Ties.EFRON and counts.size:
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        k = np.arange(efron_time.size) - starts
        efron_frac = k / d[efron_time]
    else:
        efron_frac = np.zeros(efron_time.size)
    return Stratum(
        x=x,
        inverse=inverse.astype(np.int64),
        m=m,
        dead=events,
        d=d,
        x_dead=x[events].sum(axis=0),
        efron_time=efron_time,
        efron_frac=efron_frac,
    )


def _exp(value: float) -> float:
    """exp without an overflow warning: an infinite HR limit is reported as inf."""
    return math.inf if value > 709 else math.exp(value)


def _revcumsum(values: FloatArray) -> FloatArray:
    result: FloatArray = np.cumsum(values[::-1], axis=0)[::-1]
    return result


def event_moments(part: Stratum, beta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per term k of each event time (one per tied event for Efron): S₀, x̄ₖ and Var_k(x).

    These are the risk-set sums every Cox statistic is built from: the score subtracts x̄ₖ, the
    information adds Var_k(x) = S₂/S₀ − x̄ₖx̄ₖᵀ (R ``coxph.fit``, and ``cox.zph``'s ``zph1.c``).
    """
    x, inv, m = part.x, part.inverse, part.m
    p = x.shape[1]
    r = np.exp(x @ beta)
    rd = np.where(part.dead, r, 0.0)
    a0 = np.bincount(inv, weights=r, minlength=m).astype(np.float64)
    e0 = np.bincount(inv, weights=rd, minlength=m).astype(np.float64)
    a1 = np.empty((m, p))
    e1 = np.empty((m, p))
    a2 = np.empty((m, p, p))
    e2 = np.empty((m, p, p))
    for i in range(p):
        a1[:, i] = np.bincount(inv, weights=r * x[:, i], minlength=m)
        e1[:, i] = np.bincount(inv, weights=rd * x[:, i], minlength=m)
        for j in range(i, p):
            xx = x[:, i] * x[:, j]
            a2[:, i, j] = a2[:, j, i] = np.bincount(inv, weights=r * xx, minlength=m)
            e2[:, i, j] = e2[:, j, i] = np.bincount(inv, weights=rd * xx, minlength=m)
    s0, s1, s2 = _revcumsum(a0), _revcumsum(a1), _revcumsum(a2)
    jj = part.efron_time
    f = part.efron_frac
    # Breslow is Efron with every fraction 0.
    t0 = s0[jj] - f * e0[jj]
    t1 = s1[jj] - f[:, None] * e1[jj]
    t2 = s2[jj] - f[:, None, None] * e2[jj]
    mean = t1 / t0[:, None]
    covariance = t2 / t0[:, None, None] - np.einsum("ki,kj->kij", mean, mean)
    return t0, mean, covariance


def _loglik(part: Stratum, beta: FloatArray, method: Ties) -> tuple[float, FloatArray, FloatArray]:
    t0, mean, covariance = event_moments(part, beta)
    loglik = float(part.x_dead @ beta - np.log(t0).sum())
    score = part.x_dead - mean.sum(axis=0)
    info = covariance.sum(axis=0)
    return loglik, score, info
