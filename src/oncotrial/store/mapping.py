"""Which model field holds which SDTM variable of a domain, and how its text converts.

``domain_columns("TU")`` lists the TU variables a model field holds (``TULNKID`` → ``link_id``…);
everything else of a record goes to its ``extra``. Kinds: ``text`` (stored as written), ``float``
and ``int`` (stored as numbers, written back in canonical form; docs/sdtm.md, "Values are text").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from django.db import models as dj

from oncotrial.store import models

__all__ = [
    "ASSESSMENT_VARIABLES",
    "ColumnMap",
    "domain_columns",
    "model_fields",
    "model_for",
    "subject_domains",
]


@dataclass(frozen=True)
class ColumnMap:
    variable: str
    field: str  # attname on the model, or on the tumour assessment when ``on_assessment``
    kind: str  # text | float | int
    on_assessment: bool = False


def _kind(field: dj.Field) -> str:
    if isinstance(field, dj.FloatField):
        return "float"
    if isinstance(field, dj.IntegerField):  # includes the small and big integer fields
        return "int"
    return "text"


def model_for(domain: str) -> type[dj.Model] | None:
    """The model storing ``domain`` (Subject for DM), None for an uninterpreted domain."""
    if domain == "DM":
        return models.Subject
    return models.RECORD_MODELS.get(domain)


def subject_domains() -> tuple[str, ...]:
    """The domains oncotrial interprets, DM first."""
    return ("DM", *models.RECORD_MODELS)


@cache
def domain_columns(domain: str) -> tuple[ColumnMap, ...]:
    model = model_for(domain)
    if model is None:
        return ()
    mapping: dict[str, str] = model.SDTM
    columns = []
    for variable, field_name in mapping.items():
        name = variable.replace("--", domain)
        if field_name.startswith("assessment."):
            attname = field_name.split(".", 1)[1]
            field = models.TumourAssessment._meta.get_field(attname)
            columns.append(ColumnMap(name, attname, _kind(field), on_assessment=True))
        else:
            field = model._meta.get_field(field_name)
            columns.append(ColumnMap(name, field.attname, _kind(field)))
    if domain != "DM":
        columns.insert(0, ColumnMap(f"{domain}SEQ", "seq", "int"))
    return tuple(columns)


# The variables that identify a tumour assessment (TR and RS records with the same values belong to
# the same assessment).
ASSESSMENT_VARIABLES = ("VISIT", "VISITNUM", "DTC", "EVAL", "EVALID")


def model_fields(domain: str, variables: Mapping[str, object]) -> dict[str, object]:
    """SDTM variables of one ``domain`` record (e.g. a catalogue record builder's) as the values
    of the model's fields; a variable the model does not hold is an error (its ``extra``
    belongs to imports)."""
    columns = {c.variable: c for c in domain_columns(domain)}
    out: dict[str, object] = {}
    for name, value in variables.items():
        column = columns.get(name)
        if column is None or column.on_assessment:
            raise KeyError(f"the {domain} model holds no variable {name}")
        out[column.field] = value
    return out
