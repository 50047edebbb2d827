"""Patient records for screening: oncotrial's JSON and CSV records, and FHIR R4 bundles.

Three inputs, one model (``oncotrial.eligibility.patient.Patient``):

* **JSON record** — one patient per file (or ``{"patients": [...]}``), the shape documented in
  docs/eligibility.md: demographics, ``performance_status``, ``labs`` and ``vitals`` (value, unit,
  date, reference range), ``diagnosis``, ``conditions``, ``medications``, ``therapies``,
  ``procedures``, ``biomarkers``, ``lesions``.
* **CSV** — one fact per row (``patient_id, section, item, value, unit, date, …``); a file may
  hold many patients.
* **FHIR R4 Bundle** — Patient, Observation (LOINC), Condition, MedicationStatement,
  MedicationRequest, Immunization, Procedure. Parsed with ``fhir.resources``' R4B models: the
  package (8.x) ships R5 as default plus R4B and STU3, and R4B (4.3.0) left these resources as
  R4 (4.0.1) has them (its changes concern medication definition and evidence resources), so an
  R4 bundle reads as R4B. The bundle may hold several patients; resources go to the patient
  their ``subject`` (or ``patient``) references.

Every problem is an ``InputError`` naming the file, the patient and the field; nothing is
guessed: an unknown unit, section, column or analyte is an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from oncotrial.eligibility.analytes import analyte_for_loinc
from oncotrial.eligibility.concepts import BIOMARKERS, System, match_concepts
from oncotrial.eligibility.patient import (
    Biomarker,
    ConditionRecord,
    Diagnosis,
    Lesion,
    MedicationRecord,
    Observation,
    Patient,
    PerformanceStatus,
    ProcedureRecord,
    TherapyLine,
)
from oncotrial.errors import FormatError, InputError, SchemaError, ValueProblem

__all__ = [
    "CSV_COLUMNS",
    "CSV_SECTIONS",
    "read_patient_file",
    "read_patient_folder",
    "read_patients",
]


def _problem(exc: ValidationError, file: str, record: str | None, prefix: str) -> ValueProblem:
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first["loc"])
    field = f"{prefix}.{path}" if prefix and path else prefix or path
    message = first["msg"].removeprefix("Value error, ")
    return ValueProblem(
        message,
        file=file,
        record=record,
        field=field or None,
        hint="Correct the value in the patient record.",
    )


_Model = TypeVar("_Model", bound=BaseModel)


def _build(model: type[_Model], data: Any, file: str, record: str | None, field: str) -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _problem(exc, file, record, field) from exc


# ---------------------------------------------------------------- JSON records

_JSON_KEYS = {
    "id",
    "sex",
    "birth_date",
    "consent_date",
    "planned_first_dose",
    "performance_status",
    "labs",
    "vitals",
    "diagnosis",
    "conditions",
    "medications",
    "therapies",
    "procedures",
    "biomarkers",
    "lesions",
}


def _named(item: Any, file: str, record: str | None, field: str) -> dict[str, Any]:
    """A JSON object with 'name' read as the record's text."""
    if isinstance(item, str):
        return {"text": item}
    if not isinstance(item, dict):
        raise SchemaError("expected an object", file=file, record=record, field=field)
    data = dict(item)
    if "name" in data:
        data["text"] = data.pop("name")
    return data


def _list(data: dict[str, Any], key: str, file: str, record: str | None) -> list[Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise SchemaError(f"'{key}' must be a list", file=file, record=record, field=key)
    return value


def patient_from_json(data: Any, file: str, index: int | None = None) -> Patient:
    """One patient from oncotrial's JSON record shape."""
    where = f"patients[{index}]" if index is not None else None
    if not isinstance(data, dict):
        raise SchemaError("a patient record must be a JSON object", file=file, record=where)
    record = str(data.get("id") or where or "")
    if not data.get("id"):
        raise SchemaError(
            "the patient record has no 'id'",
            file=file,
            record=where,
            field="id",
            hint="Give every patient an id.",
        )
    unknown = sorted(set(data) - _JSON_KEYS)
    if unknown:
        raise SchemaError(
            f"unknown field(s) {', '.join(unknown)}",
            file=file,
            record=record,
            field=unknown[0],
            hint=f"Known fields: {', '.join(sorted(_JSON_KEYS))}.",
        )
    fields: dict[str, Any] = {
        key: data[key]
        for key in ("id", "sex", "birth_date", "consent_date", "planned_first_dose")
        if data.get(key) is not None
    }
    fields["id"] = str(fields["id"])
    if isinstance(fields.get("sex"), str):
        fields["sex"] = fields["sex"].strip().lower()
    observations: list[Observation] = []
    for key in ("labs", "vitals"):
        for i, item in enumerate(_list(data, key, file, record) or []):
            if not isinstance(item, dict):
                raise SchemaError(
                    "expected an object", file=file, record=record, field=f"{key}[{i}]"
                )
            observations.append(
                _build(Observation, {**item, "record": f"{key}[{i}]"}, file, record, f"{key}[{i}]")
            )
    fields["observations"] = tuple(observations)
    fields["performance_status"] = tuple(
        _build(
            PerformanceStatus,
            {**item, "record": f"performance_status[{i}]"},
            file,
            record,
            f"performance_status[{i}]",
        )
        for i, item in enumerate(_list(data, "performance_status", file, record) or [])
    )
    if data.get("diagnosis") is not None:
        fields["diagnosis"] = _build(
            Diagnosis,
            {**_named(data["diagnosis"], file, record, "diagnosis"), "record": "diagnosis"},
            file,
            record,
            "diagnosis",
        )
    simple: dict[str, type[BaseModel]] = {
        "conditions": ConditionRecord,
        "medications": MedicationRecord,
        "procedures": ProcedureRecord,
        "biomarkers": Biomarker,
        "lesions": Lesion,
    }
    for key, model in simple.items():
        items = _list(data, key, file, record)
        if items is None:
            continue
        built = []
        for i, item in enumerate(items):
            payload = (
                _named(item, file, record, f"{key}[{i}]")
                if key in {"conditions", "medications", "procedures"}
                else dict(item)
            )
            built.append(
                _build(model, {**payload, "record": f"{key}[{i}]"}, file, record, f"{key}[{i}]")
            )
        fields[key] = tuple(built)
    therapies = _list(data, "therapies", file, record)
    if therapies is not None:
        lines = []
        for i, item in enumerate(therapies):
            if not isinstance(item, dict):
                raise SchemaError(
                    "expected an object", file=file, record=record, field=f"therapies[{i}]"
                )
            drugs = item.get("drugs")
            if not isinstance(drugs, list) or not drugs:
                raise SchemaError(
                    "a therapy line needs a list of 'drugs'",
                    file=file,
                    record=record,
                    field=f"therapies[{i}].drugs",
                )
            payload = {
                **item,
                "record": f"therapies[{i}]",
                "drugs": [_named(d, file, record, f"therapies[{i}].drugs") for d in drugs],
            }
            lines.append(_build(TherapyLine, payload, file, record, f"therapies[{i}]"))
        fields["therapies"] = tuple(lines)
    return _build(Patient, fields, file, record, "")


# ---------------------------------------------------------------- CSV, one fact per row

CSV_COLUMNS = (
    "patient_id",
    "section",
    "item",
    "value",
    "unit",
    "date",
    "end_date",
    "low",
    "high",
    "code",
    "system",
    "category",
    "line",
)
CSV_SECTIONS = (
    "patient",
    "performance_status",
    "lab",
    "vital",
    "diagnosis",
    "condition",
    "medication",
    "therapy",
    "procedure",
    "biomarker",
    "lesion",
)
_LISTS = {
    "condition": "conditions",
    "medication": "medications",
    "therapy": "therapies",
    "procedure": "procedures",
    "biomarker": "biomarkers",
    "lesion": "lesions",
}
_YES = {"yes", "y", "true", "1", "measurable"}
_NO = {"no", "n", "false", "0", "non-measurable", "not measurable"}


def _float(text: str, file: str, record: str, field: str) -> float:
    try:
        return (
            float(text.replace(",", ""))
            if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text)
            else float(text)
        )
    except ValueError:
        raise ValueProblem(
            f"not a number: {text!r}", file=file, record=record, field=field
        ) from None


def _bool(text: str, file: str, record: str, field: str) -> bool | None:
    folded = text.strip().casefold()
    if not folded:
        return None
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ValueProblem(f"expected yes or no, not {text!r}", file=file, record=record, field=field)


def patients_from_csv(text: str, file: str) -> list[Patient]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in ("patient_id", "section", "item") if c not in columns]
    if missing:
        raise SchemaError(
            f"missing column(s) {', '.join(missing)}",
            file=file,
            hint=f"A patient CSV has the columns {', '.join(CSV_COLUMNS)}.",
        )
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if unknown:
        raise SchemaError(
            f"unknown column(s) {', '.join(unknown)}",
            file=file,
            hint=f"A patient CSV has the columns {', '.join(CSV_COLUMNS)}.",
        )
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        pid = row.get("patient_id", "")
        if not pid:
            raise SchemaError(
                "a row has no patient_id", file=file, record=f"line {number}", field="patient_id"
            )
        rows.setdefault(pid, []).append((number, row))
    return [_patient_from_rows(pid, items, file) for pid, items in rows.items()]


def _patient_from_rows(pid: str, rows: list[tuple[int, dict[str, str]]], file: str) -> Patient:
    data: dict[str, Any] = {"id": pid}
    lists: dict[str, list[Any]] = {}
    diagnosis: dict[str, Any] = {}
    therapy_lines: dict[str, dict[str, Any]] = {}
    for number, row in rows:
        section = row.get("section", "").lower()
        item = row.get("item", "")
        value = row.get("value", "")
        where = f"line {number}"

        def get(column: str, row: dict[str, str] = row) -> str | None:
            return row.get(column) or None

        if section not in CSV_SECTIONS:
            raise ValueProblem(
                f"unknown section {section!r}",
                file=file,
                record=pid,
                field=f"{where}: section",
                hint=f"Use one of: {', '.join(CSV_SECTIONS)}.",
            )
        if section in _LISTS:
            lists.setdefault(_LISTS[section], [])
            if item.casefold() == "none":
                continue  # declares the list complete and empty
        field = f"{where}: {section}"
        if section == "patient":
            if item not in {"sex", "birth_date", "consent_date", "planned_first_dose"}:
                raise ValueProblem(
                    f"unknown patient item {item!r}",
                    file=file,
                    record=pid,
                    field=f"{where}: item",
                    hint="Use sex, birth_date, consent_date or planned_first_dose.",
                )
            data[item] = value.lower() if item == "sex" else value
        elif section == "performance_status":
            data.setdefault("performance_status", []).append(
                _build(
                    PerformanceStatus,
                    {"scale": item or "ECOG", "score": value, "date": get("date"), "record": where},
                    file,
                    pid,
                    field,
                )
            )
        elif section in {"lab", "vital"}:
            key = "loinc" if re.fullmatch(r"\d{1,7}-\d", item) else "analyte"
            numeric = re.fullmatch(r"-?[\d.,]+", value) is not None
            payload: dict[str, Any] = {
                key: item,
                "unit": get("unit"),
                "date": get("date"),
                "record": where,
                "low": _float(row["low"], file, pid, f"{where}: low") if get("low") else None,
                "high": _float(row["high"], file, pid, f"{where}: high") if get("high") else None,
            }
            if numeric:
                payload["value"] = _float(value, file, pid, f"{where}: value")
            else:
                payload["result"] = value
            data.setdefault("observations", []).append(
                _build(Observation, payload, file, pid, field)
            )
        elif section == "diagnosis":
            if item in {"condition", "text"}:
                diagnosis.update(text=value or None, code=get("code"), system=get("system"))
            elif item in {
                "confirmed_by",
                "stage",
                "t",
                "n",
                "m",
                "edition",
                "tumour_size_mm",
                "date",
                "concept",
            }:
                diagnosis[item] = value or None
            else:
                raise ValueProblem(
                    f"unknown diagnosis item {item!r}",
                    file=file,
                    record=pid,
                    field=f"{where}: item",
                )
        elif section == "condition":
            lists["conditions"].append(
                _build(
                    ConditionRecord,
                    {
                        "text": item,
                        "code": get("code"),
                        "system": get("system"),
                        "onset": get("date"),
                        "abatement": get("end_date"),
                        "record": where,
                    },
                    file,
                    pid,
                    field,
                )
            )
        elif section == "medication":
            lists["medications"].append(
                _build(
                    MedicationRecord,
                    {
                        "text": item,
                        "code": get("code"),
                        "system": get("system"),
                        "start": get("date"),
                        "end": get("end_date"),
                        "concept": get("category"),
                        "record": where,
                    },
                    file,
                    pid,
                    field,
                )
            )
        elif section == "therapy":
            key = get("line") or where
            line = therapy_lines.setdefault(key, {"drugs": [], "record": where})
            line["drugs"] += [{"text": d.strip()} for d in re.split(r"\s*\+\s*", item) if d.strip()]
            for column, target in (
                ("line", "line"),
                ("value", "cycles"),
                ("date", "start"),
                ("end_date", "end"),
            ):
                if get(column):
                    line[target] = row[column]
        elif section == "procedure":
            lists["procedures"].append(
                _build(
                    ProcedureRecord,
                    {
                        "text": item,
                        "code": get("code"),
                        "system": get("system"),
                        "date": get("date"),
                        "category": get("category"),
                        "record": where,
                    },
                    file,
                    pid,
                    field,
                )
            )
        elif section == "biomarker":
            numeric = re.fullmatch(r"[\d.]+", value) is not None
            status = None if numeric else _biomarker_status(value, file, pid, f"{where}: value")
            lists["biomarkers"].append(
                _build(
                    Biomarker,
                    {
                        "marker": item,
                        "status": status,
                        "value": float(value) if numeric else None,
                        "date": get("date"),
                        "record": where,
                    },
                    file,
                    pid,
                    field,
                )
            )
        elif section == "lesion":
            lists["lesions"].append(
                _build(
                    Lesion,
                    {
                        "organ": item,
                        "measurable": _bool(value, file, pid, f"{where}: value"),
                        "complete_metabolic_response": _bool(
                            row.get("category", ""), file, pid, f"{where}: category"
                        ),
                        "date": get("date"),
                        "record": where,
                    },
                    file,
                    pid,
                    field,
                )
            )
    if diagnosis:
        diagnosis["record"] = "diagnosis"
        data["diagnosis"] = _build(Diagnosis, diagnosis, file, pid, "diagnosis")
    if "therapies" in lists:
        lists["therapies"] = [
            _build(TherapyLine, line, file, pid, f"{line['record']}: therapy")
            for line in therapy_lines.values()
        ]
    data.update(lists)
    return _build(Patient, data, file, pid, "")


_STATUS_WORDS = {
    "not detected": "not_detected",
    "not_detected": "not_detected",
    "negative": "not_detected",
    "wild-type": "not_detected",
    "wild type": "not_detected",
    "wildtype": "not_detected",
    "detected": "detected",
    "positive": "detected",
    "mutated": "detected",
    "mutation detected": "detected",
    "rearranged": "detected",
    "rearrangement": "detected",
    "failed": "failed",
    "test failed": "failed",
    "indeterminate": "failed",
}


def _biomarker_status(text: str, file: str, record: str, field: str) -> str:
    folded = text.strip().casefold()
    if folded in _STATUS_WORDS:
        return _STATUS_WORDS[folded]
    raise ValueProblem(
        f"unknown biomarker result {text!r}",
        file=file,
        record=record,
        field=field,
        hint="Use detected, not detected (negative, wild-type) or failed.",
    )


# ---------------------------------------------------------------- FHIR R4 bundles

_ECOG_LOINC, _KARNOFSKY_LOINC = "89247-1", "89243-0"
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
    for code in codes:
        if code in (_ECOG_LOINC, _KARNOFSKY_LOINC):
            score = resource.valueInteger
            if score is None and resource.valueCodeableConcept is not None:
                for _, answer in _codes(resource.valueCodeableConcept):
                    score = _ECOG_ANSWERS.get(answer or "", score)
            if score is None and resource.valueQuantity is not None:
                score = int(resource.valueQuantity.value)
            if score is None:
                raise ValueProblem(
                    "performance status without a score", file=file, record=pid, field=where
                )
            out.setdefault("performance_status", []).append(
                _build(
                    PerformanceStatus,
                    {
                        "scale": "ECOG" if code == _ECOG_LOINC else "Karnofsky",
                        "score": score,
                        "date": day,
                        "record": where,
                    },
                    file,
                    pid,
                    where,
                )
            )
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
        out.setdefault("observations", []).append(_build(Observation, payload, file, pid, where))
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
            status = _biomarker_status(str(text), file, pid, where)
    out.setdefault("biomarkers", []).append(
        _build(
            Biomarker,
            {"marker": marker, "status": status, "value": value, "date": day, "record": where},
            file,
            pid,
            where,
        )
    )


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
    if codes:
        record["system"], record["code"] = codes[0]
    concepts = match_concepts("condition", codes=codes, names=(text,))
    if "nsclc" in concepts and "diagnosis" not in out:
        how = " ".join(_text(e.code[0]) or "" for e in (resource.evidence or []) if e.code).lower()
        confirmed = "histology" if "histolog" in how else "cytology" if "cytolog" in how else None
        stage = None
        for entry in resource.stage or []:
            stage = re.sub(r"(?i)^stage\s+", "", _text(entry.summary) or "").strip() or stage
        diagnosis = {k: v for k, v in record.items() if k not in {"onset", "abatement"}}
        out["diagnosis"] = [{**diagnosis, "confirmed_by": confirmed, "stage": stage, "date": onset}]
        return
    for system, code in codes[1:]:
        if match_concepts("condition", codes=((system, code),)) - match_concepts(
            "condition", codes=codes[:1]
        ):
            record["system"], record["code"] = system, code  # the coding oncotrial can read
    out.setdefault("conditions", []).append(_build(ConditionRecord, record, file, pid, where))


def _medication_record(concept: Any, start: Any, end: Any, where: str, file: str, pid: str) -> Any:
    codes = _codes(concept)
    record: dict[str, Any] = {
        "text": _text(concept),
        "start": _day(start),
        "end": _day(end),
        "record": where,
    }
    readable = [c for c in codes if match_concepts("therapy", codes=(c,))]
    if readable or codes:
        record["system"], record["code"] = (readable or codes)[0]
    return _build(MedicationRecord, record, file, pid, where)


def _fhir_medication_statement(
    resource: Any, where: str, out: dict[str, list[Any]], file: str, pid: str
) -> None:
    period = resource.effectivePeriod
    start = resource.effectiveDateTime or (period.start if period else None)
    end = period.end if period else None
    if resource.status in {"completed", "stopped"} and end is None:
        end = start
    out.setdefault("medications", []).append(
        _medication_record(resource.medicationCodeableConcept, start, end, where, file, pid)
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
    out.setdefault("medications", []).append(
        _medication_record(resource.medicationCodeableConcept, start, end, where, file, pid)
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
    matched = match_concepts("procedure", names=(category_text,)) if category_text else frozenset()
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
    out.setdefault("procedures", []).append(_build(ProcedureRecord, record, file, pid, where))


_FHIR_HANDLERS: dict[str, Callable[[Any, str, dict[str, list[Any]], str, str], None]] = {
    "Observation": _fhir_observation,
    "Condition": _fhir_condition,
    "MedicationStatement": _fhir_medication_statement,
    "MedicationRequest": _fhir_medication_request,
    "Immunization": _fhir_immunization,
    "Procedure": _fhir_procedure,
}


def _patient_from_fhir(person: dict[str, Any], found: dict[str, list[Any]], file: str) -> Patient:
    data = dict(person)
    for key in (
        "observations",
        "performance_status",
        "conditions",
        "medications",
        "procedures",
        "biomarkers",
    ):
        if key in found:
            data[key] = tuple(found[key])
    diagnosis = found.get("diagnosis", [None])[0]
    stage = found.get("stage", [{}])[0]
    if diagnosis is not None or stage:
        merged = {**(diagnosis or {}), **{k: v for k, v in stage.items() if v}}
        merged.setdefault("record", "Condition")
        data["diagnosis"] = _build(Diagnosis, merged, file, person["id"], "diagnosis")
    return _build(Patient, data, file, person["id"], "")


# ---------------------------------------------------------------- files and folders


def read_patients(text: str, name: str) -> list[Patient]:
    """Every patient in ``text`` (JSON record, ``{"patients": …}``, FHIR bundle, or CSV)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(
                f"not valid JSON (line {exc.lineno}, column {exc.colno})",
                file=name,
                hint="Fix the JSON syntax.",
            ) from exc
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            return patients_from_fhir(data, name)
        if isinstance(data, dict) and data.get("resourceType"):
            raise SchemaError(
                f"a FHIR {data['resourceType']} resource, not a Bundle",
                file=name,
                hint="Screen a Bundle holding the Patient and their resources.",
            )
        if isinstance(data, dict) and "patients" in data:
            items = data["patients"]
            if not isinstance(items, list):
                raise SchemaError("'patients' must be a list", file=name, field="patients")
            return [patient_from_json(item, name, i) for i, item in enumerate(items)]
        if isinstance(data, list):
            return [patient_from_json(item, name, i) for i, item in enumerate(data)]
        return [patient_from_json(data, name)]
    return patients_from_csv(text, name)


def read_patient_file(path: Path) -> list[Patient]:
    if not path.exists():
        raise InputError("file not found", file=str(path), hint="Check the path.")
    if path.is_dir():
        raise InputError("this is a folder; use --patients for a folder", file=str(path))
    raw = path.read_bytes()
    if not raw.strip():
        raise FormatError("the file is empty", file=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 text (byte {exc.start})", file=str(path), hint="Save the file as UTF-8."
        ) from exc
    return read_patients(text, str(path))


def read_patient_folder(folder: Path) -> list[Patient]:
    """Every patient in every .json and .csv file of ``folder`` (sorted by name)."""
    if not folder.is_dir():
        raise InputError("not a folder", file=str(folder), hint="Give the folder of patient files.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".json", ".csv"})
    if not files:
        raise InputError("no .json or .csv patient files in the folder", file=str(folder))
    patients: list[Patient] = []
    seen: dict[str, str] = {}
    for path in files:
        for patient in read_patient_file(path):
            if patient.id in seen:
                raise ValueProblem(
                    f"patient id {patient.id!r} is also in {seen[patient.id]}",
                    file=str(path),
                    record=patient.id,
                    field="id",
                    hint="Give each patient one record.",
                )
            seen[patient.id] = path.name
            patients.append(patient)
    return patients
