"""Screening data carried into the subject's baseline records at enrollment (issue 13).

What the screening record holds (the patient record screened against the protocol's rules) is
what a data manager expects to find under Baseline once the subject is enrolled, as REDCap or
OpenClinica carry a screening form's fields into the baseline form. At randomization (or
enrollment), each baseline finding the screening record has and the subject's records do not yet
have at the screening visit becomes a record at visit SCREENING (baseline flag Y), built by the
same entry specs as the forms (``oncotrial.web.entry``), so the records are the ones a person
would have entered by hand:

- ECOG (QS), height and weight (VS): the last value on or before the enrollment date;
- stage with its AJCC edition (SC), EGFR/ALK/ROS1 (GF: detected → POSITIVE, not detected →
  NEGATIVE), PD-L1 TPS (MI);
- laboratory results (LB) of the tests the lab form offers, converted to the catalogue's unit
  (``oncotrial.eligibility.units``), with the reference range when the record gives it.

Each record's ``provenance`` says ``carried from screening on DATE`` (the date the patient record
was screened), and its first history row carries the same words as its reason. A value that does
not map (an unknown unit, a failed assay, a stage outside its edition) is left for the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from oncotrial.catalogue import baseline, labs
from oncotrial.catalogue import common as cc
from oncotrial.catalogue.staging import stage_groups
from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.patient import Observation, Patient
from oncotrial.eligibility.units import convert
from oncotrial.errors import OncotrialError
from oncotrial.protocol.model import Protocol
from oncotrial.store import models as db
from oncotrial.store.conduct import ScreeningRecord
from oncotrial.store.entry import create_record
from oncotrial.web.entry import EntitySpec, EntryContext
from oncotrial.web.entry.baseline import DISEASE_SPEC, ECOG, GENE, LAB, PDL1, VITAL

__all__ = ["carry_screening"]

# Every driver gene of the catalogue's GF vocabulary that screening recorded is carried.
_GENES = frozenset(baseline.GENES)
_GENE_RESULT = {"detected": "POSITIVE", "not_detected": "NEGATIVE"}
_PDL1 = "PD-L1"


def _latest(items: Iterable[Any], on: dt.date) -> Any:
    """The last dated item on or before ``on`` (undated items count as the screening's)."""
    dated = [i for i in items if i.date is None or i.date <= on]
    return max(dated, key=lambda i: i.date or dt.date.min, default=None)


def _value_in(obs: Observation, unit: str, analyte: Any) -> float | None:
    if obs.value is None:
        return None
    source = obs.unit or analyte.unit
    if not source:
        return None
    try:
        return convert(obs.value, source, unit, analyte.molar_mass)
    except (OncotrialError, ValueError):  # a unit the catalogue's test cannot take
        return None


def _range_in(obs: Observation, unit: str, analyte: Any) -> tuple[float | None, float | None]:
    source = obs.range_unit or obs.unit or analyte.unit
    out: list[float | None] = []
    for limit in (obs.low, obs.high):
        try:
            out.append(
                None
                if limit is None or not source
                else convert(limit, source, unit, analyte.molar_mass)
            )
        except (OncotrialError, ValueError):
            out.append(None)
    return out[0], out[1]


def _round(value: float) -> float:
    return float(f"{value:.6g}")  # no 10.000000000000002 from a unit conversion


def _observations(patient: Patient, on: dt.date) -> list[tuple[EntitySpec, dict[str, Any]]]:
    """Form values of the VS and LB forms from the patient's observations."""
    out: list[tuple[EntitySpec, dict[str, Any]]] = []
    by_analyte: dict[str, list[Observation]] = {}
    for obs in patient.observations:
        by_analyte.setdefault(obs.analyte, []).append(obs)
    vitals = {"weight": baseline.WEIGHT_TEST.testcd, "height": baseline.HEIGHT_TEST.testcd}
    lab_tests = {code: test for test in labs.ENTRY_TESTS for code in (test.loinc,)}
    for key, found in by_analyte.items():
        analyte = ANALYTES.get(key)
        obs = _latest(found, on)
        if analyte is None or obs is None:
            continue
        if key in vitals:
            test = next(t for t in baseline.VITAL_SIGNS.tests if t.testcd == vitals[key])
            value = _value_in(obs, str(test.unit), analyte)
            if value is not None:
                out.append((VITAL, {"test": test.testcd, "dtc": obs.date, "value": _round(value)}))
            continue
        lab = next((lab_tests[c] for c in analyte.loinc if c in lab_tests), None)
        if lab is None:
            continue
        value = _value_in(obs, str(lab.unit), analyte)
        if value is None:
            continue
        low, high = _range_in(obs, str(lab.unit), analyte)
        out.append(
            (
                LAB,
                {
                    "test": lab.testcd,
                    "dtc": obs.date,
                    "value": _round(value),
                    "low": None if low is None else _round(low),
                    "high": None if high is None else _round(high),
                },
            )
        )
    return out


def _findings(
    patient: Patient, on: dt.date, screened: dt.date
) -> list[tuple[EntitySpec, dict[str, Any]]]:
    """Form values of the ECOG, disease, mutation and PD-L1 forms."""
    out: list[tuple[EntitySpec, dict[str, Any]]] = []
    ecog = _latest((p for p in patient.performance_status if p.scale == "ECOG"), on)
    if ecog is not None:
        out.append((ECOG, {"dtc": ecog.date or screened, "score": str(ecog.score)}))
    diagnosis = patient.diagnosis
    if diagnosis is not None and diagnosis.stage:
        edition = diagnosis.edition or 8
        stage = diagnosis.stage.strip().upper()
        if stage in stage_groups(edition, parents=True):
            values = {"test": baseline.STAGE_TEST.testcd, "value": stage, "edition": str(edition)}
            out.append((DISEASE_SPEC, {**values, "dtc": diagnosis.date or screened}))
    markers: dict[str, list[Any]] = {}
    for marker in patient.biomarkers or ():
        markers.setdefault(marker.marker.strip().upper(), []).append(marker)
    for gene in sorted(_GENES & markers.keys()):
        found = _latest(markers[gene], on)
        status = _GENE_RESULT.get(found.status or "") if found is not None else None
        if status is not None:
            out.append((GENE, {"gene": gene, "status": status, "dtc": found.date or screened}))
    pdl1 = _latest(markers.get(_PDL1, ()), on)
    if pdl1 is not None and pdl1.value is not None:
        out.append(
            (PDL1, {"value": float(pdl1.value), "assay": None, "dtc": pdl1.date or screened})
        )
    return out


def _already(spec: EntitySpec, subject: db.Subject, record: dict[str, Any]) -> bool:
    """The subject already has this test at the screening visit (entered by hand)."""
    query = spec.model._default_manager.filter(subject=subject, visit=cc.SCREENING)
    if "domain" in record:
        query = query.filter(domain=record["domain"])
    return bool(query.filter(testcd=record.get("testcd")).exists())


def carry_screening(
    trial: db.Trial, protocol: Protocol, subject: db.Subject, *, user: Any, on: dt.date
) -> list[str]:
    """Create the baseline records of ``subject`` from its screening record; their test codes.

    Call inside the enrollment's transaction, so that enrollment and its baseline records are
    written together or not at all.
    """
    screening = ScreeningRecord.objects.filter(subject=subject).first()
    if screening is None:
        return []
    patient = Patient.model_validate(screening.patient["record"])
    screened = screening.as_of
    provenance = f"carried from screening on {screened.isoformat()}"
    ctx = EntryContext(trial=trial, protocol=protocol, subject=subject, today=on)
    carried: list[str] = []
    for spec, values in (*_findings(patient, on, screened), *_observations(patient, on)):
        record = spec.to_record({"visit": cc.SCREENING, **values}, ctx)
        if _already(spec, subject, record):
            continue
        create_record(
            spec.model, subject, {**record, "provenance": provenance}, user=user, reason=provenance
        )
        carried.append(str(record.get("testcd")))
    return carried
