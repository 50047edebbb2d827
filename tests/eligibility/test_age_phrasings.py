"""Age limits in the words records use without the word "age" (issue 12 item 4).

"Patient over 18 years..." (NCT06171568, ../shared/reference/ctgov, its only criterion), "Older
than 18 years", "Healthy adults under age 60" (NCT05594173 I1) were not read. "Over" and "under"
of a person are an age only with "years", "age" or nothing after the number ("Patients over 2
cycles" is no age).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        ("Patient over 18 years...", "inclusion", "age at consent > 18 years"),
        ("Older than 18 years", "inclusion", "age at consent > 18 years"),
        ("Younger than 18 years", "exclusion", "age at consent < 18 years"),
        ("Women over 50", "inclusion", "age at consent > 50 years"),
        ("Patients under 18.", "exclusion", "age at consent < 18 years"),
    ],
)
def test_person_over_or_under_a_number_of_years(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


def test_under_age_is_read_and_healthy_is_left_to_the_investigator() -> None:
    criterion = read_item("Healthy adults under age 60", "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == ["age at consent < 60 years"]
    assert criterion.unread == ("Healthy",)


@pytest.mark.parametrize("text", ["Patients over 2 cycles", "Patients over 65 kg"])
def test_over_a_number_of_something_else_is_no_age(text: str) -> None:
    assert not read_item(text, "inclusion").rules


@pytest.mark.parametrize(
    ("birth", "status"),
    [("2000-01-01", Status.MET), ("2010-01-01", Status.NOT_MET), (None, Status.UNKNOWN)],
)
def test_screened_per_patient_and_vectorised(birth: str | None, status: Status) -> None:
    patient = Patient.model_validate({"id": "P", "birth_date": birth, "consent_date": "2025-02-01"})
    criterion = read_item("Patient over 18 years", "inclusion")
    assert item_status(criterion, patient, as_of=dt.date(2025, 3, 1)) is status


@pytest.mark.parametrize(
    "text",
    [
        "Men and women between the ages of 18 and 65",
        "Age range 18-65 years",
        "Subjects aged between 18 and 65",
        "Age 18 years to 65 years",
    ],
)
def test_an_age_range_in_other_words(text: str) -> None:
    # made up in registry phrasings (none in the tuning corpora); 'and' only after 'between'
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [
        "age at consent ≥ 18 years",
        "age at consent ≤ 65 years",
    ]
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize("text", ["Aged 18 and 65", "Aged between 6 and 12 months"])
def test_not_an_age_range_in_years(text: str) -> None:
    assert not read_item(text, "inclusion").rules


# Development records (jwlieb/clinical-trial-agent, commit 387df17, data/demo/results/*/
# trials.json): "Above age 80" (NCT05761782 E1); the day of consent written with "signature"
# (NCT05815173 I2, NCT07012031 I7), the day an age is counted on by default (AgeRule.at).
@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        ("Above age 80", "exclusion", "age at consent > 80 years"),
        ("Below the age of 18", "exclusion", "age at consent < 18 years"),
        (
            "Participant must be ≥18 years of age at the time of signature of the informed "
            "consent form (ICF).",
            "inclusion",
            "age at consent ≥ 18 years",
        ),
        (
            "Age ≥ 18 years at date of informed consent form signature",
            "inclusion",
            "age at consent ≥ 18 years",
        ),
    ],
)
def test_above_below_and_the_signature_of_consent(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == ()


@pytest.mark.parametrize("text", ["Above 80 mg daily", "Systolic blood pressure above 160"])
def test_above_without_age_is_no_age(text: str) -> None:
    assert not any(r.kind == "age" for r in read_item(text, "exclusion").rules)
