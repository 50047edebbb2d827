"""'Another malignancy within N years': the cancer under study told apart from other cancers,
the usual exceptions, read from the phrasings of real records and screened three-valued, one
by one and vectorised alike (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.concepts_oncology import MALIGNANCY_EXCEPTIONS
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import OtherMalignancyRule, Window, describe_rule
from oncotrial.eligibility.screening import screen_patient

from .builders import assert_each_rule_equal_in_both_paths, item_status

AS_OF = dt.date(2025, 3, 1)


def _read(text: str, kind: str = "exclusion") -> Criterion:
    return read_criterion(Criterion(id="E1", kind=CriterionKind(kind), text=text)).criterion


# Phrasings of the tuning part of tests/eligibility/corpus/oncology_records.json (NCT00739830
# E11, NCT00056407 E6, NCT05482568 E14, NCT03861299 E9, NCT05380414 E3, NCT02053662 E1).
@pytest.mark.parametrize(
    ("text", "kind", "reading", "unread"),
    [
        (
            "Another primary malignancy within the past five years (except for non-melanoma "
            "skin cancer and cervical carcinoma in situ)",
            "exclusion",
            "malignancy other than the cancer under study within 5 years before the first dose,"
            " except Non-melanoma skin cancer, Carcinoma in situ of the cervix uteri",
            (),
        ),
        (
            "Cancer within previous 5 years (other than basal or squamous cell cancers of the "
            "skin).",
            "exclusion",
            "malignancy other than the cancer under study within 5 years before the first dose,"
            " except Basal cell or squamous cell carcinoma of the skin",
            (),
        ),
        (
            "Previous or concurrent malignancy",
            "exclusion",
            "malignancy other than the cancer under study ever",
            (),
        ),
        (
            "No other malignancy within the past 3 years",
            "inclusion",
            "not (malignancy other than the cancer under study within 3 years before the first "
            "dose)",
            (),
        ),
        (
            "Second primary malignancy within the past 5 years with the exception of adequately "
            "treated in situ carcinoma of any organ or basal cell carcinoma of the skin.",
            "exclusion",
            "malignancy other than the cancer under study within 5 years before the first dose",
            (
                "with the exception of adequately treated in situ carcinoma of any organ or "
                "basal cell carcinoma of the skin",
            ),
        ),
        (
            # the progression and treatment no record shows: the rule's qualifier
            # (tests/eligibility/test_qualified_conditions.py)
            "Known additional malignancy that is progressing or requires active treatment.",
            "exclusion",
            'malignancy other than the cancer under study ever, to confirm: "that is progressing '
            'or requires active treatment"',
            (),
        ),
        (
            "History of another primary malignancy within 5 years",
            "exclusion",
            "malignancy other than the cancer under study within 5 years before the first dose",
            (),
        ),
        (
            # "diagnosed within": a cancer diagnosed earlier and still present is not counted
            # by the text, and would be by the rule — the words stay unread
            "Other malignancy diagnosed within 5 years",
            "exclusion",
            "malignancy other than the cancer under study ever",
            ("diagnosed within 5 years",),
        ),
        ("Patients receiving concurrent therapy for a second malignancy.", "exclusion", None, None),
        ("History of prostate cancer.", "exclusion", None, None),
        (
            "Participant has leptomeningeal disease as a manifestation of the current malignancy.",
            "exclusion",
            None,
            None,
        ),
    ],
)
def test_readings(
    text: str, kind: str, reading: str | None, unread: tuple[str, ...] | None
) -> None:
    criterion = _read(text, kind)
    kinds = [r for r in criterion.rules if "malignancy other than" in describe_rule(r)]
    if reading is None:
        assert not kinds, [describe_rule(r) for r in kinds]
        return
    assert [describe_rule(r) for r in kinds] == [reading]
    assert criterion.unread == unread


NSCLC = {"concept": "nsclc", "code": "C34.1", "system": "ICD-10", "date": "2024-11-02"}
ITEM = (
    "Another primary malignancy within the past five years (except for non-melanoma skin cancer "
    "and cervical carcinoma in situ)"
)


def _verdict(text: str, patient: Patient, kind: str = "exclusion") -> Status:
    criterion = _read(text, kind)
    items = {"inclusion": (), "exclusion": ()} | {kind: (criterion,)}
    eligibility = Eligibility(inclusion=items["inclusion"], exclusion=items["exclusion"])
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    (status,) = (c.status for c in one.criteria)
    assert batch.loc[patient.id, criterion.id] == status.value
    return status


def _patient(conditions: list[dict[str, Any]] | None, diagnosis: Any = NSCLC) -> Patient:
    fields: dict[str, Any] = {"id": "P", "sex": "female"}
    if diagnosis is not None:
        fields["diagnosis"] = diagnosis
    if conditions is not None:
        fields["conditions"] = conditions
    return Patient.model_validate(fields)


@pytest.mark.parametrize(
    ("conditions", "diagnosis", "verdict"),
    [
        # breast cancer two years ago, not resolved: another malignancy in the period
        ([{"code": "C50.9", "system": "ICD-10", "onset": "2023-01-10"}], NSCLC, Status.MET),
        # resolved seven years ago: outside the five years
        (
            [
                {
                    "code": "C50.9",
                    "system": "ICD-10",
                    "onset": "2015-01-10",
                    "abatement": "2018-01-01",
                }
            ],
            NSCLC,
            Status.NOT_MET,
        ),
        # diagnosed six years ago, resolved three years ago: present within the five years
        (
            [
                {
                    "code": "C50.9",
                    "system": "ICD-10",
                    "onset": "2019-01-10",
                    "abatement": "2022-01-01",
                }
            ],
            NSCLC,
            Status.MET,
        ),
        # the cancer under study itself, recorded among the conditions: not another cancer
        ([{"code": "C34.1", "system": "ICD-10", "onset": "2024-11-02"}], NSCLC, Status.NOT_MET),
        ([{"text": "NSCLC", "onset": "2024-11-02"}], NSCLC, Status.NOT_MET),
        # a lung cancer of another code or day: a second primary or the same? unknown
        ([{"code": "C34.3", "system": "ICD-10", "onset": "2022-05-01"}], NSCLC, Status.UNKNOWN),
        # the exceptions: a non-melanoma skin cancer, a cervical carcinoma in situ
        ([{"code": "C44.3", "system": "ICD-10", "onset": "2024-01-01"}], NSCLC, Status.NOT_MET),
        ([{"code": "D06.9", "system": "ICD-10", "onset": "2024-01-01"}], NSCLC, Status.NOT_MET),
        # a carcinoma in situ of the breast: no exception names it, no rule says it counts
        ([{"code": "D05.1", "system": "ICD-10", "onset": "2024-01-01"}], NSCLC, Status.UNKNOWN),
        # a metastasis is not another cancer
        ([{"code": "C79.3", "system": "ICD-10", "onset": "2025-01-01"}], NSCLC, Status.NOT_MET),
        # breast cancer by SNOMED CT against a lung cancer by concept only: sites differ
        (
            [{"code": "254837009", "system": "SNOMED", "onset": "2024-01-01"}],
            {"concept": "nsclc"},
            Status.MET,
        ),
        # a record named only "cancer": which one? unknown
        ([{"text": "cancer", "onset": "2024-01-01"}], NSCLC, Status.UNKNOWN),
        # no cancer under study recorded: any malignancy could be it
        ([{"code": "C50.9", "system": "ICD-10", "onset": "2023-01-10"}], None, Status.UNKNOWN),
        ([], NSCLC, Status.NOT_MET),
        (None, NSCLC, Status.UNKNOWN),  # no medical history recorded: unknown, never a pass
    ],
)
def test_other_malignancy_screened(
    conditions: list[dict[str, Any]] | None, diagnosis: Any, verdict: Status
) -> None:
    assert _verdict(ITEM, _patient(conditions, diagnosis)) is verdict


def test_basal_or_squamous_only_leaves_an_unspecified_skin_cancer_unknown() -> None:
    text = "Cancer within previous 5 years (other than basal or squamous cell cancers of the skin)."
    bcc = _patient([{"text": "basal cell carcinoma", "onset": "2024-01-01"}])
    skin = _patient([{"code": "C44.3", "system": "ICD-10", "onset": "2024-01-01"}])
    assert _verdict(text, bcc) is Status.NOT_MET
    assert _verdict(text, skin) is Status.UNKNOWN  # Merkel cell carcinoma is C44 too


def test_the_rule_is_unknown_in_the_warehouse_and_reported() -> None:
    from oncotrial.prescreen.concepts import map_eligibility

    _, unmapped = map_eligibility(Eligibility(exclusion=(_read(ITEM),)))
    assert [u.reason for u in unmapped] == [
        "other malignancy (telling the cancer under study apart is not compiled to SQL yet)"
    ]


def test_the_model_refuses_an_unknown_exception() -> None:
    with pytest.raises(ValueError, match="unknown malignancy exception"):
        OtherMalignancyRule(kind="other_malignancy", id="R1", description="x", exceptions=("x",))


# ---- the vectorised screen equals the one-by-one screen (Hypothesis)

_DAYS = st.integers(min_value=-4000, max_value=60).map(lambda d: AS_OF + dt.timedelta(days=d))
_RECORDS = st.sampled_from(
    [
        {"code": "C50.9", "system": "ICD-10"},
        {"code": "C34.1", "system": "ICD-10"},
        {"code": "C34.3", "system": "ICD-10"},
        {"code": "C44.3", "system": "ICD-10"},
        {"code": "C79.3", "system": "ICD-10"},
        {"code": "D06.9", "system": "ICD-10"},
        {"code": "D05.1", "system": "ICD-10"},
        {"code": "254837009", "system": "SNOMED"},
        {"code": "363346000", "system": "SNOMED"},
        {"text": "basal cell carcinoma"},
        {"text": "NSCLC"},
        {"text": "cancer"},
        {"text": "prostate cancer"},
        {"text": "Hypertension"},
    ]
)
_CONDITION = st.fixed_dictionaries(
    {
        "onset": st.none() | _DAYS,
        "abatement": st.none() | _DAYS,
        # a current malignancy is over when its clinical status says so
        "clinical_status": st.none() | st.sampled_from(["active", "remission", "resolved"]),
    }
).flatmap(lambda dates: _RECORDS.map(lambda r: {**r, **dates}))
_DIAGNOSIS = st.sampled_from(
    [
        None,
        NSCLC,
        {"concept": "nsclc"},
        {"concept": "nsclc", "date": "2023-06-01"},
        {"code": "C50.9", "system": "ICD-10"},
        {"text": "lung carcinoma"},
    ]
)
_PATIENT = st.tuples(st.none() | st.lists(_CONDITION, max_size=4), _DIAGNOSIS)
# Every rule variant is checked against each population: an exception or a window only shows
# with the record it concerns.
_EXCEPTION_SETS = (
    (),
    ("nonmelanoma_skin_cancer", "cervical_carcinoma_in_situ"),
    ("skin_basal_squamous_carcinoma",),
    ("carcinoma_in_situ", "skin_basal_squamous_carcinoma"),
    MALIGNANCY_EXCEPTIONS,
)
_PERIODS: tuple[tuple[Window | None, bool], ...] = (
    (None, False),
    (None, True),
    (Window(value=5, unit="years"), False),
    (Window(value=6, unit="months"), False),
)
_RULES = tuple(
    OtherMalignancyRule(
        kind="other_malignancy",
        id=f"E{i}-1",
        description="other malignancy",
        within=window,
        current=current,
        exceptions=exceptions,
    )
    for i, ((window, current), exceptions) in enumerate(
        ((p, e) for p in _PERIODS for e in _EXCEPTION_SETS), start=1
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(_PATIENT, min_size=1, max_size=6))
def test_vectorised_equals_one_by_one(
    people: list[tuple[list[dict[str, Any]] | None, Any]],
) -> None:
    patients = []
    for i, (conditions, diagnosis) in enumerate(people):
        fields: dict[str, Any] = {"id": f"P{i}", "planned_first_dose": AS_OF}
        if diagnosis is not None:
            fields["diagnosis"] = diagnosis
        if conditions is not None:
            fields["conditions"] = conditions
        patients.append(Patient.model_validate(fields))
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)


def test_a_current_malignancy_is_over_when_its_status_says_so() -> None:
    # as a current condition (ConditionRule.current): FHIR R4 Condition.clinicalStatus
    # resolved, remission or inactive ends it, with or without an abatement date
    rule = next(r for r in _RULES if r.current and not r.exceptions)
    breast = {"code": "C50.9", "system": "ICD-10", "onset": "2020-01-01"}
    patients = [
        _patient([breast | status])
        for status in ({}, {"clinical_status": "active"}, {"clinical_status": "remission"})
    ]
    item = Criterion(
        id="E1",
        kind=CriterionKind.EXCLUSION,
        text="Current malignancy",
        rules=(rule.model_copy(update={"id": "E1-1"}),),
    )
    assert [item_status(item, p, as_of=AS_OF) for p in patients] == [
        Status.MET,
        Status.MET,
        Status.NOT_MET,
    ]


# ---- "History of <site> cancer" (NCT00056407 E2, NCT02147080 E1, NCT03862001 I5 and E2)


@pytest.mark.parametrize(
    ("conditions", "verdict"),
    [
        ([{"text": "NSCLC", "onset": "2019-04-01"}], Status.MET),  # an NSCLC is a lung cancer
        ([{"code": "254632001", "system": "SNOMED"}], Status.MET),  # small cell, by SNOMED CT
        ([{"code": "C34.9", "system": "ICD-10", "abatement": "2020-01-01"}], Status.MET),
        ([{"code": "C50.9", "system": "ICD-10"}], Status.NOT_MET),
        ([], Status.NOT_MET),
        (None, Status.UNKNOWN),
    ],
)
def test_history_of_lung_cancer(conditions: list[dict[str, Any]] | None, verdict: Status) -> None:
    patient = _patient(conditions, diagnosis=None)
    assert _verdict("has a history of lung cancer", patient) is verdict
    negated = {Status.MET: Status.NOT_MET, Status.NOT_MET: Status.MET}.get(verdict, verdict)
    assert _verdict("no prior history of lung cancer", patient, "inclusion") is negated


def test_skin_cancer_words_in_an_exception_list_are_not_a_condition() -> None:
    criterion = _read(ITEM)
    assert [r.kind for r in criterion.rules] == ["other_malignancy"]
    assert _read("did not have a lung cancer screening test within the last year").rules == ()
    basal = _patient([{"text": "basal cell carcinoma"}], diagnosis=None)
    assert _verdict("History of skin cancer", basal) is Status.MET


def test_a_note_that_no_testing_is_required_changes_nothing() -> None:
    # NCT05382559 E7 (tuning part of the corpus)
    criterion = _read(
        "Participant has a known history of human immunodeficiency virus [HIV] infection. No HIV "
        "testing is required unless mandated by a local health authority."
    )
    assert [describe_rule(r) for r in criterion.rules] == ["HIV infection"]
    assert criterion.unread == ()


def test_a_period_to_screening_is_warned() -> None:
    reading = read_criterion(
        Criterion(
            id="E1",
            kind=CriterionKind.EXCLUSION,
            text="History of other malignancy within 2 years prior to screening",
        )
    )
    assert any("runs to screening" in w for w in reading.warnings), reading.warnings
