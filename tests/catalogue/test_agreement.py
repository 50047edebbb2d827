"""Templates, the simulator and the import checks agree with the catalogue (docs/catalogue.md).

Every record they write is checked with ``check_record``: controlled variables hold terms of the
catalogue's vocabularies, and each findings record's test name, category, units, method, specimen
and coded result are the declared test's. (The web forms are checked in tests/web, the import
checks in tests/store.)
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.catalogue import check_record
from oncotrial.formats.protocol_files import bundled_protocols
from oncotrial.formats.template_rows import Context
from oncotrial.formats.templates import TEMPLATES, Field


def _sample(field: Field) -> str | None:
    """A valid value of a template column (its example, else its first allowed value)."""
    if field.example:
        return field.example
    if field.choices:
        return field.choices[0]
    return {"date": "2025-03-04", "number": "12", "integer": "2"}.get(field.kind, "TEXT")


_OVERRIDES = {
    "randomization": {"arm": "A"},
    "tumour_assessment": {"is_node": "Y", "diameter_mm": "17", "lesion_id": "T01"},
    "subject": {"stage": "IIIA"},
    "adverse_event": {"relatedness": None},
}


@pytest.mark.parametrize("entity", list(TEMPLATES))
def test_template_rows_become_records_the_catalogue_accepts(entity: str) -> None:
    template = TEMPLATES[entity]
    row = {f.name: _sample(f) for f in template.fields} | _OVERRIDES.get(entity, {})
    context = Context("STUDY", arms={"Arm A": "A"}, interventions=("Drug",))
    records = template.convert(row, context)
    assert records, entity
    for domain, record in records:
        assert domain in template.domains
        assert check_record(domain, record) == [], (entity, domain, record)


@pytest.mark.parametrize("entity", list(TEMPLATES))
def test_template_choices_are_catalogue_terms(entity: str) -> None:
    """Each choice column's allowed values become terms the catalogue accepts: converting a row
    with each value in turn gives records without disagreement."""
    template = TEMPLATES[entity]
    base = {f.name: _sample(f) for f in template.fields} | _OVERRIDES.get(entity, {})
    context = Context("STUDY", arms={"Arm A": "A"}, interventions=("Drug",))
    for field in template.fields:
        for choice in field.choices:
            records = template.convert({**base, field.name: choice}, context)
            for domain, record in records:
                assert check_record(domain, record) == [], (entity, field.name, choice, record)


@pytest.fixture(scope="module")
def simulated() -> dict[str, dict[str, pd.DataFrame]]:
    from oncotrial.simulate import simulate_trial

    return {p.trial_id: simulate_trial(p, 30, 2).frames for p in bundled_protocols()}


def test_every_simulated_record_agrees_with_the_catalogue(simulated) -> None:
    checked = 0
    for trial, frames in simulated.items():
        for domain, frame in frames.items():
            for record in frame.astype(object).where(frame.notna(), None).to_dict("records"):
                problems = check_record(domain, record)
                assert problems == [], (trial, domain, problems, record)
                checked += 1
    assert checked > 1000
