"""The New York Heart Association (NYHA) functional class of heart failure (issue 12,
vocabulary; reading_cardiac.read_nyha, analyte ``nyha_class``, LOINC 88020-3).

Real items of the round-5 tuning corpus are cited by record and item id; the other texts are
made-up variants in registry phrasing. A class range reaching class IV is "≥ its lowest class";
a patient with no NYHA class recorded is unknown, never "not met" (no observation says nothing
about heart failure); per patient and vectorised alike.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.analytes import ANALYTES, analyte_for_loinc, ordinal_rank
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import (
    AllOfRule,
    Comparator,
    LabResultRule,
    NotRule,
    Rule,
    describe_rule,
)
from oncotrial.formats.patients import read_patient_file

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)
DAY = "2025-02-20"

READ_EXACTLY: list[tuple[str, str, list[str]]] = [
    # NCT00079612 E4 (round 5)
    ("exclusion", "Congestive Heart Failure (NYHA Class 3 or 4)", ["NYHA functional class ≥ III"]),
    # NCT00600210 E17 (round 5)
    (
        "exclusion",
        "New York Heart Association (NYHA) Grade II or greater congestive heart failure",
        ["NYHA functional class ≥ II"],
    ),
    # NCT00392665 E13 (round 5)
    (
        "exclusion",
        "NYHA Grade II or greater congestive heart failure",
        ["NYHA functional class ≥ II"],
    ),
    # NCT00619541 E1.1 (round 5)
    (
        "exclusion",
        "Congestive heart failure defined as NYHA class III or IV.",
        ["NYHA functional class ≥ III"],
    ),
    (
        "exclusion",
        "New York Heart Association class II-IV congestive heart failure",
        ["NYHA functional class ≥ II"],
    ),
    ("exclusion", "NYHA class ≥ III", ["NYHA functional class ≥ III"]),
    ("exclusion", "NYHA class III or IV heart failure", ["NYHA functional class ≥ III"]),
    ("exclusion", "NYHA class III/IV CHF", ["NYHA functional class ≥ III"]),
    ("exclusion", "NYHA class II, III or IV heart failure", ["NYHA functional class ≥ II"]),
    ("exclusion", "heart failure (NYHA III–IV)", ["NYHA functional class ≥ III"]),
    # "> class 2" is class III or IV
    ("exclusion", "congestive heart failure > NYHA class 2", ["NYHA functional class ≥ III"]),
    # every class from II is symptomatic: the word names no other patients
    (
        "exclusion",
        "Symptomatic congestive heart failure (NYHA ≥ 2)",
        ["NYHA functional class ≥ II"],
    ),
    ("exclusion", "heart failure NYHA class 2 or more", ["NYHA functional class ≥ II"]),
    (
        "exclusion",
        "NYHA class II-III heart failure",
        ["(NYHA functional class ≥ II) and (NYHA functional class ≤ III)"],
    ),
    # an inclusion's negated class: met unless the class is III or IV
    ("inclusion", "No NYHA class III-IV heart failure", ["not (NYHA functional class ≥ III)"]),
    # an inclusion's upper limit
    ("inclusion", "NYHA class I-II", ["NYHA functional class ≤ II"]),
    ("inclusion", "NYHA class ≤ II", ["NYHA functional class ≤ II"]),
    # Development records of jwlieb/clinical-trial-agent data/demo @387df17, cited by record and
    # item id: the association named after its abbreviation, the word "class" after
    # "Classification", the class written first and the classification after it.
    # NCT06572618 E3.2
    (
        "exclusion",
        "NYHA (New York Heart Association) heart failure class III-IV",
        ["NYHA functional class ≥ III"],
    ),
    # NCT06575296 E17.3
    (
        "exclusion",
        "Congestive heart failure (New York Heart Association Classification class >= II)",
        ["NYHA functional class ≥ II"],
    ),
    # NCT05673200 I14
    (
        "inclusion",
        "Patients should be New York Heart Association Functional Classification of class II "
        "or better.",
        ["NYHA functional class ≤ II"],
    ),
    # NCT05487859 E8
    (
        "exclusion",
        "Class III or IV congestive heart failure per New York Heart Association",
        ["NYHA functional class ≥ III"],
    ),
    # NCT04690595 E5: the NYHA classes cardiac disease by the limitation of physical activity
    (
        "exclusion",
        "Class III/IV cardiovascular disability according to the New York Heart Association "
        "(NYHA) Classification.",
        ["NYHA functional class ≥ III"],
    ),
    # NCT05361720 E9.1
    (
        "exclusion",
        "Class III or IV cardiovascular disease according to the New York Heart Association "
        "(NYHA) functional criteria",
        ["NYHA functional class ≥ III"],
    ),
    # NCT05874193 E2.3
    (
        "exclusion",
        "Class III or IV heart failure as defined by the New York Heart Association functional "
        "classification system [NYHA, 1994]",
        ["NYHA functional class ≥ III"],
    ),
    # heart failure before the class, the classification after it
    (
        "exclusion",
        "Congestive heart failure class 3 or 4 as defined by the New York Heart Association",
        ["NYHA functional class ≥ III"],
    ),
    (
        "exclusion",
        "Symptomatic congestive heart failure (Class III or IV heart failure as defined by the "
        "New York Heart Association (NYHA) functional classification system)",
        ["NYHA functional class ≥ III"],
    ),
    (
        "exclusion",
        "New York Heart Association Class III or IV cardiac disease",
        ["NYHA functional class ≥ III"],
    ),
]


@pytest.mark.parametrize(("kind", "text", "readings"), READ_EXACTLY)
def test_read_exactly_and_decided(kind: str, text: str, readings: list[str]) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert is_computable(criterion.rules, criterion.unread), criterion.unread


@pytest.mark.parametrize(
    ("kind", "text", "reading", "unread"),
    [
        # NCT00509587 I1.24 (round 5): the exemption for class II is quoted, never dropped
        (
            "inclusion",
            "No NYHA class III-IV heart failure Patients with a history of class II heart "
            "failure may be considered eligible provided they are asymptomatic on treatment",
            "not (NYHA functional class ≥ III)",
            "Patients with a history of class II heart failure may be considered eligible "
            "provided they are asymptomatic on treatment",
        ),
        # NCT00496756 I2.17 (round 5): the other diseases of the definition stay unread
        (
            "inclusion",
            "No significant cardiovascular disease, defined as NYHA class II-IV congestive heart "
            "failure, angina pectoris requiring nitrate therapy, or myocardial infarction within "
            "the past 6 months",
            "not (NYHA functional class ≥ II)",
            "angina pectoris requiring nitrate therapy, or",
        ),
        (
            "exclusion",
            "Chronic heart failure NYHA class III",
            "NYHA functional class = III",
            "Chronic",
        ),
        (
            "exclusion",
            "Congestive heart failure (NYHA class III or IV) within the past 6 months",
            "NYHA functional class ≥ III",
            "within the past 6 months",
        ),
    ],
)
def test_read_with_the_other_words_quoted(kind: str, text: str, reading: str, unread: str) -> None:
    criterion = read_item(text, kind)
    assert reading in [describe_rule(r) for r in criterion.rules]
    assert unread in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # NCT00602576 I2.11.3 (round 5): a sub-item of "No concurrent serious illness including
        # … any of the following:", the parent's negation, never a requirement of heart failure
        ("inclusion", "New York Heart Association class II-IV congestive heart failure"),
        # the latest class is not the worst ever recorded
        ("exclusion", "History of NYHA class III-IV heart failure"),
        ("inclusion", "No history of NYHA class III or IV heart failure"),
        # whose negation? another clause's verb between it and the class
        ("inclusion", "Patients must not be pregnant and must have NYHA class I-II"),
        # a double negation is not guessed
        ("exclusion", "No NYHA class III-IV heart failure"),
        # not one run of classes, or Roman and Arabic mixed
        ("exclusion", "NYHA class I or III heart failure"),
        ("exclusion", "NYHA class II or 3"),
        ("exclusion", "NYHA class II, III or higher heart failure"),
        ("exclusion", "NYHA class > IV"),
        # symptomatic, with class I named: not the same patients
        ("exclusion", "Symptomatic congestive heart failure (NYHA class I-IV)"),
        # a scale that is not the NYHA's (no class V); a history; the classification not named
        (
            "exclusion",
            "Active Grade III-V cardiac failure as defined by the New York Heart Association Criteria.",
        ),
        (
            "exclusion",
            "History or evidence of current >= Class II congestive heart failure as defined by "
            "New York Heart Association (NYHA).",
        ),
        ("exclusion", "Class III or IV congestive heart failure"),
        ("inclusion", "Class III or IV congestive heart failure per New York Heart Association"),
    ],
)
def test_never_decided(kind: str, text: str) -> None:
    criterion = read_item(text, kind)
    assert not is_computable(criterion.rules, criterion.unread), [
        describe_rule(r) for r in criterion.rules
    ]


def test_a_class_iii_or_later_comma_is_not_a_list() -> None:
    criterion = read_item("NYHA class III, 2 prior infarctions")
    assert [describe_rule(r) for r in criterion.rules] == ["NYHA functional class = III"]
    assert criterion.unread == ("2 prior infarctions",)


@pytest.mark.parametrize(
    ("result", "rank"),
    [
        ("I", 0),
        ("Class II", 1),
        ("NYHA III", 2),
        ("4", 3),
        ("New York Heart Association Classification - Class III", 2),  # SNOMED CT 420913000
        ("Class-II", 1),
    ],
)
def test_result_spellings(result: str, rank: int) -> None:
    assert ordinal_rank(ANALYTES["nyha_class"], result) == rank


def _patient(*classes: str | None) -> Patient:
    """One NYHA class per day, oldest first; None: no NYHA class recorded at all."""
    observations = [
        {"analyte": "nyha_class", "result": c, "date": f"2025-02-{10 + i:02d}"}
        for i, c in enumerate(classes)
        if c is not None
    ]
    return Patient.model_validate({"id": "P", "sex": "male", "observations": observations})


M, N, U = Status.MET, Status.NOT_MET, Status.UNKNOWN
CHF = ("exclusion", "New York Heart Association class II-IV congestive heart failure")
NO_III = ("inclusion", "No NYHA class III-IV heart failure")


@pytest.mark.parametrize(
    ("item", "patient", "status"),
    [
        (CHF, _patient("III"), M),  # excluded
        (CHF, _patient("II"), M),
        (CHF, _patient("Class I"), N),
        (CHF, _patient(), U),  # no class recorded: nothing known of heart failure
        (CHF, _patient("III", "I"), N),  # the latest class decides
        (NO_III, _patient("II"), M),
        (NO_III, _patient("4"), N),
        (NO_III, _patient(), U),
    ],
)
def test_screened_per_patient_and_in_batch(
    item: tuple[str, str], patient: Patient, status: Status
) -> None:
    assert item_status(read_item(item[1], item[0]), patient, as_of=AS_OF) is status


def test_a_fhir_observation_by_its_loinc_code(tmp_path: Path) -> None:
    # LOINC 88020-3 with the LOINC answer LA28406-9 "Class III" (as DataTools4Heart codes it)
    assert analyte_for_loinc("88020-3") is ANALYTES["nyha_class"]
    loinc = "http://loinc.org"
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": "nyha",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": loinc, "code": "88020-3"}]},
        "effectiveDateTime": DAY,
        "valueCodeableConcept": {
            "coding": [{"system": loinc, "code": "LA28406-9", "display": "Class III"}]
        },
    }
    entries = [
        {"resource": {"resourceType": "Patient", "id": "p1", "gender": "male"}},
        {"resource": observation},
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    (patient,) = read_patient_file(path)
    assert item_status(read_item(CHF[1]), patient, as_of=AS_OF) is Status.MET


def _limit(rule_id: str, comparator: Comparator, result: str) -> LabResultRule:
    return LabResultRule(
        kind="lab_result",
        id=rule_id,
        description="NYHA",
        analyte="nyha_class",
        comparator=comparator,
        result=result,
    )


# every comparator on every class, a range (all_of) and a negation (not)
_RULES: list[Rule] = [
    _limit(f"E{4 * i + k}-1", comparator, result)
    for i, result in enumerate(("I", "II", "III", "IV"))
    for k, comparator in enumerate(
        (Comparator.GE, Comparator.GT, Comparator.LE, Comparator.EQ), start=1
    )
] + [
    AllOfRule(
        kind="all_of",
        id="E17-1",
        description="II-III",
        rules=(_limit("E17-1.1", Comparator.GE, "II"), _limit("E17-1.2", Comparator.LE, "III")),
    ),
    NotRule(
        kind="not",
        id="E18-1",
        description="no III-IV",
        rule=_limit("E18-1.1", Comparator.GE, "III"),
    ),
]


@settings(max_examples=100, deadline=None)
@given(
    histories=st.lists(
        st.lists(st.sampled_from(["I", "II", "III", "IV", "Class 2", "3"]), max_size=3),
        min_size=1,
        max_size=6,
    )
)
def test_per_patient_and_vectorised_agree(histories: list[list[str]]) -> None:
    patients = [
        Patient.model_validate(
            {
                "id": f"P{i}",
                "observations": [
                    {"analyte": "nyha_class", "result": c, "date": f"2025-02-{10 + k:02d}"}
                    for k, c in enumerate(h)
                ],
            }
        )
        for i, h in enumerate(histories)
    ]
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)
