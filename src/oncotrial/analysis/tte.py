"""Time-to-event endpoints: ADTTE by the endpoint engine, Kaplan-Meier per arm, landmark rates,
log-rank and Cox between two arms, and subgroup hazard ratios (randomized trials)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from oncotrial.analysis.context import Inputs
from oncotrial.analysis.responses import new_therapy_from_frames, response_run
from oncotrial.analysis.results import ArmInfo, LandmarkValue, SubgroupHR, TteOutcome
from oncotrial.catalogue import baseline as catalogue
from oncotrial.catalogue.durations import DAYS_PER_MONTH
from oncotrial.endpoints.censoring_reasons import censoring_reasons
from oncotrial.endpoints.local_progression import (
    LocalProgression,
    derive_local_progression,
    treated_lesions,
)
from oncotrial.endpoints.tte import Param, TteResult, derive_adtte
from oncotrial.errors import AnalysisError, OncotrialError
from oncotrial.protocol.timeframe import Duration
from oncotrial.stats.cox import CoxResult, cox_two_groups
from oncotrial.stats.followup import FollowUp, median_follow_up
from oncotrial.stats.km import KaplanMeier, kaplan_meier
from oncotrial.stats.logrank import LogRankResult, logrank_test

__all__ = ["TTE_NAMES", "landmark_values", "tte_outcome", "with_landmark"]

TTE_NAMES = {
    Param.OS: "Overall survival",
    Param.PFS: "Progression-free survival",
    Param.TTP: "Time to progression",
    Param.DOR: "Duration of response",
    Param.LPFS: "Local progression-free survival",
}


_SUBGROUPS: tuple[
    tuple[str, str, tuple[tuple[str, Callable[[pd.Series], pd.Series]], ...]], ...
] = (
    (
        "AGE",
        "Age",
        (
            ("< 65 years", lambda s: pd.to_numeric(s, errors="coerce") < 65),
            ("≥ 65 years", lambda s: pd.to_numeric(s, errors="coerce") >= 65),
        ),
    ),
    ("SEX", "Sex", (("Male", lambda s: s == "M"), ("Female", lambda s: s == "F"))),
    (
        "ECOGBL",
        "ECOG performance status",
        (("0", lambda s: s == "0"), ("1", lambda s: s == "1")),
    ),
    (
        catalogue.HISTOLOGY_TEST.adsl,
        "Histology",
        (
            ("Squamous", lambda s: s.str.contains("SQUAMOUS", na=False)),
            ("Non-squamous", lambda s: s.notna() & ~s.str.contains("SQUAMOUS", na=False)),
        ),
    ),
    (
        "PDL1GR1",
        "PD-L1 TPS",
        (
            ("< 1%", lambda s: s == "<1%"),
            ("1–49%", lambda s: s == "1-49%"),
            ("≥ 50%", lambda s: s == ">=50%"),
        ),
    ),
)


def km_curves(
    frame: pd.DataFrame, arms: tuple[ArmInfo, ...]
) -> tuple[tuple[tuple[str, KaplanMeier], ...], list[str]]:
    curves, missing = [], []
    for arm in arms:
        rows = frame[frame["ARM"].astype(str) == arm.label]
        if rows.empty:
            missing.append(arm.label)
            continue
        curves.append(
            (
                arm.label,
                kaplan_meier(
                    rows["AVAL"].to_numpy(dtype=float),
                    1 - rows["CNSR"].to_numpy(dtype=int),
                    label=arm.label,
                ),
            )
        )
    return tuple(curves), missing


def landmark_values(
    curves: tuple[tuple[str, KaplanMeier], ...], landmark: Duration | None, name: str
) -> tuple[LandmarkValue, ...]:
    if landmark is None:
        return ()
    values = []
    for label, curve in curves:
        try:
            (estimate,) = curve.survival_at([landmark.days])
        except AnalysisError:
            values.append(
                LandmarkValue(
                    label,
                    None,
                    f"follow-up in {label} ends at "
                    f"{curve.last_follow_up / DAYS_PER_MONTH:.1f} months, "
                    f"before the {landmark} landmark: {name.lower()} there is not estimable",
                )
            )
            continue
        values.append(LandmarkValue(label, estimate))
    return tuple(values)


def compare_arms(
    frame: pd.DataFrame, control: str | None
) -> tuple[LogRankResult | None, CoxResult | None, str | None]:
    if control is None or frame["ARM"].astype(str).nunique() < 2:
        return None, None, None
    time = frame["AVAL"].to_numpy(dtype=float)
    event = 1 - frame["CNSR"].to_numpy(dtype=int)
    group = frame["ARM"].astype(str).to_numpy(dtype=object)
    if event.sum() == 0:
        return None, None, "no events were observed, so the arms cannot be compared"
    try:
        return (
            logrank_test(time, event, group),
            cox_two_groups(time, event, group, reference=control),
            None,
        )
    except AnalysisError as exc:
        return None, None, exc.message


def _subgroups(
    frame: pd.DataFrame, adsl: pd.DataFrame, control: str | None
) -> tuple[SubgroupHR, ...]:
    if control is None:
        return ()
    wanted = [c for c, _, _ in _SUBGROUPS if c in adsl.columns]
    data = frame.drop(columns=[c for c in wanted if c in frame.columns]).merge(
        adsl[["USUBJID", *wanted]].astype({"USUBJID": str}), on="USUBJID", how="left"
    )
    out = []
    for column, heading, levels in _SUBGROUPS:
        if column not in data.columns:
            continue
        values = data[column].astype(object).where(data[column].notna(), None)
        text = values.astype("string")
        for label, select in levels:
            rows = data[select(text).fillna(False).to_numpy(dtype=bool)]
            events = int((rows["CNSR"] == 0).sum())
            note = None
            term = None
            if rows.empty:
                continue
            if rows["ARM"].astype(str).nunique() < 2:
                note = "not estimable: one arm only"
            elif events == 0:
                note = "not estimable: no events"
            else:
                try:
                    cox = cox_two_groups(
                        rows["AVAL"].to_numpy(dtype=float),
                        1 - rows["CNSR"].to_numpy(dtype=int),
                        rows["ARM"].astype(str).to_numpy(dtype=object),
                        reference=control,
                    )
                    term = cox.terms[0]
                    if not (
                        cox.converged
                        and math.isfinite(term.lower)
                        and math.isfinite(term.upper)
                        and term.lower > 0
                    ):
                        term, note = None, "not estimable: too few events in an arm"
                except AnalysisError as exc:
                    note = f"not estimable: {exc.message}"
            out.append(SubgroupHR(heading, label, len(rows), events, term, note))
    return tuple(out)


def _derive(
    inputs: Inputs,
    param: Param,
    subjects: pd.DataFrame,
    adrs: pd.DataFrame,
    local: pd.DataFrame | None = None,
) -> TteResult:
    return derive_adtte(
        subjects,
        adrs,
        reference=inputs.sets.reference,
        params=(param,),
        rules=inputs.rules,
        new_therapy=new_therapy_from_frames(inputs.frames),
        local_progression=local,
    )


def tte_outcome(
    inputs: Inputs, param: Param, max_follow_up: Duration | None = None
) -> TteOutcome | str:
    """A time-to-event parameter for the efficacy set (DoR: responders; LPFS: treated lesions).

    ``max_follow_up``: the analysis plan uses the registration's time frame as the maximum
    follow-up ("PFS assessed up to 12 months"): times beyond it are censored there."""
    key = (param, max_follow_up.days if max_follow_up is not None else None)
    if key in inputs._tte:
        return inputs._tte[key]
    outcome = _tte_outcome(inputs, param, max_follow_up)
    inputs._tte[key] = outcome
    return outcome


def censor_at(frame: pd.DataFrame, limit: Duration) -> pd.DataFrame:
    """ADTTE with every time beyond ``limit`` censored at it (administrative censoring at the
    plan's maximum follow-up; the reason is recorded in EVNTDESC/CNSDTDSC)."""
    days = float(limit.days)
    over = frame["AVAL"].astype(float) > days
    if not over.any():
        return frame
    out = frame.copy()
    reason = f"End of the maximum follow-up of the analysis plan ({limit})"
    out["AVAL"] = out["AVAL"].astype(float)
    out.loc[over, "AVAL"] = days
    out.loc[over, "CNSR"] = 1
    for column in ("EVNTDESC", "CNSDTDSC"):
        if column in out.columns:
            out[column] = out[column].astype(object)
            out.loc[over, column] = reason
    if "ADT" in out.columns and "STARTDT" in out.columns:
        # AVAL = ADT − STARTDT + 1 (admiral): the censoring date is the last day of the frame
        start = pd.to_datetime(out.loc[over, "STARTDT"])
        out["ADT"] = out["ADT"].astype(object)
        out.loc[over, "ADT"] = (start + pd.Timedelta(days=int(days) - 1)).dt.date.to_numpy()
    return out


def _tte_outcome(
    inputs: Inputs, param: Param, max_follow_up: Duration | None = None
) -> TteOutcome | str:
    sets = inputs.sets
    subjects = sets.efficacy
    if subjects.empty:
        return "no patient is in the efficacy analysis set"
    run = response_run(inputs, None)
    local: LocalProgression | None = None
    population = f"{sets.efficacy_name} (N = {len(subjects)})"
    if isinstance(run, str):
        if param is not Param.OS:
            return f"tumour responses cannot be derived: {run}"
        adrs = pd.DataFrame(columns=["USUBJID", "PARAMCD", "AVALC", "ADT"])
    else:
        adrs = run.result.adrs
    if param is Param.DOR:
        assert not isinstance(run, str)  # DoR returned above when responses are missing
        if inputs.confirmation_required:
            # Duration of response among confirmed responders, from the first time CR/PR
            # criteria were met (RECIST 1.1 §4.5): the CRSP parameter's date (the response
            # that was confirmed) is time zero.
            adrs = pd.concat(
                [
                    adrs[adrs["PARAMCD"] != "RSP"],
                    adrs[adrs["PARAMCD"] == "CRSP"].assign(PARAMCD="RSP"),
                ],
                ignore_index=True,
            )
        responders = run.result.summary.loc[
            run.result.summary["CRSP" if inputs.confirmation_required else "RSP"], "USUBJID"
        ].astype(str)
        which = "a confirmed" if inputs.confirmation_required else "an"
        population = f"Patients with {which} objective response (N = {len(responders)})"
        if responders.empty:
            return f"no patient had {which} objective response, so no response has a duration"
    local_events = None
    if param is Param.LPFS:
        if isinstance(run, str) or run.result.lesions.empty:
            return (
                "local progression is judged on the treated lesions' measurements, and the data "
                "hold no lesion measurements (SDTM TU/TR)"
            )
        pr = inputs.frames.get("PR")
        treated = treated_lesions(pr) if pr is not None and not pr.empty else None
        if treated is None or treated.empty:
            return (
                "the local-therapy records (SDTM PR) do not name the treated lesions (PRLNKID is "
                "empty), so local progression of the treated lesions cannot be told from "
                "progression elsewhere"
            )
        local = derive_local_progression(run.result.lesions, treated)
        if not local.subjects:
            return "no treated lesion (PRLNKID) matches a lesion of the tumour assessments"
        subjects = subjects[subjects["USUBJID"].astype(str).isin(set(local.subjects))]
        population = f"Patients with a lesion treated by local therapy (N = {len(subjects)})"
        local_events = local.events
    try:
        result = _derive(inputs, param, subjects, adrs, local_events)
    except OncotrialError as exc:
        return exc.message
    frame = result.adtte
    if frame.empty:
        return "no patient has a time zero for this endpoint"
    frame = frame.assign(USUBJID=frame["USUBJID"].astype(str))
    if max_follow_up is not None:
        frame = censor_at(frame, max_follow_up)
    curves, _missing = km_curves(frame, inputs.arms)
    logrank, cox, note = compare_arms(frame, inputs.control)
    subgroups = (
        _subgroups(frame, sets.efficacy, inputs.control)
        if param in (Param.PFS, Param.OS) and cox is not None
        else ()
    )
    followup: tuple[FollowUp, ...] = ()
    if param in (Param.PFS, Param.OS):
        found = median_follow_up(
            frame["AVAL"].to_numpy(float),
            1 - frame["CNSR"].to_numpy(int),
            frame["ARM"].astype(str).to_numpy() if len(inputs.arms) > 1 else None,
        )
        followup = tuple(found.values())
    censoring = censoring_reasons(frame, param.value) if "EVNTDESC" in frame.columns else None
    return TteOutcome(
        param=param,
        name=TTE_NAMES[param],
        population=population,
        curves=curves,
        landmark=None,
        landmarks=(),
        logrank=logrank,
        cox=cox,
        comparison_note=note,
        subgroups=subgroups,
        adtte=frame,
        local=local,
        followup=followup,
        censoring=censoring,
    )


def with_landmark(outcome: TteOutcome, landmark: Duration | None) -> TteOutcome:
    """``outcome`` with its landmark rates at ``landmark`` (the registration's time point)."""
    return replace(
        outcome,
        landmark=landmark,
        landmarks=landmark_values(outcome.curves, landmark, outcome.name),
    )
