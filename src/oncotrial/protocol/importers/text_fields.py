"""The one-field-per-line text export (seed shapes 000, 003, 004).

Layout: the title on the first line; the brief summary (one or more paragraphs); the conditions
(``|``-separated); the interventions (``TYPE: name|TYPE: name``); the primary outcomes and then
the secondary (and other) outcomes, one line per level, each ``title, description, time frame``
joined by ``|``; and the detailed description to the end. The interventions line anchors the
layout: the line before it holds the conditions, the lines after it the outcomes as long as they
read as outcomes, and the rest is the detailed description.
"""

from __future__ import annotations

import re
from typing import Any

from oncotrial.protocol.endpoints import Endpoint, EndpointLevel
from oncotrial.protocol.importers.common import (
    ImportContext,
    derived_provenance,
    looks_like_outcomes,
    parse_intervention_list,
    split_outcome_list,
    with_dosing,
)
from oncotrial.protocol.model import FieldSource, ImportFormat, Protocol, Provenance
from oncotrial.protocol.vocabulary import InterventionType

__all__ = ["INTERVENTION_LINE", "find_intervention_line", "parse_text_fields"]

_TYPES = "|".join(t.value for t in InterventionType) + "|BIOLOGIC|RADIOTHERAPY"
_TITLE_TYPES = "|".join(t.value.replace("_", " ").title() for t in InterventionType)
INTERVENTION_LINE = re.compile(rf"^\s*(?:{_TYPES}|{_TITLE_TYPES})\s*:\s*\S.*$")


def find_intervention_line(lines: list[str]) -> int | None:
    """Index of the first line shaped like 'DRUG: name|OTHER: name' (not the first line)."""
    return next(
        (i for i, line in enumerate(lines) if i > 0 and INTERVENTION_LINE.match(line)), None
    )


def _paragraphs(lines: list[str]) -> str | None:
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text) or None


def parse_text_fields(text: str, file: str, local_id: str) -> Protocol:
    ctx = ImportContext(file, local_id)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    k = find_intervention_line(lines)
    if first is None or k is None:
        raise ctx.schema(
            "no interventions line ('DRUG: name|OTHER: name') found",
            hint="The one-field-per-line export needs it; see docs/protocol.md.",
        )
    title = lines[first].strip()
    before = [i for i in range(first + 1, k) if lines[i].strip()]
    if not before:
        raise ctx.schema("no conditions line before the interventions line", field="conditions")
    conditions_at = before[-1]
    summary = _paragraphs(lines[first + 1 : conditions_at])
    conditions = [c.strip() for c in lines[conditions_at].split("|") if c.strip()]
    interventions = [
        with_dosing(i) for i in parse_intervention_list(lines[k], ctx.at(local_id), "interventions")
    ]

    endpoints: list[Endpoint] = []
    levels = [EndpointLevel.PRIMARY, EndpointLevel.SECONDARY, EndpointLevel.OTHER]
    cursor = k + 1
    notes = []
    for level in levels:
        while cursor < len(lines) and not lines[cursor].strip():
            cursor += 1
        if cursor < len(lines) and looks_like_outcomes(lines[cursor]):
            endpoints += split_outcome_list(lines[cursor], level)
            cursor += 1
        else:
            break
    if not endpoints:
        notes.append("no outcome lines followed the interventions line")
    detailed = _paragraphs(lines[cursor:])

    data: dict[str, Any] = {
        "identity": {"local_id": local_id, "brief_title": title},
        "description": {"brief_summary": summary, "detailed_description": detailed},
        "conditions": conditions,
        "interventions": [i.model_dump() for i in interventions],
        "endpoints": [e.model_dump() for e in endpoints],
        "source": {
            "format": ImportFormat.TEXT_FIELDS,
            "name": ctx.basename,
            "notes": [
                *notes,
                "the export carries no identifiers, status, design, arms, eligibility, sponsor "
                "or locations; a reviewer adds them",
            ],
        },
        "provenance": [
            Provenance(
                field="identity.local_id",
                source=FieldSource.DERIVED,
                note="from the file name (the export carries no registry id)",
            ),
            *derived_provenance(interventions, endpoints),
        ],
    }
    return ctx.build(data)
