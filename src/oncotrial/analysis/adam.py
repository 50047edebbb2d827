"""The ADaM datasets of one trial: ADSL, ADRS, ADTTE and ADAE, as the report derives them.

One analysis (``analyse_trial``) gives the subject-level frame and the analysis sets, the
responses and the AE records; this module takes its outputs as datasets for export:

- **ADSL**: every screened subject (``oncotrial.endpoints.adsl.derive_adsl``);
- **ADRS**: the response engine's parameters for the efficacy set, all assessments up to the
  data cut-off (RECIST 1.1 / iRECIST / mRECIST as the protocol names);
- **ADTTE**: OS, PFS, TTP and duration of response for the efficacy set, with the censoring rules
  and time zero of the report (FDA 2018 rules, the protocol's imaging schedule);
- **ADAE**: the AE records of the safety set with CTCAE term, SOC, numeric grade and the
  treatment-emergence flag and rule (``derive_adae``), with the SDTM AE variables they come from.

A dataset that cannot be derived (no tumour assessments, no AE records) is left out and the
reason is returned with the others: never an empty file presented as a result.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncotrial.analysis.data import TrialData
from oncotrial.analysis.pipeline import analyse_trial
from oncotrial.analysis.responses import new_therapy_from_frames
from oncotrial.analysis.results import SafetyOutcome
from oncotrial.endpoints.attribution import flag_name
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.endpoints.safety import derive_adae
from oncotrial.endpoints.tte import Param, derive_adtte
from oncotrial.plan.model import AnalysisPlan as StatisticalPlan
from oncotrial.protocol.model import AnalysisPlan

__all__ = ["ADAM_ORDER", "AdamDatasets", "derive_adam"]

ADAM_ORDER = ("ADSL", "ADRS", "ADTTE", "ADAE")
_TTE_PARAMS = (Param.OS, Param.PFS, Param.TTP, Param.DOR)
_DEFAULT_TEAE_WINDOW = 30  # days after the last dose when the protocol states none (report's)


@dataclass(frozen=True)
class AdamDatasets:
    frames: dict[str, pd.DataFrame]
    notes: tuple[str, ...]  # why a dataset is missing


def _adae(
    data: TrialData,
    sets_safety: pd.DataFrame,
    ctcae: CtcaeDictionary,
    window: int | None,
    derived: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """ADAE: the safety analysis's own flags (``derived``, by the plan's window) where the trial
    has a safety endpoint, else derived here from the first dose; with the SDTM AE variables."""
    ae = data.frames["AE"]
    subjects = pd.DataFrame(
        {
            "USUBJID": sets_safety["USUBJID"].astype(str),
            "ARM": sets_safety["ACTARM"]
            .where(sets_safety["ACTARM"].notna(), sets_safety["ARM"])
            .astype(str),
            "TRTSDT": sets_safety["TRTSDT"],
            "TRTEDT": sets_safety["TRTEDT"],
        }
    )
    records = ae[ae["USUBJID"].astype(str).isin(set(subjects["USUBJID"]))]
    adae = (
        derived
        if derived is not None
        else derive_adae(
            records,
            subjects,
            dictionary=ctcae,
            window_days=_DEFAULT_TEAE_WINDOW if window is None else window,
        )
    ).rename(columns={"ARM": "TRTA"})
    # relatedness per intervention (analysis.safety): RELFL<k>/RELIMP<k> for the protocol's k-th
    # intervention, as AEREL<k> (SAS transport names are at most 8 characters)
    renamed: dict[str, str] = {}
    for k, intervention in enumerate(data.protocol.interventions, start=1):
        column = flag_name(intervention.name)
        renamed |= {column: f"RELFL{k}", column + "IMP": f"RELIMP{k}"}
    adae = adae.rename(columns=renamed)
    adae = adae.drop(columns=[c for c in adae.columns if str(c).startswith("RELFL_")])
    source = records.assign(USUBJID=records["USUBJID"].astype(str), AESEQ=records["AESEQ"])
    source = source.astype({"AESEQ": str})
    adae = adae.astype({"USUBJID": str, "AESEQ": str})
    taken = [c for c in ("STUDYID", "AETERM", "AETOXGR", "AESTDTC", "AEENDTC") if c in source]
    merged = adae.merge(
        source[["USUBJID", "AESEQ", *taken]], on=["USUBJID", "AESEQ"], how="left", validate="1:1"
    )
    first = ["STUDYID", "USUBJID", "TRTA", "AESEQ", "AETERM", "AEDECOD", "AESOC", "AETOXGR"]
    order = [c for c in first if c in merged] + [c for c in merged if c not in first]
    return merged[order]


def derive_adam(
    data: TrialData,
    *,
    ctcae: CtcaeDictionary,
    plan: AnalysisPlan | None = None,
    sap: StatisticalPlan | None = None,
) -> AdamDatasets:
    """ADSL, ADRS, ADTTE and ADAE of ``data`` (all its records; the report's derivations, by
    ``plan``, default the protocol's analysis plan, and the reviewed ``sap``)."""
    results = analyse_trial(data, plan=plan, ctcae=ctcae, sap=sap)
    safety = next(
        (e.outcome for e in results.endpoints if isinstance(e.outcome, SafetyOutcome)), None
    )
    frames: dict[str, pd.DataFrame] = {"ADSL": results.adsl}
    notes: list[str] = []
    if results.response is None:
        notes.append(f"ADRS and ADTTE not derived: {results.response_reason}")
    else:
        adrs = results.response.result.adrs
        frames["ADRS"] = adrs
        tte = derive_adtte(
            results.sets.efficacy,
            adrs,
            reference=results.sets.reference,
            params=_TTE_PARAMS,
            rules=results.rules,
            new_therapy=new_therapy_from_frames(data.frames),
        )
        frames["ADTTE"] = tte.adtte
    if data.frames.get("AE") is None or data.frames["AE"].empty:
        notes.append("ADAE not derived: the data hold no adverse event records (no AE domain)")
    elif results.sets.safety.empty:
        notes.append("ADAE not derived: no patient received study treatment (empty safety set)")
    else:
        frames["ADAE"] = _adae(
            data,
            results.sets.safety,
            ctcae,
            results.plan.teae_window_days,
            safety.adae if safety is not None else None,
        )
    return AdamDatasets(frames=frames, notes=tuple(notes))
