"""The urine protein/creatinine ratio (LOINC 2890-2) and creatine kinase (LOINC 2157-6): limits of
anti-angiogenic and MEK-inhibitor trials that were checklist items for want of the analytes.

Records: jwlieb/clinical-trial-agent ``data/demo/*/*/trials.json`` at
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (records in no corpus of these tests), cited by NCT id
and item. OMOP: creatine kinase 3007220 (OHDSI/DataQualityDashboard
inst/csv/OMOP_CDMv5.4_Concept_Level.csv at 27df598a); the ratio unmapped (its unit concepts'
names unconfirmed), so a prescreen reports its rules unknown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.units import convert

from .builders import assert_read_whole, assert_undecided, item_statuses, omop_unmapped, read_item

AS_OF = dt.date(2025, 6, 2)
UPCR = "Urine protein/creatinine ratio"


@pytest.mark.parametrize(
    ("source", "kind", "text", "reading"),
    [
        (
            "NCT06475989 I29",
            "exclusion",
            "Urine protein/creatinine (UPC) ratio ≥ 1 obtained ≤ 28 days prior to protocol "
            "randomization",
            f"{UPCR} ≥ 1 within 28 days before registration (the screen's as-of date)",
        ),
        ("a bare ratio", "inclusion", "UPCR < 1", f"{UPCR} < 1"),
        ("in mg/g", "inclusion", "UPCR ≤ 1000 mg/g", f"{UPCR} ≤ 1000 mg/g"),
        ("in mg/mmol", "inclusion", "UPCR < 100 mg/mmol", f"{UPCR} < 100 mg/mmol"),
        (
            "NCT05512208 I7.6",
            "inclusion",
            "Creatine phosphokinase (CPK) ≤2.5 x ULN.",
            "Creatine kinase ≤ 2.5 × ULN",
        ),
    ],
)
def test_read(source: str, kind: str, text: str, reading: str) -> None:
    assert_read_whole(text, kind, [reading], source)


@pytest.mark.parametrize(
    "text",
    [
        # a ratio of 100 is no protein/creatinine ratio: the unit (mg/mmol, mg/g) was lost
        "UPCR < 100",
        # a restatement in mg/mmol by a rounded factor (1 mg/mg is 113.12 mg/mmol by creatinine's
        # molar mass; the template writes 113.2): a second limit, not within the precision it is
        # written to, so the item is not decided on either (reading_restated)
        "Urine protein/creatinine ratio (UPCR) ≤ 1 mg/mg (≤ 113.2 mg/mmol), or 24-h urine "
        "protein ≤ 1 g",
        # "CK" alone may be CK-MB or cytokeratin
        "CK ≤ 2.5 x ULN",
    ],
)
def test_not_read(text: str) -> None:
    assert_undecided(text)


def test_a_mass_ratio_in_any_of_its_units() -> None:
    assert convert(1500.0, "mg/g", "{ratio}") == pytest.approx(1.5)
    assert convert(1.5, "g/g", "mg/mg") == pytest.approx(1.5)
    # per millimole of creatinine (C4H7N3O, 113.12 g/mol): 1 mg/mg = 113.12 mg/mmol
    molar = ANALYTES["upcr"].molar_mass
    assert convert(1.0, "mg/mg", "mg/mmol", molar) == pytest.approx(113.12)
    assert convert(100.0, "mg/mmol", "{ratio}", molar) == pytest.approx(0.88402, abs=1e-5)


def _patient(pid: str, observations: list[dict[str, Any]]) -> Patient:
    return Patient.model_validate({"id": pid, "observations": observations})


def test_screened_alike_one_at_a_time_and_vectorised() -> None:
    criterion = read_item("UPCR ≤ 1 mg/mg", "inclusion")
    day = "2025-05-30"
    patients = [
        _patient("low", [{"analyte": "upcr", "value": 800.0, "unit": "mg/g", "date": day}]),
        # 120 mg/mmol is 1.06 mg/mg
        _patient("uk", [{"analyte": "upcr", "value": 120.0, "unit": "mg/mmol", "date": day}]),
        _patient("high", [{"analyte": "upcr", "value": 1.4, "unit": "mg/mg", "date": day}]),
        _patient("at", [{"analyte": "upcr", "value": 1.0, "unit": "g/g", "date": day}]),
        # the record's LOINC code names the test
        _patient("loinc", [{"loinc": "2890-2", "value": 0.3, "unit": "{ratio}", "date": day}]),
        _patient("none", []),
    ]
    found = item_statuses(criterion, patients, as_of=AS_OF)
    assert found == {
        "low": "met",
        "uk": "not met",
        "high": "not met",
        "at": "met",
        "loinc": "met",
        "none": "unknown",
    }


def test_the_omop_map_declares_the_ratio_unmapped_with_its_reason() -> None:
    assert "upcr" in omop_unmapped("measurements")
