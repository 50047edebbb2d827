"""Events excluded within a window ("myocardial infarction, stroke, or unstable angina within 6
months"): every name of the list is read with the shared window, and words between a name and
its window that no rule carries stay unread, so the item is never decided on the name alone.

Before, "Major surgery or chemotherapy within 4 weeks" read as *major surgery within 4 weeks*
and was marked computable: a patient given chemotherapy two weeks before passed the exclusion
(issue 12: never a silent pass). The texts marked with an NCT number are real items of the round-5
tuning corpus (tests/eligibility/corpus/tuning_round5.json, cited there by repository and commit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import ConditionRule, Window, describe_rule

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)
REGISTRATION = "registration (the screen's as-of date)"
MI_STROKE_UA = (
    "Myocardial infarction, stroke, or unstable angina within 6 months prior to enrollment"
)


_read = read_item


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        (
            # "prior to enrollment": back from registration, the screen's as-of date
            MI_STROKE_UA,
            "exclusion",
            [
                f"(Myocardial infarction with onset within 6 months before {REGISTRATION}) or "
                f"(Stroke (cerebrovascular accident) with onset within 6 months before "
                f"{REGISTRATION}) or (Unstable angina with onset within 6 months before "
                f"{REGISTRATION})"
            ],
        ),
        (  # NCT00392665 E14
            "History of stroke within 6 months",
            "exclusion",
            ["Stroke (cerebrovascular accident) with onset within 6 months before the first dose"],
        ),
        (  # NCT00509587 I1.21
            "No cerebrovascular accident within the last 6 months",
            "inclusion",
            [
                "not (Stroke (cerebrovascular accident) with onset within 6 months before the "
                "first dose)"
            ],
        ),
        (  # NCT00600210 E32
            "History of myocardial infarction or unstable angina within 6 months of study "
            "enrollment",
            "exclusion",
            [
                f"(Myocardial infarction with onset within 6 months before {REGISTRATION}) or "
                f"(Unstable angina with onset within 6 months before {REGISTRATION})"
            ],
        ),
        (  # two kinds in one list: each read once, with the window they share
            "Myocardial infarction or major surgery within 6 months",
            "exclusion",
            [
                "(Myocardial infarction with onset within 6 months before the first dose) or "
                "(Major surgery within 6 months before the first dose)"
            ],
        ),
        (  # NCT numbers of the round-5 corpus: the anti-angiogenic trials' wording
            "No abdominal fistula, gastrointestinal perforation, or intra-abdominal abscess "
            "within the last 4 weeks",
            "inclusion",
            [
                "not ((Abdominal or gastrointestinal fistula with onset within 4 weeks before the "
                "first dose) or (Gastrointestinal perforation with onset within 4 weeks before the "
                "first dose) or (Intra-abdominal abscess with onset within 4 weeks before the first "
                "dose))"
            ],
        ),
        (
            "Deep vein thrombosis or pulmonary embolism within 6 months",
            "exclusion",
            [
                "(Deep vein thrombosis with onset within 6 months before the first dose) or "
                "(Pulmonary embolism with onset within 6 months before the first dose)"
            ],
        ),
        (
            "Transient ischemic attack (TIA) or pulmonary embolism within 3 months",
            "exclusion",
            [
                "(Transient ischaemic attack with onset within 3 months before the first dose) "
                "or (Pulmonary embolism with onset within 3 months before the first dose)"
            ],
        ),
    ],
)
def test_a_list_shares_its_window(text: str, kind: str, reading: list[str]) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == reading
    assert criterion.unread == ()
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("Major surgery or chemotherapy within 4 weeks prior to first dose", "or chemotherapy"),
        # "or any investigational drug" is read since reading_washout (test_washouts); its
        # joint stays unread
        ("Live vaccine or any investigational drug within 30 days", "or"),
        (
            "Major surgery, other than diagnostic surgery, within 4 weeks",
            "other than diagnostic surgery",
        ),
        # NCT00549328 E9
        (
            "Major surgery or trauma within 28 days prior to first dose of study drug and/or "
            "presence of any non-healing wound, fracture, or ulcer.",
            "or trauma",
        ),
        (
            "History of cerebrovascular accident, pulmonary embolism, or insufficiently treated "
            "deep venous thrombosis within the past 6 months",
            "pulmonary embolism, or insufficiently treated deep venous thrombosis",
        ),
    ],
)
def test_words_between_a_name_and_its_window_stay_unread(text: str, unread: str) -> None:
    criterion = _read(text)
    assert criterion.rules, "the name and its window are still proposed as a rule"
    assert unread in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


def _days_ago(days: int) -> str:
    return (AS_OF - dt.timedelta(days=days)).isoformat()


def _patient(**history: list[dict[str, Any]]) -> Patient:
    return Patient.model_validate({"id": "P", **history})


def _status(text: str, patient: Patient) -> Status:
    return item_status(read_item(text), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    ("conditions", "verdict"),
    [
        ([{"text": "stroke", "onset": _days_ago(60)}], Status.MET),
        # coded as SNOMED CT 422504002 'Ischemic stroke' (a stroke by code, not by name)
        ([{"code": "422504002", "system": "SNOMED", "onset": _days_ago(30)}], Status.MET),
        ([{"code": "I20.0", "system": "ICD-10", "onset": _days_ago(100)}], Status.MET),
        ([{"text": "stroke", "onset": _days_ago(400)}], Status.NOT_MET),  # outside 6 months
        ([{"text": "myocardial infarction", "onset": _days_ago(10)}], Status.MET),
        ([{"text": "stroke"}], Status.UNKNOWN),  # when? never decided on a guess
        ([], Status.NOT_MET),  # a history recorded, none of the events in it
    ],
)
def test_each_event_of_the_list_excludes(conditions: list[dict[str, Any]], verdict: Status) -> None:
    assert _status(MI_STROKE_UA, _patient(conditions=conditions)) is verdict


def test_a_condition_before_a_window_is_never_read_as_ever() -> None:
    # "deep venous thrombosis" was read as a condition 'ever' beside the windowed rule: a
    # thrombosis five years ago excluded the patient
    criterion = _read("Deep venous thrombosis or arterial thrombosis within 6 months")
    assert "or arterial thrombosis" in criterion.unread
    assert all(getattr(r, "within", None) is not None for r in criterion.rules)


def test_a_thrombosis_counts_as_venous_thromboembolism() -> None:
    text = "No venous thrombosis within the last 12 weeks"
    patient = _patient(conditions=[{"text": "deep vein thrombosis", "onset": _days_ago(20)}])
    assert item_status(read_item(text, "inclusion"), patient, as_of=AS_OF) is Status.NOT_MET
    old = _patient(conditions=[{"text": "pulmonary embolism", "onset": _days_ago(200)}])
    assert item_status(read_item(text, "inclusion"), old, as_of=AS_OF) is Status.MET


def test_an_unread_alternative_is_never_a_pass() -> None:
    # chemotherapy two weeks before: not read, so the item goes to the investigator's checklist
    # quoting "or chemotherapy", never "not met" on the surgery alone (as it was before)
    text = "Major surgery or chemotherapy within 4 weeks prior to first dose"
    patient = _patient(procedures=[], medications=[{"text": "carboplatin", "start": _days_ago(14)}])
    assert _status(text, patient) is Status.INVESTIGATOR


_RULES = tuple(
    ConditionRule(kind="condition", id=f"E{i}-1", description="event", condition=key, within=window)
    for i, (key, window) in enumerate(
        (
            (k, w)
            for k in (
                "stroke",
                "transient_ischaemic_attack",
                "unstable_angina",
                "pulmonary_embolism",
            )
            for w in (Window(value=6, unit="months"), Window(value=12, unit="weeks"))
        ),
        start=1,
    )
)
_CONDITION = st.fixed_dictionaries(
    {
        "text": st.sampled_from(
            [
                "stroke",
                "cerebrovascular accident",
                "TIA",
                "unstable angina",
                "pulmonary embolism",
                "deep vein thrombosis",
                "myocardial infarction",
            ]
        ),
        "onset": st.none() | st.integers(0, 500).map(_days_ago),
    }
)


@settings(max_examples=100, deadline=None)
@given(people=st.lists(st.none() | st.lists(_CONDITION, max_size=3), min_size=1, max_size=5))
def test_per_patient_and_vectorised_agree(people: list[list[dict[str, Any]] | None]) -> None:
    patients = [
        Patient.model_validate({"id": f"P{i}", "conditions": c}) for i, c in enumerate(people)
    ]
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)
