"""Washout criteria: an investigational agent or systemic anticancer therapy received within a
window before the first dose or before registration (issue 12; reading_washout).

The phrasings are quoted from ClinicalTrials.gov records kept in jwlieb/clinical-trial-agent at
commit 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, data/demo/*/*/trials.json (the development
corpus, never a test corpus), cited by NCT id and item.

A record is an investigational agent when the data manager says so (concept key
``investigational_agent``); a drug record oncotrial cannot classify makes a rule on
investigational agents or on systemic anticancer therapy unknown, never not met.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import propose_rules
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import MedicationRule, Window, describe_rule, iter_rules
from oncotrial.eligibility.screening import screen_patient

from .builders import (
    assert_each_rule_equal_in_both_paths,
    item_status,
    read_item,
    statuses_on_both_paths,
)
from .random_patients import AS_OF, random_patients

REGISTRATION = "registration (the screen's as-of date)"
SOURCE = "jwlieb/clinical-trial-agent data/demo/*/*/trials.json @387df17"

INVESTIGATIONAL_30_REGISTRATION = "Treatment with any investigational drug within 28 days prior to registration."  # NCT06248606 E7
INVESTIGATIONAL_28 = (
    "Treatment with investigational therapy within 28 days prior to initiation of study "
    "treatment"
)  # NCT04929223 E3, NCT04991025 E12.3.20
ANTICANCER_RANDOMIZATION = (
    "Has received prior systemic anticancer therapy including investigational agents within 4 "
    "weeks before randomization"
)  # NCT06997497 E6


@pytest.mark.parametrize(
    ("text", "reading", "source"),
    [
        (
            INVESTIGATIONAL_28,
            "Investigational agent received within 28 days before the first dose",
            "NCT04929223 E3",
        ),
        (
            INVESTIGATIONAL_30_REGISTRATION,
            f"Investigational agent received within 28 days before {REGISTRATION}",
            "NCT06248606 E7",
        ),
        (
            "Patient has received treatment with investigational therapy within 4 weeks prior "
            "to initiation of study drug.",
            "Investigational agent received within 4 weeks before the first dose",
            "NCT04079179 E2.8",
        ),
        (
            "Treatment with any investigational drug within 4 weeks prior to start of treatment.",
            "Investigational agent received within 4 weeks before the first dose",
            "NCT05578326 E1.2",
        ),
        (
            "Treatment with an investigational agent for any condition within 4 weeks prior to "
            "Cycle 1, Day 1",
            "Investigational agent received within 4 weeks before the first dose",
            "NCT04302025 E6",
        ),
        (
            ANTICANCER_RANDOMIZATION,
            f"Systemic anticancer therapy received within 4 weeks before {REGISTRATION}",
            "NCT06997497 E6",
        ),
        (
            "Has received prior systemic anticancer therapy including investigational agents "
            "within 4 weeks before the first dose of study intervention",
            "Systemic anticancer therapy received within 4 weeks before the first dose",
            "NCT06312137 E7",
        ),
        (
            "Has received prior systemic anticancer therapy within 4 weeks before the first "
            "dose of study intervention",
            "Systemic anticancer therapy received within 4 weeks before the first dose",
            "NCT06445972 E21",
        ),
        (
            "Receipt of any type of cytotoxic, biologic or other systemic anticancer therapy "
            "(including investigational) within 4 weeks before first dose of study treatment",
            "Systemic anticancer therapy received within 4 weeks before the first dose",
            "NCT05168618 E5",
        ),
        (
            "Systemic anti-cancer therapy within 4 weeks of the first dose of study therapy",
            "Systemic anticancer therapy received within 4 weeks before the first dose",
            "NCT05074810 E1",
        ),
    ],
)
def test_a_washout_is_read_with_its_day(text: str, reading: str, source: str) -> None:
    criterion = read_item(text)
    assert not criterion.unread, (source, SOURCE, criterion.unread)
    (rule,) = criterion.rules
    assert isinstance(rule, MedicationRule)
    assert describe_rule(rule) == reading


@pytest.mark.parametrize(
    ("text", "unread", "source"),
    [
        (
            # no record of devices is kept: the device's words are quoted
            "Has received an investigational agent or has used an investigational device within "
            "4 weeks prior to study intervention administration",
            "or has used an investigational device",
            "NCT06312137 E10",
        ),
        (
            "Participation in another clinical study or treatment with any investigational drug "
            "within 4 weeks prior to study entry.",
            "Participation in another clinical study or",
            "NCT04868877 E3",
        ),
    ],
)
def test_words_beside_the_agent_stay_unread(text: str, unread: str, source: str) -> None:
    criterion = read_item(text)
    assert unread in criterion.unread, (source, SOURCE)
    (rule,) = criterion.rules
    assert isinstance(rule, MedicationRule) and rule.therapy == "investigational_agent"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            # a study of an investigational agent has a control arm: participation is no drug
            "Is currently participating in or has participated in a study of an investigational "
            "agent or has used an investigational device within 4 weeks prior to the first dose "
            "of study treatment.",
            "NCT04317534 E7",
        ),
        (
            # half-lives with no "whichever": which of the two windows is meant, the words do not
            # say (test_half_life_windows reads those that do)
            "Treatment with any investigational drug within 28 days or 5 half-lives of the first "
            "dose",
            "constructed",
        ),
        (
            # another day ("screening")
            "Participant has received any investigational therapy within 28 days or 5 "
            "half-lives, whichever is longer, prior to screening.",
            "dev corpus",
        ),
        (
            # "anticancer therapy" without "systemic" may be radiotherapy; and a drug-specific
            # window in brackets is never dropped
            "Received an anticancer therapy within 4 weeks (6 weeks for nitrosoureas, mitomycin "
            "C) before first dose",
            "dev corpus",
        ),
    ],
)
def test_no_washout_rule_where_the_words_say_more(text: str, source: str) -> None:
    criterion = read_item(text)
    assert not [
        r
        for r in iter_rules(criterion.rules)
        if isinstance(r, MedicationRule)
        and r.therapy in {"investigational_agent", "systemic_anticancer_therapy"}
    ], source


def test_a_drug_specific_window_in_brackets_is_quoted() -> None:
    # NCT04762199 E1, NCT05685602 E1: the nitrosoureas' 6 weeks are not read, and quoted
    criterion = read_item(
        "Patients who have had chemotherapy or radiotherapy within 4 weeks (6 weeks for "
        "nitrosoureas or mitomycin C) prior to entering the study"
    )
    assert any("nitrosoureas or mitomycin C" in u for u in criterion.unread)
    criterion = read_item(
        "Has received prior systemic anticancer therapy within 4 weeks (6 weeks for "
        "nitrosoureas or mitomycin C) before the first dose of study intervention"
    )
    assert any("nitrosoureas or mitomycin C" in u for u in criterion.unread)


# ---- screening: what the record says


FIRST_DOSE = AS_OF + dt.timedelta(days=10)


def _patient(*medications: dict[str, Any], lines: tuple[dict[str, Any], ...] = ()) -> Patient:
    return Patient.model_validate(
        {
            "id": "P",
            "planned_first_dose": FIRST_DOSE,
            "medications": medications,
            "therapies": lines,
        }
    )


def _ago(days: int, day: dt.date = AS_OF) -> str:
    return (day - dt.timedelta(days=days)).isoformat()


STUDY_DRUG = {"concept": "investigational_agent", "text": "ABC-123"}


@pytest.mark.parametrize(
    ("patient", "status"),
    [
        # the investigational agent ended 20 days before the first dose: within 28 days
        (_patient(STUDY_DRUG | {"start": _ago(60), "end": _ago(20, FIRST_DOSE)}), Status.MET),
        # ended 40 days before the first dose
        (_patient(STUDY_DRUG | {"start": _ago(90), "end": _ago(40, FIRST_DOSE)}), Status.NOT_MET),
        # an approved drug, classified: not an investigational agent
        (_patient({"text": "pembrolizumab", "start": _ago(20)}), Status.NOT_MET),
        (_patient({"text": "dexamethasone", "start": _ago(20)}), Status.NOT_MET),
        # a drug oncotrial cannot classify, taken in the window: unknown, never not met
        (_patient({"text": "XYZ-4411", "start": _ago(20)}), Status.UNKNOWN),
        (_patient({"text": "metformin", "start": _ago(400)}), Status.UNKNOWN),
        # a record of a class naming no drug ("chemotherapy") may have been one
        (_patient({"text": "chemotherapy", "start": _ago(30), "end": _ago(15)}), Status.UNKNOWN),
        # the unclassified drug ended long before the window: not met
        (_patient({"text": "XYZ-4411", "start": _ago(400), "end": _ago(300)}), Status.NOT_MET),
        # no medication list: unknown
        (Patient(id="P", planned_first_dose=FIRST_DOSE), Status.UNKNOWN),
    ],
)
def test_an_investigational_agent_within_the_window(patient: Patient, status: Status) -> None:
    assert item_status(read_item(INVESTIGATIONAL_28), patient, as_of=AS_OF) is status


def test_a_window_to_registration_runs_back_from_the_as_of_date() -> None:
    criterion = read_item(INVESTIGATIONAL_30_REGISTRATION)
    (rule,) = criterion.rules
    assert isinstance(rule, MedicationRule)
    assert rule.within == Window(value=28, anchor="registration")
    # ended 25 days before registration, 35 days before the first dose: within the window
    inside = _patient(STUDY_DRUG | {"start": _ago(60), "end": _ago(25)})
    assert item_status(criterion, inside, as_of=AS_OF) is Status.MET
    # counted from the first dose it would be outside
    assert item_status(read_item(INVESTIGATIONAL_28), inside, as_of=AS_OF) is Status.NOT_MET
    # started after registration (planned): not received before it
    later = _patient(STUDY_DRUG | {"start": (AS_OF + dt.timedelta(days=3)).isoformat()})
    assert item_status(criterion, later, as_of=AS_OF) is Status.NOT_MET
    (result,) = screen_patient(Eligibility(exclusion=(criterion,)), inside, as_of=AS_OF).criteria
    assert any("runs back from registration" in n for r in result.rules for n in r.notes)


LINE = {"line": 1, "drugs": [{"text": "carboplatin"}, {"text": "ABC-777"}]}


@pytest.mark.parametrize(
    ("patient", "status"),
    [
        # a line of therapy ending 2 weeks before registration: within 4 weeks
        (_patient(lines=(LINE | {"start": _ago(120), "end": _ago(14)},)), Status.MET),
        (_patient(lines=(LINE | {"start": _ago(300), "end": _ago(60)},)), Status.NOT_MET),
        # a drug unknown to oncotrial, in a line of therapy: anticancer therapy all the same
        (
            _patient(lines=({"drugs": [{"text": "ABC-777"}], "start": _ago(40), "end": _ago(10)},)),
            Status.MET,
        ),
        # ATC L01 (antineoplastic agents) by its code
        (_patient({"text": "X", "system": "ATC", "code": "L01XX99", "start": _ago(7)}), Status.MET),
        (_patient({"text": "Avastin", "start": _ago(90), "end": _ago(10)}), Status.MET),
        # a corticosteroid is no anticancer therapy
        (_patient({"text": "dexamethasone", "start": _ago(10)}), Status.NOT_MET),
        # an investigational agent may be an anticancer drug: unknown
        (_patient(STUDY_DRUG | {"start": _ago(10)}), Status.UNKNOWN),
        (_patient({"text": "XYZ-4411", "start": _ago(10)}), Status.UNKNOWN),
    ],
)
def test_systemic_anticancer_therapy_within_the_window(patient: Patient, status: Status) -> None:
    assert item_status(read_item(ANTICANCER_RANDOMIZATION), patient, as_of=AS_OF) is status


def test_an_inclusion_negated_is_read_negated() -> None:
    criterion = read_item(
        "Must not have received any investigational agent within 4 weeks prior to registration",
        "inclusion",
    )
    assert criterion.rules and not criterion.unread
    inside = _patient(STUDY_DRUG | {"start": _ago(60), "end": _ago(25)})
    assert item_status(criterion, inside, as_of=AS_OF) is Status.NOT_MET
    unclassified = _patient({"text": "XYZ-4411", "start": _ago(20)})
    assert item_status(criterion, unclassified, as_of=AS_OF) is Status.UNKNOWN


# ---- the per-patient and the vectorised screen agree on random patients

ITEMS = (
    ("E1", INVESTIGATIONAL_28),
    ("E2", INVESTIGATIONAL_30_REGISTRATION),
    ("E3", ANTICANCER_RANDOMIZATION),
    (
        "E4",
        "Systemic anti-cancer therapy within 4 weeks of the first dose of study therapy",
    ),
    (
        "I1",
        "Must not have received any investigational agent within 4 weeks prior to registration",
    ),
)
_TEXTS = ("ABC-123", "XYZ-4411", "chemotherapy", "pembrolizumab", "dexamethasone", "metformin")


def _with_study_drugs(patients: list[Patient], seed: int) -> list[Patient]:
    """The random patients, with investigational agents and drugs oncotrial cannot classify
    added to some medication lists."""
    rng = random.Random(seed)
    out = []
    for p in patients:
        if p.medications is None or rng.random() < 0.3:
            out.append(p)
            continue
        extra = [
            {
                "text": rng.choice(_TEXTS),
                "start": rng.choice([None, _ago(rng.randint(-5, 120))]),
                "end": rng.choice([None, _ago(rng.randint(-5, 60))]),
            }
            | rng.choice([{}, {"concept": "investigational_agent"}])
            for _ in range(rng.randint(0, 2))
        ]
        data = p.model_dump(mode="json")
        data["medications"] = [*data["medications"], *extra]
        out.append(Patient.model_validate(data))
    return out


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    eligibility = propose_rules(
        Eligibility(
            inclusion=tuple(
                Criterion(id=i, kind=CriterionKind.INCLUSION, text=t)
                for i, t in ITEMS
                if i[0] == "I"
            ),
            exclusion=tuple(
                Criterion(id=i, kind=CriterionKind.EXCLUSION, text=t)
                for i, t in ITEMS
                if i[0] == "E"
            ),
        )
    )
    assert all(c.rules and not c.unread for c in eligibility.criteria), [
        (c.id, c.unread) for c in eligibility.criteria
    ]
    patients = _with_study_drugs(random_patients(300, seed=21), seed=21)
    # the patients' own planned first doses (half have none), then one first dose for all
    seen = statuses_on_both_paths(
        eligibility, patients, as_of=AS_OF, first_doses=(None, AS_OF + dt.timedelta(days=7))
    )
    for item, statuses in seen.items():
        assert {"met", "not met", "unknown"} <= statuses, (item, statuses)


def test_each_rule_agrees_per_patient_and_vectorised() -> None:
    windows = (None, Window(value=4, unit="weeks"), Window(value=30, anchor="registration"))
    pairs = [
        (therapy, window)
        for therapy in ("investigational_agent", "systemic_anticancer_therapy", "pembrolizumab")
        for window in windows
    ]
    rules = [
        MedicationRule(
            kind="medication", id=f"E{i}-1", description="d", therapy=therapy, within=window
        )
        for i, (therapy, window) in enumerate(pairs, start=1)
    ]
    patients = _with_study_drugs(random_patients(200, seed=5), seed=5)
    assert_each_rule_equal_in_both_paths(patients, rules, as_of=AS_OF)


def test_an_investigational_drug_after_another_name_shares_its_window() -> None:
    # the live vaccine's rule keeps the window; the investigational drug has its own, the same
    criterion = read_item("Live vaccine or any investigational drug within 30 days")
    assert [describe_rule(r) for r in criterion.rules] == [
        "Live or live-attenuated vaccine received within 30 days before the first dose",
        "Investigational agent received within 30 days before the first dose",
    ]


# ---- another study's agent taken now (reading_medications): NCI's template

INVESTIGATIONAL_NOW = "Patients who are receiving any other investigational agents."  # NCT06378398 E4 (as "Participants may not be …"), NCI's template


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (INVESTIGATIONAL_NOW, "NCI template, 21 development records"),
        ("Participants may not be receiving any other investigational agents.", "NCT06378398 E4"),
        ("Concomitant use of other investigational agents", "NCT06083883"),
        ("Patients who are receiving any other investigational agents concurrently.", "dev corpus"),
    ],
)
def test_an_agent_received_now_is_read(text: str, source: str) -> None:
    criterion = read_item(text)
    assert not criterion.unread, (source, SOURCE, criterion.unread)
    (rule,) = criterion.rules
    assert isinstance(rule, MedicationRule) and rule.therapy == "investigational_agent"
    assert rule.ongoing and rule.within is None


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        (
            # a purpose narrows the class: quoted
            "Receiving any other investigational agent which would be considered as a treatment "
            "for the primary neoplasm.",
            "which would be considered as a treatment for the primary neoplasm",
        ),
        (
            # a window after a device: the window may be the agent's too (quoted)
            "Patients who are receiving any other investigational agents or an investigational "
            "device within 3 months before the first dose",
            "or an investigational device within 3 months before the first dose",
        ),
    ],
)
def test_words_after_an_agent_received_now_are_quoted(text: str, unread: str) -> None:
    criterion = read_item(text)
    assert unread in criterion.unread, (SOURCE, criterion.unread)


@pytest.mark.parametrize(
    ("patient", "status"),
    [
        # still taken: an investigational agent with no end date
        (_patient(STUDY_DRUG | {"start": _ago(30)}), Status.MET),
        # taken until after the first dose
        (_patient(STUDY_DRUG | {"start": _ago(30), "end": _ago(-20)}), Status.MET),
        # stopped before the first dose: a washout item decides that, not this one
        (_patient(STUDY_DRUG | {"start": _ago(90), "end": _ago(20)}), Status.NOT_MET),
        # an approved drug, classified
        (_patient({"text": "pembrolizumab", "start": _ago(20)}), Status.NOT_MET),
        # a drug oncotrial cannot classify, taken now: unknown, never not met
        (_patient({"text": "XYZ-4411", "start": _ago(20)}), Status.UNKNOWN),
        # no medication list: unknown
        (Patient(id="P", planned_first_dose=FIRST_DOSE), Status.UNKNOWN),
    ],
)
def test_an_agent_received_now(patient: Patient, status: Status) -> None:
    assert item_status(read_item(INVESTIGATIONAL_NOW), patient, as_of=AS_OF) is status


def test_an_inclusion_without_negation_is_not_read() -> None:
    # as an inclusion the words would ask for the agent: never read so
    assert not read_item(INVESTIGATIONAL_NOW, "inclusion").rules
