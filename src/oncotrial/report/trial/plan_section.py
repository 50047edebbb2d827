"""The report's "Registration and analysis plan" section: what was registered, what was assumed.

ICH E9 (R1) §5.1 and ICH E3 §9.7 ask a report to state the planned analyses and every change to
them; CONSORT 2010 items 6a/6b and 12a the prespecified outcomes, methods and any changes. From
the reviewed plan (``oncotrial.plan``) the section gives:

* the plan's identity: version, the registration record it was written against, its reviews;
* each place the analysis departs from the registration's wording (time zero, event, time
  frame), the registration's words verbatim, what the analysis does and why;
* how each endpoint uses its time frame (landmark, assessment window, maximum follow-up);
* the treatment-emergent window of the safety analysis;
* every assumption with who made it, why, and whether a reviewer accepted it;
* the registration text the plan rests on, verbatim and where it stands.

Registry text is quoted only where it is the registry's (``FromRegistry``); reviewer wording is
labelled as such.
"""

from __future__ import annotations

from typing import Any

from oncotrial.analysis.results import TrialResults
from oncotrial.plan.model import AnalysisPlan, Departure, TimeFrameUse, WindowStart
from oncotrial.plan.provenance import Assumed, Derived, FromRegistry
from oncotrial.plan.review import Reviewable, pending, sourced_values
from oncotrial.report import Block, Column, Note, NoteKind, Paragraph, Row, Section, Table

__all__ = ["plan_section"]

_USE_WORDS = {
    TimeFrameUse.LANDMARK: "landmark: the rate at that time",
    TimeFrameUse.ASSESSMENT_WINDOW: "assessment window: only assessments within it count",
    TimeFrameUse.MAXIMUM_FOLLOW_UP: "maximum follow-up: follow-up censored there",
    TimeFrameUse.NOT_APPLIED: "not applied: a horizon of data collection only",
}


def _value(item: Reviewable) -> str:
    if isinstance(item, Departure):
        return item.analysis
    value: Any = item.value
    if hasattr(value, "model_dump") and hasattr(value, "kind"):
        fields = value.model_dump(mode="json", exclude_none=True)
        return ", ".join(f"{k} {v}" for k, v in fields.items())
    if hasattr(value, "model_dump"):
        if hasattr(value, "id") and hasattr(value, "description"):
            return f"{value.id}: {value.description}"
        return str(value)
    if hasattr(value, "value") and isinstance(value.value, str):
        return str(value.value)
    return str(value)


def _accepted(source: Assumed) -> str:
    if source.accepted is None:
        return "not yet accepted"
    return f"accepted by {source.accepted.by}, {source.accepted.at.date().isoformat()}"


def _departures(plan: AnalysisPlan) -> Table | None:
    rows = [
        Row(
            (
                path.removesuffix(f".departures.{item.id}"),
                f"“{item.registration}” ({item.where})",
                item.analysis,
                item.source.why,
                _accepted(item.source),
            )
        )
        for path, item in sourced_values(plan)
        if isinstance(item, Departure)
    ]
    if not rows:
        return None
    return Table(
        "plan-departures",
        "Where the analysis departs from the registration's wording",
        (
            Column("Plan value"),
            Column("The registration says (verbatim)"),
            Column("The analysis"),
            Column("Reason"),
            Column("Review"),
        ),
        tuple(rows),
        footnotes=("ICH E9 (R1) §5.1; CONSORT 2010 item 6b (changes to outcomes).",),
    )


def _time_frames(plan: AnalysisPlan) -> Table | None:
    rows = []
    for endpoint in plan.endpoints:
        if endpoint.time_frame_use is None:
            continue
        frame = endpoint.time_frame.value if endpoint.time_frame is not None else None
        rows.append(
            Row(
                (
                    f"{endpoint.id} ({endpoint.title})",
                    str(frame) if frame is not None else "—",
                    _USE_WORDS[endpoint.time_frame_use.value],
                    endpoint.time_frame_use.source.describe(),
                )
            )
        )
    if not rows:
        return None
    return Table(
        "plan-time-frames",
        "How each registered time frame is used",
        (Column("Endpoint"), Column("Time frame"), Column("Use"), Column("Source")),
        tuple(rows),
    )


def _assumptions(plan: AnalysisPlan) -> Table:
    rows = [
        Row((path, _value(item), item.source.by, item.source.why, _accepted(item.source)))
        for path, item in sourced_values(plan)
        if isinstance(item.source, Assumed) and not isinstance(item, Departure)
    ]
    return Table(
        "plan-assumptions",
        "Assumptions of the analysis plan (where the registration is silent or unclear)",
        (
            Column("Plan value"),
            Column("Value"),
            Column("Assumed by"),
            Column("Why"),
            Column("Review"),
        ),
        tuple(rows),
        footnotes=(
            "`oncotrial sap check TRIAL` lists the assumptions not yet accepted; `oncotrial sap "
            "accept` records a reviewer's acceptance (a new plan version).",
        ),
    )


def _registry(plan: AnalysisPlan, record: str) -> Table | None:
    rows = [
        Row((path, _value(item), f"“{item.source.quote}”", item.source.where))
        for path, item in sourced_values(plan)
        if isinstance(item.source, FromRegistry)
    ]
    if not rows:
        return None
    return Table(
        "plan-registry",
        f"Values of the plan read from the registration ({record}), with its words",
        (Column("Plan value"), Column("Value"), Column("Registration text"), Column("Where")),
        tuple(rows),
    )


def _counts(plan: AnalysisPlan) -> str:
    items = [item for _, item in sourced_values(plan)]
    registry = sum(isinstance(i.source, FromRegistry) for i in items)
    derived = sum(isinstance(i.source, Derived) for i in items)
    assumed = sum(isinstance(i.source, Assumed) for i in items)
    open_count = len(pending(plan))
    return (
        f"{registry} value(s) from the registration (quoted), {derived} derived by a stated "
        f"rule, {assumed} assumed ({assumed - open_count} accepted by a reviewer, {open_count} "
        "not yet accepted)"
    )


def _safety_words(plan: AnalysisPlan) -> str:
    safety = plan.safety
    opening = [r.name for r in safety.interventions if r.opens_window.value]
    attributed = [r.name for r in safety.interventions if r.attribution.value]
    if safety.window_start.value is WindowStart.FIRST_INTERVENTION:
        start = "the first protocol intervention of any kind (" + ", ".join(opening) + ")"
    else:
        start = "the first dose of study drug"
    return (
        f"Safety: adverse events are treatment-emergent from {start} up to "
        f"{safety.window_days_after_last.value} days after the last one "
        f"({safety.window_start.source.describe()}); relatedness is tabled per intervention"
        + (f" ({', '.join(attributed)})" if attributed else "")
        + f"; CTCAE v{safety.ctcae_version.value}."
    )


def plan_section(results: TrialResults) -> Section:
    """The registration and the analysis plan the results follow, with every assumption."""
    plan = results.sap
    if plan is None:
        return Section(
            "plan",
            "Registration and analysis plan",
            (
                Note(
                    "No reviewed statistical analysis plan exists for this trial: the analysis "
                    "follows the protocol's settings (Methods), and assumptions are not listed. "
                    "Write one and review it with `oncotrial sap` (docs/analysis-plan.md).",
                    NoteKind.CAUTION,
                ),
            ),
        )
    reviews = "; ".join(
        f"version {r.version} by {r.by}, {r.at.date().isoformat()}" for r in plan.reviews
    )
    blocks: list[Block] = [
        Paragraph(
            f"The analysis follows the statistical analysis plan of trial {plan.trial_id}, "
            f"version {plan.version}, written against the registration record "
            f"{plan.registration}"
            + (f" (reviews: {reviews})" if reviews else " (no review recorded yet)")
            + f". Of its values: {_counts(plan)}. Registration text is quoted verbatim only "
            "where it is the registry's; a reviewer's wording is labelled as such."
        ),
        Paragraph(f"Time zero: {plan.time_zero.value.value} ({plan.time_zero.source.describe()})."),
        Paragraph(_safety_words(plan)),
    ]
    if pending(plan):
        blocks.append(
            Note(
                f"{len(pending(plan))} assumption(s) of the plan have not been accepted by a "
                "reviewer; the results below rest on them as listed.",
                NoteKind.CAUTION,
            )
        )
    for table in (
        _departures(plan),
        _time_frames(plan),
        _assumptions(plan),
        _registry(plan, plan.registration),
    ):
        if table is not None:
            blocks.append(table)
    return Section("plan", "Registration and analysis plan", tuple(blocks))
