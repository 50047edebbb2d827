"""The checks before posting find what the PRS would flag: each rule on a section broken on
purpose (from a demo trial's clean section), with the field named."""

from __future__ import annotations

from dataclasses import replace

from oncotrial.results import Severity, check_results
from oncotrial.results.model import Achievement, Analysis, DenomCount, Measurement


def _errors(section, protocol, missing=None):  # type: ignore[no-untyped-def]
    found = check_results(section, protocol, missing or {})
    return {(f.rule, f.field) for f in found if f.severity is Severity.ERROR}


def test_a_clean_section_has_no_errors(demo_trials) -> None:
    demo = demo_trials["001"]
    assert _errors(demo.made.section, demo.results.protocol) == set()


def test_flow_that_does_not_add_up(demo_trials) -> None:
    demo = demo_trials["001"]
    flow = demo.made.section.participant_flow_module
    period = flow.periods[0]
    completed = period.milestones[1]
    wrong = replace(
        completed,
        achievements=(
            Achievement(completed.achievements[0].group_id, "99"),
            *completed.achievements[1:],
        ),
    )
    broken = replace(
        flow,
        periods=(replace(period, milestones=(period.milestones[0], wrong, period.milestones[2])),),
    )
    section = replace(demo.made.section, participant_flow_module=broken)
    assert ("FLOW-SUM", "participantFlowModule.periods[0].milestones") in _errors(
        section, demo.results.protocol
    )


def test_denominator_above_started_na_without_comment_and_unnamed_groups(demo_trials) -> None:
    demo = demo_trials["001"]
    module = demo.made.section.outcome_measures_module
    measure = module.outcome_measures[0]
    denom = measure.denoms[0]
    big = replace(denom, counts=(DenomCount(denom.counts[0].group_id, "1000"), *denom.counts[1:]))
    klass = measure.classes[0]
    category = klass.categories[0]
    na = replace(
        category,
        measurements=(
            Measurement(category.measurements[0].group_id, "NA"),
            *category.measurements[1:],
        ),
    )
    broken = replace(
        measure,
        denoms=(big,),
        classes=(replace(klass, categories=(na,)),),
        analyses=(Analysis(group_ids=("OG999",)),),
        unit_of_measure=None,
    )
    section = replace(
        demo.made.section,
        outcome_measures_module=replace(
            module, outcome_measures=(broken, *module.outcome_measures[1:])
        ),
    )
    errors = _errors(section, demo.results.protocol)
    path = "outcomeMeasuresModule.outcomeMeasures[0]"
    assert ("DENOM-STARTED", f"{path}.denoms") in errors
    assert ("UNITS-TIME", f"{path}.classes[0].categories[0].measurements[0].comment") in errors
    assert ("UNITS-TIME", f"{path}.classes[0].categories[0].measurements[0]") in errors  # CI
    assert ("ANALYSIS-GROUPS", f"{path}.analyses[0].groupIds") in errors
    assert ("UNITS-TIME", f"{path}.unitOfMeasure") in errors


def test_threshold_above_five_percent_and_a_missing_outcome(demo_trials) -> None:
    demo = demo_trials["002"]
    section = demo.made.section
    ae = replace(section.adverse_events_module, frequency_threshold="10")
    module = section.outcome_measures_module
    fewer = replace(module, outcome_measures=module.outcome_measures[1:])
    errors = _errors(
        replace(section, adverse_events_module=ae, outcome_measures_module=fewer),
        demo.results.protocol,
    )
    assert ("AE-THRESHOLD", "adverseEventsModule.frequencyThreshold") in errors
    assert ("OUTCOME-PRESENT", "outcomeMeasuresModule.outcomeMeasures") in errors
    # With the analysis's reason, a left-out outcome is an item to write, not an error.
    explained = check_results(
        replace(section, outcome_measures_module=fewer), demo.results.protocol, {1: "no data"}
    )
    (item,) = [f for f in explained if f.rule == "OUTCOME-PRESENT"]
    assert item.severity is Severity.TODO and "no data" in item.message


def test_no_safety_outcome_but_ae_data_is_listed_with_its_reason(demo_trials) -> None:
    # 003 without its plan's safety analysis (as with no analysis plan): AE data exist, so the
    # finding says why the module the PRS requires is missing.
    from dataclasses import replace

    from oncotrial.results import build_results

    made = build_results(replace(demo_trials["003"].results, safety=None))
    assert made.section.adverse_events_module is None
    (finding,) = [f for f in made.findings if f.field == "adverseEventsModule"]
    assert "adverse-event data exist" in finding.message and "oncotrial sap" in finding.message


def test_region_of_enrollment_uses_country_names(demo_trials) -> None:
    from dataclasses import replace

    from oncotrial.catalogue.countries import COUNTRY_NAMES
    from oncotrial.results.check import check_results
    from oncotrial.results.model import MeasureClass

    seen = set()
    for demo in demo_trials.values():
        module = demo.made.section.baseline_characteristics_module
        (region,) = [m for m in module.measures if m.title == "Region of Enrollment"]
        titles = {c.title for c in region.classes}
        assert titles <= set(COUNTRY_NAMES.values()) | {"Not reported"}
        seen |= titles
        assert not any(f.rule == "REGION-NAME" for f in demo.made.findings)
    assert "China" in seen
    # A code the table does not name stays as recorded and is an error to fix.
    demo = demo_trials["002"]
    module = demo.made.section.baseline_characteristics_module
    i = [m.title for m in module.measures].index("Region of Enrollment")
    bad = replace(module.measures[i], classes=(MeasureClass(title="XKX"),))
    measures = (*module.measures[:i], bad, *module.measures[i + 1 :])
    section = replace(
        demo.made.section, baseline_characteristics_module=replace(module, measures=measures)
    )
    findings = check_results(section, demo.results.protocol, {})
    assert [f.field for f in findings if f.rule == "REGION-NAME"] == [
        f"baselineCharacteristicsModule.measures[{i}].classes[0].title"
    ]


def test_country_table_reads_both_ways() -> None:
    from oncotrial.catalogue.countries import COUNTRY_NAMES, country_code, country_name

    assert country_name("usa") == "United States" and country_code("Korea, Republic of") == "KOR"
    assert all(country_code(name) == code for code, name in COUNTRY_NAMES.items())
    assert country_name("XKX") is None


def test_location_aliases_are_read_but_never_accepted_as_a_prs_row_title() -> None:
    from oncotrial.catalogue.countries import country_code, location_country_code

    # a registry location may say "South Korea"; a results table's row must say the PRS name
    assert (
        location_country_code("South Korea") == "KOR" == location_country_code("Korea, Republic of")
    )
    assert country_code("South Korea") is None
    assert location_country_code("Atlantis") is None
