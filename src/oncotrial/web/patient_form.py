"""The screening form's quick entry, turned into a patient record (docs/eligibility.md's JSON).

A patient record can be uploaded or pasted (oncotrial JSON record, its CSV, a FHIR R4 bundle);
the quick entry fields add the usual screening data to it — demographics, ECOG, height and
weight, one panel of laboratory results drawn on the same day with their reference ranges, the
diagnosis (with its stage and the primary tumour's size), the driver-mutation and PD-L1 results,
and the results a rule reads as a word (childbearing potential yes or no, a pregnancy test
negative or positive), each with its date (``oncotrial.web.collect`` says which of a trial's
to-collect items these fields take).
Nothing is assumed: a list the record does not provide (medications, prior therapy, …) stays
unprovided, and the rules needing it say what to collect.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from oncotrial.catalogue import baseline, labs
from oncotrial.catalogue.staging import EDITIONS, stage_groups
from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.errors import FormatError, SchemaError

__all__ = ["EDITIONS", "FINDINGS", "LAB_PANEL", "STAGES", "TNM_FIELDS", "record_from_form"]

# (analyte key, label, units offered — the first is the default): the catalogue's screening
# panel, then its other tests (TSH), so that every lab a trial's rules ask for and the catalogue
# records has a field (issue 13: quick entry lacked most of a trial's to-collect items).
LAB_PANEL: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (t.analyte, t.panel_label, t.entry_units)
    for t in (
        *labs.LAB_PANEL,
        *(t for t in labs.LAB_TESTS.values() if t not in labs.LAB_PANEL),
    )
)
DEFAULT_EDITION = 8
# The stage groups of the default edition, for every site it stages (docs/catalogue.md).
STAGES = stage_groups(DEFAULT_EDITION)
MARKERS = baseline.GENES[:3]  # the NSCLC drivers screening asks for: EGFR, ALK, ROS1
_ECOG = baseline.ECOG_GRADES.codes
_TNM = {"t": "T1b", "n": "N0", "m": "M0"}  # examples in the error message and placeholder
# (field name, label, example): the TNM categories some rules read besides the stage group.
TNM_FIELDS = tuple((f"stage_{p}", f"{p.upper()} category", e) for p, e in _TNM.items())
# Results a rule reads as one of a few words, taken by a select, (analyte key, label, results
# offered): childbearing potential as the investigator records it (CDISC SDTM RP CHILDPOT, Y/N;
# analytes.py) and the pregnancy test asked of her when it is yes ("Women of childbearing
# potential with negative serum pregnancy test", NCT01736878 I14). No catalogue test records
# either, so they stay in the screening record (not carried to baseline). Field "finding:KEY",
# its date "finding_date:KEY"; empty is "not recorded" (nothing added).
FINDINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (a.key, a.name, a.results) for a in (ANALYTES["childbearing_potential"], ANALYTES["hcg"])
)
_TPS_MAX = baseline.PDL1_TEST.plausible.high if baseline.PDL1_TEST.plausible else 100.0


def _text(data: Mapping[str, Any], key: str, limit: int = 100) -> str:
    value = data.get(key)
    return str(value).strip()[:limit] if value is not None else ""


def _number(data: Mapping[str, Any], key: str, errors: dict[str, str]) -> float | None:
    text = _text(data, key).replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[key] = f"{text!r} is not a number."
        return None
    if value != value or value < 0:
        errors[key] = "a value is a number of 0 or more."
        return None
    return value


def record_from_form(
    data: Mapping[str, Any], base: dict[str, Any] | None, errors: dict[str, str]
) -> dict[str, Any]:
    """The JSON record: ``base`` (an uploaded or pasted record, or {}) plus the quick entry."""
    record: dict[str, Any] = dict(base or {})
    record.setdefault("id", "screening")
    for key in ("sex", "birth_date", "planned_first_dose"):
        text = _text(data, key)
        if text:
            record[key] = text
    ecog = _text(data, "ecog")
    if ecog:
        if ecog not in _ECOG:
            errors["ecog"] = "ECOG is 0 to 5."
        else:
            entry: dict[str, Any] = {"scale": "ECOG", "score": int(ecog)}
            if _text(data, "ecog_date"):
                entry["date"] = _text(data, "ecog_date")
            record["performance_status"] = [*record.get("performance_status", []), entry]
    vitals = list(record.get("vitals", []))
    for key, unit in (
        ("weight", baseline.WEIGHT_TEST.unit),
        ("height", baseline.HEIGHT_TEST.unit),
    ):
        value = _number(data, key, errors)
        if value is not None:
            if not _text(data, "vitals_date"):
                errors["vitals_date"] = "give the date of height and weight."
            vitals.append(
                {"analyte": key, "value": value, "unit": unit, "date": _text(data, "vitals_date")}
            )
    if vitals:
        record["vitals"] = vitals
    labs = list(record.get("labs", []))
    lab_date = _text(data, "lab_date")
    for key, _, units in LAB_PANEL:
        value = _number(data, f"lab:{key}", errors)
        if value is None:
            continue
        if not lab_date:
            errors["lab_date"] = "give the date the samples were drawn."
        unit = _text(data, f"unit:{key}") or units[0]
        if unit not in units:
            errors[f"unit:{key}"] = f"choose one of {', '.join(units)}."
        item: dict[str, Any] = {"analyte": key, "value": value, "unit": unit, "date": lab_date}
        low = _number(data, f"low:{key}", errors)
        high = _number(data, f"high:{key}", errors)
        if low is not None:
            item["low"] = low
        if high is not None:
            item["high"] = high
        if low is not None and high is not None and low >= high:
            errors[f"high:{key}"] = "the upper limit must be above the lower limit."
        labs.append(item)
    labs.extend(_findings(data, errors))
    if labs:
        record["labs"] = labs
    histology = _text(data, "confirmed_by")
    stage = _text(data, "stage")
    size = _number(data, "tumour_size", errors)
    if size is not None and size <= 0:
        errors["tumour_size"] = "a size is a number of millimetres above 0."
    tnm = any(_text(data, f"stage_{part}") for part in ("t", "n", "m"))
    if histology or stage or size or tnm:
        diagnosis = dict(record.get("diagnosis") or {})
        diagnosis.setdefault("concept", _text(data, "diagnosis") or "nsclc")
        if histology:
            if histology not in {"histology", "cytology"}:
                errors["confirmed_by"] = "histology or cytology."
            diagnosis["confirmed_by"] = histology
        if stage:
            edition_text = _text(data, "stage_edition") or str(DEFAULT_EDITION)
            edition = int(edition_text) if edition_text.isdigit() else 0
            if edition not in EDITIONS:
                errors["stage_edition"] = f"AJCC edition {' or '.join(map(str, EDITIONS))}."
            elif stage not in stage_groups(edition, parents=True):
                errors["stage"] = f"choose an AJCC {edition}th edition stage group."
            diagnosis["stage"] = stage
            diagnosis.setdefault("edition", edition or DEFAULT_EDITION)
        if size:
            diagnosis["tumour_size_mm"] = size
        for part in ("t", "n", "m"):
            category = _text(data, f"stage_{part}", 12).replace(" ", "")
            if category and not re.fullmatch(r"[A-Za-z]{0,2}[TNM][0-9a-zA-Z()+]{1,6}", category):
                errors[f"stage_{part}"] = f"a {part.upper()} category such as {_TNM[part]}."
            elif category:
                diagnosis[part] = category
        record["diagnosis"] = diagnosis
    markers = list(record.get("biomarkers", []) or [])
    marker_date = _text(data, "marker_date") or None
    for marker in MARKERS:
        status = _text(data, f"marker:{marker}")
        if status in {"detected", "not_detected"}:
            markers.append({"marker": marker, "status": status, "date": marker_date})
        elif status:
            errors[f"marker:{marker}"] = "detected or not detected."
    pdl1 = _number(data, "pdl1", errors)
    if pdl1 is not None:
        if pdl1 > _TPS_MAX:
            errors["pdl1"] = "a proportion is 0–100%."
        markers.append({"marker": "PD-L1", "value": pdl1, "date": marker_date})
    if markers:
        record["biomarkers"] = [{k: v for k, v in m.items() if v is not None} for m in markers]
    return record


def _findings(data: Mapping[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The findings chosen in their selects, as the record's results (``labs``, by analyte key:
    docs/eligibility.md's JSON record), each with the date it was recorded."""
    out: list[dict[str, Any]] = []
    for key, label, results in FINDINGS:
        result = _text(data, f"finding:{key}")
        if not result:
            continue  # not recorded: the rules asking for it say so
        if result not in results:
            errors[f"finding:{key}"] = f"{label}: {' or '.join(results)}, or not recorded."
            continue
        date = _text(data, f"finding_date:{key}")
        if not date:
            errors[f"finding_date:{key}"] = f"{label}: give the date it was recorded."
            continue
        out.append({"analyte": key, "result": result, "date": date})
    return out


def parse_record_text(text: str, name: str) -> dict[str, Any] | None:
    """A pasted JSON record (oncotrial's shape) as a dict; None for other formats (read later)."""
    stripped = text.strip()
    if not stripped:
        return None
    if not stripped.startswith("{"):
        return None
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno})", file=name
        ) from exc
    if not isinstance(data, dict):
        raise SchemaError("a patient record is a JSON object", file=name)
    if data.get("resourceType") or "patients" in data:
        return None  # a FHIR bundle or a list of patients: read as a whole
    return data
