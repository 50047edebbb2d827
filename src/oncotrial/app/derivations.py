"""Single derivations from files, for the command line: an SDTM folder (or the long lesion CSV)
and an ADSL-like subject file to ADRS (``oncotrial response derive``) or ADTTE
(``oncotrial endpoints derive``).

These run one engine on files a user gives, without a protocol; a whole trial is analysed by the
pipeline (``oncotrial.analysis.analyse_trial``), which maps SDTM frames to the same engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oncotrial.endpoints.tte import (
    CensoringRules,
    Param,
    RuleSet,
    TteResult,
    derive_adtte,
    new_therapy_from_cm,
    rules_for,
)
from oncotrial.errors import InputError
from oncotrial.formats.adam import read_adsl
from oncotrial.formats.lesions import (
    has_lesion_domains,
    measurable_from_tu,
    read_lesion_csv,
    read_sdtm_lesions,
    read_sdtm_responses,
)
from oncotrial.formats.sdtm import find_domain_file, read_domain
from oncotrial.protocol.endpoints import Origin
from oncotrial.protocol.model import AnalysisPlan
from oncotrial.response import ReferenceDate, ResponseResult, ResponseSettings, derive_response

__all__ = ["EndpointRun", "TteSettings", "run_endpoints", "run_response", "tte_settings"]


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


def _new_therapy(sdtm: Path) -> pd.DataFrame | None:
    """First new anticancer therapy per subject from the folder's CM domain, when it has one."""
    found = find_domain_file(sdtm, "CM")
    return new_therapy_from_cm(read_domain(found)) if found is not None else None


@dataclass(frozen=True)
class TteSettings:
    """What a time-to-event derivation needs besides the data: time zero, rules, settings."""

    reference: str  # RANDDT or TRTSDT
    rules: CensoringRules
    response: ResponseSettings


def tte_settings(
    rule_set: str | RuleSet,
    *,
    plan: AnalysisPlan | None = None,
    reference: str | None = None,
    assessment_interval_days: int | None = None,
    assessment_window_days: int | None = None,
) -> TteSettings:
    """Settings from the options given, completed from an analysis plan (a protocol's): its
    response settings, its time zero (TRTSDT for first dose, else RANDDT) and its imaging
    schedule where the options leave them out; RECIST 1.1 defaults and RANDDT otherwise."""
    response = ResponseSettings()
    interval, window = assessment_interval_days, assessment_window_days
    if plan is not None:
        response = plan.response or response
        if reference is None and plan.reference_date is not None:
            reference = "TRTSDT" if plan.reference_date is Origin.FIRST_DOSE else "RANDDT"
        interval = interval or plan.imaging_interval_days
        window = window if window is not None else plan.imaging_window_days
    reference = reference or "RANDDT"
    return TteSettings(
        reference=reference,
        rules=rules_for(
            rule_set, assessment_interval_days=interval, assessment_window_days=window or 0
        ),
        response=response.model_copy(update={"reference_date": ReferenceDate(reference)}),
    )


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
    therapy = _new_therapy(sdtm) if sdtm is not None else None
    tte = derive_adtte(
        subjects, responses, reference=reference, params=params, rules=rules, new_therapy=therapy
    )
    return EndpointRun(response=response, tte=tte)
