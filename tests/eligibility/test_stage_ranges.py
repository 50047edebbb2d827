"""Stage ranges and what a diagnosis item reads (issue 12: never a wrong exclusion).

"Histologically confirmed stage IIIB-IV NSCLC" was read as *stage IIIB* and marked computable:
the range was cut at its hyphen and the diagnosis rule took every word between "confirmed" and
"NSCLC" as read, so every stage IV patient was excluded. Now a range is the AJCC groups from its
first to its last end (oncotrial.catalogue.staging.STAGE_ORDER), the diagnosis reads only the
confirmation and the cancer's name, and a stage recorded more coarsely than the rule's groups
("III" against "IIIB or IV") is unknown, never "not met". Per patient and vectorised alike.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.catalogue.staging import STAGE_ORDER
from oncotrial.eligibility.criteria import Criterion
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import StageRule, describe_rule

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)


def _read(text: str) -> Criterion:
    return read_item(text, "inclusion")


def _groups(criterion: Criterion) -> tuple[str, ...]:
    (stage,) = [r for r in criterion.rules if isinstance(r, StageRule)]
    return stage.groups


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        ("Histologically confirmed stage IIIB-IV NSCLC", ("IIIB", "IIIC", "IV")),
        ("Stage IIIB to IV non-small cell lung cancer", ("IIIB", "IIIC", "IV")),
        ("Stage IIIB–IV NSCLC", ("IIIB", "IIIC", "IV")),
        # II is whole within IB–IIIA; III is not (IIIB and IIIC are outside)
        ("Stage IB-IIIA (AJCC 8th edition) NSCLC", ("IB", "II", "IIIA")),
        ("Stage III-IV NSCLC", ("III", "IV")),
        ("Stage IIIA through IIIC NSCLC", ("IIIA", "IIIB", "IIIC")),
        ("Stage IIIB, IIIC or IV NSCLC", ("IIIB", "IIIC", "IV")),
        ("Stage IV NSCLC", ("IV",)),
    ],
)
def test_stage_lists_and_ranges(text: str, groups: tuple[str, ...]) -> None:
    criterion = _read(text)
    assert _groups(criterion) == groups
    assert criterion.unread == () and is_computable(criterion.rules, criterion.unread)


def test_the_cancer_after_its_stage_is_the_diagnosis() -> None:
    criterion = _read("Stage IV NSCLC")
    assert [describe_rule(r) for r in criterion.rules] == [
        "stage IV",
        "diagnosis of Non-small cell lung cancer",
    ]


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("Histologically confirmed EGFR-mutant NSCLC", "EGFR-mutant"),
        ("Histologically confirmed small cell or NSCLC", "small cell or"),
    ],
)
def test_words_between_the_confirmation_and_the_cancer_are_quoted(text: str, unread: str) -> None:
    criterion = _read(text)
    assert unread in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


def _stage_status(text: str, stage: str) -> Status:
    criterion = _read(text)
    stage_only = tuple(r for r in criterion.rules if isinstance(r, StageRule))
    patient = Patient.model_validate({"id": "P", "diagnosis": {"concept": "nsclc", "stage": stage}})
    return item_status(criterion.model_copy(update={"rules": stage_only}), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("IVA", Status.MET),
        ("IV", Status.MET),
        ("IIIC", Status.MET),
        ("IIIA", Status.NOT_MET),
        ("III", Status.UNKNOWN),  # IIIA or IIIB/IIIC: not said
        ("II", Status.NOT_MET),
    ],
)
def test_a_coarser_stage_is_unknown(stage: str, status: Status) -> None:
    assert _stage_status("Stage IIIB-IV NSCLC", stage) is status


_RULES = tuple(
    StageRule(kind="stage", id=f"E{i}-1", description="stage", groups=groups)
    for i, groups in enumerate(
        (("IIIB", "IIIC", "IV"), ("IB", "II", "IIIA"), ("IA",), ("IVA",), ("III", "IV")), start=1
    )
)


@settings(max_examples=100, deadline=None)
@given(stages=st.lists(st.none() | st.sampled_from(STAGE_ORDER), min_size=1, max_size=6))
def test_per_patient_and_vectorised_agree(stages: list[str | None]) -> None:
    patients = [
        Patient.model_validate(
            {"id": f"P{i}", "diagnosis": None if s is None else {"concept": "nsclc", "stage": s}}
        )
        for i, s in enumerate(stages)
    ]
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)
