"""The safety analysis as the plan states it: the treatment-emergent window and attribution.

The window (ICH E9 glossary, "treatment emergent"; the plan's ``safety``):

* ``first protocol intervention of any kind`` — it opens at each patient's first protocol
  intervention, whatever its kind: a drug administration (SDTM EX), a procedure such as
  cryoablation or radiofrequency ablation, or radiotherapy (SDTM PR, local therapy), and closes
  the plan's number of days after the last of them (``endpoints.exposure.intervention_window``).
  Trial 002's cryoablation precedes the first serplulimab dose: the pneumothoraces and
  haemorrhages after it are treatment-emergent and counted.
* ``first dose of study drug`` — the first and last dose (ADSL TRTSDT/TRTEDT), as before a plan.

Without a reviewed plan the protocol's settings apply (first dose; its window, else 30 days).
The safety set is every patient with a protocol intervention of the kind that opens the window,
analysed by the treatment actually received (DM ACTARM, else ARM).

Attribution (ICH E3 §12.2.2): for each intervention the plan attributes, the investigator's
causality per intervention (SDTM AEREL1, AEREL2, … in the protocol's intervention order,
docs/sdtm.md) gives a row "TEAE related to <intervention>" in the overview.
"""

from __future__ import annotations

import pandas as pd

from oncotrial.analysis.context import Inputs
from oncotrial.analysis.results import SafetyOutcome
from oncotrial.endpoints.attribution import (
    attribution_categories,
    flag_name,
    relatedness_flags,
)
from oncotrial.endpoints.exposure import (
    DrugExposure,
    ExposureRate,
    exposure_adjusted_incidence,
    intervention_window,
    summarise_exposure,
)
from oncotrial.endpoints.safety import AE_CATEGORIES, ae_overview, derive_adae, worst_grade_table
from oncotrial.plan.model import WindowStart

__all__ = ["DEFAULT_WINDOW_DAYS", "safety_outcome"]

DEFAULT_WINDOW_DAYS = 30  # days after the last dose when neither plan nor protocol gives one

_EMPTY = pd.DataFrame(columns=["USUBJID"])


def _arm(frame: pd.DataFrame) -> pd.Series:
    if "ACTARM" in frame.columns:
        return frame["ACTARM"].where(frame["ACTARM"].notna(), frame["ARM"]).astype(str)
    return frame["ARM"].astype(str)


def _by_intervention(inputs: Inputs) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Subjects (USUBJID, ARM, TRTSDT, TRTEDT, FIRSTINT) with the window from the first protocol
    intervention of any kind, and notes on interventions the plan keeps out of the window."""
    sap = inputs.sap
    assert sap is not None
    ex = inputs.frames.get("EX")
    pr = inputs.frames.get("PR")
    closed = {
        role.name.casefold() for role in sap.safety.interventions if not role.opens_window.value
    }
    if closed:
        # An intervention the plan does not let open the window (e.g. a diagnostic biopsy
        # recorded in PR): its records are left out before the first one is taken.
        if ex is not None and "EXTRT" in ex.columns:
            ex = ex[~ex["EXTRT"].astype(str).str.casefold().isin(closed)]
        if pr is not None and "PRTRT" in pr.columns:
            pr = pr[~pr["PRTRT"].astype(str).str.casefold().isin(closed)]
    window = intervention_window(ex if ex is not None else _EMPTY, pr)
    adsl = inputs.adsl
    treated = adsl[adsl["USUBJID"].astype(str).isin(set(window["USUBJID"]))]
    subjects = pd.DataFrame(
        {"USUBJID": treated["USUBJID"].astype(str), "ARM": _arm(treated)}
    ).merge(window, on="USUBJID", how="left")
    subjects = subjects.rename(columns={"FIRSTINTDT": "TRTSDT", "LASTINTDT": "TRTEDT"})
    notes = tuple(
        f"{role.name} does not open the treatment-emergent window (analysis plan)"
        for role in sap.safety.interventions
        if not role.opens_window.value
    )
    return subjects.reset_index(drop=True), notes


def _by_first_dose(inputs: Inputs) -> pd.DataFrame:
    safety = inputs.sets.safety
    return pd.DataFrame(
        {
            "USUBJID": safety["USUBJID"].astype(str),
            "ARM": _arm(safety),
            "TRTSDT": safety["TRTSDT"],
            "TRTEDT": safety["TRTEDT"],
        }
    )


def _attribution(
    inputs: Inputs, records: pd.DataFrame, adae: pd.DataFrame, subjects: pd.DataFrame
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...]]:
    """ADAE with RELFL_<intervention> per attributed intervention; their names; notes."""
    sap = inputs.sap
    if sap is None:
        return adae, (), ()
    order = [i.name for i in inputs.protocol.interventions]
    columns: dict[str, str] = {}
    notes: list[str] = []
    for role in sap.safety.interventions:
        if not role.attribution.value:
            continue
        if role.name not in order:
            notes.append(
                f"relatedness to {role.name} not tabled: the protocol has no intervention of "
                "that name"
            )
            continue
        column = f"AEREL{order.index(role.name) + 1}"
        if column not in records.columns:
            notes.append(
                f"relatedness to {role.name} not tabled: the AE data have no {column} "
                "(causality per intervention, docs/sdtm.md)"
            )
            continue
        columns[role.name] = column
    if not columns or "AESEQ" not in records.columns:
        return adae, (), tuple(notes)
    received = {arm.label: frozenset(arm.interventions) for arm in inputs.protocol.arms}
    # an arm the protocol does not name (the data's own label) is taken to receive every
    # intervention: a missing causality then counts as related (conservative, flagged …IMP)
    every = frozenset(order)
    arm_of = dict(zip(subjects["USUBJID"], subjects["ARM"], strict=True))
    for label in set(arm_of.values()) - set(received):
        received[label] = every
    flags = relatedness_flags(records, columns, received, arm_of=arm_of)
    flags = flags.astype({"AESEQ": str})
    merged = adae.assign(_SEQ=adae["AESEQ"].astype(str)).merge(
        flags.rename(columns={"AESEQ": "_SEQ"}), on=["USUBJID", "_SEQ"], how="left"
    )
    return merged.drop(columns="_SEQ"), tuple(columns), tuple(notes)


def _exposure(
    inputs: Inputs, subjects: pd.DataFrame, adae: pd.DataFrame, window: int
) -> tuple[tuple[DrugExposure, ...], tuple[tuple[str, tuple[ExposureRate, ...]], ...]]:
    """Exposure per arm and drug (EX), and exposure-adjusted incidence of any and grade ≥ 3
    TEAEs over each patient's window (first intervention to last + window, cut at the data
    cut-off): crude rates mislead when arms are treated for different lengths of time."""
    ex = inputs.frames.get("EX")
    exposure: tuple[DrugExposure, ...] = ()
    if ex is not None and not ex.empty:
        planned = {
            i.name.upper(): i.dosing for i in inputs.protocol.interventions if not i.dosing.is_empty
        }
        exposure = summarise_exposure(ex, subjects[["USUBJID", "ARM"]], planned)
    start = pd.to_datetime(subjects["TRTSDT"], errors="coerce")
    end = pd.to_datetime(subjects["TRTEDT"], errors="coerce").fillna(start) + pd.Timedelta(
        days=window
    )
    if inputs.cutoff is not None:
        limit = pd.Timestamp(inputs.cutoff)
        end = end.where(end <= limit, limit)
    frame = pd.DataFrame(
        {"USUBJID": subjects["USUBJID"], "ARM": subjects["ARM"], "START": start, "END": end}
    ).dropna(subset=["START"])
    frame = frame[frame["END"] >= frame["START"]]
    rates = (
        ("Any TEAE", exposure_adjusted_incidence(adae, frame)),
        (
            "Grade ≥ 3 TEAE",
            exposure_adjusted_incidence(adae, frame, select=adae["AETOXGRN"] >= 3),
        ),
    )
    return exposure, rates


def safety_outcome(inputs: Inputs) -> SafetyOutcome | str:
    """Treatment-emergent AEs by the plan's window, with relatedness per intervention."""
    if inputs.ctcae is None:
        return inputs.ctcae_reason or "no CTCAE v5.0 dictionary is available"
    ae = inputs.frames.get("AE")
    if ae is None:
        held = [n for n in inputs.data_notes if "AE" in n]
        return held[0] if held else "the data hold no adverse event records (no AE domain)"
    sap = inputs.sap
    notes: tuple[str, ...] = ()
    window: int | None
    if sap is not None and sap.safety.window_start.value is WindowStart.FIRST_INTERVENTION:
        subjects, notes = _by_intervention(inputs)
        start = WindowStart.FIRST_INTERVENTION
        window = sap.safety.window_days_after_last.value
    else:
        subjects = _by_first_dose(inputs)
        start = WindowStart.FIRST_DOSE
        window = (
            sap.safety.window_days_after_last.value
            if sap is not None
            else inputs.plan.teae_window_days
        )
    if window is None:
        window = DEFAULT_WINDOW_DAYS
    if subjects.empty:
        return "no patient received a protocol intervention (the safety set is empty)"
    records = ae[ae["USUBJID"].astype(str).isin(set(subjects["USUBJID"]))]
    adae = derive_adae(
        records,
        subjects[["USUBJID", "ARM", "TRTSDT", "TRTEDT"]],
        dictionary=inputs.ctcae,
        window_days=window,
    )
    adae, attributed, attribution_notes = _attribution(inputs, records, adae, subjects)
    categories = (*AE_CATEGORIES.values(), *attribution_categories(attributed))
    exposure, eair = _exposure(inputs, subjects, adae, window)
    first = subjects["FIRSTINT"].value_counts().to_dict() if "FIRSTINT" in subjects.columns else {}
    return SafetyOutcome(
        overview=ae_overview(adae, subjects, categories=categories),
        worst=worst_grade_table(adae, subjects),
        adae=adae,
        window_days=window,
        dictionary=f"CTCAE v{inputs.ctcae.version}",
        dictionary_origin=inputs.ctcae.origin,
        window_start=start,
        attributed=attributed,
        relatedness_columns=tuple(flag_name(name) for name in attributed),
        first_intervention=tuple(sorted(((str(k), int(v)) for k, v in first.items()))),
        subjects=len(subjects),
        notes=(*notes, *attribution_notes),
        exposure=exposure,
        eair=eair,
    )
