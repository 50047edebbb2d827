"""The plan's model-based analyses of a randomized time-to-event endpoint.

* **Covariate-adjusted Cox model** (ICH E9 §5.7; EMA guideline on adjustment for baseline
  covariates, EMA/CHMP/295050/2013): ``Surv(AVAL, event) ~ arm + covariates (+ strata(...))``
  with the plan's covariates and stratification factors (ADSL variables), Efron ties.
* **Proportional-hazards check**: scaled Schoenfeld residuals against the Kaplan-Meier
  transform of time, per term and global (R ``cox.zph(fit, transform = "km")``), for the
  unadjusted and the adjusted model.
* **Subgroups** with the interaction likelihood-ratio test (arm × subgroup), patients without a
  value forming a "missing" level instead of being dropped (``stats.subgroups``).

Each is computed only where the plan names it (covariates, strata, subgroups) and the trial has
two arms; a variable the data lack is reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from oncotrial.analysis.results import ModelOutcome
from oncotrial.errors import OncotrialError
from oncotrial.plan.model import EndpointPlan
from oncotrial.stats.cox_model import fit_cox_model
from oncotrial.stats.subgroups import SubgroupAnalysis, subgroup_analysis
from oncotrial.stats.terms import make_term
from oncotrial.stats.zph import cox_zph

__all__ = ["ARM_TERM", "model_outcome"]

ARM_TERM = "arm"


def _values(frame: pd.DataFrame, column: str) -> Sequence[object]:
    series = frame[column].astype(object)
    return list(series.where(series.notna(), None))


def model_outcome(
    adtte: pd.DataFrame, adsl: pd.DataFrame, planned: EndpointPlan | None, control: str | None
) -> ModelOutcome | None:
    """Adjusted Cox, cox.zph and subgroups of the plan, or None (single arm / nothing planned)."""
    if planned is None or control is None or adtte["ARM"].astype(str).nunique() != 2:
        return None
    covariates = [c.value for c in planned.covariates]
    strata = [s.value for s in planned.strata]
    subgroups = [s.value for s in planned.subgroups]
    if not (covariates or strata or subgroups):
        return None
    wanted = sorted(set(covariates + strata + subgroups))
    present = [c for c in wanted if c in adsl.columns]
    notes = [
        f"{c} is not in the subject data: left out of the model" for c in wanted if c not in present
    ]
    data = adtte.drop(columns=[c for c in present if c in adtte.columns]).merge(
        adsl[["USUBJID", *present]].astype({"USUBJID": str}), on="USUBJID", how="left"
    )
    time = data["AVAL"].to_numpy(dtype=float)
    event = 1 - data["CNSR"].to_numpy(dtype=int)
    arm = make_term(ARM_TERM, data["ARM"].astype(str).to_numpy(dtype=object), reference=control)
    strata_values = None
    used_strata = [s for s in strata if s in present]
    if used_strata:
        strata_values = np.array(
            [" / ".join(str(v) for v in row) for row in data[used_strata].astype(str).to_numpy()],
            dtype=object,
        )
    adjusted = unadjusted = None
    ph_unadjusted = ph_adjusted = None
    try:
        unadjusted = fit_cox_model(time, event, [arm])
        ph_unadjusted = cox_zph(unadjusted)
        terms = [arm] + [make_term(c, _values(data, c)) for c in covariates if c in present]
        if len(terms) > 1 or strata_values is not None:
            adjusted = fit_cox_model(time, event, terms, strata=strata_values)
            ph_adjusted = cox_zph(adjusted)
    except OncotrialError as exc:
        notes.append(f"adjusted Cox model not estimable: {exc.message}")
    found: list[SubgroupAnalysis] = []
    for variable in subgroups:
        if variable not in present:
            continue
        try:
            found.append(
                subgroup_analysis(
                    time,
                    event,
                    data["ARM"].astype(str).to_numpy(dtype=object),
                    _values(data, variable),
                    variable=variable,
                    group_name=ARM_TERM,
                )
            )
        except OncotrialError as exc:
            notes.append(f"subgroups by {variable} not estimable: {exc.message}")
    return ModelOutcome(
        covariates=tuple(c for c in covariates if c in present),
        strata=tuple(used_strata),
        unadjusted=unadjusted,
        adjusted=adjusted,
        ph_unadjusted=ph_unadjusted,
        ph_adjusted=ph_adjusted,
        subgroups=tuple(found),
        notes=tuple(notes),
    )
