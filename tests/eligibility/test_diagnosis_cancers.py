"""The diagnosis criterion for any primary cancer, and what a patient's recorded cancer says.

Before, only NSCLC was read ("Histologically or cytologically confirmed melanoma" was a checklist
item), and a record broader than the rule decided it: a patient whose cancer was recorded as
"lung cancer", or as ICD-10 C34.1 (the category of every lung cancer), was *not met* for an NSCLC
trial — a wrong exclusion. A broader record is now unknown; a record of another site's cancer,
or of a histological sibling (small cell against non-small cell), is not met
(``concepts_cancers.contradicting_cancers``), per patient and vectorised alike. Texts marked
with an NCT number are real items of the round-5 tuning corpus
(tests/eligibility/corpus/tuning_round5.json, cited there by repository and commit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.concepts_cancers import CANCER_SITES, contradicting_cancers
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (  # NCT00602576 I1.1
            "Histologically or cytologically confirmed melanoma",
            "diagnosis of Melanoma, confirmed by histology or cytology",
        ),
        (  # NCT00496756 I1.1
            "Histologically or cytologically confirmed renal cell carcinoma (RCC)",
            "diagnosis of Renal cell carcinoma, confirmed by histology or cytology",
        ),
        (
            "Histologically confirmed hepatocellular carcinoma",
            "diagnosis of Hepatocellular carcinoma, confirmed by histology",
        ),
        (
            "Histologically confirmed colorectal cancer",
            "diagnosis of Colorectal cancer, confirmed by histology",
        ),
        (
            "Histologically confirmed small cell lung cancer",
            "diagnosis of Small cell lung cancer, confirmed by histology",
        ),
        (
            "Histologically confirmed non small cell lung cancer",
            "diagnosis of Non-small cell lung cancer, confirmed by histology",
        ),
    ],
)
def test_the_cancer_named_is_the_diagnosis(text: str, reading: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


def test_a_stage_of_the_cancer_named_is_read() -> None:
    criterion = read_item("Stage IV melanoma", "inclusion")
    assert sorted(describe_rule(r) for r in criterion.rules) == [
        "diagnosis of Melanoma",
        "stage IV",
    ]


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        # a subtype or qualifier the concept does not carry stays unread
        ("Histologically confirmed melanoma (uveal)", "uveal"),
        (  # NCT00509587 I1.2
            "Histologically or cytologically confirmed invasive breast carcinoma (recurrent or "
            "metastatic disease)",
            "invasive",
        ),
        ("Histologically confirmed nonsmall cell lung cancer", "nonsmall cell"),
    ],
)
def test_words_the_concept_does_not_carry_stay_unread(text: str, unread: str) -> None:
    criterion = read_item(text, "inclusion")
    assert unread in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        "Histologically confirmed non-melanoma skin cancer",  # not "melanoma"
        "Histologically confirmed prostate adenocarcinoma",  # a histology the vocabulary lacks
    ],
)
def test_no_broader_or_wrong_cancer_is_read(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not any(r.kind == "diagnosis" for r in criterion.rules)


def test_a_cancer_in_an_exclusion_is_a_history_not_the_diagnosis() -> None:
    criterion = read_item("History of stage III breast cancer", "exclusion")
    assert not any(r.kind in {"diagnosis", "stage"} for r in criterion.rules)


NSCLC = "Histologically confirmed non-small cell lung cancer"


def _status(text: str, diagnosis: dict[str, Any] | None) -> Status:
    patient = Patient.model_validate({"id": "P", "diagnosis": diagnosis})
    return item_status(read_item(text, "inclusion"), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    ("diagnosis", "status"),
    [
        ({"text": "lung adenocarcinoma", "confirmed_by": "histology"}, Status.MET),
        ({"concept": "nsclc", "confirmed_by": "histology"}, Status.MET),
        # broader than the rule: the wrong exclusion this fixes
        ({"text": "lung cancer", "confirmed_by": "histology"}, Status.UNKNOWN),
        ({"code": "C34.1", "system": "ICD-10", "confirmed_by": "histology"}, Status.UNKNOWN),
        # a sibling of the same organ, and cancers of other sites
        ({"text": "small cell lung cancer", "confirmed_by": "histology"}, Status.NOT_MET),
        ({"code": "C18.7", "system": "ICD-10", "confirmed_by": "histology"}, Status.NOT_MET),
        ({"text": "melanoma", "confirmed_by": "histology"}, Status.NOT_MET),
        ({"text": "mesothelioma", "confirmed_by": "histology"}, Status.NOT_MET),
        # a name oncotrial does not know decides nothing
        ({"text": "adenocarcinoma of lung", "confirmed_by": "histology"}, Status.UNKNOWN),
        (None, Status.UNKNOWN),
    ],
)
def test_what_the_record_says_about_an_nsclc_rule(
    diagnosis: dict[str, Any] | None, status: Status
) -> None:
    assert _status(NSCLC, diagnosis) is status


@pytest.mark.parametrize(
    ("diagnosis", "status"),
    [
        ({"code": "C22.0", "system": "ICD-10", "confirmed_by": "histology"}, Status.MET),
        ({"code": "C22.9", "system": "ICD-10", "confirmed_by": "histology"}, Status.UNKNOWN),
        ({"text": "liver cancer", "confirmed_by": "histology"}, Status.UNKNOWN),
        ({"text": "cholangiocarcinoma", "confirmed_by": "histology"}, Status.NOT_MET),
        ({"text": "HCC", "confirmed_by": "cytology"}, Status.NOT_MET),  # histology asked for
        ({"text": "HCC"}, Status.UNKNOWN),  # how it was confirmed is not recorded
    ],
)
def test_what_the_record_says_about_an_hcc_rule(diagnosis: dict[str, Any], status: Status) -> None:
    assert _status("Histologically confirmed hepatocellular carcinoma", diagnosis) is status


def test_a_refuting_cancer_is_never_the_condition_or_broader_or_narrower() -> None:
    for condition in CANCER_SITES:
        refuting = contradicting_cancers(condition)
        assert condition not in refuting
    assert "lung_cancer" not in contradicting_cancers("nsclc")
    assert "colon_cancer" not in contradicting_cancers("colorectal_cancer")
    assert "colorectal_cancer" not in contradicting_cancers("rectal_cancer")
    assert "skin_cancer" not in contradicting_cancers("melanoma")
    assert contradicting_cancers("sarcoma") == frozenset()  # no sites declared: never refuted


_RECORDS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "text": st.sampled_from(
                [
                    "lung cancer",
                    "NSCLC",
                    "small cell lung cancer",
                    "melanoma",
                    "hepatocellular carcinoma",
                    "liver cancer",
                    "colon cancer",
                    "breast cancer",
                    "cancer",
                    "unknown tumour",
                ]
            ),
            "confirmed_by": st.sampled_from(["histology", "cytology"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(["C34.1", "C22.0", "C22.9", "C43.5", "C50.9", "C80.1"]),
            "system": st.just("ICD-10"),
        }
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    record=_RECORDS,
    text=st.sampled_from(
        [
            NSCLC,
            "Histologically confirmed hepatocellular carcinoma",
            "Histologically or cytologically confirmed melanoma",
            "Stage IV melanoma",
        ]
    ),
)
def test_per_patient_and_vectorised_agree(record: dict[str, Any] | None, text: str) -> None:
    _status(text, record)  # item_status asserts the two paths give the same status
