"""A population as long tables for the vectorised screen (``oncotrial.eligibility.batch``).

``frames_from_patients`` turns patient records into ``PatientFrames``: patients are rows; their
labs, history and lesions are long tables keyed by the patient's row number. Dates are days
since 1970-01-01 (``EPOCH``) as floats, NaN when unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.eligibility.concepts_drugs import therapy_keys
from oncotrial.eligibility.concepts_oncology import prednisone_equivalent, site_key
from oncotrial.eligibility.concepts_toxicity import term_key
from oncotrial.eligibility.evaluate_history import malignancy_records
from oncotrial.eligibility.patient import MedicationRecord, Patient

EPOCH = dt.date(1970, 1, 1)


def day_number(value: dt.date | None) -> float:
    return float("nan") if value is None else float((value - EPOCH).days)


@dataclass(frozen=True)
class PatientFrames:
    """A population in long tables; ``patient`` columns are row numbers of ``patients``.

    patients:     id, sex ('female'/'male'/None), birth, consent, first_dose (day numbers),
                  has_conditions, has_medications, has_therapies, has_procedures,
                  has_biomarkers, has_lesions (bool)
    observations: patient, analyte, value, result, unit, date, low, high, range_unit, order
    performance:  patient, scale, score, date, order
    diagnosis:    patient, confirmed_by, stage, t, n, m, edition, size_mm, date, extent
    diagnosis_concepts: patient, concept
    conditions:   patient, concept, onset, abatement (the diagnosis included, as the scalar
                  screen counts it among the records of a condition), status (the clinical
                  status, FHIR Condition.clinicalStatus, None when not recorded; a source
                  without this column records none)
    exposures:    patient, therapy, start, end (medications and each drug of each line),
                  dose_low, dose_high (prednisone-equivalent mg/day of a glucocorticoid, NaN
                  when not known; a source without these columns leaves every dose unknown)
    procedures:   patient, procedure, date, site (a body site key, "?" for words oncotrial
                  does not know, None when not recorded; a source without it: unknown)
    lines:        patient, line_id, line, cycles;  line_classes: line_id, therapy
    biomarkers:   patient, marker, status, value, variant, date, order
    lesions:      patient, organ, measurable, cmr (1.0/0.0/NaN), date
    malignancies: patient, unclear (not told apart from the cancer under study), kinds (the
                  record's malignancy classes, "|"-joined), onset, abatement
    cns:          patient, onset, abatement, treated, stable_since, symptomatic (flags 1.0/
                  0.0/NaN, day numbers) of each brain-metastasis condition record
    allergies:    patient, concepts (the substance's therapy concepts, "|"-joined),
                  grade_low, grade_high (CTCAE grades, NaN when not recorded), clinical,
                  verification (FHIR statuses, None when not recorded), type (allergy or
                  intolerance, None when not recorded), date
    adverse_events: patient, term (a CTCAE term, casefolded), grade, baseline (CTCAE grades,
                  NaN when not recorded), start, end (day numbers, NaN when not recorded) of
                  each adverse event of prior therapy
    """

    patients: pd.DataFrame
    observations: pd.DataFrame
    performance: pd.DataFrame
    diagnosis: pd.DataFrame
    diagnosis_concepts: pd.DataFrame
    conditions: pd.DataFrame
    exposures: pd.DataFrame
    procedures: pd.DataFrame
    lines: pd.DataFrame
    line_classes: pd.DataFrame
    biomarkers: pd.DataFrame
    lesions: pd.DataFrame
    # None when the source cannot tell the cancer under study from other cancers (the OMOP
    # reader): "other malignancy" rules are then unknown for everyone, never "not met".
    malignancies: pd.DataFrame | None = None
    # None when the source does not record the status of brain metastases (the OMOP reader):
    # "treated and stable" rules are then unknown for everyone.
    cns: pd.DataFrame | None = None
    # None when the source has no allergy records (the OMOP reader: the CDM has no allergy
    # table): allergy rules are then unknown for everyone. ``has_allergies`` says whose list
    # is provided.
    allergies: pd.DataFrame | None = None
    # None when the source has no adverse events of prior therapy (the OMOP reader):
    # toxicity rules are then unknown for everyone; ``has_adverse_events`` says whose list is
    # provided.
    adverse_events: pd.DataFrame | None = None

    @property
    def size(self) -> int:
        return len(self.patients)


_COLUMNS: dict[str, tuple[str, ...]] = {
    "observations": (
        "patient",
        "analyte",
        "value",
        "result",
        "unit",
        "date",
        "low",
        "high",
        "range_unit",
        "order",
    ),
    "performance": ("patient", "scale", "score", "date", "order"),
    "diagnosis": (
        "patient",
        "confirmed_by",
        "stage",
        "t",
        "n",
        "m",
        "edition",
        "size_mm",
        "date",
        "extent",
    ),
    "diagnosis_concepts": ("patient", "concept"),
    "conditions": ("patient", "concept", "onset", "abatement", "status"),
    "exposures": ("patient", "therapy", "start", "end", "dose_low", "dose_high"),
    "procedures": ("patient", "procedure", "date", "site"),
    "lines": ("patient", "line_id", "line", "cycles"),
    "line_classes": ("line_id", "therapy"),
    "biomarkers": ("patient", "marker", "status", "value", "variant", "date", "order"),
    "lesions": ("patient", "organ", "measurable", "cmr", "date"),
    "malignancies": ("patient", "unclear", "kinds", "onset", "abatement", "status"),
    "cns": ("patient", "onset", "abatement", "treated", "stable_since", "symptomatic"),
    "allergies": (
        "patient",
        "concepts",
        "grade_low",
        "grade_high",
        "clinical",
        "verification",
        "type",
        "date",
    ),
    "adverse_events": ("patient", "term", "grade", "baseline", "start", "end"),
}


def _frame(name: str, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(_COLUMNS[name]))
    if "patient" in frame.columns:
        # row numbers index arrays: an empty frame would otherwise be of objects, which numpy
        # refuses as an index (a population where no one has an observation)
        frame["patient"] = frame["patient"].astype(np.int64)
    return frame


def frames_from_patients(patients: Sequence[Patient]) -> PatientFrames:
    """The long tables of ``patients`` (a loop over records; the screening itself is not)."""
    people: list[dict[str, Any]] = []
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _COLUMNS}
    line_id = 0
    for i, p in enumerate(patients):
        people.append(
            {
                "id": p.id,
                "sex": p.sex,
                "birth": day_number(p.birth_date),
                "consent": day_number(p.consent_date),
                "first_dose": day_number(p.planned_first_dose),
                "has_conditions": p.conditions is not None,
                "has_medications": p.medications is not None or p.therapies is not None,
                "has_therapies": p.therapies is not None,
                "has_procedures": p.procedures is not None,
                "has_biomarkers": p.biomarkers is not None,
                "has_lesions": p.lesions is not None,
                "has_allergies": p.allergies is not None,
                "has_adverse_events": p.adverse_events is not None,
            }
        )
        for k, o in enumerate(p.observations):
            rows["observations"].append(
                (
                    i,
                    o.analyte,
                    o.value,
                    o.result,
                    o.unit,
                    day_number(o.date),
                    o.low,
                    o.high,
                    o.range_unit,
                    k,
                )
            )
        for k, s in enumerate(p.performance_status):
            rows["performance"].append((i, s.scale, s.score, day_number(s.date), k))
        d = p.diagnosis
        if d is not None:
            rows["diagnosis"].append(
                (
                    i,
                    d.confirmed_by,
                    d.stage,
                    d.t,
                    d.n,
                    d.m,
                    d.edition,
                    d.tumour_size_mm,
                    day_number(d.date),
                    d.extent,
                )
            )
            for concept in d.concepts("condition"):
                rows["diagnosis_concepts"].append((i, concept))
        for c in p.conditions or ():
            for concept in c.concepts("condition"):
                rows["conditions"].append(
                    (i, concept, day_number(c.onset), day_number(c.abatement), c.clinical_status)
                )
        if p.conditions is not None and d is not None:
            for concept in d.concepts("condition"):
                rows["conditions"].append((i, concept, day_number(d.date), float("nan"), None))
        rows["malignancies"].extend(_malignancies(i, p))
        rows["cns"].extend(_cns(i, p))
        rows["allergies"].extend(_allergies(i, p))
        rows["adverse_events"].extend(_adverse_events(i, p))
        for m in p.medications or ():
            for therapy in therapy_keys(m.concepts("therapy")):
                rows["exposures"].append(
                    (i, therapy, day_number(m.start), day_number(m.end), *_dose(m))
                )
        for line in p.therapies or ():
            line_id += 1
            rows["lines"].append(
                (
                    i,
                    line_id,
                    float(line.line) if line.line else float("nan"),
                    float(line.cycles) if line.cycles is not None else float("nan"),
                )
            )
            classes: set[str] = set()
            for drug in line.drugs:
                found = drug.concepts("therapy")
                classes |= found
                for therapy in therapy_keys(found, in_line=True):
                    rows["exposures"].append(
                        (
                            i,
                            therapy,
                            day_number(drug.start or line.start),
                            day_number(drug.end or line.end),
                            *_dose(drug),
                        )
                    )
            for therapy in classes:
                rows["line_classes"].append((line_id, therapy))
        for proc in p.procedures or ():
            for concept in proc.concepts():
                site = site_key(proc.site) or ("?" if proc.site else None)
                rows["procedures"].append((i, concept, day_number(proc.date), site))
        for k, b in enumerate(p.biomarkers or ()):
            rows["biomarkers"].append(
                (i, b.marker.strip().upper(), b.status, b.value, b.variant, day_number(b.date), k)
            )
        for lesion in p.lesions or ():
            rows["lesions"].append(
                (
                    i,
                    lesion.organ.strip().casefold(),
                    _flag(lesion.measurable),
                    _flag(lesion.complete_metabolic_response),
                    day_number(lesion.date),
                )
            )
    return PatientFrames(pd.DataFrame(people), **{k: _frame(k, v) for k, v in rows.items()})


def _flag(value: bool | None) -> float:
    return float("nan") if value is None else float(value)


def _dose(m: MedicationRecord) -> tuple[float, float]:
    dose = prednisone_equivalent(m.text, m.system, m.code, m.mg_per_day())
    return (float("nan"), float("nan")) if dose is None else dose


def _malignancies(i: int, p: Patient) -> list[tuple[Any, ...]]:
    return [
        (
            i,
            relation == "unclear",
            "|".join(sorted(kinds)),
            day_number(record.onset),
            day_number(record.abatement),
            getattr(record, "clinical_status", None),  # the diagnosis records none
        )
        for record, kinds, relation in malignancy_records(p.conditions or (), p.diagnosis)
    ]


def _adverse_events(i: int, p: Patient) -> list[tuple[Any, ...]]:
    nan = float("nan")
    return [
        (
            i,
            term_key(e.term),
            nan if e.grade is None else e.grade,
            nan if e.baseline_grade is None else e.baseline_grade,
            day_number(e.start),
            day_number(e.end),
        )
        for e in p.adverse_events or ()
    ]


def _allergies(i: int, p: Patient) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for a in p.allergies or ():
        low, high = a.grades() or (float("nan"), float("nan"))
        concepts = "|".join(sorted(a.concepts("therapy")))
        status = (a.clinical_status, a.verification_status, a.type)
        rows.append((i, concepts, low, high, *status, day_number(a.date)))
    return rows


def _cns(i: int, p: Patient) -> list[tuple[Any, ...]]:
    return [
        (
            i,
            day_number(c.onset),
            day_number(c.abatement),
            _flag(c.treated),
            day_number(c.stable_since),
            _flag(c.symptomatic),
        )
        for c in p.conditions or ()
        if "brain_metastases" in c.concepts("condition")
    ]
