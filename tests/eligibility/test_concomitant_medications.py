"""Concomitant-medication classes (issue 12): anticoagulants, antiretroviral therapy for HIV, ACE
inhibitors and St John's wort, read from the round 5 tuning set's phrasings and screened per
patient and vectorised alike (``item_status`` asserts the two agree).

A dose or purpose ("full-dose", "therapeutic", "combination") and a subgroup ("for
HIV-positive patients") stay unread and quoted: such an item is never decided on the class.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.concepts import match_concepts
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import MedicationRule, NotRule, describe_rule
from oncotrial.eligibility.screening import screen_patient

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)

ST_JOHNS_WORT = "No concurrent Hypericum perforatum (St. John's wort)"  # NCT00496756 I3.9
ART = "Current antiretroviral therapy"  # NCT01347788 E7
ANTICOAGULANTS = "Treatment with anticoagulants"  # NCT01347788 E4
ACE = "No concurrent angiotension converting enzyme inhibitors (ACE-I)"  # NCT01005199 I3.13


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        (
            ST_JOHNS_WORT,
            "inclusion",
            "not (St John's wort (Hypericum perforatum) received ongoing)",
        ),
        (ART, "exclusion", "Antiretroviral therapy for HIV received ongoing"),
        (ANTICOAGULANTS, "exclusion", "Anticoagulant therapy received ongoing"),
        (ACE, "inclusion", "not (Angiotensin-converting enzyme (ACE) inhibitor received ongoing)"),
    ],
)
def test_a_class_taken_now_is_read(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == ()
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind", "key", "unread"),
    [
        # NCT00509587 I2.3 (and NCT01851408 I29): the subgroup is quoted, never decided, and
        # "HIV-positive" is no condition of the item's own
        (
            "No concurrent combination antiretroviral therapy for HIV-positive patients",
            "inclusion",
            "hiv_antiretroviral",
            ("combination", "for HIV-positive patients"),
        ),
        # NCT01005199 I3.5
        (
            "No concurrent full-dose anticoagulation with coumarin derivatives",
            "inclusion",
            "anticoagulant",
            ("full-dose", "with coumarin derivatives"),
        ),
        # NCT00098540 I34
        (
            "No concurrent therapeutic anticoagulation",
            "inclusion",
            "anticoagulant",
            ("therapeutic",),
        ),
        # NCT00496756 I3.8
        (
            "No concurrent full-dose oral or parenteral anticoagulation",
            "inclusion",
            "anticoagulant",
            ("full-dose oral or parenteral",),
        ),
    ],
)
def test_a_dose_purpose_or_subgroup_stays_unread(
    text: str, kind: str, key: str, unread: tuple[str, ...]
) -> None:
    criterion = read_item(text, kind)
    (rule,) = criterion.rules
    assert isinstance(rule, NotRule) and isinstance(rule.rule, MedicationRule)
    assert rule.rule.therapy == key and rule.rule.ongoing
    assert criterion.unread == unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # NCT01851408 I30: states no condition on the anticoagulation
        (
            "Concurrent prophylactic anticoagulation therapy (e.g., low-dose warfarin) allowed "
            "provided prothrombin time (PT) international normalized ratio (INR) < 1.1 x ULN",
            "inclusion",
        ),
        # an inclusion not negated, an exclusion negated: not read
        ("Current antiretroviral therapy", "inclusion"),
        ("No concurrent anticoagulants", "exclusion"),
        # no condition either: the patients named are eligible
        (
            "Patients currently receiving anticoagulants are eligible if the INR is stable",
            "exclusion",
        ),
        # a window after the class is the windowed reading's
        ("Treatment with anticoagulants within 4 weeks", "exclusion"),
    ],
)
def test_no_condition_no_medication_rule(text: str, kind: str) -> None:
    criterion = read_item(text, kind)
    assert not any(
        isinstance(r, MedicationRule) and r.ongoing and r.therapy == "anticoagulant"
        for r in criterion.rules
    )
    assert not any(
        isinstance(r, MedicationRule) and r.therapy == "hiv_antiretroviral" for r in criterion.rules
    )


def _status(text: str, kind: str, medications: list[dict[str, Any]] | None) -> Status:
    patient = Patient.model_validate({"id": "P", "medications": medications})
    return item_status(read_item(text, kind), patient, as_of=AS_OF)


ONGOING = {"start": "2024-11-01"}
STOPPED = {"start": "2024-06-01", "end": "2024-08-01"}


@pytest.mark.parametrize(
    ("medications", "status"),
    [
        ([{"text": "warfarin", **ONGOING}], Status.MET),
        ([{"text": "Coumadin", **ONGOING}], Status.MET),
        ([{"text": "Clexane", "system": "ATC", "code": "B01AB05", **ONGOING}], Status.MET),
        ([{"text": "Xarelto", "system": "ATC", "code": "B01AX06", **ONGOING}], Status.MET),
        ([{"text": "apixaban", **STOPPED}], Status.NOT_MET),
        ([{"text": "aspirin", **ONGOING}], Status.NOT_MET),  # antiplatelet, not anticoagulant
        ([{"text": "warfarin"}], Status.UNKNOWN),  # when: not recorded
        ([], Status.NOT_MET),
        (None, Status.UNKNOWN),  # no medication history
    ],
)
def test_treatment_with_anticoagulants(
    medications: list[dict[str, Any]] | None, status: Status
) -> None:
    assert _status(ANTICOAGULANTS, "exclusion", medications) is status


@pytest.mark.parametrize(
    ("medications", "status"),
    [
        ([{"text": "Truvada", "system": "ATC", "code": "J05AR03", **ONGOING}], Status.MET),
        ([{"text": "efavirenz", **ONGOING}], Status.MET),
        ([{"text": "dolutegravir", "system": "ATC", "code": "J05AX12", **ONGOING}], Status.MET),
        ([{"text": "lamivudine/zidovudine", **ONGOING}], Status.MET),
        # given for hepatitis B too: whether as antiretroviral therapy is the team's to say
        ([{"text": "lamivudine", **ONGOING}], Status.UNKNOWN),
        ([{"text": "Viread", "system": "ATC", "code": "J05AF07", **ONGOING}], Status.UNKNOWN),
        # hepatitis B, hepatitis C and COVID-19 antivirals are not antiretroviral therapy
        ([{"text": "entecavir", "system": "ATC", "code": "J05AF10", **ONGOING}], Status.NOT_MET),
        ([{"text": "telaprevir", "system": "ATC", "code": "J05AE11", **ONGOING}], Status.NOT_MET),
        ([{"text": "Paxlovid", "system": "ATC", "code": "J05AE30", **ONGOING}], Status.NOT_MET),
        ([{"text": "efavirenz", **STOPPED}], Status.NOT_MET),
    ],
)
def test_current_antiretroviral_therapy(
    medications: list[dict[str, Any]] | None, status: Status
) -> None:
    assert _status(ART, "exclusion", medications) is status


def test_a_drug_with_other_uses_is_asked_about() -> None:
    criterion = read_item(ART, "exclusion")
    patient = Patient.model_validate(
        {"id": "P", "medications": [{"text": "lamivudine", **ONGOING}]}
    )
    from oncotrial.eligibility.criteria import Eligibility

    result = screen_patient(Eligibility(exclusion=(criterion,)), patient, as_of=AS_OF)
    assert "whether lamivudine is given as antiretroviral therapy for HIV" in str(
        result.model_dump()
    )


@pytest.mark.parametrize(
    ("text", "medications", "status"),
    [
        (ST_JOHNS_WORT, [{"text": "St John's wort", **ONGOING}], Status.NOT_MET),
        (
            ST_JOHNS_WORT,
            [{"text": "Jarsin", "system": "ATC", "code": "N06AX25", **ONGOING}],
            Status.NOT_MET,
        ),
        (ST_JOHNS_WORT, [{"text": "sertraline", **ONGOING}], Status.MET),
        (ST_JOHNS_WORT, [{"text": "Hypericum perforatum", **STOPPED}], Status.MET),
        (ACE, [{"text": "ramipril", **ONGOING}], Status.NOT_MET),
        (
            ACE,
            [{"text": "Vaseretic", "system": "ATC", "code": "C09BA02", **ONGOING}],
            Status.NOT_MET,
        ),
        (ACE, [{"text": "losartan", "system": "ATC", "code": "C09CA01", **ONGOING}], Status.MET),
        (ACE, [{"text": "amlodipine", **ONGOING}], Status.MET),
        (ACE, None, Status.UNKNOWN),
    ],
)
def test_no_concurrent_class(
    text: str, medications: list[dict[str, Any]] | None, status: Status
) -> None:
    assert _status(text, "inclusion", medications) is status


def test_a_partial_item_is_never_decided_on_the_class() -> None:
    # NCT01005199 I3.5: a patient on low-dose warfarin may be eligible; one on nothing too, yet
    # "full-dose" is not read, so neither is decided by the item
    text = "No concurrent full-dose anticoagulation with coumarin derivatives"
    for medications in ([{"text": "warfarin", **ONGOING}], []):
        assert _status(text, "inclusion", medications) is Status.INVESTIGATOR


@pytest.mark.parametrize(
    ("code", "key", "matched"),
    [
        ("B01AA03", "anticoagulant", True),  # warfarin
        ("B01AC06", "anticoagulant", False),  # acetylsalicylic acid
        ("J05AG03", "hiv_antiretroviral", True),  # efavirenz
        ("J05AF08", "hiv_antiretroviral", False),  # adefovir dipivoxil: hepatitis B
        ("J05AB01", "hiv_antiretroviral", False),  # aciclovir
        ("C09AA05", "ace_inhibitor", True),  # ramipril
        ("C09CA01", "ace_inhibitor", False),  # losartan: an angiotensin II receptor blocker
        ("N06AX25", "st_johns_wort", True),
        ("N06AX16", "st_johns_wort", False),  # venlafaxine
    ],
)
def test_classes_match_by_atc_code(code: str, key: str, matched: bool) -> None:
    assert (key in match_concepts("therapy", codes=[("ATC", code)])) is matched
