"""ROC area under the curve with DeLong's confidence interval (pROC ``ci.auc``, method delong).

AUC = P(marker of a case > marker of a control) + ½ P(tie), the Mann-Whitney statistic over
m cases and n controls. DeLong, DeLong & Clarke-Pearson (Biometrics 1988): with placement
values V₁₀(Xᵢ) = (1/n) Σⱼ ψ(Xᵢ, Yⱼ) for each case and V₀₁(Yⱼ) = (1/m) Σᵢ ψ(Xᵢ, Yⱼ) for each
control, Var(AUC) = S₁₀/m + S₀₁/n with S the sample variances (denominators m − 1, n − 1).
Computed from mid-ranks in O(N log N) (Sun & Xu, IEEE SPL 2014). The interval is
AUC ∓ z·√Var, clipped to [0, 1], as pROC does. Direction is fixed, not guessed: a higher
marker predicts a case (pROC ``direction = "<"``); pass ``higher_is_case=False`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, ValueProblem

__all__ = ["RocAuc", "roc_auc"]


@dataclass(frozen=True)
class RocAuc:
    """AUC with DeLong SE and CI; counts of cases and controls."""

    auc: float
    se: float
    lower: float
    upper: float
    cases: int
    controls: int
    higher_is_case: bool
    conf_level: float


def roc_auc(
    marker: npt.ArrayLike,
    case: npt.ArrayLike,
    *,
    higher_is_case: bool = True,
    conf_level: float = 0.95,
) -> RocAuc:
    """AUC of ``marker`` for discriminating ``case`` (1) from control (0), DeLong CI."""
    values = np.asarray(marker, dtype=np.float64)
    flags = np.asarray(case, dtype=np.float64)
    if values.ndim != 1 or values.shape != flags.shape:
        raise ValueProblem("marker and case must be equal-length lists", field="marker")
    if not np.isin(flags, (0.0, 1.0)).all():
        raise ValueProblem("case must be coded 0/1", field="case")
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueProblem("missing marker value", record=f"observation {row + 1}", field="marker")
    if not higher_is_case:
        values = -values
    cases = values[flags == 1]
    controls = values[flags == 0]
    m, n = cases.size, controls.size
    if m < 2 or n < 2:
        raise AnalysisError(
            f"an AUC with DeLong's interval needs at least 2 cases and 2 controls "
            f"(have {m} and {n})",
            field="case",
        )
    rank_all = _st.rankdata(np.concatenate((cases, controls)))
    rank_cases = _st.rankdata(cases)
    rank_controls = _st.rankdata(controls)
    v10 = (rank_all[:m] - rank_cases) / n  # placement of each case among controls
    v01 = 1 - (rank_all[m:] - rank_controls) / m  # share of cases above each control
    auc = float(v10.mean())
    variance = float(v10.var(ddof=1) / m + v01.var(ddof=1) / n)
    se = float(np.sqrt(variance))
    z = float(_st.norm.ppf(1 - (1 - conf_level) / 2))
    return RocAuc(
        auc=auc,
        se=se,
        lower=max(0.0, auc - z * se),
        upper=min(1.0, auc + z * se),
        cases=int(m),
        controls=int(n),
        higher_is_case=higher_is_case,
        conf_level=conf_level,
    )
