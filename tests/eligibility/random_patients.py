"""Random patients for comparing the vectorised screen with the one-by-one screen.

Values are drawn around the seeds' thresholds (1.5 × 10^9/L, 2.5 and 5 × ULN, clearance 50
mL/min, QTcF 450/470 ms), dates around the windows (14 days, 28 days, 3 and 6 months), in mixed
units, with sections sometimes missing, so that every branch of every rule is visited.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from oncotrial.eligibility.patient import AllergyRecord, Patient

AS_OF = dt.date(2025, 3, 1)

_LABS: list[tuple[str, list[tuple[str, float]], tuple[float, float]]] = [
    # analyte, [(unit, factor from the base unit)], (low, high) of the base value
    (
        "neutrophils",
        [("10^9/L", 1.0), ("/mm^3", 1000.0), ("/uL", 1000.0), ("G/L", 1.0)],
        (1.0, 2.0),
    ),
    ("platelets", [("10^9/L", 1.0), ("/mm^3", 1000.0)], (60.0, 120.0)),
    ("hemoglobin", [("g/L", 1.0), ("g/dL", 0.1)], (80.0, 100.0)),
    ("creatinine", [("mg/dL", 1.0), ("umol/L", 88.40169731258840)], (0.6, 1.8)),
    ("ast", [("U/L", 1.0), ("IU/L", 1.0)], (20.0, 230.0)),
    ("alt", [("U/L", 1.0)], (20.0, 230.0)),
    ("bilirubin", [("umol/L", 1.0), ("mg/dL", 1 / 17.103957855847845)], (5.0, 60.0)),
    ("albumin", [("g/L", 1.0), ("g/dL", 0.1)], (25.0, 40.0)),
    ("aptt", [("s", 1.0)], (25.0, 60.0)),
    ("pt", [("s", 1.0)], (10.0, 20.0)),
    ("inr", [("{ratio}", 1.0)], (0.8, 2.0)),
    ("tsh", [("mIU/L", 1.0), ("uIU/mL", 1.0)], (0.1, 6.0)),
    ("ft3", [("pmol/L", 1.0)], (2.5, 8.0)),
    ("ft4", [("pmol/L", 1.0)], (9.0, 26.0)),
    ("urine_protein_24h", [("g/24h", 1.0)], (0.2, 1.5)),
    ("calcium_ionized", [("mmol/L", 1.0)], (1.1, 1.7)),
    ("calcium", [("mmol/L", 1.0), ("mg/dL", 4.0078)], (2.1, 3.2)),
    ("calcium_corrected", [("mmol/L", 1.0)], (2.1, 2.9)),
    ("weight", [("kg", 1.0), ("lb", 2.2046226218487757)], (40.0, 100.0)),
    ("height", [("cm", 1.0), ("m", 0.01)], (150.0, 190.0)),
    ("fev1_predicted", [("%", 1.0)], (30.0, 110.0)),
    ("marrow_blasts", [("%", 1.0)], (0.0, 12.0)),
    ("cd4", [("/uL", 1.0), ("/mm^3", 1.0)], (100.0, 600.0)),
    ("heart_rate", [("/min", 1.0), ("bpm", 1.0)], (50.0, 110.0)),
    ("qt", [("ms", 1.0)], (340.0, 480.0)),
    ("rr_interval", [("ms", 1.0), ("s", 0.001)], (550.0, 1200.0)),
    ("creatinine_clearance_measured", [("mL/min", 1.0)], (30.0, 90.0)),
    ("systolic_bp", [("mmHg", 1.0)], (110.0, 175.0)),
    ("diastolic_bp", [("mmHg", 1.0)], (60.0, 110.0)),
    ("lvef", [("%", 1.0)], (40.0, 70.0)),
]
_RANGES = {
    "ast": (0.0, 40.0),
    "alt": (0.0, 40.0),
    "bilirubin": (3.4, 20.5),
    "creatinine": (0.6, 1.2),
    "aptt": (25.0, 35.0),
    "pt": (11.0, 13.5),
    "inr": (0.8, 1.2),
    "tsh": (0.27, 4.2),
    "ft3": (3.1, 6.8),
    "ft4": (12.0, 22.0),
    "calcium_corrected": (2.15, 2.55),
}
_EDGES = {"neutrophils": 1.5, "platelets": 100.0, "hemoglobin": 90.0, "albumin": 30.0}


def _day(rng: random.Random, spread: int = 120) -> dt.date:
    return AS_OF - dt.timedelta(
        days=rng.choice(
            [0, 1, 13, 14, 15, 27, 28, 29, 89, 92, 181, 183, rng.randrange(0, spread), -3]
        )
    )


def _maybe(rng: random.Random, p: float = 0.8) -> bool:
    return rng.random() < p


def random_patient(rng: random.Random, index: int) -> Patient:
    data: dict[str, Any] = {"id": f"R{index:04d}"}
    if _maybe(rng, 0.9):
        data["sex"] = rng.choice(["female", "male"])
    if _maybe(rng, 0.9):
        data["birth_date"] = dt.date(
            rng.choice([1940, 1955, 1960, 2007, 2008]), rng.randint(1, 12), rng.randint(1, 28)
        )
    if _maybe(rng, 0.5):
        data["consent_date"] = AS_OF - dt.timedelta(days=rng.randint(0, 10))
    if _maybe(rng, 0.5):
        data["planned_first_dose"] = AS_OF + dt.timedelta(days=rng.choice([0, 1, 5, 14]))
    scores = []
    for _ in range(rng.randint(0, 2)):
        scale = rng.choice(["ECOG", "ECOG", "Karnofsky", "Lansky"])
        score = rng.randint(0, 3) if scale == "ECOG" else rng.choice([40, 50, 60, 70, 80, 90])
        scores.append({"scale": scale, "score": score, "date": _day(rng)})
    data["performance_status"] = tuple(scores)
    observations = []
    for analyte, units, (low, high) in _LABS:
        for _ in range(rng.choice([0, 1, 1, 2])):
            base = rng.uniform(low, high)
            if analyte in _EDGES and _maybe(rng, 0.3):
                base = _EDGES[analyte]
            unit, factor = rng.choice(units)
            item: dict[str, Any] = {
                "analyte": analyte,
                "value": round(base * factor, 6),
                "unit": unit,
                "date": _day(rng),
            }
            if analyte in _RANGES and _maybe(rng, 0.85):
                lo, hi = _RANGES[analyte]
                item["low"], item["high"] = lo * factor, hi * factor
            observations.append(item)
    for analyte, results in (
        ("urine_protein_dipstick", ["negative", "trace", "1+", "2+", "3+"]),
        ("hcg", ["negative", "positive"]),
        ("hcv_rna_detected", ["not detected", "detected", "negative"]),
        ("hiv_rna_detected", ["undetectable", "positive", "negative"]),
    ):
        for _ in range(rng.choice([0, 1])):
            observations.append(
                {"analyte": analyte, "result": rng.choice(results), "date": _day(rng)}
            )
    if _maybe(rng, 0.3):  # an ECG: QT and heart rate on the same day
        day = _day(rng)
        observations.append(
            {"analyte": "qt", "value": rng.uniform(380, 480), "unit": "ms", "date": day}
        )
        observations.append(
            {"analyte": "heart_rate", "value": rng.uniform(50, 100), "unit": "/min", "date": day}
        )
    if _maybe(rng, 0.3):  # an ECG reporting its RR interval instead of (or besides) the rate
        day = _day(rng)
        observations.append(
            {"analyte": "qt", "value": rng.uniform(380, 480), "unit": "ms", "date": day}
        )
        observations.append(
            {"analyte": "rr_interval", "value": rng.uniform(600, 1200), "unit": "ms", "date": day}
        )
    data["observations"] = tuple(observations)
    if _maybe(rng, 0.85):
        data["diagnosis"] = {
            "concept": rng.choice(["nsclc", "nsclc", "nsclc", None]),
            "text": rng.choice([None, "lung carcinoma"]),
            "confirmed_by": rng.choice(["histology", "cytology", None]),
            "date": _day(rng, 400),
            "stage": rng.choice(["IA1", "IA2", "IA3", "IB", "IIIB", "IVA", None]),
            "t": rng.choice(["T1a", "T1c", "cT1b", "T2a", None]),
            "n": rng.choice(["N0", "N1", None]),
            "m": rng.choice(["M0", "M1a", None]),
            "edition": rng.choice([8, 9, None]),
            "tumour_size_mm": rng.choice([None, 10.0, 10.5, 25.0, 30.0, 31.0]),
        }
    if _maybe(rng):
        data["conditions"] = tuple(
            {
                "text": rng.choice(
                    [
                        "Liver metastases",
                        "Gilbert's syndrome",
                        "Hypertension",
                        "Interstitial lung disease",
                        "HIV",
                        "DVT",
                        "ground-glass nodule",
                        "pregnant",
                        "breastfeeding",
                        "brain metastases",
                        "rheumatoid arthritis",
                        "vitiligo",
                        "Hashimoto thyroiditis",
                        "pneumonitis",
                    ]
                ),
                "onset": rng.choice([None, _day(rng, 300)]),
                "abatement": rng.choice([None, None, _day(rng, 60)]),
            }
            | rng.choice([{}, {"code": "I21.4", "system": "ICD-10", "text": "NSTEMI"}])
            for _ in range(rng.randint(0, 3))
        )
    if _maybe(rng):
        data["medications"] = tuple(
            {
                "text": rng.choice(
                    [
                        "pembrolizumab",
                        "MMR vaccine",
                        "warfarin",
                        "aspirin",
                        "filgrastim",
                        "amoxicillin",
                        "paracetamol",
                        "levothyroxine",
                    ]
                ),
                "start": rng.choice([None, _day(rng, 200)]),
                "end": rng.choice([None, _day(rng, 30)]),
            }
            | rng.choice(
                [{}, {"code": "J01CA04", "system": "ATC"}, {"code": "03", "system": "CVX"}]
            )
            for _ in range(rng.randint(0, 3))
        )
    if _maybe(rng, 0.7):
        data["therapies"] = tuple(
            {
                "line": rng.choice([1, 1, 2, None]),
                "drugs": [
                    {"text": d}
                    for d in rng.choice(
                        [
                            ["carboplatin", "pemetrexed", "pembrolizumab"],
                            ["cisplatin", "docetaxel"],
                            ["carboplatin", "paclitaxel", "tislelizumab"],
                        ]
                    )
                ],
                "cycles": rng.choice([None, 3, 4, 6, 7]),
                "start": _day(rng, 300),
                "end": rng.choice([None, _day(rng, 60)]),
            }
            for _ in range(rng.randint(0, 2))
        )
    if _maybe(rng):
        data["procedures"] = tuple(
            {
                "text": rng.choice(["lobectomy", "SBRT", "transfusion", "biopsy"]),
                "category": rng.choice(
                    ["major_surgery", "radical_radiotherapy", "transfusion", None]
                ),
                "date": rng.choice([None, _day(rng, 200)]),
            }
            for _ in range(rng.randint(0, 2))
        )
    if _maybe(rng):
        data["biomarkers"] = tuple(
            {
                "marker": rng.choice(["EGFR", "ALK", "ROS1", "egfr"]),
                "status": rng.choice(["detected", "not_detected", "failed", None]),
                "value": None,
                "date": rng.choice([None, _day(rng, 200)]),
            }
            for _ in range(rng.randint(0, 3))
        )
        data["biomarkers"] = tuple(
            b
            if b["status"]
            else {**b, "marker": "PD-L1", "value": float(rng.choice([0, 1, 49, 50, 80]))}
            for b in data["biomarkers"]
        )
    if _maybe(rng):
        day = _day(rng, 60)
        data["lesions"] = tuple(
            {
                "organ": rng.choice(["lung", "Liver", "liver", "bone", "brain"]),
                "measurable": rng.choice([True, False, None]),
                "complete_metabolic_response": rng.choice([True, False, False, None]),
                "date": rng.choice([day, day, None, _day(rng, 90)]),
            }
            for _ in range(rng.randint(0, 7))
        )
    return Patient.model_validate(data)


def random_patients(count: int, seed: int = 7) -> list[Patient]:
    rng = random.Random(seed)
    return [random_patient(rng, i) for i in range(count)]


_SUBSTANCES: list[dict[str, Any]] = [
    {"text": "pembrolizumab"},
    {"text": "Keytruda"},
    {"text": "carboplatin"},
    {"text": "penicillin"},
    {"text": "chemotherapy"},
    {"code": "L01FF01", "system": "ATC"},
    {"code": "1547545", "system": "RxNorm"},
]


def with_allergies(patients: list[Patient], seed: int = 3) -> list[Patient]:
    """The patients with random allergy lists (absent, empty, or records of every kind), drawn
    with a generator of their own: the other sections of ``random_patients`` stay as they are."""
    rng = random.Random(seed)
    out = []
    for p in patients:
        if rng.random() < 0.2:
            out.append(p)
            continue
        records = [
            AllergyRecord.model_validate(
                rng.choice(_SUBSTANCES)
                | {
                    "grade": rng.choice([None, None, 1, 2, 3, 4]),
                    "severity": rng.choice([None, "mild", "moderate", "severe"]),
                    "clinical_status": rng.choice([None, None, "active", "resolved"]),
                    "verification_status": rng.choice([None, None, "confirmed", "refuted"]),
                    "type": rng.choice([None, None, "allergy", "intolerance"]),
                    "date": rng.choice([None, dt.date(2024, 5, 1), dt.date(2025, 6, 1)]),
                }
            )
            for _ in range(rng.randint(0, 3))
        ]
        out.append(p.model_copy(update={"allergies": tuple(records)}))
    return out
