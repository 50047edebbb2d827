"""Patient records: JSON, CSV (one fact per row) and FHIR R4 bundles; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.screening import Overall, screen_patient
from oncotrial.errors import DictionaryError, FormatError, InputError, SchemaError, ValueProblem
from oncotrial.formats.patients import read_patient_file, read_patient_folder

from .builders import AS_OF_002, patient_002, rule, seed_eligibility


def write(tmp_path: Path, name: str, content: str | dict | list) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def json_record() -> dict:
    data = patient_002()
    labs = [
        o
        for o in data.pop("observations")
        if o["analyte"] not in {"weight", "qt", "heart_rate", "lvef", "systolic_bp", "diastolic_bp"}
    ]
    vitals = [
        {"loinc": "29463-7", "value": 70, "unit": "kg", "date": "2025-02-25"},
        {"analyte": "qt", "value": 400, "unit": "msec", "date": "2025-02-25"},
        {"analyte": "heart_rate", "value": 60, "unit": "bpm", "date": "2025-02-25"},
        {"analyte": "lvef", "value": 60, "unit": "%", "date": "2025-02-25"},
        {"analyte": "systolic_bp", "value": 130, "unit": "mmHg", "date": "2025-02-25"},
        {"analyte": "diastolic_bp", "value": 80, "unit": "mmHg", "date": "2025-02-25"},
    ]
    return {**data, "labs": labs, "vitals": vitals}


def test_json_record(tmp_path: Path) -> None:
    (patient,) = read_patient_file(write(tmp_path, "p.json", json_record()))
    assert patient.id == "P002" and patient.sex == "male"
    weight = next(o for o in patient.observations if o.analyte == "weight")
    assert weight.record == "vitals[0]" and weight.loinc == "29463-7"
    result = screen_patient(seed_eligibility("002"), patient, as_of=AS_OF_002)
    assert result.overall is Overall.ELIGIBLE
    assert rule(result, "I8-1").evidence[0].record == "labs[0]"


def test_json_list_of_patients(tmp_path: Path) -> None:
    first, second = json_record(), {**json_record(), "id": "P003"}
    patients = read_patient_file(write(tmp_path, "p.json", {"patients": [first, second]}))
    assert [p.id for p in patients] == ["P002", "P003"]


@pytest.mark.parametrize(
    ("change", "error", "field", "message"),
    [
        (lambda d: d["labs"][0].update(unit="10^9/mL"), DictionaryError, None, None),
        (
            lambda d: d["labs"][0].update(unit="furlong"),
            ValueProblem,
            "labs[0]",
            "unknown unit 'furlong'",
        ),
        (
            lambda d: d["labs"][3].update(unit="U/L"),
            ValueProblem,
            "labs[3]",
            "cannot be converted to umol/L",
        ),
        (lambda d: d["labs"][0].pop("date"), ValueProblem, "labs[0].date", "Field required"),
        (
            lambda d: d["labs"][0].update(analyte="ferritin"),
            ValueProblem,
            "labs[0]",
            "unknown analyte 'ferritin'",
        ),
        (lambda d: d.update(weight=70), SchemaError, "weight", "unknown field(s) weight"),
        (lambda d: d.pop("id"), SchemaError, "id", "the patient record has no 'id'"),
        (
            lambda d: d["performance_status"][0].update(score=7),
            ValueProblem,
            "performance_status[0]",
            "ECOG scores run from 0 to 5",
        ),
    ],
)
def test_json_errors_name_file_record_and_field(
    tmp_path: Path, change, error, field, message
) -> None:
    data = json_record()
    change(data)
    path = write(tmp_path, "p.json", data)
    if error is DictionaryError:  # 10^9/mL is not a unit oncotrial accepts
        with pytest.raises(InputError) as info:
            read_patient_file(path)
        assert "unknown unit '10^9/mL'" in str(info.value)
        return
    with pytest.raises(error) as info:
        read_patient_file(path)
    assert info.value.file == str(path)
    assert info.value.field == field
    assert message in str(info.value)
    if field != "id":
        assert info.value.record == "P002"


def test_not_json(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not valid JSON"):
        read_patient_file(write(tmp_path, "p.json", "{ not json"))
    with pytest.raises(InputError, match="file not found"):
        read_patient_file(tmp_path / "missing.json")


CSV = """patient_id,section,item,value,unit,date,end_date,low,high,code,system,category,line
C1,patient,sex,female,,,,,,,,,
C1,patient,birth_date,1960-01-31,,,,,,,,,
C1,patient,planned_first_dose,2025-03-10,,,,,,,,,
C1,performance_status,ECOG,1,,2025-02-25,,,,,,,
C1,lab,751-8,"1,500",/mm^3,2025-03-01,,,,,,,
C1,lab,alt,110,U/L,2025-03-01,,0,40,,,,
C1,lab,urine_protein_dipstick,trace,,2025-03-01,,,,,,,
C1,vital,weight,61,kg,2025-02-25,,,,,,,
C1,diagnosis,condition,Non-small cell lung cancer,,,,,,254637007,SNOMED,,
C1,diagnosis,confirmed_by,cytology,,,,,,,,,
C1,diagnosis,stage,IA3,,,,,,,,,
C1,condition,Liver metastases,,,2024-12-01,,,,,,,
C1,medication,none,,,,,,,,,,
C1,therapy,carboplatin + pemetrexed + pembrolizumab,4,,2024-09-01,2024-12-15,,,,,,1
C1,procedure,SBRT,,,2025-01-15,,,,,,radical_radiotherapy,
C1,biomarker,EGFR,negative,,2025-01-10,,,,,,,
C1,biomarker,PD-L1,60,,2025-01-10,,,,,,,
C1,lesion,lung,measurable,,2025-02-20,,,,,,no,
C2,patient,sex,male,,,,,,,,,
"""


def test_csv_one_fact_per_row(tmp_path: Path) -> None:
    c1, c2 = read_patient_file(write(tmp_path, "p.csv", CSV))
    assert c1.id == "C1" and c2.id == "C2"
    anc = next(o for o in c1.observations if o.analyte == "neutrophils")
    assert anc.value == 1500 and anc.unit == "/mm^3" and anc.record == "line 6"
    assert c1.medications == ()  # 'none' declares the list complete and empty
    assert c1.conditions is not None and c1.conditions[0].text == "Liver metastases"
    assert c1.therapies is not None and c1.therapies[0].cycles == 4 and c1.therapies[0].line == 1
    assert [d.text for d in c1.therapies[0].drugs] == ["carboplatin", "pemetrexed", "pembrolizumab"]
    assert c1.procedures is not None and c1.procedures[0].category == "radical_radiotherapy"
    assert c1.biomarkers is not None and c1.biomarkers[0].status == "not_detected"
    assert c1.biomarkers[1].value == 60
    assert c1.lesions is not None and c1.lesions[0].measurable is True
    assert c1.lesions[0].complete_metabolic_response is False
    # an NSCLC is also a lung cancer (concepts_oncology.CANCER_IMPLIED)
    assert c1.diagnosis is not None
    # an NSCLC is a lung cancer and a solid tumour (concepts_cancers.CANCER_IMPLIED)
    assert c1.diagnosis.concepts("condition") == {"nsclc", "lung_cancer", "solid_tumour"}
    assert c2.medications is None and c2.observations == ()  # not provided: unknown
    result = screen_patient(seed_eligibility("002"), c1, as_of=AS_OF_002)
    assert rule(result, "E11-1").status is Status.MET  # radical radiotherapy 2025-01-15


@pytest.mark.parametrize(
    ("row", "error", "message"),
    [
        ("C1,labs,alt,1,U/L,2025-01-01,,,,,,,", ValueProblem, "unknown section 'labs'"),
        ("C1,lab,alt,1,furlong,2025-01-01,,,,,,,", ValueProblem, "unknown unit 'furlong'"),
        ("C1,lab,alt,x1,U/L,2025-01-01,,,,,,,", ValueProblem, "needs a numeric value"),
        ("C1,lesion,lung,perhaps,,,,,,,,,", ValueProblem, "expected yes or no"),
        ("C1,biomarker,EGFR,unclear,,,,,,,,,", ValueProblem, "unknown biomarker result 'unclear'"),
    ],
)
def test_csv_errors(tmp_path: Path, row: str, error: type, message: str) -> None:
    header = CSV.splitlines()[0]
    path = write(tmp_path, "p.csv", f"{header}\n{row}\n")
    with pytest.raises(error) as info:
        read_patient_file(path)
    assert message in str(info.value)
    assert info.value.file == str(path) and info.value.record == "C1"
    assert info.value.field is not None and info.value.field.startswith("line 2")


def test_csv_missing_column(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="missing column"):
        read_patient_file(write(tmp_path, "p.csv", "patient_id,item\nC1,x\n"))


def fhir_bundle() -> dict:
    def obs(code: str, value: float, unit: str, day: str, high: float | None = None) -> dict:
        resource = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": "Patient/f1"},
            "effectiveDateTime": f"{day}T08:30:00+08:00",
            "valueQuantity": {
                "value": value,
                "unit": unit,
                "system": "http://unitsofmeasure.org",
                "code": unit,
            },
        }
        if high is not None:
            resource["referenceRange"] = [{"high": {"value": high, "code": unit}}]
        return {"resource": resource}

    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:f1",
                "resource": {
                    "resourceType": "Patient",
                    "id": "f1",
                    "gender": "female",
                    "birthDate": "1958-04-02",
                },
            },
            obs("751-8", 1.5, "10*9/L", "2025-03-01"),
            obs("777-3", 150, "10*9/L", "2025-03-01"),
            obs("718-7", 9.0, "g/dL", "2025-03-01"),
            obs("1742-6", 35, "U/L", "2025-03-01", 40),
            obs("14682-9", 70, "umol/L", "2025-03-01", 97),
            obs("29463-7", 58, "kg", "2025-02-25"),
            obs("8634-8", 430, "ms", "2025-02-25"),
            obs("8867-4", 72, "/min", "2025-02-25"),
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "89247-1"}]},
                    "subject": {"reference": "urn:uuid:f1"},
                    "effectiveDateTime": "2025-02-25",
                    "valueCodeableConcept": {
                        "coding": [{"system": "http://loinc.org", "code": "LA9623-5"}]
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2106-3"}]},
                    "subject": {"reference": "Patient/f1"},
                    "effectiveDateTime": "2025-03-01",
                    "valueCodeableConcept": {"text": "Negative"},
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "EGFR mutation analysis"},
                    "subject": {"reference": "Patient/f1"},
                    "effectiveDateTime": "2025-01-10",
                    "valueCodeableConcept": {"text": "Not detected"},
                }
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "code": {
                        "coding": [
                            {
                                "system": "http://snomed.info/sct",
                                "code": "254637007",
                                "display": "Non-small cell lung cancer",
                            }
                        ]
                    },
                    "subject": {"reference": "Patient/f1"},
                    "onsetDateTime": "2025-01-05",
                    "evidence": [{"code": [{"text": "Histology of lung biopsy"}]}],
                    "stage": [{"summary": {"text": "Stage IA2"}}],
                }
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "code": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "C78.7"}]
                    },
                    "subject": {"reference": "Patient/f1"},
                    "onsetDateTime": "2025-01-05",
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "completed",
                    "medicationCodeableConcept": {
                        "coding": [{"system": "http://www.whocc.no/atc", "code": "L01FF02"}],
                        "text": "Pembrolizumab",
                    },
                    "subject": {"reference": "Patient/f1"},
                    "effectivePeriod": {"start": "2023-01-01", "end": "2023-06-30"},
                }
            },
            {
                "resource": {
                    "resourceType": "Immunization",
                    "status": "completed",
                    "vaccineCode": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "21"}]
                    },
                    "patient": {"reference": "Patient/f1"},
                    "occurrenceDateTime": "2025-02-20",
                }
            },
            {
                "resource": {
                    "resourceType": "Procedure",
                    "status": "completed",
                    "code": {"text": "Right upper lobectomy"},
                    "category": {"text": "Major surgery"},
                    "subject": {"reference": "Patient/f1"},
                    "performedDateTime": "2024-12-01",
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
                    "subject": {"reference": "Patient/f1"},
                    "effectiveDateTime": "2025-03-01",
                    "valueQuantity": {"value": 5.1, "unit": "mmol/L"},
                }
            },
        ],
    }


def test_fhir_bundle(tmp_path: Path) -> None:
    (patient,) = read_patient_file(write(tmp_path, "bundle.json", fhir_bundle()))
    assert patient.id == "f1" and patient.sex == "female"
    anc = next(o for o in patient.observations if o.analyte == "neutrophils")
    assert anc.unit == "10*9/L" and anc.date.isoformat() == "2025-03-01"
    assert anc.record is not None and anc.record.startswith("Observation/")
    assert patient.performance_status[0].score == 1
    assert patient.diagnosis is not None and patient.diagnosis.stage == "IA2"
    assert patient.diagnosis.confirmed_by == "histology"
    assert not any(o.loinc == "2345-7" for o in patient.observations)  # glucose: no rule uses it
    result = screen_patient(seed_eligibility("002"), patient, as_of=AS_OF_002)
    assert rule(result, "I8-1").status is Status.MET  # 1.5 × 10^9/L exactly
    assert rule(result, "I8-13").status is Status.MET  # negative pregnancy test
    assert rule(result, "I4-1").status is Status.MET  # EGFR not detected
    assert rule(result, "E2-1").status is Status.MET  # pembrolizumab (ATC L01FF02)
    assert rule(result, "E10-1").status is Status.MET  # varicella vaccine (CVX 21) 18 days before
    assert rule(result, "E14-1").status is Status.NOT_MET  # major surgery 99 days before
    assert result.overall is Overall.NOT_ELIGIBLE and "E2" in result.failing


def test_fhir_bundle_with_two_patients(tmp_path: Path) -> None:
    bundle = fhir_bundle()
    bundle["entry"].append({"resource": {"resourceType": "Patient", "id": "f2", "gender": "male"}})
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "751-8"}]},
                "subject": {"reference": "Patient/f2"},
                "effectiveDateTime": "2025-03-02",
                "valueQuantity": {"value": 900, "unit": "/uL", "code": "/uL"},
            }
        }
    )
    f1, f2 = read_patient_file(write(tmp_path, "bundle.json", bundle))
    assert len([o for o in f1.observations if o.analyte == "neutrophils"]) == 1
    assert [o.value for o in f2.observations] == [900]
    assert f2.conditions is None and f2.medications is None  # not in the bundle for f2


def test_fhir_errors(tmp_path: Path) -> None:
    bundle = fhir_bundle()
    bundle["entry"][1]["resource"]["valueQuantity"]["code"] = "10*9/mL"
    bundle["entry"][1]["resource"]["valueQuantity"]["unit"] = "10*9/mL"
    path = write(tmp_path, "bundle.json", bundle)
    with pytest.raises(ValueProblem) as info:
        read_patient_file(path)
    assert info.value.record == "f1" and info.value.field.startswith("Observation/")
    with pytest.raises(SchemaError, match="holds no Patient"):
        read_patient_file(
            write(
                tmp_path, "b2.json", {"resourceType": "Bundle", "type": "collection", "entry": []}
            )
        )
    with pytest.raises(SchemaError, match="not a Bundle"):
        read_patient_file(write(tmp_path, "b3.json", {"resourceType": "Patient", "id": "x"}))


def test_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.json", json_record())
    write(tmp_path, "b.csv", CSV)
    write(tmp_path, "c.json", fhir_bundle())
    write(tmp_path, "notes.txt", "ignored")
    assert [p.id for p in read_patient_folder(tmp_path)] == ["P002", "C1", "C2", "f1"]
    write(tmp_path, "d.json", json_record())
    with pytest.raises(ValueProblem, match=r"patient id 'P002' is also in a\.json"):
        read_patient_folder(tmp_path)
