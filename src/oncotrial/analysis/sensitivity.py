"""Censoring-rule sensitivity analyses of a time-to-event endpoint, as the plan lists them.

FDA's 2018 guidance (*Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics*,
section on PFS) asks for sensitivity analyses of the censoring rules; EMA's PFS appendix
(EMA/CHMP/27994/2008 Rev.1) for a treatment-policy reading. Each plan sensitivity analysis of
kind "censoring-rule variant" names a variant of ``endpoints.sensitivity.CENSORING_VARIANTS``;
the endpoint is derived again under it, on the same patients, time zero, imaging schedule and
maximum follow-up, and summarised as the primary analysis is (Kaplan-Meier per arm; log-rank
and Cox between two arms).
"""

from __future__ import annotations

from oncotrial.analysis.context import Inputs
from oncotrial.analysis.responses import new_therapy_from_frames, response_run
from oncotrial.analysis.results import SensitivityOutcome
from oncotrial.analysis.tte import censor_at, compare_arms, km_curves
from oncotrial.endpoints.sensitivity import censoring_sensitivity
from oncotrial.endpoints.tte import Param
from oncotrial.plan.model import EndpointPlan, SensitivityKind
from oncotrial.protocol.timeframe import Duration

__all__ = ["censoring_sensitivities"]


def censoring_sensitivities(
    inputs: Inputs, param: Param, planned: EndpointPlan | None, limit: Duration | None
) -> tuple[SensitivityOutcome, ...]:
    """Each of the plan's censoring-rule variants for ``param`` (PFS, TTP), or ()."""
    if planned is None or param not in (Param.PFS, Param.TTP):
        return ()
    wanted = [
        s.value
        for s in planned.sensitivity
        if s.value.kind is SensitivityKind.CENSORING_VARIANT and s.value.variant
    ]
    if not wanted:
        return ()
    run = response_run(inputs, None)
    if isinstance(run, str):
        return ()
    variants = tuple(dict.fromkeys(str(s.variant) for s in wanted))
    derived = censoring_sensitivity(
        inputs.sets.efficacy,
        run.result.adrs,
        variants,
        reference=inputs.sets.reference,
        params=(param,),
        new_therapy=new_therapy_from_frames(inputs.frames),
        assessment_interval_days=inputs.plan.imaging_interval_days,
        assessment_window_days=inputs.plan.imaging_window_days or 0,
    )
    out = []
    for sensitivity in wanted:
        frame = derived[str(sensitivity.variant)].adtte
        frame = frame.assign(USUBJID=frame["USUBJID"].astype(str))
        if limit is not None:
            frame = censor_at(frame, limit)
        curves, _ = km_curves(frame, inputs.arms)
        logrank, cox, note = compare_arms(frame, inputs.control)
        out.append(
            SensitivityOutcome(
                id=sensitivity.id,
                description=sensitivity.description,
                variant=str(sensitivity.variant),
                curves=curves,
                logrank=logrank,
                cox=cox,
                note=note,
            )
        )
    return tuple(out)
