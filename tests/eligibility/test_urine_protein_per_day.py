"""A urine protein limit in a mass per 24 hours is the 24-hour collection's (LOINC 2889-4), never
the dipstick's grade: "Proteinuria < 1 g/24 hours", "Urine protein < 500 mg/24 hrs". Before, the
words 'proteinuria' and 'urine protein' named the dipstick only, the limit fitted no grade and the
item went to the checklist quoting nothing; a unit written with a space ('g/24 h') was not read
either. Made-up texts in registry phrasings (round 5 writes the 24-hour limit only inside a
dipstick item's exception, NCT00600210 E28 and NCT00426829 E3, which stay unread); every corpus
figure is unchanged.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, lab, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("kind", "text", "reading"),
    [
        ("inclusion", "Proteinuria < 1 g/24 hours", "Urine protein (24-hour) < 1 g/24h"),
        ("inclusion", "Urine protein < 1 g/24 h", "Urine protein (24-hour) < 1 g/24h"),
        ("inclusion", "Urine protein < 500 mg/24 hrs", "Urine protein (24-hour) < 500 mg/24h"),
        ("exclusion", "Proteinuria ≥ 3.5 g/24 hours", "Urine protein (24-hour) ≥ 3.5 g/24h"),
        # the grade stays the dipstick's
        ("inclusion", "Proteinuria < 2+", "Urine protein (dipstick) < 2+"),
    ],
)
def test_read(kind: str, text: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


def test_a_concentration_is_not_read() -> None:
    # g/L is a spot urine concentration, neither the dipstick nor the 24-hour collection
    criterion = read_item("Proteinuria > 1 g/L", "exclusion")
    assert not criterion.rules


@pytest.mark.parametrize(
    ("grams", "unit", "status"),
    [(0.4, "g/24h", Status.MET), (1200, "mg/24h", Status.NOT_MET), (None, None, Status.UNKNOWN)],
)
def test_screening_both_paths(grams: float | None, unit: str | None, status: Status) -> None:
    observations = (
        []
        if grams is None or unit is None
        else [lab("urine_protein_24h", grams, unit, "2025-02-27")]
    )
    patient = Patient.model_validate({"id": "P", "observations": observations})
    criterion = read_item("Proteinuria < 1 g/24 hours", "inclusion")
    assert item_status(criterion, patient, as_of=AS_OF) is status
