"""The ClinicalTrials.gov CSV export (the 30-column download of the search results).

Every row becomes a protocol. The export joins lists with ``|`` and each outcome as ``title,
description, time frame``; it carries no eligibility criteria text, no arm groups and no
intervention descriptions, and the import notes say so on every protocol.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from oncotrial.eligibility.criteria import parse_age
from oncotrial.protocol.endpoints import EndpointLevel
from oncotrial.protocol.importers.common import (
    ImportContext,
    derived_provenance,
    parse_enum,
    parse_intervention_list,
    split_outcome_list,
)
from oncotrial.protocol.importers.registry_page import PHASE_ALIASES
from oncotrial.protocol.model import ImportFormat, Protocol
from oncotrial.protocol.vocabulary import (
    Allocation,
    InterventionModel,
    Masking,
    ObservationalModel,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    Sex,
    StudyType,
    TimePerspective,
)

__all__ = ["CSV_COLUMNS", "is_ctgov_csv", "parse_ctgov_csv"]

CSV_COLUMNS = (
    "NCT Number",
    "Study Title",
    "Study URL",
    "Acronym",
    "Study Status",
    "Brief Summary",
    "Study Results",
    "Conditions",
    "Interventions",
    "Primary Outcome Measures",
    "Secondary Outcome Measures",
    "Other Outcome Measures",
    "Sponsor",
    "Collaborators",
    "Sex",
    "Age",
    "Phases",
    "Enrollment",
    "Funder Type",
    "Study Type",
    "Study Design",
    "Other IDs",
    "Start Date",
    "Primary Completion Date",
    "Completion Date",
    "First Posted",
    "Results First Posted",
    "Last Update Posted",
    "Locations",
    "Study Documents",
)

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_STD_AGES = {"CHILD", "ADULT", "OLDER_ADULT"}


def is_ctgov_csv(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return "NCT Number" in first and "," in first


def parse_ctgov_csv(text: str, file: str) -> list[Protocol]:
    ctx = ImportContext(file)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ctx.schema(
            f"missing column(s) {', '.join(missing)}",
            field=missing[0],
            hint="Download the search results from ClinicalTrials.gov as CSV with all 30 "
            "columns (the default download).",
        )
    protocols = []
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ctx.schema(f"not a readable CSV file ({exc})") from exc
    if not rows:
        raise ctx.schema("the CSV file has a header but no studies")
    for number, row in enumerate(rows, start=2):
        if None in row:
            raise ctx.at(f"row {number}").schema(
                f"the row has {len(header) + len(row[None])} values for {len(header)} columns",
                hint="Check the quoting of that row.",
            )
        if any(v is None for k, v in row.items() if k is not None):
            given = sum(1 for k, v in row.items() if k is not None and v is not None)
            raise ctx.at(f"row {number}").schema(
                f"the row has {given} values for {len(header)} columns",
                hint="The row is cut short; check the quoting of that row or download again.",
            )
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        protocols.append(_parse_row(cells, ctx.at(cells.get("NCT Number") or f"row {number}")))
    return protocols


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _date(value: str, ctx: ImportContext, field: str) -> dict[str, Any] | None:
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return {"date": value}
    # the older export writes "April 3, 2020" or "April 2020"
    match = re.fullmatch(r"([A-Za-z]+)\s+(?:(\d{1,2}),\s*)?(\d{4})", value)
    if match and match.group(1).casefold() in _MONTHS:
        month = _MONTHS[match.group(1).casefold()]
        day = f"-{int(match.group(2)):02d}" if match.group(2) else ""
        return {"date": f"{match.group(3)}-{month:02d}{day}"}
    raise ctx.value(f"date {value!r} is not YYYY-MM-DD", field=field)


def _design(value: str, ctx: ImportContext, notes: list[str]) -> dict[str, Any]:
    parts: dict[str, str] = {}
    for item in value.split("|"):
        if ":" in item:
            key, _, v = item.partition(":")
            parts[key.strip().casefold()] = v.strip()
    masking_text = parts.get("masking", "")
    masking_code, _, who = masking_text.partition("(")
    return {
        "allocation": parse_enum(Allocation, parts.get("allocation"), ctx, "Study Design"),
        "intervention_model": parse_enum(
            InterventionModel,
            parts.get("intervention model"),
            ctx,
            "Study Design",
            aliases={"PARALLEL_ASSIGNMENT": "PARALLEL", "SINGLE_GROUP_ASSIGNMENT": "SINGLE_GROUP"},
        ),
        "masking": parse_enum(
            Masking,
            masking_code.strip() or None,
            ctx,
            "Study Design",
            aliases={"NONE_OPEN_LABEL": "NONE", "OPEN_LABEL": "NONE"},
        ),
        "who_masked": [w.strip() for w in who.rstrip(")").split(",") if w.strip()],
        "primary_purpose": parse_enum(
            PrimaryPurpose, parts.get("primary purpose"), ctx, "Study Design", unknown_noted=notes
        ),
        "observational_model": parse_enum(
            ObservationalModel,
            parts.get("observational model"),
            ctx,
            "Study Design",
            unknown_noted=notes,
        ),
        "time_perspective": parse_enum(
            TimePerspective, parts.get("time perspective"), ctx, "Study Design", unknown_noted=notes
        ),
    }


def _ages(value: str, ctx: ImportContext) -> dict[str, Any]:
    """v2 export: 'ADULT, OLDER_ADULT'; older: '18 Years and older   (Adult, Older Adult)'."""
    text = value.strip()
    result: dict[str, Any] = {"standard_ages": []}
    if not text:
        return result
    inside = re.search(r"\(([^)]*)\)", text)
    codes = inside.group(1) if inside else text
    candidates = [re.sub(r"\s+", "_", c.strip()).upper() for c in codes.split(",") if c.strip()]
    if all(c in _STD_AGES for c in candidates):
        result["standard_ages"] = candidates
    limits = text[: inside.start()] if inside else ("" if result["standard_ages"] else text)
    if match := re.match(r"^\s*(\d+\s+\w+?)s?\s+to\s+(\d+\s+\w+?)s?\s*$", limits):
        result["minimum_age"] = parse_age(match.group(1) + "s")
        result["maximum_age"] = parse_age(match.group(2) + "s")
    elif match := re.match(r"^\s*(\d+\s+\w+?)s?\s+and\s+older\s*$", limits, re.I):
        result["minimum_age"] = parse_age(match.group(1) + "s")
    elif match := re.match(r"^\s*up\s+to\s+(\d+\s+\w+?)s?\s*$", limits, re.I):
        result["maximum_age"] = parse_age(match.group(1) + "s")
    elif limits.strip() and not result["standard_ages"]:
        raise ctx.value(f"age {text!r} is not understood", field="Age")
    return result


def _parse_row(cells: dict[str, str], ctx: ImportContext) -> Protocol:
    nct = cells["NCT Number"] or None
    if nct and not re.fullmatch(r"NCT\d{8}", nct):
        raise ctx.value(f"{nct!r} is not an NCT number", field="NCT Number")
    if not cells["Study Title"]:
        raise ctx.schema("the study has no title", field="Study Title")
    other_ids = list(dict.fromkeys(_split(cells["Other IDs"])))
    interventions = parse_intervention_list(cells["Interventions"], ctx, "Interventions")
    endpoints = [
        *split_outcome_list(cells["Primary Outcome Measures"], EndpointLevel.PRIMARY),
        *split_outcome_list(cells["Secondary Outcome Measures"], EndpointLevel.SECONDARY),
        *split_outcome_list(cells["Other Outcome Measures"], EndpointLevel.OTHER),
    ]
    enrollment = cells["Enrollment"]
    if enrollment and not re.fullmatch(r"\d+(\.0+)?", enrollment):
        raise ctx.value(f"enrollment {enrollment!r} is not a whole number", field="Enrollment")
    sex = parse_enum(Sex, cells["Sex"], ctx, "Sex")
    phases = [
        parse_enum(Phase, p, ctx, "Phases", aliases=PHASE_ALIASES) for p in _split(cells["Phases"])
    ]
    notes = [
        "the CSV export carries no eligibility criteria text, arm groups or intervention "
        "descriptions; import the API v2 JSON record for those",
    ]
    if cells["Study Results"].upper() in {"YES", "HAS RESULTS"}:
        notes.append("the registry holds results for this study; they are not imported")
    data: dict[str, Any] = {
        "identity": {
            "nct_id": nct,
            "org_study_id": other_ids[0] if other_ids else None,
            "secondary_ids": [{"id": i} for i in other_ids[1:]],
            "brief_title": cells["Study Title"],
            "acronym": cells["Acronym"] or None,
        },
        "status": {
            "overall_status": parse_enum(OverallStatus, cells["Study Status"], ctx, "Study Status"),
            "start": _date(cells["Start Date"], ctx, "Start Date"),
            "primary_completion": _date(
                cells["Primary Completion Date"], ctx, "Primary Completion Date"
            ),
            "completion": _date(cells["Completion Date"], ctx, "Completion Date"),
            "first_posted": _date(cells["First Posted"], ctx, "First Posted"),
            "last_updated": _date(cells["Last Update Posted"], ctx, "Last Update Posted"),
        },
        "description": {"brief_summary": cells["Brief Summary"] or None},
        "conditions": _split(cells["Conditions"]),
        "design": {
            "study_type": parse_enum(StudyType, cells["Study Type"], ctx, "Study Type"),
            "phases": [p for p in phases if p is not None],
            **_design(cells["Study Design"], ctx, notes),
        },
        "enrollment": {"count": int(float(enrollment))} if enrollment else None,
        "interventions": [i.model_dump() for i in interventions],
        "endpoints": [e.model_dump() for e in endpoints],
        "eligibility": {"sex": sex.value if sex else None, **_ages(cells["Age"], ctx)},
        "sponsors": {
            "lead": (
                {"name": cells["Sponsor"], "agency_class": cells["Funder Type"] or None}
                if cells["Sponsor"]
                else None
            ),
            "collaborators": [{"name": c} for c in _split(cells["Collaborators"])],
        },
        "locations": [
            {"address": loc, "country": loc.rsplit(",", 1)[-1].strip()}
            for loc in _split(cells["Locations"])
        ],
        "source": {
            "format": ImportFormat.CTGOV_CSV,
            "name": f"{ctx.basename} ({ctx.record})",
            "notes": notes,
        },
        "provenance": derived_provenance(interventions, endpoints),
    }
    return ctx.build(data)
