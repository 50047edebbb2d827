"""A summary followed by bulleted criteria (seed shape 001).

Layout: the title on the first line, the summary (one or more paragraphs), then criteria as
bullet or numbered lines (``•``, ``⁃``, ``*``, ``-``, ``1.`` …), optionally under "Inclusion
Criteria" / "Exclusion Criteria" headings. Criteria before any heading are inclusion criteria.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.criteria import split_criteria
from oncotrial.protocol.importers.common import ImportContext
from oncotrial.protocol.model import FieldSource, ImportFormat, Protocol, Provenance

__all__ = ["first_criteria_line", "parse_text_bulleted"]

_CRITERIA_START = re.compile(
    r"^\s*(?:[*•⁃·◦▪‣-]\s+\S|\d{1,2}[.)]\s+\S|(?:key\s+)?(?:inclusion|exclusion)\s+criteri)",
    re.IGNORECASE,
)


def first_criteria_line(lines: list[str]) -> int | None:
    """Index of the first bullet, number or criteria heading after the title."""
    return next((i for i, line in enumerate(lines) if i > 0 and _CRITERIA_START.match(line)), None)


def parse_text_bulleted(text: str, file: str, local_id: str) -> Protocol:
    ctx = ImportContext(file, local_id)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    start = first_criteria_line(lines)
    if first is None or start is None:
        raise ctx.schema(
            "no bulleted criteria found after the summary",
            hint="Criteria lines start with a bullet (•, *, -) or a number; see docs/protocol.md.",
        )
    summary = "\n".join(lines[first + 1 : start]).strip() or None
    criteria_text = "\n".join(lines[start:]).strip()
    inclusion, exclusion = split_criteria(criteria_text)
    return ctx.build(
        {
            "identity": {"local_id": local_id, "brief_title": lines[first].strip()},
            "description": {"brief_summary": summary},
            "eligibility": {
                "inclusion": [c.model_dump() for c in inclusion],
                "exclusion": [c.model_dump() for c in exclusion],
                "text": criteria_text,
            },
            "source": {
                "format": ImportFormat.TEXT_BULLETED,
                "name": ctx.basename,
                "notes": [
                    "the text carries no identifiers, status, design, arms, interventions, "
                    "outcomes, sponsor or locations; a reviewer adds them",
                    *(
                        []
                        if exclusion
                        else ["no 'Exclusion Criteria' heading: every item is read as inclusion"]
                    ),
                ],
            },
            "provenance": [
                Provenance(
                    field="identity.local_id",
                    source=FieldSource.DERIVED,
                    note="from the file name (the text carries no registry id)",
                )
            ],
        }
    )
