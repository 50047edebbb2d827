"""`sap check` finds what a reviewer must see; `sap accept` records acceptance immutably.

Each conflict rule is made to fire by changing one thing in a seed plan that checks clean.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import pytest

from oncotrial.errors import ValueProblem
from oncotrial.formats.plan_files import find_plan, load_plan_yaml
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.plan.check import CHECKS, FindingKind, check_plan
from oncotrial.plan.model import AnalysisPlan, EndpointPlan, TimeFrameUse, WindowStart
from oncotrial.plan.provenance import Assumed, FromRegistry, Sourced
from oncotrial.plan.review import accept, find, pending
from oncotrial.protocol.model import Protocol

WHEN = datetime(2025, 11, 3, 9, 30, tzinfo=UTC)


@cache
def seed(trial: str) -> tuple[AnalysisPlan, Protocol]:
    return find_plan(trial).plan, find_protocol(trial)


def _with_endpoint(plan: AnalysisPlan, endpoint_id: str, **update: object) -> AnalysisPlan:
    endpoints = tuple(
        e.model_copy(update=update) if e.id == endpoint_id else e for e in plan.endpoints
    )
    return plan.model_copy(update={"endpoints": endpoints})


def _conflicts(plan: AnalysisPlan, protocol: Protocol) -> list[tuple[str, str | None]]:
    return [(f.path, f.rule) for f in check_plan(plan, protocol).of(FindingKind.CONFLICT)]


def test_every_check_is_declared_with_a_source() -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS) >= 6
    for check in CHECKS:
        assert check.description and check.source


def test_reviewer_wording_labelled_registry_text_is_a_conflict() -> None:
    plan, protocol = seed("002")
    orr = plan.endpoint("ORR")
    # the report used to quote the reviewer's paraphrase as "registration text, primary outcome 1"
    fake = Sourced[str](
        value=orr.definition.value,
        source=FromRegistry(quote=orr.definition.value, where="primary outcome 1"),
    )
    changed = _with_endpoint(plan, "ORR", definition=fake)
    assert _conflicts(changed, protocol) == [("endpoints.ORR.definition", "registry-quote")]


def test_a_time_zero_other_than_the_registered_one_needs_a_departure() -> None:
    plan, protocol = seed("003")
    changed = _with_endpoint(plan, "OS", departures=())
    assert _conflicts(changed, protocol) == [("endpoints.OS.time_zero", "time-zero")]


def test_004_time_frame_that_says_randomization_needs_a_departure() -> None:
    plan, protocol = seed("004")
    changed = _with_endpoint(plan, "PFS", departures=())
    assert _conflicts(changed, protocol) == [("endpoints.PFS.time_zero", "time-zero")]


def test_a_registered_time_frame_must_be_used() -> None:
    plan, protocol = seed("004")
    pfs = plan.endpoint("PFS")
    assert pfs.time_frame_use is not None
    not_applied = pfs.time_frame_use.model_copy(update={"value": TimeFrameUse.NOT_APPLIED})
    changed = _with_endpoint(plan, "PFS", time_frame_use=not_applied)
    assert _conflicts(changed, protocol) == [("endpoints.PFS.time_frame_use", "time-frame")]
    changed = _with_endpoint(plan, "OS", time_frame=None, time_frame_use=None)
    assert _conflicts(changed, protocol) == [("endpoints.OS.time_frame", "time-frame")]


def test_an_evaluable_wording_with_another_denominator_is_a_conflict() -> None:
    plan, protocol = seed("000")
    orr = plan.endpoint("ORR")
    assert orr.denominator is not None
    changed = _with_endpoint(plan, "DCR", denominator=orr.denominator)
    assert _conflicts(changed, protocol) == [("endpoints.DCR.denominator", "denominator")]


def test_a_registered_outcome_left_out_is_a_conflict() -> None:
    plan, protocol = seed("000")
    changed = plan.model_copy(
        update={"endpoints": tuple(e for e in plan.endpoints if e.id != "PDL1-ORR")}
    )
    conflicts = check_plan(changed, protocol).of(FindingKind.CONFLICT)
    assert [f.rule for f in conflicts] == ["registered-outcome"]
    assert "Correlation analysis of PD-L1" in conflicts[0].message


def test_a_window_from_the_first_dose_leaves_out_the_procedure() -> None:
    plan, protocol = seed("002")
    start = plan.safety.window_start.model_copy(update={"value": WindowStart.FIRST_DOSE})
    changed = plan.model_copy(
        update={"safety": plan.safety.model_copy(update={"window_start": start})}
    )
    conflicts = check_plan(changed, protocol).of(FindingKind.CONFLICT)
    assert [(f.path, f.rule) for f in conflicts] == [("safety.window_start", "safety-window")]
    assert "CT-guided Cryoablation" in conflicts[0].message


def test_plan_and_protocol_settings_that_disagree_are_listed() -> None:
    plan, protocol = seed("000")
    found = check_plan(plan, protocol).of(FindingKind.PROTOCOL)
    # the protocol still says randomization for this single-group trial; the plan says why not
    assert [(f.path, f.rule) for f in found] == [("time_zero", "protocol-settings")]


def test_accept_makes_a_new_version_and_leaves_the_old_one() -> None:
    plan, protocol = seed("002")
    paths = ["endpoints.ORR.hypothesis.null", "safety.window_start"]
    reviewed = accept(plan, paths, by="J. Xi", at=WHEN, note="SAP v1.0")
    assert (plan.version, reviewed.version) == (1, 2)
    assert len(pending(reviewed)) == len(pending(plan)) - 2
    for path in paths:
        source = find(reviewed, path).source
        assert isinstance(source, Assumed) and source.accepted is not None
        assert (source.accepted.by, source.accepted.at) == ("J. Xi", WHEN)
        before = find(plan, path).source
        assert isinstance(before, Assumed) and before.accepted is None  # immutable
    assert reviewed.reviews[-1].accepted == tuple(paths)
    assert reviewed.reviews[-1].at == WHEN
    open_paths = {f.path for f in check_plan(reviewed, protocol).of(FindingKind.ASSUMPTION)}
    assert not open_paths & set(paths)


def test_accept_a_departure_and_round_trip_through_yaml() -> None:
    from oncotrial.formats.plan_files import dump_plan_yaml

    plan, _ = seed("003")
    reviewed = accept(plan, ["endpoints.OS.departures.time-zero"], by="statistician", at=WHEN)
    again = load_plan_yaml(dump_plan_yaml(reviewed), "memory")
    assert again == reviewed


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("endpoints.OS.definition", "not an assumption"),
        ("endpoints.OS.nothing", "no value"),
        ("endpoints.XYZ.time_zero", "no value"),
    ],
)
def test_accept_refuses_what_it_cannot_accept(path: str, words: str) -> None:
    plan, _ = seed("003")
    with pytest.raises(ValueProblem, match=words):
        accept(plan, [path], by="x", at=WHEN)


def test_accept_twice_is_refused() -> None:
    plan, _ = seed("003")
    once = accept(plan, ["assessment_interval_days"], by="a", at=WHEN)
    with pytest.raises(ValueProblem, match="already accepted by a"):
        accept(once, ["assessment_interval_days"], by="b", at=WHEN)


def test_a_bad_plan_file_names_file_and_field() -> None:
    plan, _ = seed("000")
    from oncotrial.formats.plan_files import dump_plan_yaml

    text = dump_plan_yaml(plan).replace("value: enrollment", "value: tomorrow", 1)
    with pytest.raises(ValueProblem) as caught:
        load_plan_yaml(text, "plans/000.yaml")
    assert caught.value.file == "plans/000.yaml"
    assert caught.value.field == "time_zero.value"
    assert caught.value.record == "000"


def test_duplicate_endpoint_ids_are_refused() -> None:
    plan, _ = seed("000")
    data = plan.model_dump()
    data["endpoints"] = (*data["endpoints"], data["endpoints"][0])
    with pytest.raises(ValueError, match="PFS repeat"):
        AnalysisPlan.model_validate(data)


def test_endpoint_plan_is_immutable() -> None:
    plan, _ = seed("000")
    endpoint: EndpointPlan = plan.endpoints[0]
    with pytest.raises(ValueError, match="frozen"):
        endpoint.id = "X"  # type: ignore[misc]


def test_unknown_censoring_variant_is_a_conflict() -> None:
    plan, protocol = seed("000")
    pfs = plan.endpoint("PFS")
    first = pfs.sensitivity[0]
    wrong = first.model_copy(
        update={"value": first.value.model_copy(update={"variant": "fda1999"})}
    )
    changed = _with_endpoint(plan, "PFS", sensitivity=(wrong, *pfs.sensitivity[1:]))
    assert _conflicts(changed, protocol) == [
        (f"endpoints.PFS.sensitivity.{first.value.id}", "declared-rules")
    ]
