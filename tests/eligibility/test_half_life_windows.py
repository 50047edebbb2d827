"""Washout windows written with half-lives: "within 2 weeks or 5 half-lives (whichever is
shorter)" (issue 12; reading_washout, rule_window).

The phrasings are quoted from ClinicalTrials.gov records kept in jwlieb/clinical-trial-agent at
commit 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, data/demo/results/<dir>/trials.json (the
development corpus, never a test corpus), cited by NCT id and item.

The window is the shorter (or the longer) of the days and of k half-lives of the drug. oncotrial
records no half-life, so the rule is decided where the days decide and is unknown where only the
half-life would: "whichever is shorter" — a drug last taken before the days is not within, one
taken within them is unknown (met when still taken on the day); "whichever is longer" — within
the days is within, before them unknown. Without "whichever" nothing is read.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import propose_rules
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import (
    LabRule,
    MedicationRule,
    ProcedureRule,
    Window,
    describe_rule,
    iter_rules,
)
from oncotrial.eligibility.screening import screen_patient
from oncotrial.prescreen.concepts import map_eligibility

from .builders import (
    assert_each_rule_equal_in_both_paths,
    item_status,
    read_item,
    statuses_on_both_paths,
)
from .random_patients import AS_OF, random_patients
from .test_washouts import _with_study_drugs

SOURCE = "jwlieb/clinical-trial-agent data/demo/results/... @387df17"
NSCLC = "01_nsclc_kras_g12c_standard"
MELANOMA = "05_melanoma_braf_v600e"
REGISTRATION = "registration (the screen's as-of date)"
SHORTER = "or 5 half-lives, whichever is shorter,"

# NCT04929223 E2 (NSCLC)
ANTICANCER_SHORTER = (
    "Any systemic anti-cancer treatment within 2 weeks or 5 half-lives (whichever is shorter) "
    "prior to start of study treatment"
)
# NCT04130516 I48 (NSCLC; an exclusion, filed among the inclusions by the record's headings)
INVESTIGATIONAL_SHORTER = (
    "Has received an investigational agent within 30 days or 5 half-lives, whichever is "
    "shorter, of the first dose of study drug."
)
# constructed from NCT07094204 E18 (NSCLC), which counts back from screening (not read)
INVESTIGATIONAL_LONGER = (
    "Participant has received any investigational therapy within 28 days or 5 half-lives, "
    "whichever is longer, prior to the first dose of study treatment."
)


@pytest.mark.parametrize(
    ("text", "reading", "source"),
    [
        (
            ANTICANCER_SHORTER,
            f"Systemic anticancer therapy received within 2 weeks {SHORTER} before the first dose",
            f"NCT04929223 E2 {NSCLC}",
        ),
        (
            INVESTIGATIONAL_SHORTER,
            f"Investigational agent received within 30 days {SHORTER} before the first dose",
            f"NCT04130516 I48 {NSCLC}",
        ),
        (
            "Received systemic anticancer therapy within 28 days or within 5 half-lives "
            "(whichever is shorter) prior to the start of study drug.",
            f"Systemic anticancer therapy received within 28 days {SHORTER} before the first dose",
            f"NCT05720117 E10 {NSCLC}",
        ),
        (
            "Received prior systemic anticancer therapy including investigational agents within 4 "
            "weeks or 5 half-lives (whichever is shorter) before randomization.",
            f"Systemic anticancer therapy received within 4 weeks {SHORTER} before {REGISTRATION}",
            f"NCT06074588 E8 {MELANOMA}",
        ),
        (
            # a period written "a 28-day period", the half-lives in brackets
            "Participant has received an investigational drug within a 28-day period (or within "
            "5 half-lives, whichever is shorter) before the first dose of study drug",
            f"Investigational agent received within 28 days {SHORTER} before the first dose",
            f"NCT05845671 E1 {NSCLC}",
        ),
        (
            "Investigational medicinal product within the last 30 days or five half-lives "
            "(whichever is longer) prior to randomization.",
            "Investigational agent received within 30 days or 5 half-lives, whichever is longer, "
            f"before {REGISTRATION}",
            "NCT05888493 E6 v2-results/06_breast_her2_positive",
        ),
        (
            # the half-lives after the day
            "Treatment with any investigational drug within 14 days prior to registration or "
            "within 5 half-lives of the investigational product, whichever is longer.",
            "Investigational agent received within 14 days or 5 half-lives, whichever is longer, "
            f"before {REGISTRATION}",
            "NCT04886531 E7 v2-results/06_breast_her2_positive",
        ),
        (
            "Prior treatment with any systemic anticancer therapy within 28 days or 5 half-lives, "
            "whichever is shorter, prior to first dose of study treatment.",
            f"Systemic anticancer therapy received within 28 days {SHORTER} before the first dose",
            "NCT06933329 E12 08_lung_squamous_pd_l1_high",
        ),
        (
            # "if known", "of the prior agent", "drug-elimination half-lives", "preceding": from
            # NCT04981509 E1 (15_...), NCT04802759 E62, NCT05874193 E1 (06_breast_her2_positive)
            "Receipt of an investigational agent within 28 days or, if known, 5 drug-elimination "
            "half-lives of the prior agent (whichever is shorter) preceding the first dose of "
            "study drug",
            f"Investigational agent received within 28 days {SHORTER} before the first dose",
            "constructed",
        ),
        (
            INVESTIGATIONAL_LONGER,
            "Investigational agent received within 28 days or 5 half-lives, whichever is longer, "
            "before the first dose",
            f"constructed from NCT07094204 E18 {NSCLC}",
        ),
    ],
)
def test_a_half_life_window_is_read_with_whichever(text: str, reading: str, source: str) -> None:
    criterion = read_item(text)
    assert not criterion.unread, (source, SOURCE, criterion.unread)
    (rule,) = criterion.rules
    assert isinstance(rule, MedicationRule)
    assert describe_rule(rule) == reading, source
    assert rule.within is not None and rule.within.half_lives == 5


def test_the_agent_received_now_beside_a_half_life_window() -> None:
    # NCT04598009 E3 (MELANOMA): "of investigational agent" after the half-lives is read; the
    # ongoing agent beside it is a rule of its own (reading_medications: another investigational
    # agent received now), and the exclusion's two rules are alternatives
    criterion = read_item(
        "Is currently receiving any other investigational agents or has received an "
        "investigational agent within 14 days or within 5 half-lives of investigational agent "
        "(whichever is shorter), prior to start of study drugs"
    )
    now, window = criterion.rules
    assert isinstance(now, MedicationRule) and now.ongoing and now.within is None
    assert isinstance(window, MedicationRule) and window.within is not None
    assert (window.within.value, window.within.half_lives, window.within.whichever) == (
        14,
        5,
        "shorter",
    )
    assert not any("currently receiving" in u for u in criterion.unread)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        # no "whichever": the shorter or the longer, the words do not say
        (
            "Targeted small molecule agents within 14 days or 5 half-lives of Cycle 1 Day 1",
            "NCT06326411 E9",
        ),
        (
            "Currently enrolled in another clinical study or used any investigational drug or "
            "device, which in the opinion of the Sponsor may interfere with the study treatment, "
            "within the past 28 days or 5 times the half-life",
            f"NCT04300556 E4 {NSCLC}",
        ),
        # after the day, without "whichever": the half-lives stay unread beside the days
        (
            "Treatment with any investigational drug within 28 days prior to registration or 5 "
            "half-lives.",
            "constructed",
        ),
        # another day: screening
        (
            "Participant has received any investigational therapy within 28 days or 5 "
            "half-lives, whichever is longer, prior to screening.",
            f"NCT07094204 E18 {NSCLC}",
        ),
        # "anticancer therapy" without "systemic" may be radiotherapy (reading_washout)
        (
            "Any use of anticancer therapy within 14 days or 5 half-lives (whichever is shorter) "
            "of Cycle 1 Day 1.",
            f"NCT06026410 E1 {NSCLC}",
        ),
        # a drug-specific window in brackets before the half-lives
        (
            "Exposure to any cytotoxic drug within 4 weeks or 5 half-lives (whichever is "
            "shorter) is prohibited.",
            f"NCT05254184 E4.1 {NSCLC}",
        ),
    ],
)
def test_no_half_life_window_where_the_words_do_not_say(text: str, source: str) -> None:
    criterion = read_item(text)
    windows = [
        r.within for r in iter_rules(criterion.rules) if isinstance(r, MedicationRule) and r.within
    ]
    assert all(w.half_lives is None for w in windows), source
    # a window of days read beside them leaves the half-lives quoted: the item is not computable
    assert not windows or any("half-li" in u for u in criterion.unread), (source, windows)
    assert not is_computable(criterion.rules, criterion.unread), source


# ---- screening: what the record says

FIRST_DOSE = AS_OF + dt.timedelta(days=10)
STUDY_DRUG = {"concept": "investigational_agent", "text": "ABC-123"}


def _patient(*medications: dict[str, object]) -> Patient:
    return Patient.model_validate(
        {"id": "P", "planned_first_dose": FIRST_DOSE, "medications": medications}
    )


def _ended(days: int) -> dict[str, object]:
    """The study drug, last taken ``days`` before the first dose."""
    end = FIRST_DOSE - dt.timedelta(days=days)
    return STUDY_DRUG | {"start": (end - dt.timedelta(days=60)).isoformat(), "end": end.isoformat()}


@pytest.mark.parametrize(
    ("patient", "shorter", "longer"),
    [
        # 40 days before the first dose: outside 30 (28) days, so outside the shorter window;
        # within 5 half-lives? only the half-life would say
        (_patient(_ended(40)), Status.NOT_MET, Status.UNKNOWN),
        # 10 days before: within the days, so within the longer window; within 5 half-lives?
        (_patient(_ended(10)), Status.UNKNOWN, Status.MET),
        # still taken (no end date): taken up to the first dose, within any window
        (_patient(STUDY_DRUG | {"start": AS_OF.isoformat()}), Status.MET, Status.MET),
        # no such drug recorded: not met
        (
            _patient({"text": "pembrolizumab", "start": "2020-01-01", "end": "2020-06-01"}),
            Status.NOT_MET,
            Status.NOT_MET,
        ),
        # an undated record: unknown
        (_patient(STUDY_DRUG), Status.UNKNOWN, Status.UNKNOWN),
        # no medication list: unknown
        (Patient(id="P", planned_first_dose=FIRST_DOSE), Status.UNKNOWN, Status.UNKNOWN),
    ],
)
def test_the_days_decide_where_they_can(patient: Patient, shorter: Status, longer: Status) -> None:
    assert item_status(read_item(INVESTIGATIONAL_SHORTER), patient, as_of=AS_OF) is shorter
    assert item_status(read_item(INVESTIGATIONAL_LONGER), patient, as_of=AS_OF) is longer


def test_the_unknown_says_the_half_life_is_missing() -> None:
    criterion = read_item(INVESTIGATIONAL_SHORTER)
    (result,) = screen_patient(
        Eligibility(exclusion=(criterion,)), _patient(_ended(10)), as_of=AS_OF
    ).criteria
    (rule,) = result.rules
    assert rule.status is Status.UNKNOWN
    assert any("5 half-lives" in m and "no half-life is recorded" in m for m in rule.missing)


# ---- the model: half-lives for medications only, with "whichever"


def test_a_window_of_half_lives_says_whichever() -> None:
    with pytest.raises(ValidationError):
        Window(value=30, half_lives=5)
    with pytest.raises(ValidationError):
        Window(value=30, whichever="shorter")


def test_only_medication_rules_take_a_window_of_half_lives() -> None:
    window = Window(value=30, half_lives=5, whichever="shorter").model_dump()
    lab = {
        "kind": "lab",
        "id": "I1-1",
        "description": "d",
        "analyte": "neutrophils",
        "comparator": ">=",
        "value": 1.5,
        "unit": "10^9/L",
    }
    procedure = {"kind": "procedure", "id": "E1-1", "description": "d", "procedure": "radiotherapy"}
    for model, data in ((LabRule, lab), (ProcedureRule, procedure)):
        model.model_validate(data | {"within": window | {"half_lives": None, "whichever": None}})
        with pytest.raises(ValidationError, match="half-lives is read for medications only"):
            model.model_validate(data | {"within": window})
    MedicationRule(
        kind="medication",
        id="E1-1",
        description="d",
        therapy="investigational_agent",
        within=Window.model_validate(window),
    )


def test_the_sql_prescreen_leaves_a_half_life_window_unmapped() -> None:
    eligibility = propose_rules(
        Eligibility(
            exclusion=(Criterion(id="E1", kind=CriterionKind.EXCLUSION, text=ANTICANCER_SHORTER),)
        )
    )
    _, unmapped = map_eligibility(eligibility)
    assert [u.reason for u in unmapped] == ["a window of half-lives (not compiled to SQL yet)"]


# ---- the per-patient and the vectorised screen agree

WINDOWS = (
    Window(value=30, half_lives=5, whichever="shorter"),
    Window(value=4, unit="weeks", half_lives=5, whichever="longer"),
    Window(value=28, anchor="registration", half_lives=3, whichever="shorter"),
)


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    eligibility = propose_rules(
        Eligibility(
            exclusion=tuple(
                Criterion(id=i, kind=CriterionKind.EXCLUSION, text=t)
                for i, t in (
                    ("E1", ANTICANCER_SHORTER),
                    ("E2", INVESTIGATIONAL_SHORTER),
                    ("E3", INVESTIGATIONAL_LONGER),
                )
            )
        )
    )
    assert all(c.rules and not c.unread for c in eligibility.criteria)
    patients = _with_study_drugs(random_patients(150, seed=12), seed=12)
    seen = statuses_on_both_paths(
        eligibility, patients, as_of=AS_OF, first_doses=(None, AS_OF + dt.timedelta(days=7))
    )
    for item, statuses in seen.items():
        assert {"met", "not met", "unknown"} <= statuses, (item, statuses)


def test_each_rule_agrees_per_patient_and_vectorised() -> None:
    rules = [
        MedicationRule(
            kind="medication", id=f"E{i}-1", description="d", therapy=therapy, within=window
        )
        for i, (therapy, window) in enumerate(
            (
                (t, w)
                for t in ("investigational_agent", "systemic_anticancer_therapy")
                for w in WINDOWS
            ),
            start=1,
        )
    ]
    patients = _with_study_drugs(random_patients(120, seed=8), seed=8)
    assert_each_rule_equal_in_both_paths(patients, rules, as_of=AS_OF)


_DAYS = st.none() | st.integers(-5, 90)


@settings(max_examples=40, deadline=None)
@given(exposures=st.lists(st.tuples(_DAYS, _DAYS), min_size=0, max_size=3))
def test_any_exposure_agrees_on_both_paths(exposures: list[tuple[int | None, int | None]]) -> None:
    """Study drugs started and ended any days before the as-of date (or undated): every window
    of half-lives gives the same status per patient and vectorised."""
    medications = [
        STUDY_DRUG
        | {
            "start": None if start is None else (AS_OF - dt.timedelta(days=start)).isoformat(),
            "end": None if end is None else (AS_OF - dt.timedelta(days=end)).isoformat(),
        }
        for start, end in exposures
    ]
    patients = [Patient.model_validate({"id": "P", "medications": medications})]
    rules = [
        MedicationRule(
            kind="medication",
            id=f"E{i}-1",
            description="d",
            therapy="investigational_agent",
            within=w,
        )
        for i, w in enumerate(WINDOWS, start=1)
    ]
    assert_each_rule_equal_in_both_paths(patients, rules, as_of=AS_OF)
