"""How OMOP rows are read as eligibility facts: one definition for the SQL and in-memory paths.

``omop_frames`` turns OMOP tables (as pandas frames) into the long tables of the vectorised
engine (``eligibility.batch.PatientFrames``): the reference the compiled query is tested
against. ``oncotrial.prescreen.query`` builds the same facts in Ibis; each choice below has its
twin there.

- The population: every person without a death on or before the as-of date.
- History (conditions, drugs, procedures) is closed-world only for persons with an observation
  period: without one, a missing record says nothing and history rules are unknown.
- Measurements: the analyte from ``measurement_concept_id``; the unit from ``unit_concept_id``
  (the map's UCUM units), else ``unit_source_value``; normal ranges are in the result's unit
  (OMOP has no separate range unit); ties on a date are broken by ``measurement_id``.
- Categorical results (dipstick, pregnancy test) are ``value_source_value``; a biomarker's
  status is ``value_as_concept_id`` Positive → detected, Negative → not detected, else
  ``value_source_value`` 'failed', else unknown.
- The diagnosis is the earliest primary-cancer condition; its confirmation is
  ``condition_status_source_value`` (histology / cytology); its size is the latest tumour-size
  measurement, in mm.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from oncotrial.eligibility.batch import PatientFrames
from oncotrial.prescreen.concepts import ConceptMap

__all__ = ["PRIMARY_CANCERS", "alive_persons", "omop_frames"]

# The conditions of the eligibility vocabulary that are a primary cancer (a diagnosis).
PRIMARY_CANCERS = ("nsclc",)
EPOCH = pd.Timestamp("1970-01-01")


def _days(series: pd.Series) -> np.ndarray:
    values = pd.to_datetime(series)
    return np.asarray((values - EPOCH).dt.days, dtype=np.float64)


def alive_persons(person: pd.DataFrame, death: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    dead = death.loc[pd.to_datetime(death["death_date"]) <= pd.Timestamp(as_of), "person_id"]
    alive = person[~person["person_id"].isin(dead)]
    return alive.sort_values("person_id", kind="stable").reset_index(drop=True)


def _birth(person: pd.DataFrame) -> np.ndarray:
    known = person["month_of_birth"].notna() & person["day_of_birth"].notna()
    out = np.full(len(person), np.nan)
    dates = pd.to_datetime(
        pd.DataFrame(
            {
                "year": person.loc[known, "year_of_birth"].astype(int),
                "month": person.loc[known, "month_of_birth"].astype(int),
                "day": person.loc[known, "day_of_birth"].astype(int),
            }
        )
    )
    out[known.to_numpy()] = np.asarray((dates - EPOCH).dt.days, dtype=np.float64)
    return out


def _unit(frame: pd.DataFrame, cmap: ConceptMap) -> pd.Series:
    mapped = frame["unit_concept_id"].map(cmap.unit_of)
    return mapped.where(mapped.notna(), frame["unit_source_value"])


def _status(frame: pd.DataFrame, cmap: ConceptMap) -> pd.Series:
    concept = frame["value_as_concept_id"].map(cmap.value_concepts)
    status = concept.map({"positive": "detected", "negative": "not_detected"})
    failed = frame["value_source_value"] == "failed"
    fallback = failed.map({True: "failed", False: None})
    return status.where(status.notna(), fallback)


def omop_frames(
    tables: dict[str, pd.DataFrame], cmap: ConceptMap, as_of: dt.date
) -> tuple[PatientFrames, np.ndarray]:
    """The engine's frames for the persons alive on ``as_of``, and their person ids."""
    person = alive_persons(tables["person"], tables["death"], as_of)
    ids = person["person_id"].to_numpy(dtype=np.int64)
    index = pd.Series(np.arange(len(ids)), index=ids)
    has_period = person["person_id"].isin(tables["observation_period"]["person_id"]).to_numpy()
    female, male = cmap.gender["female"], cmap.gender["male"]
    gender = person["gender_concept_id"]
    patients = pd.DataFrame(
        {
            "id": ids,
            "sex": gender.map({female: "female", male: "male"}).to_numpy(dtype=object),
            "birth": _birth(person),
            "consent": np.nan,
            "first_dose": np.nan,
            "has_conditions": has_period,
            "has_medications": has_period,
            "has_therapies": False,
            "has_procedures": has_period,
            "has_biomarkers": True,
            "has_lesions": False,
        }
    )

    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[frame["person_id"].isin(index.index)]
        return frame.assign(patient=frame["person_id"].map(index).to_numpy(dtype=np.int64))

    m = keep(tables["measurement"]).sort_values("measurement_id", kind="stable")
    analyte_of = {cid: key for key, cid in cmap.measurements.items()}
    labs = m[m["measurement_concept_id"].isin(analyte_of)]
    observations = pd.DataFrame(
        {
            "patient": labs["patient"],
            "analyte": labs["measurement_concept_id"].map(analyte_of),
            "value": labs["value_as_number"].astype(np.float64),
            "result": labs["value_source_value"],
            "unit": _unit(labs, cmap),
            "date": _days(labs["measurement_date"]),
            "low": labs["range_low"].astype(np.float64),
            "high": labs["range_high"].astype(np.float64),
            "range_unit": None,
            "order": labs["measurement_id"],
        }
    )
    scale_of = {cid: key for key, cid in cmap.performance.items()}
    ps = m[m["measurement_concept_id"].isin(scale_of)]
    performance = pd.DataFrame(
        {
            "patient": ps["patient"],
            "scale": ps["measurement_concept_id"].map(scale_of),
            "score": ps["value_as_number"].astype(np.float64),
            "date": _days(ps["measurement_date"]),
            "order": ps["measurement_id"],
        }
    )
    marker_of = {cid: key for key, cid in cmap.biomarkers.items()}
    bm = m[m["measurement_concept_id"].isin(marker_of)]
    biomarkers = pd.DataFrame(
        {
            "patient": bm["patient"],
            "marker": bm["measurement_concept_id"].map(marker_of),
            "status": _status(bm, cmap),
            "value": bm["value_as_number"].astype(np.float64),
            # OMOP measurement values name no variant (variant rules are left unmapped)
            "variant": pd.Series([None] * len(bm), index=bm.index, dtype=object),
            "date": _days(bm["measurement_date"]),
            "order": bm["measurement_id"],
        }
    )
    diagnosis, diagnosis_concepts = _diagnosis(keep, tables, m, cmap, as_of)
    return (
        PatientFrames(
            patients=patients,
            observations=observations.reset_index(drop=True),
            performance=performance.reset_index(drop=True),
            diagnosis=diagnosis,
            diagnosis_concepts=diagnosis_concepts,
            conditions=_history(keep(tables["condition_occurrence"]), cmap),
            exposures=_exposures(keep(tables["drug_exposure"]), cmap),
            procedures=_procedures(keep(tables["procedure_occurrence"]), cmap),
            lines=pd.DataFrame(columns=["patient", "line_id", "line", "cycles"]),
            line_classes=pd.DataFrame(columns=["line_id", "therapy"]),
            biomarkers=biomarkers.reset_index(drop=True),
            lesions=pd.DataFrame(columns=["patient", "organ", "measurable", "cmr", "date"]),
        ),
        ids,
    )


def _history(c: pd.DataFrame, cmap: ConceptMap) -> pd.DataFrame:
    # one row per record and key: a record of a narrower condition is also the broader one
    # (an inflammatory bowel disease is an autoimmune disease), as match_concepts has it
    pairs = [(cid, key) for key, ids in cmap.conditions.items() for cid in ids]
    keys = pd.DataFrame(pairs, columns=["condition_concept_id", "concept"])
    c = c.merge(keys, on="condition_concept_id")
    return pd.DataFrame(
        {
            "patient": c["patient"].to_numpy(),
            "concept": c["concept"].to_numpy(),
            "onset": _days(c["condition_start_date"]),
            "abatement": _days(c["condition_end_date"]),
        }
    )


def _exposures(d: pd.DataFrame, cmap: ConceptMap) -> pd.DataFrame:
    pairs = [(cid, key) for key, drugs in cmap.drug_classes.items() for cid in drugs.values()]
    classes = pd.DataFrame(pairs, columns=["drug_concept_id", "therapy"])
    d = d.merge(classes, on="drug_concept_id")
    return pd.DataFrame(
        {
            "patient": d["patient"].to_numpy(),
            "therapy": d["therapy"].to_numpy(),
            "start": _days(d["drug_exposure_start_date"]),
            "end": _days(d["drug_exposure_end_date"]),
        }
    )


def _procedures(p: pd.DataFrame, cmap: ConceptMap) -> pd.DataFrame:
    pairs = [(cid, key) for key, ids in cmap.procedures.items() for cid in ids]
    keys = pd.DataFrame(pairs, columns=["procedure_concept_id", "procedure"])
    p = p.merge(keys, on="procedure_concept_id")
    return pd.DataFrame(
        {
            "patient": p["patient"].to_numpy(),
            "procedure": p["procedure"].to_numpy(),
            "date": _days(p["procedure_date"]),
        }
    )


def primary_cancer_ids(cmap: ConceptMap) -> dict[int, str]:
    """Concept id -> the diagnosis key: the vocabulary key the map gives it, for the primary
    cancers of trials and the other primary cancers alike (a record of another cancer refutes a
    diagnosis rule only through the vocabulary: concepts_cancers.contradicting_cancers)."""
    out = {cid: key for key in PRIMARY_CANCERS for cid in cmap.conditions.get(key, ())}
    out.update({cid: key for key, cid in cmap.other_cancers.items()})
    return out


def _diagnosis(
    keep: Callable[[pd.DataFrame], pd.DataFrame],
    tables: dict[str, pd.DataFrame],
    m: pd.DataFrame,
    cmap: ConceptMap,
    as_of: dt.date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cancers = primary_cancer_ids(cmap)
    c = keep(tables["condition_occurrence"])
    c = c[c["condition_concept_id"].isin(cancers)]
    c = c.sort_values(["patient", "condition_start_date", "condition_occurrence_id"])
    first = c.drop_duplicates("patient", keep="first")
    size = m[
        (m["measurement_concept_id"] == cmap.tumour_size)
        & (pd.to_datetime(m["measurement_date"]) <= pd.Timestamp(as_of))
    ]
    size = size.sort_values(["patient", "measurement_date", "measurement_id"])
    size = size.drop_duplicates("patient", keep="last")
    scale = _unit(size, cmap).map({"cm": 10.0, "mm": 1.0}).to_numpy(dtype=np.float64)
    mm: pd.Series = size["value_as_number"].astype(np.float64) * scale
    size_of = pd.Series(mm.to_numpy(), index=size["patient"].to_numpy())
    status = first["condition_status_source_value"]
    diagnosis = pd.DataFrame(
        {
            "patient": first["patient"].to_numpy(),
            "confirmed_by": status.where(status.isin(["histology", "cytology"]), None).to_numpy(),
            "stage": None,
            "t": None,
            "n": None,
            "m": None,
            "edition": None,
            "size_mm": first["patient"].map(size_of).to_numpy(dtype=np.float64),
            "date": _days(first["condition_start_date"]),
        }
    )
    concepts = pd.DataFrame(
        {
            "patient": first["patient"].to_numpy(),
            "concept": first["condition_concept_id"].map(cancers).to_numpy(),
        }
    )
    return diagnosis.reset_index(drop=True), concepts.reset_index(drop=True)
