"""Long QT syndrome beside a QT limit (concepts_cardiac): "QTcF > 470 ms or congenital long QT
syndrome" had its QT limit read and the syndrome quoted, so the item stayed partial in 41 items
of the development corpus (jwlieb/clinical-trial-agent data/demo @387df17), 28 more checklist.
The syndrome is lifelong: a record at any time counts. A family history, and an acquired QT
prolongation, are not the patient's syndrome and stay unread."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.patient import Patient

from .builders import assert_read_whole, assert_undecided, item_statuses, omop_unmapped, read_item

AS_OF = dt.date(2025, 6, 2)
LQTS = "Long QT syndrome"


@pytest.mark.parametrize(
    ("kind", "text", "readings"),
    [
        ("exclusion", "Congenital long QT syndrome", [LQTS]),
        ("exclusion", "Known congenital long QT", [LQTS]),
        ("exclusion", "History of long QT syndrome", [LQTS]),
        (
            "exclusion",
            "QTcF > 470 ms or congenital long QT syndrome",
            ["QT interval corrected (Fridericia) > 470 ms", LQTS],
        ),
        ("inclusion", "No congenital long QT syndrome", [f"not ({LQTS})"]),
    ],
)
def test_read(kind: str, text: str, readings: list[str]) -> None:
    assert_read_whole(text, kind, readings)


@pytest.mark.parametrize(
    "text", ["Family history of long QT syndrome", "Acquired long QT syndrome"]
)
def test_not_the_patient_s_syndrome(text: str) -> None:
    assert_undecided(text, "exclusion")


def _patient(pid: str, conditions: list[dict[str, Any]] | None, qtcf: float) -> Patient:
    # at 60 beats a minute the RR interval is 1 s, so Fridericia's QTc is the QT itself
    day = "2025-05-30"
    ecg = [
        {"analyte": "qt", "value": qtcf, "unit": "ms", "date": day},
        {"analyte": "heart_rate", "value": 60.0, "unit": "/min", "date": day},
    ]
    return Patient.model_validate({"id": pid, "conditions": conditions, "observations": ecg})


def test_screened_alike_one_at_a_time_and_vectorised() -> None:
    criterion = read_item("QTcF > 470 ms or congenital long QT syndrome", "exclusion")
    lqts = {"text": "Long QT syndrome", "onset": "1990-01-01"}
    patients = [
        _patient("syndrome", [lqts], 440.0),  # excluded by the syndrome alone
        _patient("long_qtc", [], 490.0),  # excluded by the limit alone
        _patient("neither", [], 440.0),
        _patient("not_asked", None, 440.0),  # conditions not recorded: the syndrome unknown
    ]
    found = item_statuses(criterion, patients, as_of=AS_OF)
    assert found == {
        "syndrome": "met",
        "long_qtc": "met",
        "neither": "not met",
        "not_asked": "unknown",
    }


def test_declared_unmapped_in_the_omop_map() -> None:
    assert "long_qt_syndrome" in omop_unmapped("conditions")


@pytest.mark.parametrize(
    "text",
    [
        "Family history of long QT syndrome",
        "Immediate family history of congenital long QT syndrome",
        "Family history of inflammatory bowel disease",
    ],
)
def test_no_rule_is_proposed_for_a_relative_s_condition(text: str) -> None:
    # a rule on the patient's own condition would be wrong evidence beside the quoted words
    assert not read_item(text, "exclusion").rules
