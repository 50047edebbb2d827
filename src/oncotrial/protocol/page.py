"""The trial page: a protocol laid out in the sections of a registry page, as data.

The order is the registry page of seed 002: Basic Information, Brief Summary, Detailed
Description, Conditions, Study Design, Study Groups, Interventions, Outcome Measures,
Eligibility Criteria, Sponsors, Responsible Party, Locations, Central Contacts, Other
Identifiers, More Related Trials. The terminal (Rich) and the web application render the same
structure, so both show the same trial the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oncotrial.protocol.endpoints import EndpointLevel
from oncotrial.protocol.model import FieldSource, Protocol
from oncotrial.protocol.vocabulary import label

__all__ = ["PageItem", "PageSection", "TrialPage", "build_trial_page"]

MAX_LOCATIONS = 25


@dataclass(frozen=True)
class PageItem:
    """One entry of a section (an arm, an intervention, an outcome, a criterion)."""

    heading: str
    facts: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    depth: int = 0


@dataclass(frozen=True)
class PageSection:
    """One section: key-value facts, free text, items, and a table (header + rows)."""

    title: str
    facts: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    items: tuple[PageItem, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrialPage:
    trial_id: str
    title: str
    subtitle: str | None
    sections: tuple[PageSection, ...] = field(default_factory=tuple)


def _v(value: object) -> str:
    if value is None or value == "" or value == ():
        return "—"
    return str(value)


def _mark(protocol: Protocol, path: str) -> str:
    source = protocol.provenance_of(path).source
    return {FieldSource.PERSON: " [reviewer]", FieldSource.DERIVED: ""}.get(source, "")


def unescape_markdown(text: str) -> str:
    # The registry readers load only when a record is imported (`trial show` starts fast).
    from oncotrial.protocol.importers.common import unescape_markdown as unescape

    return unescape(text)


def build_trial_page(protocol: Protocol) -> TrialPage:
    """The registry-style page of a protocol, section by section."""
    p = protocol
    sections: list[PageSection] = [_basic_information(p)]
    if p.description.brief_summary:
        sections.append(
            PageSection("Brief Summary", text=unescape_markdown(p.description.brief_summary))
        )
    if p.description.detailed_description:
        sections.append(
            PageSection(
                "Detailed Description", text=unescape_markdown(p.description.detailed_description)
            )
        )
    sections.append(PageSection("Conditions", text=", ".join(p.conditions) or "—"))
    sections += [
        _study_design(p),
        _study_groups(p),
        _interventions(p),
        _outcome_measures(p),
        _eligibility(p),
        _sponsors(p),
        _locations(p),
    ]
    contacts = tuple((_v(c.name), _v(c.role), _v(c.phone), _v(c.email)) for c in p.central_contacts)
    if contacts:
        sections.append(
            PageSection(
                "Central Contacts", header=("Name", "Role", "Phone", "Email"), rows=contacts
            )
        )
    identifiers = [("NCT number", p.identity.nct_id), ("Org study id", p.identity.org_study_id)]
    identifiers += [(s.domain or s.type or "Secondary id", s.id) for s in p.identity.secondary_ids]
    if p.identity.local_id:
        identifiers.append(("Local id", p.identity.local_id))
    sections.append(
        PageSection("Other Identifiers", facts=tuple((k, v) for k, v in identifiers if v))
    )
    if p.related_trials:
        sections.append(
            PageSection(
                "More Related Trials",
                header=("NCT number", "Title", "Status", "Phase"),
                rows=tuple(
                    (_v(r.nct_id), r.title, _v(r.status), ", ".join(r.phases) or "—")
                    for r in p.related_trials
                ),
            )
        )
    notes = tuple(p.source.notes) + p.consistency_warnings()
    sections.append(
        PageSection(
            "Record",
            facts=(("Imported from", f"{p.source.name} ({p.source.format.value})"),),
            notes=notes,
        )
    )
    subtitle = p.identity.official_title if p.identity.official_title != p.title else None
    return TrialPage(
        trial_id=p.trial_id, title=p.title, subtitle=subtitle, sections=tuple(sections)
    )


def _basic_information(p: Protocol) -> PageSection:
    enrollment = (
        f"{p.enrollment.count} participants"
        + (f" ({label(p.enrollment.type).lower()})" if p.enrollment.type else "")
        if p.enrollment and p.enrollment.count is not None
        else None
    )
    return PageSection(
        "Basic Information",
        facts=(
            ("Trial", p.trial_id),
            ("Recruitment status", label(p.status.overall_status)),
            ("Phase", ", ".join(label(ph) for ph in p.design.phases) or "—"),
            ("Enrollment", _v(enrollment)),
            ("Study type", label(p.design.study_type)),
            ("Start date", _v(p.status.start)),
            ("Primary completion", _v(p.status.primary_completion)),
            ("Completion date", _v(p.status.completion)),
            ("Last updated", _v(p.status.last_updated)),
        ),
    )


def _study_design(p: Protocol) -> PageSection:
    return PageSection(
        "Study Design",
        facts=(
            ("Allocation", label(p.design.allocation) + _mark(p, "design.allocation")),
            (
                "Intervention model",
                label(p.design.intervention_model) + _mark(p, "design.intervention_model"),
            ),
            ("Primary purpose", label(p.design.primary_purpose)),
            ("Masking", label(p.design.masking)),
        ),
    )


def _study_groups(p: Protocol) -> PageSection:
    return PageSection(
        "Study Groups",
        items=tuple(
            PageItem(
                heading=arm.label + _mark(p, f"arms[{i}]"),
                facts=(
                    ("Type", label(arm.type)),
                    ("Interventions", ", ".join(arm.interventions) or "—"),
                ),
                text=arm.description,
            )
            for i, arm in enumerate(p.arms)
        ),
        notes=() if p.arms else ("The registration lists no study groups.",),
    )


def _interventions(p: Protocol) -> PageSection:
    return PageSection(
        "Interventions",
        items=tuple(
            PageItem(
                heading=i.name,
                facts=(
                    ("Type", label(i.type)),
                    (
                        "Dose and schedule",
                        (i.dosing.describe() or "—") + _mark(p, f"interventions[{n}].dosing"),
                    ),
                ),
                text=i.description,
            )
            for n, i in enumerate(p.interventions)
        ),
    )


def _outcome_measures(p: Protocol) -> PageSection:
    outcome_items = []
    for n, e in enumerate(p.endpoints):
        reading = e.reading
        computed = reading.kind.value
        if reading.rate_of is not None:
            computed = f"{reading.rate_of.value} rate"
        if reading.landmark is not None:
            computed += f" at {reading.landmark}"
        if reading.criteria:
            computed += " · " + ", ".join(c.value for c in reading.criteria)
        if reading.ctcae_version:
            computed += f" · CTCAE v{reading.ctcae_version}"
        if reading.origin is not None:
            computed += f" · from {reading.origin.value}"
        outcome_items.append(
            PageItem(
                heading=f"{e.level.value.capitalize()}: {e.title}" + _mark(p, f"endpoints[{n}]"),
                facts=(("Time frame", _v(e.time_frame)), ("Computed as", computed)),
                text=e.description,
            )
        )
    return PageSection(
        "Outcome Measures",
        items=tuple(outcome_items),
        notes=(
            ()
            if p.endpoints_at(EndpointLevel.PRIMARY)
            else ("The registration names no primary outcome.",)
        ),
    )


def _eligibility(p: Protocol) -> PageSection:
    eligibility = p.eligibility
    return PageSection(
        "Eligibility Criteria",
        facts=(
            ("Sex", label(eligibility.sex)),
            ("Minimum age", _v(eligibility.minimum_age)),
            ("Maximum age", _v(eligibility.maximum_age)),
            (
                "Healthy volunteers",
                "—"
                if eligibility.healthy_volunteers is None
                else ("Yes" if eligibility.healthy_volunteers else "No"),
            ),
        ),
        items=tuple(
            PageItem(heading=c.id, text=unescape_markdown(c.text), depth=c.depth)
            for c in eligibility.inclusion + eligibility.exclusion
        ),
        notes=(
            ()
            if eligibility.inclusion or eligibility.exclusion
            else ("The record carries no criteria text.",)
        ),
    )


def _sponsors(p: Protocol) -> PageSection:
    sponsors = p.sponsors
    party = sponsors.responsible_party
    responsible = ", ".join(
        x
        for x in (
            party.name if party else None,
            party.title if party else None,
            party.affiliation if party else None,
            label(party.type) if party and party.type else None,
        )
        if x
    )
    return PageSection(
        "Sponsors",
        facts=(
            ("Lead sponsor", _v(sponsors.lead.name if sponsors.lead else None)),
            ("Collaborators", ", ".join(c.name for c in sponsors.collaborators) or "—"),
            ("Responsible party", _v(responsible or None)),
        ),
    )


def _locations(p: Protocol) -> PageSection:
    location_rows = tuple(
        (
            _v(loc.facility or loc.address),
            _v(", ".join(x for x in (loc.city, loc.state, loc.country) if x) or None),
            _v(loc.status),
        )
        for loc in p.locations[:MAX_LOCATIONS]
    )
    return PageSection(
        "Locations",
        header=("Site", "Place", "Status"),
        rows=location_rows,
        notes=(
            (f"{len(p.locations) - MAX_LOCATIONS} more locations not shown.",)
            if len(p.locations) > MAX_LOCATIONS
            else ()
        ),
    )
