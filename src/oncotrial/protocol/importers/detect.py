"""Recognise which registry shape a text is and import it.

Shapes are recognised by structure, never by the content of particular records: JSON (API v2,
or the refused v1), the CSV export (its ``NCT Number`` header), a registry page (several of its
section headings), the one-field-per-line export (an interventions line ``TYPE: name|…``), and a
summary with bulleted criteria.
"""

from __future__ import annotations

import json

from oncotrial.errors import FormatError
from oncotrial.protocol.importers.ctgov_csv import is_ctgov_csv, parse_ctgov_csv
from oncotrial.protocol.importers.ctgov_json import parse_ctgov_json
from oncotrial.protocol.importers.registry_page import count_section_headings, parse_registry_page
from oncotrial.protocol.importers.text_bulleted import first_criteria_line, parse_text_bulleted
from oncotrial.protocol.importers.text_fields import find_intervention_line, parse_text_fields
from oncotrial.protocol.model import ImportFormat, Protocol

__all__ = ["detect_format", "import_protocols"]

_HINT = (
    "oncotrial imports ClinicalTrials.gov API v2 JSON, the ClinicalTrials.gov CSV export, "
    "a registry page saved as text, the one-field-per-line text export and a summary with "
    "bulleted criteria (docs/protocol.md describes each)."
)


def detect_format(text: str) -> ImportFormat | None:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        return ImportFormat.CTGOV_JSON
    if is_ctgov_csv(stripped):
        return ImportFormat.CTGOV_CSV
    lines = stripped.splitlines()
    if count_section_headings(lines) >= 3:
        return ImportFormat.REGISTRY_PAGE
    if find_intervention_line(lines) is not None:
        return ImportFormat.TEXT_FIELDS
    if first_criteria_line(lines) is not None:
        return ImportFormat.TEXT_BULLETED
    return None


def import_protocols(text: str, name: str, local_id: str) -> list[Protocol]:
    """Protocols from a registry record's text; ``name`` is used in messages and provenance,
    ``local_id`` identifies trials whose record carries no registry id."""
    if not text.strip():
        raise FormatError("the file is empty", file=name, hint=_HINT)
    shape = detect_format(text)
    if shape is ImportFormat.CTGOV_JSON:
        try:
            document = json.loads(text)
        except RecursionError:
            # Python's parser recurses once per nesting level; no registry record nests deeply
            raise FormatError(
                "the JSON is nested too deeply to be a registry record",
                file=name,
                hint="Download the record again from ClinicalTrials.gov (API v2).",
            ) from None
        except json.JSONDecodeError as exc:
            raise FormatError(
                f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                "the file may be truncated",
                file=name,
                hint="Download the record again.",
            ) from exc
        return parse_ctgov_json(document, name)
    if shape is ImportFormat.CTGOV_CSV:
        return parse_ctgov_csv(text, name)
    if shape is ImportFormat.REGISTRY_PAGE:
        return [parse_registry_page(text, name, local_id)]
    if shape is ImportFormat.TEXT_FIELDS:
        return [parse_text_fields(text, name, local_id)]
    if shape is ImportFormat.TEXT_BULLETED:
        return [parse_text_bulleted(text, name, local_id)]
    raise FormatError("the file's shape is not one oncotrial recognises", file=name, hint=_HINT)
