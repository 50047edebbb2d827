"""The daily dose of a FHIR Dosage and the body sites of a Procedure, as the patient model
holds them (``MedicationRecord.dose``/``dose_unit``, ``ProcedureRecord.site``).

A daily dose is read only when it is stated without doubt: one dosage with one dose quantity in
a unit of mass, taken a fixed number of times per hour, day or week (``timing.repeat``
frequency/period, or the timing codes QD, BID, TID, QID of HL7 v3 GTSAbbreviation). A dose
range, a range of frequency or period ('every 4-6 hours'), a dose 'as needed', a dose per body
surface or per kilogram, several dosage steps (a taper): no dose is read, and a dose rule on
the record stays unknown rather than guessed.
"""

from __future__ import annotations

from typing import Any

from oncotrial.eligibility.concept_model import System
from oncotrial.eligibility.concepts_oncology import BODY_SITE_SNOMED, BODY_SITES
from oncotrial.eligibility.units import compatible, parse_unit
from oncotrial.errors import DictionaryError

__all__ = ["body_sites", "daily_dose"]

# HL7 v3 GTSAbbreviation (terminology.hl7.org CodeSystem v3-GTSAbbreviation): times a day
_TIMES_A_DAY = {"QD": 1.0, "BID": 2.0, "TID": 3.0, "QID": 4.0}
_DAYS_PER = {"h": 1 / 24, "d": 1.0, "wk": 7.0}


def _per_day(timing: Any) -> float | None:
    if timing is None:
        return None
    repeat = timing.repeat
    if repeat is not None and (repeat.frequency is not None or repeat.period is not None):
        if repeat.frequencyMax is not None or repeat.periodMax is not None:
            return None  # 'every 4-6 hours': not one daily dose
        if repeat.period is None or repeat.periodUnit not in _DAYS_PER or not repeat.period:
            return None
        frequency = float(repeat.frequency or 1)
        return frequency / (float(repeat.period) * _DAYS_PER[repeat.periodUnit])
    code = timing.code
    for coding in (code.coding or []) if code is not None else []:
        if (coding.code or "").upper() in _TIMES_A_DAY:
            return _TIMES_A_DAY[(coding.code or "").upper()]
    return None


def _mass(quantity: Any) -> str | None:
    unit = quantity.code or quantity.unit
    if unit is None:
        return None
    try:
        parse_unit(f"{unit}/d")
    except DictionaryError:
        return None
    return str(unit) if compatible(f"{unit}/d", "mg/d") else None


def daily_dose(dosages: list[Any] | None) -> tuple[float, str] | None:
    """(dose per day, unit per day) of a MedicationStatement.dosage or
    MedicationRequest.dosageInstruction list, or None when it is not stated without doubt."""
    with_dose = [d for d in dosages or [] if d.doseAndRate]
    if len(with_dose) != 1:
        return None
    dosage = with_dose[0]
    if dosage.asNeededBoolean or dosage.asNeededCodeableConcept is not None:
        return None
    quantities = [r.doseQuantity for r in dosage.doseAndRate if r.doseQuantity is not None]
    if len(quantities) != 1 or quantities[0].value is None:
        return None
    unit = _mass(quantities[0])
    per_day = _per_day(dosage.timing)
    if unit is None or per_day is None or quantities[0].value <= 0:
        return None
    return float(quantities[0].value) * per_day, f"{unit}/d"


def body_sites(concepts: list[Any] | None) -> list[str]:
    """The words of each body site: a SNOMED CT code oncotrial knows gives the site's own name
    ('prostate' for 41216001 'Prostatic structure'); otherwise the text or display as given."""
    sites: list[str] = []
    for concept in concepts or []:
        words = None
        for coding in concept.coding or []:
            key = BODY_SITE_SNOMED.get(coding.code or "")
            if System.normalise(coding.system) == System.SNOMED and key is not None:
                words = BODY_SITES[key][0][0]
                break
        if words is None:
            words = concept.text or next(
                (c.display for c in concept.coding or [] if c.display), None
            )
        if words:
            sites.append(str(words))
    return sites
