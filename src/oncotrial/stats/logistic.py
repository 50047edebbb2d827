"""Logistic regression of a binary outcome on one numeric predictor (R ``glm(binomial)``).

Fitted by iteratively reweighted least squares (statsmodels GLM, binomial family, logit link
— the same estimator as R's ``glm``). The odds ratio is reported per ``per`` units of the
predictor (e.g. per 10 points of PD-L1 TPS): OR = exp(per·β), with the Wald interval
exp(per·(β ∓ z·SE)) — R's ``confint.default``; R's ``confint`` on a glm gives profile-likelihood
limits instead (docs/statistics.md). Complete or quasi-complete separation (the predictor splits
responders from non-responders) makes the MLE infinite and is an error, not a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm
from scipy import stats as _st

from oncotrial.errors import AnalysisError, ValueProblem

__all__ = ["LogisticResult", "logistic_regression"]


@dataclass(frozen=True)
class LogisticResult:
    """Slope of the log-odds per unit, and the odds ratio per ``per`` units with its CI."""

    predictor: str
    intercept: float
    coef: float
    se: float
    z: float
    p: float
    per: float
    odds_ratio: float
    lower: float
    upper: float
    n: int
    events: int
    conf_level: float


def logistic_regression(
    outcome: npt.ArrayLike,
    predictor: npt.ArrayLike,
    *,
    per: float = 1.0,
    name: str = "x",
    conf_level: float = 0.95,
) -> LogisticResult:
    """Fit logit P(outcome = 1) = α + β·predictor; OR and Wald CI per ``per`` units."""
    y = np.asarray(outcome, dtype=np.float64)
    x = np.asarray(predictor, dtype=np.float64)
    if y.ndim != 1 or y.shape != x.shape:
        raise ValueProblem("outcome and predictor must be equal-length lists", field=name)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueProblem("the outcome must be coded 0/1", field="outcome")
    if not np.isfinite(x).all():
        row = int(np.flatnonzero(~np.isfinite(x))[0])
        raise ValueProblem(
            f"missing or non-finite {name}", record=f"observation {row + 1}", field=name
        )
    if per <= 0:
        raise ValueProblem(f"per must be positive, got {per}", field="per")
    events = int(y.sum())
    if events == 0 or events == y.size:
        raise AnalysisError(
            "every subject has the same outcome; a logistic regression cannot be fitted",
            field="outcome",
        )
    if np.ptp(x) == 0:
        raise AnalysisError(f"{name} is constant; its odds ratio is not estimable", field=name)
    if x[y == 0].max() <= x[y == 1].min() or x[y == 1].max() <= x[y == 0].min():
        raise AnalysisError(
            f"{name} separates the outcomes completely (all responders on one side); the "
            "maximum-likelihood odds ratio is infinite",
            field=name,
            hint="Report the rates by category instead, or use exact or Firth logistic regression.",
        )
    design = np.column_stack((np.ones_like(x), x))
    fit = sm.GLM(y, design, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=100)
    intercept, coef = (float(v) for v in fit.params)
    se = float(fit.bse[1])
    z = coef / se
    z_level = float(_st.norm.ppf(1 - (1 - conf_level) / 2))
    return LogisticResult(
        predictor=name,
        intercept=intercept,
        coef=coef,
        se=se,
        z=z,
        p=float(2 * _st.norm.sf(abs(z))),
        per=per,
        odds_ratio=float(np.exp(per * coef)),
        lower=float(np.exp(per * (coef - z_level * se))),
        upper=float(np.exp(per * (coef + z_level * se))),
        n=int(y.size),
        events=events,
        conf_level=conf_level,
    )
