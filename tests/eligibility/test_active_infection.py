"""'Active infection (requiring systemic therapy)': the infection concept and its reading
(issue 12). No record of an active infection is not met; a record of one is unknown while the
words that narrow it ("requiring systemic therapy", "serious") are to be confirmed; a bare
"active infection" is met by it. HIV and hepatitis B/C records leave the rule unknown. Per
patient and vectorised alike (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings

from oncotrial.eligibility.concepts import match_concepts
from oncotrial.eligibility.criteria import Eligibility
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import ConditionRule, describe_rule
from oncotrial.eligibility.screening import screen_patient

from .builders import (
    assert_each_rule_equal_in_both_paths,
    condition_people,
    item_status,
    omop_unmapped,
    patients_with_conditions,
    read_item,
)

AS_OF = dt.date(2025, 3, 1)
# Merck's KEYNOTE template (NCT03976375 E11, NCT04262466 E12 and 29 more development records;
# jwlieb/clinical-trial-agent data/demo @387df17)
MERCK = "Has an active infection requiring systemic therapy."
BARE = "Ongoing or active infection"


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        (MERCK, "exclusion", 'Infection (active), to confirm: "requiring systemic therapy"'),
        (
            "Active infection requiring systemic therapy",
            "exclusion",
            'Infection (active), to confirm: "requiring systemic therapy"',
        ),
        (
            "Has active infection requiring systemic therapy",
            "exclusion",
            'Infection (active), to confirm: "requiring systemic therapy"',
        ),
        (BARE, "exclusion", "Infection (active)"),
        ("Active infection", "exclusion", "Infection (active)"),
        (
            "Active infection requiring IV antibiotics",
            "exclusion",
            'Infection (active), to confirm: "requiring IV antibiotics"',
        ),
        (
            "Serious active infection",
            "exclusion",
            'Infection (active), to confirm: "Serious"',
        ),
        (
            "Active bacterial, viral or fungal infection requiring systemic treatment",
            "exclusion",
            'Infection (active), to confirm: "bacterial, viral or fungal; requiring systemic '
            'treatment"',
        ),
        # a note that prophylaxis is allowed only narrows: quoted with the words to confirm
        (
            "Active infection requiring systemic treatment. NOTE: Prophylactic antimicrobial "
            "treatments (antibiotics, antimycotic, antiviral) are allowed.",
            "exclusion",
            'Infection (active), to confirm: "requiring systemic treatment; NOTE: Prophylactic '
            'antimicrobial treatments (antibiotics, antimycotic, antiviral) are allowed"',
        ),
        (
            "No active infection requiring systemic treatment",
            "inclusion",
            'not (Infection (active), to confirm: "requiring systemic treatment")',
        ),
    ],
)
def test_readings(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == ()
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        "History of infection requiring hospitalisation",  # a history, not 'active'
        "Must not have an active infection requiring systemic therapy",  # a double negative
        # the infection named by the sentence: not any infection (NCT03263572 E14)
        "Known active infection with HIV, HBV, HCV.",
        "Active infection or antibiotics within 48 hours prior to study screening",
        # a window, or more illnesses after the infection: not this reading
        "Active infection requiring IV antibiotics within 14 days prior to the first dose",
        "Active infection requiring systemic therapy, symptomatic congestive heart failure, or "
        "unstable angina",
    ],
)
def test_notread_item(text: str) -> None:
    assert not any(
        isinstance(r, ConditionRule) and r.condition == "infection" for r in read_item(text).rules
    )


def _patient(records: list[dict[str, Any]] | None) -> Patient:
    return Patient.model_validate(
        {"id": "P"} | ({} if records is None else {"conditions": records})
    )


def _verdict(text: str, patient: Patient) -> Status:
    return item_status(read_item(text), patient, as_of=AS_OF)


PNEUMONIA = {"text": "Pneumonia", "onset": "2025-02-10", "clinical_status": "active"}


@pytest.mark.parametrize(
    ("records", "merck", "bare"),
    [
        ([PNEUMONIA], Status.UNKNOWN, Status.MET),  # does it require systemic therapy?
        ([PNEUMONIA | {"clinical_status": "resolved"}], Status.NOT_MET, Status.NOT_MET),
        ([PNEUMONIA | {"abatement": "2025-02-20"}], Status.NOT_MET, Status.NOT_MET),
        ([PNEUMONIA | {"clinical_status": None}], Status.UNKNOWN, Status.UNKNOWN),
        # by code: ICD-10 J18.9 'Pneumonia, unspecified organism', A41.9 'Sepsis, unspecified'
        ([{"code": "J18.9", "system": "ICD-10", "clinical_status": "active"}], None, Status.MET),
        ([{"code": "A41.9", "system": "ICD-10", "clinical_status": "active"}], None, Status.MET),
        ([{"text": "Septic shock", "clinical_status": "active"}], None, Status.MET),
        ([{"text": "Perianal abscess", "clinical_status": "active"}], None, Status.MET),
        ([{"text": "Active tuberculosis", "clinical_status": "active"}], None, Status.MET),
        # no infection: pneumonitis is not pneumonia; sequelae of tuberculosis are over
        (
            [{"text": "Non-infectious pneumonitis", "clinical_status": "active"}],
            Status.NOT_MET,
            Status.NOT_MET,
        ),
        (
            [{"code": "B90.9", "system": "ICD-10", "clinical_status": "active"}],
            None,
            Status.NOT_MET,
        ),
        # chronic viral infections the templates decide apart: never decided here
        (
            [{"text": "chronic hepatitis B", "clinical_status": "active"}],
            Status.UNKNOWN,
            Status.UNKNOWN,
        ),
        (
            [{"code": "B20", "system": "ICD-10", "clinical_status": "active"}],
            None,
            Status.UNKNOWN,
        ),
        ([{"text": "HIV infection", "clinical_status": "active"}], None, Status.UNKNOWN),
        ([], Status.NOT_MET, Status.NOT_MET),  # a provided list is complete
        (None, Status.UNKNOWN, Status.UNKNOWN),  # no medical history: to collect
    ],
)
def test_screens(records: list[dict[str, Any]] | None, merck: Status | None, bare: Status) -> None:
    patient = _patient(records)
    assert _verdict(BARE, patient) is bare
    if merck is not None:
        assert _verdict(MERCK, patient) is merck


def test_a_qualified_infection_is_never_met_and_says_what_to_confirm() -> None:
    criterion = read_item(MERCK)
    result = screen_patient(Eligibility(exclusion=(criterion,)), _patient([PNEUMONIA]), as_of=AS_OF)
    (c,) = result.criteria
    assert c.status is Status.UNKNOWN
    assert any("requiring systemic therapy" in m for r in c.rules for m in r.missing)


@pytest.mark.parametrize(
    ("system", "code", "infection"),
    [
        ("ICD-10", "U07.1", True),  # COVID-19
        ("ICD-10", "N39.0", True),  # urinary tract infection
        ("ICD-10", "B37.0", True),  # candidal stomatitis
        ("ICD-10", "B18.1", False),  # chronic hepatitis B: decided apart
        ("ICD-10", "B94.8", False),  # sequelae
        ("ICD-10", "J84.1", False),  # interstitial lung disease
        ("SNOMED", "40733004", True),
        ("SNOMED", "91302008", True),
    ],
)
def test_codes(system: str, code: str, infection: bool) -> None:
    assert ("infection" in match_concepts("condition", codes=[(system, code)])) is infection


_RULES = tuple(
    ConditionRule(
        kind="condition",
        id=f"E{i}-1",
        description="infection",
        condition="infection",
        active=True,
        qualifier=qualifier,
    )
    for i, qualifier in enumerate((None, "requiring systemic therapy"), start=1)
)
_PEOPLE = condition_people(
    [
        "Pneumonia",
        "Urinary tract infection",
        "Septic shock",
        "chronic hepatitis B",
        "HIV infection",
        "Non-infectious pneumonitis",
        "Hypertension",
    ],
    ["active", "relapse", "resolved"],
    as_of=AS_OF,
)


@settings(max_examples=100, deadline=None)
@given(people=_PEOPLE)
def test_vectorised_equals_one_by_one(people: list[list[dict[str, Any]] | None]) -> None:
    patients = patients_with_conditions(people, first_dose=AS_OF)
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)


def test_declared_unmapped_in_the_omop_map() -> None:
    assert "infection" in omop_unmapped("conditions")
