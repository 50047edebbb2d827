"""Pieces every registry importer shares: enum reading with clear errors, outcome lists, the
derived-field provenance, and building the protocol with pydantic errors turned into ours."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import ValidationError

from oncotrial.errors import SchemaError, ValueProblem
from oncotrial.protocol.dosing import parse_dosing
from oncotrial.protocol.endpoints import Endpoint, EndpointLevel, read_endpoint
from oncotrial.protocol.model import (
    SCHEMA_VERSION,
    FieldSource,
    Intervention,
    Protocol,
    Provenance,
)
from oncotrial.protocol.vocabulary import InterventionType

__all__ = [
    "ImportContext",
    "derived_provenance",
    "parse_enum",
    "split_outcome",
    "split_outcome_list",
    "unescape_markdown",
]

E = TypeVar("E", bound=StrEnum)


class ImportContext:
    """Where we are in the input, so every error names the file, the record and the field."""

    def __init__(self, file: str, record: str | None = None) -> None:
        self.file = file
        self.record = record

    @property
    def basename(self) -> str:
        """The file's name without its folder, for the protocol's source record."""
        return self.file.replace("\\", "/").rsplit("/", 1)[-1]

    def at(self, record: str | None) -> ImportContext:
        return ImportContext(self.file, record)

    def schema(
        self, message: str, field: str | None = None, hint: str | None = None
    ) -> SchemaError:
        return SchemaError(message, file=self.file, record=self.record, field=field, hint=hint)

    def value(
        self, message: str, field: str | None = None, hint: str | None = None
    ) -> ValueProblem:
        return ValueProblem(message, file=self.file, record=self.record, field=field, hint=hint)

    def build(self, data: dict[str, Any]) -> Protocol:
        """Validate ``data`` into a Protocol; a pydantic error becomes a ValueProblem."""
        data.setdefault("schema_version", SCHEMA_VERSION)
        try:
            return Protocol.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            path = ".".join(str(p) for p in first["loc"])
            value = first.get("input")
            shown = repr(value) if not isinstance(value, dict | list) else "(structure)"
            raise self.value(
                f"{first['msg']} (value {shown[:80]})",
                field=path,
                hint="Correct the value in the record and import again.",
            ) from exc


def _normalise_code(value: str) -> str:
    return re.sub(r"[\s/-]+", "_", value.strip()).upper()


def parse_enum(
    enum: type[E],
    value: Any,
    ctx: ImportContext,
    field: str,
    aliases: dict[str, str] | None = None,
    unknown_noted: list[str] | None = None,
) -> E | None:
    """A registry code as ``enum``; None for missing; an unknown code is a ValueProblem.

    With ``unknown_noted`` (for fields the protocol does not compute on: time perspective,
    observational model, primary purpose) an unknown code is not a refusal of the whole file: the
    value is kept as text in that list of import notes, with what was expected, and None is
    returned.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ctx.value(f"expected a text code, got {type(value).__name__}", field=field)
    code = _normalise_code(value)
    if aliases and code in aliases:
        code = aliases[code]
    try:
        return enum(code)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        if unknown_noted is not None:
            where = f"{ctx.record}: " if ctx.record else ""
            unknown_noted.append(
                f"{where}{field}: unknown value {value!r} kept as text here (expected one of "
                f"{allowed}); the protocol does not compute on it"
            )
            return None
        raise ctx.value(
            f"unknown value {value!r}",
            field=field,
            hint=f"Allowed values: {allowed}.",
        ) from None


# Words that open a time frame in registry text ("From date of randomization until …",
# "Up to 2 years", "6 months", "Baseline to week 12", "Through study completion").
_TIMEFRAME_OPENER = re.compile(
    r"^(?:from\b|up\s*to\b|\d|baseline\b|through\b|until\b|at\s+(?:\d|week|month|day|year|the\s+end"
    r"|baseline|cycle)|assessed\s+(?:up\s*to|at|every|through|until|from)\b|every\b|within\b|during\b|approximately\b|day\b|days\b|week\b"
    r"|weeks\b|month\b|months\b|year\b|years\b|cycle\b|after\b|end\s+of\b|screening\b|one\b|two\b"
    r"|three\b|six\b|twelve\b|annually\b|visit\b|pre-?\w+\b|post-?\w+\b)",
    re.IGNORECASE,
)
_TIME_WORD = re.compile(
    r"\b(?:days?|weeks?|months?|years?|cycles?|baseline|visit|completion|end\s+of|until|"
    r"follow-?up|hours?|minutes?)\b|\d",
    re.IGNORECASE,
)


def split_outcome(text: str) -> tuple[str, str | None, str | None]:
    """Split 'title, description, time frame' as registry exports join an outcome.

    The parts are joined by ", " and each part may itself contain commas, so the title is the
    text before the first ", " and the time frame is the earliest run of trailing parts that
    opens like a time frame ("From …", "Up to …", "6 months") and states a time. What is left
    between is the description. Nothing is dropped: title + description + time frame is the input.
    """
    parts = text.strip().split(", ")
    if len(parts) == 1:
        return parts[0].strip(), None, None
    title = parts[0].strip()
    rest = parts[1:]
    start = None
    for index in range(len(rest)):
        candidate = ", ".join(rest[index:])
        if _TIMEFRAME_OPENER.match(candidate.strip()) and _TIME_WORD.search(candidate):
            start = index
            break
    if start is None:
        return title, ", ".join(rest).strip() or None, None
    description = ", ".join(rest[:start]).strip() or None
    return title, description, ", ".join(rest[start:]).strip()


def looks_like_outcomes(line: str) -> bool:
    """Whether a line reads as registry outcomes ('title, description, time frame|…')."""
    items = [item for item in line.split("|") if item.strip()]
    if not items:
        return False
    return all(split_outcome(item)[2] is not None for item in items)


def split_outcome_list(text: str | None, level: EndpointLevel) -> list[Endpoint]:
    """Outcomes joined by '|' into endpoints with their computable reading."""
    if not text or not text.strip():
        return []
    endpoints = []
    for item in text.split("|"):
        if not item.strip():
            continue
        title, description, time_frame = split_outcome(item)
        endpoints.append(read_endpoint(level, title, description, time_frame))
    return endpoints


_INTERVENTION_ITEM = re.compile(r"^\s*(?P<type>[A-Za-z][A-Za-z _-]+?)\s*:\s*(?P<name>.+?)\s*$")


def parse_intervention_list(text: str, ctx: ImportContext, field: str) -> list[Intervention]:
    """'DRUG: Toripalimab|OTHER: Cryoablation' into interventions."""
    result = []
    for raw in text.split("|"):
        if not raw.strip():
            continue
        match = _INTERVENTION_ITEM.match(raw)
        if not match:
            raise ctx.value(
                f"intervention {raw.strip()!r} is not 'TYPE: name'",
                field=field,
                hint="Write interventions as TYPE: name, separated by |.",
            )
        kind = parse_enum(
            InterventionType, match.group("type"), ctx, field, aliases=INTERVENTION_ALIASES
        )
        result.append(Intervention(type=kind or InterventionType.OTHER, name=match.group("name")))
    return result


INTERVENTION_ALIASES = {"BIOLOGIC": "BIOLOGICAL", "RADIOTHERAPY": "RADIATION", "DRUGS": "DRUG"}


def with_dosing(intervention: Intervention) -> Intervention:
    """The intervention with its dose and schedule read from its description."""
    dosing = parse_dosing(intervention.description)
    return intervention.model_copy(update={"dosing": dosing})


def derived_provenance(
    interventions: Sequence[Intervention], endpoints: Sequence[Endpoint]
) -> list[Provenance]:
    """Provenance entries for the fields oncotrial derives from the registry's text."""
    entries = [
        Provenance(
            field=f"interventions[{i}].dosing",
            source=FieldSource.DERIVED,
            note="read from the intervention description by oncotrial.protocol.dosing",
        )
        for i, intervention in enumerate(interventions)
        if not intervention.dosing.is_empty
    ]
    entries += [
        Provenance(
            field=f"endpoints[{i}].reading",
            source=FieldSource.DERIVED,
            note="read from the outcome text by oncotrial.protocol.endpoints"
            + (f" (rule {e.reading.rule})" if e.reading.rule else " (no rule matched)"),
        )
        for i, e in enumerate(endpoints)
    ]
    return entries


_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>^=~|])")


def unescape_markdown(text: str) -> str:
    """Registry text escapes markdown ('\\>', '\\<', '\\^', '\\['); read the characters."""
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


def nonblank(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v and v.strip())
