"""Corticosteroids beyond a prednisone-equivalent daily dose ('> 10 mg daily prednisone
equivalents'): the dose on the medication record, the declared equivalence table, per patient
and vectorised alike (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import MedicationRecord, Patient
from oncotrial.eligibility.rules import Bound, Comparator, MedicationRule, Window, describe_rule
from oncotrial.eligibility.screening import screen_patient

from .builders import assert_each_rule_equal_in_both_paths

AS_OF = dt.date(2025, 3, 1)
# Real phrasings: NCT02912559 I23 (tuning part of the corpus) and the template of checkpoint-
# inhibitor trials ("Current use of systemic corticosteroids at a dose > 10 mg/day").
CURRENT = (
    "Current use of systemic corticosteroids at a dose > 10 mg/day of prednisone or equivalent"
)
TEMPLATE = (
    "No systemic daily treatment with either corticosteroids (> 10 mg daily prednisone "
    "equivalents) or other immunosuppressive medications within 7 days of registration"
)


def _read(text: str, kind: str = "exclusion") -> Criterion:
    return read_criterion(Criterion(id="E1", kind=CriterionKind(kind), text=text)).criterion


def test_readings() -> None:
    current = _read(CURRENT)
    assert [describe_rule(r) for r in current.rules] == [
        "Systemic corticosteroid received ongoing at > 10 mg/day prednisone-equivalent"
    ]
    assert current.unread == ()
    template = _read(TEMPLATE, "inclusion")
    assert [describe_rule(r) for r in template.rules] == [
        # "within 7 days of registration": back from the screen's as-of date (Window.anchor)
        "not (Systemic corticosteroid received within 7 days before registration (the screen's "
        "as-of date) at > 10 mg/day prednisone-equivalent)"
    ]
    # "other immunosuppressive medications" is an open class: it stays unread, the item with it
    assert "or other immunosuppressive medications" in template.unread
    assert _read("Corticosteroids > 10 mg/day prednisone").rules == ()  # when? not said


def _verdict(text: str, patient: Patient) -> Status:
    criterion = _read(text)
    eligibility = Eligibility(exclusion=(criterion,))
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    (status,) = (c.status for c in one.criteria)
    assert batch.loc[patient.id, criterion.id] == status.value
    return status


def _on(**drug: Any) -> Patient:
    return Patient.model_validate(
        {"id": "P", "medications": [{"start": "2025-01-01", **drug}], "planned_first_dose": AS_OF}
    )


@pytest.mark.parametrize(
    ("drug", "verdict"),
    [
        ({"text": "prednisone", "dose": 20, "dose_unit": "mg/d"}, Status.MET),
        ({"text": "prednisone", "dose": 10, "dose_unit": "mg/d"}, Status.NOT_MET),  # not > 10
        ({"text": "prednisolone", "dose": 7.5, "dose_unit": "mg/d"}, Status.NOT_MET),
        ({"text": "hydrocortisone", "dose": 30, "dose_unit": "mg/d"}, Status.NOT_MET),  # 7.5
        ({"text": "hydrocortisone", "dose": 60, "dose_unit": "mg/d"}, Status.MET),  # 15
        ({"code": "H02AB04", "system": "ATC", "dose": 16, "dose_unit": "mg/d"}, Status.MET),
        ({"text": "dexamethasone", "dose": 4, "dose_unit": "mg/d"}, Status.MET),  # 20-26.7
        ({"text": "dexamethasone", "dose": 1, "dose_unit": "mg/d"}, Status.NOT_MET),  # 5-6.7
        # 1.75 mg dexamethasone is 8.75 (US label) or 11.7 (0.75 mg tables): the sources
        # disagree about which side of 10 it is — unknown, never decided on one of them
        ({"text": "dexamethasone", "dose": 1.75, "dose_unit": "mg/d"}, Status.UNKNOWN),
        ({"text": "prednisone"}, Status.UNKNOWN),  # no dose recorded
        ({"code": "H02AB", "system": "ATC", "dose": 20, "dose_unit": "mg/d"}, Status.UNKNOWN),
        (
            {"text": "prednisone", "dose": 20, "dose_unit": "mg/d", "end": "2025-02-01"},
            Status.NOT_MET,
        ),
        ({"text": "levothyroxine", "dose": 0.1, "dose_unit": "mg/d"}, Status.NOT_MET),
    ],
)
def test_ongoing_dose(drug: dict[str, Any], verdict: Status) -> None:
    assert _verdict(CURRENT, _on(**drug)) is verdict


def test_no_medication_history_is_unknown() -> None:
    assert _verdict(CURRENT, Patient(id="P")) is Status.UNKNOWN


def test_a_dose_needs_a_daily_unit() -> None:
    with pytest.raises(ValueError, match="with its unit"):
        MedicationRecord(text="prednisone", dose=10)
    with pytest.raises(ValueError, match="mass per day"):
        MedicationRecord(text="prednisone", dose=10, dose_unit="mg/dL")
    assert MedicationRecord(text="prednisone", dose=1, dose_unit="g/d").mg_per_day() == 1000


def test_the_dose_rule_is_unknown_in_the_warehouse_and_reported() -> None:
    from oncotrial.prescreen.concepts import map_eligibility

    _, unmapped = map_eligibility(Eligibility(exclusion=(_read(CURRENT),)))
    assert [u.reason for u in unmapped] == [
        "medication dose (drug_exposure doses are not compiled to SQL yet)"
    ]


# ---- the vectorised screen equals the one-by-one screen (Hypothesis)

_DAYS = st.integers(min_value=-60, max_value=10).map(lambda d: AS_OF + dt.timedelta(days=d))
_DRUG = st.fixed_dictionaries(
    {
        "name": st.sampled_from(
            [
                {"text": "prednisone"},
                {"text": "dexamethasone"},
                {"text": "betamethasone"},
                {"text": "hydrocortisone"},
                {"code": "H02AB04", "system": "ATC"},
                {"code": "H02AB", "system": "ATC"},
                {"text": "corticosteroid"},
                {"text": "levothyroxine"},
            ]
        ),
        "dose": st.none() | st.sampled_from([0.5, 1.0, 1.5, 1.75, 2.0, 8.0, 10.0, 12.5, 40.0]),
        "start": st.none() | _DAYS,
        "end": st.none() | _DAYS,
    }
).map(
    lambda d: {
        **d["name"],
        "start": d["start"],
        "end": d["end"],
        **({"dose": d["dose"], "dose_unit": "mg/d"} if d["dose"] is not None else {}),
    }
)
# Every rule variant is checked against each population: a dose straddling a limit only shows
# with that limit.
_RULES = tuple(
    MedicationRule(
        kind="medication",
        id=f"E{i}-1",
        description="corticosteroids",
        therapy="systemic_corticosteroid",
        within=window,
        ongoing=window is None and ongoing,
        daily_dose=Bound(comparator=comparator, value=value),
    )
    for i, (window, ongoing, comparator, value) in enumerate(
        (
            (window, ongoing, comparator, value)
            for window in (None, Window(value=14, unit="days"))
            for ongoing in (False, True)
            for comparator in (Comparator.GT, Comparator.GE)
            for value in (7.5, 10.0, 20.0)
            if not (window is not None and ongoing)
        ),
        start=1,
    )
)


@settings(max_examples=150, deadline=None)
@given(people=st.lists(st.none() | st.lists(_DRUG, max_size=3), min_size=1, max_size=6))
def test_vectorised_equals_one_by_one(people: list[list[dict[str, Any]] | None]) -> None:
    patients = [
        Patient.model_validate(
            {"id": f"P{i}", "planned_first_dose": AS_OF}
            | ({} if meds is None else {"medications": meds})
        )
        for i, meds in enumerate(people)
    ]
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)
