"""The trial report: :class:`~oncotrial.analysis.TrialResults` worded into a
:class:`~oncotrial.report.Report`.

Structure (docs/trial-report.md): title page; summary of the endpoints; the registration and
analysis plan (``plan_section.py``: every assumption with its provenance, every departure from
the registration's wording); participant flow (CONSORT); baseline characteristics; one section
per registered endpoint in the registration's order (``endpoints/``, a module per endpoint
kind); tumour response over time (spider and swimmer plots); methods generated from what ran
(``methods.py``); listings (``listings.py``). The report only formats the engines' results —
the numbers are those of ``TrialResults``; analysing and writing the files is the
application's use case (``oncotrial.app.reporting``).
"""

from __future__ import annotations

from datetime import datetime

from oncotrial import __version__
from oncotrial.analysis.results import ConsortCounts, RateOutcome, SafetyOutcome, TrialResults
from oncotrial.report import (
    Block,
    Column,
    Fact,
    Note,
    NoteKind,
    Paragraph,
    Report,
    Row,
    Section,
    Table,
    TitlePage,
)
from oncotrial.report.trial.endpoints import assessor_words, endpoint_section, headline
from oncotrial.report.trial.endpoints.safety import safety_blocks
from oncotrial.report.trial.figures import consort_figure, spider_figure, swimmer_figure
from oncotrial.report.trial.listings import listings_section
from oncotrial.report.trial.methods import methods_section
from oncotrial.report.trial.plan_section import plan_section

__all__ = ["SIMULATED_BANNER", "build_trial_report"]

SIMULATED_BANNER = "SIMULATED DATA — not trial results"


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
                    arm.completed,
                    arm.discontinued,
                    arm.ongoing,
                    arm.lost_to_follow_up,
                    arm.in_follow_up,
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
                    Column("Completed treatment", "right"),
                    Column("Discontinued treatment", "right"),
                    Column("On treatment at cut-off", "right"),
                    Column("Lost to follow-up", "right"),
                    Column("In follow-up at cut-off", "right"),
                    Column("Analysed", "right"),
                ),
                tuple(rows),
                footnotes=(
                    f"{consort.screened} screened; "
                    f"{sum(n for _, n in consort.not_eligible)} not enrolled (screen failures, "
                    "first criterion not met); "
                    f"{consort.in_screening} still in screening at the cut-off (CONSORT 2010 "
                    "items 13a-b).",
                ),
            ),
            *_eligibility_deviations(consort),
        ),
    )


def _eligibility_deviations(consort: ConsortCounts) -> tuple[Table, ...]:
    """Subjects enrolled although a criterion was not met: shown, never silently counted as
    eligible (ICH E3 10.2 lists them among the protocol deviations)."""
    if not consort.enrolled_not_eligible:
        return ()
    subjects = len({subject for subject, _, _ in consort.enrolled_not_eligible})
    return (
        Table(
            "eligibility-deviations",
            f"Enrolled although an eligibility criterion was not met ({subjects} subjects)",
            (Column("Subject"), Column("Arm"), Column("Criterion (IE result)")),
            tuple(Row(entry) for entry in consort.enrolled_not_eligible),
            footnotes=(
                "Subjects with RANDFL = Y and an IE record: SDTMIG's IE domain holds the criteria "
                "not met (UNKNOWN where the screener could not decide). Protocol deviations "
                "(ICH E3 10.2); they stay in the analysis sets the analysis plan defines.",
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
                    *table.notes,
                ),
            ),
        ),
    )


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


def _supportive(results: TrialResults) -> Section | None:
    """The plan's supportive analyses (randomized trials: ORR, DCR, DoR per arm with exact
    intervals and the arms compared; CONSORT 2010 item 17a), apart from the registered ones."""
    if not results.supportive:
        return None
    return Section(
        "supportive",
        "Supportive analyses",
        (
            Paragraph(
                "Analyses the analysis plan adds to the registered outcomes. They support the "
                "primary comparison and are not tests of a registered hypothesis: p-values are "
                "descriptive (ICH E9 §5.6)."
            ),
        ),
        tuple(endpoint_section(results, item) for item in results.supportive),
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


def _plan_safety(results: TrialResults, outcome: SafetyOutcome | str) -> Section:
    """Safety by the analysis plan for a trial whose registration names no safety endpoint."""
    lead = Paragraph(
        "The registration names no safety outcome; the analysis plan's safety analysis is "
        "reported here (ICH E3 §12): treatment-emergent adverse events by CTCAE term and worst "
        "grade, with relatedness per intervention."
    )
    if isinstance(outcome, str):
        return Section(
            "safety",
            "Safety (analysis plan)",
            (lead, Note.not_computable("The safety analysis", outcome)),
        )
    return Section(
        "safety", "Safety (analysis plan)", (lead, *safety_blocks(results, "safety", outcome))
    )


def build_trial_report(results: TrialResults, *, generated: datetime) -> Report:
    """The report document of ``results``; ``generated`` is passed in (no clock here)."""
    sections = [
        _summary(results),
        plan_section(results),
        _flow(results),
        _baseline(results),
        _endpoints(results),
    ]
    supportive = _supportive(results)
    if supportive is not None:
        sections.append(supportive)
    if results.safety is not None:
        sections.append(_plan_safety(results, results.safety))
    over_time = _response_over_time(results)
    if over_time is not None:
        sections.append(over_time)
    sections += [methods_section(results), listings_section(results)]
    return Report(_title_page(results, generated), tuple(sections))
