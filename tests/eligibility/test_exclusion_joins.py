"""'and' and 'or' between the rules of an exclusion item (issue 12: never a wrong verdict).

An exclusion's rules are alternatives: any one met excludes. "Total bilirubin > 3 mg/dL and
albumin < 2.8 g/dL" was read as two such rules, so a patient with bilirubin 4 mg/dL and albumin
3.5 g/dL was excluded although the text may ask for both; the 'and' is now quoted and the item
goes to the investigator. An 'or' there says what the logic already does and is read.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)
BOTH = "Total bilirubin > 3 mg/dL and albumin < 2.8 g/dL"
EITHER = "Neutrophils < 1.0 × 10^9/L or platelets < 75 × 10^9/L or hemoglobin < 8 g/dL"


_read = read_item


def _status(text: str, labs: dict[str, tuple[float, str]]) -> Status:
    patient = Patient.model_validate(
        {
            "id": "P",
            "observations": [
                {"analyte": a, "value": v, "unit": u, "date": "2025-02-20"}
                for a, (v, u) in labs.items()
            ],
        }
    )
    return item_status(read_item(text), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    "text",
    [
        BOTH,
        "Creatinine ≥ 1.5 × ULN and platelets < 50 × 10^9/L",
        "ANC < 1500/mm3, platelets < 100,000/mm3 and hemoglobin < 9 g/dL",
    ],
)
def test_and_between_exclusion_rules_is_quoted(text: str) -> None:
    criterion = _read(text)
    assert len(criterion.rules) >= 2 and "and" in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


def test_both_or_either_is_the_investigators_call() -> None:
    labs = {"bilirubin": (4.0, "mg/dL"), "albumin": (3.5, "g/dL")}
    assert _status(BOTH, labs) is Status.INVESTIGATOR  # was MET: excluded on bilirubin alone


@pytest.mark.parametrize(
    "text",
    [EITHER, "Known HIV, or hepatitis B", "Pregnant and breastfeeding women"],
)
def test_or_between_exclusion_rules_is_read(text: str) -> None:
    criterion = _read(text)
    assert criterion.unread == () and is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("labs", "status"),
    [
        (
            {
                "neutrophils": (2.0, "10^9/L"),
                "platelets": (60, "10^9/L"),
                "hemoglobin": (12, "g/dL"),
            },
            Status.MET,
        ),
        (
            {
                "neutrophils": (2.0, "10^9/L"),
                "platelets": (160, "10^9/L"),
                "hemoglobin": (12, "g/dL"),
            },
            Status.NOT_MET,
        ),
        ({"neutrophils": (2.0, "10^9/L"), "platelets": (160, "10^9/L")}, Status.UNKNOWN),
    ],
)
def test_any_alternative_excludes(labs: dict[str, tuple[float, str]], status: Status) -> None:
    assert _status(EITHER, labs) is status
