"""The reviewed analysis plans of the five seed trials, read against their registrations.

Each fact asserted here is one the issue found missing or wrong in the reports (issue 14): the
time zero that changes without a word, the time frames that are not applied, reviewer wording
labelled as registration text, the safety window that leaves out a procedure, the single-arm
primary without a null rate. Derived values are recomputed from their rule.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from scipy import stats

from oncotrial.formats.plan_files import bundled_plan_names, dump_plan_yaml, find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.plan.check import FindingKind, check_plan
from oncotrial.plan.model import (
    AnalysisPlan,
    Population,
    SimonTwoStageDesign,
    SingleStageDesign,
    TimeFrameUse,
    WindowStart,
)
from oncotrial.plan.provenance import Assumed, FromRegistry
from oncotrial.plan.review import pending, sourced_values
from oncotrial.protocol.endpoints import Origin
from oncotrial.protocol.model import Protocol
from oncotrial.protocol.vocabulary import InterventionType
from oncotrial.stats.proportions import exact_binomial_test
from oncotrial.stats.simon import simon_designs

SEEDS = ("000", "001", "002", "003", "004")


@cache
def plan(trial: str) -> AnalysisPlan:
    return find_plan(trial).plan


@cache
def protocol_of(trial: str) -> Protocol:
    return find_protocol(trial)


def test_every_seed_has_a_plan() -> None:
    assert bundled_plan_names() == list(SEEDS)


@pytest.mark.parametrize("trial", SEEDS)
def test_the_yaml_is_in_canonical_form(trial: str) -> None:
    # what `sap accept` writes back reads the same: the stored text is the dump of its plan
    path = Path(__file__).parents[2] / "src" / "oncotrial" / "data" / "plans" / f"{trial}.yaml"
    assert dump_plan_yaml(plan(trial)) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("trial", SEEDS)
def test_no_conflict_is_left_unexplained(trial: str) -> None:
    result = check_plan(plan(trial), protocol_of(trial))
    assert result.of(FindingKind.CONFLICT) == ()
    # every registered outcome is in the plan
    linked = {e.registration for e in plan(trial).endpoints}
    assert set(range(len(protocol_of(trial).endpoints))) <= linked


@pytest.mark.parametrize("trial", SEEDS)
def test_every_value_has_a_source_and_open_ones_are_listed(trial: str) -> None:
    values = list(sourced_values(plan(trial)))
    assert len(values) > 30
    open_paths = {
        f.path for f in check_plan(plan(trial), protocol_of(trial)).of(FindingKind.ASSUMPTION)
    }
    assert open_paths == {path for path, _ in pending(plan(trial))}
    assert open_paths  # a seed review is a proposal: nothing is accepted yet


@pytest.mark.parametrize("trial", SEEDS)
def test_safety_window_opens_at_the_first_intervention_of_any_kind(trial: str) -> None:
    safety = plan(trial).safety
    protocol = protocol_of(trial)
    assert safety.window_start.value is WindowStart.FIRST_INTERVENTION
    roles = {role.name: role for role in safety.interventions}
    assert set(roles) == {i.name for i in protocol.interventions}
    for intervention in protocol.interventions:
        assert roles[intervention.name].opens_window.value is True
        assert roles[intervention.name].attribution.value is True  # relatedness per intervention
    assert any(i.type is not InterventionType.DRUG for i in protocol.interventions) == (
        trial in {"000", "001", "002", "003"}
    )


def test_000_randomization_in_a_single_group_trial_is_a_stated_departure() -> None:
    p = plan("000")
    for endpoint in ("PFS", "OS"):
        e = p.endpoint(endpoint)
        assert e.time_zero is not None and e.time_zero.value is Origin.ENROLLMENT
        departure = next(d for d in e.departures if d.field == "time_zero")
        assert departure.registration == "from the date of randomization"
        assert departure.source.accepted is None
    # the "6 months" frame: a landmark for PFS, an assessment window for ORR and DCR
    assert p.endpoint("PFS").time_frame_use.value is TimeFrameUse.LANDMARK
    assert p.endpoint("ORR").time_frame_use.value is TimeFrameUse.ASSESSMENT_WINDOW
    assert p.endpoint("DCR").time_frame_use.value is TimeFrameUse.ASSESSMENT_WINDOW
    # "after treatment was assessable": evaluable denominator, read from the registration text
    dcr = p.endpoint("DCR")
    assert dcr.denominator is not None
    assert dcr.denominator.value is Population.RESPONSE_EVALUABLE
    assert dcr.denominator.source.quote == "after treatment was assessable"  # type: ignore[union-attr]


@pytest.mark.parametrize("trial", ["001", "002"])
def test_reviewer_wording_is_never_labelled_registration_text(trial: str) -> None:
    # neither registration has an outcome section: no definition may be registry text
    for endpoint in plan(trial).endpoints:
        assert isinstance(endpoint.definition.source, Assumed), endpoint.id


def test_001_imaging_interval_is_an_open_assumption() -> None:
    p = plan("001")
    assert p.assessment_interval_days is not None
    assert p.assessment_interval_days.value == 56
    assert isinstance(p.assessment_interval_days.source, Assumed)
    paths = {f.path for f in check_plan(p, protocol_of("001")).of(FindingKind.ASSUMPTION)}
    assert "assessment_interval_days" in paths
    # local control compared between arms with death as a competing risk
    lc = p.endpoint("LC")
    assert lc.competing_risk is not None and "death" in lc.competing_risk.value
    assert lc.population.value is Population.INTENTION_TO_TREAT


def test_002_primary_has_a_null_rate_and_its_design_is_derivable() -> None:
    hypothesis = plan("002").endpoint("ORR").hypothesis
    assert hypothesis is not None
    design = hypothesis.design.value
    assert isinstance(design, SingleStageDesign)
    p0, alpha = hypothesis.null.value, hypothesis.alpha.value
    critical = next(r for r in range(design.n + 1) if stats.binom.sf(r - 1, design.n, p0) <= alpha)
    assert critical == design.critical == 8
    assert hypothesis.alternative is not None and hypothesis.power is not None
    power = stats.binom.sf(design.critical - 1, design.n, hypothesis.alternative.value)
    assert power == pytest.approx(hypothesis.power.value, abs=5e-4)
    assert design.n == protocol_of("002").enrollment.count  # type: ignore[union-attr]
    # the example: 9/25 responders against 15%, one-sided exact p = 0.008
    assert exact_binomial_test(9, 25, p0, alternative="greater").p_value == pytest.approx(
        0.00797, abs=1e-5
    )


@pytest.mark.parametrize(("trial", "p0", "p1"), [("003", 0.05, 0.20), ("004", 0.10, 0.30)])
def test_simon_designs_are_the_optimal_ones(trial: str, p0: float, p1: float) -> None:
    hypothesis = plan(trial).endpoint("ORR").hypothesis
    assert hypothesis is not None
    assert (hypothesis.null.value, hypothesis.alternative.value) == (p0, p1)  # type: ignore[union-attr]
    design = hypothesis.design.value
    assert isinstance(design, SimonTwoStageDesign)
    optimal = simon_designs(p0, p1, hypothesis.alpha.value, 0.2).optimal
    assert (design.r1, design.n1, design.r, design.n) == (
        optimal.r1,
        optimal.n1,
        optimal.r,
        optimal.n,
    )


def test_003_os_from_randomization_is_a_stated_departure() -> None:
    os_ = plan("003").endpoint("OS")
    assert os_.time_zero is not None and os_.time_zero.value is Origin.FIRST_DOSE
    assert isinstance(os_.definition.source, FromRegistry)
    assert "from randomization" in os_.definition.source.quote
    assert [d.field for d in os_.departures] == ["time_zero"]


def test_004_every_time_frame_is_applied() -> None:
    p = plan("004")
    uses = {e.id: (e.time_frame.value.months, e.time_frame_use.value) for e in p.endpoints}  # type: ignore[union-attr]
    assert uses["ORR"] == (6, TimeFrameUse.ASSESSMENT_WINDOW)
    assert uses["PFS"] == (12, TimeFrameUse.MAXIMUM_FOLLOW_UP)
    assert uses["OS"] == (18, TimeFrameUse.MAXIMUM_FOLLOW_UP)
    assert uses["AE"] == (18, TimeFrameUse.MAXIMUM_FOLLOW_UP)
    # "From date of randomization" in a single-arm trial: a departure on each outcome that says so
    for endpoint in p.endpoints:
        assert any(d.registration == "From date of randomization" for d in endpoint.departures)
