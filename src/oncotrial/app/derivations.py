"""Analyses from files or frames: read an SDTM folder (or take SDTM frames already in memory)
and a subject file, run the core engines.

The command line, the report and the web application call these so that they read and derive
the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncotrial.endpoints.tte import (
    CensoringRules,
    Param,
    TteResult,
    derive_adtte,
    new_therapy_from_cm,
)
from oncotrial.errors import InputError
from oncotrial.formats.adam import read_adsl
from oncotrial.formats.lesions import (
    has_lesion_domains,
    measurable_from_tu,
    measurable_from_tu_frame,
    read_lesion_csv,
    read_sdtm_lesions,
    read_sdtm_responses,
    sdtm_lesions,
    sdtm_responses,
)
from oncotrial.formats.sdtm import find_domain_file, read_domain
from oncotrial.response import ResponseResult, ResponseSettings, derive_response

__all__ = [
    "EndpointRun",
    "new_therapy_from_frames",
    "read_response_inputs",
    "response_from_frames",
    "response_inputs",
    "response_source",
    "run_endpoints",
    "run_response",
]


def run_response(
    adsl: Path,
    settings: ResponseSettings,
    *,
    sdtm: Path | None = None,
    lesion_csv: Path | None = None,
    source: str = "auto",
    evaluator: str | None = None,
) -> ResponseResult:
    """Derive ADRS from lesions (SDTM TU/TR or the long CSV) or recorded responses (SDTM RS)."""
    if (sdtm is None) == (lesion_csv is None):
        raise InputError("give exactly one of an SDTM folder or a long lesion CSV")
    subjects = read_adsl(adsl, required=["USUBJID", settings.reference_date.value])
    if lesion_csv is not None:
        return derive_response(
            subjects, lesions=read_lesion_csv(lesion_csv), settings=settings, evaluator=evaluator
        )
    assert sdtm is not None  # narrowed by the check above
    use_lesions = source == "lesions" or (source == "auto" and has_lesion_domains(sdtm))
    if use_lesions:
        return derive_response(
            subjects, lesions=read_sdtm_lesions(sdtm), settings=settings, evaluator=evaluator
        )
    return derive_response(
        subjects,
        timepoints=read_sdtm_responses(sdtm, criteria=settings.criteria),
        settings=settings,
        evaluator=evaluator,
        measurable=measurable_from_tu(sdtm, evaluator),
    )


def read_response_inputs(sdtm: Path) -> pd.DataFrame | None:
    """The CM domain of an SDTM folder, when it has one (for new anticancer therapy)."""
    found = find_domain_file(sdtm, "CM")
    return read_domain(found) if found is not None else None


@dataclass(frozen=True)
class EndpointRun:
    """What `endpoints derive` computed: the responses it used and the ADTTE."""

    response: ResponseResult | None
    tte: TteResult


def run_endpoints(
    adsl: Path,
    *,
    rules: CensoringRules,
    reference: str,
    params: tuple[Param, ...],
    settings: ResponseSettings | None = None,
    sdtm: Path | None = None,
    adrs: Path | None = None,
    source: str = "auto",
    evaluator: str | None = None,
) -> EndpointRun:
    """ADTTE from an SDTM folder (responses derived on the way) or from an existing ADRS."""
    subjects = read_adsl(adsl, required=["USUBJID", reference])
    response = None
    if adrs is not None:
        responses = read_domain(adrs, required=["USUBJID", "PARAMCD", "AVALC", "ADT"])
    elif sdtm is not None:
        response = run_response(
            adsl, settings or ResponseSettings(), sdtm=sdtm, source=source, evaluator=evaluator
        )
        responses = response.adrs
    else:
        raise InputError("give an SDTM folder (--sdtm) or an ADRS file (--adrs)")
    cm = read_response_inputs(sdtm) if sdtm is not None else None
    therapy = new_therapy_from_cm(cm) if cm is not None else None
    tte = derive_adtte(
        subjects, responses, reference=reference, params=params, rules=rules, new_therapy=therapy
    )
    return EndpointRun(response=response, tte=tte)


# --------------------------------------------------------------------------- in memory
# The same derivations from SDTM frames already in memory (exported from the database or made
# by the simulator), so that the report and the demo never write temporary files.


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
