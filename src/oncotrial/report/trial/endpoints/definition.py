"""What an endpoint section opens with: the registration's words, quoted, and how it was computed.

The registration is quoted as written (title, description, time frame — never reworded); the
sentence after it says how oncotrial computed the endpoint from the data and the analysis plan.
"""

from __future__ import annotations

from oncotrial.analysis.results import EndpointResult, TrialResults
from oncotrial.endpoints.qol import MINIMAL_IMPORTANT_DIFFERENCE
from oncotrial.protocol.endpoints import EndpointKind
from oncotrial.protocol.model import FieldSource
from oncotrial.report import Block, RegistryQuote
from oncotrial.report.trial.wording import MONTH

__all__ = [
    "REVIEWER_WORDING",
    "assessor_words",
    "computed_as",
    "quote_origin",
    "registry_quotes",
    "registry_source",
]


def registry_source(results: TrialResults) -> str:
    identity = results.protocol.identity
    return identity.nct_id or f"registration of trial {identity.local_id or results.trial_id}"


def assessor_words(assessor: str) -> str:
    """Whose reads the response engine used, for a sentence."""
    if assessor.casefold() == "accepted assessor":
        return "the accepted reads (ACPTFL = Y)"
    return f"the reads of {assessor}"


REVIEWER_WORDING = "reviewer's wording, not registration text"


def quote_origin(results: TrialResults, item: EndpointResult) -> str:
    """Whose words the endpoint's title and description are: the registration's own, or a
    reviewer's reading of a record without an outcome section (the protocol's provenance)."""
    provenance = results.protocol.provenance_of(f"endpoints[{item.index - 1}].description")
    return "registration text" if provenance.source is FieldSource.REGISTRY else REVIEWER_WORDING


def registry_quotes(results: TrialResults, item: EndpointResult) -> list[Block]:
    endpoint = item.endpoint
    origin = quote_origin(results, item)
    where = (
        f"{registry_source(results)}, {item.label.lower()}"
        if origin != REVIEWER_WORDING
        else f"read from {registry_source(results)}'s summary; {item.label.lower()}"
    )
    blocks: list[Block] = [RegistryQuote(endpoint.title, "Title", where, origin)]
    if endpoint.description:
        blocks.append(RegistryQuote(endpoint.description, "Description", where, origin))
    if endpoint.time_frame:
        blocks.append(RegistryQuote(endpoint.time_frame, "Time frame", where, origin))
    return blocks


def computed_as(results: TrialResults, item: EndpointResult) -> str:
    reading = item.endpoint.reading
    kind = reading.kind
    sets = results.sets
    criteria = results.settings.criteria.value
    frame = reading.time_frame
    within = (
        f", counting tumour assessments up to {frame.days / MONTH:.0f} months after "
        f"{sets.reference_label} (the registration's time frame)"
        if frame is not None
        else ", counting every tumour assessment up to the data cut-off"
    )
    confirmed = (
        f"confirmed at least {results.settings.confirmation_days} days later, as RECIST 1.1 "
        "§4.6.1 requires in a single-arm trial"
        if results.confirmation_required
        else "unconfirmed, as RECIST 1.1 §4.6.1 allows in a randomized trial"
    )
    if kind is EndpointKind.ORR:
        return (
            f"Objective response rate: patients whose best overall response ({criteria}, "
            f"{confirmed}) is CR or PR, of all patients of the {sets.efficacy_name.lower()}"
            f"{within}; exact (Clopper-Pearson) 95% confidence interval."
        )
    if kind is EndpointKind.DCR:
        return (
            f"Disease control rate: patients whose best overall response ({criteria}, "
            f"{confirmed}) is CR, PR, SD or non-CR/non-PD (SD at least "
            f"{results.settings.sd_min_days} days after {sets.reference_label}), of all patients "
            f"of the {sets.efficacy_name.lower()}{within}; exact 95% confidence interval."
        )
    if kind in (EndpointKind.PFS, EndpointKind.OS, EndpointKind.TTP, EndpointKind.DOR):
        landmark = (
            f"; the rate at {reading.landmark} (the registration's time frame) with its 95% CI "
            "and the number still at risk"
            if reading.landmark is not None
            else ""
        )
        what = {
            EndpointKind.PFS: f"time from {sets.reference_label} to progression ({criteria}) or "
            "death from any cause",
            EndpointKind.OS: f"time from {sets.reference_label} to death from any cause",
            EndpointKind.TTP: f"time from {sets.reference_label} to progression ({criteria}); "
            "deaths without progression are censored",
            EndpointKind.DOR: "time from the first documented response (CR or PR) to "
            "progression or death, among responders",
        }[kind]
        comparison = (
            "; arms compared by the log-rank test and a Cox model (hazard ratio)"
            if results.randomized
            else ""
        )
        return (
            f"{what[:1].upper()}{what[1:]}: Kaplan-Meier estimate with its median and 95% CI"
            f"{landmark}{comparison}. Censoring rules: Methods."
        )
    if kind is EndpointKind.SURVIVAL_RATE:
        of = "progression-free" if reading.rate_of is EndpointKind.PFS else "overall"
        at = reading.landmark or reading.time_frame
        return (
            f"The Kaplan-Meier estimate of {of} survival at {at} from {sets.reference_label}, "
            "with its 95% confidence interval (log transform, Greenwood variance) and the "
            "number still at risk."
        )
    if kind is EndpointKind.AE_INCIDENCE:
        return (
            "Patients with at least one treatment-emergent adverse event, by CTCAE v5.0 system "
            "organ class and term, each patient counted once per row at the worst grade; "
            "safety set."
        )
    if kind is EndpointKind.BIOMARKER_RESPONSE:
        return (
            "Objective response rate by PD-L1 tumour proportion score category (< 1%, 1–49%, "
            "≥ 50%), Fisher's exact test, the Cochran-Armitage trend test, logistic regression "
            f"(odds ratio per 10 points) and the ROC AUC of TPS for response{within}."
        )
    outcome = item.outcome
    if kind is EndpointKind.LOCAL_CONTROL and getattr(outcome, "incidence", None) is not None:
        return (
            f"Local control of the residual lesions in both arms, as the analysis plan reads "
            f"it: time from {sets.reference_label} to local progression of any lesion present "
            "at baseline (per-lesion RECIST 1.1 thresholds; Methods), death without local "
            "progression a competing event: cumulative incidence per arm (Aalen-Johansen) and "
            "Gray's test, with local progression-free survival (local progression or death) "
            "by Kaplan-Meier alongside."
        )
    if kind is EndpointKind.LOCAL_CONTROL:
        return (
            "Local progression-free survival: time from "
            f"{sets.reference_label} to local progression of the lesions treated by local "
            "therapy (SDTM PR → TU link) or death, Kaplan-Meier estimate; local progression "
            "rules: Methods."
        )
    if kind is EndpointKind.QOL:
        return (
            "EORTC QLQ-C30 global health status (0–100) per arm and visit: mean, SD, median, "
            f"and change from baseline with the number of patients improved or worsened by ≥ "
            f"{MINIMAL_IMPORTANT_DIFFERENCE:g} points."
        )
    return f"{kind.value}: no derivation in oncotrial."
