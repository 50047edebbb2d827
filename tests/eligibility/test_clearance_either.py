"""A creatinine clearance 'calculated or measured' (reading_clearance): either one meets the limit.

Until now "creatinine clearance (calculated or measured) ≥ 60 mL/min" was left to the
investigator (test_shared_limits: reading it as Cockcroft-Gault alone would refuse a patient
whose measured clearance the protocol accepts), and "calculated or measured creatinine
clearance" was read as the measured clearance with "Calculated or" unread. The phrasing is that
of real protocols: "Serum creatinine ≤ 1.5 x ULN or calculated or measured creatinine clearance
≥ 50 mL/min/1.73 m^2" (the STX-241 protocol quoted in an ACTIN curation test case); the other
texts are made up in the same shapes (none occurs in the tuning corpora).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import _finish
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import Rule, describe_rule

from .builders import assert_each_rule_equal_in_both_paths, item_status, lab, read_item

AS_OF = dt.date(2025, 3, 1)
DAY = "2025-02-27"
CG = "Creatinine clearance (Cockcroft-Gault)"
MEASURED = "Creatinine clearance, measured (24-hour urine)"


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (
            "Creatinine clearance (calculated or measured) ≥ 60 mL/min",
            f"({CG} ≥ 60 mL/min) or ({MEASURED} ≥ 60 mL/min)",
        ),
        (
            "Calculated or measured creatinine clearance ≥ 50 mL/min",
            f"({CG} ≥ 50 mL/min) or ({MEASURED} ≥ 50 mL/min)",
        ),
        (
            "Measured or calculated CrCl ≥ 45 mL/min",
            f"({CG} ≥ 45 mL/min) or ({MEASURED} ≥ 45 mL/min)",
        ),
        (
            "Creatinine clearance, calculated or measured, > 60 mL/min",
            f"({CG} > 60 mL/min) or ({MEASURED} > 60 mL/min)",
        ),
        (
            # the STX-241 protocol's words: one list of three alternatives, not a nested one
            "Serum creatinine ≤ 1.5 x ULN or calculated or measured creatinine clearance ≥ 50 "
            "mL/min/1.73 m^2",
            "(Serum creatinine ≤ 1.5 × ULN) or "
            f"({CG} ≥ 50 mL/min/1.73m^2) or ({MEASURED} ≥ 50 mL/min/1.73m^2)",
        ),
    ],
)
def test_either_clearance_is_one_alternative(text: str, reading: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


def test_in_an_exclusion_both_must_be_below() -> None:
    # one adequate clearance is what the protocol accepts: never excluded on the estimate alone
    criterion = read_item("Calculated or measured creatinine clearance < 30 mL/min", "exclusion")
    assert [describe_rule(r) for r in criterion.rules] == [
        f"({CG} < 30 mL/min) and ({MEASURED} < 30 mL/min)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a limit relative to the ULN fits no clearance: not read
        "Creatinine clearance (calculated or measured) ≥ 1.5 x ULN",
        # calculated or measured, but "estimated" may be an eGFR: not this reading
        "Estimated or measured creatinine clearance ≥ 60 mL/min",
    ],
)
def test_not_read(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not is_computable(criterion.rules, criterion.unread)


def _patient(creatinine: float | None, measured: float | None, pid: str = "P") -> Patient:
    """A man of 68 weighing 70 kg: Cockcroft-Gault (140 - 68) × 70 / (72 × SCr mg/dL)."""
    observations: list[dict[str, Any]] = [lab("weight", 70, "kg", DAY)]
    if creatinine is not None:
        observations.append(lab("creatinine", creatinine, "mg/dL", DAY))
    if measured is not None:
        observations.append(lab("creatinine_clearance_measured", measured, "mL/min", DAY))
    return Patient.model_validate(
        {"id": pid, "sex": "male", "birth_date": "1956-06-15", "observations": observations}
    )


INCLUSION = "Creatinine clearance (calculated or measured) ≥ 60 mL/min"
EXCLUSION = "Calculated or measured creatinine clearance < 60 mL/min"


@pytest.mark.parametrize(
    ("creatinine", "measured", "included", "excluded"),
    [
        (1.0, None, Status.MET, Status.NOT_MET),  # CG 70 mL/min: the measured one not needed
        (1.2, 75.0, Status.MET, Status.NOT_MET),  # CG 58.3, measured 75: accepted
        (1.2, 50.0, Status.NOT_MET, Status.MET),  # both below 60
        (1.2, None, Status.UNKNOWN, Status.UNKNOWN),  # CG 58.3, a measurement could pass
        (None, 75.0, Status.MET, Status.NOT_MET),
        (None, None, Status.UNKNOWN, Status.UNKNOWN),
    ],
)
def test_screening(
    creatinine: float | None, measured: float | None, included: Status, excluded: Status
) -> None:
    patient = _patient(creatinine, measured)
    assert item_status(read_item(INCLUSION, "inclusion"), patient, as_of=AS_OF) is included
    # an exclusion item MET excludes: only when neither clearance reaches 60 mL/min
    assert item_status(read_item(EXCLUSION, "exclusion"), patient, as_of=AS_OF) is excluded


def _unsourced(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _unsourced(v) for k, v in data.items() if k != "source"}
    if isinstance(data, list | tuple):
        return [_unsourced(v) for v in data]
    return data


INCLUDED = read_item(INCLUSION, "inclusion")
EXCLUDED = read_item(EXCLUSION, "exclusion")
# the rules read, each its own item's (ids E1-1, E2-1 …; no source text to check)
RULES = tuple(
    TypeAdapter(Rule).validate_python(_unsourced(_finish(r, f"E{i}-1").model_dump()))
    for i, r in enumerate([*INCLUDED.rules, *EXCLUDED.rules], start=1)
)


_VALUE = st.none() | st.floats(0.3, 4.0, allow_nan=False)
_MEASURED = st.none() | st.floats(5.0, 150.0, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(people=st.lists(st.tuples(_VALUE, _MEASURED), min_size=1, max_size=5))
def test_per_patient_and_vectorised_agree(people: list[tuple[float | None, float | None]]) -> None:
    patients = [_patient(c, m, f"P{i}") for i, (c, m) in enumerate(people)]
    # each rule alone (as an exclusion item: the same logic), then each item (item_status holds
    # the vectorised screen to the per-patient status)
    assert_each_rule_equal_in_both_paths(patients, RULES, as_of=AS_OF)
    for patient in patients:
        item_status(INCLUDED, patient, as_of=AS_OF)
        item_status(EXCLUDED, patient, as_of=AS_OF)
