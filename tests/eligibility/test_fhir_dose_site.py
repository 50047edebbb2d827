"""The FHIR reader fills the medication's daily dose (Dosage doseQuantity × timing) and the
procedure's body site (Procedure.bodySite), so the corticosteroid-dose and radiotherapy-site
rules work from FHIR records (issue 12 item 3).

Real examples, transcribed from their FHIR Shorthand to R4 JSON (the elements the reader uses;
identifiers, narrative and extensions left out):

- HL7/fhir-mCODE-ig input/pagecontent/MedicationRequest-cancer-related-medication-request-
  gefitinib-notes.md at 884145ee4326c3b27a573099c7f2c19ac38fa805: 250 mg once a day
  (frequency 1 per 1 d, timing code QD).
- HL7/fhir-mCODE-ig input/pagecontent/MedicationRequest-cancer-related-medication-request-
  paclitaxel-jenny-m-notes.md at e9552d375545c479c35f81d2669ea1448bcca2c0: 272.01 mg with no
  frequency (one dose per 3 weeks as a maximum): no daily dose.
- HL7/codex-radiation-therapy input/pagecontent/Procedure-RadiotherapyCourseSummary-XRTS-03-
  22B-01-Prostate-1P-3V-notes.md at 9879a75979c1936f90c6fcb80242d1acb3c0958a: a radiotherapy
  course (category SNOMED CT 108290001) to the prostate, the pelvic lymph nodes and the seminal
  vesicles.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.screening import screen_patient
from oncotrial.formats.patients import read_patient_file

SCT = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
PATIENT = {"reference": "Patient/cancer-patient-john-anyperson"}

GEFITINIB: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "cancer-related-medication-request-gefitinib",
    "status": "active",
    "intent": "order",
    "medicationCodeableConcept": {
        "coding": [{"system": RXNORM, "code": "349472", "display": "gefitinib 250 MG Oral Tablet"}]
    },
    "subject": PATIENT,
    "authoredOn": "2019-04-01",
    "dosageInstruction": [
        {
            "text": "250mg orally once daily with or without food",
            "timing": {
                "event": ["2019-04-01"],
                "repeat": {
                    "boundsPeriod": {"start": "2019-04-30"},
                    "frequency": 1,
                    "period": 1,
                    "periodUnit": "d",
                },
                "code": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
                            "code": "QD",
                        }
                    ]
                },
            },
            "route": {"coding": [{"system": SCT, "code": "26643006", "display": "Oral use"}]},
            "doseAndRate": [
                {
                    "doseQuantity": {
                        "value": 250,
                        "unit": "mg",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg",
                    }
                }
            ],
        }
    ],
}

PACLITAXEL: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "cancer-related-medication-request-paclitaxel-jenny-m",
    "status": "active",
    "intent": "order",
    "medicationCodeableConcept": {
        "coding": [{"system": RXNORM, "code": "56946", "display": "PACLitaxel"}]
    },
    "subject": PATIENT,
    "authoredOn": "2018-04-12",
    "dosageInstruction": [
        {
            "text": "PACLitaxel (175 mg/m² IV), 272.01mg",
            "timing": {"repeat": {"boundsPeriod": {"start": "2018-04-12"}}},
            "doseAndRate": [
                {
                    "doseQuantity": {
                        "value": 272.01,
                        "unit": "mg",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg",
                    }
                }
            ],
            "maxDosePerPeriod": {
                "numerator": {"value": 1},
                "denominator": {
                    "value": 3,
                    "unit": "week",
                    "system": "http://unitsofmeasure.org",
                    "code": "wk",
                },
            },
        }
    ],
}

PROSTATE_COURSE: dict[str, Any] = {
    "resourceType": "Procedure",
    "id": "RadiotherapyCourseSummary-XRTS-03-22B-01-Prostate-1P-3V",
    "status": "completed",
    "category": {"coding": [{"system": SCT, "code": "108290001"}]},
    "code": {"coding": [{"system": SCT, "code": "1217123003"}]},
    "subject": PATIENT,
    "performedPeriod": {"start": "2021-09-06T13:15:17+01:00", "end": "2021-09-10T13:21:17+01:00"},
    "bodySite": [
        {
            "coding": [
                {
                    "system": SCT,
                    "code": "41216001",
                    "display": "Prostatic structure (body structure)",
                }
            ]
        },
        {
            "coding": [
                {
                    "system": SCT,
                    "code": "245294005",
                    "display": "Pelvic lymph node group (body structure)",
                }
            ]
        },
        {"coding": [{"system": SCT, "code": "64739004", "display": "Seminal vesicle"}]},
    ],
}


def _bundle(tmp_path: Path, *resources: dict[str, Any]) -> Patient:
    entries = [
        {"resource": {"resourceType": "Patient", "id": "cancer-patient-john-anyperson"}},
        *({"resource": r} for r in resources),
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    (patient,) = read_patient_file(path)
    return patient


def test_the_daily_dose_of_a_real_medication_request(tmp_path: Path) -> None:
    (gefitinib,) = _bundle(tmp_path, GEFITINIB).medications or ()
    assert (gefitinib.dose, gefitinib.dose_unit, gefitinib.mg_per_day()) == (250, "mg/d", 250)


def test_no_daily_dose_without_a_frequency(tmp_path: Path) -> None:
    (paclitaxel,) = _bundle(tmp_path, PACLITAXEL).medications or ()
    assert (paclitaxel.dose, paclitaxel.dose_unit) == (None, None)


def _dosed(value: float, unit: str, **repeat: Any) -> dict[str, Any]:
    dosage = GEFITINIB["dosageInstruction"][0]
    timing = {"repeat": repeat} if repeat else {}
    return {
        **GEFITINIB,
        "medicationCodeableConcept": {"text": "prednisone"},
        "dosageInstruction": [
            {
                **dosage,
                "timing": timing,
                "doseAndRate": [{"doseQuantity": {"value": value, "code": unit}}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("resource", "mg_per_day"),
    [
        (_dosed(5, "mg", frequency=2, period=1, periodUnit="d"), 10.0),
        (_dosed(20, "mg", frequency=1, period=2, periodUnit="d"), 10.0),  # every other day
        (_dosed(0.5, "g", frequency=1, period=1, periodUnit="d"), 500.0),
        (_dosed(2.5, "mg", frequency=1, period=6, periodUnit="h"), 10.0),  # every 6 hours
        (_dosed(10, "mg", frequency=1, period=4, periodMax=6, periodUnit="h"), None),  # 4-6 h
        (_dosed(1, "TAB", frequency=1, period=1, periodUnit="d"), None),  # tablets, not mass
        (_dosed(1, "mg/kg", frequency=1, period=1, periodUnit="d"), None),  # per kilogram
        (_dosed(10, "mg"), None),  # no timing
        (
            {**_dosed(10, "mg", frequency=1, period=1, periodUnit="d")}
            | {
                "dosageInstruction": [
                    {
                        **_dosed(10, "mg", frequency=1, period=1, periodUnit="d")[
                            "dosageInstruction"
                        ][0],
                        "asNeededBoolean": True,
                    }
                ]
            },
            None,  # as needed: a maximum, not what was taken
        ),
    ],
)
def test_daily_doses(tmp_path: Path, resource: dict[str, Any], mg_per_day: float | None) -> None:
    (drug,) = _bundle(tmp_path, resource).medications or ()
    assert drug.mg_per_day() == (pytest.approx(mg_per_day) if mg_per_day is not None else None)


def test_a_steroid_dose_rule_from_fhir(tmp_path: Path) -> None:
    text = (
        "Current use of systemic corticosteroids at a dose > 10 mg/day of prednisone or equivalent"
    )
    criterion = read_criterion(
        Criterion(id="E1", kind=CriterionKind.EXCLUSION, text=text)
    ).criterion
    eligibility = Eligibility(exclusion=(criterion,))

    def status(resource: dict[str, Any]) -> Status:
        ongoing = {**resource, "dosageInstruction": resource["dosageInstruction"]}
        ongoing["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"] = {
            "start": "2025-01-01"
        }
        patient = _bundle(tmp_path, ongoing)
        (c,) = screen_patient(eligibility, patient, as_of=dt.date(2025, 3, 1)).criteria
        return c.status

    assert status(_dosed(10, "mg", frequency=2, period=1, periodUnit="d")) is Status.MET
    assert status(_dosed(5, "mg", frequency=2, period=1, periodUnit="d")) is Status.NOT_MET
    assert (
        status(_dosed(5, "mg", frequency=2, period=1, periodMax=2, periodUnit="d"))
        is Status.UNKNOWN
    )


def test_the_body_sites_of_a_real_radiotherapy_course(tmp_path: Path) -> None:
    procedures = _bundle(tmp_path, PROSTATE_COURSE).procedures or ()
    assert [(p.category, p.site) for p in procedures] == [
        ("radiotherapy", "prostate"),
        ("radiotherapy", "Pelvic lymph node group (body structure)"),
        ("radiotherapy", "Seminal vesicle"),
    ]
    patient = _bundle(tmp_path, PROSTATE_COURSE)
    for text, verdict in (
        ("Previous radiotherapy to the prostate", Status.MET),
        # the lungs were not treated, but two of the sites are words oncotrial does not place
        ("Prior radiation to the chest", Status.UNKNOWN),
    ):
        criterion = read_criterion(
            Criterion(id="E1", kind=CriterionKind.EXCLUSION, text=text)
        ).criterion
        (c,) = screen_patient(
            Eligibility(exclusion=(criterion,)), patient, as_of=dt.date(2025, 3, 1)
        ).criteria
        assert c.status is verdict, text
