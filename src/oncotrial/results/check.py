"""Checks before posting: the PRS's quality-control rules that can be checked from the data.

Each finding names the field (API path) and what to do. Rules (ClinicalTrials.gov results data
element definitions; PRS review criteria):

- FLOW-SUM: in each period, COMPLETED + NOT COMPLETED = STARTED per group, and the
  drop/withdraw reasons add up to NOT COMPLETED;
- DENOM-STARTED: an outcome's or baseline's denominator does not exceed the group's STARTED
  count in the participant flow;
- ANALYSIS-GROUPS: each statistical analysis names the groups it compares, ids of the measure;
- UNITS-TIME: each measure has a unit of measure and a time frame; a dispersion needs its limits
  (or NA with a comment); NA needs a comment;
- AE-THRESHOLD: the frequency threshold for other adverse events is at most 5%;
- AE-AT-RISK: participants affected never exceed those at risk;
- OUTCOME-PRESENT: every registered outcome is present in order, or the reason is listed;
- POINT-OF-CONTACT / LIMITATIONS: what a person must still write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from oncotrial.catalogue.countries import country_code
from oncotrial.protocol.model import Protocol
from oncotrial.results.common import MILESTONE_COMPLETED, MILESTONE_NOT_COMPLETED, MILESTONE_STARTED
from oncotrial.results.model import Measurement, ResultsSection

__all__ = ["Finding", "Severity", "check_results"]


class Severity(StrEnum):
    ERROR = "error"  # the PRS would reject or flag it: fix before posting
    TODO = "to write"  # a person must write or confirm it


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    field: str
    message: str


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _flow(section: ResultsSection) -> Iterator[Finding]:
    flow = section.participant_flow_module
    if flow is None:
        yield Finding("FLOW-SUM", Severity.ERROR, "participantFlowModule", "no participant flow")
        return
    for p, period in enumerate(flow.periods):
        path = f"participantFlowModule.periods[{p}]"
        by_type = {
            m.type: {a.group_id: _int(a.num_subjects) for a in m.achievements}
            for m in period.milestones
        }
        started = by_type.get(MILESTONE_STARTED, {})
        completed = by_type.get(MILESTONE_COMPLETED, {})
        not_completed = by_type.get(MILESTONE_NOT_COMPLETED, {})
        negative = [
            f"{d.type}: {r.num_subjects}"
            for d in period.drop_withdraws
            for r in d.reasons
            if (_int(r.num_subjects) or 0) < 0
        ]
        if negative:
            yield Finding(
                "FLOW-SUM",
                Severity.ERROR,
                f"{path}.dropWithdraws",
                "negative counts: " + "; ".join(negative),
            )
        for group in flow.groups:
            s, c, n = started.get(group.id), completed.get(group.id), not_completed.get(group.id)
            if s is None or c is None or n is None or c + n != s:
                yield Finding(
                    "FLOW-SUM",
                    Severity.ERROR,
                    f"{path}.milestones",
                    f"{group.title}: COMPLETED ({c}) + NOT COMPLETED ({n}) ≠ STARTED ({s})",
                )
            reasons = sum(
                _int(r.num_subjects) or 0
                for d in period.drop_withdraws
                for r in d.reasons
                if r.group_id == group.id
            )
            if n is not None and reasons != n:
                yield Finding(
                    "FLOW-SUM",
                    Severity.ERROR,
                    f"{path}.dropWithdraws",
                    f"{group.title}: reasons add up to {reasons}, NOT COMPLETED is {n}",
                )


def _started(section: ResultsSection) -> dict[str, int]:
    """STARTED of the first period, by group title (flow ids differ from measure ids)."""
    flow = section.participant_flow_module
    if flow is None or not flow.periods:
        return {}
    titles = {g.id: g.title for g in flow.groups}
    for milestone in flow.periods[0].milestones:
        if milestone.type == MILESTONE_STARTED:
            return {
                titles[a.group_id]: _int(a.num_subjects) or 0
                for a in milestone.achievements
                if a.group_id in titles
            }
    return {}


def _measurement(m: Measurement, path: str, dispersion: str | None) -> Iterator[Finding]:
    for name in ("value", "spread", "lower_limit", "upper_limit"):
        if getattr(m, name) == "NA" and not m.comment:
            yield Finding(
                "UNITS-TIME", Severity.ERROR, f"{path}.comment", f"{name} is NA without a comment"
            )
    if dispersion == "95% Confidence Interval" and (m.lower_limit is None or m.upper_limit is None):
        yield Finding(
            "UNITS-TIME", Severity.ERROR, path, "a confidence interval needs both limits (or NA)"
        )


def _outcomes(
    section: ResultsSection, protocol: Protocol, missing: Mapping[int, str]
) -> Iterator[Finding]:
    started = _started(section)
    module = section.outcome_measures_module
    measures = module.outcome_measures if module else ()
    total = sum(started.values())
    for i, measure in enumerate(measures):
        path = f"outcomeMeasuresModule.outcomeMeasures[{i}]"
        ids = {g.id: g.title for g in measure.groups}
        if not measure.unit_of_measure:
            yield Finding(
                "UNITS-TIME", Severity.ERROR, f"{path}.unitOfMeasure", "no unit of measure"
            )
        if not measure.time_frame:
            yield Finding("UNITS-TIME", Severity.ERROR, f"{path}.timeFrame", "no time frame")
        for d in measure.denoms:
            for count in d.counts:
                title = ids.get(count.group_id, "")
                limit = started.get(title, total)
                if (_int(count.value) or 0) > limit:
                    yield Finding(
                        "DENOM-STARTED",
                        Severity.ERROR,
                        f"{path}.denoms",
                        f"{title}: {count.value} analysed but {limit} started",
                    )
        for c, klass in enumerate(measure.classes):
            for k, category in enumerate(klass.categories):
                for m, measurement in enumerate(category.measurements):
                    yield from _measurement(
                        measurement,
                        f"{path}.classes[{c}].categories[{k}].measurements[{m}]",
                        measure.dispersion_type,
                    )
        for a, analysis in enumerate(measure.analyses):
            unknown = [g for g in analysis.group_ids if g not in ids]
            if not analysis.group_ids or unknown:
                yield Finding(
                    "ANALYSIS-GROUPS",
                    Severity.ERROR,
                    f"{path}.analyses[{a}].groupIds",
                    "the analysis names no groups of the measure"
                    + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
                )
    titles = [m.title for m in measures]
    for index, endpoint in enumerate(protocol.endpoints, start=1):
        if index in missing:
            yield Finding(
                "OUTCOME-PRESENT",
                Severity.TODO,
                "outcomeMeasuresModule.outcomeMeasures",
                f"registered outcome {index} ({endpoint.title}) could not be generated: "
                f"{missing[index]}. Enter its data by hand in the PRS.",
            )
        elif endpoint.title not in titles:
            yield Finding(
                "OUTCOME-PRESENT",
                Severity.ERROR,
                "outcomeMeasuresModule.outcomeMeasures",
                f"registered outcome {index} ({endpoint.title}) is missing",
            )


def _adverse(section: ResultsSection, no_safety: str | None) -> Iterator[Finding]:
    module = section.adverse_events_module
    if module is None:
        yield Finding(
            "AE-THRESHOLD",
            Severity.TODO,
            "adverseEventsModule",
            f"no adverse-event module: {no_safety or 'no safety outcome'}; the PRS requires it "
            "in every results submission",
        )
        return
    if _int(module.frequency_threshold) is None or (_int(module.frequency_threshold) or 0) > 5:
        yield Finding(
            "AE-THRESHOLD",
            Severity.ERROR,
            "adverseEventsModule.frequencyThreshold",
            f"threshold {module.frequency_threshold!r} must be a number ≤ 5 (%)",
        )
    for kind, events in (
        ("seriousEvents", module.serious_events),
        ("otherEvents", module.other_events),
    ):
        for e, event in enumerate(events):
            for stat in event.stats:
                if (stat.num_affected or 0) > (stat.num_at_risk or 0) or (
                    stat.num_affected or 0
                ) > (stat.num_events or 0):
                    yield Finding(
                        "AE-AT-RISK",
                        Severity.ERROR,
                        f"adverseEventsModule.{kind}[{e}].stats",
                        f"{event.term}: {stat.num_affected} affected, {stat.num_events} events, "
                        f"{stat.num_at_risk} at risk",
                    )


def _more_info(section: ResultsSection) -> Iterator[Finding]:
    info = section.more_info_module
    if info is None or info.point_of_contact is None:
        yield Finding(
            "POINT-OF-CONTACT",
            Severity.TODO,
            "moreInfoModule.pointOfContact",
            "the registration names no central contact: write the results point of contact",
        )
    yield Finding(
        "LIMITATIONS",
        Severity.TODO,
        "moreInfoModule.limitationsAndCaveats",
        "drafted from the data only: write the trial's limitations and caveats",
    )
    yield Finding(
        "CERTAIN-AGREEMENT",
        Severity.TODO,
        "moreInfoModule.certainAgreement",
        "state whether the PIs are sponsor employees and any restriction on disclosure",
    )
    yield Finding(
        "RECRUITMENT",
        Severity.TODO,
        "participantFlowModule.recruitmentDetails",
        "write the recruitment period and locations",
    )


def _regions(section: ResultsSection) -> Iterator[Finding]:
    """Region of Enrollment rows must be PRS country names (RRSUploadSchema.xsd, MeasureRow)."""
    module = section.baseline_characteristics_module
    for i, measure in enumerate(module.measures if module else ()):
        if measure.title != "Region of Enrollment":
            continue
        for j, klass in enumerate(measure.classes):
            title = klass.title or ""
            if title != "Not reported" and country_code(title) is None:
                yield Finding(
                    "REGION-NAME",
                    Severity.ERROR,
                    f"baselineCharacteristicsModule.measures[{i}].classes[{j}].title",
                    f"{title!r} is not a country name oncotrial knows: write the PRS country name",
                )


def check_results(
    section: ResultsSection,
    protocol: Protocol,
    missing: Mapping[int, str],
    no_safety: str | None = None,
) -> tuple[Finding, ...]:
    """Every finding, errors first."""
    found = [
        *_flow(section),
        *_regions(section),
        *_outcomes(section, protocol, missing),
        *_adverse(section, no_safety),
        *_more_info(section),
    ]
    return tuple(sorted(found, key=lambda f: f.severity != Severity.ERROR))
