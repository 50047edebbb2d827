"""Prior targeted and anti-angiogenic therapy (issue 12 item 3): "Prior therapy with bevacizumab
or other VEGF inhibitors", "previously treated with an EGFR TKI", "No prior docetaxel".

A drug is read only as a member of a class named beside it: "Prior bevacizumab" alone is not
read as the VEGF class (a patient given ramucirumab would be excluded on a guess), and
"anti-angiogenic agents" is not read as the VEGF/VEGFR inhibitors (the words also cover
endostatin). Per patient and vectorised alike (Hypothesis).
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
from oncotrial.eligibility.rules import MedicationRule, describe_rule

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)
VEGF = "Prior therapy with bevacizumab or other VEGF inhibitors"


_read = read_item


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        (VEGF, "exclusion", "VEGF or VEGFR inhibitor (anti-angiogenic therapy) received ever"),
        (
            "Prior VEGFR TKI therapy",
            "exclusion",
            "VEGF or VEGFR inhibitor (anti-angiogenic therapy) received ever",
        ),
        (
            "Previously treated with an EGFR TKI",
            "exclusion",
            "EGFR tyrosine kinase inhibitor received ever",
        ),
        ("Prior treatment with docetaxel", "exclusion", "Docetaxel received ever"),
        ("No prior docetaxel", "inclusion", "not (Docetaxel received ever)"),
        (
            "No prior treatment with EGFR tyrosine kinase inhibitors or ALK inhibitors",
            "inclusion",
            "not ((EGFR tyrosine kinase inhibitor received ever) or (ALK inhibitor received ever))",
        ),
    ],
)
def test_readings(text: str, kind: str, reading: str) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        "Prior bevacizumab",  # the drug alone: its class would be a guess
        "Prior treatment with sorafenib or sunitinib",
        "Prior treatment with anti-angiogenic agents",  # endostatin too
        "Prior treatment with anlotinib, apatinib or other anti-angiogenic drugs",
    ],
)
def test_not_read_as_a_class(text: str) -> None:
    # a drug with a concept of its own is read as the drug (tests/eligibility/
    # test_prior_drugs.py), never as its class
    criterion = _read(text)
    classes = {"vegf_inhibitor", "egfr_tki", "alk_inhibitor"}
    rules = [r for rule in criterion.rules for r in _leaves(rule)]
    assert not any(isinstance(r, MedicationRule) and r.therapy in classes for r in rules)
    if not any(isinstance(r, MedicationRule) for r in rules):
        assert not is_computable(criterion.rules, criterion.unread)


def _leaves(rule: Any) -> list[Any]:
    inner = getattr(rule, "rules", None) or ([rule.rule] if hasattr(rule, "rule") else [])
    return [rule] if not inner else [x for r in inner for x in _leaves(r)]


@pytest.mark.parametrize(
    ("text", "kind", "reading", "unread"),
    [
        (
            "No prior systemic therapy",
            "inclusion",
            "prior lines of systemic therapy: at most 0 lines",
            (),
        ),
        (
            "Patients must not have received prior systemic treatment",
            "inclusion",
            "prior lines of systemic therapy: at most 0 lines",
            (),
        ),
        (
            "Prior systemic anticancer therapy",
            "exclusion",
            "prior lines of systemic therapy: at least 1 lines",
            (),
        ),
        # the setting is not read: adjuvant therapy may be allowed
        (
            "No prior systemic therapy for metastatic disease",
            "inclusion",
            "prior lines of systemic therapy: at most 0 lines",
            ("for metastatic disease",),
        ),
    ],
)
def test_prior_systemic_therapy(
    text: str, kind: str, reading: str, unread: tuple[str, ...]
) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == unread


def test_an_inclusion_needs_its_negation() -> None:
    assert _read("Prior treatment with an EGFR TKI is required", "inclusion").rules == ()


def _status(text: str, medications: list[dict[str, Any]]) -> Status:
    patient = Patient.model_validate({"id": "P", "medications": medications})
    return item_status(read_item(text), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    ("medications", "status"),
    [
        ([{"text": "bevacizumab", "start": "2023-05-01"}], Status.MET),
        ([{"text": "ramucirumab", "start": "2023-05-01"}], Status.MET),
        ([{"code": "L01FG01", "system": "ATC", "start": "2023-05-01"}], Status.MET),
        ([{"text": "pembrolizumab", "start": "2023-05-01"}], Status.NOT_MET),
        ([], Status.NOT_MET),
    ],
)
def test_any_drug_of_the_class_excludes(medications: list[dict[str, Any]], status: Status) -> None:
    assert _status(VEGF, medications) is status


_RULES = tuple(
    MedicationRule(kind="medication", id=f"E{i}-1", description="prior", therapy=key)
    for i, key in enumerate(("vegf_inhibitor", "egfr_tki", "alk_inhibitor", "docetaxel"), start=1)
)
_DRUG = st.fixed_dictionaries(
    {
        "text": st.sampled_from(
            ["bevacizumab", "osimertinib", "alectinib", "docetaxel", "paclitaxel", "nivolumab"]
        ),
        "start": st.none()
        | st.integers(-800, 10).map(lambda d: (AS_OF + dt.timedelta(days=d)).isoformat()),
    }
)


@settings(max_examples=100, deadline=None)
@given(people=st.lists(st.none() | st.lists(_DRUG, max_size=3), min_size=1, max_size=5))
def test_per_patient_and_vectorised_agree(people: list[list[dict[str, Any]] | None]) -> None:
    patients = [
        Patient.model_validate({"id": f"P{i}", "medications": m}) for i, m in enumerate(people)
    ]
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)
