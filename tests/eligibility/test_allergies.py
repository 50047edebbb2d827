"""Hypersensitivity to named drugs: the allergy record (JSON, CSV, FHIR AllergyIntolerance), the
allergy rule (met / not met / unknown, per patient and vectorised), its reading.

The phrasings are real registry text from the development corpus, jwlieb/clinical-trial-agent
data/demo/results/*/trials.json @387df17 (387df1768929a7cefaa15dfbd4d9ca3dcddd3fde), by NCT id.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.evaluate import Context, evaluate_rule
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import AllergyRule, NotRule
from oncotrial.errors import ValueProblem
from oncotrial.formats.patients import read_patient_file
from oncotrial.prescreen.concepts import map_eligibility

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item
from .random_patients import AS_OF, random_patients, with_allergies

PEMBROLIZUMAB = AllergyRule(
    kind="allergy", id="E1-1", description="x", substances=("pembrolizumab",)
)
EXCIPIENTS = PEMBROLIZUMAB.model_copy(update={"excipients": True})
SEVERE = PEMBROLIZUMAB.model_copy(update={"min_grade": 3})


def patient(*allergies: dict[str, Any] | str) -> Patient:
    records = [{"text": a} if isinstance(a, str) else a for a in allergies]
    return Patient.model_validate({"id": "P1", "allergies": records})


def status(rule: AllergyRule, p: Patient) -> Status:
    return evaluate_rule(rule, Context(p, AS_OF, None)).status


# ---------------------------------------------------------------- semantics


def test_no_list_is_unknown_an_empty_list_not_met() -> None:
    result = evaluate_rule(PEMBROLIZUMAB, Context(Patient(id="P"), AS_OF, None))
    assert result.status is Status.UNKNOWN
    assert "allergies and intolerances" in result.missing[0]
    assert status(PEMBROLIZUMAB, patient()) is Status.NOT_MET
    assert status(EXCIPIENTS, patient()) is Status.NOT_MET


@pytest.mark.parametrize(
    "name", ["pembrolizumab", "Keytruda", {"code": "L01FF02", "system": "ATC"}]
)
def test_an_allergy_to_the_drug_is_met(name: Any) -> None:
    p = patient(name)
    assert status(PEMBROLIZUMAB, p) is Status.MET
    assert status(EXCIPIENTS, p) is Status.MET


def test_another_drug_is_not_met_unless_excipients_are_named() -> None:
    p = patient("carboplatin")
    assert status(PEMBROLIZUMAB, p) is Status.NOT_MET
    # what pembrolizumab's product holds is not in oncotrial's vocabulary
    result = evaluate_rule(EXCIPIENTS, Context(p, AS_OF, None))
    assert result.status is Status.UNKNOWN and "excipient" in result.missing[0]


def test_a_substance_oncotrial_does_not_know_is_unknown() -> None:
    # "penicillin" is no concept: it may be pembrolizumab under a name oncotrial does not know
    assert status(PEMBROLIZUMAB, patient("penicillin")) is Status.UNKNOWN
    assert status(PEMBROLIZUMAB, patient({"code": "1547545", "system": "RxNorm"})) is Status.UNKNOWN
    # a class naming no drug of it: which anti-PD-1 antibody?
    assert status(PEMBROLIZUMAB, patient("anti-PD-1 antibody")) is Status.UNKNOWN


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"grade": 3}, Status.MET),
        ({"grade": 4}, Status.MET),
        ({"grade": 2}, Status.NOT_MET),
        ({"severity": "severe"}, Status.MET),  # CTCAE v5.0: grade 3 is severe
        ({"severity": "moderate"}, Status.NOT_MET),
        ({"severity": "mild"}, Status.NOT_MET),
        ({}, Status.UNKNOWN),
        ({"criticality": "high"}, Status.UNKNOWN),  # a risk of harm, not a past reaction's grade
    ],
)
def test_severity(fields: dict[str, Any], expected: Status) -> None:
    assert status(SEVERE, patient({"text": "pembrolizumab", **fields})) is expected


def test_a_mild_reaction_to_anything_is_no_severe_allergy_to_an_excipient() -> None:
    severe_excipients = SEVERE.model_copy(update={"excipients": True})
    assert status(severe_excipients, patient({"text": "penicillin", "grade": 1})) is Status.NOT_MET
    assert status(severe_excipients, patient({"text": "penicillin"})) is Status.UNKNOWN


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"verification_status": "refuted"}, Status.NOT_MET),
        ({"verification_status": "entered-in-error"}, Status.NOT_MET),
        ({"verification_status": "unconfirmed"}, Status.UNKNOWN),
        ({"verification_status": "confirmed"}, Status.MET),
        ({"clinical_status": "resolved"}, Status.UNKNOWN),
        ({"clinical_status": "active"}, Status.MET),
        ({"type": "intolerance"}, Status.UNKNOWN),
        ({"date": "2025-03-10"}, Status.NOT_MET),  # after the reference date: not baseline
    ],
)
def test_standing_of_the_record(fields: dict[str, Any], expected: Status) -> None:
    assert status(PEMBROLIZUMAB, patient({"text": "pembrolizumab", **fields})) is expected


def test_a_met_record_decides_over_an_unknown_one() -> None:
    p = patient("penicillin", "Keytruda")
    result = evaluate_rule(EXCIPIENTS, Context(p, AS_OF, None))
    assert result.status is Status.MET and result.evidence[0].value == "Keytruda"


def test_a_class_rule_is_met_by_a_drug_of_the_class() -> None:
    platinum = AllergyRule(
        kind="allergy", id="E1-1", description="x", substances=("platinum_chemotherapy",)
    )
    assert status(platinum, patient("carboplatin")) is Status.MET
    assert status(platinum, patient("pemetrexed")) is Status.NOT_MET
    assert status(platinum, patient("chemotherapy")) is Status.UNKNOWN


def test_unknown_therapy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown therapy 'study_drug'"):
        AllergyRule(kind="allergy", id="E1-1", description="x", substances=("study_drug",))


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("nct", "text", "substances", "excipients", "grade"),
    [
        (
            "NCT04317534",
            "Has severe hypersensitivity (≥Grade 3) to pembrolizumab and/or any of its excipients.",
            ("pembrolizumab",),
            True,
            3,
        ),
        (
            "NCT06343402",
            "Patients with a known hypersensitivity to pembrolizumab or its excipients",
            ("pembrolizumab",),
            True,
            None,
        ),
        (
            "NCT06131840",
            "History of allergic reactions or hypersensitivity to bevacizumab or any of its "
            "excipients.",
            ("bevacizumab",),
            True,
            None,
        ),
        (
            "NCT06525766",
            "History of severe hypersensitivity reactions to fluorouracil or capecitabine",
            ("fluorouracil", "capecitabine"),
            False,
            3,
        ),
        (
            "NCT05733715",
            "Has severe hypersensitivity (≥Grade 3) to pembrolizumab or lenvatinib and/or any of "
            "their excipients.",
            ("pembrolizumab", "lenvatinib"),
            True,
            3,
        ),
        (
            "NCT04991025",
            "Hypersensitivity to platinum agents",
            ("platinum_chemotherapy",),
            False,
            None,
        ),
        (
            "NCT00600210",  # tests/eligibility/corpus/tuning_round5.json, E34
            "History of severe allergic reactions to cisplatin or other platinum-containing "
            "compounds.",
            ("cisplatin", "platinum_chemotherapy"),
            False,
            3,
        ),
        (
            "NCT04995003",
            "Severe hypersensitivity (≥Grade 3) to pembrolizumab or nivolumab or any of their "
            "excipients",
            ("pembrolizumab", "nivolumab"),
            True,
            3,
        ),
    ],
)
def test_reading_exclusions(
    nct: str, text: str, substances: tuple[str, ...], excipients: bool, grade: int | None
) -> None:
    item = read_item(text)
    assert not item.unread, nct
    (rule,) = item.rules
    assert isinstance(rule, AllergyRule), nct
    assert (rule.substances, rule.excipients, rule.min_grade) == (substances, excipients, grade)


def test_reading_a_negated_inclusion() -> None:
    # NCT05929768 I10
    item = read_item(
        "Participants must not have severe hypersensitivity (\\>= grade 3) to pembrolizumab or "
        "any of its excipients",
        "inclusion",
    )
    assert not item.unread
    (rule,) = item.rules
    assert isinstance(rule, NotRule) and isinstance(rule.rule, AllergyRule)
    assert rule.rule.min_grade == 3 and rule.rule.excipients
    assert item_status(item, patient("carboplatin"), as_of=AS_OF) is Status.UNKNOWN
    assert item_status(item, patient(), as_of=AS_OF) is Status.MET
    assert item_status(item, patient({"text": "Keytruda", "grade": 3}), as_of=AS_OF) is (
        Status.NOT_MET
    )


@pytest.mark.parametrize(
    ("nct", "text", "unread"),
    [
        # 'and' between drugs: one of them, or both?
        (
            "NCT05319015",
            "Has severe hypersensitivity (≥Grade 3) to pembrolizumab and lenvatinib and/or any "
            "of its excipients.",
            "and lenvatinib",
        ),
        ("NCT03803553", "Hypersensitivity to nivolumab or any of is excipients", "is excipients"),
        (
            "NCT06463665",
            "Known hypersensitivity to carboplatin, cisplatin, paclitaxel or nab-paclitaxel, "
            "docetaxel, or any of the constituents of Olvi-Vec (i.e., gentamicin).",
            "nab-paclitaxel",
        ),
        ("NCT05838391", "Prior allergic reaction to 5-Fluorouracil or mitomycin C.", "mitomycin"),
        # an expected hypersensitivity is a judgement
        (
            "NCT05870579",
            "Known or expected hypersensitivity to any of the study drugs or any of "
            "their excipients.",
            "Known or expected",
        ),
    ],
)
def test_partly_read_items_quote_the_rest(nct: str, text: str, unread: str) -> None:
    item = read_item(text)
    assert item.rules and any(unread in u for u in item.unread), (nct, item.unread)


@pytest.mark.parametrize(
    ("nct", "text"),
    [
        # an intolerance beside the allergy: not the hypersensitivity the rule reads
        (
            "NCT06520345",
            "Has known allergies, hypersensitivity, or intolerance to the investigational drug "
            "or its excipients.",
        ),
        # a judgement of similarity, and a class oncotrial has no concept of
        (
            "NCT03586453",
            "History of allergic reactions attributed to compounds, or any of its excipients, of "
            "similar chemical or biologic composition to osimertinib.",
        ),
        ("NCT06843551", "History of severe hypersensitivity reaction to monoclonal antibody."),
        ("NCT06263543", "History of an anaphylactic reaction to irinotecan."),
    ],
)
def test_not_read(nct: str, text: str) -> None:
    item = read_item(text)
    assert not any(isinstance(r, AllergyRule) for r in item.rules), nct
    assert not item.rules or item.unread, nct


# ---------------------------------------------------------------- the study drugs

STUDY_DRUGS = [
    (
        "NCT06780085 E7",
        "Has known severe hypersensitivity (≥Grade 3) to study intervention and/or "
        "any of its excipients",
    ),
    (
        "NCT04802759 E24",
        "Known allergy or hypersensitivity to any of the study drugs or any of their excipients",
    ),
    (
        "NCT04820179 E31",
        "Previously identified allergy or hypersensitivity to components of the "
        "study treatment formulations.",
    ),
    ("NCT04119024 E2", "Previously known hypersensitivity to any of the agents used in this study"),
    (
        "NCT04499053 E17",  # the excipients named by the study drug
        "Known allergy or hypersensitivity to any of the study drugs or any of the study drug "
        "excipients.",
    ),
]


@pytest.mark.parametrize(("nct", "text"), STUDY_DRUGS)
def test_the_study_drugs_are_read_and_never_named(nct: str, text: str) -> None:
    item = read_item(text)
    (rule,) = item.rules
    assert isinstance(rule, AllergyRule) and rule.study_drugs and not rule.substances, nct
    assert not item.unread, (nct, item.unread)
    assert "the study drug(s)" in rule.named


def test_the_study_drugs_are_unknown_on_any_allergy_and_not_met_on_none() -> None:
    # the protocol's products are not named: any recorded allergy may be to one of them
    item = read_item("Known hypersensitivity to any of the study drugs or any of their excipients")
    assert item_status(item, patient(), as_of=AS_OF) is Status.NOT_MET
    assert item_status(item, Patient(id="P"), as_of=AS_OF) is Status.UNKNOWN
    for record in ("penicillin", "pembrolizumab", {"text": "cisplatin", "grade": 1}):
        assert item_status(item, patient(record), as_of=AS_OF) is Status.UNKNOWN, record
    refuted = {"text": "penicillin", "verification_status": "refuted"}
    assert item_status(item, patient(refuted), as_of=AS_OF) is Status.NOT_MET
    named = read_item("Known hypersensitivity to pembrolizumab or any of the study drugs")
    assert item_status(named, patient("Keytruda"), as_of=AS_OF) is Status.MET


def test_a_rule_names_something() -> None:
    with pytest.raises(ValueError, match="name the substances"):
        AllergyRule(kind="allergy", id="E1-1", description="x")


def test_exclusion_statuses_in_both_paths() -> None:
    item = read_item(
        "Has severe hypersensitivity (≥Grade 3) to pembrolizumab and/or any of its excipients."
    )
    assert item_status(item, patient(), as_of=AS_OF) is Status.NOT_MET
    assert item_status(item, Patient(id="P"), as_of=AS_OF) is Status.UNKNOWN
    assert item_status(item, patient({"text": "Keytruda", "severity": "severe"}), as_of=AS_OF) is (
        Status.MET
    )
    assert item_status(item, patient({"text": "Keytruda", "grade": 2}), as_of=AS_OF) is (
        Status.NOT_MET
    )


# ---------------------------------------------------------------- batch agrees


def test_batch_agrees_with_the_patient_screen() -> None:
    patients = with_allergies(random_patients(300, seed=5))
    platinum = AllergyRule(
        kind="allergy",
        id="x",
        description="x",
        substances=("platinum_chemotherapy", "nivolumab"),
        min_grade=3,
    )
    rules = [
        PEMBROLIZUMAB,
        EXCIPIENTS,
        SEVERE,
        SEVERE.model_copy(update={"excipients": True}),
        platinum,
        AllergyRule(kind="allergy", id="x", description="x", study_drugs=True, excipients=True),
    ]
    rules = [r.model_copy(update={"id": f"E{i}-1"}) for i, r in enumerate(rules, start=1)]
    inner = EXCIPIENTS.model_copy(update={"id": "E7-1.1"})
    rules.append(NotRule(kind="not", id="E7-1", description="x", rule=inner))
    assert_each_rule_equal_in_both_paths(patients, rules, as_of=AS_OF)
    seen = {status(PEMBROLIZUMAB, p) for p in patients} | {status(SEVERE, p) for p in patients}
    assert seen == {Status.MET, Status.NOT_MET, Status.UNKNOWN}


def test_prescreening_leaves_the_rule_unmapped() -> None:
    from oncotrial.eligibility.criteria import Eligibility

    item = read_item("Hypersensitivity to pembrolizumab or any of its excipients")
    _, unmapped = map_eligibility(Eligibility(exclusion=(item,)))
    assert [u.rule_id for u in unmapped] == ["E1-1"] and "allergy" in unmapped[0].reason


# ---------------------------------------------------------------- patient files


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_json_record(tmp_path: Path) -> None:
    data = {
        "id": "P1",
        "allergies": [
            {"name": "Keytruda", "grade": 3, "date": "2024-01-02"},
            {"text": "penicillin", "severity": "mild", "verification_status": "refuted"},
        ],
    }
    (p,) = read_patient_file(write(tmp_path, "p.json", data))
    assert p.allergies is not None and [a.record for a in p.allergies] == [
        "allergies[0]",
        "allergies[1]",
    ]
    assert status(SEVERE, p) is Status.MET
    (empty,) = read_patient_file(write(tmp_path, "e.json", {"id": "P2", "allergies": []}))
    assert empty.allergies == ()
    (none,) = read_patient_file(write(tmp_path, "n.json", {"id": "P3"}))
    assert none.allergies is None


def test_json_errors_name_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", {"id": "P1", "allergies": [{"text": "x", "grade": 7}]})
    with pytest.raises(ValueProblem) as info:
        read_patient_file(path)
    assert (info.value.file, info.value.record, info.value.field) == (
        str(path),
        "P1",
        "allergies[0].grade",
    )


CSV = """patient_id,section,item,value,date,code,system,category
P1,allergy,Keytruda,grade 3,2024-01-02,,,confirmed
P1,allergy,carboplatin,severe,,,,resolved
P2,allergy,none,,,,,
P3,patient,sex,female,,,,
"""


def test_csv_rows(tmp_path: Path) -> None:
    p1, p2, p3 = read_patient_file(write(tmp_path, "p.csv", CSV))
    assert p1.allergies is not None
    first, second = p1.allergies
    assert (first.grade, first.verification_status, first.date) == (
        3,
        "confirmed",
        dt.date(2024, 1, 2),
    )
    assert (second.severity, second.clinical_status) == ("severe", "resolved")
    assert p2.allergies == () and p3.allergies is None


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("P1,allergy,Keytruda,,,,,dubious", "line 2: category", "unknown allergy status"),
        ("P1,allergy,Keytruda,grave,,,,", "line 2: allergy.severity", "Input should be"),
    ],
)
def test_csv_errors(tmp_path: Path, row: str, field: str, message: str) -> None:
    path = write(
        tmp_path, "p.csv", "patient_id,section,item,value,date,code,system,category\n" + row
    )
    with pytest.raises(ValueProblem) as info:
        read_patient_file(path)
    assert (info.value.file, info.value.record, info.value.field) == (str(path), "P1", field)
    assert message in str(info.value)


def _allergy(rid: str, **fields: Any) -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "AllergyIntolerance",
            "id": rid,
            "patient": {"reference": "Patient/p1"},
            **fields,
        }
    }


def _bundle(*entries: dict[str, Any]) -> dict[str, Any]:
    person = {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female"}}
    return {"resourceType": "Bundle", "type": "collection", "entry": [person, *entries]}


_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"


def test_fhir_allergy_intolerance(tmp_path: Path) -> None:
    bundle = _bundle(
        _allergy(
            "a1",
            code={"coding": [{"system": "http://www.whocc.no/atc", "code": "L01FF02"}]},
            clinicalStatus={"coding": [{"system": _CLINICAL, "code": "active"}]},
            verificationStatus={"coding": [{"system": _VERIFICATION, "code": "confirmed"}]},
            criticality="high",
            type="allergy",
            reaction=[
                {"manifestation": [{"text": "rash"}], "severity": "mild"},
                {"manifestation": [{"text": "anaphylaxis"}], "severity": "severe"},
            ],
            onsetDateTime="2024-02-03",
        ),
        _allergy(
            "a2",
            code={"text": "carboplatin"},
            verificationStatus={"coding": [{"system": _VERIFICATION, "code": "entered-in-error"}]},
        ),
    )
    (p,) = read_patient_file(write(tmp_path, "b.json", bundle))
    assert p.allergies is not None
    (record,) = p.allergies  # the one entered in error is no record
    assert (record.code, record.severity, record.criticality, record.record) == (
        "L01FF02",
        "severe",
        "high",
        "AllergyIntolerance/a1",
    )
    assert status(SEVERE, p) is Status.MET


def test_fhir_no_known_allergy_and_no_resource(tmp_path: Path) -> None:
    nka = _allergy(
        "n",
        code={"coding": [{"system": "http://snomed.info/sct", "code": "716186003"}]},
    )
    (p,) = read_patient_file(write(tmp_path, "b.json", _bundle(nka)))
    assert p.allergies == ()
    assert status(EXCIPIENTS, p) is Status.NOT_MET
    (q,) = read_patient_file(write(tmp_path, "c.json", _bundle()))
    assert q.allergies is None


def test_fhir_bad_status(tmp_path: Path) -> None:
    bad = _allergy(
        "a1",
        code={"text": "Keytruda"},
        clinicalStatus={"coding": [{"system": _CLINICAL, "code": "remission"}]},
    )
    path = write(tmp_path, "b.json", _bundle(bad))
    with pytest.raises(ValueProblem) as info:
        read_patient_file(path)
    assert (info.value.file, info.value.record) == (str(path), "p1")
    assert info.value.field == "AllergyIntolerance/a1: clinicalStatus"


def test_fhir_allergy_without_a_substance_is_unknown(tmp_path: Path) -> None:
    bundle = _bundle(_allergy("a1", reaction=[{"manifestation": [{"text": "hives"}]}]))
    (p,) = read_patient_file(write(tmp_path, "b.json", bundle))
    result = evaluate_rule(PEMBROLIZUMAB, Context(p, AS_OF, None))
    assert result.status is Status.UNKNOWN
    assert "a substance not named" in result.missing[0]
