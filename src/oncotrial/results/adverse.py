"""adverseEventsModule and moreInfoModule.

Adverse events (42 CFR 11.48(a)(4); PRS Adverse Events module): the report's treatment-emergent
adverse events (ADAE from ``derive_adae``: CTCAE v5.0 term and system organ class, the
protocol's reporting window), per arm actually received, over the safety set. Serious events are
all TEAEs with AESER = Y (every term, whatever its frequency); other events are the non-serious
TEAEs whose term affected more than the frequency threshold (5%) of any arm. Per term and arm:
participants affected (each once), events (records) and participants at risk. All-cause
mortality counts the deaths of the safety set up to the data cut-off (ADSL DTHFL).

More information: the point of contact from the registration's central contact and lead sponsor;
limitations and caveats are drafted from facts of the data and must be completed by a person.
"""

from __future__ import annotations

import pandas as pd

from oncotrial.analysis.results import SafetyOutcome, TrialResults
from oncotrial.results.common import Origin, Provenance
from oncotrial.results.flow import arm_descriptions
from oncotrial.results.model import (
    AdverseEvent,
    AdverseEventsModule,
    EventGroup,
    EventStats,
    LimitationsAndCaveats,
    MoreInfoModule,
    PointOfContact,
)

__all__ = [
    "FREQUENCY_THRESHOLD",
    "adverse_module",
    "more_info_module",
    "no_safety_reason",
    "safety_outcome",
]

#: Percent of any arm a non-serious term must exceed to be listed (42 CFR 11.48(a)(4)(iii):
#: a threshold not greater than 5 percent).
FREQUENCY_THRESHOLD = 5


def safety_outcome(results: TrialResults) -> SafetyOutcome | None:
    """The analysis's safety outcome: the first AE endpoint computed, else the analysis plan's
    safety analysis of a trial that registers no safety outcome (003). The PRS requires the
    adverse-events module in every results submission (42 CFR 11.48(a)(4)), whether or not
    safety is a registered outcome, so the plan's analysis fills it (the report's safety
    section, ICH E3 §12)."""
    for item in results.endpoints:
        if isinstance(item.outcome, SafetyOutcome):
            return item.outcome
    return results.safety if isinstance(results.safety, SafetyOutcome) else None


def no_safety_reason(results: TrialResults) -> str:
    """Why the results section has no adverse-events module (for the checks)."""
    if isinstance(results.safety, str):
        return f"the analysis plan's safety analysis failed: {results.safety}"
    if results.safety_frame is not None and len(results.safety_frame):
        return (
            "adverse-event data exist but no safety outcome was computed: the trial registers "
            "no safety outcome and has no analysis plan (`oncotrial sap`) whose safety analysis "
            "would be followed"
        )
    return "the analysis computed no safety outcome (CTCAE dictionary or AE data missing)"


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _at_risk(results: TrialResults) -> pd.DataFrame:
    """The safety set with the arm actually received (as the safety tables group it)."""
    safety = results.sets.safety
    arm = (
        safety["ACTARM"].where(safety["ACTARM"].notna(), safety["ARM"])
        if "ACTARM" in safety
        else safety["ARM"]
    )
    return pd.DataFrame({"USUBJID": safety["USUBJID"].astype(str), "ARM": arm.astype(str)})


def _events(
    events: pd.DataFrame, groups: tuple[EventGroup, ...], at_risk: dict[str, int]
) -> list[tuple[AdverseEvent, tuple[EventStats, ...]]]:
    out = []
    for (soc, term), rows in events.groupby(["AESOC", "AEDECOD"], sort=True):
        stats = tuple(
            EventStats(
                g.id,
                num_events=int((rows["ARM"] == g.title).sum()),
                num_affected=int(rows.loc[rows["ARM"] == g.title, "USUBJID"].nunique()),
                num_at_risk=at_risk[g.title],
            )
            for g in groups
        )
        out.append((AdverseEvent(str(term), str(soc), stats=stats), stats))
    return out


def adverse_module(
    results: TrialResults, outcome: SafetyOutcome, provenance: list[Provenance]
) -> AdverseEventsModule:
    population = _at_risk(results)
    labels = tuple(
        sorted(
            population["ARM"].unique(),
            key=lambda a: (
                a not in results.arm_labels,
                results.arm_labels.index(a) if a in results.arm_labels else 0,
                a,
            ),
        )
    )
    at_risk = {a: int((population["ARM"] == a).sum()) for a in labels}
    adae = outcome.adae
    teae = adae[(adae["TRTEMFL"] == "Y") & adae["USUBJID"].astype(str).isin(population["USUBJID"])]
    teae = teae.assign(USUBJID=teae["USUBJID"].astype(str), ARM=teae["ARM"].astype(str))
    serious = teae[teae["AESERFL"] == "Y"]
    other = teae[teae["AESERFL"] != "Y"]
    descriptions = arm_descriptions(results)
    deaths = (
        results.adsl[_text(results.adsl["DTHFL"]) == "Y"]["USUBJID"].astype(str)
        if "DTHFL" in results.adsl
        else pd.Series(dtype=str)
    )
    groups = tuple(
        EventGroup(f"EG{i:03d}", label, descriptions.get(label)) for i, label in enumerate(labels)
    )
    serious_rows = _events(serious, groups, at_risk)
    other_rows = [
        (event, stats)
        for event, stats in _events(other, groups, at_risk)
        if any(
            s.num_at_risk and 100 * (s.num_affected or 0) / s.num_at_risk > FREQUENCY_THRESHOLD
            for s in stats
        )
    ]
    listed_other = {(e.organ_system, e.term) for e, _ in other_rows}
    other_listed = other[
        [(s, t) in listed_other for s, t in zip(other["AESOC"], other["AEDECOD"], strict=True)]
    ]

    def members(label: str) -> set[str]:
        return set(population.loc[population["ARM"] == label, "USUBJID"])

    groups = tuple(
        EventGroup(
            g.id,
            g.title,
            g.description,
            deaths_num_affected=len(members(g.title) & set(deaths)),
            deaths_num_at_risk=at_risk[g.title],
            serious_num_affected=int(serious.loc[serious["ARM"] == g.title, "USUBJID"].nunique()),
            serious_num_at_risk=at_risk[g.title],
            other_num_affected=int(
                other_listed.loc[other_listed["ARM"] == g.title, "USUBJID"].nunique()
            ),
            other_num_at_risk=at_risk[g.title],
        )
        for g in groups
    )

    def listed(rows: list[tuple[AdverseEvent, tuple[EventStats, ...]]]) -> tuple[AdverseEvent, ...]:
        return tuple(
            AdverseEvent(
                e.term,
                e.organ_system,
                source_vocabulary=outcome.dictionary,
                assessment_type="SYSTEMATIC_ASSESSMENT",
                stats=tuple(
                    EventStats(s.group_id, s.num_events, s.num_affected, s.num_at_risk)
                    for s in e.stats
                ),
            )
            for e, _ in rows
        )

    provenance.append(
        Provenance(
            "adverseEventsModule",
            Origin.DERIVED,
            "the report's ADAE (treatment-emergent adverse events)"
            + (
                ""
                if outcome is not results.safety
                else "; the analysis plan's safety analysis (no registered safety outcome; the "
                "PRS requires the module in every results submission)"
            ),
        )
    )
    provenance.append(
        Provenance(
            "adverseEventsModule.seriousEvents[].assessmentType",
            Origin.ASSUMED,
            "adverse events are collected at every visit by the protocol (systematic); confirm",
        )
    )
    return AdverseEventsModule(
        frequency_threshold=str(FREQUENCY_THRESHOLD),
        time_frame=(
            f"From the first dose of study treatment to {outcome.window_days} days after the last "
            f"dose, up to the data cut-off ({results.cutoff.isoformat()}); all-cause mortality up "
            "to the data cut-off"
        ),
        description=(
            "Treatment-emergent adverse events of the safety set ("
            f"{results.sets.safety_definition}), graded and coded with "
            f"{outcome.dictionary}; system organ classes are MedDRA's, as CTCAE "
            "terms are MedDRA lowest level terms. Serious: AESER = Y (ICH E2A)."
        ),
        event_groups=groups,
        serious_events=listed(serious_rows),
        other_events=listed(other_rows),
    )


def more_info_module(results: TrialResults, provenance: list[Provenance]) -> MoreInfoModule:
    protocol = results.protocol
    contact = next(iter(protocol.central_contacts), None)
    lead = protocol.sponsors.lead
    point = (
        PointOfContact(
            title=contact.name,
            organization=lead.name if lead else None,
            email=contact.email,
            phone=contact.phone,
            phone_ext=contact.phone_ext,
        )
        if contact is not None
        else None
    )
    if point is not None:
        provenance.append(
            Provenance(
                "moreInfoModule.pointOfContact",
                Origin.REGISTRY,
                "the registration's central contact and lead sponsor",
            )
        )
    caveats = [
        f"Results at the data cut-off of {results.cutoff.isoformat()}"
        + ("" if results.cutoff_stated else " (the latest date in the data)")
        + "."
    ]
    if results.simulated:
        caveats.append("SIMULATED DATA: generated by the oncotrial simulator, not trial results.")
    caveats.extend(results.notes)
    provenance.append(
        Provenance(
            "moreInfoModule.limitationsAndCaveats",
            Origin.ASSUMED,
            "drafted from facts of the data; the team must write the trial's limitations",
        )
    )
    return MoreInfoModule(
        limitations_and_caveats=LimitationsAndCaveats(" ".join(caveats)),
        point_of_contact=point,
    )
