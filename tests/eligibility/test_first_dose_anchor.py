"""A window counted back from the first dose, in every way records name that day.

Every window of a rule runs back from the first dose (``Window``). "Radiotherapy within 28 days
of registration" was read (with a warning), while "Radiotherapy within 28 days prior to Day 1",
"… of first study drug" or "… prior to start of dosing" — the very day oncotrial counts from —
left their anchor words unread and the item on the checklist. The day is now declared once
(``reading.FIRST_DOSE``) and a window takes it with it. "Day 0" stays unread: protocols use it
for the first dose and for randomisation alike. Texts marked with an NCT number are real items of
the round-5 tuning corpus (tests/eligibility/corpus/tuning_round5.json, cited there).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Radiotherapy within 28 days of day 1",  # NCT00392665 E4
        "Radiotherapy within 28 days prior to Day 1",
        "Radiotherapy within 28 days prior to Cycle 1 Day 1",
        "Radiotherapy within 28 days prior to C1D1",
        "Radiotherapy within 28 days prior to the first dose of study drug",
        "Radiotherapy within 28 days prior to the first dose of study drug administration",
        "Radiotherapy within 28 days prior to start of dosing",
        "Radiotherapy within 28 days of the start of treatment",
        "Radiotherapy within 28 days of first study drug",
        "Radiotherapy within 28 days prior to study treatment",
        "Radiotherapy within 28 days before initiation of study therapy",
    ],
)
def test_the_first_dose_named_is_read_with_the_window(text: str) -> None:
    criterion = read_item(text)
    assert [describe_rule(r) for r in criterion.rules] == [
        "Radiotherapy within 28 days before the first dose"
    ]
    assert criterion.unread == ()
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        # Day 0 is the first dose in some protocols, randomisation in others
        ("Major surgery within 28 days prior to Day 0", "prior to Day 0"),
        # another treatment's start is not the first dose of the study's
        ("Radiotherapy within 2 weeks of the start of prior treatment", "of the start of prior"),
    ],
)
def test_another_day_stays_unread(text: str, unread: str) -> None:
    criterion = read_item(text)
    assert any(u.startswith(unread) for u in criterion.unread), criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


def test_a_window_to_registration_runs_back_from_registration() -> None:
    # the window is counted back from registration (the screen's as-of date), not from the first
    # dose with a warning to confirm (rules.Window.anchor)
    reading = read_criterion(
        Criterion(
            id="E1",
            kind=CriterionKind.EXCLUSION,
            text="Radiotherapy within 28 days of registration",
        )
    )
    assert not any("runs to" in w for w in reading.warnings)
    assert [describe_rule(r) for r in reading.criterion.rules] == [
        "Radiotherapy within 28 days before registration (the screen's as-of date)"
    ]
    # screening is another day: counted from the first dose, with the warning
    screening = read_criterion(
        Criterion(
            id="E1", kind=CriterionKind.EXCLUSION, text="Radiotherapy within 28 days of screening"
        )
    )
    assert any("runs to screening" in w for w in screening.warnings)
    first_dose = read_criterion(
        Criterion(
            id="E1", kind=CriterionKind.EXCLUSION, text="Radiotherapy within 28 days of Day 1"
        )
    )
    assert not any("runs to" in w for w in first_dose.warnings)


@pytest.mark.parametrize(
    ("days_ago", "status"),
    [(20, Status.MET), (27, Status.MET), (40, Status.NOT_MET)],
)
def test_the_window_screens_from_the_first_dose(days_ago: int, status: Status) -> None:
    date = (AS_OF - dt.timedelta(days=days_ago)).isoformat()
    patient = Patient.model_validate(
        {"id": "P", "procedures": [{"category": "radiotherapy", "date": date}]}
    )
    criterion = read_item("Radiotherapy within 28 days prior to Day 1")
    assert item_status(criterion, patient, as_of=AS_OF) is status
