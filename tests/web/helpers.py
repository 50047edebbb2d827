"""Patients and steps the web tests share: screen, register, randomize, assess."""

from __future__ import annotations

import json
from typing import Any


def lab(
    analyte: str, value: float, unit: str, date: str, low: float, high: float
) -> dict[str, Any]:
    return {
        "analyte": analyte,
        "value": value,
        "unit": unit,
        "date": date,
        "low": low,
        "high": high,
    }


def patient_001(pid: str = "P001") -> dict[str, Any]:
    """Eligible for seed 001 on every computable rule (a man of 68; first dose 2025-03-03)."""
    day = "2025-02-24"
    return {
        "id": pid,
        "sex": "male",
        "birth_date": "1956-06-15",
        "planned_first_dose": "2025-03-03",
        "performance_status": [{"scale": "ECOG", "score": 1, "date": "2025-02-20"}],
        "labs": [
            lab("neutrophils", 2.1, "10^9/L", day, 1.8, 6.3),
            lab("platelets", 180, "10^9/L", day, 125, 350),
            lab("hemoglobin", 120, "g/L", day, 130, 175),
            lab("creatinine", 80, "umol/L", day, 59, 104),
            lab("ast", 30, "U/L", day, 0, 40),
            lab("alt", 30, "U/L", day, 0, 40),
            lab("bilirubin", 12, "umol/L", day, 3.4, 20.5),
            lab("tsh", 2.1, "mIU/L", day, 0.27, 4.2),
            lab("ft3", 4.5, "pmol/L", day, 3.1, 6.8),
            lab("ft4", 15, "pmol/L", day, 12, 22),
        ],
        "vitals": [{"analyte": "weight", "value": 70, "unit": "kg", "date": "2025-02-20"}],
        "diagnosis": {"concept": "nsclc", "confirmed_by": "histology", "stage": "IVA"},
        "conditions": [],
        "medications": [],
        "procedures": [],
        "therapies": [
            {
                "line": 1,
                "drugs": ["carboplatin", "pemetrexed", "pembrolizumab"],
                "cycles": 4,
                "start": "2024-10-01",
                "end": "2025-01-05",
            }
        ],
        "lesions": [
            {"organ": "lung", "measurable": True, "complete_metabolic_response": False,
             "date": "2025-02-10"},
        ],
    }  # fmt: skip


def screen(client: Any, trial_id: str, record: dict[str, Any], consent: str = "2025-02-20") -> str:
    """Register and screen a patient; returns the subject id."""
    response = client.post(
        f"/t/{trial_id}/screening/",
        {"site": "01", "consent_date": consent, "record_text": json.dumps(record)},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    return response["Location"].rstrip("/").split("/")[-1]


def register_eligible(client: Any, trial_id: str, usubjid: str) -> None:
    url = f"/t/{trial_id}/screening/{usubjid}/"
    state = client.get(url + "?format=json").json()
    assert state["overall"] == "eligible", state["to_collect"]
    answers = {"action": "checklist"}
    for criterion in state["criteria"]:
        if criterion["verdict"] == "investigator":
            answers[f"answer:{criterion['id']}"] = "passes"
    assert client.post(url, answers).status_code == 302
    response = client.post(url, {"action": "eligible"})
    assert response.status_code == 302, response.content.decode()[-2000:]


def eligible_subject(client: Any, trial_id: str = "001", pid: str = "P001") -> str:
    usubjid = screen(client, trial_id, patient_001(pid))
    register_eligible(client, trial_id, usubjid)
    return usubjid


def generate_list(client: Any, trial_id: str = "001", seed: int = 12345, slots: int = 40) -> None:
    response = client.post(
        f"/t/{trial_id}/randomization/generate/",
        {"block_sizes": "4, 6", "seed": str(seed), "slots": str(slots)},
    )
    assert response.status_code == 302


def randomize(client: Any, trial_id: str, usubjid: str, date: str = "2025-03-01") -> dict[str, Any]:
    response = client.post(
        f"/t/{trial_id}/subjects/{usubjid}/randomize/?format=json", {"date": date}
    )
    assert response.status_code == 201, response.content.decode()[-2000:]
    return dict(response.json())


BASELINE = {
    "visit": "SCREENING",
    "date": "2025-02-25",
    "evaluator": "INVESTIGATOR",
    "method": "CT SCAN",
    "t-0-location": "LUNG",
    "t-0-laterality": "RIGHT",
    "t-0-value": "32",
    "t-1-location": "LYMPH NODE",
    "t-1-detail": "MEDIASTINAL",
    "t-1-value": "18",
    "nt-0-location": "LIVER",
}


def patient_002(pid: str = "P002") -> dict[str, Any]:
    """Eligible for seed 002 on every computable rule (a man of 68; first dose 2025-03-10)."""
    day = "2025-03-01"
    return {
        "id": pid,
        "sex": "male",
        "birth_date": "1956-06-15",
        "planned_first_dose": "2025-03-10",
        "performance_status": [{"scale": "ECOG", "score": 1, "date": "2025-02-25"}],
        "labs": [
            lab("neutrophils", 2.0, "10^9/L", day, 1.8, 6.3),
            lab("platelets", 150, "10^9/L", day, 125, 350),
            lab("hemoglobin", 120, "g/L", day, 130, 175),
            lab("bilirubin", 10, "umol/L", day, 3.4, 21),
            lab("alt", 30, "U/L", day, 0, 40),
            lab("ast", 30, "U/L", day, 0, 40),
            lab("albumin", 38, "g/L", day, 35, 50),
            lab("creatinine", 80, "umol/L", day, 59, 104),
            lab("aptt", 30, "s", day, 25, 35),
            lab("pt", 12, "s", day, 11, 13.5),
            lab("inr", 1.0, "{ratio}", day, 0.8, 1.2),
            {"analyte": "urine_protein_dipstick", "result": "negative", "date": day},
            lab("calcium_ionized", 1.2, "mmol/L", day, 1.1, 1.3),
            lab("calcium", 2.3, "mmol/L", day, 2.15, 2.55),
            lab("calcium_corrected", 2.3, "mmol/L", day, 2.15, 2.55),
        ],
        "vitals": [
            {"analyte": "weight", "value": 70, "unit": "kg", "date": "2025-02-25"},
            {"analyte": "qt", "value": 400, "unit": "ms", "date": "2025-02-25"},
            {"analyte": "heart_rate", "value": 60, "unit": "/min", "date": "2025-02-25"},
            {"analyte": "lvef", "value": 60, "unit": "%", "date": "2025-02-25"},
            {"analyte": "systolic_bp", "value": 130, "unit": "mmHg", "date": "2025-02-25"},
            {"analyte": "diastolic_bp", "value": 80, "unit": "mmHg", "date": "2025-02-25"},
        ],
        "diagnosis": {
            "concept": "nsclc", "confirmed_by": "histology", "stage": "IA2", "t": "T1b",
            "n": "N0", "m": "M0", "edition": 9, "tumour_size_mm": 18,
        },
        "biomarkers": [
            {"marker": m, "status": "not_detected", "date": "2025-01-20"}
            for m in ("EGFR", "ALK", "ROS1")
        ],
        "lesions": [{"organ": "lung", "measurable": True, "date": "2025-02-20"}],
        "conditions": [],
        "medications": [],
        "procedures": [],
    }  # fmt: skip
