"""Readings of registry text: dose and schedule, time frames, endpoint kinds, criteria items."""

from __future__ import annotations

import pytest

from oncotrial.eligibility.criteria import split_criteria
from oncotrial.protocol.dosing import Route, Timing, parse_dosing
from oncotrial.protocol.endpoints import EndpointKind, EndpointLevel, read_endpoint
from oncotrial.protocol.importers.common import split_outcome
from oncotrial.protocol.timeframe import Duration, TimeUnit, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "300 mg intravenous infusion, once every 3 weeks (Q3W) for up to 6 cycles",
            {"dose": 300, "unit": "mg", "route": Route.IV, "interval_days": 21, "max_cycles": 6},
        ),
        ("240 mg IV Q3W", {"dose": 240, "route": Route.IV, "interval_days": 21}),
        ("10 mg/kg i.v. every 2 weeks", {"dose": 10, "unit": "mg/kg", "interval_days": 14}),
        ("Anlotinib 12 mg orally once daily, days 1-14 of a 21-day cycle", {"route": Route.ORAL}),
        ("160 mg by mouth q1d", {"dose": 160, "route": Route.ORAL, "interval_days": 1}),
        (
            "Procedure done once (per-protocol) prior to systemic therapy.",
            {"once": True, "timing": Timing.BEFORE_FIRST_DOSE, "interval_days": None},
        ),
        ("Patients with stage IV disease receive chemotherapy", {"route": None, "dose": None}),
        ("SBRT 30 Gy in 5 fractions", {"dose": 30, "unit": "Gy"}),
    ],
)
def test_dosing(text: str, expected: dict) -> None:
    dosing = parse_dosing(text)
    for key, value in expected.items():
        assert getattr(dosing, key) == value, key


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("6 months", Duration(value=6, unit=TimeUnit.MONTHS)),
        ("Up to 2 years", Duration(value=2, unit=TimeUnit.YEARS, up_to=True)),
        ("assessed up to 18 months", Duration(value=18, unit=TimeUnit.MONTHS, up_to=True)),
        ("24 months", Duration(value=24, unit=TimeUnit.MONTHS)),
        ("assessed up to18 months", Duration(value=18, unit=TimeUnit.MONTHS, up_to=True)),
        ("Up to 1 years", Duration(value=1, unit=TimeUnit.YEARS, up_to=True)),
        ("Week 16", Duration(value=16, unit=TimeUnit.WEEKS)),
        ("through study completion, an average of 1 year", Duration(value=1, unit=TimeUnit.YEARS)),
        ("Baseline", None),
        (None, None),
    ],
)
def test_time_frames(text: str | None, duration: Duration | None) -> None:
    assert parse_duration(text) == duration


def test_month_is_the_mean_gregorian_month() -> None:
    assert Duration(value=6, unit=TimeUnit.MONTHS).days == pytest.approx(182.625)
    assert Duration(value=1, unit=TimeUnit.YEARS).days == 365.25


@pytest.mark.parametrize(
    ("title", "description", "kind"),
    [
        (
            "Correlation analysis of PD-L1 expression of tumor and ORR",
            None,
            EndpointKind.BIOMARKER_RESPONSE,
        ),
        ("1-year OS rate", None, EndpointKind.SURVIVAL_RATE),
        ("Overall Survival (OS)", "time to death", EndpointKind.OS),
        ("over survival time", "the time from initiation of treatment to death", EndpointKind.OS),
        ("Duration of response (DOR)", None, EndpointKind.DOR),
        ("Time to disease progression (TTP)", None, EndpointKind.TTP),
        ("Local control rate of irradiated lesions", None, EndpointKind.LOCAL_CONTROL),
        ("EORTC QLQ-C30 global score", None, EndpointKind.QOL),
        ("Disease control rate (DCR)", None, EndpointKind.DCR),
        ("Pharmacokinetics: Cmax", None, EndpointKind.OTHER),
    ],
)
def test_endpoint_kinds(title: str, description: str | None, kind: EndpointKind) -> None:
    assert read_endpoint(EndpointLevel.SECONDARY, title, description, None).reading.kind is kind


def test_outcome_split_keeps_every_character() -> None:
    text = (
        "objective response rate, The rate of tumor shrinkage reached 30% at least .including "
        "part reponse and complete response, From date of randomization until the date of first "
        "documented progression or date of death from any cause, whichever came first, assessed "
        "up to 6 months"
    )
    title, description, frame = split_outcome(text)
    assert title == "objective response rate"
    assert description is not None and description.endswith("complete response")
    assert frame is not None and frame.startswith("From date of randomization")
    assert ", ".join([title, description, frame]) == text


def test_criteria_paragraphs_bullets_and_headings() -> None:
    text = (
        "Inclusion Criteria:\n\n* Age >= 18\n* ECOG 0-1\n  * measured within 14 days\n"
        "continued line of the sub-item\n\nExclusion Criteria:\n\n* Prior PD-1 therapy\n"
    )
    inclusion, exclusion = split_criteria(text)
    assert [(c.id, c.depth) for c in inclusion] == [("I1", 0), ("I2", 0), ("I2.1", 1)]
    assert inclusion[2].text == "measured within 14 days continued line of the sub-item"
    assert [c.id for c in exclusion] == ["E1"]
