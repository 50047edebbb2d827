"""The extent of the disease now: "locally advanced or metastatic" (eligibility.extent, the
extent of a StageRule, reading_tumour; issue 12).

Real phrasings from the development corpus: jwlieb/clinical-trial-agent, commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (387df17), data/demo/results/*/trials.json (eligibility
raw_text), cited by NCT id and item. Statuses are checked one patient at a time and vectorised
(builders.item_status, and Hypothesis over random diagnoses).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.criteria import Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule
from oncotrial.errors import SchemaError, ValueProblem
from oncotrial.formats.patients import read_patient_file

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)
DIAGNOSIS = "diagnosis of Non-small cell lung cancer, confirmed by histology or cytology"
BOTH = "disease now locally advanced or metastatic"

# NCT05261399 I3: the extent is read, the rest stays quoted
NOT_AMENABLE = (
    "Histologically or cytologically confirmed locally advanced or metastatic NSCLC which is not "
    "amenable to curative therapy."
)
# NCT06249048 I16
DOCUMENTED = (
    "Histologically or cytologically documented, locally advanced, or metastatic solid tumor."
)
# NCT05410145 I1, the extents in the other order
OTHER_ORDER = (
    "Subject must have a histologically or cytologically confirmed metastatic or locally "
    "advanced solid tumor which is progressing."
)
METASTATIC = "Histologically or cytologically confirmed metastatic NSCLC"
LOCALLY_ADVANCED = "Histologically or cytologically confirmed locally advanced NSCLC"


def test_readings() -> None:
    item = read_item(NOT_AMENABLE, "inclusion")
    assert [describe_rule(r) for r in item.rules] == [DIAGNOSIS, BOTH]
    assert item.unread == ("which is not amenable to curative therapy",)
    item = read_item(DOCUMENTED, "inclusion")
    assert [describe_rule(r) for r in item.rules][1:] == [BOTH]
    assert item.unread == ()
    item = read_item(OTHER_ORDER, "inclusion")
    assert [describe_rule(r) for r in item.rules][1:] == [BOTH]
    assert item.unread == ("which is progressing",)
    assert [describe_rule(r) for r in read_item(METASTATIC, "inclusion").rules] == [
        DIAGNOSIS,
        "disease now metastatic",
    ]


def test_histopathological_confirmation() -> None:
    # NCT04130516 I2: "histopathologically" is histology; "solid tumor cancer" the class
    item = read_item(
        "Has histopathologically confirmed locally advanced or metastatic solid tumor cancer.",
        "inclusion",
    )
    assert [describe_rule(r) for r in item.rules] == [
        "diagnosis of Solid tumour, confirmed by histology",
        BOTH,
    ]
    assert item.unread == ()
    # NCT05168566 I2, its first words: cytopathology is cytology, never no confirmation
    item = read_item(
        "Histopathological and/or cytopathological confirmation of locally advanced or "
        "metastatic NSCLC",
        "inclusion",
    )
    assert [describe_rule(r) for r in item.rules] == [DIAGNOSIS, BOTH]


@pytest.mark.parametrize(
    "text",
    [
        # NCT06244771 I1: resectability is not recorded
        "Histologically or cytologically confirmed locally advanced unresectable or metastatic "
        "solid tumors with KRAS G12C mutation",
        # NCT06797336 I1: "advanced" names no extent
        "Histologically or cytologically confirmed advanced or metastatic solid malignancy",
        # NCT04958239 I15: recurrence is not recorded
        "Histologically or cytologically confirmed diagnosis of metastatic or incurable, "
        "recurrent head and neck squamous cell carcinoma (HNSCC)",
    ],
)
def test_other_words_stay_with_the_investigator(text: str) -> None:
    rules = read_item(text, "inclusion").rules
    # the variant of NCT06244771 I1 ("with KRAS G12C mutation") is a rule of its own
    # (reading_variants); the extent's words stay the investigator's
    assert [r.kind for r in rules if r.kind != "biomarker"][1:] == ["judgement"]


def _patient(**diagnosis: Any) -> Patient:
    record = {"text": "non-small cell lung cancer", "confirmed_by": "histology", **diagnosis}
    return Patient.model_validate({"id": "P", "diagnosis": record})


@pytest.mark.parametrize(
    ("diagnosis", "both", "metastatic", "locally_advanced"),
    [
        # recorded at screening: it decides
        ({"extent": "metastatic"}, Status.MET, Status.MET, Status.NOT_MET),
        ({"extent": "locally_advanced"}, Status.MET, Status.NOT_MET, Status.MET),
        ({"extent": "localised", "stage": "IB"}, Status.NOT_MET, Status.NOT_MET, Status.NOT_MET),
        # not recorded: stage IV or M1 at diagnosis is metastatic disease
        ({"stage": "IVA"}, Status.MET, Status.MET, Status.NOT_MET),
        ({"m": "cM1b"}, Status.MET, Status.MET, Status.NOT_MET),
        # any other stage at diagnosis may have progressed since: unknown, never not met
        ({"stage": "IIB", "m": "M0"}, Status.UNKNOWN, Status.UNKNOWN, Status.UNKNOWN),
        ({"stage": "IIIA"}, Status.UNKNOWN, Status.UNKNOWN, Status.UNKNOWN),
        ({}, Status.UNKNOWN, Status.UNKNOWN, Status.UNKNOWN),
        # the recorded extent over the stage at diagnosis: relapsed after stage II
        ({"stage": "II", "extent": "metastatic"}, Status.MET, Status.MET, Status.NOT_MET),
    ],
)
def test_statuses(
    diagnosis: dict[str, Any], both: Status, metastatic: Status, locally_advanced: Status
) -> None:
    patient = _patient(**diagnosis)
    for text, expected in (
        (DOCUMENTED, both),
        (METASTATIC, metastatic),
        (LOCALLY_ADVANCED, locally_advanced),
    ):
        (extent,) = (r for r in read_item(text, "inclusion").rules if r.kind == "stage")
        item = read_item(text, "inclusion").model_copy(update={"rules": (extent,)})
        assert item_status(item, patient, as_of=AS_OF) is expected, (text, diagnosis)


_LIVER = {"text": "liver metastases", "code": "C78.7", "system": "ICD-10", "onset": "2025-01-10"}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        # a record of distant metastases by the reference date: metastatic disease
        ([_LIVER], Status.MET),
        ([{"code": "94222008", "system": "SNOMED", "onset": "2024-11-02"}], Status.MET),  # bone
        ([{**_LIVER, "onset": None}], Status.MET),
        # dated after the reference date: not yet
        ([{**_LIVER, "onset": "2025-04-01"}], Status.UNKNOWN),
        # lymph-node metastases may be regional (ICD-10 C77): no conclusion
        ([{"code": "C77.1", "system": "ICD-10", "onset": "2025-01-10"}], Status.UNKNOWN),
        ([], Status.UNKNOWN),
    ],
)
def test_a_record_of_distant_metastases(conditions: list[dict[str, Any]], expected: Status) -> None:
    patient = Patient.model_validate(
        {
            "id": "P",
            "diagnosis": {"text": "NSCLC", "stage": "IIB"},
            "conditions": conditions,
        }
    )
    item = read_item(METASTATIC, "inclusion")
    (extent,) = (r for r in item.rules if r.kind == "stage")
    item = item.model_copy(update={"rules": (extent,)})
    assert item_status(item, patient, as_of=AS_OF) is expected
    # the data manager's recorded extent decides over the records
    recorded = patient.model_copy(
        update={"diagnosis": patient.diagnosis.model_copy(update={"extent": "locally_advanced"})}
    )
    assert item_status(item, recorded, as_of=AS_OF) is Status.NOT_MET


def test_the_screen_says_what_is_missing() -> None:
    from oncotrial.eligibility.screening import screen_patient

    item = read_item(METASTATIC, "inclusion")
    result = screen_patient(Eligibility(inclusion=(item,)), _patient(stage="IIB"), as_of=AS_OF)
    (criterion,) = result.criteria
    missing = " ".join(m for r in criterion.rules for m in r.missing)
    assert "extent of the disease now (metastatic?)" in missing
    assert "stage IIB at diagnosis" in missing


_DIAGNOSES = st.fixed_dictionaries(
    {},
    optional={
        "extent": st.sampled_from(["localised", "locally_advanced", "metastatic"]),
        "stage": st.sampled_from(["IB", "IIB", "IIIA", "IV", "IVB", "Stage IVA"]),
        "m": st.sampled_from(["M0", "M1", "cM1a", "pM1c"]),
    },
)
_RULES = tuple(
    r.model_copy(update={"id": f"E{i}-1", "source": None})
    for i, text in enumerate((DOCUMENTED, METASTATIC, LOCALLY_ADVANCED), start=1)
    for r in read_item(text, "inclusion").rules
    if r.kind == "stage"
)


_CONDITIONS = st.none() | st.lists(
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(["C78.7", "C79.3", "C77.1", "I10"]),
            "system": st.just("ICD-10"),
            "onset": st.none() | st.sampled_from(["2024-06-01", "2025-03-01", "2025-05-01"]),
        }
    ),
    max_size=2,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.none() | _DIAGNOSES, _CONDITIONS), min_size=1, max_size=6))
def test_vectorised_equals_one_by_one(
    people: list[tuple[dict[str, Any] | None, list[dict[str, Any]] | None]],
) -> None:
    patients = [
        Patient.model_validate(
            {"id": f"P{i}"}
            | ({} if d is None else {"diagnosis": {"text": "NSCLC", **d}})
            | ({} if c is None else {"conditions": c})
        )
        for i, (d, c) in enumerate(people)
    ]
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)


HEADER = "patient_id,section,item,value,unit,date,end_date,low,high,code,system,category,line"


def test_patient_files_carry_the_extent(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        f"{HEADER}\nC1,diagnosis,condition,NSCLC,,,,,,,,,\nC1,diagnosis,stage,IIB,,,,,,,,,\n"
        "C1,diagnosis,extent,metastatic,,,,,,,,,\n",
        encoding="utf-8",
    )
    (patient,) = read_patient_file(path)
    assert patient.diagnosis is not None and patient.diagnosis.extent == "metastatic"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nC1,diagnosis,extent,spread,,,,,,,,,\n", encoding="utf-8")
    with pytest.raises((ValueProblem, SchemaError)) as info:
        read_patient_file(bad)
    assert info.value.file == str(bad) and info.value.record == "C1"
    assert "extent" in str(info.value)
