"""Another study's investigational agent or device within a window: Merck's KEYNOTE template
read whole (issue 12; ``reading_investigational``). The texts are items of development records
of jwlieb/clinical-trial-agent data/demo @387df17, cited by record and item id. An agent or a
device within the window meets the item; neither, in complete lists, does not; per patient and
vectorised alike (``item_status``, Hypothesis)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)
FIRST_DOSE = dt.date(2025, 3, 10)
# NCT04104893 E8, NCT04317534 E7, NCT04712851 E6 and the other KEYNOTE records
MERCK = (
    "Is currently participating in or has participated in a study of an investigational agent "
    "or has used an investigational device within 4 weeks prior to the first dose of study "
    "intervention."
)
NOTE = (
    " Note: Participants who have entered the follow-up phase of an investigational study may "
    "participate as long as it has been 4 weeks after the last dose of the previous "
    "investigational agent."
)
TO_DOSE = (
    "(Investigational agent received within 4 weeks before the first dose) or (Investigational "
    "device within 4 weeks before the first dose)"
)
TO_REGISTRATION = (
    "(Investigational agent received within 4 weeks before registration (the screen's as-of "
    "date)) or (Investigational device within 4 weeks before registration (the screen's as-of "
    "date))"
)


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (MERCK, TO_DOSE),
        (MERCK + NOTE, TO_DOSE),
        # "… and receiving study therapy …" (NCT03428802 E1, NCT03474497 E2)
        (
            "Is currently participating and receiving study therapy or has participated in a "
            "study of an investigational agent and received study therapy or used an "
            "investigational device within 4 weeks of the first dose of treatment.",
            TO_DOSE,
        ),
        # the date of allocation/randomization: registration, the screen's as-of date
        # (NCT02332668 E1)
        (
            "Currently participating and receiving study therapy in, or has participated in a "
            "study of an investigational agent and received study therapy or used an "
            "investigational device within 4 weeks of the date of allocation/randomization",
            TO_REGISTRATION,
        ),
    ],
)
def test_read_whole(text: str, reading: str) -> None:
    criterion = read_item(text)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread), criterion.unread


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a plan to participate: no record shows it
        (
            "Is participating or planning to participate in another interventional clinical "
            "trial, or has participated in a trial of an investigational agent or has used an "
            "investigational device within 4 weeks prior to first dose of study drug.",
            "exclusion",
        ),
        # the note counts another period than the item
        (MERCK.replace("4 weeks", "2 weeks") + NOTE, "exclusion"),
        # an inclusion: not the template
        (MERCK, "inclusion"),
        # words of their own after it
        (MERCK[:-1] + " or plans to enroll in another study.", "exclusion"),
    ],
)
def test_not_read(text: str, kind: str) -> None:
    criterion = read_item(text, kind)
    assert not is_computable(criterion.rules, criterion.unread)


def _ago(days: int, day: dt.date = FIRST_DOSE) -> str:
    return (day - dt.timedelta(days=days)).isoformat()


def _patient(
    medications: list[dict[str, Any]] | None = None,
    procedures: list[dict[str, Any]] | None = None,
) -> Patient:
    fields: dict[str, Any] = {"id": "P", "planned_first_dose": FIRST_DOSE}
    if medications is not None:
        fields["medications"] = medications
    if procedures is not None:
        fields["procedures"] = procedures
    return Patient.model_validate(fields)


AGENT = {"concept": "investigational_agent", "text": "ABC-123"}
DEVICE = {"concept": "investigational_device", "text": "investigational device"}


@pytest.mark.parametrize(
    ("patient", "status"),
    [
        (_patient([AGENT | {"start": _ago(60), "end": _ago(20)}], []), Status.MET),
        (_patient([AGENT | {"start": _ago(90), "end": _ago(40)}], []), Status.NOT_MET),
        (_patient([], [DEVICE | {"date": _ago(10)}]), Status.MET),
        (_patient([], [DEVICE | {"date": _ago(60)}]), Status.NOT_MET),
        (_patient([], [{"text": "Radiotherapy", "date": _ago(10)}]), Status.NOT_MET),
        (_patient([], []), Status.NOT_MET),  # complete lists: neither
        (_patient([], None), Status.UNKNOWN),  # no procedure list: a device may be missing
        (_patient(None, []), Status.UNKNOWN),  # no medication list
    ],
)
def test_screens(patient: Patient, status: Status) -> None:
    assert item_status(read_item(MERCK), patient, as_of=AS_OF) is status


_DAYS = st.integers(0, 90)


@settings(max_examples=60, deadline=None)
@given(
    agent=st.none() | _DAYS,
    device=st.none() | _DAYS,
    lists=st.sampled_from(["both", "no medications", "no procedures"]),
)
def test_the_two_paths_agree(agent: int | None, device: int | None, lists: str) -> None:
    medications = [] if agent is None else [AGENT | {"start": _ago(agent + 30), "end": _ago(agent)}]
    procedures = [] if device is None else [DEVICE | {"date": _ago(device)}]
    patient = _patient(
        None if lists == "no medications" else medications,
        None if lists == "no procedures" else procedures,
    )
    # item_status asserts that the per-patient and vectorised paths agree
    item_status(read_item(MERCK + NOTE), patient, as_of=AS_OF)


def test_declared_unmapped_in_the_omop_map() -> None:
    raw = json.loads(
        resources.files("oncotrial.prescreen")
        .joinpath("data/omop_concepts.json")
        .read_text(encoding="utf-8")
    )
    assert "investigational_device" in raw["unmapped"]["procedures"]
