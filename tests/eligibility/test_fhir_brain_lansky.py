"""The FHIR reader fills a brain metastasis's status (treated, stable since) and reads Lansky
scores, so 'treated and stable' brain-metastasis rules and Lansky rules work from FHIR records
(issue 12).

- Treated: a Procedure that is radiotherapy or surgery (by its code or category, as mCODE's
  radiotherapy course summary, category SNOMED CT 108290001) whose reasonReference is the
  Condition.
- Stable since: mCODE's CancerDiseaseStatus (LOINC 97509-4, HL7/fhir-mCODE-ig input/fsh/
  SD_DiseaseStatus.fsh at b2de7ecfe4e9114df1e704783b6773384830b34f) whose focus is the
  Condition: the first of the latest run of 'stable' / 'improved' statuses; a latest 'worsened'
  leaves it unknown.
- Lansky: NCIt C38144 with an integer or an NCIt answer code (the paediatric cancer IG,
  standardhealth/ped-cancer-ig, profile pedcan-lansky-performance-status).

The bundles are made up in those profiles' shapes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.screening import Verdict, screen_patient
from oncotrial.formats.patients import read_patient_file

SCT = "http://snomed.info/sct"
LOINC = "http://loinc.org"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
PATIENT = {"reference": "Patient/p1"}
AS_OF = dt.date(2025, 3, 1)
STABLE, IMPROVED, WORSENED = "359746009", "268910001", "271299001"

BRAIN = {
    "resourceType": "Condition",
    "id": "bm1",
    "subject": PATIENT,
    "code": {"coding": [{"system": SCT, "code": "94225005"}]},
    "onsetDateTime": "2024-09-01",
}


def _radiotherapy(reason: str = "Condition/bm1", status: str = "completed") -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": "srs",
        "status": status,
        "subject": PATIENT,
        "category": {"coding": [{"system": SCT, "code": "108290001"}]},
        "code": {"text": "Stereotactic radiosurgery"},
        "performedDateTime": "2024-09-20",
        "reasonReference": [{"reference": reason}],
    }


def _status(day: str, answer: str, focus: str = "Condition/bm1") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"status-{day}",
        "status": "final",
        "subject": PATIENT,
        "code": {"coding": [{"system": LOINC, "code": "97509-4"}]},
        "focus": [{"reference": focus}],
        "effectiveDateTime": day,
        "valueCodeableConcept": {"coding": [{"system": SCT, "code": answer}]},
    }


def _bundle(tmp_path: Path, *resources: dict[str, Any]) -> Patient:
    entries = [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "gender": "female",
                "birthDate": "2015-05-01",
            }
        },
        *({"resource": r} for r in resources),
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    (patient,) = read_patient_file(path)
    return patient


def _brain(patient: Patient) -> Any:
    (record,) = patient.conditions or ()
    return record


def test_treated_and_stable_since_the_first_of_the_latest_stable_run(tmp_path: Path) -> None:
    record = _brain(
        _bundle(
            tmp_path,
            BRAIN,
            _radiotherapy(),
            _status("2024-10-01", WORSENED),
            _status("2024-11-15", STABLE),
            _status("2025-01-20", IMPROVED),
        )
    )
    assert record.treated is True
    assert record.stable_since == dt.date(2024, 11, 15)
    assert record.symptomatic is None  # not in the record: stays unknown


@pytest.mark.parametrize(
    ("resources", "treated", "since"),
    [
        # a worsened latest status: stability unknown, never 'stable'
        (
            (_radiotherapy(), _status("2024-11-15", STABLE), _status("2025-01-20", WORSENED)),
            True,
            None,
        ),
        # the procedure addresses another condition, or was not done
        ((_radiotherapy("Condition/other"),), None, None),
        ((_radiotherapy(status="not-done"),), None, None),
        # a status about another condition
        ((_status("2024-11-15", STABLE, focus="Condition/other"),), None, None),
    ],
)
def test_what_is_not_said_stays_unknown(
    tmp_path: Path, resources: tuple[dict[str, Any], ...], treated: bool | None, since: Any
) -> None:
    record = _brain(_bundle(tmp_path, BRAIN, *resources))
    assert (record.treated, record.stable_since) == (treated, since)


FULL = (
    "Known active brain metastases. Patients with treated brain metastases are eligible if "
    "radiologically stable for at least 4 weeks."
)


def _screen(text: str, patient: Patient, kind: str = "exclusion") -> Verdict:
    criterion = read_criterion(Criterion(id="E1", kind=CriterionKind(kind), text=text)).criterion
    eligibility = (
        Eligibility(exclusion=(criterion,))
        if kind == "exclusion"
        else Eligibility(inclusion=(criterion,))
    )
    return screen_patient(eligibility, patient, as_of=AS_OF).criteria[0].verdict


def test_a_treated_stable_metastasis_from_fhir_passes_and_an_untreated_one_fails(
    tmp_path: Path,
) -> None:
    stable = _bundle(tmp_path, BRAIN, _radiotherapy(), _status("2024-11-15", STABLE))
    assert _screen(FULL, stable) is Verdict.PASSES
    untreated_but_stable = _bundle(tmp_path, BRAIN, _status("2024-11-15", STABLE))
    assert _screen(FULL, untreated_but_stable) is Verdict.UNKNOWN  # treated not recorded
    worsening = _bundle(tmp_path, BRAIN, _radiotherapy(), _status("2025-02-01", WORSENED))
    assert _screen(FULL, worsening) is Verdict.UNKNOWN
    recent = _bundle(tmp_path, BRAIN, _radiotherapy(), _status("2025-02-20", STABLE))
    assert _screen(FULL, recent) is Verdict.FAILS  # stable for 9 days, not 4 weeks


def _lansky(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "lansky",
        "status": "final",
        "subject": PATIENT,
        "code": {"coding": [{"system": NCIT, "code": "C38144"}]},
        "effectiveDateTime": "2025-02-20",
        **value,
    }


@pytest.mark.parametrize(
    ("value", "score"),
    [
        ({"valueInteger": 70}, 70),
        ({"valueCodeableConcept": {"coding": [{"system": NCIT, "code": "C69422"}]}}, 60),
    ],
)
def test_a_lansky_score_is_read(tmp_path: Path, value: dict[str, Any], score: int) -> None:
    patient = _bundle(tmp_path, _lansky(value))
    (status,) = patient.performance_status
    assert (status.scale, status.score) == ("Lansky", score)
    verdict = _screen("Lansky ≥ 70", patient, "inclusion")
    assert verdict is (Verdict.PASSES if score >= 70 else Verdict.FAILS)
    # never taken for an ECOG score
    assert _screen("ECOG 0-1", patient, "inclusion") is Verdict.UNKNOWN
