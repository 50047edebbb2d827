"""The Methods section, generated from what ran: data and analysis sets, tumour response,
time-to-event rules, statistics, and, where the trial registers them, adverse events, PD-L1 and
local control; the software and every record left out.

Each subsection states the rule set the engines applied, printed from the rules themselves
(id, description, source), so the section cannot drift from the analysis.
"""

from __future__ import annotations

import platform
from importlib import metadata

from oncotrial import __version__
from oncotrial.analysis.results import SafetyOutcome, TrialResults
from oncotrial.catalogue.durations import DAYS_PER_MONTH
from oncotrial.endpoints.biomarker import TPS_CATEGORIES
from oncotrial.endpoints.local_progression import LOCAL_PROGRESSION_RULES
from oncotrial.endpoints.safety import AE_CATEGORIES, TEAE_RULES
from oncotrial.protocol.endpoints import EndpointKind
from oncotrial.report import (
    Block,
    Column,
    Fact,
    Facts,
    Listing,
    Note,
    Paragraph,
    Row,
    Section,
    Table,
)
from oncotrial.report.trial.endpoints import assessor_words
from oncotrial.report.trial.endpoints.safety import window_words
from oncotrial.report.trial.listings import cell
from oncotrial.response import ResponseSettings

__all__ = ["dependency_versions", "methods_section"]

_DEPENDENCIES = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "reportlab",
    "openpyxl",
    "pydantic",
    "django",
)


def dependency_versions() -> tuple[tuple[str, str], ...]:
    """(name, version) of Python and the libraries the analysis and rendering ran on."""
    found = [("Python", platform.python_version())]
    for name in _DEPENDENCIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(found)


def _rules_table(table_id: str, title: str, rows: list[tuple[str, str, str]]) -> Table:
    return Table(
        table_id,
        title,
        (Column("Rule"), Column("Description"), Column("Source")),
        tuple(Row(r) for r in rows),
    )


def _settings_table(settings: ResponseSettings) -> Table:
    rows = []
    for name, info in type(settings).model_fields.items():
        value = getattr(settings, name)
        text = value.value if hasattr(value, "value") else str(value)
        rows.append(Row((name, str(text), info.description or "")))
    return Table(
        "response-settings",
        "Response criteria settings used",
        (Column("Setting"), Column("Value"), Column("Meaning and source")),
        tuple(rows),
        footnotes=(
            "The protocol's analysis plan (docs/protocol.md) sets these; defaults follow "
            "RECIST 1.1 and the admiralonco template (docs/response.md).",
        ),
    )


def methods_section(results: TrialResults) -> Section:
    """Methods: one subsection per part of the analysis that ran (module docstring)."""
    kinds = {item.endpoint.reading.kind for item in results.endpoints}
    parts: list[Section | None] = [
        _data_and_sets(results),
        _tumour_response(results),
        _time_to_event(results),
        _statistics(),
        _adverse_events(results)
        if EndpointKind.AE_INCIDENCE in kinds or results.safety is not None
        else None,
        _pdl1() if EndpointKind.BIOMARKER_RESPONSE in kinds else None,
        _local_progression() if EndpointKind.LOCAL_CONTROL in kinds else None,
        _software(),
        _records_left_out(results),
    ]
    return Section(
        "methods",
        "Methods",
        (Paragraph("Generated from the analysis that produced this report."),),
        tuple(part for part in parts if part is not None),
    )


def _data_and_sets(results: TrialResults) -> Section:
    sets = results.sets
    return Section(
        "methods-data",
        "Data and analysis sets",
        (
            Paragraph(
                f"Data: {results.source}; data cut-off {results.cutoff.isoformat()}"
                + (
                    " (records dated later were left out, docs/trial-report.md)."
                    if results.cutoff_stated
                    else " (the latest date recorded in the data)."
                )
                + " The subject-level data (ADSL-like) were derived from the SDTM domains "
                "as docs/sdtm.md describes."
            ),
            Paragraph(
                f"{sets.efficacy_name} (N = {len(sets.efficacy)}): "
                f"{sets.efficacy_definition}. Safety set (N = {len(sets.safety)}): "
                f"{sets.safety_definition}."
            ),
        ),
    )


def _tumour_response(results: TrialResults) -> Section | None:
    settings = results.settings
    run = results.response
    blocks: list[Block] = []
    if run is not None:
        confirmation = (
            f"Best overall response required confirmation of CR/PR at least "
            f"{settings.confirmation_days} days later (RECIST 1.1 §4.6.1: a single-arm trial)."
            if results.confirmation_required
            else "Best overall response did not require confirmation (RECIST 1.1 §4.6.1: a "
            "randomized trial); the confirmed response is listed too."
        )
        blocks += [
            Paragraph(
                f"Tumour response by {settings.criteria.value} from {run.source}, "
                f"{assessor_words(run.result.assessor)}, derived by the oncotrial response "
                "engine; `oncotrial response rules` prints every rule with its source. "
                + confirmation
            ),
            _settings_table(settings),
        ]
    elif results.response_reason:
        blocks.append(Note.not_computable("Tumour response", _lower(results.response_reason)))
    if not blocks:
        return None
    return Section("methods-response", "Tumour response", tuple(blocks))


def _time_to_event(results: TrialResults) -> Section:
    sets = results.sets
    return Section(
        "methods-tte",
        "Time-to-event endpoints and censoring",
        (
            Paragraph(
                "Time-to-event endpoints (ADaM ADTTE) were derived by the oncotrial endpoint "
                f"engine from time zero = {sets.reference_label} ({sets.reference}); "
                "AVAL = event or censoring date − time zero + 1 day (admiral's convention). "
                f"Censoring rule set: {results.rules.name.value}"
                + (
                    f"; two missed assessments = a gap of more than "
                    f"{results.rules.missed_assessment_days} days (twice the protocol's "
                    "imaging interval plus its window)."
                    if results.rules.censor_missed_assessments
                    else "."
                )
            ),
            _rules_table(
                "censoring-rules",
                "Censoring and event rules applied",
                [(r.id, r.description, r.source) for r in results.rules.rules],
            ),
        ),
    )


def _statistics() -> Section:
    return Section(
        "methods-statistics",
        "Statistical methods",
        (
            Paragraph(
                "oncotrial.stats, matched to R survival 3.5-3 and R stats "
                "(docs/statistics.md): "
                "Kaplan-Meier estimates with Greenwood variance and pointwise 95% confidence "
                "limits on the log scale; medians and their limits by R's rule (where the "
                "curve and its confidence band fall to 50%); landmark rates as R "
                f"summary(survfit, times =) with 1 month = {DAYS_PER_MONTH:g} days; arms "
                "compared by the "
                "log-rank test and the Cox proportional hazards model (Efron ties, Wald 95% "
                "CI; hazard ratio of the experimental arm against the control arm); rates "
                "with exact Clopper-Pearson 95% CIs, differences with Newcombe's hybrid score "
                "interval and Fisher's exact test. No adjustment for multiplicity: secondary "
                "endpoints are descriptive."
            ),
        ),
    )


def _adverse_events(results: TrialResults) -> Section:
    window = results.plan.teae_window_days
    safety = next(
        (i.outcome for i in results.endpoints if isinstance(i.outcome, SafetyOutcome)),
        results.safety if isinstance(results.safety, SafetyOutcome) else None,
    )
    dictionary = (
        safety.dictionary_description if safety is not None else "NCI's CTCAE v5.0 dictionary"
    )
    return Section(
        "methods-safety",
        "Adverse events",
        (
            Paragraph(
                f"Terms and grades were checked against {dictionary} (an "
                "unknown term or a grade the term does not define stops the analysis). "
                + (
                    f"Treatment-emergent: {window_words(safety)}. "
                    if safety is not None and results.sap is not None
                    else "Window after the last dose: "
                    + (
                        f"{window} days (protocol). "
                        if window is not None
                        else "30 days (default: the protocol sets none). "
                    )
                )
                + "Tables count patients, once per row at their worst grade."
            ),
            _rules_table(
                "teae-rules",
                "Treatment-emergence rules",
                [
                    (
                        r.id,
                        ("treatment-emergent: " if r.treatment_emergent else "not: ")
                        + r.description,
                        r.source,
                    )
                    for r in TEAE_RULES.values()
                ],
            ),
            _rules_table(
                "ae-categories",
                "Adverse-event categories",
                [(c.label, c.description, c.source) for c in AE_CATEGORIES.values()],
            ),
        ),
    )


def _pdl1() -> Section:
    return Section(
        "methods-pdl1",
        "PD-L1 and response",
        (
            Paragraph(
                "PD-L1 tumour proportion score categories "
                + ", ".join(c.label for c in TPS_CATEGORIES)
                + f" ({TPS_CATEGORIES[0].source}); patients without a TPS are left out "
                "of these analyses. Trend: Cochran-Armitage (scores 0, 1, 2); odds ratio "
                "per 10 TPS points: logistic regression, Wald CI; ROC AUC: DeLong CI."
            ),
        ),
    )


def _local_progression() -> Section:
    return Section(
        "methods-local",
        "Local progression of treated lesions",
        (
            Paragraph(
                "A treated lesion is the lesion a local-therapy record names (SDTM "
                "PR.PRLNKID = TU.TULNKID); only assessments after the start of the local "
                "therapy count."
            ),
            _rules_table(
                "local-progression-rules",
                "Local progression rules",
                [(r.id, r.description, r.source) for r in LOCAL_PROGRESSION_RULES.values()],
            ),
        ),
    )


def _software() -> Section:
    facts = Facts(
        (
            Fact("oncotrial", __version__),
            *(Fact(name, version) for name, version in dependency_versions()),
        )
    )
    return Section("methods-software", "Software", (facts,))


def _records_left_out(results: TrialResults) -> Section | None:
    run = results.response
    if run is None or not len(run.result.excluded):
        return None
    columns = ("USUBJID", "SOURCE", "RECORD", "FIELD", "VALUE", "PROBLEM", "ACTION")
    return Section(
        "methods-excluded",
        "Records left out",
        (
            Listing(
                "excluded-records",
                "Tumour-assessment records left out of the response derivation",
                tuple(Column(c.capitalize()) for c in columns),
                tuple(
                    Row(tuple(cell(r.get(c)) for c in columns))
                    for r in run.result.excluded.to_dict("records")
                ),
            ),
        ),
    )


def _lower(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]
