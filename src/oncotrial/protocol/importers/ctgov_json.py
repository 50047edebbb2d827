"""ClinicalTrials.gov API v2 JSON: a single study, or a ``studies`` page of them.

The v2 record's ``protocolSection`` modules map onto the protocol's sections. Modules oncotrial
does not model (oversight, references, IPD sharing, the results, derived, document and annotation
sections) are named in the protocol's import notes rather than silently dropped. The legacy v1
shape (``FullStudiesResponse``) is refused with a message that says how to get the v2 record.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

from oncotrial.eligibility.criteria import Eligibility, parse_age, split_criteria
from oncotrial.errors import SchemaError
from oncotrial.protocol.endpoints import EndpointLevel, read_endpoint
from oncotrial.protocol.importers.common import (
    INTERVENTION_ALIASES,
    ImportContext,
    derived_provenance,
    parse_enum,
    with_dosing,
)
from oncotrial.protocol.model import ImportFormat, Intervention, Protocol
from oncotrial.protocol.vocabulary import (
    Allocation,
    ArmType,
    DateType,
    EnrollmentType,
    InterventionModel,
    InterventionType,
    Masking,
    ObservationalModel,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    ResponsiblePartyType,
    Sex,
    StudyType,
    TimePerspective,
)

__all__ = ["V1_REFUSAL_HINT", "is_ctgov_v1", "parse_ctgov_json"]

V1_REFUSAL_HINT = (
    "Download the API v2 record instead (https://clinicaltrials.gov/api/v2/studies/NCTxxxxxxxx, "
    "or the JSON download on the study's page) and import that file."
)

_MODELLED = {
    "identificationModule",
    "statusModule",
    "sponsorCollaboratorsModule",
    "descriptionModule",
    "conditionsModule",
    "designModule",
    "armsInterventionsModule",
    "outcomesModule",
    "eligibilityModule",
    "contactsLocationsModule",
}


def is_ctgov_v1(document: Any) -> bool:
    return isinstance(document, dict) and (
        "FullStudiesResponse" in document or "StudyFieldsResponse" in document
    )


def parse_ctgov_json(document: Any, file: str) -> list[Protocol]:
    """Protocols from a parsed v2 JSON document (one study or a ``studies`` page)."""
    ctx = ImportContext(file)
    if is_ctgov_v1(document):
        found = (
            "FullStudiesResponse" if "FullStudiesResponse" in document else "StudyFieldsResponse"
        )
        raise SchemaError(
            f"the file is in the retired ClinicalTrials.gov API v1 shape ({found}), "
            "which oncotrial does not read",
            file=file,
            hint=V1_REFUSAL_HINT,
        )
    if isinstance(document, dict) and isinstance(document.get("studies"), list):
        studies = document["studies"]
        if not studies:
            raise ctx.schema("the studies page holds no studies", field="studies")
        return [
            _parse_study(study, ctx.at(f"studies[{i}]"), f"studies[{i}].")
            for i, study in enumerate(studies)
        ]
    if isinstance(document, list):
        if not document:
            raise ctx.schema("the file holds an empty list: no study to import", field="[]")
        return [
            _parse_study(study, ctx.at(f"[{i}]"), f"[{i}].") for i, study in enumerate(document)
        ]
    return [_parse_study(document, ctx, "")]


def _obj(parent: Any, key: str, ctx: ImportContext, path: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ctx.schema(f"expected an object, got {type(value).__name__}", field=path + key)
    return value


def _list(parent: dict[str, Any], key: str, ctx: ImportContext, path: str) -> list[Any]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ctx.schema(f"expected a list, got {type(value).__name__}", field=path + key)
    return value


def _text(parent: dict[str, Any], key: str, ctx: ImportContext, path: str) -> str | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ctx.schema(f"expected text, got {type(value).__name__}", field=path + key)
    text = str(value).strip()
    return text or None


def _date(parent: dict[str, Any], key: str, ctx: ImportContext, path: str) -> dict[str, Any] | None:
    struct = _obj(parent, key, ctx, path)
    date = _text(struct, "date", ctx, f"{path}{key}.")
    if date is None:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
        raise ctx.value(
            f"date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD", field=f"{path}{key}.date"
        )
    try:  # a date of the calendar: 2017-02-30 and 2017-13 are refused
        _dt.date.fromisoformat((date + "-01-01")[:10] if len(date) < 10 else date)
    except ValueError:
        raise ctx.value(
            f"date {date!r} is not a date of the calendar", field=f"{path}{key}.date"
        ) from None
    return {
        "date": date,
        "type": parse_enum(DateType, struct.get("type"), ctx, f"{path}{key}.type"),
    }


def _parse_study(study: Any, ctx: ImportContext, prefix: str) -> Protocol:
    if not isinstance(study, dict):
        raise ctx.schema(
            f"a study must be a JSON object, got {type(study).__name__}",
            field=prefix.rstrip(".") or None,
        )
    if "protocolSection" not in study:
        raise ctx.schema(
            "no protocolSection: this is not a ClinicalTrials.gov API v2 study record",
            field=prefix + "protocolSection",
            hint="Download the study as JSON from ClinicalTrials.gov (API v2).",
        )
    p = prefix + "protocolSection."
    section = _obj(study, "protocolSection", ctx, prefix)
    ident = _obj(section, "identificationModule", ctx, p)
    nct_id = _text(ident, "nctId", ctx, p + "identificationModule.")
    ctx = ctx.at(nct_id or ctx.record)
    if not _text(ident, "briefTitle", ctx, p + "identificationModule."):
        raise ctx.schema(
            "the study has no brief title", field=p + "identificationModule.briefTitle"
        )

    data: dict[str, Any] = {
        "identity": _identity(ident, ctx, p + "identificationModule."),
        "status": _status(_obj(section, "statusModule", ctx, p), ctx, p + "statusModule."),
    }
    desc = _obj(section, "descriptionModule", ctx, p)
    data["description"] = {
        "brief_summary": _text(desc, "briefSummary", ctx, p + "descriptionModule."),
        "detailed_description": _text(desc, "detailedDescription", ctx, p + "descriptionModule."),
    }
    cond = _obj(section, "conditionsModule", ctx, p)
    data["conditions"] = [str(c) for c in _list(cond, "conditions", ctx, p + "conditionsModule.")]
    data["keywords"] = [str(k) for k in _list(cond, "keywords", ctx, p + "conditionsModule.")]
    design_module = _obj(section, "designModule", ctx, p)
    kept: list[str] = []  # unknown values of fields not computed on, kept as text
    data["design"] = _design(design_module, ctx, p + "designModule.", kept)
    enrollment = _obj(design_module, "enrollmentInfo", ctx, p + "designModule.")
    if enrollment:
        count = enrollment.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
            raise ctx.value(
                f"enrollment count {count!r} is not a whole number",
                field=p + "designModule.enrollmentInfo.count",
            )
        data["enrollment"] = {
            "count": count,
            "type": parse_enum(
                EnrollmentType,
                enrollment.get("type"),
                ctx,
                p + "designModule.enrollmentInfo.type",
            ),
        }
    arms_module = _obj(section, "armsInterventionsModule", ctx, p)
    interventions = _interventions(arms_module, ctx, p + "armsInterventionsModule.")
    data["interventions"] = interventions
    data["arms"] = _arms(arms_module, interventions, ctx, p + "armsInterventionsModule.")
    outcomes = _obj(section, "outcomesModule", ctx, p)
    endpoints = []
    for key, level in (
        ("primaryOutcomes", EndpointLevel.PRIMARY),
        ("secondaryOutcomes", EndpointLevel.SECONDARY),
        ("otherOutcomes", EndpointLevel.OTHER),
    ):
        for i, outcome in enumerate(_list(outcomes, key, ctx, p + "outcomesModule.")):
            path = f"{p}outcomesModule.{key}[{i}]."
            if not isinstance(outcome, dict):
                raise ctx.schema("an outcome must be an object", field=path.rstrip("."))
            measure = _text(outcome, "measure", ctx, path)
            if not measure:
                raise ctx.schema("an outcome has no measure (title)", field=path + "measure")
            endpoints.append(
                read_endpoint(
                    level,
                    measure,
                    _text(outcome, "description", ctx, path),
                    _text(outcome, "timeFrame", ctx, path),
                )
            )
    data["endpoints"] = endpoints
    data["eligibility"] = _eligibility(
        _obj(section, "eligibilityModule", ctx, p), ctx, p + "eligibilityModule."
    )
    data["sponsors"] = _sponsors(
        _obj(section, "sponsorCollaboratorsModule", ctx, p), ctx, p + "sponsorCollaboratorsModule."
    )
    contacts = _obj(section, "contactsLocationsModule", ctx, p)
    data.update(_contacts_locations(contacts, ctx, p + "contactsLocationsModule."))

    notes = list(kept)
    unmodelled = sorted(set(section) - _MODELLED)
    if unmodelled:
        notes.append("modules not carried into the protocol: " + ", ".join(unmodelled))
    # The registry's results are kept verbatim (issue 15): shown as the registry posted them.
    results = study.get("resultsSection")
    if results is not None:
        if not isinstance(results, dict):
            raise ctx.schema("resultsSection is not an object", field=prefix + "resultsSection")
        data["registry_results"] = json.dumps(results, ensure_ascii=False)
    carried = {"protocolSection", "hasResults", "resultsSection"}
    others = sorted(k for k in study if k not in carried)
    if others:
        notes.append("sections not carried into the protocol: " + ", ".join(others))
    if not section.get("eligibilityModule", {}).get("eligibilityCriteria"):
        notes.append("the record carries no eligibility criteria text")
    data["source"] = {
        "format": ImportFormat.CTGOV_JSON,
        "name": ctx.basename + (f" ({prefix.rstrip('.')})" if prefix else ""),
        "notes": notes,
    }
    data["provenance"] = derived_provenance(
        [Intervention.model_validate(i) for i in interventions], endpoints
    )
    return ctx.build(data)


def _identity(ident: dict[str, Any], ctx: ImportContext, p: str) -> dict[str, Any]:
    org_id = _obj(ident, "orgStudyIdInfo", ctx, p)
    organization = _obj(ident, "organization", ctx, p)
    secondary = []
    for i, info in enumerate(_list(ident, "secondaryIdInfos", ctx, p)):
        path = f"{p}secondaryIdInfos[{i}]."
        if not isinstance(info, dict) or not _text(info, "id", ctx, path):
            raise ctx.schema("a secondary id has no id", field=path + "id")
        secondary.append(
            {
                "id": _text(info, "id", ctx, path),
                "type": _text(info, "type", ctx, path),
                "domain": _text(info, "domain", ctx, path),
                "link": _text(info, "link", ctx, path),
            }
        )
    nct = _text(ident, "nctId", ctx, p)
    if nct is not None and not re.fullmatch(r"NCT\d{8}", nct):
        raise ctx.value(f"{nct!r} is not an NCT number (NCT + 8 digits)", field=p + "nctId")
    return {
        "nct_id": nct,
        "org_study_id": _text(org_id, "id", ctx, p + "orgStudyIdInfo."),
        "secondary_ids": secondary,
        "brief_title": _text(ident, "briefTitle", ctx, p),
        "official_title": _text(ident, "officialTitle", ctx, p),
        "acronym": _text(ident, "acronym", ctx, p),
        "organization": (
            {
                "name": _text(organization, "fullName", ctx, p + "organization."),
                "agency_class": _text(organization, "class", ctx, p + "organization."),
            }
            if _text(organization, "fullName", ctx, p + "organization.")
            else None
        ),
    }


def _status(status: dict[str, Any], ctx: ImportContext, p: str) -> dict[str, Any]:
    return {
        "overall_status": parse_enum(
            OverallStatus, status.get("overallStatus"), ctx, p + "overallStatus"
        ),
        "why_stopped": _text(status, "whyStopped", ctx, p),
        "start": _date(status, "startDateStruct", ctx, p),
        "primary_completion": _date(status, "primaryCompletionDateStruct", ctx, p),
        "completion": _date(status, "completionDateStruct", ctx, p),
        "first_posted": _date(status, "studyFirstPostDateStruct", ctx, p),
        "last_updated": _date(status, "lastUpdatePostDateStruct", ctx, p),
        "verified": _text(status, "statusVerifiedDate", ctx, p),
    }


def _design(design: dict[str, Any], ctx: ImportContext, p: str, notes: list[str]) -> dict[str, Any]:
    info = _obj(design, "designInfo", ctx, p)
    masking = _obj(info, "maskingInfo", ctx, p + "designInfo.")
    phases = [
        parse_enum(Phase, v, ctx, f"{p}phases[{i}]")
        for i, v in enumerate(_list(design, "phases", ctx, p))
    ]
    q = p + "designInfo."
    return {
        "study_type": parse_enum(StudyType, design.get("studyType"), ctx, p + "studyType"),
        "phases": [ph for ph in phases if ph is not None],
        "allocation": parse_enum(Allocation, info.get("allocation"), ctx, q + "allocation"),
        "intervention_model": parse_enum(
            InterventionModel, info.get("interventionModel"), ctx, q + "interventionModel"
        ),
        "intervention_model_description": _text(info, "interventionModelDescription", ctx, q),
        "masking": parse_enum(Masking, masking.get("masking"), ctx, q + "maskingInfo.masking"),
        "who_masked": [str(w) for w in _list(masking, "whoMasked", ctx, q + "maskingInfo.")],
        "primary_purpose": parse_enum(
            PrimaryPurpose,
            info.get("primaryPurpose"),
            ctx,
            q + "primaryPurpose",
            unknown_noted=notes,
        ),
        "observational_model": parse_enum(
            ObservationalModel,
            info.get("observationalModel"),
            ctx,
            q + "observationalModel",
            unknown_noted=notes,
        ),
        "time_perspective": parse_enum(
            TimePerspective,
            info.get("timePerspective"),
            ctx,
            q + "timePerspective",
            unknown_noted=notes,
        ),
    }


def _interventions(module: dict[str, Any], ctx: ImportContext, p: str) -> list[dict[str, Any]]:
    result = []
    for i, item in enumerate(_list(module, "interventions", ctx, p)):
        path = f"{p}interventions[{i}]."
        if not isinstance(item, dict):
            raise ctx.schema("an intervention must be an object", field=path.rstrip("."))
        name = _text(item, "name", ctx, path)
        if not name:
            raise ctx.schema("an intervention has no name", field=path + "name")
        kind = parse_enum(
            InterventionType, item.get("type"), ctx, path + "type", aliases=INTERVENTION_ALIASES
        )
        intervention = Intervention(
            type=kind or InterventionType.OTHER,
            name=name,
            description=_text(item, "description", ctx, path),
            other_names=tuple(str(n) for n in _list(item, "otherNames", ctx, path)),
            arm_labels=tuple(str(a) for a in _list(item, "armGroupLabels", ctx, path)),
        )
        result.append(with_dosing(intervention).model_dump())
    return result


def _arms(
    module: dict[str, Any],
    interventions: list[dict[str, Any]],
    ctx: ImportContext,
    p: str,
) -> list[dict[str, Any]]:
    by_typed_name = {f"{i['type']}: {i['name']}".casefold(): i["name"] for i in interventions}
    result = []
    for i, arm in enumerate(_list(module, "armGroups", ctx, p)):
        path = f"{p}armGroups[{i}]."
        if not isinstance(arm, dict):
            raise ctx.schema("an arm must be an object", field=path.rstrip("."))
        label = _text(arm, "label", ctx, path)
        if not label:
            raise ctx.schema("an arm has no label", field=path + "label")
        refs = []
        for ref in _list(arm, "interventionNames", ctx, path):
            # v2 writes arm references as "Drug: Carboplatin"; the intervention's name is the
            # part after the type. A reference that matches nothing is kept as written.
            text = str(ref).strip()
            typed = re.sub(r"\s+", "_", text.split(":", 1)[0].strip()).upper()
            key = f"{typed}: {text.split(':', 1)[1].strip()}".casefold() if ":" in text else ""
            refs.append(by_typed_name.get(key) or text)
        result.append(
            {
                "label": label,
                "type": parse_enum(ArmType, arm.get("type"), ctx, path + "type"),
                "description": _text(arm, "description", ctx, path),
                "interventions": refs,
            }
        )
    return result


def _eligibility(module: dict[str, Any], ctx: ImportContext, p: str) -> Eligibility:
    if not isinstance(module.get("eligibilityCriteria", ""), str | None):
        kind = type(module["eligibilityCriteria"]).__name__
        raise ctx.schema(
            f"expected the criteria as text, got {kind}", field=p + "eligibilityCriteria"
        )
    text = _text(module, "eligibilityCriteria", ctx, p)
    inclusion, exclusion = split_criteria(text)
    sex = parse_enum(Sex, module.get("sex"), ctx, p + "sex")
    healthy = module.get("healthyVolunteers")
    if healthy is not None and not isinstance(healthy, bool):
        raise ctx.value("healthyVolunteers must be true or false", field=p + "healthyVolunteers")
    ages = {}
    for key, field in (("minimumAge", "minimum_age"), ("maximumAge", "maximum_age")):
        raw = _text(module, key, ctx, p)
        age = parse_age(raw)
        if raw and age is None and raw.upper() not in {"N/A", "NA"}:
            raise ctx.value(f"age {raw!r} is not like '18 Years'", field=p + key)
        ages[field] = age
    return Eligibility(
        sex=sex.value if sex else None,
        healthy_volunteers=healthy,
        standard_ages=tuple(str(a) for a in _list(module, "stdAges", ctx, p)),
        study_population=_text(module, "studyPopulation", ctx, p),
        sampling_method=_text(module, "samplingMethod", ctx, p),
        inclusion=inclusion,
        exclusion=exclusion,
        text=text,
        **ages,
    )


def _sponsors(module: dict[str, Any], ctx: ImportContext, p: str) -> dict[str, Any]:
    lead = _obj(module, "leadSponsor", ctx, p)
    party = _obj(module, "responsibleParty", ctx, p)
    collaborators = []
    for i, c in enumerate(_list(module, "collaborators", ctx, p)):
        path = f"{p}collaborators[{i}]."
        if not isinstance(c, dict) or not _text(c, "name", ctx, path):
            raise ctx.schema("a collaborator has no name", field=path + "name")
        collaborators.append(
            {"name": _text(c, "name", ctx, path), "agency_class": _text(c, "class", ctx, path)}
        )
    return {
        "lead": (
            {
                "name": _text(lead, "name", ctx, p + "leadSponsor."),
                "agency_class": _text(lead, "class", ctx, p + "leadSponsor."),
            }
            if _text(lead, "name", ctx, p + "leadSponsor.")
            else None
        ),
        "responsible_party": (
            {
                "type": parse_enum(
                    ResponsiblePartyType, party.get("type"), ctx, p + "responsibleParty.type"
                ),
                "name": _text(party, "investigatorFullName", ctx, p + "responsibleParty."),
                "title": _text(party, "investigatorTitle", ctx, p + "responsibleParty."),
                "affiliation": _text(
                    party, "investigatorAffiliation", ctx, p + "responsibleParty."
                ),
            }
            if party
            else None
        ),
        "collaborators": collaborators,
    }


def _contact(item: Any, ctx: ImportContext, path: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ctx.schema("a contact must be an object", field=path.rstrip("."))
    return {
        "name": _text(item, "name", ctx, path),
        "role": _text(item, "role", ctx, path),
        "phone": _text(item, "phone", ctx, path),
        "phone_ext": _text(item, "phoneExt", ctx, path),
        "email": _text(item, "email", ctx, path),
    }


def _contacts_locations(module: dict[str, Any], ctx: ImportContext, p: str) -> dict[str, Any]:
    locations = []
    for i, loc in enumerate(_list(module, "locations", ctx, p)):
        path = f"{p}locations[{i}]."
        if not isinstance(loc, dict):
            raise ctx.schema("a location must be an object", field=path.rstrip("."))
        locations.append(
            {
                "facility": _text(loc, "facility", ctx, path),
                "status": _text(loc, "status", ctx, path),
                "city": _text(loc, "city", ctx, path),
                "state": _text(loc, "state", ctx, path),
                "zip": _text(loc, "zip", ctx, path),
                "country": _text(loc, "country", ctx, path),
                "contacts": [
                    _contact(c, ctx, f"{path}contacts[{j}].")
                    for j, c in enumerate(_list(loc, "contacts", ctx, path))
                ],
            }
        )
    officials = []
    for i, off in enumerate(_list(module, "overallOfficials", ctx, p)):
        path = f"{p}overallOfficials[{i}]."
        if not isinstance(off, dict):
            raise ctx.schema("an official must be an object", field=path.rstrip("."))
        officials.append(
            {
                "name": _text(off, "name", ctx, path),
                "affiliation": _text(off, "affiliation", ctx, path),
                "role": _text(off, "role", ctx, path),
            }
        )
    return {
        "locations": locations,
        "central_contacts": [
            _contact(c, ctx, f"{p}centralContacts[{i}].")
            for i, c in enumerate(_list(module, "centralContacts", ctx, p))
        ],
        "officials": officials,
    }
