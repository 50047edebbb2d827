"""A registry web page saved as text (seed shape 002).

The page is a sequence of section headings ("Basic Information", "Study Design", "Study Groups",
"Interventions", "Eligibility Criteria", "Sponsors", "Locations", "Other Identifiers", "More
Related Trials", …), each optionally followed by the site's one-line explanation of the section,
then the content: label lines followed by their values ("Recruitment Status" / "RECRUITING"),
inline labels ("Group Type EXPERIMENTAL", "Role: CONTACT") and free text.

When the page has no outcome section, the outcomes are read from the brief summary's standard
ClinicalTrials.gov template ("The main questions it aims to answer are: …?") — the first question
gives the primary endpoints, the others the secondary ones — and marked as derived for review.
"""

from __future__ import annotations

import re
from typing import Any

from oncotrial.eligibility.criteria import parse_age, split_criteria
from oncotrial.protocol.endpoints import Endpoint, EndpointLevel, read_endpoint
from oncotrial.protocol.importers.common import (
    INTERVENTION_ALIASES,
    ImportContext,
    derived_provenance,
    parse_enum,
    split_outcome,
    with_dosing,
)
from oncotrial.protocol.model import (
    FieldSource,
    ImportFormat,
    Intervention,
    Protocol,
    Provenance,
)
from oncotrial.protocol.vocabulary import (
    Allocation,
    ArmType,
    InterventionModel,
    InterventionType,
    Masking,
    OverallStatus,
    Phase,
    PrimaryPurpose,
    ResponsiblePartyType,
    Sex,
    StudyType,
)

__all__ = ["SECTION_HEADINGS", "count_section_headings", "parse_registry_page"]

SECTION_HEADINGS = (
    "Study Results",
    "Basic Information",
    "Brief Summary",
    "Detailed Description",
    "Conditions",
    "Keywords",
    "Study Design",
    "Study Groups",
    "Interventions",
    "Outcome Measures",
    "Primary Outcomes",
    "Secondary Outcomes",
    "Other Outcomes",
    "Eligibility Criteria",
    "Sponsors",
    "Collaborators",
    "Responsible Party",
    "Locations",
    "Countries",
    "Central Contacts",
    "Facility Contacts",
    "Other Identifiers",
    "More Related Trials",
)
_HEADING_KEYS = {h.casefold(): h for h in SECTION_HEADINGS}

# The site prints a one-line explanation under each heading; it is page furniture, not data.
_BLURB_OPENERS = (
    "get a concise snapshot",
    "review the sponsor-provided synopsis",
    "dive into the extended narrative",
    "see the medical conditions",
    "understand how the trial is structured",
    "review each arm or cohort",
    "learn about the drugs, procedures",
    "check the participation requirements",
    "meet the organizations",
    "identify the individual or organization",
    "explore where the study is taking place",
    "review the countries where",
    "reach out to these primary contacts",
    "find local site contact details",
    "review additional registry numbers",
    "additional clinical trials that may be relevant",
    "see the outcomes",
    "review the outcome measures",
    "the study team has not published",
)

_LABELLED_VALUE = {
    "recruitment status": "overall_status",
    "overall status": "overall_status",
    "clinical phase": "phase",
    "phase": "phase",
    "total enrollment": "enrollment",
    "enrollment": "enrollment",
    "study classification": "study_type",
    "study type": "study_type",
    "study start date": "start",
    "start date": "start",
    "primary completion date": "primary_completion",
    "study completion date": "completion",
    "completion date": "completion",
    "allocation method": "allocation",
    "allocation": "allocation",
    "intervention model": "intervention_model",
    "primary study purpose": "primary_purpose",
    "primary purpose": "primary_purpose",
    "blinding strategy": "masking",
    "masking": "masking",
    "minimum eligible age": "minimum_age",
    "maximum eligible age": "maximum_age",
    "eligible sex": "sex",
    "accepts healthy volunteers": "healthy_volunteers",
}
_INLINE = re.compile(
    r"^(?P<key>NCT ID|Last Updated|Acronym|Official Title)\s*:\s*(?P<value>.+)$", re.I
)
_NCT = re.compile(r"\bNCT\d{8}\b")


def _is_blurb(line: str) -> bool:
    return line.strip().casefold().startswith(_BLURB_OPENERS)


def count_section_headings(lines: list[str]) -> int:
    return len({line.strip().casefold() for line in lines} & set(_HEADING_KEYS))


def _sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Header lines before the first section, and each section's content lines (blank lines
    kept as '' so paragraphs survive)."""
    header: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] = header
    skip_blurb = False
    for raw in lines:
        line = raw.rstrip()
        key = line.strip().casefold()
        if key in _HEADING_KEYS:
            current = sections.setdefault(_HEADING_KEYS[key], [])
            skip_blurb = True
            continue
        if skip_blurb and line.strip():
            skip_blurb = False
            if _is_blurb(line):
                continue
        current.append(line)
    return header, sections


def _content(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def _labelled(lines: list[str]) -> dict[str, str]:
    """'Label' on one line and its value on the next non-blank line."""
    content = _content(lines)
    values = {}
    i = 0
    while i < len(content):
        key = content[i].casefold()
        if key in _LABELLED_VALUE and i + 1 < len(content):
            values[_LABELLED_VALUE[key]] = content[i + 1]
            i += 2
        else:
            i += 1
    return values


def _paragraphs(lines: list[str]) -> str | None:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip()) or None


def _header(header: list[str], ctx: ImportContext) -> tuple[str, dict[str, str]]:
    """The page title and its inline 'Key: value' lines (NCT ID, Official Title, …)."""
    header_content = _content(header)
    if not header_content:
        raise ctx.schema("the page has no title before its first section")
    inline = {}
    for line in header_content[1:]:
        if match := _INLINE.match(line):
            inline[match.group("key").casefold()] = match.group("value").strip()
    nct_id = inline.get("nct id")
    if nct_id and not _NCT.fullmatch(nct_id):
        raise ctx.value(f"{nct_id!r} is not an NCT number", field="NCT ID")
    return header_content[0], inline


def _status(basic: dict[str, str], inline: dict[str, str], ctx: ImportContext) -> dict[str, Any]:
    return {
        "overall_status": parse_enum(
            OverallStatus, basic.get("overall_status"), ctx, "Recruitment Status"
        ),
        "start": _date(basic.get("start"), ctx, "Study Start Date"),
        "primary_completion": _date(
            basic.get("primary_completion"), ctx, "Primary Completion Date"
        ),
        "completion": _date(basic.get("completion"), ctx, "Study Completion Date"),
        "last_updated": _date(inline.get("last updated"), ctx, "Last Updated"),
    }


def _design(basic: dict[str, str], design: dict[str, str], ctx: ImportContext) -> dict[str, Any]:
    return {
        "study_type": parse_enum(StudyType, basic.get("study_type"), ctx, "Study Classification"),
        "phases": [
            p
            for p in (
                parse_enum(Phase, v, ctx, "Clinical Phase", aliases=PHASE_ALIASES)
                for v in re.split(r"[|,/]", basic.get("phase", ""))
            )
            if p is not None
        ],
        "allocation": parse_enum(Allocation, design.get("allocation"), ctx, "Allocation Method"),
        "intervention_model": parse_enum(
            InterventionModel, design.get("intervention_model"), ctx, "Intervention Model"
        ),
        "masking": parse_enum(Masking, design.get("masking"), ctx, "Blinding Strategy"),
        "primary_purpose": parse_enum(
            PrimaryPurpose, design.get("primary_purpose"), ctx, "Primary Study Purpose"
        ),
    }


def _page_endpoints(
    sections: dict[str, list[str]],
    brief_summary: str | None,
    notes: list[str],
    provenance: list[Provenance],
) -> list[Any]:
    """The outcome measures; else the brief summary's 'main questions', flagged for review."""
    endpoints = _outcome_sections(sections)
    if endpoints:
        return endpoints
    endpoints = endpoints_from_summary(brief_summary)
    if not endpoints:
        notes.append("the page lists no outcome measures")
        return endpoints
    notes.append(
        "the page has no outcome measures section; endpoints were read from the brief "
        "summary's 'main questions' and must be reviewed"
    )
    provenance.append(
        Provenance(
            field="endpoints",
            source=FieldSource.DERIVED,
            note="read from the brief summary's 'main questions it aims to answer'",
        )
    )
    return endpoints


def _eligibility(lines: list[str], ctx: ImportContext) -> dict[str, Any]:
    limits = _labelled(lines)
    criteria_text = _criteria_block(lines)
    inclusion, exclusion = split_criteria(criteria_text)
    age = limits.get("minimum_age")
    eligibility = {
        "sex": (
            s.value if (s := parse_enum(Sex, limits.get("sex"), ctx, "Eligible Sex")) else None
        ),
        "minimum_age": parse_age(age),
        "maximum_age": parse_age(limits.get("maximum_age")),
        "healthy_volunteers": _yes_no(limits.get("healthy_volunteers"), ctx),
        "inclusion": [c.model_dump() for c in inclusion],
        "exclusion": [c.model_dump() for c in exclusion],
        "text": criteria_text or None,
    }
    if age and parse_age(age) is None:
        raise ctx.value(f"age {age!r} is not like '18 Years'", field="Minimum Eligible Age")
    return eligibility


def _sites_and_ids(
    sections: dict[str, list[str]], data: dict[str, Any], ctx: ImportContext
) -> None:
    """Sponsors, locations (the facility contacts go with the first), contacts, identifiers."""
    data["sponsors"] = _sponsors(sections, ctx)
    data["locations"] = _locations(sections.get("Locations", []), sections.get("Countries", []))
    data["central_contacts"] = _contacts(sections.get("Central Contacts", []))
    facility_contacts = _contacts(sections.get("Facility Contacts", []))
    if facility_contacts and data["locations"]:
        first = data["locations"][0]
        data["locations"][0] = {**first, "contacts": facility_contacts}
    identifiers = _identifiers(sections.get("Other Identifiers", []))
    org_ids = [i for i in identifiers if (i.get("source") or "").casefold() == "org_study_id"]
    data["identity"]["org_study_id"] = org_ids[0]["id"] if org_ids else None
    data["identity"]["secondary_ids"] = [
        {"id": i["id"], "type": i.get("type"), "domain": i.get("source")}
        for i in identifiers
        if i not in org_ids[:1]
    ]
    data["related_trials"] = _related(sections.get("More Related Trials", []))


def parse_registry_page(text: str, file: str, local_id: str) -> Protocol:
    ctx = ImportContext(file, local_id)
    header, sections = _sections(text.splitlines())
    title, inline = _header(header, ctx)
    nct_id = inline.get("nct id")
    ctx = ctx.at(nct_id or local_id)
    basic = _labelled(sections.get("Basic Information", []))
    data: dict[str, Any] = {
        "identity": {
            "nct_id": nct_id,
            "local_id": None if nct_id else local_id,
            "brief_title": title,
            "official_title": inline.get("official title"),
            "acronym": inline.get("acronym"),
        },
        "status": _status(basic, inline, ctx),
        "description": {
            "brief_summary": _paragraphs(sections.get("Brief Summary", [])),
            "detailed_description": _paragraphs(sections.get("Detailed Description", [])),
        },
        "conditions": _content(sections.get("Conditions", [])),
        "keywords": _content(sections.get("Keywords", [])),
        "design": _design(basic, _labelled(sections.get("Study Design", [])), ctx),
    }
    if "enrollment" in basic:
        match = re.match(r"^\s*(\d[\d,]*)", basic["enrollment"])
        if not match:
            raise ctx.value(
                f"enrollment {basic['enrollment']!r} is not a number", "Total Enrollment"
            )
        data["enrollment"] = {"count": int(match.group(1).replace(",", ""))}

    interventions = _interventions(sections.get("Interventions", []), ctx)
    data["arms"] = _arms(sections.get("Study Groups", []), interventions, ctx)
    data["interventions"] = [i.model_dump() for i in interventions]
    notes: list[str] = []
    provenance: list[Provenance] = []
    endpoints = _page_endpoints(sections, data["description"]["brief_summary"], notes, provenance)
    data["endpoints"] = [e.model_dump() for e in endpoints]
    data["eligibility"] = _eligibility(sections.get("Eligibility Criteria", []), ctx)
    _sites_and_ids(sections, data, ctx)
    results = _content(sections.get("Study Results", []))
    if results:
        notes.append("Study Results on the page: " + results[0])
    data["source"] = {"format": ImportFormat.REGISTRY_PAGE, "name": ctx.basename, "notes": notes}
    provenance += derived_provenance(interventions, endpoints)
    if not nct_id:
        provenance.insert(
            0,
            Provenance(
                field="identity.local_id",
                source=FieldSource.DERIVED,
                note="from the file name (the page carries no NCT ID)",
            ),
        )
    data["provenance"] = provenance
    return ctx.build(data)


PHASE_ALIASES = {
    "PHASE_1": "PHASE1",
    "PHASE_2": "PHASE2",
    "PHASE_3": "PHASE3",
    "PHASE_4": "PHASE4",
    "EARLY_PHASE_1": "EARLY_PHASE1",
    "N_A": "NA",
    "NOT_APPLICABLE": "NA",
    "PHASE_I": "PHASE1",
    "PHASE_II": "PHASE2",
    "PHASE_III": "PHASE3",
    "PHASE_IV": "PHASE4",
}


def _date(value: str | None, ctx: ImportContext, field: str) -> dict[str, Any] | None:
    if not value:
        return None
    value = value.strip()
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise ctx.value(f"date {value!r} is not YYYY-MM-DD", field=field)
    return {"date": value}


def _yes_no(value: str | None, ctx: ImportContext) -> bool | None:
    if value is None:
        return None
    key = value.strip().casefold()
    if key in {"yes", "true", "y"}:
        return True
    if key in {"no", "false", "n"}:
        return False
    raise ctx.value(f"{value!r} is not Yes or No", field="Accepts Healthy Volunteers")


_INLINE_TYPE = re.compile(r"^(?:Intervention|Group)\s+Type\s+(?P<value>\S+)$", re.I)


def _interventions(lines: list[str], ctx: ImportContext) -> list[Intervention]:
    """Blocks of: name, description paragraph(s), 'Intervention Type X'."""
    result = []
    block: list[str] = []
    for line in _content(lines):
        match = _INLINE_TYPE.match(line)
        if match and block:
            kind = parse_enum(
                InterventionType,
                match.group("value"),
                ctx,
                f"Interventions: {block[0]}",
                aliases=INTERVENTION_ALIASES,
            )
            intervention = Intervention(
                type=kind or InterventionType.OTHER,
                name=block[0],
                description="\n\n".join(block[1:]) or None,
            )
            result.append(with_dosing(intervention))
            block = []
        else:
            block.append(line)
    if block:
        raise ctx.schema(
            f"intervention {block[0]!r} has no 'Intervention Type' line", field="Interventions"
        )
    return result


def _arms(
    lines: list[str], interventions: list[Intervention], ctx: ImportContext
) -> list[dict[str, Any]]:
    """Each group: label, description paragraph(s), 'Group Type X', then for each of its
    interventions the triple (name, 'Intervention Type Y', description)."""
    names = {i.name for i in interventions}
    content = _content(lines)
    group_lines = [
        i for i, line in enumerate(content) if re.match(r"^Group\s+Type\s+\S+$", line, re.I)
    ]
    arms: list[dict[str, Any]] = []
    start = 0
    for g in group_lines:
        head = content[start:g]
        if not head:
            raise ctx.schema("a 'Group Type' line without a group label", field="Study Groups")
        label = head[0]
        arms.append(
            {
                "label": label,
                "description": "\n\n".join(head[1:]) or None,
                "type": parse_enum(ArmType, content[g].split()[-1], ctx, f"Study Groups: {label}"),
                "interventions": [],
            }
        )
        i = g + 1
        while (
            i + 1 < len(content)
            and content[i] in names
            and re.match(r"^Intervention\s+Type\s+\S+$", content[i + 1], re.I)
        ):
            arms[-1]["interventions"].append(content[i])
            i += 2
            # the intervention's description follows, unless the next intervention does
            if (
                i < len(content)
                and content[i] not in names
                and (i + 1 >= len(content) or not _INLINE_TYPE.match(content[i + 1]))
            ):
                i += 1
        start = i
    if start < len(content) and not group_lines:
        raise ctx.schema(f"group {content[0]!r} has no 'Group Type' line", field="Study Groups")
    return arms


def _criteria_block(lines: list[str]) -> str:
    """The criteria text: the section up to the age/sex/volunteer limits."""
    text_lines: list[str] = []
    for line in lines:
        if line.strip().casefold() in _LABELLED_VALUE:
            break
        text_lines.append(line)
    return "\n".join(text_lines).strip()


def _sponsors(sections: dict[str, list[str]], ctx: ImportContext) -> dict[str, Any]:
    result: dict[str, Any] = {}
    sponsor = _content(sections.get("Sponsors", []))
    collaborators = []
    block: list[str] = []
    for line in sponsor:
        if match := re.match(r"^Sponsor\s+Role\s+(?P<role>\S+)$", line, re.I):
            entry = {"name": block[0], "agency_class": block[1] if len(block) > 1 else None}
            if match.group("role").casefold() == "lead" and "lead" not in result:
                result["lead"] = entry
            else:
                collaborators.append(entry)
            block = []
        else:
            block.append(line)
    for line in _content(sections.get("Collaborators", [])):
        collaborators.append({"name": line})
    result["collaborators"] = collaborators
    party = _content(sections.get("Responsible Party", []))
    if party:
        role = None
        rest = []
        for line in party:
            if match := re.match(r"^Responsibility\s+Role\s+(?P<role>\S+)$", line, re.I):
                role = parse_enum(
                    ResponsiblePartyType, match.group("role"), ctx, "Responsible Party"
                )
            else:
                rest.append(line)
        affiliation = rest[1] if len(rest) > 1 else None
        title = None
        if affiliation and "," in affiliation:
            title, affiliation = (part.strip() for part in affiliation.split(",", 1))
        result["responsible_party"] = {
            "type": role,
            "name": rest[0] if rest else None,
            "title": title,
            "affiliation": affiliation,
        }
    return result


def _locations(lines: list[str], countries: list[str]) -> list[dict[str, Any]]:
    """Blocks of: facility/address line, 'City, State, Country' line, 'Site Status [X]'."""
    result = []
    block: list[str] = []
    for line in _content(lines):
        if match := re.match(r"^Site\s+Status\s*(?P<status>.*)$", line, re.I):
            place = [p.strip() for p in (block[-1] if len(block) > 1 else "").split(",")]
            facility = block[0].rstrip(", ") if block else None
            result.append(
                {
                    "facility": facility,
                    "address": ", ".join(block) if block else None,
                    "status": match.group("status").strip() or None,
                    "city": place[0] if len(place) >= 2 else None,
                    "state": place[1] if len(place) >= 3 else None,
                    "country": place[-1] if len(place) >= 2 else None,
                }
            )
            block = []
        else:
            block.append(line)
    if block:
        result.append({"facility": block[0], "address": ", ".join(block)})
    country_list = _content(countries)
    if len(country_list) == 1:
        result = [{**r, "country": r.get("country") or country_list[0]} for r in result]
    return result


def _contacts(lines: list[str]) -> list[dict[str, Any]]:
    """Blocks of: name, 'Role: X', phone and/or email lines."""
    result: list[dict[str, Any]] = []
    for line in _content(lines):
        if match := re.match(r"^Role\s*:\s*(?P<role>.+)$", line, re.I):
            if result:
                result[-1]["role"] = match.group("role").strip()
        elif "@" in line and result:
            result[-1]["email"] = line
        elif re.fullmatch(r"[+\d][\d\s().-]{5,}", line) and result:
            result[-1]["phone"] = line
        else:
            result.append({"name": line})
    return result


def _identifiers(lines: list[str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for line in _content(lines):
        if match := re.match(r"^Identifier\s+Type\s*:\s*(?P<v>.*)$", line, re.I):
            if result:
                value = match.group("v").strip()
                result[-1]["type"] = None if value in {"", "-"} else value
        elif match := re.match(r"^Identifier\s+Source\s*:\s*(?P<v>.*)$", line, re.I):
            if result:
                result[-1]["source"] = match.group("v").strip() or None
        else:
            result.append({"id": line})
    return result


def _related(lines: list[str]) -> list[dict[str, Any]]:
    """Pairs of: title line, 'NCTxxxxxxxx STATUS PHASE…' line."""
    result = []
    title: str | None = None
    for line in _content(lines):
        parts = line.split()
        if parts and _NCT.fullmatch(parts[0]):
            result.append(
                {
                    "nct_id": parts[0],
                    "title": title or parts[0],
                    "status": parts[1] if len(parts) > 1 else None,
                    "phases": parts[2:],
                }
            )
            title = None
        else:
            title = line if title is None else f"{title} {line}"
    return result


def _outcome_sections(sections: dict[str, list[str]]) -> list[Endpoint]:
    """Outcome sections as 'title / description / Time Frame: …' blocks, or the export's
    'title, description, time frame' lines."""
    levels = {
        "Primary Outcomes": EndpointLevel.PRIMARY,
        "Secondary Outcomes": EndpointLevel.SECONDARY,
        "Other Outcomes": EndpointLevel.OTHER,
    }
    endpoints: list[Endpoint] = []
    for heading, level in levels.items():
        endpoints += _outcome_blocks(sections.get(heading, []), level)
    if not endpoints and "Outcome Measures" in sections:
        # one section with "Primary/Secondary/Other Outcome(s)" sub-headings
        chunks: list[tuple[EndpointLevel, list[str]]] = [(EndpointLevel.PRIMARY, [])]
        for line in _content(sections["Outcome Measures"]):
            key = re.sub(r"\s+measures?$", "", line.casefold().rstrip(":").strip())
            key = key.removesuffix("s")
            sub = {
                "primary outcome": EndpointLevel.PRIMARY,
                "secondary outcome": EndpointLevel.SECONDARY,
                "other outcome": EndpointLevel.OTHER,
            }.get(key)
            if sub is not None:
                chunks.append((sub, []))
            else:
                chunks[-1][1].append(line)
        for level, chunk in chunks:
            endpoints += _outcome_blocks(chunk, level)
    return endpoints


_TIME_FRAME = re.compile(r"^Time\s*Frame\s*:?\s*(?P<v>.+)$", re.I)


def _outcome_blocks(lines: list[str], level: EndpointLevel) -> list[Endpoint]:
    result = []
    block: list[str] = []
    for line in _content(lines):
        if match := _TIME_FRAME.match(line):
            if block:
                result.append(
                    read_endpoint(level, block[0], " ".join(block[1:]) or None, match.group("v"))
                )
            block = []
        else:
            block.append(line)
    for line in block:  # lines without a 'Time Frame:' line: the export's one-line form
        title, description, frame = split_outcome(line)
        result.append(read_endpoint(level, title, description, frame))
    return result


_QUESTIONS_INTRO = re.compile(r"main questions? it aims to answer (?:is|are)\s*:?", re.I)
_ACRONYM_ITEM = re.compile(r"\(([A-Za-z-]{2,8})\)")


def endpoints_from_summary(summary: str | None) -> list[Endpoint]:
    """Endpoints named in the registry template's 'main questions it aims to answer'."""
    if not summary:
        return []
    intro = _QUESTIONS_INTRO.search(summary)
    if not intro:
        return []
    rest = summary[intro.end() :]
    questions = [q.strip() for q in re.findall(r"[^?]+\?", rest)]
    endpoints: list[Endpoint] = []
    for number, question in enumerate(questions):
        level = EndpointLevel.PRIMARY if number == 0 else EndpointLevel.SECONDARY
        body = re.sub(
            r"^(?:what|how|does|do|is|are|can)\s+(?:is|are|the)?\s*(?:the\s+)?",
            "",
            question,
            flags=re.I,
        )
        body = re.split(r"\s+(?:after|following|with|of combination|in)\s+", body, maxsplit=1)[0]
        body = body.rstrip("?").strip()
        items = [
            item.strip() for item in re.split(r",\s*(?:and\s+)?|\s+and\s+", body) if item.strip()
        ]
        for item in items:
            title = re.sub(r"\s+outcomes?$", "", item).strip()
            if not title:
                continue
            title = title[0].upper() + title[1:]
            endpoints.append(
                read_endpoint(level, title, f"From the brief summary: {question}", None)
            )
    return endpoints
