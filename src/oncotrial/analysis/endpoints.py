"""Each registered endpoint computed as defined, by the core engines.

One function per endpoint kind takes the trial's inputs (:class:`Inputs`) and returns an
:class:`~oncotrial.analysis.results.EndpointResult`: the engine outputs (rates with exact CIs,
Kaplan-Meier curves with landmark rates, log-rank and Cox, CTCAE incidence tables, the PD-L1
analysis, quality-of-life summaries) or the reason the data cannot give it. Nothing is computed
here that an engine computes; this module chooses inputs (analysis set, time frame, assessor) and
calls the engines.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from oncotrial.analysis.context import Inputs
from oncotrial.analysis.hypothesis import plan_endpoint, rate_test
from oncotrial.analysis.local_control import local_control_between_arms
from oncotrial.analysis.models import model_outcome
from oncotrial.analysis.rates import rate_outcome
from oncotrial.analysis.responses import response_run
from oncotrial.analysis.results import (
    BiomarkerOutcome,
    EndpointResult,
    QolOutcome,
    RateOutcome,
    SafetyOutcome,
    SurvivalRateOutcome,
    TteOutcome,
)
from oncotrial.analysis.safety import safety_outcome
from oncotrial.analysis.sensitivity import censoring_sensitivities
from oncotrial.analysis.tte import landmark_values, tte_outcome, with_landmark
from oncotrial.catalogue import baseline as catalogue
from oncotrial.endpoints.biomarker import analyse_pdl1_response
from oncotrial.endpoints.qol import summarise_scores
from oncotrial.endpoints.qol_comparison import compare_change, missing_pattern
from oncotrial.endpoints.rates import DCR, ORR
from oncotrial.endpoints.tte import Param
from oncotrial.errors import OncotrialError
from oncotrial.plan.model import AnalysisMethod, TimeFrameUse
from oncotrial.protocol.endpoints import Endpoint, EndpointKind
from oncotrial.protocol.timeframe import Duration

__all__ = ["compute_endpoint"]

CUMULATIVE_INCIDENCE = AnalysisMethod.CUMULATIVE_INCIDENCE

_KIND_PARAM = {
    EndpointKind.OS: Param.OS,
    EndpointKind.PFS: Param.PFS,
    EndpointKind.TTP: Param.TTP,
    EndpointKind.DOR: Param.DOR,
}


def _biomarker(inputs: Inputs, endpoint: Endpoint) -> BiomarkerOutcome | str:
    run = response_run(inputs, endpoint.reading.time_frame)
    if isinstance(run, str):
        return run
    tps = dict(
        zip(
            inputs.sets.efficacy["USUBJID"].astype(str),
            inputs.sets.efficacy.get(catalogue.PDL1_TEST.adsl, pd.Series(dtype=object)),
            strict=False,
        )
    )
    table = run.table.assign(TPS=run.table["USUBJID"].map(tps))
    analysis = analyse_pdl1_response(table, tps="TPS", bor="BOR", definition=ORR)
    return BiomarkerOutcome(analysis=analysis, response=run)


def _qol(inputs: Inputs) -> QolOutcome | str:
    qs = inputs.frames.get("QS")
    if qs is None or qs.empty:
        return "the data hold no questionnaire records (no QS domain)"
    subjects = inputs.sets.efficacy[["USUBJID", "ARM"]]
    summary = summarise_scores(qs, subjects)
    if len(inputs.arms) != 2:
        return QolOutcome(summary)
    # Two arms: the change from baseline compared (ANCOVA), shown with the missing-data
    # pattern, since completers' means are biased when attrition differs between arms.
    try:
        comparison = compare_change(qs, subjects, reference=inputs.control)
        missing = missing_pattern(qs, subjects)
    except OncotrialError as exc:
        return QolOutcome(summary, comparison_note=exc.message)
    return QolOutcome(
        summary,
        comparison=comparison,
        reference=inputs.control or missing.arms[0],
        missing=missing,
        comparison_note=None if comparison else "no visit has two or more patients per arm",
    )


def _max_follow_up(inputs: Inputs, index: int, param: Param) -> Duration | None:
    """The plan's time frame where it is used as the maximum follow-up of a time-to-event
    endpoint counted from time zero (PFS, OS, TTP; a duration of response starts later)."""
    planned = plan_endpoint(inputs.sap, index - 1)
    if (
        planned is None
        or planned.time_frame is None
        or planned.time_frame_use is None
        or planned.time_frame_use.value is not TimeFrameUse.MAXIMUM_FOLLOW_UP
        or param not in (Param.PFS, Param.OS, Param.TTP)
    ):
        return None
    return planned.time_frame.value


def _with_test(inputs: Inputs, outcome: RateOutcome, index: int) -> RateOutcome:
    """The plan's exact binomial test and design decision of a single-arm rate."""
    planned = plan_endpoint(inputs.sap, index - 1)
    if planned is None or planned.hypothesis is None or len(outcome.rate.arms) != 1:
        return outcome
    table = outcome.response.table
    responder = table["BOR"].isin(outcome.definition.responders)
    enrolled = dict(
        zip(
            inputs.sets.efficacy["USUBJID"].astype(str),
            pd.to_datetime(inputs.sets.efficacy["RANDDT"], errors="coerce"),
            strict=True,
        )
    )
    order = table["USUBJID"].astype(str).map(enrolled)
    return replace(outcome, test=rate_test(planned, table, responder, order))


def compute_endpoint(
    inputs: Inputs, endpoint: Endpoint, index: int, level_index: int
) -> EndpointResult:
    """The endpoint as the registration defines it, or why it cannot be computed."""
    kind = endpoint.reading.kind
    outcome: object
    notes: list[str] = []
    reasons: list[str] = []
    try:
        if kind in (EndpointKind.ORR, EndpointKind.DCR):
            outcome = rate_outcome(inputs, endpoint, ORR if kind is EndpointKind.ORR else DCR)
            if not isinstance(outcome, str):
                outcome = _with_test(inputs, outcome, index)
        elif kind in _KIND_PARAM:
            limit = _max_follow_up(inputs, index, _KIND_PARAM[kind])
            found = tte_outcome(inputs, _KIND_PARAM[kind], limit)
            if not isinstance(found, str):
                planned = plan_endpoint(inputs.sap, index - 1)
                found = replace(
                    found,
                    sensitivity=censoring_sensitivities(inputs, _KIND_PARAM[kind], planned, limit),
                    models=model_outcome(
                        found.adtte, inputs.sets.efficacy, planned, inputs.control
                    ),
                )
                if found.models is not None:
                    notes += list(found.models.notes)
            if limit is not None:
                notes.append(
                    f"Follow-up censored at {limit} from {inputs.sets.reference_label}: the "
                    "analysis plan uses the registration's time frame as the maximum follow-up."
                )
            outcome = (
                with_landmark(found, endpoint.reading.landmark)
                if not isinstance(found, str)
                else found
            )
        elif kind is EndpointKind.SURVIVAL_RATE:
            param = Param.PFS if endpoint.reading.rate_of is EndpointKind.PFS else Param.OS
            landmark = endpoint.reading.landmark or endpoint.reading.time_frame
            found = tte_outcome(inputs, param)
            if isinstance(found, str):
                outcome = found
            elif landmark is None:
                outcome = "the registration names no time point for the rate"
            else:
                outcome = SurvivalRateOutcome(
                    found, landmark, landmark_values(found.curves, landmark, found.name)
                )
        elif kind is EndpointKind.LOCAL_CONTROL:
            planned = plan_endpoint(inputs.sap, index - 1)
            if planned is not None and planned.method.value is CUMULATIVE_INCIDENCE:
                # the plan compares residual lesions between arms, death competing
                outcome = local_control_between_arms(inputs, planned)
            else:
                outcome = tte_outcome(inputs, Param.LPFS)
        elif kind is EndpointKind.AE_INCIDENCE:
            outcome = safety_outcome(inputs)
        elif kind is EndpointKind.BIOMARKER_RESPONSE:
            outcome = _biomarker(inputs, endpoint)
        elif kind is EndpointKind.QOL:
            outcome = _qol(inputs)
        else:
            outcome = (
                f"oncotrial has no derivation for {kind.value} endpoints; the registration's "
                "definition is quoted above for the investigator to analyse"
            )
    except OncotrialError as exc:
        outcome = exc.report(limit=5)
    if isinstance(outcome, str):
        reasons.append(outcome)
        return EndpointResult(endpoint, index, level_index, None, tuple(reasons), tuple(notes))
    if isinstance(outcome, TteOutcome):
        reasons += [v.reason for v in outcome.landmarks if v.reason]
        if outcome.comparison_note:
            reasons.append(outcome.comparison_note)
        if outcome.local is not None:
            notes += [f"{p.record}: {p.message}" for p in outcome.local.problems]
    if isinstance(outcome, SurvivalRateOutcome):
        reasons += [v.reason for v in outcome.values if v.reason]
    if isinstance(outcome, BiomarkerOutcome):
        notes += list(outcome.analysis.notes)
    if isinstance(outcome, SafetyOutcome):
        notes += list(outcome.notes)
    return EndpointResult(
        endpoint,
        index,
        level_index,
        outcome,
        tuple(reasons),
        tuple(notes),
    )
