"""A solid tumour or a haematological malignancy as the diagnosis, and the ways modern records
write how it was confirmed.

"Histologically confirmed solid malignancy" (basket and phase I trials) was a checklist item: no
concept held it. ``concepts_cancers.SOLID_TUMOUR`` is every site-specific cancer of the
vocabulary and every record coded ICD-10 C00-C75; a haematological malignancy (C81-C96) refutes
it; anything else (a record named only "cancer", C80 "without specification of site") leaves it
unknown. "Pathologically (histologically or cytologically) proven diagnosis of", "histological
or cytological confirmation of" and "histologic diagnosis of" were not read as a confirmation,
so the item stayed a checklist item.

Real items are cited by NCT number: records of jwlieb/clinical-trial-agent at commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (ClinicalTrials.gov text, public domain), in the file
named beside each: the entry of 'trials' whose nct_id it is, eligibility.raw_text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.concepts_cancers import CANCER_SITES, contradicting_cancers
from oncotrial.eligibility.concepts_oncology import cancer_relation
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)
SOLID = "Histologically confirmed solid malignancy"  # NCT06508034, v2-results/08_lung_squamous…


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (SOLID, "diagnosis of Solid tumour, confirmed by histology"),
        (
            "Histologically confirmed solid tumor malignancy",
            "diagnosis of Solid tumour, confirmed by histology",
        ),
        (  # NCT05327686 (results/14_renal_cell_io_resistant); a diagnosis is made before
            # registration, so the words add nothing (unread._FILLER)
            "Pathologically (histologically or cytologically) proven diagnosis of renal cell "
            "carcinoma prior to registration",
            "diagnosis of Renal cell carcinoma, confirmed by histology or cytology",
        ),
        (
            "Histological or cytological confirmation of breast cancer",
            "diagnosis of Breast cancer, confirmed by histology or cytology",
        ),
        (
            "Histologically or cytologically confirmed diagnosis of NSCLC",
            "diagnosis of Non-small cell lung cancer, confirmed by histology or cytology",
        ),
        (
            "Histologic diagnosis of hepatocellular carcinoma",
            "diagnosis of Hepatocellular carcinoma, confirmed by histology",
        ),
        (
            "Pathologically confirmed hematologic malignancy",
            "diagnosis of Haematological malignancy",
        ),
    ],
)
def test_the_diagnosis_is_read(text: str, reading: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        (  # NCT05187832 (v2-results/06_breast_her2_positive)
            "Histological or cytological confirmation of advanced or metastatic ER+/HER2- breast "
            "cancer women who failed standard therapy or for which no standard therapy exists.",
            "women who failed standard therapy or for which no standard therapy exists",
        ),
        # a narrower haematological cancer is not the class: nothing is read for it
        ("Histologically confirmed lymphoma", None),
    ],
)
def test_what_the_diagnosis_does_not_carry_stays_unread(text: str, unread: str | None) -> None:
    criterion = read_item(text, "inclusion")
    assert not is_computable(criterion.rules, criterion.unread)
    if unread:
        assert unread in criterion.unread
    else:
        assert not any(r.kind == "diagnosis" for r in criterion.rules)


def _status(text: str, diagnosis: dict[str, Any] | None) -> Status:
    patient = Patient.model_validate({"id": "P", "diagnosis": diagnosis})
    return item_status(read_item(text, "inclusion"), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    ("diagnosis", "status"),
    [
        ({"text": "NSCLC", "confirmed_by": "histology"}, Status.MET),
        ({"text": "melanoma", "confirmed_by": "histology"}, Status.MET),
        ({"code": "C34.1", "system": "ICD-10", "confirmed_by": "histology"}, Status.MET),
        ({"code": "C71.9", "system": "ICD-10", "confirmed_by": "histology"}, Status.MET),
        # a haematological malignancy is not a solid tumour (ICD-10 C81-C96)
        ({"code": "C91.1", "system": "ICD-10", "confirmed_by": "histology"}, Status.NOT_MET),
        ({"text": "hematologic malignancy", "confirmed_by": "histology"}, Status.NOT_MET),
        ({"text": "NSCLC", "confirmed_by": "cytology"}, Status.NOT_MET),  # histology asked
        # neither class: a record named only "cancer", C80 (site not specified), C79 (secondary)
        ({"text": "cancer", "confirmed_by": "histology"}, Status.UNKNOWN),
        ({"code": "C80.1", "system": "ICD-10", "confirmed_by": "histology"}, Status.UNKNOWN),
        ({"code": "C79.3", "system": "ICD-10", "confirmed_by": "histology"}, Status.UNKNOWN),
        ({"text": "NSCLC"}, Status.UNKNOWN),  # how it was confirmed is not recorded
        (None, Status.UNKNOWN),
    ],
)
def test_what_the_record_says_about_a_solid_tumour_rule(
    diagnosis: dict[str, Any] | None, status: Status
) -> None:
    assert _status(SOLID, diagnosis) is status


def test_a_haematological_malignancy_refutes_every_solid_cancer_and_the_reverse() -> None:
    for condition in set(CANCER_SITES) - {"haematological_malignancy", "skin_cancer"}:
        assert "haematological_malignancy" in contradicting_cancers(condition), condition
    assert contradicting_cancers("solid_tumour") == frozenset({"haematological_malignancy"})
    assert (
        _status(
            "Histologically confirmed non-small cell lung cancer",
            {"code": "C83.3", "system": "ICD-10", "confirmed_by": "histology"},
        )
        is Status.NOT_MET
    )


def test_being_solid_tumours_does_not_make_two_cancers_alike() -> None:
    """The class has no sites in CANCER_SITES: a breast cancer record is still another cancer
    than an NSCLC under study for an "other malignancy" rule."""
    breast = (frozenset({"breast_cancer", "solid_tumour"}), None, None, dt.date(2015, 1, 1))
    nsclc = (frozenset({"nsclc", "lung_cancer", "solid_tumour"}), None, None, dt.date(2024, 6, 1))
    assert cancer_relation(breast, nsclc) == "other"


_RECORDS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "text": st.sampled_from(
                ["NSCLC", "melanoma", "breast cancer", "cancer", "hematologic malignancy"]
            ),
            "confirmed_by": st.sampled_from(["histology", "cytology"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(["C34.1", "C50.9", "C80.1", "C91.1", "C79.3", "C96.9"]),
            "system": st.just("ICD-10"),
        }
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    record=_RECORDS,
    text=st.sampled_from([SOLID, "Pathologically confirmed hematologic malignancy"]),
)
def test_per_patient_and_vectorised_agree(record: dict[str, Any] | None, text: str) -> None:
    _status(text, record)  # item_status asserts the two paths give the same status
