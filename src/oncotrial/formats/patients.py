"""Patient records for screening: oncotrial's JSON and CSV records, and FHIR R4 bundles.

Three inputs, one model (``oncotrial.eligibility.patient.Patient``):

* **JSON record** — one patient per file (or ``{"patients": [...]}``), the shape documented in
  docs/eligibility.md: demographics, ``performance_status``, ``labs`` and ``vitals`` (value, unit,
  date, reference range), ``diagnosis``, ``conditions``, ``medications``, ``therapies``,
  ``procedures``, ``biomarkers``, ``lesions``, ``allergies``, ``adverse_events`` (of prior
  therapy: ``term``, a CTCAE term, ``grade`` now, ``baseline_grade``, ``start``, ``end``).
* **CSV** — one fact per row (``patient_id, section, item, value, unit, date, …``); a file may
  hold many patients. A condition row's ``value`` is its clinical status (HL7 FHIR R4
  Condition.clinicalStatus: active, recurrence, relapse, inactive, remission, resolved). An
  allergy row's ``value`` is the reaction's severity (mild, moderate, severe) or CTCAE grade
  ('3', 'grade 3'), its ``category`` its type or a clinical or verification status (FHIR
  AllergyIntolerance: allergy, intolerance; active, inactive, resolved; unconfirmed, presumed,
  confirmed, refuted, entered-in-error). A biomarker row's ``category`` is the variant detected
  (``G12C``, ``p.Gly12Cys``, ``exon 19 deletion``: ``concepts_variants``).
* **FHIR R4 Bundle** — Patient, Observation (LOINC), Condition, MedicationStatement,
  MedicationRequest, Immunization, Procedure, AllergyIntolerance. Parsed with
  ``fhir.resources``' R4B models: the package (8.x) ships R5 as default plus R4B and STU3, and
  R4B (4.3.0) left these resources as R4 (4.0.1) has them (its changes concern medication
  definition and evidence resources), so an R4 bundle reads as R4B. The bundle may hold several
  patients; resources go to the patient their ``subject`` (or ``patient``) references.
  AdverseEvent is not read: FHIR R4 AdverseEvent records no CTCAE grade (its ``severity`` is
  mild, moderate or severe) and no day of resolution, so a bundle leaves the adverse events of
  prior therapy unknown (``Patient.adverse_events`` None).

Every problem is an ``InputError`` naming the file, the patient and the field; nothing is
guessed: an unknown unit, section, column or analyte is an error.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from oncotrial.eligibility.patient import (
    AllergyRecord,
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
from oncotrial.formats.patient_records import adverse_event, biomarker_status, build_record
from oncotrial.formats.patients_fhir import patients_from_fhir

__all__ = [
    "CSV_COLUMNS",
    "CSV_SECTIONS",
    "read_patient_file",
    "read_patient_folder",
    "read_patients",
]

# A CSV diagnosis row names one field of ``Diagnosis`` (the condition, with its code and system,
# is the row "condition"; where the record came from is the row's own position)
_DIAGNOSIS_ITEMS = frozenset(Diagnosis.model_fields) - {"text", "code", "system", "record"}


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
    "allergies",
    "adverse_events",
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
                build_record(
                    Observation, {**item, "record": f"{key}[{i}]"}, file, record, f"{key}[{i}]"
                )
            )
    fields["observations"] = tuple(observations)
    fields["performance_status"] = tuple(
        build_record(
            PerformanceStatus,
            {**item, "record": f"performance_status[{i}]"},
            file,
            record,
            f"performance_status[{i}]",
        )
        for i, item in enumerate(_list(data, "performance_status", file, record) or [])
    )
    if data.get("diagnosis") is not None:
        fields["diagnosis"] = build_record(
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
        "allergies": AllergyRecord,
    }
    for key, model in simple.items():
        items = _list(data, key, file, record)
        if items is None:
            continue
        built = []
        for i, item in enumerate(items):
            payload = (
                _named(item, file, record, f"{key}[{i}]")
                if key in {"conditions", "medications", "procedures", "allergies"}
                else dict(item)
            )
            built.append(
                build_record(
                    model, {**payload, "record": f"{key}[{i}]"}, file, record, f"{key}[{i}]"
                )
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
            lines.append(build_record(TherapyLine, payload, file, record, f"therapies[{i}]"))
        fields["therapies"] = tuple(lines)
    events = _list(data, "adverse_events", file, record)
    if events is not None:
        built_events = []
        for i, item in enumerate(events):
            where = f"adverse_events[{i}]"
            if not isinstance(item, dict):
                raise SchemaError("expected an object", file=file, record=record, field=where)
            built_events.append(adverse_event({**item, "record": where}, file, record, where))
        fields["adverse_events"] = tuple(built_events)
    return build_record(Patient, fields, file, record, "")


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
    "allergy",
    "adverse_event",
)
_LISTS = {
    "condition": "conditions",
    "medication": "medications",
    "therapy": "therapies",
    "procedure": "procedures",
    "biomarker": "biomarkers",
    "lesion": "lesions",
    "allergy": "allergies",
    "adverse_event": "adverse_events",
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
                build_record(
                    PerformanceStatus,
                    {"scale": item or "ECOG", "score": value, "date": get("date"), "record": where},
                    file,
                    pid,
                    field,
                )
            )
        elif section in {"lab", "vital"}:
            data.setdefault("observations", []).append(
                _observation(item, value, row, where, file, pid, field)
            )
        elif section == "diagnosis":
            if item in {"condition", "text"}:
                diagnosis.update(text=value or None, code=get("code"), system=get("system"))
            elif item in _DIAGNOSIS_ITEMS:
                diagnosis[item] = value or None
            else:
                raise ValueProblem(
                    f"unknown diagnosis item {item!r}",
                    file=file,
                    record=pid,
                    field=f"{where}: item",
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
        else:  # a section of one record a row: condition, medication, procedure, biomarker, lesion
            lists[_LISTS[section]].append(
                _list_record(section, item, value, row, where, file, pid, field)
            )
    if diagnosis:
        diagnosis["record"] = "diagnosis"
        data["diagnosis"] = build_record(Diagnosis, diagnosis, file, pid, "diagnosis")
    if "therapies" in lists:
        lists["therapies"] = [
            build_record(TherapyLine, line, file, pid, f"{line['record']}: therapy")
            for line in therapy_lines.values()
        ]
    data.update(lists)
    return build_record(Patient, data, file, pid, "")


def _observation(
    item: str, value: str, row: dict[str, str], where: str, file: str, pid: str, field: str
) -> Observation:
    """A lab or vital sign row: by LOINC code or analyte name, a number or a text result."""

    def get(column: str) -> str | None:
        return row.get(column) or None

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
    return build_record(Observation, payload, file, pid, field)


def _list_record(
    section: str,
    item: str,
    value: str,
    row: dict[str, str],
    where: str,
    file: str,
    pid: str,
    field: str,
) -> BaseModel:
    """The record of a row of a list section (condition, medication, procedure, biomarker,
    lesion)."""

    def get(column: str) -> str | None:
        return row.get(column) or None

    if section == "condition":
        return build_record(
            ConditionRecord,
            {
                "text": item,
                "code": get("code"),
                "system": get("system"),
                "onset": get("date"),
                "abatement": get("end_date"),
                # value: the clinical status (FHIR Condition.clinicalStatus: active, resolved …)
                "clinical_status": value.strip().lower() or None,
                "record": where,
            },
            file,
            pid,
            field,
        )
    if section == "medication":
        return build_record(
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
    if section == "procedure":
        return build_record(
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
    if section == "biomarker":
        numeric = re.fullmatch(r"[\d.]+", value) is not None
        status = None if numeric else biomarker_status(value, file, pid, f"{where}: value")
        return build_record(
            Biomarker,
            {
                "marker": item,
                "status": status,
                "value": float(value) if numeric else None,
                # category: the variant detected ("G12C", "p.Gly12Cys", "exon 19 deletion")
                "variant": get("category"),
                "date": get("date"),
                "record": where,
            },
            file,
            pid,
            field,
        )
    if section == "lesion":
        return build_record(
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
    if section == "allergy":
        return _allergy(item, value, row, where, file, pid, field)
    if section == "adverse_event":
        # an adverse event of prior therapy: its CTCAE term (item), grade now (value, '2' or
        # 'grade 2'), baseline grade (category), start (date), end (end_date; none: ongoing)
        grades = {}
        for column, key in (("value", "grade"), ("category", "baseline_grade")):
            text = row.get(column, "").strip()
            number = re.fullmatch(r"(?:(?:ctcae\s+)?grade\s*)?(\d)", text, re.I)
            if text and number is None:
                raise ValueProblem(
                    f"{text!r} is not a CTCAE grade",
                    file=file,
                    record=pid,
                    field=f"{where}: {column}",
                )
            grades[key] = int(number[1]) if number else None
        payload = {"term": item, **grades, "start": get("date"), "end": get("end_date")}
        return adverse_event({**payload, "record": where}, file, pid, field)
    raise AssertionError(f"not a list section: {section}")  # the caller checked CSV_SECTIONS


_ALLERGY_STANDING = {
    **dict.fromkeys(("allergy", "intolerance"), "type"),
    **dict.fromkeys(("active", "inactive", "resolved"), "clinical_status"),
    **dict.fromkeys(
        ("unconfirmed", "presumed", "confirmed", "refuted", "entered-in-error"),
        "verification_status",
    ),
}


def _allergy(
    item: str, value: str, row: dict[str, str], where: str, file: str, pid: str, field: str
) -> AllergyRecord:
    """An allergy row: the substance (``item``, ``code``, ``system``), its severity or CTCAE
    grade (``value``), its type or a clinical or verification status (``category``), its
    ``date``."""
    payload: dict[str, Any] = {
        "text": item,
        "code": row.get("code") or None,
        "system": row.get("system") or None,
        "date": row.get("date") or None,
        "record": where,
    }
    severity = value.strip().casefold()
    grade = re.fullmatch(r"(?:(?:ctcae\s+)?grade\s*)?(\d)", severity)
    if grade is not None:
        payload["grade"] = int(grade[1])
    elif severity:
        payload["severity"] = severity
    standing = row.get("category", "").strip().casefold()
    if standing:
        if standing not in _ALLERGY_STANDING:
            raise ValueProblem(
                f"unknown allergy status {standing!r}",
                file=file,
                record=pid,
                field=f"{where}: category",
                hint="Use one of: " + ", ".join(_ALLERGY_STANDING) + ".",
            )
        payload[_ALLERGY_STANDING[standing]] = standing
    return build_record(AllergyRecord, payload, file, pid, field)


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
