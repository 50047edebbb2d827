"""The oncology vocabulary of issue 12 item 3 read from real phrasings and screened
three-valued, one by one and vectorised alike; measured creatinine clearance and QTc from RR
(item 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.batch import frames_from_patients, rule_statuses, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule
from oncotrial.eligibility.screening import screen_patient

from .random_patients import AS_OF, random_patients


def _read(text: str, kind: str = "exclusion") -> Criterion:
    return read_criterion(Criterion(id="E1", kind=CriterionKind(kind), text=text)).criterion


@pytest.mark.parametrize(
    ("text", "kind", "readings", "unread"),
    [
        (
            "Women who are pregnant or lactating",
            "exclusion",
            {"(Pregnancy (current)) or (Breastfeeding (current))"},
            (),
        ),
        ("Pregnant or nursing women cannot participate in this study.", "exclusion", None, ()),
        ("Women must not be breastfeeding.", "inclusion", {"not (Breastfeeding (current))"}, ()),
        (
            "Presence of brain or other central nervous system metastases",
            "exclusion",
            {"Brain or other central nervous system metastases (current)"},
            (),
        ),
        # 'symptomatic' narrows the metastases now: the screener's to confirm on a current record
        # (reading_active.CNS_NARROWED)
        (
            "Symptomatic central nervous system (CNS) metastasis",
            "exclusion",
            {
                "Brain or other central nervous system metastases (current), to confirm: "
                '"Symptomatic"'
            },
            (),
        ),
        ("Known Hepatitis B or C infection", "exclusion", {"(Hepatitis B) or (Hepatitis C)"}, ()),
        ("Known HIV(+) or has been diagnosed with AIDS", "exclusion", None, ()),
        # an undefined 'active': the screener's to confirm (reading_active.CONFIRMED_ACTIVE)
        ("Active hepatitis B", "exclusion", {'Hepatitis B (current), to confirm: "active"'}, ()),
        (
            "Received a live, attenuated vaccine within 28 days",  # NCT05482516 E30's comma
            "exclusion",
            {"Live or live-attenuated vaccine received within 28 days before the first dose"},
            (),
        ),
        ("Must test negative for hepatitis B surface antigen (HBsAg)", "inclusion", set(), ()),
        (
            "Subjects with known or suspected interstitial pneumonia",
            "exclusion",
            {"Interstitial lung disease"},
            ("Subjects with known or suspected",),
        ),
        (
            "Measurable disease per RECIST 1.1",
            "inclusion",
            {"at least 1 measurable (RECIST 1.1)"},
            (),
        ),
        (
            "Prior treatment with CD137 agonists or immune checkpoint blockade therapies",
            "exclusion",
            {"Immune checkpoint inhibitor (anti-PD-1, anti-PD-L1, anti-CTLA-4) received ever"},
            ("CD137 agonists or",),
        ),
    ],
)
def test_readings(text: str, kind: str, readings: set[str] | None, unread: tuple[str, ...]) -> None:
    criterion = _read(text, kind)
    got = {describe_rule(r) for r in criterion.rules}
    if readings is not None:
        assert got == readings, got
    else:
        assert got
    assert criterion.unread == unread


def test_autoimmune_disease_with_its_exceptions() -> None:
    criterion = _read(
        "Active autoimmune disease, with the exception of vitiligo or hypothyroidism on stable "
        "hormone replacement"
    )
    (rule,) = criterion.rules
    # "active" is the clinical status of each member (test_active_conditions.py); it was left
    # unread (the item undecided) before the status was recorded (ConditionRecord.clinical_status)
    assert describe_rule(rule) == (
        "(Autoimmune disease (other than vitiligo, type 1 diabetes, autoimmune thyroiditis) "
        "(active)) or (Type 1 diabetes mellitus (active)) or ((Autoimmune thyroiditis "
        "(Hashimoto) (active)) and (not (Thyroid hormone replacement received ongoing)))"
    )
    assert criterion.unread == ()
    plain = _read("History of autoimmune disease")
    assert "Vitiligo" in describe_rule(plain.rules[0]) and plain.unread == ()


def _patient(**fields: Any) -> Patient:
    return Patient.model_validate({"id": "P", "sex": "female", **fields})


def _verdict(text: str, kind: str, patient: Patient) -> Status:
    criterion = _read(text, kind)
    items = {"inclusion": (), "exclusion": ()} | {kind: (criterion,)}
    eligibility = Eligibility(inclusion=items["inclusion"], exclusion=items["exclusion"])
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    (status,) = (c.status for c in one.criteria)
    assert batch.loc[patient.id, criterion.id] == status.value
    return status


HASHIMOTO = {"text": "Hashimoto thyroiditis", "onset": "2019-01-01"}
LEVOTHYROXINE = {"text": "levothyroxine", "start": "2019-02-01"}
AUTOIMMUNE = (
    "History of autoimmune disease, except vitiligo or hypothyroidism on hormone replacement"
)


@pytest.mark.parametrize(
    ("fields", "verdict"),
    [
        ({"conditions": [HASHIMOTO], "medications": [LEVOTHYROXINE]}, Status.NOT_MET),
        ({"conditions": [HASHIMOTO], "medications": []}, Status.MET),
        ({"conditions": [HASHIMOTO]}, Status.UNKNOWN),  # medications not recorded
        ({"conditions": [{"text": "vitiligo"}], "medications": []}, Status.NOT_MET),
        ({"conditions": [{"code": "M05.79", "system": "ICD-10"}], "medications": []}, Status.MET),
        ({}, Status.UNKNOWN),  # no conditions recorded: unknown, never a pass
    ],
)
def test_autoimmune_exceptions_screened(fields: dict[str, Any], verdict: Status) -> None:
    assert _verdict(AUTOIMMUNE, "exclusion", _patient(**fields)) is verdict


@pytest.mark.parametrize(
    ("conditions", "verdict"),
    [
        ([{"code": "77386006", "system": "SNOMED"}], Status.MET),
        ([{"text": "pregnant", "onset": "2024-01-01", "abatement": "2024-09-01"}], Status.NOT_MET),
        ([], Status.NOT_MET),
        (None, Status.UNKNOWN),
    ],
)
def test_pregnancy_is_current(conditions: list[dict[str, Any]] | None, verdict: Status) -> None:
    fields = {} if conditions is None else {"conditions": conditions}
    assert _verdict("Pregnant or lactating women", "exclusion", _patient(**fields)) is verdict


DAY = "2025-02-20"


def _obs(analyte: str, value: float, unit: str) -> dict[str, Any]:
    return {"analyte": analyte, "value": value, "unit": unit, "date": DAY}


def test_measured_clearance_is_never_cockcroft_gault() -> None:
    text = "Measured creatinine clearance ≥ 50 mL/min"
    measured = _patient(observations=[_obs("creatinine_clearance_measured", 55, "mL/min")])
    low = _patient(observations=[_obs("creatinine_clearance_measured", 45, "mL/min")])
    # creatinine, weight and age would give a Cockcroft-Gault clearance: not this quantity
    inputs = _patient(
        birth_date="1960-01-01",
        observations=[_obs("creatinine", 0.8, "mg/dL"), _obs("weight", 70, "kg")],
    )
    assert _verdict(text, "inclusion", measured) is Status.MET
    assert _verdict(text, "inclusion", low) is Status.NOT_MET
    assert _verdict(text, "inclusion", inputs) is Status.UNKNOWN


def test_qtc_from_the_rr_interval() -> None:
    text = "QTcF ≤ 470 ms"
    # RR 1 000 ms is 60/min: QTcF = QT; RR 640 ms: 480 / 0.64^(1/3) = 557 ms
    at_60 = _patient(observations=[_obs("qt", 460, "ms"), _obs("rr_interval", 1000, "ms")])
    fast = _patient(observations=[_obs("qt", 480, "ms"), _obs("rr_interval", 0.64, "s")])
    qt_only = _patient(observations=[_obs("qt", 400, "ms")])
    assert _verdict(text, "inclusion", at_60) is Status.MET
    assert _verdict(text, "inclusion", fast) is Status.NOT_MET
    assert _verdict(text, "inclusion", qt_only) is Status.UNKNOWN


VOCABULARY_ITEMS = (
    ("E1", "exclusion", "Women who are pregnant or lactating"),
    ("E2", "exclusion", "Presence of brain or other central nervous system metastases"),
    ("E3", "exclusion", AUTOIMMUNE),
    ("E4", "exclusion", "Known HIV or hepatitis B or C infection"),
    ("E5", "exclusion", "History of pneumonitis or interstitial lung disease"),
    ("I1", "inclusion", "Measured creatinine clearance ≥ 50 mL/min"),
    ("I2", "inclusion", "QTcF ≤ 470 ms"),
    ("I3", "inclusion", "No prior anti-PD-1 or anti-PD-L1 antibody"),
    ("I4", "inclusion", "No more than 1 prior line of systemic therapy"),
    ("E6", "exclusion", "More than two lines of chemotherapy of any type"),
    ("E7", "exclusion", "Radiation or chemotherapy within 4 weeks of enrollment"),
)


def test_vectorised_screen_equals_one_by_one_on_the_vocabulary() -> None:
    items = [
        read_criterion(Criterion(id=i, kind=CriterionKind(k), text=t)).criterion
        for i, k, t in VOCABULARY_ITEMS
    ]
    assert all(c.rules and not c.unread for c in items), [(c.id, c.unread) for c in items]
    eligibility = Eligibility(
        inclusion=tuple(c for c in items if c.kind is CriterionKind.INCLUSION),
        exclusion=tuple(c for c in items if c.kind is CriterionKind.EXCLUSION),
    )
    patients = random_patients(400, seed=23)
    frames = frames_from_patients(patients)
    rules = rule_statuses(eligibility, frames, as_of=AS_OF)
    criteria = screen_frames(eligibility, frames, as_of=AS_OF)
    for patient in patients:
        one = screen_patient(eligibility, patient, as_of=AS_OF)
        assert criteria.loc[patient.id, "overall"] == one.overall.value, patient.id
        for c in one.criteria:
            assert criteria.loc[patient.id, c.criterion_id] == c.status.value, patient.id
            stack = list(c.rules)
            while stack:
                r = stack.pop()
                assert rules.loc[patient.id, r.rule_id] == r.status.value, (patient.id, r.rule_id)
                stack.extend(r.parts)
    for column in rules.columns:
        assert rules[column].nunique() >= 2, column  # both sides reached


LINE = {"drugs": [{"text": "carboplatin"}, {"text": "pemetrexed"}], "line": 1}
TKI = {"drugs": [{"text": "osimertinib"}], "line": 2}


@pytest.mark.parametrize(
    ("therapies", "status"),
    [
        ([LINE], Status.MET),
        ([LINE, TKI], Status.MET),  # the TKI line is not platinum: one platinum line
        ([TKI], Status.NOT_MET),
        ([], Status.NOT_MET),
        (None, Status.UNKNOWN),  # lines not recorded: unknown, never not met
    ],
)
def test_prior_lines(therapies: list[dict[str, Any]] | None, status: Status) -> None:
    fields = {} if therapies is None else {"therapies": therapies}
    text = "At least one line of platinum-based chemotherapy"
    assert _verdict(text, "inclusion", _patient(**fields)) is status


def test_prior_lines_are_unknown_in_the_warehouse_and_reported() -> None:
    from oncotrial.prescreen.concepts import map_eligibility

    criterion = _read("More than two lines of chemotherapy of any type")
    _, unmapped = map_eligibility(Eligibility(exclusion=(criterion,)))
    assert [u.reason for u in unmapped] == [
        "treatment lines (the OMOP oncology episode tables are not read yet)"
    ]


def test_dates_are_dates() -> None:
    assert dt.date.fromisoformat(DAY) < AS_OF


# ---- prior checkpoint inhibitors by class: "anti-PD-1 or anti-PD-L1" says nothing of
# ipilimumab; "anti-CTLA-4" nothing of pembrolizumab; "anti-PD-1" alone nothing of atezolizumab


@pytest.mark.parametrize(
    ("text", "kind", "drug", "verdict"),
    [
        ("No prior anti-PD-1 or anti-PD-L1 antibody", "inclusion", "ipilimumab", Status.MET),
        ("No prior anti-PD-1 or anti-PD-L1 antibody", "inclusion", "atezolizumab", Status.NOT_MET),
        (
            "Prior therapy with an anti-CTLA-4 antibody",
            "exclusion",
            "pembrolizumab",
            Status.NOT_MET,
        ),
        ("Prior therapy with an anti-CTLA-4 antibody", "exclusion", "ipilimumab", Status.MET),
        (
            "Prior treatment with immune checkpoint inhibitors",
            "exclusion",
            "ipilimumab",
            Status.MET,
        ),
        ("Prior exposure to PD-1/PD-L1 inhibitors", "exclusion", "cadonilimab", Status.MET),
    ],
)
def test_checkpoint_classes(text: str, kind: str, drug: str, verdict: Status) -> None:
    patient = _patient(medications=[{"text": drug, "start": "2024-01-01"}])
    assert _verdict(text, kind, patient) is verdict


@pytest.mark.parametrize(
    "text",
    ["Prior anti-PD-1 therapy", "No prior immunotherapy", "Prior anti-PD-L2 antibody"],
)
def test_a_checkpoint_subset_or_a_wider_class_is_not_read(text: str) -> None:
    kind = "inclusion" if text.startswith("No") else "exclusion"
    assert _read(text, kind).rules == ()
