"""SDTM frames to the response engine, and the efficacy set's responses within a time frame.

The report, the demo and the web application derive responses from frames already in memory
(exported from the database or made by the simulator), never from temporary files: TU/TR lesion
measurements when TR holds any, else the recorded timepoint responses of RS. The command line's
file-based derivations (``oncotrial.app.derivations``) read the same domains from files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from oncotrial.analysis.context import Inputs
from oncotrial.analysis.results import AnalysisSets, ResponseRun
from oncotrial.endpoints.tte import new_therapy_from_cm
from oncotrial.errors import InputError, OncotrialError
from oncotrial.formats.lesions import measurable_from_tu_frame, sdtm_lesions, sdtm_responses
from oncotrial.protocol.timeframe import Duration
from oncotrial.response import ResponseResult, ResponseSettings, derive_response

__all__ = [
    "new_therapy_from_frames",
    "response_from_frames",
    "response_inputs",
    "response_run",
    "response_source",
]


def response_source(frames: Mapping[str, pd.DataFrame]) -> str | None:
    """``lesions`` when TR holds measurements, else ``responses`` when RS does, else None."""
    tr = frames.get("TR")
    if tr is not None and not tr.empty and frames.get("TU") is not None:
        return "lesions"
    rs = frames.get("RS")
    if rs is not None and not rs.empty:
        return "responses"
    return None


def response_inputs(
    frames: Mapping[str, pd.DataFrame],
    settings: ResponseSettings,
    *,
    source: str = "auto",
) -> tuple[str, pd.DataFrame]:
    """The response engine's input from SDTM frames: (``lesions`` | ``responses``, frame)."""
    chosen = response_source(frames) if source == "auto" else source
    if chosen == "lesions" and frames.get("TU") is not None and frames.get("TR") is not None:
        return "lesions", sdtm_lesions(frames["TU"], frames["TR"])
    if chosen == "responses" and frames.get("RS") is not None:
        return "responses", sdtm_responses(frames["RS"], criteria=settings.criteria)
    raise InputError(
        "the data hold no tumour assessments (no TR measurements and no RS responses)",
        field="TR",
        hint="Responses need SDTM TU/TR (lesions) or RS (recorded responses).",
    )


def response_from_frames(
    subjects: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    settings: ResponseSettings,
    *,
    source: str = "auto",
    evaluator: str | None = None,
    inputs: tuple[str, pd.DataFrame] | None = None,
) -> ResponseResult:
    """Derive responses for ``subjects`` from SDTM frames (TU/TR lesions, else RS).

    ``inputs`` (from :func:`response_inputs`, possibly narrowed, e.g. to a time frame) replaces
    the frames' assessments.
    """
    kind, table = inputs or response_inputs(frames, settings, source=source)
    if kind == "lesions":
        return derive_response(subjects, lesions=table, settings=settings, evaluator=evaluator)
    tu = frames.get("TU")
    return derive_response(
        subjects,
        timepoints=table,
        settings=settings,
        evaluator=evaluator,
        measurable=measurable_from_tu_frame(tu, evaluator) if tu is not None else None,
    )


def new_therapy_from_frames(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    """First new anticancer therapy per subject from the CM frame, when there is one."""
    cm = frames.get("CM")
    if cm is None or cm.empty or "CMCAT" not in cm.columns:
        return None
    return new_therapy_from_cm(cm)


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
