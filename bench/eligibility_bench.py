"""Eligibility screening speed: 100,000 synthetic patients against trial 002's reviewed rules.

The vectorised screen (``oncotrial.eligibility.batch.screen_frames``) against its peer in the
same run: screening the same patients one by one with ``screen_patient`` (the evidence-giving
path). The one-by-one peer runs on a sample (default 2,000 patients) and is scaled to the full
count, because screening 100,000 one by one takes minutes; ``--all`` runs it on everyone. The
sample's statuses from both paths are compared criterion by criterion before any time is shown.

    .venv/bin/python bench/eligibility_bench.py            # 100,000 patients, sample 2,000
    .venv/bin/python bench/eligibility_bench.py --quick    # 5,000 patients, sample 300
    .venv/bin/python bench/eligibility_bench.py --all      # one by one on all 100,000 too

The synthetic patients are drawn around 002's thresholds (labs near their limits, in mixed
units, some older than the 14-day window; ECG, history, biomarkers, stage and lesions), so that
every kind of rule is evaluated and the verdicts are mixed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.eligibility.batch import screen_frames
from oncotrial.eligibility.batch_frames import EPOCH, PatientFrames, day_number
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.screening import screen_patient
from oncotrial.formats.protocol_files import bundled_protocols

AS_OF = dt.date(2025, 3, 1)
FIRST_DOSE = dt.date(2025, 3, 10)

# analyte, unit choices (unit, factor from the first unit), centre, spread, reference (low, high)
LABS: list[tuple[str, list[tuple[str, float]], float, float, tuple[float, float] | None]] = [
    ("neutrophils", [("10^9/L", 1.0), ("/mm^3", 1000.0), ("/uL", 1000.0)], 2.6, 1.0, (1.8, 6.3)),
    ("platelets", [("10^9/L", 1.0), ("/mm^3", 1000.0)], 190, 70, (125, 350)),
    ("hemoglobin", [("g/L", 1.0), ("g/dL", 0.1)], 125, 20, (130, 175)),
    ("bilirubin", [("umol/L", 1.0), ("mg/dL", 1 / 17.103957855847845)], 14, 9, (3.4, 21)),
    ("alt", [("U/L", 1.0), ("IU/L", 1.0)], 35, 40, (0, 40)),
    ("ast", [("U/L", 1.0)], 35, 40, (0, 40)),
    ("albumin", [("g/L", 1.0), ("g/dL", 0.1)], 38, 5, (35, 50)),
    ("creatinine", [("umol/L", 1.0), ("mg/dL", 1 / 88.4016973125884)], 95, 35, (59, 104)),
    ("aptt", [("s", 1.0)], 31, 6, (25, 35)),
    ("pt", [("s", 1.0)], 12.5, 2, (11, 13.5)),
    ("inr", [("{ratio}", 1.0)], 1.05, 0.2, (0.8, 1.2)),
    ("calcium_ionized", [("mmol/L", 1.0)], 1.25, 0.12, (1.1, 1.3)),
    ("calcium", [("mmol/L", 1.0), ("mg/dL", 4.0078)], 2.35, 0.3, (2.15, 2.55)),
    ("calcium_corrected", [("mmol/L", 1.0)], 2.35, 0.2, (2.15, 2.55)),
    ("weight", [("kg", 1.0), ("lb", 2.2046226218487757)], 66, 12, None),
    ("qt", [("ms", 1.0)], 410, 25, None),
    ("heart_rate", [("/min", 1.0)], 75, 12, None),
    ("lvef", [("%", 1.0)], 60, 7, None),
    ("systolic_bp", [("mmHg", 1.0)], 135, 15, None),
    ("diastolic_bp", [("mmHg", 1.0)], 82, 10, None),
]
DIPSTICK = np.array(["negative", "trace", "1+", "2+", "3+"], dtype=object)
STAGES = np.array(["IA1", "IA2", "IA3", "IB", "IIA"], dtype=object)


def synthetic(n: int, seed: int = 2025) -> dict[str, Any]:
    """Columns describing n patients (one value per patient and field)."""
    rng = np.random.default_rng(seed)
    first = day_number(FIRST_DOSE)
    cols: dict[str, Any] = {
        "id": np.array([f"S{i:06d}" for i in range(n)], dtype=object),
        "female": rng.random(n) < 0.4,
        "birth": first - rng.integers(40 * 365, 85 * 365, n),
        "ecog": rng.choice([0, 1, 2, 3], n, p=[0.3, 0.45, 0.2, 0.05]),
        "stage": rng.choice(STAGES, n, p=[0.3, 0.3, 0.25, 0.1, 0.05]),
        "edition": rng.choice([9, 9, 9, 8], n),
        "size": np.round(rng.uniform(8, 34, n), 1),
        "confirmed": rng.choice(
            np.array(["histology", "cytology", None], dtype=object), n, p=[0.7, 0.25, 0.05]
        ),
        "egfr": rng.choice(
            np.array(["not_detected", "detected", "failed"], dtype=object), n, p=[0.85, 0.12, 0.03]
        ),
        "lesion_day": first - rng.integers(0, 40, n),
        "dipstick": rng.choice(DIPSTICK, n, p=[0.6, 0.2, 0.12, 0.06, 0.02]),
        "hcg_negative": rng.random(n) < 0.98,
        "ici": rng.random(n) < 0.04,
        "vaccine_day": np.where(rng.random(n) < 0.03, first - rng.integers(0, 60, n), np.nan),
        "surgery_day": np.where(rng.random(n) < 0.05, first - rng.integers(0, 90, n), np.nan),
        "liver_mets": rng.random(n) < 0.05,
    }
    for analyte, units, centre, spread, reference in LABS:
        values = np.abs(rng.normal(centre, spread, n))
        choice = rng.integers(0, len(units), n)
        factor = np.array([f for _, f in units])[choice]
        cols[f"{analyte}:value"] = values * factor
        cols[f"{analyte}:unit"] = np.array([u for u, _ in units], dtype=object)[choice]
        cols[f"{analyte}:factor"] = factor
        # most labs are recent; some are 15-20 days old (outside the 14-day window)
        cols[f"{analyte}:day"] = first - np.where(
            rng.random(n) < 0.92, rng.integers(1, 14, n), rng.integers(15, 21, n)
        )
        cols[f"{analyte}:range"] = reference
    return cols


def _date(day: float) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def to_frames(cols: dict[str, Any]) -> PatientFrames:
    """The synthetic columns as long tables, built column-wise (no per-patient loop)."""
    n = len(cols["id"])
    idx = np.arange(n)
    patients = pd.DataFrame(
        {
            "id": cols["id"],
            "sex": np.where(cols["female"], "female", "male"),
            "birth": cols["birth"].astype(float),
            "consent": np.full(n, np.nan),
            "first_dose": np.full(n, day_number(FIRST_DOSE)),
            "has_conditions": True,
            "has_medications": True,
            "has_therapies": False,
            "has_procedures": True,
            "has_biomarkers": True,
            "has_lesions": True,
        }
    )
    obs = []
    for order, (analyte, _, _, _, reference) in enumerate(LABS):
        factor = cols[f"{analyte}:factor"]
        obs.append(
            pd.DataFrame(
                {
                    "patient": idx,
                    "analyte": analyte,
                    "value": cols[f"{analyte}:value"],
                    "result": None,
                    "unit": cols[f"{analyte}:unit"],
                    "date": cols[f"{analyte}:day"].astype(float),
                    "low": reference[0] * factor if reference else np.nan,
                    "high": reference[1] * factor if reference else np.nan,
                    "range_unit": None,
                    "order": order,
                }
            )
        )
    lab_day = cols["neutrophils:day"].astype(float)
    obs.append(
        pd.DataFrame(
            {
                "patient": idx,
                "analyte": "urine_protein_dipstick",
                "value": np.nan,
                "result": cols["dipstick"],
                "unit": None,
                "date": lab_day,
                "low": np.nan,
                "high": np.nan,
                "range_unit": None,
                "order": 90,
            }
        )
    )
    women = idx[cols["female"]]
    obs.append(
        pd.DataFrame(
            {
                "patient": women,
                "analyte": "hcg",
                "value": np.nan,
                "result": np.where(cols["hcg_negative"][women], "negative", "positive"),
                "unit": None,
                "date": lab_day[women],
                "low": np.nan,
                "high": np.nan,
                "range_unit": None,
                "order": 91,
            }
        )
    )
    observations = pd.concat(obs, ignore_index=True)
    observations.loc[observations["analyte"] == "heart_rate", "date"] = observations.loc[
        observations["analyte"] == "qt", "date"
    ].to_numpy()  # QT and rate from the same ECG
    performance = pd.DataFrame(
        {
            "patient": idx,
            "scale": "ECOG",
            "score": cols["ecog"],
            "date": day_number(AS_OF),
            "order": 0,
        }
    )
    diagnosis = pd.DataFrame(
        {
            "patient": idx,
            "confirmed_by": cols["confirmed"],
            "stage": cols["stage"],
            "t": "T1b",
            "n": "N0",
            "m": "M0",
            "edition": cols["edition"],
            "size_mm": cols["size"],
            "date": day_number(dt.date(2025, 1, 5)),
        }
    )
    diagnosis_concepts = pd.DataFrame({"patient": idx, "concept": "nsclc"})
    mets = idx[cols["liver_mets"]]
    conditions = pd.concat(
        [
            pd.DataFrame(
                {
                    "patient": mets,
                    "concept": "liver_metastases",
                    "onset": day_number(dt.date(2024, 12, 1)),
                    "abatement": np.nan,
                }
            ),
            pd.DataFrame(
                {
                    "patient": idx,
                    "concept": "nsclc",
                    "onset": day_number(dt.date(2025, 1, 5)),
                    "abatement": np.nan,
                }
            ),
        ],
        ignore_index=True,
    )
    ici = idx[cols["ici"]]
    vaccinated = idx[~np.isnan(cols["vaccine_day"])]
    exposures = pd.concat(
        [
            pd.DataFrame(
                {
                    "patient": ici,
                    "therapy": "immune_checkpoint_inhibitor",
                    "start": day_number(dt.date(2023, 1, 1)),
                    "end": day_number(dt.date(2023, 6, 1)),
                }
            ),
            pd.DataFrame(
                {
                    "patient": vaccinated,
                    "therapy": "live_vaccine",
                    "start": cols["vaccine_day"][vaccinated],
                    "end": cols["vaccine_day"][vaccinated],
                }
            ),
        ],
        ignore_index=True,
    )
    operated = idx[~np.isnan(cols["surgery_day"])]
    procedures = pd.concat(
        [
            pd.DataFrame(
                {"patient": operated, "procedure": p, "date": cols["surgery_day"][operated]}
            )
            for p in ("major_surgery", "surgery")
        ],
        ignore_index=True,
    )
    biomarkers = pd.concat(
        [
            pd.DataFrame(
                {
                    "patient": idx,
                    "marker": "EGFR",
                    "status": cols["egfr"],
                    "value": np.nan,
                    "date": day_number(dt.date(2025, 1, 20)),
                    "order": 0,
                }
            ),
            *[
                pd.DataFrame(
                    {
                        "patient": idx,
                        "marker": m,
                        "status": "not_detected",
                        "value": np.nan,
                        "date": day_number(dt.date(2025, 1, 20)),
                        "order": k,
                    }
                )
                for k, m in enumerate(("ALK", "ROS1"), 1)
            ],
        ],
        ignore_index=True,
    )
    lesions = pd.DataFrame(
        {
            "patient": idx,
            "organ": "lung",
            "measurable": 1.0,
            "cmr": np.nan,
            "date": cols["lesion_day"].astype(float),
        }
    )
    empty = {
        "lines": pd.DataFrame({"patient": [], "line_id": [], "line": [], "cycles": []}),
        "line_classes": pd.DataFrame({"line_id": [], "therapy": []}),
    }
    return PatientFrames(
        patients,
        observations,
        performance,
        diagnosis,
        diagnosis_concepts,
        conditions,
        exposures,
        procedures,
        biomarkers=biomarkers,
        lesions=lesions,
        **empty,
    )


def to_patient(cols: dict[str, Any], i: int) -> Patient:
    """Patient ``i`` of the synthetic columns as a record (for the one-by-one peer)."""
    labs = []
    for analyte, _, _, _, reference in LABS:
        item: dict[str, Any] = {
            "analyte": analyte,
            "value": float(cols[f"{analyte}:value"][i]),
            "unit": cols[f"{analyte}:unit"][i],
            "date": _date(cols[f"{analyte}:day"][i]),
        }
        if reference:
            factor = float(cols[f"{analyte}:factor"][i])
            item["low"], item["high"] = reference[0] * factor, reference[1] * factor
        labs.append(item)
    qt_day = next(o["date"] for o in labs if o["analyte"] == "qt")
    next(o for o in labs if o["analyte"] == "heart_rate")["date"] = qt_day
    lab_day = _date(cols["neutrophils:day"][i])
    labs.append(
        {"analyte": "urine_protein_dipstick", "result": cols["dipstick"][i], "date": lab_day}
    )
    if cols["female"][i]:
        labs.append(
            {
                "analyte": "hcg",
                "date": lab_day,
                "result": "negative" if cols["hcg_negative"][i] else "positive",
            }
        )
    medications = []
    if cols["ici"][i]:
        medications.append(
            {"concept": "immune_checkpoint_inhibitor", "start": "2023-01-01", "end": "2023-06-01"}
        )
    if not np.isnan(cols["vaccine_day"][i]):
        day = _date(cols["vaccine_day"][i])
        medications.append({"concept": "live_vaccine", "start": day, "end": day})
    procedures = []
    if not np.isnan(cols["surgery_day"][i]):
        procedures.append({"category": "major_surgery", "date": _date(cols["surgery_day"][i])})
    return Patient.model_validate(
        {
            "id": cols["id"][i],
            "sex": "female" if cols["female"][i] else "male",
            "birth_date": _date(cols["birth"][i]),
            "planned_first_dose": FIRST_DOSE,
            "performance_status": [{"scale": "ECOG", "score": int(cols["ecog"][i]), "date": AS_OF}],
            "observations": labs,
            "diagnosis": {
                "concept": "nsclc",
                "confirmed_by": cols["confirmed"][i],
                "stage": cols["stage"][i],
                "t": "T1b",
                "n": "N0",
                "m": "M0",
                "edition": int(cols["edition"][i]),
                "tumour_size_mm": float(cols["size"][i]),
                "date": "2025-01-05",
            },
            "conditions": [{"concept": "liver_metastases", "onset": "2024-12-01"}]
            if cols["liver_mets"][i]
            else [],
            "medications": medications,
            "procedures": procedures,
            "biomarkers": [
                {"marker": "EGFR", "status": cols["egfr"][i], "date": "2025-01-20"},
                {"marker": "ALK", "status": "not_detected", "date": "2025-01-20"},
                {"marker": "ROS1", "status": "not_detected", "date": "2025-01-20"},
            ],
            "lesions": [
                {"organ": "lung", "measurable": True, "date": _date(cols["lesion_day"][i])}
            ],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true", help="5,000 patients, sample 300")
    parser.add_argument("--all", action="store_true", help="screen everyone one by one too")
    args = parser.parse_args()
    n, sample = (5_000, 300) if args.quick else (args.patients, args.sample)
    if args.all:
        sample = n
    (protocol,) = [p for p in bundled_protocols() if p.identity.local_id == "002"]
    eligibility = protocol.eligibility
    rules = sum(len(c.rules) for c in eligibility.criteria)
    print(f"trial 002: {len(eligibility.criteria)} criteria, {rules} top-level rules")

    start = time.perf_counter()
    cols = synthetic(n)
    frames = to_frames(cols)
    print(
        f"generated {n:,} patients ({len(frames.observations):,} lab rows) "
        f"in {time.perf_counter() - start:.2f} s (not timed below)"
    )

    screen_frames(eligibility, to_frames(synthetic(200, seed=1)), as_of=AS_OF)  # warm caches
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        table = screen_frames(eligibility, frames, as_of=AS_OF)
        timings.append(time.perf_counter() - start)
    vectorised = min(timings)

    patients = [to_patient(cols, i) for i in range(sample)]
    start = time.perf_counter()
    one_by_one = [screen_patient(eligibility, p, as_of=AS_OF) for p in patients]
    sample_time = time.perf_counter() - start

    mismatches = 0
    for result in one_by_one:
        row = table.loc[result.patient_id]
        mismatches += sum(row[c.criterion_id] != c.status.value for c in result.criteria)
        mismatches += row["overall"] != result.overall.value
    if mismatches:
        raise SystemExit(f"{mismatches} statuses differ between the two paths; no timing shown")

    scaled = sample_time * n / sample
    counts = table["overall"].value_counts()
    print(f"verdicts: {', '.join(f'{k} {v:,}' for k, v in counts.items())}")
    print(f"sample of {sample:,}: the same status for every criterion on both paths")
    print()
    print(f"| {n:,} patients × trial 002's reviewed rules | time | ratio to vectorised |")
    print("|---|---|---|")
    print(f"| vectorised `screen_frames` (best of 3) | {vectorised:.2f} s (goal < 10 s) | 1 |")
    label = "one by one `screen_patient`" + (
        "" if sample == n else f" ({sample:,} timed, scaled ×{n / sample:g})"
    )
    print(f"| {label} | {scaled:.1f} s | {scaled / vectorised:.0f} |")
    print(
        f"\nper patient: vectorised {vectorised / n * 1e6:.0f} µs, one by one "
        f"{sample_time / sample * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
