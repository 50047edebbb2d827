"""Each registered endpoint computed as defined, by the core engines.

One function per endpoint kind takes the trial's inputs (:class:`Inputs`) and returns an
:class:`~oncotrial.app.results.EndpointResult`: the engine outputs (rates with exact CIs,
Kaplan-Meier curves with landmark rates, log-rank and Cox, CTCAE incidence tables, the PD-L1
analysis, quality-of-life summaries) or the reason the data cannot give it. Nothing is computed
here that an engine computes; this module chooses inputs (analysis set, time frame, assessor) and
calls the engines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from oncotrial.app.analysis import new_therapy_from_frames, response_from_frames, response_inputs
from oncotrial.app.results import (
    AnalysisSets,
    ArmInfo,
    BiomarkerOutcome,
    EndpointResult,
    LandmarkValue,
    QolOutcome,
    RateOutcome,
    ResponseRun,
    SafetyOutcome,
    SubgroupHR,
    SurvivalRateOutcome,
    TteOutcome,
)
from oncotrial.endpoints.biomarker import analyse_pdl1_response
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.endpoints.local_progression import (
    LocalProgression,
    derive_local_progression,
    treated_lesions,
)
from oncotrial.endpoints.qol import summarise_scores
from oncotrial.endpoints.rates import BOR_CATEGORIES, DCR, ORR, RateDefinition, compute_rate
from oncotrial.endpoints.safety import ae_overview, derive_adae, worst_grade_table
from oncotrial.endpoints.tte import CensoringRules, Param, derive_adtte
from oncotrial.errors import AnalysisError, OncotrialError
from oncotrial.protocol.endpoints import Endpoint, EndpointKind
from oncotrial.protocol.model import Protocol
from oncotrial.protocol.timeframe import Duration
from oncotrial.response import ResponseSettings
from oncotrial.stats.cox import CoxResult, cox_two_groups
from oncotrial.stats.km import KaplanMeier, kaplan_meier
from oncotrial.stats.logrank import LogRankResult, logrank_test

__all__ = [
    "BOR_LABELS",
    "Inputs",
    "compute_endpoint",
    "response_run",
    "tte_outcome",
]

BOR_LABELS = {
    "CR": "Complete response (CR)",
    "PR": "Partial response (PR)",
    "SD": "Stable disease (SD)",
    "NON-CR/NON-PD": "Non-CR/non-PD",
    "PD": "Progressive disease (PD)",
    "NE": "Not evaluable (NE)",
    "MISSING": "No post-baseline assessment",
}

TTE_NAMES = {
    Param.OS: "Overall survival",
    Param.PFS: "Progression-free survival",
    Param.TTP: "Time to progression",
    Param.DOR: "Duration of response",
    Param.LPFS: "Local progression-free survival",
}
_KIND_PARAM = {
    EndpointKind.OS: Param.OS,
    EndpointKind.PFS: Param.PFS,
    EndpointKind.TTP: Param.TTP,
    EndpointKind.DOR: Param.DOR,
}

# Subgroups of the forest plot (randomized trials): ADSL column, heading, levels.
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
        "HISTTYP",
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


@dataclass
class Inputs:
    """What every endpoint reads: protocol, frames after the cut-off, sets, settings, rules."""

    protocol: Protocol
    frames: Mapping[str, pd.DataFrame]
    sets: AnalysisSets
    arms: tuple[ArmInfo, ...]
    settings: ResponseSettings
    confirmation_required: bool
    rules: CensoringRules
    ctcae: CtcaeDictionary | None
    ctcae_reason: str | None
    data_notes: tuple[str, ...] = ()
    _responses: dict[float | None, ResponseRun | str] = field(default_factory=dict)
    _tte: dict[Param, TteOutcome | str] = field(default_factory=dict)

    @property
    def control(self) -> str | None:
        found = [a.label for a in self.arms if a.control]
        return found[0] if len(self.arms) == 2 and found else None


# --------------------------------------------------------------------------- responses


def _limit_to(table: pd.DataFrame, sets: AnalysisSets, horizon: Duration | None) -> pd.DataFrame:
    """Assessments of the efficacy set, within ``horizon`` of each subject's time zero."""
    subjects = sets.efficacy[["USUBJID", sets.reference]].astype(str)
    keep = table["USUBJID"].astype(str).isin(set(subjects["USUBJID"]))
    table = table[keep]
    if horizon is None:
        return table
    zero = pd.to_datetime(
        table["USUBJID"]
        .astype(str)
        .map(dict(zip(subjects["USUBJID"], subjects[sets.reference], strict=True))),
        errors="coerce",
    )
    when = pd.to_datetime(table["DTC"].astype(str).str.slice(0, 10), errors="coerce")
    # A date that does not parse stays in, for the engine to report; the time frame counts
    # from time zero, in days (months = 30.4375 days).
    inside = when.isna() | zero.isna() | ((when - zero).dt.days <= math.floor(horizon.days))
    return table[inside.to_numpy()]


def response_run(inputs: Inputs, horizon: Duration | None) -> ResponseRun | str:
    """Responses of the efficacy set (within ``horizon``), or why they cannot be derived."""
    key = None if horizon is None else horizon.days
    if key in inputs._responses:
        return inputs._responses[key]
    sets = inputs.sets
    outcome: ResponseRun | str
    try:
        kind, table = response_inputs(inputs.frames, inputs.settings)
        subjects = sets.efficacy[["USUBJID", "STUDYID", sets.reference]]
        result = response_from_frames(
            subjects,
            inputs.frames,
            inputs.settings,
            inputs=(kind, _limit_to(table, sets, horizon)),
        )
    except OncotrialError as exc:
        outcome = exc.message
    else:
        bor = "CBOR" if inputs.confirmation_required else "BOR"
        ids = sets.efficacy["USUBJID"].astype(str)
        arm_of = dict(zip(ids, sets.efficacy["ARM"], strict=True))
        subjid_of = dict(zip(ids, sets.efficacy["SUBJID"].fillna(ids), strict=True))
        summary = result.summary
        subjects_ = summary["USUBJID"].astype(str)
        frame = pd.DataFrame(
            {
                "USUBJID": subjects_.to_numpy(),
                "SUBJID": subjects_.map(subjid_of).to_numpy(),
                "ARM": subjects_.map(arm_of).to_numpy(),
                "BOR": summary[bor].to_numpy(),
                "BEST_PCHG": summary["BEST_PCHG"].to_numpy(),
            }
        )
        outcome = ResponseRun(
            result=result,
            source=(
                "lesion measurements (SDTM TU/TR)"
                if kind == "lesions"
                else "recorded timepoint responses (SDTM RS)"
            ),
            bor=bor,
            horizon=horizon,
            table=frame,
        )
    inputs._responses[key] = outcome
    return outcome


def _rate_by_arm(table: pd.DataFrame, definition: RateDefinition, inputs: Inputs):  # type: ignore[no-untyped-def]
    return compute_rate(
        table,
        definition,
        bor="BOR",
        arm="ARM",
        reference=inputs.control,
    )


def rate_outcome(
    inputs: Inputs, endpoint: Endpoint, definition: RateDefinition
) -> RateOutcome | str:
    run = response_run(inputs, endpoint.reading.time_frame)
    if isinstance(run, str):
        return run
    if run.table.empty:
        return "no patient is in the efficacy analysis set"
    categories = []
    for category in BOR_CATEGORIES:
        single = RateDefinition(
            id=category,
            name=BOR_LABELS[category],
            responders=frozenset({category}),
            description=f"best overall response {category}",
            source="RECIST 1.1 §4.4 (best overall response categories)",
        )
        categories.append((category, _rate_by_arm(run.table, single, inputs)))
    return RateOutcome(
        definition=definition,
        rate=_rate_by_arm(run.table, definition, inputs),
        categories=tuple(categories),
        response=run,
    )


# --------------------------------------------------------------------------- time to event


def _curves(
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


def _landmarks(
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
                    f"follow-up in {label} ends at {curve.last_follow_up / 30.4375:.1f} months, "
                    f"before the {landmark} landmark: {name.lower()} there is not estimable",
                )
            )
            continue
        values.append(LandmarkValue(label, estimate))
    return tuple(values)


def _compare(
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
):  # type: ignore[no-untyped-def]
    return derive_adtte(
        subjects,
        adrs,
        reference=inputs.sets.reference,
        params=(param,),
        rules=inputs.rules,
        new_therapy=new_therapy_from_frames(inputs.frames),
        local_progression=local,
    )


def tte_outcome(inputs: Inputs, param: Param) -> TteOutcome | str:
    """A time-to-event parameter for the efficacy set (DoR: responders; LPFS: treated lesions)."""
    if param in inputs._tte:
        return inputs._tte[param]
    outcome = _tte_outcome(inputs, param)
    inputs._tte[param] = outcome
    return outcome


def _tte_outcome(inputs: Inputs, param: Param) -> TteOutcome | str:
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
    curves, _missing = _curves(frame, inputs.arms)
    logrank, cox, note = _compare(frame, inputs.control)
    subgroups = (
        _subgroups(frame, sets.efficacy, inputs.control)
        if param in (Param.PFS, Param.OS) and cox is not None
        else ()
    )
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
    )


def _with_landmark(outcome: TteOutcome, landmark: Duration | None) -> TteOutcome:
    from dataclasses import replace

    return replace(
        outcome, landmark=landmark, landmarks=_landmarks(outcome.curves, landmark, outcome.name)
    )


# --------------------------------------------------------------------------- other kinds


def _safety(inputs: Inputs) -> SafetyOutcome | str:
    if inputs.ctcae is None:
        return inputs.ctcae_reason or "no CTCAE v5.0 dictionary is available"
    ae = inputs.frames.get("AE")
    if ae is None:
        held = [n for n in inputs.data_notes if "AE" in n]
        return held[0] if held else "the data hold no adverse event records (no AE domain)"
    safety = inputs.sets.safety
    if safety.empty:
        return "no patient received study treatment (the safety set is empty)"
    window = inputs.protocol.analysis.teae_window_days
    if window is None:
        window = 30
    subjects = pd.DataFrame(
        {
            "USUBJID": safety["USUBJID"].astype(str),
            "ARM": safety["ACTARM"].where(safety["ACTARM"].notna(), safety["ARM"]).astype(str),
            "TRTSDT": safety["TRTSDT"],
            "TRTEDT": safety["TRTEDT"],
        }
    )
    records = ae[ae["USUBJID"].astype(str).isin(set(subjects["USUBJID"]))]
    adae = derive_adae(records, subjects, dictionary=inputs.ctcae, window_days=window)
    return SafetyOutcome(
        overview=ae_overview(adae, subjects),
        worst=worst_grade_table(adae, subjects),
        adae=adae,
        window_days=window,
        dictionary=f"CTCAE v{inputs.ctcae.version}",
    )


def _biomarker(inputs: Inputs, endpoint: Endpoint) -> BiomarkerOutcome | str:
    run = response_run(inputs, endpoint.reading.time_frame)
    if isinstance(run, str):
        return run
    tps = dict(
        zip(
            inputs.sets.efficacy["USUBJID"].astype(str),
            inputs.sets.efficacy.get("PDL1TPS", pd.Series(dtype=object)),
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
    return QolOutcome(summarise_scores(qs, subjects))


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
        elif kind in _KIND_PARAM:
            found = tte_outcome(inputs, _KIND_PARAM[kind])
            outcome = (
                _with_landmark(found, endpoint.reading.landmark)
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
                    found, landmark, _landmarks(found.curves, landmark, found.name)
                )
        elif kind is EndpointKind.LOCAL_CONTROL:
            outcome = tte_outcome(inputs, Param.LPFS)
        elif kind is EndpointKind.AE_INCIDENCE:
            outcome = _safety(inputs)
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
    return EndpointResult(
        endpoint,
        index,
        level_index,
        outcome,  # type: ignore[arg-type]
        tuple(reasons),
        tuple(notes),
    )
