"""The trial report: :class:`TrialResults` worded into a :class:`~oncotrial.report.Report`.

Structure (docs/trial-report.md): title page; summary of the endpoints; participant flow
(CONSORT); baseline characteristics; one section per registered endpoint in the registration's
order; tumour response over time (spider and swimmer plots); methods generated from what ran;
listings. The report only formats the engines' results — the numbers are those of
``TrialResults``. ``write_trial_report`` is the use case behind ``oncotrial report`` and
``oncotrial demo``: analyse, build, write HTML + PDF + XLSX + CSV.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from oncotrial import __version__
from oncotrial.app.analyse import analyse_trial
from oncotrial.app.report_endpoints import assessor_words, endpoint_section, headline
from oncotrial.app.report_figures import consort_figure, spider_figure, swimmer_figure
from oncotrial.app.results import RateOutcome, TrialResults
from oncotrial.app.trial_data import TrialData
from oncotrial.endpoints.biomarker import TPS_CATEGORIES
from oncotrial.endpoints.ctcae import CtcaeDictionary
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
    NoteKind,
    Paragraph,
    Report,
    ReportFiles,
    Row,
    Section,
    Table,
    TitlePage,
    write_report,
)
from oncotrial.response import ResponseSettings

__all__ = [
    "SIMULATED_BANNER",
    "TrialReport",
    "build_trial_report",
    "dependency_versions",
    "write_trial_report",
]

SIMULATED_BANNER = "SIMULATED DATA — not trial results"

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


# --------------------------------------------------------------------------- title and summary


def _title_page(results: TrialResults, generated: datetime) -> TitlePage:
    protocol = results.protocol
    identity = protocol.identity
    design = protocol.design
    allocation = "randomized" if protocol.is_randomized else "single arm"
    phases = (
        ", ".join(p.value.replace("PHASE", "Phase ") for p in design.phases) or "phase not stated"
    )
    details = [
        Fact("Design", f"{phases}; {allocation}; {len(results.arms)} arm(s)"),
        Fact("Arms", "; ".join(results.arm_labels) or "none allocated"),
        Fact("Data", results.source),
    ]
    if not results.cutoff_stated:
        details.append(Fact("Cut-off rule", "none was given: the latest date recorded in the data"))
    if protocol.sponsors.lead is not None:
        details.append(Fact("Sponsor", protocol.sponsors.lead.name))
    return TitlePage(
        title=protocol.title,
        protocol_id=identity.local_id or results.trial_id,
        registry_ids=tuple(i for i in (identity.nct_id,) if i and i != identity.local_id),
        data_cutoff=results.cutoff,
        software_version=__version__,
        generated=generated,
        subtitle="Trial report: every registered endpoint, computed as registered",
        banner=SIMULATED_BANNER if results.simulated else None,
        details=tuple(details),
    )


def _summary(results: TrialResults) -> Section:
    rows = [Row((item.label, item.endpoint.title, headline(item))) for item in results.endpoints]
    blocks: list[Block] = []
    if results.simulated:
        blocks.append(
            Note(
                "These data were made by oncotrial's trial simulator from the protocol and "
                "assumed effect sizes (docs/simulator.md, docs/demo.md). Every number in this "
                "report describes the simulation, not the trial.",
                NoteKind.CAUTION,
            )
        )
    blocks += [
        Paragraph(
            f"{results.sets.screened} patients screened, {results.sets.enrolled} "
            f"{'randomized' if results.randomized else 'enrolled'}, "
            f"{len(results.sets.safety)} treated; data cut-off {results.cutoff.isoformat()}."
        ),
        Table(
            "summary",
            "Registered endpoints and their results",
            (Column("Registration"), Column("Endpoint"), Column("Result")),
            tuple(rows),
            footnotes=(
                "Medians in months; 95% confidence intervals. Each endpoint's section gives the "
                "registration's own words, the method and the full result.",
            ),
        ),
    ]
    blocks += [Note(note, NoteKind.CAUTION) for note in results.notes]
    return Section("summary", "Summary", tuple(blocks))


def _flow(results: TrialResults) -> Section:
    consort = results.consort
    rows = []
    for arm in consort.arms:
        rows.append(
            Row(
                (
                    arm.label,
                    arm.allocated,
                    arm.treated,
                    arm.discontinued,
                    arm.ongoing,
                    arm.analysed,
                )
            )
        )
    return Section(
        "flow",
        "Participant flow",
        (
            consort_figure(consort, results.sets.efficacy_name),
            Table(
                "flow",
                "Participant flow per arm",
                (
                    Column("Arm"),
                    Column("Randomized" if consort.randomized else "Enrolled", "right"),
                    Column("Treated", "right"),
                    Column("Discontinued treatment", "right"),
                    Column("On treatment at cut-off", "right"),
                    Column("Analysed", "right"),
                ),
                tuple(rows),
                footnotes=(
                    f"{consort.screened} screened; "
                    f"{sum(n for _, n in consort.not_eligible)} not enrolled (screen failures, "
                    "first criterion not met).",
                ),
            ),
        ),
    )


def _baseline(results: TrialResults) -> Section:
    table = results.baseline
    columns = [Column("Characteristic")] + [
        Column(f"{name} (N = {n})", "right")
        for name, n in zip(table.columns, table.totals, strict=True)
    ]
    rows = [
        Row((row.label, *row.cells), level=0 if row.heading else 1, emphasis=row.heading)
        for row in table.rows
    ]
    return Section(
        "baseline",
        "Baseline characteristics",
        (
            Table(
                "baseline",
                f"Baseline characteristics ({results.sets.efficacy_name.lower()})",
                tuple(columns),
                tuple(rows),
                footnotes=(
                    "n (%) of the patients in each column; PD-L1 TPS categories of the 22C3 "
                    "interpretation manual; prior therapies count anticancer agents recorded "
                    "before consent (SDTM CM).",
                ),
            ),
        ),
    )


# --------------------------------------------------------------------------- endpoints


def _endpoints(results: TrialResults) -> Section:
    sections = []
    waterfall_done: set[object] = set()
    for item in results.endpoints:
        waterfall = False
        if isinstance(item.outcome, RateOutcome):
            key = item.outcome.response.horizon
            waterfall = key not in waterfall_done
            waterfall_done.add(key)
        sections.append(endpoint_section(results, item, waterfall=waterfall))
    return Section(
        "endpoints",
        "Endpoints",
        (
            Paragraph(
                "One section per outcome measure of the registration, in the registration's "
                "order. Each quotes the registration's title, description and time frame, says "
                "how the endpoint was computed, then gives the result."
            ),
        ),
        tuple(sections),
    )


def _response_over_time(results: TrialResults) -> Section | None:
    run = results.response
    if run is None:
        return None
    blocks: list[Block] = []
    spider = spider_figure(
        run, results.arm_labels, results.sets.reference_label, figure_id="spider"
    )
    if spider is not None:
        blocks.append(spider)
    swimmer = swimmer_figure(results, run, figure_id="swimmer")
    if swimmer is not None:
        blocks.append(swimmer)
    if not blocks:
        return None
    return Section(
        "response-over-time",
        "Tumour response over time",
        (
            Paragraph(
                f"All tumour assessments of the {results.sets.efficacy_name.lower()} up to the "
                f"data cut-off, {results.settings.criteria.value}, "
                f"{assessor_words(run.result.assessor)}."
            ),
            *blocks,
        ),
    )


# --------------------------------------------------------------------------- methods


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


def _methods(results: TrialResults) -> Section:
    sets = results.sets
    settings = results.settings
    kinds = {item.endpoint.reading.kind for item in results.endpoints}
    subsections = [
        Section(
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
    ]
    run = results.response
    response_blocks: list[Block] = []
    if run is not None:
        confirmation = (
            f"Best overall response required confirmation of CR/PR at least "
            f"{settings.confirmation_days} days later (RECIST 1.1 §4.6.1: a single-arm trial)."
            if results.confirmation_required
            else "Best overall response did not require confirmation (RECIST 1.1 §4.6.1: a "
            "randomized trial); the confirmed response is listed too."
        )
        response_blocks += [
            Paragraph(
                f"Tumour response by {settings.criteria.value} from {run.source}, "
                f"{assessor_words(run.result.assessor)}, derived by the oncotrial response "
                "engine; `oncotrial response rules` prints every rule with its source. "
                + confirmation
            ),
            _settings_table(settings),
        ]
    elif results.response_reason:
        response_blocks.append(
            Note.not_computable("Tumour response", _lower(results.response_reason))
        )
    if response_blocks:
        subsections.append(Section("methods-response", "Tumour response", tuple(response_blocks)))
    subsections.append(
        Section(
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
    )
    subsections.append(
        Section(
            "methods-statistics",
            "Statistical methods",
            (
                Paragraph(
                    "oncotrial.stats, matched to R survival 3.5-3 and R stats "
                    "(docs/statistics.md): "
                    "Kaplan-Meier estimates with Greenwood variance and pointwise 95% confidence "
                    "limits on the log scale; medians and their limits by R's rule (where the "
                    "curve and its confidence band fall to 50%); landmark rates as R "
                    "summary(survfit, times =) with 1 month = 30.4375 days; arms compared by the "
                    "log-rank test and the Cox proportional hazards model (Efron ties, Wald 95% "
                    "CI; hazard ratio of the experimental arm against the control arm); rates "
                    "with exact Clopper-Pearson 95% CIs, differences with Newcombe's hybrid score "
                    "interval and Fisher's exact test. No adjustment for multiplicity: secondary "
                    "endpoints are descriptive."
                ),
            ),
        )
    )
    if EndpointKind.AE_INCIDENCE in kinds:
        window = results.protocol.analysis.teae_window_days
        subsections.append(
            Section(
                "methods-safety",
                "Adverse events",
                (
                    Paragraph(
                        "Terms and grades were checked against NCI's CTCAE v5.0 dictionary (an "
                        "unknown term or a grade the term does not define stops the analysis). "
                        "Window after the last dose: "
                        + (
                            f"{window} days (protocol)."
                            if window is not None
                            else "30 days (default: the protocol sets none)."
                        )
                        + " Tables count patients, once per row at their worst grade."
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
        )
    if EndpointKind.BIOMARKER_RESPONSE in kinds:
        subsections.append(
            Section(
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
        )
    if EndpointKind.LOCAL_CONTROL in kinds:
        subsections.append(
            Section(
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
        )
    software: list[Block] = [
        Facts(
            (
                Fact("oncotrial", __version__),
                *(Fact(name, version) for name, version in dependency_versions()),
            )
        )
    ]
    subsections.append(Section("methods-software", "Software", tuple(software)))
    if run is not None and len(run.result.excluded):
        excluded = run.result.excluded
        columns = ("USUBJID", "SOURCE", "RECORD", "FIELD", "VALUE", "PROBLEM", "ACTION")
        subsections.append(
            Section(
                "methods-excluded",
                "Records left out",
                (
                    Listing(
                        "excluded-records",
                        "Tumour-assessment records left out of the response derivation",
                        tuple(Column(c.capitalize()) for c in columns),
                        tuple(
                            Row(tuple(_cell(r.get(c)) for c in columns))
                            for r in excluded.to_dict("records")
                        ),
                    ),
                ),
            )
        )
    return Section(
        "methods",
        "Methods",
        (Paragraph("Generated from the analysis that produced this report."),),
        tuple(subsections),
    )


def _lower(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


def _cell(value: object) -> str | int | float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _date(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    text = str(value)
    return text[:10] if text else None


# --------------------------------------------------------------------------- listings


def _listings(results: TrialResults) -> Section:
    blocks: list[Block] = []
    run = results.response
    adsl = results.sets.efficacy
    several = len(results.arms) > 1
    if run is not None:
        summary = run.result.summary
        best = dict(zip(run.table["USUBJID"], run.table["BEST_PCHG"], strict=True))
        arm_of = dict(zip(adsl["USUBJID"].astype(str), adsl["ARM"], strict=True))
        rows = []
        for r in summary.to_dict("records"):
            subject = str(r["USUBJID"])
            change = best.get(subject)
            cells: list[str | int | float | None] = [subject]
            if several:
                cells.append(str(arm_of.get(subject, "")))
            cells += [
                str(r["BOR"]),
                str(r["CBOR"]),
                None if change is None or pd.isna(change) else round(float(change), 4),
                _date(r["FIRST_RESPONSE_DT"]),
                _date(r["FIRST_PD_DT"]),
                int(r["N_ASSESSMENTS"]),
            ]
            rows.append(Row(tuple(cells)))
        columns = [Column("Subject")]
        if several:
            columns.append(Column("Arm"))
        columns += [
            Column("BOR", "center"),
            Column("Confirmed BOR", "center"),
            Column("Best change (%)", "right", ".1f"),
            Column("First response"),
            Column("First progression"),
            Column("Assessments", "right"),
        ]
        blocks.append(
            Listing(
                "listing-responses",
                "Best overall response per patient",
                tuple(columns),
                tuple(rows),
                footnotes=(
                    f"{results.settings.criteria.value}; BOR without, confirmed BOR with the "
                    "confirmation rule (Methods); MISSING: no post-baseline assessment. Best "
                    "change: the smallest % change of the target-lesion sum from baseline over "
                    "the assessments counted toward best response; – : none measured.",
                ),
            )
        )
    dead = results.adsl[results.adsl["DTHDT"].notna() & results.adsl["RANDFL"].eq("Y")]
    zero = results.sets.reference
    blocks.append(
        _without_arm(
            several,
            "listing-deaths",
            "Deaths",
            (
                Column("Subject"),
                Column("Arm"),
                Column("Date of death"),
                Column(f"Days from {results.sets.reference_label}", "right"),
                Column("Cause"),
            ),
            tuple(
                Row(
                    (
                        str(r["USUBJID"]),
                        str(r["ARM"]) if r["ARM"] else None,
                        str(r["DTHDT"]),
                        (
                            (pd.Timestamp(r["DTHDT"]) - pd.Timestamp(r[zero])).days + 1
                            if isinstance(r[zero], str) and r[zero]
                            else None
                        ),
                        str(r["DTHCAUS"]).capitalize() if r.get("DTHCAUS") else None,
                    )
                )
                for r in dead.to_dict("records")
            ),
            footnotes=(f"Day 1 = the day of {results.sets.reference_label}.",),
        )
    )
    blocks.append(_serious_listing(results, several))
    return Section("listings", "Listings", tuple(blocks))


def _without_arm(
    several: bool,
    listing_id: str,
    title: str,
    columns: tuple[Column, ...],
    rows: tuple[Row, ...],
    footnotes: tuple[str, ...] = (),
) -> Listing:
    """A listing whose second column is the arm, left out when the trial has one arm."""
    if not several:
        columns = (columns[0], *columns[2:])
        rows = tuple(Row((r.cells[0], *r.cells[2:])) for r in rows)
    return Listing(listing_id, title, columns, rows, footnotes=footnotes)


def _serious_listing(results: TrialResults, several: bool) -> Block:
    safety = next(
        (
            item.outcome
            for item in results.endpoints
            if item.outcome is not None and item.endpoint.reading.kind is EndpointKind.AE_INCIDENCE
        ),
        None,
    )
    ae = results.safety_frame
    if ae is None or "AESER" not in ae.columns:
        reason = next(
            (
                item.reasons[0]
                for item in results.endpoints
                if item.endpoint.reading.kind is EndpointKind.AE_INCIDENCE and item.reasons
            ),
            "the data hold no adverse event records (no AE domain)",
        )
        return Note.not_computable("The listing of serious adverse events", _lower(reason))
    serious = ae[ae["AESER"].astype(str) == "Y"]
    teae = {}
    if safety is not None:
        adae = safety.adae  # type: ignore[union-attr]
        teae = {
            (str(s), str(q)): flag
            for s, q, flag in zip(adae["USUBJID"], adae["AESEQ"], adae["TRTEMFL"], strict=True)
        }
    arm_of = dict(zip(results.adsl["USUBJID"].astype(str), results.adsl["ACTARM"], strict=True))
    rows = [
        Row(
            (
                str(r["USUBJID"]),
                _cell(arm_of.get(str(r["USUBJID"]))),
                _cell(r.get("AEDECOD") or r.get("AETERM")),
                _cell(r.get("AEBODSYS")),
                _cell(r.get("AETOXGR")),
                _cell(r.get("AESTDTC")),
                _cell(r.get("AEENDTC")),
                _cell(r.get("AEOUT")),
                _cell(r.get("AEREL")),
                teae.get((str(r["USUBJID"]), str(r.get("AESEQ")))),
            )
        )
        for r in serious.to_dict("records")
    ]
    return _without_arm(
        several,
        "listing-sae",
        "Serious adverse events",
        (
            Column("Subject"),
            Column("Arm (actual)"),
            Column("Term (CTCAE v5.0)"),
            Column("System organ class"),
            Column("Grade", "center"),
            Column("Onset"),
            Column("End"),
            Column("Outcome"),
            Column("Relationship"),
            Column("TEAE", "center"),
        ),
        tuple(rows),
        footnotes=(
            "All serious adverse events (AESER = Y) recorded up to the data cut-off.",
            *(
                ()
                if safety is not None
                else (
                    "Terms and grades as recorded: they could not be checked against CTCAE "
                    "v5.0 (see the safety endpoint), and treatment emergence was not derived.",
                )
            ),
        ),
    )


# --------------------------------------------------------------------------- assembly


def build_trial_report(results: TrialResults, *, generated: datetime) -> Report:
    """The report document of ``results``; ``generated`` is passed in (no clock here)."""
    sections = [
        _summary(results),
        _flow(results),
        _baseline(results),
        _endpoints(results),
    ]
    over_time = _response_over_time(results)
    if over_time is not None:
        sections.append(over_time)
    sections += [_methods(results), _listings(results)]
    return Report(_title_page(results, generated), tuple(sections))


@dataclass(frozen=True)
class TrialReport:
    """What ``write_trial_report`` produced: the results, the document and its files."""

    results: TrialResults
    report: Report
    files: ReportFiles


def write_trial_report(
    data: TrialData,
    out_dir: Path,
    *,
    generated: datetime,
    cutoff: date | None = None,
    ctcae: CtcaeDictionary | None = None,
    ctcae_reason: str | None = None,
) -> TrialReport:
    """Analyse ``data``, build its report and write it to ``out_dir`` (all formats or none)."""
    results = analyse_trial(data, cutoff=cutoff, ctcae=ctcae, ctcae_reason=ctcae_reason)
    report = build_trial_report(results, generated=generated)
    return TrialReport(results, report, write_report(report, out_dir))
