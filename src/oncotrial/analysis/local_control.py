"""Local control compared between arms, with death as a competing event.

Where the plan reads local control as the control of the *residual* lesions (trial 001: they
exist in both arms, irradiated or not), every lesion present at baseline is followed from time
zero in both arms — not only the lesions a local therapy treated, which would leave the control
arm out. Local progression of a lesion is :mod:`oncotrial.endpoints.local_progression`'s
per-lesion RECIST 1.1 reading. Death without local progression precludes local failure, so the
plan's estimate is the cumulative incidence (Aalen-Johansen), not 1 − Kaplan-Meier, compared by
Gray's test (Gray, Ann Stat 1988); the Kaplan-Meier curves of local progression-free survival
(local progression or death) and the cause-specific log-rank/Cox comparison stay alongside.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from oncotrial.analysis.context import Inputs
from oncotrial.analysis.responses import new_therapy_from_frames, response_run
from oncotrial.analysis.results import CompetingOutcome, TteOutcome
from oncotrial.analysis.tte import compare_arms, km_curves
from oncotrial.endpoints.censoring_reasons import censoring_reasons
from oncotrial.endpoints.local_progression import derive_local_progression
from oncotrial.endpoints.tte import Param, derive_adtte
from oncotrial.errors import AnalysisError
from oncotrial.plan.model import EndpointPlan
from oncotrial.stats.competing import cumulative_incidence, gray_test

__all__ = ["COMPETING", "EVENT", "competing_status", "local_control_between_arms"]

EVENT = "local progression of a residual lesion"
COMPETING = "death without local progression"

#: the cuminc status codes: 0 censored, 1 the event of interest, 2 the competing event
CENSORED, LOCAL, DEATH = 0, 1, 2


def competing_status(adtte: pd.DataFrame) -> np.ndarray:
    """cuminc status of each LPFS record: an event is local progression unless ADTTE says
    death (the LPFS event is local progression or death, whichever first)."""
    event = adtte["CNSR"].to_numpy(int) == 0
    death = adtte["EVNTDESC"].astype(str).str.casefold().str.startswith("death").to_numpy()
    return np.where(event & death, DEATH, np.where(event, LOCAL, CENSORED))


def residual_lesions(lesions: pd.DataFrame, zero: pd.Series) -> pd.DataFrame:
    """Every baseline lesion (ABLFL = Y), followed from the subject's time zero."""
    base = lesions[lesions["ABLFL"].astype(str) == "Y"]
    table = base[["USUBJID", "LESION_ID"]].astype(str).drop_duplicates()
    return table.assign(START=pd.to_datetime(table["USUBJID"].map(zero), errors="coerce"))


def local_control_between_arms(inputs: Inputs, planned: EndpointPlan) -> TteOutcome | str:
    sets = inputs.sets
    subjects = sets.efficacy
    if subjects.empty:
        return "no patient is in the efficacy analysis set"
    run = response_run(inputs, None)
    if isinstance(run, str) or run.result.lesions.empty:
        return "local progression is judged on the lesions' measurements, and the data hold none"
    zero = pd.Series(
        subjects[sets.reference].to_numpy(), index=subjects["USUBJID"].astype(str).to_numpy()
    )
    local = derive_local_progression(run.result.lesions, residual_lesions(run.result.lesions, zero))
    frame = derive_adtte(
        subjects,
        run.result.adrs,
        reference=sets.reference,
        params=(Param.LPFS,),
        rules=inputs.rules,
        new_therapy=new_therapy_from_frames(inputs.frames),
        local_progression=local.events,
    ).adtte
    if frame.empty:
        return "no patient has a time zero for this endpoint"
    frame = frame.assign(USUBJID=frame["USUBJID"].astype(str))
    curves, _missing = km_curves(frame, inputs.arms)
    logrank, cox, note = compare_arms(frame, inputs.control)
    time = frame["AVAL"].to_numpy(float)
    status = competing_status(frame)
    arm = frame["ARM"].astype(str).to_numpy()
    incidence = cumulative_incidence(time, status, arm)
    order = [a.label for a in inputs.arms if a.label in incidence]
    gray, gray_note = None, None
    if len(order) > 1:
        try:
            gray = gray_test(time, status, arm)
        except AnalysisError as exc:
            gray_note = f"Gray's test not computable: {exc.message}"
    landmark = planned.landmarks[0].value if planned.landmarks else None
    at = (
        tuple((a, incidence[a].at([landmark.days])[0]) for a in order)
        if landmark is not None
        else ()
    )
    outcome = TteOutcome(
        param=Param.LPFS,
        name="Local progression-free survival",
        population=f"{sets.efficacy_name} (N = {len(subjects)}), every lesion present at baseline",
        curves=curves,
        landmark=None,
        landmarks=(),
        logrank=logrank,
        cox=cox,
        comparison_note=note,
        subgroups=(),
        adtte=frame,
        local=local,
        censoring=censoring_reasons(frame, Param.LPFS.value),
    )
    return replace(
        outcome,
        incidence=CompetingOutcome(
            event=EVENT,
            competing=COMPETING,
            curves=tuple((a, incidence[a]) for a in order),
            gray=gray,
            landmark=landmark,
            at_landmark=at,
            note=gray_note,
        ),
    )
