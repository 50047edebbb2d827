"""Pleural and pericardial effusions and ascites, with what narrows them (issue 12;
``reading_effusions``, ``concepts_effusions``). No current record of the effusions is not met; a
current record is unknown while the narrowing words ("uncontrolled", "requiring recurrent
drainage procedures", "symptomatic") are to be confirmed; a bare "Ascites" is met by it; a
resolved one is not. Per patient and vectorised alike (Hypothesis).

The texts are items of development records of jwlieb/clinical-trial-agent data/demo @387df17,
cited by record and item id."""

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
# the atezolizumab template: NCT04802759 E10, NCT04820179 E14, NCT06884618 E8 and more
TEMPLATE = (
    "Uncontrolled pleural effusion, pericardial effusion, or ascites requiring recurrent "
    "drainage procedures"
)
_ALL = ("Pleural effusion", "Pericardial effusion", "Ascites")


def _any(words: str | None, names: tuple[str, ...] = _ALL) -> str:
    confirm = "" if words is None else f', to confirm: "{words}"'
    parts = [f"{name} (current){confirm}" for name in names]
    return parts[0] if len(parts) == 1 else " or ".join(f"({p})" for p in parts)


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        (TEMPLATE, "exclusion", _any("Uncontrolled; requiring recurrent drainage procedures")),
        # NCT04929223 E8: how often, quoted with the words
        (
            TEMPLATE + " (once monthly or more frequently)",
            "exclusion",
            _any(
                "Uncontrolled; requiring recurrent drainage procedures (once monthly or more "
                "frequently)"
            ),
        ),
        # NCT05800587 E10: a note that admits some patients only narrows
        (
            TEMPLATE + " (once monthly or more frequently). Indwelling catheters (e.g., PleurX®) "
            "are allowed.",
            "exclusion",
            _any(
                "Uncontrolled; requiring recurrent drainage procedures (once monthly or more "
                "frequently); Indwelling catheters (e.g., PleurX®) are allowed"
            ),
        ),
        # NCT06161532 E10
        (
            TEMPLATE + " (once monthly or more frequently) with the exception of participants "
            "with indwelling catheters (e.g., PleurX(R)) who are allowed.",
            "exclusion",
            _any(
                "Uncontrolled; requiring recurrent drainage procedures (once monthly or more "
                "frequently); with the exception of participants with indwelling catheters "
                "(e.g., PleurX(R)) who are allowed"
            ),
        ),
        # NCT05041153 E19
        (
            "Has symptomatic ascites or pleural effusion. A subject who is clinically stable "
            "following treatment for these conditions (including therapeutic thoraco- or "
            "paracentesis) is eligible",
            "exclusion",
            _any(
                "symptomatic; A subject who is clinically stable following treatment for these "
                "conditions (including therapeutic thoraco- or paracentesis) is eligible",
                ("Ascites", "Pleural effusion"),
            ),
        ),
        # NCT06890884 E5
        (
            "Has clinically significant pericardial or pleural effusion.",
            "exclusion",
            _any("clinically significant", ("Pericardial effusion", "Pleural effusion")),
        ),
        # NCT05753306 E2: 'at time of study enrollment' is the current record
        (
            "Malignant ascites at time of study enrollment",
            "exclusion",
            _any("Malignant", ("Ascites",)),
        ),
        # NCT05610735 E6: no narrowing word
        (
            "Patients with known pericardial effusion",
            "exclusion",
            _any(None, ("Pericardial effusion",)),
        ),
        ("No ascites", "inclusion", "not (Ascites (current))"),
    ],
)
def test_readings(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread), criterion.unread


@pytest.mark.parametrize(
    "text",
    [
        # a window, a method, a grade, a requirement of its own: not this reading
        "Ascites, pleural effusion, or pericardial fluid requiring drainage in last 4 weeks",  # NCT06794229 E7.2.6
        "Ascites detected by CT, ultrasound (US) or MRI;",  # NCT05919238 E5
        "> Grade 1 pleural effusion",  # NCT06492954 E3
        # NCT04300556 E23: 'requiring peritoneal shunt' is not read
        "Clinically significant pleural or pericardial effusion requiring drainage or ascites "
        "requiring peritoneal shunt.",
        # a double negative in an exclusion list (NCT07293351 E4)
        "Participants must not have an uncontrolled pleural or pericardial effusion requiring "
        "recurrent therapeutic drainage procedures.",
        # NCT04262466 E3: 'effusion' alone names no cavity
        "Ongoing ascites or effusion requiring recent drainages",
        # a note that may widen the item stays unread: the sentence is not read
        "Symptomatic ascites or pleural effusion. Enrollment of participants with an indwelling "
        "catheter must be discussed with the medical monitor",
    ],
)
def test_not_decided(text: str) -> None:
    criterion = read_item(text)
    assert not is_computable(criterion.rules, criterion.unread), [
        describe_rule(r) for r in criterion.rules
    ]


def _patient(records: list[dict[str, Any]] | None) -> Patient:
    return Patient.model_validate(
        {"id": "P"} | ({} if records is None else {"conditions": records})
    )


EFFUSION = {"text": "Malignant pleural effusion", "onset": "2025-01-10"}


@pytest.mark.parametrize(
    ("records", "template", "bare"),
    [
        ([EFFUSION], Status.UNKNOWN, Status.MET),  # uncontrolled? recurrent drainage?
        ([EFFUSION | {"abatement": "2025-02-01"}], Status.NOT_MET, Status.NOT_MET),
        ([EFFUSION | {"clinical_status": "resolved"}], Status.NOT_MET, Status.NOT_MET),
        # by code: ICD-10 J91 'Pleural effusion in conditions classified elsewhere', SNOMED CT
        # 389026000 'Ascites', 373945007 'Pericardial effusion'
        ([{"code": "J91", "system": "ICD-10"}], Status.UNKNOWN, Status.MET),
        ([{"code": "389026000", "system": "SNOMED"}], Status.UNKNOWN, Status.MET),
        ([{"code": "373945007", "system": "http://snomed.info/sct"}], Status.UNKNOWN, Status.MET),
        # other conditions: not an effusion
        ([{"text": "Pericarditis"}, {"text": "Pleural plaque"}], Status.NOT_MET, Status.NOT_MET),
        ([], Status.NOT_MET, Status.NOT_MET),  # a provided list is complete
        (None, Status.UNKNOWN, Status.UNKNOWN),  # no medical history: to collect
    ],
)
def test_screens(records: list[dict[str, Any]] | None, template: Status, bare: Status) -> None:
    patient = _patient(records)
    assert item_status(read_item(TEMPLATE), patient, as_of=AS_OF) is template
    bare_item = read_item("Pleural effusion, pericardial effusion, or ascites")
    assert item_status(bare_item, patient, as_of=AS_OF) is bare


def test_a_qualified_effusion_is_never_met_and_says_what_to_confirm() -> None:
    result = screen_patient(
        Eligibility(exclusion=(read_item(TEMPLATE),)), _patient([EFFUSION]), as_of=AS_OF
    )
    (c,) = result.criteria
    assert c.status is Status.UNKNOWN
    assert any("requiring recurrent drainage procedures" in m for r in c.rules for m in r.missing)


@pytest.mark.parametrize(
    ("system", "code", "key"),
    [
        ("ICD-10", "J90", "pleural_effusion"),
        ("ICD-10", "J91.0", "pleural_effusion"),  # malignant pleural effusion
        ("ICD-10", "I31.3", "pericardial_effusion"),
        ("ICD-10", "R18", "ascites"),
        ("SNOMED", "60046008", "pleural_effusion"),
    ],
)
def test_codes(system: str, code: str, key: str) -> None:
    assert key in match_concepts("condition", codes=[(system, code)])


def test_pericarditis_is_no_effusion_by_code() -> None:
    # ICD-10 I30 'Acute pericarditis': an effusion of it is matched by name only
    assert "pericardial_effusion" not in match_concepts("condition", codes=[("ICD-10", "I30.9")])


_RULES = tuple(
    ConditionRule(
        kind="condition",
        id=f"E{i}-1",
        description=key,
        condition=key,
        current=True,
        qualifier=qualifier,
    )
    for i, (key, qualifier) in enumerate(
        (("ascites", None), ("pleural_effusion", "Uncontrolled")), start=1
    )
)
_PEOPLE = condition_people(
    ["Ascites", "Malignant pleural effusion", "Pleural effusion", "Pericarditis"],
    ["active", "resolved"],
    as_of=AS_OF,
)


@settings(max_examples=100, deadline=None)
@given(people=_PEOPLE)
def test_vectorised_equals_one_by_one(people: list[list[dict[str, Any]] | None]) -> None:
    patients = patients_with_conditions(people, first_dose=AS_OF)
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)


def test_declared_unmapped_in_the_omop_map() -> None:
    assert {"pleural_effusion", "pericardial_effusion", "ascites"} <= omop_unmapped("conditions")
