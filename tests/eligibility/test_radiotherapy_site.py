"""Radiotherapy to a named body site ('previous radiotherapy to the prostate', 'in the head and
neck region', 'no prior abdominopelvic radiotherapy'): the site on the procedure record, read
per patient and vectorised alike (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.concepts_oncology import BODY_SITES
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import ProcedureRule, Window, describe_rule
from oncotrial.eligibility.screening import screen_patient

from .builders import assert_each_rule_equal_in_both_paths

AS_OF = dt.date(2025, 3, 1)


def _read(text: str, kind: str = "exclusion") -> Criterion:
    return read_criterion(Criterion(id="E1", kind=CriterionKind(kind), text=text)).criterion


# Tuning part of the corpus: NCT03861507 E1, NCT03865277 E3, NCT00055614 I13.1.
@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        (
            "• Previous radiotherapy to the prostate",
            "exclusion",
            "Radiotherapy to the prostate ever",
        ),
        (
            "Previous radiotherapy in the head and neck region",
            "exclusion",
            "Radiotherapy to the head and neck ever",
        ),
        (
            "No prior abdominopelvic radiotherapy",
            "inclusion",
            "not (Radiotherapy to the abdomen and pelvis ever)",
        ),
        (
            "Prior radiation to the chest within 6 months",
            "exclusion",
            "Radiotherapy to the thorax within 6 months before the first dose",
        ),
    ],
)
def test_readings(text: str, kind: str, reading: str) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == ()


def test_a_site_oncotrial_does_not_know_is_not_read() -> None:
    assert _read("Prior radiotherapy to the brain").rules == ()


def _verdict(text: str, patient: Patient, kind: str = "exclusion") -> Status:
    criterion = _read(text, kind)
    items = {"inclusion": (), "exclusion": ()} | {kind: (criterion,)}
    eligibility = Eligibility(inclusion=items["inclusion"], exclusion=items["exclusion"])
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    (status,) = (c.status for c in one.criteria)
    assert batch.loc[patient.id, criterion.id] == status.value
    return status


def _rt(site: str | None, **more: Any) -> Patient:
    proc: dict[str, Any] = {"concept": "radiotherapy", "date": "2020-05-01", **more}
    if site is not None:
        proc["site"] = site
    return Patient.model_validate({"id": "P", "procedures": [proc]})


@pytest.mark.parametrize(
    ("patient", "verdict"),
    [
        (_rt("prostate"), Status.MET),
        (_rt("Prostate bed"), Status.MET),
        (_rt("lung"), Status.NOT_MET),  # another region
        (_rt("pelvis"), Status.UNKNOWN),  # a pelvic field may or may not include the prostate
        (_rt(None), Status.UNKNOWN),  # site not recorded
        (_rt("left femur"), Status.UNKNOWN),  # a site oncotrial does not know
        (Patient.model_validate({"id": "P", "procedures": []}), Status.NOT_MET),
        (Patient(id="P"), Status.UNKNOWN),  # procedures not recorded
        (
            Patient.model_validate(
                {"id": "P", "procedures": [{"concept": "surgery", "site": "prostate"}]}
            ),
            Status.NOT_MET,
        ),
    ],
)
def test_prostate(patient: Patient, verdict: Status) -> None:
    assert _verdict("Previous radiotherapy to the prostate", patient) is verdict


def test_abdominopelvic_includes_the_prostate() -> None:
    text = "No prior abdominopelvic radiotherapy"
    assert _verdict(text, _rt("prostate"), "inclusion") is Status.NOT_MET
    assert _verdict(text, _rt("head and neck"), "inclusion") is Status.MET


def test_the_site_rule_is_unknown_in_the_warehouse_and_reported() -> None:
    from oncotrial.prescreen.concepts import map_eligibility

    criterion = _read("Previous radiotherapy to the prostate")
    _, unmapped = map_eligibility(Eligibility(exclusion=(criterion,)))
    assert [u.reason for u in unmapped] == [
        "radiotherapy site (procedure body sites are not compiled to SQL yet)"
    ]


# ---- the vectorised screen equals the one-by-one screen (Hypothesis): every site, with and
# without a window, against each population

_RULES = tuple(
    ProcedureRule(
        kind="procedure",
        id=f"E{i}-1",
        description="radiotherapy to a site",
        procedure="radiotherapy",
        site=site,
        within=window,
    )
    for i, (site, window) in enumerate(
        ((s, w) for s in BODY_SITES for w in (None, Window(value=6, unit="months"))), start=1
    )
)
_DAYS = st.integers(min_value=-400, max_value=30).map(lambda d: AS_OF + dt.timedelta(days=d))
_PROCEDURE = st.fixed_dictionaries(
    {
        "concept": st.sampled_from(["radiotherapy", "radical_radiotherapy", "surgery"]),
        "date": st.none() | _DAYS,
        "site": st.none()
        | st.sampled_from([*(n for names, _, _ in BODY_SITES.values() for n in names), "femur"]),
    }
)


@settings(max_examples=100, deadline=None)
@given(people=st.lists(st.none() | st.lists(_PROCEDURE, max_size=3), min_size=1, max_size=5))
def test_vectorised_equals_one_by_one(people: list[list[dict[str, Any]] | None]) -> None:
    patients = [
        Patient.model_validate(
            {"id": f"P{i}", "planned_first_dose": AS_OF}
            | ({} if procs is None else {"procedures": procs})
        )
        for i, procs in enumerate(people)
    ]
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)
