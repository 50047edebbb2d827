"""The results section as PRS results upload XML (ClinicalTrials.gov ``RRSUploadSchema.xsd``).

The Protocol Registration System accepts results as one ``<tns:result>`` document whose element
names and order are fixed by its schema (shipped in ``schema/``, source in ``schema/SOURCE.md``);
they differ from the API v2 names (``reportedEvents`` for ``adverseEventsModule``,
``measureRows`` for ``classes``, …), so this writer maps each module field by field, in the
schema's element order (every ``xs:sequence`` there is alphabetical).

Two rules of the schema shape the mapping:

- group ids are ``xs:ID`` and must be unique in the document: the API repeats ``OG000`` in every
  outcome measure, so outcome groups are written ``OG000-M1`` (measure 1), …;
- NOT COMPLETED is not uploaded: the PRS computes it from STARTED and COMPLETED; other milestones
  go to ``milestones`` with their title in ``titleOther``.

Picklist fields are typed as plain strings by the schema (its comments name the picklists): the
values written are the PRS display labels of the API enumerations (``COUNT_OF_PARTICIPANTS`` →
"Count of Participants", ``PRIMARY`` → "Primary"), see docs/results.md.
"""

from __future__ import annotations

from importlib import resources
from xml.etree import ElementTree as ET

from oncotrial.results.common import MILESTONE_COMPLETED, MILESTONE_NOT_COMPLETED, MILESTONE_STARTED
from oncotrial.results.model import (
    Achievement,
    AdverseEvent,
    AdverseEventsModule,
    Analysis,
    BaselineCharacteristicsModule,
    BaselineMeasure,
    Denom,
    Group,
    MeasureClass,
    MoreInfoModule,
    OutcomeMeasure,
    ParticipantFlowModule,
    Period,
    ResultsSection,
)

__all__ = ["NAMESPACE", "prs_label", "prs_xml", "schema_text"]

NAMESPACE = "http://clinicaltrials.gov/rrs"

# API v2 enumerations whose PRS label is not the plain title case of the enum name.
_LABELS = {
    "OTHER_PRE_SPECIFIED": "Other Pre-specified",
    "POST_HOC": "Post-Hoc",
    "NON_SYSTEMATIC_ASSESSMENT": "Non-Systematic Assessment",
    "NON_INFERIORITY": "Non-Inferiority",
    "NON_INFERIORITY_OR_EQUIVALENCE": "Non-Inferiority or Equivalence",
    "TWO_SIDED": "2-Sided",
    "ONE_SIDED": "1-Sided",
}
_LOWER = {"of", "or", "and"}


def prs_label(value: str | None) -> str | None:
    """The PRS picklist label of an API v2 enumeration value (text that is no enum is kept)."""
    if value is None or value != value.upper() or " " in value or "%" in value:
        return value
    if value in _LABELS:
        return _LABELS[value]
    words = value.lower().split("_")
    return " ".join(w if i and w in _LOWER else w.capitalize() for i, w in enumerate(words))


def schema_text() -> bytes:
    """The shipped RRSUploadSchema.xsd."""
    return (resources.files("oncotrial.results") / "schema" / "RRSUploadSchema.xsd").read_bytes()


def _text(parent: ET.Element, tag: str, value: object, *, required: bool = False) -> None:
    if value is None and not required:
        return
    element = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        element.text = "Yes" if value else "No"
    elif value is not None:
        element.text = str(value)


def _denom_count(denoms: tuple[Denom, ...], group_id: str) -> str | None:
    for denom in denoms:
        if denom.units.lower() == "participants":
            for count in denom.counts:
                if count.group_id == group_id:
                    return count.value
    return None


def _reporting_group(
    parent: ET.Element, tag: str, group: Group, ident: str, analysed: str | None
) -> None:
    element = ET.SubElement(parent, tag, id=ident)
    _text(element, "description", group.description)
    _text(element, "subjectsAnalyzed", analysed)
    _text(element, "title", group.title)


def _measure_rows(
    parent: ET.Element, classes: tuple[MeasureClass, ...], ids: dict[str, str]
) -> None:
    rows = ET.SubElement(parent, "measureRows")
    for klass in classes:
        row = ET.SubElement(rows, "measureRow")
        values = ET.SubElement(row, "reportedValues")
        group_ids = list(
            dict.fromkeys(m.group_id for c in klass.categories for m in c.measurements)
        )
        for group_id in group_ids:
            value = ET.SubElement(values, "reportedValue")
            _text(value, "reportingGroupId", ids[group_id])
            entries = ET.SubElement(value, "reportedEntries")
            for category in klass.categories:
                for m in category.measurements:
                    if m.group_id != group_id:
                        continue
                    entry = ET.SubElement(entries, "reportedEntry")
                    _text(entry, "catName", category.title)
                    _text(entry, "dispersionLowerLimit", m.lower_limit)
                    _text(entry, "dispersionSpread", m.spread)
                    _text(entry, "dispersionUpperLimit", m.upper_limit)
                    _text(entry, "naComment", m.comment)
                    _text(entry, "parameterValue", m.value)
            _text(value, "subjectsAnalyzed", _denom_count(klass.denoms, group_id))
        _text(row, "title", klass.title)


def _measure_head(
    element: ET.Element,
    measure: BaselineMeasure | OutcomeMeasure,
    classes_ids: dict[str, str],
    time_frame: str | None,
) -> None:
    # Measure's own sequence (schema type Measure), alphabetical.
    _text(element, "dispersionType", prs_label(measure.dispersion_type))
    _measure_rows(element, measure.classes, classes_ids)
    _text(element, "measureDescription", measure.description)
    _text(element, "parameterType", prs_label(measure.param_type))
    _text(element, "populationAnalysisDescription", measure.population_description)
    _text(element, "timeFrame", time_frame)
    _text(element, "title", measure.title)
    _text(element, "unitOfMeasure", measure.unit_of_measure)


def _baseline(parent: ET.Element, module: BaselineCharacteristicsModule) -> None:
    element = ET.SubElement(parent, "baseline")
    groups = list(module.groups)
    total = groups.pop() if len(groups) > 1 and groups[-1].title == "Total" else None
    ids = {g.id: g.id for g in module.groups}
    measures = ET.SubElement(element, "baselineMeasures")
    for measure in module.measures:
        _measure_head(ET.SubElement(measures, "baselineMeasure"), measure, ids, None)
    reporting = ET.SubElement(element, "baselineReportingGroups")
    for group in groups:
        analysed = _denom_count(module.denoms, group.id)
        _reporting_group(reporting, "baselineReportingGroup", group, group.id, analysed)
    _text(element, "populationAnalysisDescription", module.population_description)
    if total is not None:
        analysed = _denom_count(module.denoms, total.id)
        _reporting_group(element, "totalBaselineReportingGroup", total, total.id, analysed)


def _analysis(parent: ET.Element, analysis: Analysis, ids: dict[str, str]) -> None:
    element = ET.SubElement(parent, "measureAnalysis")
    compared = ET.SubElement(element, "outcomeReportingGroups")
    for group_id in analysis.group_ids:
        _text(compared, "outcomeReportingGroupId", ids[group_id])
    _text(element, "ciLowerLimit", analysis.ci_lower_limit)
    _text(element, "ciNumSides", prs_label(analysis.ci_num_sides))
    _text(element, "ciPctValue", analysis.ci_pct_value)
    _text(element, "ciUpperLimit", analysis.ci_upper_limit)
    _text(element, "dispersionType", prs_label(analysis.dispersion_type))
    _text(element, "dispersionValue", analysis.dispersion_value)
    _text(element, "estimateComment", analysis.estimate_comment)
    _text(element, "groupDescription", analysis.group_description)
    # A test without an estimated parameter (the PD-L1 association): the schema requires the
    # element; it is left empty for the team to choose, never guessed.
    _text(element, "parameterType", analysis.param_type, required=True)
    _text(element, "parameterValue", analysis.param_value)
    _text(element, "pValue", analysis.p_value)
    _text(element, "statisticalMethod", analysis.statistical_method)
    _text(element, "statisticalTestType", prs_label(analysis.non_inferiority_type))


def _outcome(parent: ET.Element, measure: OutcomeMeasure, number: int) -> None:
    element = ET.SubElement(parent, "outcomeMeasure")
    ids = {g.id: f"{g.id}-M{number}" for g in measure.groups}
    _measure_head(element, measure, ids, measure.time_frame)
    _text(element, "measureType", prs_label(measure.type), required=True)
    analyses = ET.SubElement(element, "outcomeMeasureAnalyses")
    for analysis in measure.analyses:
        _analysis(analyses, analysis, ids)
    groups = ET.SubElement(element, "outcomeReportingGroups")
    for group in measure.groups:
        analysed = _denom_count(measure.denoms, group.id)
        _reporting_group(groups, "outcomeReportingGroup", group, ids[group.id], analysed)


def _milestone(parent: ET.Element, tag: str, achievements: tuple[Achievement, ...]) -> ET.Element:
    element = ET.SubElement(parent, tag)
    done = ET.SubElement(element, "milestoneAchievements")
    for a in achievements:
        item = ET.SubElement(done, "milestoneAchievement")
        _text(item, "reportingGroupId", a.group_id)
        _text(item, "comment", a.comment)
        _text(item, "subjectsAchieve", a.num_subjects)
    return element


def _period(parent: ET.Element, period: Period) -> None:
    element = ET.SubElement(parent, "period")
    by_type = {m.type: m for m in period.milestones}
    _milestone(element, "completedMilestone", by_type[MILESTONE_COMPLETED].achievements)
    reasons = ET.SubElement(element, "dropWithdrawReasons")
    for reason in period.drop_withdraws:
        item = ET.SubElement(reasons, "dropWithdrawReason")
        details = ET.SubElement(item, "dropWithdrawReasonDetails")
        for r in reason.reasons:
            detail = ET.SubElement(details, "reasonDetail")
            _text(detail, "reportingGroupId", r.group_id)
            _text(detail, "subjectsAffected", r.num_subjects)
        # The reasons are worded from the data (the report's wording), not the PRS picklist:
        # each is written as reason type Other with its own name, for the team to re-type.
        _text(item, "otherReasonName", reason.type)
        _text(item, "reasonType", "Other")
    others = ET.SubElement(element, "milestones")
    for milestone in period.milestones:
        if milestone.type not in (MILESTONE_STARTED, MILESTONE_COMPLETED, MILESTONE_NOT_COMPLETED):
            misc = _milestone(others, "milestone", milestone.achievements)
            _text(misc, "titleOther", milestone.type)
    _milestone(element, "startedMilestone", by_type[MILESTONE_STARTED].achievements)
    _text(element, "title", period.title)


def _flow(parent: ET.Element, module: ParticipantFlowModule) -> None:
    element = ET.SubElement(parent, "participantFlow")
    groups = ET.SubElement(element, "participantFlowGroups")
    for group in module.groups:
        item = ET.SubElement(groups, "flowGroup", id=group.id)
        _text(item, "description", group.description)
        _text(item, "title", group.title)
    periods = ET.SubElement(element, "periods")
    for period in module.periods:
        _period(periods, period)
    _text(element, "preAssignmentDescription", module.pre_assignment_details)
    _text(element, "recruitmentDetails", module.recruitment_details)


def _event(parent: ET.Element, tag: str, event: AdverseEvent) -> None:
    element = ET.SubElement(parent, tag)
    stats = ET.SubElement(element, "adverseEventStats")
    for s in event.stats:
        item = ET.SubElement(stats, "eventStats")
        _text(item, "reportingGroupId", s.group_id)
        _text(item, "numEvents", s.num_events)
        _text(item, "numSubjectsAffected", s.num_affected)
        _text(item, "numSubjects", s.num_at_risk)
    _text(element, "assessmentType", prs_label(event.assessment_type))
    _text(element, "notes", event.notes)
    _text(element, "organSystemName", event.organ_system)
    _text(element, "sourceVocabulary", event.source_vocabulary)
    _text(element, "term", event.term)


def _events(parent: ET.Element, module: AdverseEventsModule) -> None:
    element = ET.SubElement(parent, "reportedEvents")
    _text(element, "frequencyReportingThreshold", module.frequency_threshold)
    frequent = ET.SubElement(element, "frequentAdverseEvents")
    for event in module.other_events:
        _event(frequent, "frequentEvent", event)
    groups = ET.SubElement(element, "interventionGroups")
    for g in module.event_groups:
        item = ET.SubElement(groups, "interventionGroup", id=g.id)
        _text(item, "description", g.description)
        _text(item, "numDeaths", g.deaths_num_affected)
        _text(item, "numSubjectsFrequentEvents", g.other_num_affected)
        _text(item, "numSubjectsSeriousEvents", g.serious_num_affected)
        _text(item, "partAtRiskAllCauseMort", g.deaths_num_at_risk)
        _text(item, "partAtRiskFrequentEvents", g.other_num_at_risk)
        _text(item, "partAtRiskSeriousEvents", g.serious_num_at_risk)
        _text(item, "title", g.title)
    _text(element, "notes", module.description)
    serious = ET.SubElement(element, "seriousAdverseEvents")
    for event in module.serious_events:
        _event(serious, "seriousEvent", event)
    _text(element, "timeFrame", module.time_frame)


def _more_info_head(parent: ET.Element, module: MoreInfoModule | None) -> None:
    agreement = module.certain_agreement if module else None
    if agreement is not None:
        element = ET.SubElement(parent, "certainAgreement")
        _text(element, "otherDetails", agreement.other_details)
        _text(element, "piSponsorEmployee", agreement.pi_sponsor_employee)
        _text(element, "restrictionType", prs_label(agreement.restriction_type))
        _text(element, "restrictiveAgreement", agreement.restrictive_agreement)
    limits = module.limitations_and_caveats if module else None
    if limits is not None:
        _text(ET.SubElement(parent, "limitationsAndCaveats"), "description", limits.description)


def _contact(parent: ET.Element, module: MoreInfoModule | None) -> None:
    contact = module.point_of_contact if module else None
    if contact is None:
        return
    element = ET.SubElement(parent, "pointOfContact")
    _text(element, "email", contact.email)
    _text(element, "organizationName", contact.organization)
    _text(element, "phoneExtension", contact.phone_ext)
    _text(element, "phoneNumber", contact.phone)
    _text(element, "title", contact.title)


def prs_xml(section: ResultsSection, *, note: str | None = None) -> str:
    """``section`` as a PRS results upload document (a partial upload of the subsets written)."""
    ET.register_namespace("tns", NAMESPACE)
    # A partial upload replaces only the subsets present: what the team already typed in the PRS
    # for a subset oncotrial does not write (certain agreement, …) is kept (schema's WARNING).
    root = ET.Element(f"{{{NAMESPACE}}}result", partialUpload="true")
    if section.baseline_characteristics_module is not None:
        _baseline(root, section.baseline_characteristics_module)
    _more_info_head(root, section.more_info_module)
    outcomes = ET.SubElement(root, "outcomeMeasures")
    if section.outcome_measures_module is not None:
        for number, measure in enumerate(section.outcome_measures_module.outcome_measures, 1):
            _outcome(outcomes, measure, number)
    if section.participant_flow_module is not None:
        _flow(root, section.participant_flow_module)
    _contact(root, section.more_info_module)
    if section.adverse_events_module is not None:
        _events(root, section.adverse_events_module)
    ET.indent(root)
    # The schema allows no attribute for the trial or draft status: they go in a comment.
    head = f"<!-- {note.replace('--', '- -')} -->\n" if note else ""
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + head + body + "\n"
