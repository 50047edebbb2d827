"""A synthetic screening population in OMOP CDM v5.4 tables (pure: frames in memory, no I/O).

``omop_population`` returns the tables a hospital's OMOP warehouse holds for the patients a
prescreening query sees: person, observation_period, visit_occurrence, condition_occurrence,
measurement, drug_exposure, procedure_occurrence, observation and death, with OMOP's own column
names (CDM v5.4 DDL; the NOT NULL columns and those prescreening reads). It is realistic in the
ways that matter to the query: laboratory results in mixed units (g/L and g/dL, µmol/L and
mg/dL, 10^9/L and 10^3/µL), repeated at different dates (the latest counts), some outside the
time windows, normal ranges sometimes missing, analytes never measured, a few persons without
an observation period (their history is unknown), deaths before the as-of date.

The numbers are demo assumptions, not epidemiology (docs/prescreening.md): the population is
built to exercise every branch of the rules, and the same seed gives the same tables.
Concept ids come from the caller (``OmopVocabulary``, built from the concept map shipped with
``oncotrial.prescreen``), so that this module reads no file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncotrial.catalogue import baseline

__all__ = ["OMOP_TABLES", "OmopVocabulary", "omop_population"]

Ints = npt.NDArray[np.int64]

# The drivers simulated as the more frequent ones (about 12% of lung cancers each, against 4%
# for the rarer ones): EGFR and KRAS, by their catalogue codes.
_EGFR, _ALK, _ROS1, _KRAS, _BRAF, _NRAS = baseline.GENES
_COMMON_DRIVERS = (_EGFR, _KRAS)

# OMOP type concepts (the provenance of a record): 32817 "EHR", 32882 "Patient self-reported"
EHR = 32817
OMOP_TABLES = (
    "person",
    "observation_period",
    "visit_occurrence",
    "condition_occurrence",
    "measurement",
    "drug_exposure",
    "procedure_occurrence",
    "observation",
    "death",
)
EPOCH = np.datetime64("1970-01-01", "D")
# ids: person_id * _ID_STRIDE + k keeps every record id unique across chunks of persons
_ID_STRIDE = 1000


@dataclass(frozen=True)
class OmopVocabulary:
    gender: dict[str, int]
    units: dict[str, int]
    measurements: dict[str, int]
    performance: dict[str, int]
    tumour_size: int
    biomarkers: dict[str, int]
    conditions: dict[str, int]
    other_cancers: dict[str, int]
    drugs: dict[str, tuple[int, ...]]
    procedures: dict[str, int]
    positive: int
    negative: int


@dataclass(frozen=True)
class _Lab:
    analyte: str
    mean: float
    sd: float
    low: float
    high: float
    units: tuple[tuple[str, float], ...]  # (unit, factor from the first unit), first = canonical
    missing: float = 0.1


# Demo assumptions: means and spreads put most values in range and a tail outside it.
_LABS = (
    _Lab("neutrophils", 3.6, 1.6, 1.8, 7.5, (("10^9/L", 1.0), ("10^3/uL", 1.0))),
    _Lab("leukocytes", 6.5, 2.2, 4.0, 10.0, (("10^9/L", 1.0), ("10^3/uL", 1.0))),
    _Lab("platelets", 230, 80, 150, 400, (("10^9/L", 1.0), ("10^3/uL", 1.0))),
    _Lab("hemoglobin", 120, 18, 120, 160, (("g/L", 1.0), ("g/dL", 0.1))),
    _Lab("creatinine", 0.95, 0.35, 0.6, 1.2, (("mg/dL", 1.0), ("umol/L", 88.42))),
    _Lab("ast", 30, 22, 10, 40, (("U/L", 1.0),)),
    _Lab("alt", 30, 25, 7, 40, (("U/L", 1.0),)),
    _Lab("bilirubin", 12, 9, 3, 21, (("umol/L", 1.0), ("mg/dL", 1 / 17.104))),
    _Lab("albumin", 38, 5, 35, 50, (("g/L", 1.0), ("g/dL", 0.1))),
    _Lab("aptt", 32, 6, 25, 37, (("s", 1.0),), 0.25),
    _Lab("pt", 12.5, 1.8, 11, 13.5, (("s", 1.0),), 0.25),
    _Lab("inr", 1.05, 0.25, 0.8, 1.2, (("{ratio}", 1.0),), 0.2),
    _Lab("tsh", 2.2, 1.4, 0.4, 4.0, (("mIU/L", 1.0),), 0.3),
    _Lab("ft3", 4.6, 1.0, 3.1, 6.8, (("pmol/L", 1.0), ("pg/mL", 0.651)), 0.4),
    _Lab("ft4", 16, 4, 12, 22, (("pmol/L", 1.0), ("ng/dL", 0.0777)), 0.35),
    _Lab("urine_protein_24h", 0.3, 0.4, 0.0, 0.15, (("g/24h", 1.0),), 0.7),
    _Lab("calcium_ionized", 1.22, 0.12, 1.12, 1.32, (("mmol/L", 1.0),), 0.5),
    _Lab("calcium", 2.35, 0.3, 2.15, 2.55, (("mmol/L", 1.0), ("mg/dL", 4.008))),
    _Lab("calcium_corrected", 2.35, 0.25, 2.15, 2.55, (("mmol/L", 1.0),), 0.4),
    _Lab("weight", 72, 15, 0, 0, (("kg", 1.0), ("lb", 2.20462)), 0.05),
    _Lab("height", 168, 10, 0, 0, (("cm", 1.0),), 0.15),
    _Lab("heart_rate", 76, 13, 60, 100, (("/min", 1.0),), 0.1),
    _Lab("qt", 390, 35, 350, 450, (("ms", 1.0),), 0.3),
    _Lab("systolic_bp", 132, 19, 90, 140, (("mmHg", 1.0),), 0.05),
    _Lab("diastolic_bp", 80, 11, 60, 90, (("mmHg", 1.0),), 0.05),
    _Lab("lvef", 60, 8, 50, 70, (("%", 1.0),), 0.5),
)
_RANGELESS = {"weight", "height"}


def _days(dates: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    return EPOCH + dates.astype("timedelta64[D]")


class _Builder:
    def __init__(self, rng: np.random.Generator, person: Ints, as_of: int) -> None:
        self.rng = rng
        self.person = person
        self.as_of = as_of
        self.counter = np.zeros(len(person), dtype=np.int64)

    def ids(self, index: Ints) -> Ints:
        """A unique record id for each row (persons given by position ``index``)."""
        order = np.argsort(index, kind="stable")
        sorted_index = index[order]
        starts = np.searchsorted(sorted_index, sorted_index, side="left")
        rank = np.empty(len(index), dtype=np.int64)
        rank[order] = np.arange(len(index)) - starts
        out = self.person[index] * _ID_STRIDE + self.counter[index] + rank
        self.counter += np.bincount(index, minlength=len(self.person))
        return np.asarray(out, dtype=np.int64)

    def dates_before(self, index: Ints, lo: int, hi: int) -> Ints:
        """Day numbers between as_of - hi and as_of - lo (inclusive), per row."""
        return self.as_of - self.rng.integers(lo, hi + 1, size=len(index))


def _people(b: _Builder, vocab: OmopVocabulary) -> tuple[pd.DataFrame, Ints, Ints]:
    n = len(b.person)
    female = b.rng.random(n) < 0.45
    age_days = (b.rng.normal(63, 11, n).clip(16, 92) * 365.25).astype(np.int64)
    birth = b.as_of - age_days
    births = pd.DatetimeIndex(_days(birth))
    month = births.month.to_numpy().astype("float64")
    day = births.day.to_numpy().astype("float64")
    unknown_day = b.rng.random(n) < 0.02  # only the year is recorded
    month[unknown_day] = np.nan
    day[unknown_day] = np.nan
    person = pd.DataFrame(
        {
            "person_id": b.person,
            "gender_concept_id": np.where(female, vocab.gender["female"], vocab.gender["male"]),
            "year_of_birth": births.year.to_numpy(),
            "month_of_birth": pd.array(month, dtype="Int64"),
            "day_of_birth": pd.array(day, dtype="Int64"),
            "race_concept_id": 0,
            "ethnicity_concept_id": 0,
            "person_source_value": [f"MRN{p:09d}" for p in b.person],
            "gender_source_value": np.where(female, "F", "M"),
        }
    )
    return person, female.astype(np.int64), birth


def _labs(b: _Builder, vocab: OmopVocabulary, female: Ints) -> pd.DataFrame:
    rng, n = b.rng, len(b.person)
    parts = []
    for lab in _LABS:
        if lab.analyte not in vocab.measurements:
            continue
        has = rng.random(n) >= lab.missing
        repeats = rng.integers(1, 3, size=n)  # one or two results
        index = np.repeat(np.arange(n)[has], repeats[has])
        m = len(index)
        mean = (
            lab.mean * np.where(female[index] == 1, 0.92, 1.0)
            if lab.analyte
            in (
                "hemoglobin",
                "weight",
                "height",
                "creatinine",
            )
            else np.full(m, lab.mean)
        )
        # never zero: a creatinine or heart rate of 0 is no measurement (and a divisor)
        value = np.maximum(np.abs(rng.normal(mean, lab.sd)), 0.05 * lab.mean)
        choice = rng.integers(0, len(lab.units), size=m)
        factor = np.array([f for _, f in lab.units])[choice]
        unit_id = np.array([vocab.units[u] for u, _ in lab.units])[choice]
        unit_text = np.array([u for u, _ in lab.units], dtype=object)[choice]
        dates = b.dates_before(index, 0, 75)  # some older than a 14- or 28-day window
        low = np.where(lab.analyte in _RANGELESS, np.nan, lab.low * factor)
        high = np.where(lab.analyte in _RANGELESS, np.nan, lab.high * factor)
        no_range = rng.random(m) < 0.04
        parts.append(
            pd.DataFrame(
                {
                    "person_index": index,
                    "measurement_concept_id": vocab.measurements[lab.analyte],
                    "measurement_date": dates,
                    "value_as_number": np.round(value * factor, 3),
                    "value_as_concept_id": pd.array([pd.NA] * m, dtype="Int64"),
                    "unit_concept_id": unit_id,
                    "range_low": np.where(no_range, np.nan, np.round(low, 3)),
                    "range_high": np.where(no_range, np.nan, np.round(high, 3)),
                    "measurement_source_value": lab.analyte,
                    "unit_source_value": unit_text,
                    "value_source_value": None,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _categorical(
    b: _Builder, concept: int, index: Ints, values: npt.NDArray[np.object_], concepts: Ints
) -> pd.DataFrame:
    m = len(index)
    return pd.DataFrame(
        {
            "person_index": index,
            "measurement_concept_id": concept,
            "measurement_date": b.dates_before(index, 0, 60),
            "value_as_number": np.full(m, np.nan),
            "value_as_concept_id": pd.array(concepts, dtype="Int64"),
            "unit_concept_id": 0,
            "range_low": np.nan,
            "range_high": np.nan,
            "measurement_source_value": None,
            "unit_source_value": None,
            "value_source_value": values,
        }
    )


def _other_measurements(
    b: _Builder, vocab: OmopVocabulary, female: Ints, lung: npt.NDArray[np.bool_]
) -> list[pd.DataFrame]:
    rng, n = b.rng, len(b.person)
    parts: list[pd.DataFrame] = []
    if "ECOG" in vocab.performance:
        index = np.arange(n)[rng.random(n) < 0.85]
        score = rng.choice([0, 1, 2, 3, 4], p=[0.35, 0.4, 0.15, 0.07, 0.03], size=len(index))
        frame = _categorical(
            b,
            vocab.performance["ECOG"],
            index,
            np.full(len(index), None, dtype=object),
            np.zeros(len(index), dtype=np.int64),
        )
        frame["value_as_number"] = score.astype(np.float64)
        frame["value_as_concept_id"] = pd.array([pd.NA] * len(index), dtype="Int64")
        parts.append(frame)
    index = np.arange(n)[lung & (rng.random(n) < 0.8)]
    size = pd.DataFrame(
        _categorical(
            b,
            vocab.tumour_size,
            index,
            np.full(len(index), None),
            np.zeros(len(index), dtype=np.int64),
        )
    )
    size["value_as_number"] = np.round(rng.gamma(2.5, 9.0, size=len(index)), 0)
    size["unit_concept_id"] = vocab.units["mm"]
    size["value_as_concept_id"] = pd.array([pd.NA] * len(index), dtype="Int64")
    parts.append(size)
    for marker, concept in vocab.biomarkers.items():
        index = np.arange(n)[lung & (rng.random(n) < 0.7)]
        positive = rng.random(len(index)) < (0.12 if marker in _COMMON_DRIVERS else 0.04)
        failed = rng.random(len(index)) < 0.03
        values = np.where(failed, "failed", np.where(positive, "positive", "negative"))
        concepts = np.where(failed, 0, np.where(positive, vocab.positive, vocab.negative))
        parts.append(_categorical(b, concept, index, values.astype(object), concepts))
    dipstick = vocab.measurements.get("urine_protein_dipstick")
    if dipstick is not None:
        index = np.arange(n)[rng.random(n) < 0.6]
        values = rng.choice(
            np.array(["negative", "trace", "1+", "2+", "3+"], dtype=object),
            p=[0.55, 0.2, 0.13, 0.09, 0.03],
            size=len(index),
        )
        concepts = np.where(values == "negative", vocab.negative, 0)
        parts.append(_categorical(b, dipstick, index, values, concepts))
    hcg = vocab.measurements.get("hcg")
    if hcg is not None:
        index = np.arange(n)[(female == 1) & (rng.random(n) < 0.5)]
        positive = rng.random(len(index)) < 0.02
        values = np.where(positive, "positive", "negative").astype(object)
        concepts = np.where(positive, vocab.positive, vocab.negative)
        parts.append(_categorical(b, hcg, index, values, concepts))
    return parts


def _conditions(
    b: _Builder, vocab: OmopVocabulary, target: str
) -> tuple[pd.DataFrame, npt.NDArray[np.bool_]]:
    rng, n = b.rng, len(b.person)
    rows: list[pd.DataFrame] = []
    lung = rng.random(n) < 0.6
    cancers = list(vocab.other_cancers.values())
    primary = np.where(lung, vocab.conditions.get(target, cancers[0]), rng.choice(cancers, size=n))
    status = rng.choice(
        np.array(["histology", "cytology", None], dtype=object), p=[0.7, 0.15, 0.15], size=n
    )
    index = np.arange(n)
    rows.append(
        pd.DataFrame(
            {
                "person_index": index,
                "condition_concept_id": primary,
                "condition_start_date": b.dates_before(index, 20, 900),
                "condition_end_date": np.full(n, np.nan),
                "condition_status_source_value": status,
            }
        )
    )
    comorbid = {
        "liver_metastases": 0.15,
        "gilbert_syndrome": 0.03,
        "myocardial_infarction": 0.06,
        "interstitial_lung_disease": 0.04,
        "hiv": 0.01,
        "hepatitis_b": 0.03,
        "hepatitis_c": 0.02,
        "deep_vein_thrombosis": 0.05,
    }
    for key, p in comorbid.items():
        if key not in vocab.conditions:
            continue
        index = np.arange(n)[rng.random(n) < p]
        start = b.dates_before(index, 0, 2000)
        resolved = rng.random(len(index)) < 0.3
        end = np.where(resolved, start + rng.integers(10, 400, size=len(index)), np.nan)
        rows.append(
            pd.DataFrame(
                {
                    "person_index": index,
                    "condition_concept_id": vocab.conditions[key],
                    "condition_start_date": start,
                    "condition_end_date": end,
                    "condition_status_source_value": None,
                }
            )
        )
    return pd.concat(rows, ignore_index=True), lung


def _drugs(b: _Builder, vocab: OmopVocabulary) -> pd.DataFrame:
    rng, n = b.rng, len(b.person)
    rates = {
        "immune_checkpoint_inhibitor": 0.15,
        "platinum_chemotherapy": 0.3,
        "anticoagulant": 0.08,
        "antiplatelet": 0.1,
        "colony_stimulating_factor": 0.05,
        "thrombopoietin": 0.02,
        "albumin_infusion": 0.03,
        "systemic_antimicrobial": 0.12,
        "live_vaccine": 0.02,
    }
    rows = []
    for key, p in rates.items():
        if key not in vocab.drugs:
            continue
        index = np.arange(n)[rng.random(n) < p]
        m = len(index)
        start = b.dates_before(index, 0, 700)
        length = rng.integers(1, 200, size=m)
        end = (start + length).astype(np.float64)
        end[rng.random(m) < 0.15] = np.nan  # no end recorded (ongoing or unknown)
        rows.append(
            pd.DataFrame(
                {
                    "person_index": index,
                    "drug_concept_id": rng.choice(np.array(vocab.drugs[key]), size=m),
                    "drug_exposure_start_date": start,
                    "drug_exposure_end_date": end,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _procedures(b: _Builder, vocab: OmopVocabulary) -> pd.DataFrame:
    rng, n = b.rng, len(b.person)
    rates = {"transfusion": 0.06, "radiotherapy": 0.15, "surgery": 0.2, "organ_transplant": 0.005}
    rows = []
    for key, p in rates.items():
        if key not in vocab.procedures:
            continue
        index = np.arange(n)[rng.random(n) < p]
        rows.append(
            pd.DataFrame(
                {
                    "person_index": index,
                    "procedure_concept_id": vocab.procedures[key],
                    "procedure_date": b.dates_before(index, 0, 400),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _finish(
    b: _Builder, frame: pd.DataFrame, id_column: str, date_columns: tuple[str, ...]
) -> pd.DataFrame:
    """Person ids, record ids and dates from the working columns, in the table's order."""
    index = frame.pop("person_index").to_numpy(dtype=np.int64)
    frame.insert(0, "person_id", b.person[index])
    frame.insert(0, id_column, b.ids(index))
    for column in date_columns:
        days = frame[column].to_numpy(dtype=np.float64)
        known = ~np.isnan(days)
        out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
        out[known] = _days(days[known].astype(np.int64))
        frame[column] = pd.to_datetime(out)
    return frame


def omop_population(
    vocab: OmopVocabulary,
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    target_condition: str = "nsclc",
    first_person_id: int = 1,
) -> dict[str, pd.DataFrame]:
    """The OMOP tables of ``n`` synthetic persons (ids from ``first_person_id``)."""
    rng = np.random.default_rng([seed, first_person_id])
    as_of_day = int((np.datetime64(as_of, "D") - EPOCH).astype(np.int64))
    b = _Builder(rng, np.arange(first_person_id, first_person_id + n, dtype=np.int64), as_of_day)
    person, female, _ = _people(b, vocab)
    conditions, lung = _conditions(b, vocab, target_condition)
    measurement = pd.concat(
        [_labs(b, vocab, female), *_other_measurements(b, vocab, female, lung)],
        ignore_index=True,
    )
    measurement.insert(3, "measurement_type_concept_id", EHR)
    conditions.insert(2, "condition_type_concept_id", EHR)
    drugs = _drugs(b, vocab)
    drugs.insert(2, "drug_type_concept_id", EHR)
    procedures = _procedures(b, vocab)
    procedures.insert(2, "procedure_type_concept_id", EHR)
    tables = {
        "person": person,
        "condition_occurrence": _finish(
            b, conditions, "condition_occurrence_id", ("condition_start_date", "condition_end_date")
        ),
        "measurement": _finish(b, measurement, "measurement_id", ("measurement_date",)),
        "drug_exposure": _finish(
            b, drugs, "drug_exposure_id", ("drug_exposure_start_date", "drug_exposure_end_date")
        ),
        "procedure_occurrence": _finish(
            b, procedures, "procedure_occurrence_id", ("procedure_date",)
        ),
    }
    tables.update(_periods_visits_deaths(b))
    return {name: tables[name] for name in OMOP_TABLES}


def _periods_visits_deaths(b: _Builder) -> dict[str, pd.DataFrame]:
    rng, n = b.rng, len(b.person)
    index = np.arange(n)[rng.random(n) >= 0.03]  # 3 %: no observation period recorded
    start = b.dates_before(index, 400, 4000)
    periods = pd.DataFrame(
        {
            "person_index": index,
            "observation_period_start_date": start,
            "observation_period_end_date": np.full(len(index), b.as_of),
            "period_type_concept_id": EHR,
        }
    )
    index = np.repeat(np.arange(n), rng.integers(1, 4, size=n))
    visit_day = b.dates_before(index, 0, 90)
    visits = pd.DataFrame(
        {
            "person_index": index,
            "visit_concept_id": 9202,  # Outpatient Visit
            "visit_start_date": visit_day,
            "visit_end_date": visit_day,
            "visit_type_concept_id": EHR,
        }
    )
    index = np.arange(n)[rng.random(n) < 0.3]
    observations = pd.DataFrame(
        {
            "person_index": index,
            "observation_concept_id": 4275495,  # Tobacco smoking behavior - finding
            "observation_date": b.dates_before(index, 0, 365),
            "observation_type_concept_id": EHR,
            "value_as_string": rng.choice(
                np.array(["never", "former", "current"], dtype=object), size=len(index)
            ),
        }
    )
    index = np.arange(n)[rng.random(n) < 0.01]
    death = pd.DataFrame(
        {
            "person_index": index,
            "death_date": b.dates_before(index, 1, 60),
            "death_type_concept_id": EHR,
        }
    )
    out = {
        "observation_period": _finish(
            b,
            periods,
            "observation_period_id",
            ("observation_period_start_date", "observation_period_end_date"),
        ),
        "visit_occurrence": _finish(
            b, visits, "visit_occurrence_id", ("visit_start_date", "visit_end_date")
        ),
        "observation": _finish(b, observations, "observation_id", ("observation_date",)),
    }
    death_frame = _finish(b, death, "death_id", ("death_date",)).drop(columns="death_id")
    out["death"] = death_frame
    return out
