"""Arms, analysis sets and the participant flow (CONSORT counts) from the ADSL-like frame.

Counts of subjects only; the definitions are stated with the sets so that the methods section
can quote them (CONSORT 2010, Schulz et al., BMJ 2010;340:c332; ICH E9 §5.2 analysis sets).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd

from oncotrial.analysis.results import AnalysisSets, ArmInfo, ConsortArmCounts, ConsortCounts
from oncotrial.catalogue.subject import COMPLETED, SCREEN_FAILURE
from oncotrial.protocol.endpoints import Origin
from oncotrial.protocol.model import AnalysisPlan, Protocol
from oncotrial.protocol.vocabulary import ArmType

__all__ = ["analysis_sets", "consort_counts", "reference_of", "trial_arms"]

_CONTROL_TYPES = {
    ArmType.ACTIVE_COMPARATOR,
    ArmType.PLACEBO_COMPARATOR,
    ArmType.SHAM_COMPARATOR,
    ArmType.NO_INTERVENTION,
}


def _flag(adsl: pd.DataFrame, column: str) -> pd.Series:
    if column not in adsl.columns:
        return pd.Series(False, index=adsl.index)
    return adsl[column].astype(object).where(adsl[column].notna(), "").astype(str) == "Y"


def _present(adsl: pd.DataFrame, column: str) -> pd.Series:
    if column not in adsl.columns:
        return pd.Series(False, index=adsl.index)
    return adsl[column].astype(object).where(adsl[column].notna(), "").astype(str).str.len() > 0


def reference_of(protocol: Protocol, plan: AnalysisPlan) -> tuple[str, str]:
    """(ADSL variable, words) of time zero from the analysis plan."""
    origin = plan.reference_date
    if origin is Origin.FIRST_DOSE:
        return "TRTSDT", "first dose"
    if origin is Origin.ENROLLMENT or (origin is None and not protocol.is_randomized):
        return "RANDDT", "enrollment"
    return "RANDDT", "randomization" if protocol.is_randomized else "enrollment"


def trial_arms(protocol: Protocol, adsl: pd.DataFrame) -> tuple[ArmInfo, ...]:
    """The arms subjects were allocated to (DM ARMCD order), with the protocol's control arm."""
    control_labels = {a.label for a in protocol.arms if a.type in _CONTROL_TYPES}
    allocated = adsl[_present(adsl, "ARM")]
    pairs = (
        allocated[["ARMCD", "ARM"]].astype(str).drop_duplicates().sort_values(["ARMCD", "ARM"])
        if "ARMCD" in allocated.columns
        else allocated[["ARM"]].astype(str).drop_duplicates().assign(ARMCD="")
    )
    arms = tuple(
        ArmInfo(code=str(code), label=str(label), control=str(label) in control_labels)
        for code, label in zip(pairs["ARMCD"], pairs["ARM"], strict=True)
    )
    if len(arms) > 1 and not any(a.control for a in arms):
        # No arm is typed as a comparator: the last arm is the reference, as registries list
        # the experimental arm first.
        arms = (*arms[:-1], ArmInfo(arms[-1].code, arms[-1].label, control=True))
    return arms


def analysis_sets(protocol: Protocol, plan: AnalysisPlan, adsl: pd.DataFrame) -> AnalysisSets:
    reference, words = reference_of(protocol, plan)
    enrolled = adsl[_flag(adsl, "RANDFL")]
    efficacy = enrolled[_present(enrolled, reference) & _present(enrolled, "ARM")]
    safety = adsl[_flag(adsl, "SAFFL")]
    allocation = "randomized" if protocol.is_randomized else "enrolled"
    if reference == "TRTSDT":
        name = "Treated set"
        definition = (
            f"all {allocation} patients who received at least one dose of study treatment "
            "(time zero of every time-to-event endpoint is the first dose, as the protocol "
            "defines it), analysed in the arm they were allocated to"
        )
    else:
        name = "Full analysis set"
        definition = (
            f"all {allocation} patients, analysed in the arm they were allocated to "
            f"(intention to treat; time zero: {words})"
        )
    return AnalysisSets(
        reference=reference,
        reference_label=words,
        screened=len(adsl),
        enrolled=len(enrolled),
        efficacy=efficacy.reset_index(drop=True),
        safety=safety.reset_index(drop=True),
        efficacy_name=name,
        efficacy_definition=definition,
        safety_definition=(
            "all patients who received at least one dose of study treatment, analysed by the "
            "treatment actually received"
        ),
    )


def _reasons(values: pd.Series) -> tuple[tuple[str, int], ...]:
    counts = Counter(
        (str(v).strip().capitalize() if isinstance(v, str) and v.strip() else "Reason not recorded")
        for v in values
    )
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _screen_failure_reasons(
    adsl: pd.DataFrame, frames: Mapping[str, pd.DataFrame]
) -> tuple[tuple[str, int], ...]:
    failed = adsl.loc[_flag(adsl, "SCRFFL"), "USUBJID"].astype(str)
    if failed.empty:
        return ()
    reason: dict[str, str] = {}
    ie = frames.get("IE")
    if ie is not None and not ie.empty and "IETEST" in ie.columns:
        seq = pd.to_numeric(ie["IESEQ"], errors="coerce") if "IESEQ" in ie.columns else np.nan
        ordered = ie.assign(_SEQ=seq).sort_values(["USUBJID", "_SEQ"])
        for subject, row in ordered.drop_duplicates("USUBJID").set_index("USUBJID").iterrows():
            code = str(row.get("IETESTCD") or "").strip()
            text = str(row["IETEST"]).strip().rstrip(";.")
            reason[str(subject)] = f"{code}: {text}" if code else text
    ds = frames.get("DS")
    if ds is not None and not ds.empty and "DSDECOD" in ds.columns:
        failures = ds[ds["DSDECOD"].astype(str) == SCREEN_FAILURE]
        for subject, term in zip(failures["USUBJID"], failures.get("DSTERM", ""), strict=False):
            reason.setdefault(str(subject), str(term).capitalize() if term else "")
    counts = Counter(reason.get(s) or "Reason not recorded" for s in failed)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _enrolled_not_eligible(
    adsl: pd.DataFrame, ie: pd.DataFrame | None
) -> tuple[tuple[str, str, str], ...]:
    """Enrolled subjects with an IE record: SDTMIG's IE holds the criteria *not met* (an
    inclusion answered N, an exclusion answered Y; UNKNOWN where the screener could not decide),
    so any IE record of an enrolled subject is an eligibility deviation (ICH E3 10.2: subjects
    who entered the study although they did not satisfy the entry criteria)."""
    if ie is None or ie.empty or "USUBJID" not in ie.columns:
        return ()
    enrolled = adsl[_flag(adsl, "RANDFL")]
    arm_of = dict(zip(enrolled["USUBJID"].astype(str), enrolled.get("ARM", ""), strict=False))
    out = []
    for _, row in ie[ie["USUBJID"].astype(str).isin(arm_of)].iterrows():
        subject = str(row["USUBJID"])
        code = str(row.get("IETESTCD") or "").strip()
        text = str(row.get("IETEST") or "").strip().rstrip(";.") or "criterion text not recorded"
        result = str(row.get("IEORRES") or "").strip()
        criterion = f"{code}: {text}" if code else text
        out.append(
            (
                subject,
                str(arm_of[subject] or ""),
                f"{criterion} ({result})" if result else criterion,
            )
        )
    return tuple(sorted(out))


def _why_not_analysed(sets: AnalysisSets) -> str:
    if sets.reference == "TRTSDT":
        return "Never treated (time zero is the first dose)"
    return f"No {sets.reference_label} date"


def consort_counts(
    protocol: Protocol,
    adsl: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    arms: tuple[ArmInfo, ...],
    sets: AnalysisSets,
) -> ConsortCounts:
    """Screened, not eligible (first criterion not met), still in screening, allocated, treated,
    completed or discontinued treatment, lost to follow-up, still followed and analysed per arm
    (CONSORT 2010 flow diagram, items 13a-b)."""
    enrolled = adsl[_flag(adsl, "RANDFL")]
    analysed = set(sets.efficacy["USUBJID"].astype(str))
    out = []
    for arm in arms:
        members = enrolled[enrolled["ARM"].astype(str) == arm.label]
        treated = members[_flag(members, "SAFFL")]
        untreated = members[~_flag(members, "SAFFL")]
        eot = treated["EOTSTT"].astype(str) if "EOTSTT" in treated.columns else pd.Series()
        stopped = treated[eot == "DISCONTINUED"]
        missing = members[~members["USUBJID"].astype(str).isin(analysed)]
        why_untreated = untreated.get("DCSREAS", pd.Series([None] * len(untreated)))
        left = members.get("DCSREAS", pd.Series([None] * len(members))).astype(str).str.upper()
        study = members.get("EOSSTT", pd.Series([None] * len(members))).astype(str)
        out.append(
            ConsortArmCounts(
                label=arm.label,
                allocated=len(members),
                treated=len(treated),
                not_treated=_reasons(
                    pd.Series(
                        [
                            r if isinstance(r, str) and r else "Did not start treatment"
                            for r in why_untreated
                        ],
                        dtype=object,
                    )
                ),
                discontinued=len(stopped),
                discontinued_reasons=_reasons(stopped.get("DCTREAS", pd.Series(dtype=object))),
                ongoing=int((eot == "ONGOING").sum()),
                analysed=len(members) - len(missing),
                not_analysed=((_why_not_analysed(sets), len(missing)),) if len(missing) else (),
                completed=int((eot == COMPLETED).sum()),
                lost_to_follow_up=int(left.str.startswith("LOST TO FOLLOW").sum()),
                in_follow_up=int((study == "ONGOING").sum()),
            )
        )
    return ConsortCounts(
        screened=len(adsl),
        not_eligible=_screen_failure_reasons(adsl, frames),
        enrolled=len(enrolled),
        randomized=protocol.is_randomized and len(arms) > 1,
        arms=tuple(out),
        # CONSORT 2010 item 13a: everyone assessed is accounted for, those still being
        # screened at the cut-off too
        in_screening=int((~_flag(adsl, "SCRFFL") & ~_flag(adsl, "RANDFL")).sum()),
        enrolled_not_eligible=_enrolled_not_eligible(adsl, frames.get("IE")),
    )
