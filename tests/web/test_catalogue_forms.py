"""The data entry forms are the catalogue's entities (docs/catalogue.md): same keys, titles and
sections, fields built from the catalogue's fields (their choices are terms of its vocabularies),
and every record a form writes passes ``check_record``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from oncotrial.catalogue import check_record
from oncotrial.formats.protocol_files import find_protocol


class _Context:
    """What the forms' field and record functions read (no database needed)."""

    def __init__(self, ctcae: Any) -> None:
        self.protocol = find_protocol("001")
        self.ctcae = ctcae
        self.first_dose: dt.date | None = dt.date(2025, 1, 10)
        self.allocated: dt.date | None = dt.date(2025, 1, 6)
        self.today = dt.date(2025, 6, 1)

    def visit_choices(self) -> tuple[tuple[str, str], ...]:
        return (("SCREENING", "Screening"), ("CYCLE 1 DAY 1", "Cycle 1 Day 1"))

    def interventions(self, *kinds: Any) -> tuple[tuple[str, str], ...]:
        return tuple(
            (i.name.upper(), i.name)
            for i in self.protocol.interventions
            if not kinds or i.type in kinds
        )


@pytest.fixture(scope="module")
def context(shared: Path) -> _Context:
    from oncotrial.formats.ctcae import load_ctcae

    return _Context(load_ctcae(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"))


def _value(spec: Any) -> Any:
    if spec.kind in {"choice", "grade"}:
        return next(code for code, _ in spec.choices if code)
    if spec.kind == "date":
        return dt.date(2025, 2, 3)
    if spec.kind in {"number", "integer"}:
        low = spec.minimum if spec.minimum is not None else 0
        return type(low)(max(low, 1)) if spec.kind == "integer" else 12.0
    if spec.kind == "term":
        return "Pneumonitis"
    return spec.suggestions[0] if spec.suggestions else "TEXT"


def _sdtm(model_fields: dict[str, Any], domain: str) -> dict[str, Any]:
    from oncotrial.store.mapping import domain_columns

    names = {c.field: c.variable for c in domain_columns(domain) if not c.on_assessment}
    return {names[k]: v for k, v in model_fields.items() if k in names}


def test_every_form_is_a_catalogue_entity(context: _Context) -> None:
    from oncotrial.web.entry import ENTITIES

    for key, spec in ENTITIES.items():
        entity = spec.entity
        assert entity is not None, key
        assert (spec.key, spec.title, spec.section) == (entity.key, entity.title, entity.section)
        declared = {f.name: f for f in entity.fields}
        for field in spec.fields(context, {}):  # type: ignore[arg-type]
            if field.name not in declared:
                assert field.name.startswith("rel"), (key, field.name)  # per-intervention AEREL
                continue
            source = declared[field.name]
            codes = {code for code, _ in field.choices if code}
            if source.vocabulary is not None and field.kind == "choice":
                assert codes <= set(source.vocabulary.codes), (key, field.name, codes)
            # A form may require a field only for some records (the edition of a stage) or
            # leave optional what a correction may leave empty (an age, a not-done result).
            conditional = {"edition", "age", "value"}
            assert field.required == source.required or field.name in conditional, (key, field)


@pytest.mark.parametrize(
    ("key", "current"),
    [
        ("ecog", {}),
        ("vital", {"test": "WEIGHT"}),
        ("disease", {"test": "STAGE", "edition": "9"}),
        ("disease", {"test": "HISTTYP"}),
        ("mutation", {"gene": "MSI"}),
        ("pdl1", {}),
        ("lab", {"test": "NEUT"}),
        ("exposure", {}),
        ("procedure", {}),
        ("medication", {}),
        ("ae", {}),
        ("qol", {}),
        ("disposition", {"event": "END OF STUDY"}),
        ("disposition", {"event": "ALIVE"}),
        ("death", {}),
        ("demographics", {}),
    ],
)
def test_every_form_writes_records_the_catalogue_accepts(
    context: _Context, key: str, current: dict[str, Any]
) -> None:
    from oncotrial.web.entry import ENTITIES

    spec = ENTITIES[key]
    values = dict(current)
    for field in spec.fields(context, current):  # type: ignore[arg-type]
        values.setdefault(field.name, _value(field))
    if key == "death":
        values["cause"] = "ADVERSE EVENT"
    record = spec.to_record(values, context)  # type: ignore[arg-type]
    domain = record.get("domain") or (spec.entity.domains[0] if spec.entity else "")
    assert check_record(domain, _sdtm(record, domain)) == [], (key, record)
