"""The results section as JSON (API v2), XML and HTML (the registry page's Study Results).

JSON is ``{"resultsSection": …}`` with the API's key names. XML is the PRS results upload
document (``RRSUploadSchema.xsd``, :mod:`oncotrial.results.prs`). HTML shows the
section as the registry page does: one table per module, groups as columns, marked DRAFT until a
person approves it, with the checks' findings and every value's provenance.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from oncotrial.results.build import GeneratedResults
from oncotrial.results.model import (
    AdverseEventsModule,
    Analysis,
    BaselineMeasure,
    Group,
    MeasureClass,
    MoreInfoModule,
    OutcomeMeasure,
    OutcomeMeasuresModule,
    ParticipantFlowModule,
    ResultsSection,
)
from oncotrial.results.prs import prs_xml

__all__ = ["FORMATS", "render", "section_html"]

FORMATS = ("json", "xml", "html")


def _json(made: GeneratedResults) -> str:
    return json.dumps(made.api(), indent=2, ensure_ascii=False) + "\n"


def _xml(made: GeneratedResults) -> str:
    status = "DRAFT, not approved" if made.draft else "approved"
    return prs_xml(
        made.section,
        note=f"oncotrial results of trial {made.trial_id} at cut-off {made.cutoff}: {status}",
    )


def _cell(m: Any) -> str:
    if m is None:
        return ""
    text = escape(m.value or "")
    if m.spread:
        text += f" ({escape(m.spread)})"
    if m.lower_limit or m.upper_limit:
        text += f" ({escape(m.lower_limit or '')} to {escape(m.upper_limit or '')})"
    if m.comment:
        text += f'<br><small class="comment">{escape(m.comment)}</small>'
    return text


def _measure_table(measure: BaselineMeasure | OutcomeMeasure, groups: tuple[Group, ...]) -> str:
    head = "".join(f"<th>{escape(g.title)}</th>" for g in groups)
    rows = []
    klasses: tuple[MeasureClass, ...] = measure.classes
    for klass in klasses:
        if klass.title:
            rows.append(
                f'<tr class="class"><th colspan="{len(groups) + 1}">{escape(klass.title)}</th></tr>'
            )
        for category in klass.categories:
            by_group = {m.group_id: m for m in category.measurements}
            cells = "".join(f"<td>{_cell(by_group.get(g.id))}</td>" for g in groups)
            rows.append(f"<tr><th>{escape(category.title or '')}</th>{cells}</tr>")
    unit = escape(measure.unit_of_measure or "")
    kind = escape(" ".join(x for x in (measure.param_type, measure.dispersion_type) if x))
    return (
        f'<table class="measure"><caption>{escape(measure.title)} <small>{kind}; unit: {unit}'
        f"</small></caption><tr><th></th>{head}</tr>{''.join(rows)}</table>"
    )


def _analysis_html(analysis: Analysis) -> str:
    text = (
        f"{escape(analysis.group_description or '')}: "
        f"{escape(analysis.statistical_method or '')} p{escape(analysis.p_value or ' n/a')}"
    )
    if analysis.param_value:
        limits = f"{analysis.ci_lower_limit or ''} to {analysis.ci_upper_limit or ''}"
        text += (
            f"; {escape(analysis.param_type or '')} {escape(analysis.param_value)} "
            f"({escape(analysis.ci_pct_value or '')}% CI {escape(limits)})"
        )
    return f'<p class="analysis">{text}</p>'


def _row(label: str, values: dict[str, str], groups: tuple[Group, ...], cell: str = "th") -> str:
    cells = "".join(f"<td>{escape(values.get(g.id, ''))}</td>" for g in groups)
    return f"<tr><{cell}>{escape(label)}</{cell}>{cells}</tr>"


def _flow_html(flow: ParticipantFlowModule) -> list[str]:
    parts = ["<h2>Participant Flow</h2>"]
    if flow.pre_assignment_details:
        parts.append(f"<p>{escape(flow.pre_assignment_details)}</p>")
    head = "".join(f"<th>{escape(g.title)}</th>" for g in flow.groups)
    for period in flow.periods:
        rows = [
            _row(m.type, {a.group_id: a.num_subjects for a in m.achievements}, flow.groups)
            for m in period.milestones
        ] + [
            _row(d.type, {r.group_id: r.num_subjects for r in d.reasons}, flow.groups, "td")
            for d in period.drop_withdraws
        ]
        parts.append(
            f'<table class="flow"><caption>{escape(period.title)}</caption>'
            f"<tr><th></th>{head}</tr>{''.join(rows)}</table>"
        )
    return parts


def _outcomes_html(module: OutcomeMeasuresModule) -> list[str]:
    parts = ["<h2>Outcome Measures</h2>"]
    for measure in module.outcome_measures:
        kind = measure.type.replace("_", " ").title()
        parts.append(
            f"<h3>{escape(kind)}: {escape(measure.title)}</h3>"
            f"<p>Time frame: {escape(measure.time_frame or '')}</p>"
        )
        parts.append(_measure_table(measure, measure.groups))
        parts += [_analysis_html(a) for a in measure.analyses]
    return parts


def _ae_html(ae: AdverseEventsModule) -> list[str]:
    parts = [
        "<h2>Adverse Events</h2>",
        f"<p>Time frame: {escape(ae.time_frame or '')}. {escape(ae.description or '')} "
        "Frequency threshold for other adverse events: "
        f"{escape(ae.frequency_threshold or '')}%.</p>",
    ]
    head = "".join(f"<th>{escape(g.title)}</th>" for g in ae.event_groups)
    summary = []
    for label, affected, risk in (
        ("All-cause mortality", "deaths_num_affected", "deaths_num_at_risk"),
        ("Serious adverse events", "serious_num_affected", "serious_num_at_risk"),
        ("Other adverse events", "other_num_affected", "other_num_at_risk"),
    ):
        cells = "".join(
            f"<td>{getattr(g, affected)}/{getattr(g, risk)}</td>" for g in ae.event_groups
        )
        summary.append(f"<tr><th>{label}</th>{cells}</tr>")
    parts.append(f'<table class="ae"><tr><th></th>{head}</tr>{"".join(summary)}</table>')
    for title, events in (
        ("Serious Adverse Events", ae.serious_events),
        ("Other Adverse Events", ae.other_events),
    ):
        rows = [
            f"<tr><td>{escape(e.organ_system)}</td><td>{escape(e.term)}</td>"
            + "".join(
                f"<td>{st.num_affected}/{st.num_at_risk} ({st.num_events} events)</td>"
                for st in e.stats
            )
            + "</tr>"
            for e in events
        ]
        parts.append(
            f'<table class="ae"><caption>{title}</caption><tr><th>Organ system</th>'
            f"<th>Term</th>{head}</tr>{''.join(rows)}</table>"
        )
    return parts


def _info_html(info: MoreInfoModule) -> list[str]:
    parts = ["<h2>More Information</h2>"]
    caveats = info.limitations_and_caveats
    if caveats is not None and caveats.description:
        parts.append(f"<p>Limitations and caveats: {escape(caveats.description)}</p>")
    poc = info.point_of_contact
    if poc is not None:
        fields = (poc.title, poc.organization, poc.email, poc.phone)
        parts.append(
            "<p>Results point of contact: " + escape(", ".join(x for x in fields if x)) + "</p>"
        )
    return parts


_STYLE = (
    "body{font-family:sans-serif;max-width:70rem;margin:auto}table{border-collapse:collapse;"
    "margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left}"
    ".draft{background:#fff3cd;padding:.6em;border:1px solid #d4a400}.comment{color:#555}"
)


def section_html(section: ResultsSection) -> str:
    """The modules as HTML fragments (escaped; classes only, no inline style or script), for a
    page of the application: a registry record's posted results on its trial page."""
    parts: list[str] = []
    if section.participant_flow_module is not None:
        parts += _flow_html(section.participant_flow_module)
    base = section.baseline_characteristics_module
    if base is not None:
        parts.append("<h2>Baseline Characteristics</h2>")
        parts += [_measure_table(m, base.groups) for m in base.measures]
    if section.outcome_measures_module is not None:
        parts += _outcomes_html(section.outcome_measures_module)
    if section.adverse_events_module is not None:
        parts += _ae_html(section.adverse_events_module)
    if section.more_info_module is not None:
        parts += _info_html(section.more_info_module)
    return "".join(parts)


def _html(made: GeneratedResults) -> str:
    s = made.section
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>Study Results — {escape(made.trial_id)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Study Results — {escape(made.trial_id)}</h1>",
    ]
    if made.draft:
        parts.append(
            '<p class="draft" role="status">DRAFT — generated by oncotrial from the trial data '
            f"(cut-off {escape(made.cutoff)}); not approved, not posted.</p>"
        )
    if made.simulated:
        parts.append('<p class="draft">SIMULATED DATA — not trial results.</p>')
    parts.append(section_html(s))
    parts.append('<h2>Checks before posting</h2><ul class="findings">')
    parts += [
        f"<li><b>{escape(f.severity.value)}</b> [{escape(f.rule)}] <code>{escape(f.field)}</code>: "
        f"{escape(f.message)}</li>"
        for f in made.findings
    ]
    parts.append('</ul><h2>Where each value comes from</h2><ul class="provenance">')
    parts += [
        f"<li><code>{escape(p.path)}</code>: {escape(p.origin.value)} — {escape(p.source)}</li>"
        for p in made.provenance
    ]
    parts.append("</ul></body></html>\n")
    return "".join(parts)


def render(made: GeneratedResults, fmt: str) -> str:
    """The section in ``fmt`` (json, xml or html)."""
    return {"json": _json, "xml": _xml, "html": _html}[fmt](made)
