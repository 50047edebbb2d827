"""Patient records from FHIR R4 bundles (see ``oncotrial.formats.patients``).

Patient, Observation (LOINC), Condition, MedicationStatement, MedicationRequest, Immunization,
Procedure, AllergyIntolerance, parsed with ``fhir.resources``' R4B models (an R4 bundle reads as
R4B: the module docstring of ``oncotrial.formats.patients`` says why). Resources go to the
patient their ``subject`` (or ``patient``) references.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from oncotrial.eligibility.analytes import analyte_for_loinc
from oncotrial.eligibility.concepts import BIOMARKERS, System, match_concepts
from oncotrial.eligibility.patient import (
    CLINICAL_STATUS_CODES,
    AllergyRecord,
    Biomarker,
    ConditionRecord,
    Diagnosis,
    MedicationRecord,
    Observation,
    Patient,
    PerformanceStatus,
    ProcedureRecord,
)
from oncotrial.errors import SchemaError, ValueProblem
from oncotrial.formats.fhir_dosage import body_sites, daily_dose
from oncotrial.formats.patient_records import biomarker_status, build_record

__all__ = ["patients_from_fhir"]


_ECOG_LOINC, _KARNOFSKY_LOINC = "89247-1", "89243-0"
# Lansky's play-performance scale has no LOINC code: the paediatric cancer IG
# (standardhealth/ped-cancer-ig, profile pedcan-lansky-performance-status) codes it NCIt C38144,
# its scores NCIt C70538 (0) … C69426 (100)
_LANSKY_NCIT = "C38144"
_LANSKY_ANSWERS = {
    "C70538": 0,
    "C70539": 10,
    "C70540": 20,
    "C70541": 30,
    "C70542": 40,
    "C69421": 50,
    "C69422": 60,
    "C69423": 70,
    "C69424": 80,
    "C69425": 90,
    "C69426": 100,
}
# mCODE's CancerDiseaseStatus (HL7/fhir-mCODE-ig input/fsh/SD_DiseaseStatus.fsh at b2de7ecf):
# LOINC 97509-4, its focus the cancer condition, its value from ConditionStatusTrendVS. A brain
# metastasis whose latest statuses are stable or improved has been stable since the first of
# them; a worsened or undetermined latest status leaves the stability unknown.
_DISEASE_STATUS_LOINC = "97509-4"
_NOT_PROGRESSING = frozenset(
    {
        "359746009",  # Patient's condition stable (finding)
        "268910001",  # Patient's condition improved (finding)
        "260415000",  # Not detected (qualifier)
    }
)
# A procedure addressing the condition (Procedure.reasonReference) that is local therapy makes
# it treated (ConditionRecord.treated): radiotherapy or surgery, as the concepts name them.
_LOCAL_THERAPY = frozenset({"radiotherapy", "radical_radiotherapy", "surgery", "major_surgery"})
_STAGE_LOINC = {"21908-9": "stage", "21905-5": "t", "21906-3": "n", "21907-1": "m"}
_ECOG_ANSWERS = {
    "LA9622-7": 0,
    "LA9623-5": 1,
    "LA9624-3": 2,
    "LA9625-0": 3,
    "LA9626-8": 4,
    "LA9627-6": 5,
}
_UCUM = ((r"\[IU\]", "IU"), (r"mm\[Hg\]", "mmHg"), (r"\(24\.h\)", "24h"), (r"\{[^}]*\}/", "/"))


def _ucum(unit: str | None) -> str | None:
    if unit is None:
        return None
    for pattern, new in _UCUM:
        unit = re.sub(pattern, new, unit)
    return unit


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text):
        return dt.date.fromisoformat(text[:10])
    return None  # a year or year-month only: too coarse for a window


def _codes(concept: Any) -> list[tuple[str | None, str | None]]:
    if concept is None:
        return []
    return [(c.system, c.code) for c in (concept.coding or [])]


def _text(concept: Any) -> str | None:
    if concept is None:
        return None
    if concept.text:
        return str(concept.text)
    for coding in concept.coding or []:
        if coding.display:
            return str(coding.display)
    return None


def _number(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


def _reference(resource: Any) -> str | None:
    for attribute in ("subject", "patient"):
        ref = getattr(resource, attribute, None)
        if ref is not None and ref.reference:
            return str(ref.reference)
    return None


def patients_from_fhir(data: dict[str, Any], file: str) -> list[Patient]:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.patient import Patient as FhirPatient

    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SchemaError(
            f"not a valid FHIR R4 bundle: {first['msg']}",
            file=file,
            field=".".join(str(p) for p in first["loc"]),
            hint="Export the bundle again from the EHR (FHIR R4, JSON).",
        ) from exc
    resources = [(e.fullUrl, e.resource) for e in (bundle.entry or []) if e.resource is not None]
    people: dict[str, dict[str, Any]] = {}
    aliases: dict[str, str] = {}
    for full_url, resource in resources:
        if isinstance(resource, FhirPatient):
            pid = str(resource.id or full_url or f"patient-{len(people) + 1}")
            gender = (resource.gender or "").lower()
            people[pid] = {
                "id": pid,
                "sex": gender if gender in {"female", "male"} else None,
                "birth_date": _day(resource.birthDate),
            }
            aliases[f"Patient/{pid}"] = pid
            if full_url:
                aliases[str(full_url)] = pid
    if not people:
        raise SchemaError(
            "the bundle holds no Patient resource",
            file=file,
            hint="Include the Patient the observations are about.",
        )
    lone = next(iter(people)) if len(people) == 1 else None
    sections: dict[str, dict[str, list[Any]]] = {pid: {} for pid in people}
    for full_url, resource in resources:
        kind = resource.get_resource_type()
        if kind == "Patient":
            continue
        ref = _reference(resource)
        owner = aliases.get(ref or "", lone if ref is None else None)
        if owner is None:
            continue  # about someone else (a practitioner, another patient not in the bundle)
        where = f"{kind}/{resource.id or full_url or '?'}"
        handler = _FHIR_HANDLERS.get(kind)
        if handler is not None:
            handler(resource, where, sections[owner], file, owner)
    return [_patient_from_fhir(people[pid], sections[pid], file) for pid in people]


def _fhir_observation(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    codes = [
        code
        for system, code in _codes(resource.code)
        if System.normalise(system) == System.LOINC and code
    ]
    day = (
        _day(resource.effectiveDateTime)
        or (_day(resource.effectivePeriod.start) if resource.effectivePeriod else None)
        or _day(resource.issued)
    )
    if any(code == _LANSKY_NCIT and _is_ncit(system) for system, code in _codes(resource.code)):
        _performance(resource, "Lansky", _LANSKY_ANSWERS, day, where, out, file, pid)
        return
    for code in codes:
        if code in (_ECOG_LOINC, _KARNOFSKY_LOINC):
            scale = "ECOG" if code == _ECOG_LOINC else "Karnofsky"
            _performance(resource, scale, _ECOG_ANSWERS, day, where, out, file, pid)
            return
        if code == _DISEASE_STATUS_LOINC:
            answers = [c for _, c in _codes(resource.valueCodeableConcept) if c]
            for focus in resource.focus or []:
                if focus.reference and day is not None:
                    entry = (str(focus.reference), day, answers[0] if answers else None)
                    out.setdefault("_disease_status", []).append(entry)
            return
        if code in _STAGE_LOINC:
            value = _text(resource.valueCodeableConcept) or resource.valueString
            if value:
                stage = out.setdefault("stage", [{}])[0]
                stage[_STAGE_LOINC[code]] = re.sub(r"(?i)^stage\s+", "", str(value)).strip()
            return
        item = analyte_for_loinc(code)
        if item is None:
            continue
        payload: dict[str, Any] = {"analyte": item.key, "loinc": code, "date": day, "record": where}
        if day is None:
            raise ValueProblem(
                f"{item.name} has no effective date",
                file=file,
                record=pid,
                field=where,
                hint="Screening needs the date of every result.",
            )
        if resource.valueQuantity is not None:
            quantity = resource.valueQuantity
            payload["value"] = _number(quantity.value)
            payload["unit"] = (
                _ucum(quantity.code or quantity.unit) if quantity.code else quantity.unit
            )
        else:
            payload["result"] = _text(resource.valueCodeableConcept) or resource.valueString
        for reference in resource.referenceRange or []:
            if reference.low is not None:
                payload["low"] = _number(reference.low.value)
            if reference.high is not None:
                payload["high"] = _number(reference.high.value)
            unit = reference.high or reference.low
            if unit is not None and (unit.code or unit.unit):
                payload["range_unit"] = _ucum(unit.code or unit.unit)
            break
        out.setdefault("observations", []).append(
            build_record(Observation, payload, file, pid, where)
        )
        return
    # a biomarker result: named by its code text (EGFR, ALK, ROS1, PD-L1 …)
    name = (_text(resource.code) or "").strip()
    marker = next((m for m in BIOMARKERS if re.match(rf"{re.escape(m)}\b", name, re.I)), None)
    if marker is None:
        return
    status = None
    value = None
    if resource.valueQuantity is not None:
        value = _number(resource.valueQuantity.value)
    else:
        text = _text(resource.valueCodeableConcept) or resource.valueString
        if text:
            status = biomarker_status(str(text), file, pid, where)
    variant = _amino_acid_change(resource)
    out.setdefault("biomarkers", []).append(
        build_record(
            Biomarker,
            {
                "marker": marker,
                "status": status,
                "value": value,
                "variant": variant,
                "date": day,
                "record": where,
            },
            file,
            pid,
            where,
        )
    )


# LOINC 48005-3 "Amino acid change (pHGVS)": the component of a variant Observation that holds
# the protein change in HGVS (HL7 FHIR Genomics Reporting IG, Variant profile), a code of
# http://varnomen.hgvs.org such as "NP_005219.2:p.(Leu858Arg)", or its text
_AMINO_ACID_CHANGE_LOINC = "48005-3"


def _amino_acid_change(resource: Any) -> str | None:
    for component in resource.component or []:
        if not any(
            System.normalise(system) == System.LOINC and code == _AMINO_ACID_CHANGE_LOINC
            for system, code in _codes(component.code)
        ):
            continue
        concept = component.valueCodeableConcept
        codes = [code for _, code in _codes(concept) if code]
        found = codes[0] if codes else _text(concept) or component.valueString
        return str(found) if found else None
    return None


def _is_ncit(system: str | None) -> bool:
    folded = (system or "").casefold()
    return "ncit" in folded or "ncicb" in folded or "thesaurus" in folded


def _performance(
    resource: Any,
    scale: str,
    answers: dict[str, int],
    day: dt.date | None,
    where: str,
    out: dict[str, list[Any]],
    file: str,
    pid: str,
) -> None:
    score = resource.valueInteger
    if score is None and resource.valueCodeableConcept is not None:
        for _, answer in _codes(resource.valueCodeableConcept):
            score = answers.get(answer or "", score)
    if score is None and resource.valueQuantity is not None:
        score = int(resource.valueQuantity.value)
    if score is None:
        raise ValueProblem("performance status without a score", file=file, record=pid, field=where)
    out.setdefault("performance_status", []).append(
        build_record(
            PerformanceStatus,
            {"scale": scale, "score": score, "date": day, "record": where},
            file,
            pid,
            where,
        )
    )


# HL7 FHIR R4 Condition.clinicalStatus is bound (required) to the value set
# http://hl7.org/fhir/ValueSet/condition-clinical, codes of this system:
_CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def _clinical_status(concept: Any, file: str, pid: str, where: str) -> str | None:
    """Condition.clinicalStatus.coding.code (ConditionRecord.clinical_status); None when the
    resource gives none. A code of the condition-clinical system outside its six is an error."""
    if concept is None:
        return None
    for coding in concept.coding or []:
        if coding.system not in {None, _CONDITION_CLINICAL} or coding.code is None:
            continue
        code = str(coding.code)
        if code not in CLINICAL_STATUS_CODES:
            raise ValueProblem(
                f"clinical status {code!r} is not a code of {_CONDITION_CLINICAL}",
                file=file,
                record=pid,
                field=f"{where}: clinicalStatus",
                hint="Use one of: " + ", ".join(CLINICAL_STATUS_CODES) + ".",
            )
        return code
    return None


def _fhir_condition(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    onset = (
        _day(resource.onsetDateTime)
        or (_day(resource.onsetPeriod.start) if resource.onsetPeriod else None)
        or _day(resource.recordedDate)
    )
    abatement = _day(resource.abatementDateTime) or (
        _day(resource.abatementPeriod.end) if resource.abatementPeriod else None
    )
    codes = _codes(resource.code)
    text = _text(resource.code)
    record = {"text": text, "onset": onset, "abatement": abatement, "record": where}
    status = _clinical_status(resource.clinicalStatus, file, pid, where)
    if status is not None:
        record["clinical_status"] = status
    if codes:
        record["system"], record["code"] = codes[0]
    concepts = match_concepts("condition", codes=codes, names=(text,))
    if "nsclc" in concepts and "diagnosis" not in out:
        how = " ".join(_text(e.code[0]) or "" for e in (resource.evidence or []) if e.code).lower()
        confirmed = "histology" if "histolog" in how else "cytology" if "cytolog" in how else None
        stage = None
        for entry in resource.stage or []:
            stage = re.sub(r"(?i)^stage\s+", "", _text(entry.summary) or "").strip() or stage
        diagnosis = {
            k: v for k, v in record.items() if k not in {"onset", "abatement", "clinical_status"}
        }
        out["diagnosis"] = [{**diagnosis, "confirmed_by": confirmed, "stage": stage, "date": onset}]
        return
    for system, code in codes[1:]:
        if match_concepts("condition", codes=((system, code),)) - match_concepts(
            "condition", codes=codes[:1]
        ):
            record["system"], record["code"] = system, code  # the coding oncotrial can read
    out.setdefault("conditions", []).append(build_record(ConditionRecord, record, file, pid, where))


def _medication_record(
    concept: Any, start: Any, end: Any, where: str, file: str, pid: str, dosages: Any = None
) -> Any:
    codes = _codes(concept)
    record: dict[str, Any] = {
        "text": _text(concept),
        "start": _day(start),
        "end": _day(end),
        "record": where,
    }
    dose = daily_dose(dosages)
    if dose is not None:
        record["dose"], record["dose_unit"] = dose
    readable = [c for c in codes if match_concepts("therapy", codes=(c,))]
    if readable or codes:
        record["system"], record["code"] = (readable or codes)[0]
    return build_record(MedicationRecord, record, file, pid, where)


def _fhir_medication_statement(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    period = resource.effectivePeriod
    start = resource.effectiveDateTime or (period.start if period else None)
    end = period.end if period else None
    if resource.status in {"completed", "stopped"} and end is None:
        end = start
    concept = resource.medicationCodeableConcept
    out.setdefault("medications", []).append(
        _medication_record(concept, start, end, where, file, pid, resource.dosage)
    )


def _fhir_medication_request(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    bounds = None
    for dosage in resource.dosageInstruction or []:
        if dosage.timing and dosage.timing.repeat and dosage.timing.repeat.boundsPeriod:
            bounds = dosage.timing.repeat.boundsPeriod
    start = (bounds.start if bounds else None) or resource.authoredOn
    end = bounds.end if bounds else None
    concept, dosages = resource.medicationCodeableConcept, resource.dosageInstruction
    out.setdefault("medications", []).append(
        _medication_record(concept, start, end, where, file, pid, dosages)
    )


def _fhir_immunization(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    if resource.status == "not-done":
        return
    when = resource.occurrenceDateTime
    out.setdefault("medications", []).append(
        _medication_record(resource.vaccineCode, when, when, where, file, pid)
    )


def _fhir_procedure(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    if resource.status in {"not-done", "entered-in-error"}:
        return
    when = resource.performedDateTime or (
        resource.performedPeriod.start if resource.performedPeriod else None
    )
    codes = _codes(resource.code)
    category = None
    category_text = (_text(resource.category) or "").strip()
    # the category by its code too (SNOMED CT 108290001 radiotherapy in mCODE's course summary)
    matched = match_concepts(
        "procedure", codes=_codes(resource.category), names=(category_text or None,)
    )
    if matched:
        category = sorted(matched, key=len)[-1]
    record = {
        "text": _text(resource.code),
        "date": _day(when),
        "category": category,
        "record": where,
    }
    if codes:
        record["system"], record["code"] = codes[0]
    kinds = match_concepts(
        "procedure",
        codes=(*codes, *_codes(resource.category)),
        names=(_text(resource.code), category_text or None),
    )
    if kinds & _LOCAL_THERAPY:
        for reason in resource.reasonReference or []:
            if reason.reference:
                out.setdefault("_treating", []).append(str(reason.reference))
    # one record per body site: a course to the prostate and the pelvic nodes is radiotherapy
    # to each (ProcedureRecord holds one site)
    sites: list[str | None] = [*body_sites(resource.bodySite)] or [None]
    for site in sites:
        with_site = record if site is None else {**record, "site": site}
        out.setdefault("procedures", []).append(
            build_record(ProcedureRecord, with_site, file, pid, where)
        )


# HL7 FHIR R4 AllergyIntolerance: clinicalStatus and verificationStatus are bound (required) to
# these code systems' codes; SNOMED CT 716186003 "No known allergy" is the code of the value set
# allergyintolerance-code that states the absence of any allergy (the list is then provided and
# empty). A record entered in error is no record at all.
_ALLERGY_STATUS = {
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical": (
        "clinical_status",
        ("active", "inactive", "resolved"),
    ),
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification": (
        "verification_status",
        ("unconfirmed", "presumed", "confirmed", "refuted", "entered-in-error"),
    ),
}
_NO_KNOWN_ALLERGY = "716186003"
_SEVERITY_ORDER = ("mild", "moderate", "severe")


def _allergy_status(concept: Any, field: str, file: str, pid: str, where: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for coding in (concept.coding or []) if concept is not None else []:
        target = _ALLERGY_STATUS.get(str(coding.system)) if coding.system else None
        if target is None or coding.code is None:
            continue
        key, codes = target
        if str(coding.code) not in codes:
            raise ValueProblem(
                f"{field} {coding.code!r} is not a code of {coding.system}",
                file=file,
                record=pid,
                field=f"{where}: {field}",
                hint="Use one of: " + ", ".join(codes) + ".",
            )
        found[key] = str(coding.code)
    return found


def _fhir_allergy(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    record: dict[str, Any] = {"record": where}
    for field in ("clinicalStatus", "verificationStatus"):
        record |= _allergy_status(getattr(resource, field), field, file, pid, where)
    out.setdefault("allergies", [])
    if record.get("verification_status") == "entered-in-error":
        return
    codes = _codes(resource.code)
    if any(System.normalise(s) == System.SNOMED and c == _NO_KNOWN_ALLERGY for s, c in codes):
        return  # "No known allergy": the list is provided, and nothing goes in it
    concept = resource.code
    if concept is None:  # the substance of the reactions, when the resource names none
        concept = next((r.substance for r in resource.reaction or [] if r.substance), None)
    codes = _codes(concept)
    readable = [c for c in codes if match_concepts("therapy", codes=(c,))]
    if readable or codes:
        record["system"], record["code"] = (readable or codes)[0]
    severities = [r.severity for r in resource.reaction or [] if r.severity]
    bad = [s for s in severities if s not in _SEVERITY_ORDER]
    if bad:
        raise ValueProblem(
            f"reaction severity {bad[0]!r} is not mild, moderate or severe",
            file=file,
            record=pid,
            field=f"{where}: reaction.severity",
        )
    if severities:
        record["severity"] = max(severities, key=_SEVERITY_ORDER.index)
    record |= {
        "text": _text(concept),
        "criticality": resource.criticality,
        "type": resource.type,
        "date": _day(resource.onsetDateTime)
        or (_day(resource.onsetPeriod.start) if resource.onsetPeriod else None)
        or _day(resource.recordedDate),
    }
    out["allergies"].append(build_record(AllergyRecord, record, file, pid, where))


_FHIR_HANDLERS: dict[str, Callable[[Any, str, dict[str, list[Any]], str, str], None]] = {
    "Observation": _fhir_observation,
    "Condition": _fhir_condition,
    "MedicationStatement": _fhir_medication_statement,
    "MedicationRequest": _fhir_medication_request,
    "Immunization": _fhir_immunization,
    "Procedure": _fhir_procedure,
    "AllergyIntolerance": _fhir_allergy,
}


def _is_reference(reference: str, where: str) -> bool:
    """``reference`` (Condition/x, or a bundle's fullUrl) names the resource read at ``where``."""
    return reference == where or f"Condition/{reference}" == where


def _brain_metastasis_status(found: dict[str, list[Any]]) -> None:
    """Treated and stable-since of each brain metastasis, from the procedures that address it
    and the disease statuses whose focus it is (the constants above say which)."""
    conditions = found.get("conditions")
    if not conditions:
        return
    treating = found.get("_treating", [])
    statuses = found.get("_disease_status", [])
    updated = []
    for record in conditions:
        where = record.record or ""
        if "brain_metastases" not in record.concepts("condition") or not where:
            updated.append(record)
            continue
        update: dict[str, Any] = {}
        if any(_is_reference(ref, where) for ref in treating):
            update["treated"] = True
        own = sorted((day, answer) for ref, day, answer in statuses if _is_reference(ref, where))
        run: list[dt.date] = []
        for day, answer in reversed(own):
            if answer not in _NOT_PROGRESSING:
                break
            run.append(day)
        if run:  # the latest status is not a progression: stable since the run began
            update["stable_since"] = run[-1]
        updated.append(record.model_copy(update=update) if update else record)
    found["conditions"] = updated


def _patient_from_fhir(person: dict[str, Any], found: dict[str, list[Any]], file: str) -> Patient:
    _brain_metastasis_status(found)
    data = dict(person)
    for key in (
        "observations",
        "performance_status",
        "conditions",
        "medications",
        "procedures",
        "biomarkers",
        "allergies",
    ):
        if key in found:
            data[key] = tuple(found[key])
    diagnosis = found.get("diagnosis", [None])[0]
    stage = found.get("stage", [{}])[0]
    if diagnosis is not None or stage:
        merged = {**(diagnosis or {}), **{k: v for k, v in stage.items() if v}}
        merged.setdefault("record", "Condition")
        data["diagnosis"] = build_record(Diagnosis, merged, file, person["id"], "diagnosis")
    return build_record(Patient, data, file, person["id"], "")
