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
    TteResult,
    derive_adtte,
    new_therapy_from_cm,
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
from oncotrial.response import ResponseResult, ResponseSettings, derive_response

__all__ = ["EndpointRun", "run_endpoints", "run_response"]


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
