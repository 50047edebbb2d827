"""Windows of a history rule to registration, and time-limited history (issue 12).

"Major surgery within 14 days of enrollment", "Radiation therapy ≤ 2 weeks prior to registration":
the window runs back from registration (the screen's as-of date, ``rules.Window.anchor``), not
from the first dose. They were read to the first dose with a warning to confirm, so a patient
operated on 10 days before registration and 17 days before the first dose passed silently. Now
procedures, conditions, other malignancies and medications take a window to registration, per
patient (evaluate_history) and vectorised (batch_history). "Screening" and "consent" are other
days: the rule keeps the first dose with the warning, and the day's words are quoted unread, so
the item is never decided on the narrower window (windows.DAY_AFTER_WINDOW).

"Has received any type of organ transplant in the past 12 months": "in / within / during the
past, last, preceding or previous N" after a transplant, a windowed condition or procedure, or
another malignancy is that rule's window (``windows.HISTORY_WINDOW``).

The phrasings are quoted from ClinicalTrials.gov records kept in jwlieb/clinical-trial-agent at
commit 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, in data/demo/<dir>/trials.json (the directory
named beside each; the development corpus, never a test corpus).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.coverage import coverage_report
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import (
    ConditionRule,
    OtherMalignancyRule,
    ProcedureRule,
    Rule,
    Window,
    describe_rule,
)

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)
FIRST_DOSE = AS_OF + dt.timedelta(days=7)
REGISTRATION = "registration (the screen's as-of date)"
# data/demo/<dir>/trials.json of jwlieb/clinical-trial-agent @387df1768929a7cefaa15dfbd4d9ca3dcddd3fde
NSCLC = "results/01_nsclc_kras_g12c_standard"
MELANOMA = "results/05_melanoma_braf_v600e"
BREAST = "results/06_breast_her2_positive"
PROSTATE = "results/09_prostate_brca2"
MELANOMA_V2 = "v2-results/05_melanoma_braf_v600e"
CLL = "results/12_elderly_cll_poor_performance"
CLL_V2 = "v2-results/12_elderly_cll_poor_performance"
SQUAMOUS_V2 = "v2-results/08_lung_squamous_pd_l1_high"


@pytest.mark.parametrize(
    ("text", "reading", "source"),
    [
        (
            "Unstable angina pectoris or myocardial infarction within 6 months prior to enrollment",
            [
                f"(Unstable angina with onset within 6 months before {REGISTRATION}) or "
                f"(Myocardial infarction with onset within 6 months before {REGISTRATION})"
            ],
            f"NCT06130254 E1.9.1, {NSCLC}",
        ),
        (
            "Radiation therapy within the 14 days prior to enrollment.",
            [f"Radiotherapy within 14 days before {REGISTRATION}"],
            f"NCT04079179 E2.1, {MELANOMA}",
        ),
        (
            "Participants must not have had a major surgery within 14 days prior to sub-study "
            "randomization.",
            [f"Major surgery within 14 days before {REGISTRATION}"],
            f"NCT05642572 E5 (its first sentence), {NSCLC}",
        ),
        (
            "Major surgery ≤ 3 weeks prior to registration",
            [f"Major surgery within 3 weeks before {REGISTRATION}"],
            f"NCT06525766 E3.1, {BREAST}",
        ),
        (
            "Radiation therapy ≤ 2 weeks prior to registration",
            [f"Radiotherapy within 2 weeks before {REGISTRATION}"],
            f"NCT06525766 E3.2, {BREAST}",
        ),
        (
            # "prior enrollment", "to" left out
            "Patients who received live vaccines within 30 days prior enrollment.",
            [f"Live or live-attenuated vaccine received within 30 days before {REGISTRATION}"],
            "NCT06083883 E20, results/11_young_sarcoma_treatment_naive",
        ),
        (
            "Myocardial infarction or unstable angina within the previous 6 months",
            [
                "(Myocardial infarction with onset within 6 months before the first dose) or "
                "(Unstable angina with onset within 6 months before the first dose)"
            ],
            "NCT05573126 E10, v2-results/06_breast_her2_positive",
        ),
        (
            # the number in words
            "Deep vein thrombosis or pulmonary embolism diagnosed within the past six months.",
            [
                "(Deep vein thrombosis with onset within 6 months before the first dose) or "
                "(Pulmonary embolism with onset within 6 months before the first dose)"
            ],
            f"NCT06145633 E11, {PROSTATE}",
        ),
        (
            # a time-limited history: the window is the transplant's
            "Has received any type of organ transplant in the past 12 months.",
            ["Organ or bone marrow transplantation within 12 months before the first dose"],
            f"NCT00068003 E12, {NSCLC}",
        ),
        (
            "Received allogeneic stem cell transplant within the last 6 months.",
            [
                "Allogeneic haematopoietic stem cell transplantation within 6 months before the "
                "first dose"
            ],
            f"NCT04844528 E2, {MELANOMA_V2}",
        ),
    ],
)
def test_a_history_window_is_read_with_its_day(text: str, reading: list[str], source: str) -> None:
    criterion = read_item(text, kind="exclusion")
    assert [describe_rule(r) for r in criterion.rules] == reading, source


@pytest.mark.parametrize(
    ("text", "unread", "source"),
    [
        (
            "Participant has an additional primary malignancy within 2 years prior to enrollment "
            "with following exceptions:",
            ("with following exceptions",),
            f"NCT05845671 E10, {NSCLC}",
        ),
    ],
)
def test_another_malignancy_to_registration(
    text: str, unread: tuple[str, ...], source: str
) -> None:
    criterion = read_item(text, kind="exclusion")
    (rule,) = criterion.rules
    assert isinstance(rule, OtherMalignancyRule), source
    assert rule.within == Window(value=2, unit="years", anchor="registration")
    assert criterion.unread == unread


def test_the_words_of_another_day_are_not_registration() -> None:
    # "prior to and/or during study enrollment" (NCT05925803 E10, results/03_nsclc_egfr_exon19)
    # is not a day the window runs back to: the words stay unread
    criterion = read_item("Major surgery within 8 weeks prior to and/or during study enrollment")
    assert not is_computable(criterion.rules, criterion.unread)
    (rule,) = criterion.rules
    assert isinstance(rule, ProcedureRule) and rule.within is not None
    assert rule.within.anchor == "first_dose"


@pytest.mark.parametrize(
    ("text", "reading", "source"),
    [
        (
            "Major surgery within 4 weeks before the start of Cycle 1 day 1.",
            ["Major surgery within 4 weeks before the first dose"],
            "NCT04679012 E14 (its first sentence), v2-results/12_elderly_cll_poor_performance",
        ),
        (
            "Participants who have had chemotherapy or radiotherapy within 4 weeks prior to "
            "planned cycle 1 day 1 of study treatment.",
            [
                "Cytotoxic chemotherapy received within 4 weeks before the first dose",
                "Radiotherapy within 4 weeks before the first dose",
            ],
            "NCT06631521 E2, v2-results/09_prostate_brca2",
        ),
        (
            "Autologous stem cell transplantation (SCT) within 30 days prior to Day 1 of "
            "protocol therapy.",
            [
                "Autologous haematopoietic stem cell transplantation within 30 days before the "
                "first dose"
            ],
            "NCT05672251 E7, results/12_elderly_cll_poor_performance",
        ),
    ],
)
def test_the_numbers_of_day_1_are_its_name(text: str, reading: list[str], source: str) -> None:
    """ "Cycle 1 day 1", "C1D1": the day's numbers are part of its name, understood with the
    window (no number left unread, the item computable)."""
    criterion = read_item(text, kind="exclusion")
    assert [describe_rule(r) for r in criterion.rules] == reading, source
    assert criterion.unread == ()
    (item,) = coverage_report(Eligibility(exclusion=(criterion,))).items
    assert item.level == "computable" and item.not_understood == (), source


def _surgery(days_before_registration: int) -> Patient:
    day = AS_OF - dt.timedelta(days=days_before_registration)
    return Patient.model_validate(
        {
            "id": "P",
            "planned_first_dose": FIRST_DOSE.isoformat(),
            "procedures": [{"category": "major_surgery", "date": day.isoformat()}],
        }
    )


@pytest.mark.parametrize(
    ("days", "status"),
    [
        # 10 days before registration, 17 before the first dose: excluded (read to the first
        # dose, this patient passed)
        (10, Status.MET),
        (14, Status.MET),  # the window's first day is inside it
        (15, Status.NOT_MET),
        (-3, Status.NOT_MET),  # after registration: not used (before the first dose, though)
    ],
)
def test_the_window_counts_back_from_registration(days: int, status: Status) -> None:
    # NCT05642572 E5 (its first sentence), results/01_nsclc_kras_g12c_standard
    criterion = read_item(
        "Participants must not have had a major surgery within 14 days prior to sub-study "
        "randomization.",
        kind="exclusion",
    )
    # the exclusion item is met (the patient excluded) when its rule is
    assert item_status(criterion, _surgery(days), as_of=AS_OF) is status, days


# ---- the per-patient and the vectorised screen agree on windows to registration

_WINDOWS = (
    Window(value=14, anchor="registration"),
    Window(value=3, unit="weeks", anchor="registration"),
    Window(value=6, unit="months", anchor="registration"),
    Window(value=14),
)


def _rules() -> list[Rule]:
    rules: list[Rule] = []
    for w, window in enumerate(_WINDOWS):
        i = 3 * w + 1
        rules.append(
            ProcedureRule(
                kind="procedure",
                id=f"E{i}-1",
                description="d",
                procedure="major_surgery",
                within=window,
            )
        )
        rules.append(
            ConditionRule(
                kind="condition",
                id=f"E{i + 1}-1",
                description="d",
                condition="myocardial_infarction",
                within=window,
            )
        )
        rules.append(
            OtherMalignancyRule(
                kind="other_malignancy",
                id=f"E{i + 2}-1",
                description="d",
                within=window,
                exceptions=("nonmelanoma_skin_cancer",),
            )
        )
    return rules


_RULES = _rules()
_DAY = st.none() | st.integers(-20, 240)


def _date(days_before: int | None) -> str | None:
    return None if days_before is None else (AS_OF - dt.timedelta(days=days_before)).isoformat()


_PROCEDURE = st.builds(
    lambda day: {"category": "major_surgery", "date": _date(day)},
    _DAY,
)
_CONDITION = st.builds(
    lambda text, onset, abated: {"text": text, "onset": _date(onset), "abatement": _date(abated)},
    st.sampled_from(("myocardial infarction", "melanoma", "basal cell carcinoma")),
    _DAY,
    _DAY,
)
_PERSON = st.tuples(
    st.none() | st.lists(_PROCEDURE, max_size=3),
    st.none() | st.lists(_CONDITION, max_size=3),
    st.none() | st.integers(0, 30),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(_PERSON, min_size=1, max_size=5))
def test_windows_to_registration_agree_on_both_paths(
    people: list[tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None, int | None]],
) -> None:
    """Procedures, conditions and other malignancies dated any day around registration, with a
    planned first dose up to 30 days later (or none): every window, to registration or to the
    first dose, gives the same status per patient and vectorised."""
    patients = []
    for i, (procedures, conditions, after) in enumerate(people):
        fields: dict[str, Any] = {"id": f"P{i}"}
        if after is not None:
            fields["planned_first_dose"] = (AS_OF + dt.timedelta(days=after)).isoformat()
        if procedures is not None:
            fields["procedures"] = procedures
        if conditions is not None:
            fields["conditions"] = conditions
        patients.append(Patient.model_validate(fields))
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)


# ---- a pregnancy test's window to registration (reading_history._read_pregnancy)
# NCT06439693 I13 (development corpus): "… a negative serum pregnancy test within 14 days of
# registration"; the day's name had been dropped and the window counted from the first dose
PREGNANCY_TO_REGISTRATION = (
    "Women of childbearing potential must have a negative serum pregnancy test within 14 days of "
    "registration"
)


def _woman(test_day: str, first_dose: str | None = None) -> Patient:
    return Patient.model_validate(
        {
            "id": "P",
            "sex": "female",
            "birth_date": "1980-01-01",
            "planned_first_dose": first_dose,
            "observations": [
                {"analyte": "childbearing_potential", "result": "yes", "date": "2025-01-02"},
                {"analyte": "hcg", "result": "negative", "date": test_day},
            ],
        }
    )


def test_a_pregnancy_test_window_to_registration() -> None:
    criterion = read_item(PREGNANCY_TO_REGISTRATION, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == [
        "if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative "
        "within 14 days before registration (the screen's as-of date)"
    ]
    assert criterion.unread == ()
    # 10 days before registration, 24 before a first dose planned 2 weeks later: in the window
    assert item_status(criterion, _woman("2025-02-19", "2025-03-15"), as_of=AS_OF) is Status.MET
    # 20 days before registration, 6 before that first dose: not in the window the text names
    old = item_status(criterion, _woman("2025-02-09", "2025-02-15"), as_of=AS_OF)
    assert old is Status.UNKNOWN
    # "≤ 7 days prior to registration" (NCT04267848 I15.1) reads the same day, without a warning
    reading = read_criterion(
        Criterion(
            id="I1",
            kind=CriterionKind.INCLUSION,
            text="a negative pregnancy test done =\\< 7 days prior to registration is required",
        )
    )
    assert "before registration" in describe_rule(reading.criterion.rules[0])
    assert not any("registration" in w for w in reading.warnings), reading.warnings


@pytest.mark.parametrize(
    "text",
    [
        # NCT06907615 I4 (development corpus): a lesion's window runs from the first dose only
        "At least one measurable lesion as per RECIST 1.1 within 4 weeks prior to randomization",
        "At least one measurable lesion per RECIST 1.1 within 28 days prior to screening",
    ],
)
def test_a_lesion_window_to_another_day_stays_unread(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert all(getattr(r, "within", None) is None for r in criterion.rules)
    assert any("within" in u for u in criterion.unread), criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "quoted", "source"),
    [
        # read computable to the first dose until now, the day's name dropped as a filler
        ("Myocardial infarction within 6 months before screening.", "before screening", CLL),
        ("Major surgery within 4 weeks prior to screening", "prior to screening", CLL_V2),
        (
            "Use of live or live-attenuated vaccines within 30 days of screening.",
            "of screening",
            NSCLC,
        ),
        (
            "Patients experiencing cardiac event(s) (acute coronary syndrome, myocardial "
            "infarction, or ischemia) within 3 months of signing consent.",
            "of signing consent",
            SQUAMOUS_V2,
        ),
    ],
)
def test_a_window_to_screening_or_consent_is_never_decided(
    text: str, quoted: str, source: str
) -> None:
    # NCT05650723 E11.1, NCT06466122 E25, NCT05845671 E20, NCT04616248 E11.1 (development
    # corpus): screening and consent come before registration and the first dose, so a window
    # counted from either of those is narrower than the protocol's — a patient whose infarction
    # was 25 weeks before screening and 28 weeks before the first dose passed. The day's words
    # are quoted, and the item goes to the investigator.
    criterion = read_item(text)
    assert criterion.rules, source
    assert quoted in criterion.unread, criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        # the test's own day: a window to it is not one to the first dose either (made up in the
        # development corpus's shape, "Hemoglobin ≥ 9.0 g/dL without transfusion … within 7 days
        # of assessment", NCT03428802 I8, results/15_ovarian_brca1_platinum_sensitive)
        (
            "Hemoglobin ≥ 9 g/dL without transfusion support within 7 days of assessment",
            "of assessment",
        ),
        (
            "Hemoglobin ≥ 9 g/dL without transfusion support within 7 days prior to the lab test",
            "prior to the lab test",
        ),
    ],
)
def test_a_window_to_the_test_itself_is_never_decided(text: str, quoted: str) -> None:
    criterion = read_item(text, "inclusion")
    assert quoted in criterion.unread, criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        # supportive care with no window: "ever" would fail a patient transfused years ago, so
        # the words stay unread (NCT04511039 I8, development corpus)
        "Platelet count >= 100,000/mm^3 without transfusion or growth factor support",
        "Platelets ≥ 100,000/µL without transfusion support",
    ],
)
def test_support_without_a_window_is_not_ever(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not any("ever" in describe_rule(r) for r in criterion.rules)
    assert any("support" in u for u in criterion.unread), criterion.unread


@pytest.mark.parametrize(
    "text",
    [
        # a day's words that are no window's stay fillers
        "Age ≥ 18 years at the time of registration",
        "Major surgery within 14 days prior to registration",
        "Major surgery within 4 weeks prior to the first dose of study drug",
    ],
)
def test_the_day_words_of_a_read_window_are_not_quoted(text: str) -> None:
    kind = "inclusion" if text.startswith("Age") else "exclusion"
    criterion = read_item(text, kind)
    assert is_computable(criterion.rules, criterion.unread), criterion.unread
