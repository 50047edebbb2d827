"""Laboratory limits written as "normal" (issue 12; ``oncotrial.eligibility.reading_normal``).

"Bilirubin normal", "total bilirubin within normal institutional limits", "Creatinine normal OR
creatinine clearance >= 60 mL/min": for a test CTCAE v5.0 grades only upwards
(``analytes.GRADED_UPWARDS_ONLY``) "normal" asks that the value not exceed the upper limit, ≤ 1 ×
ULN, in an inclusion; for any other test (haemoglobin, platelets, calcium …) and in an exclusion
the words stay unread, as they do when negated. "above institutional normal" is > 1 × ULN and
"below normal" < 1 × LLN for any test. Texts marked with an NCT number and item id are real
items of the round-5 tuning corpus (tests/eligibility/corpus/tuning_round5.json); the others are
made up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from oncotrial.eligibility.analytes import ANALYTES, GRADED_UPWARDS_ONLY
from oncotrial.eligibility.criteria import Criterion
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import _finish
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import Rule, describe_rule

from .builders import assert_each_rule_equal_in_both_paths, item_status, lab, read_item

AS_OF = dt.date(2025, 3, 1)
DAY = "2025-02-27"

CTEP = (  # NCT01336543 I8.4-I8.7 as one item: the NCI/CTEP template's organ-function list
    "total bilirubin within normal institutional limits; AST(SGOT)/ALT(SGPT) ≤ 2.5 × "
    "institutional upper limit of normal; creatinine within normal institutional limits OR "
    "creatinine clearance ≥ 60 mL/min/1.73 m2 for patients with creatinine levels above "
    "institutional normal"
)
CREATININE_OR_CLEARANCE = "Creatinine normal OR creatinine clearance >= 60 mL/min"
GILBERT = "Total bilirubin normal (exception made for patients with known Gilbert's disease)"
BILIRUBIN = "Bilirubin normal"
CLEARANCE = "(Serum creatinine ≤ 1 × ULN) or (Creatinine clearance (Cockcroft-Gault) ≥ 60 mL/min)"


def _readings(criterion: Criterion) -> list[str]:
    return [describe_rule(r) for r in criterion.rules]


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (BILIRUBIN, ["Total bilirubin ≤ 1 × ULN"]),  # NCT01851408 I4
        ("PTT normal", ["Activated partial thromboplastin time ≤ 1 × ULN"]),  # NCT00602576 I2.9
        (  # NCT01336543 I8.4
            "total bilirubin within normal institutional limits",
            ["Total bilirubin ≤ 1 × ULN"],
        ),
        (CREATININE_OR_CLEARANCE, [CLEARANCE]),  # NCT00509587 I2.8
        (  # NCT01851408 I5
            "Creatinine normal or creatinine clearance ≥ 60 mL/min",
            [CLEARANCE],
        ),
        (
            CTEP,
            [
                "Total bilirubin ≤ 1 × ULN",
                "Aspartate aminotransferase ≤ 2.5 × ULN",
                "Alanine aminotransferase ≤ 2.5 × ULN",
                "(Serum creatinine ≤ 1 × ULN) or (Creatinine clearance (Cockcroft-Gault) ≥ 60 "
                "mL/min/1.73m^2)",
            ],
        ),
        # made up: the other ways records write it
        ("Serum creatinine within normal limits", ["Serum creatinine ≤ 1 × ULN"]),
        ("Bilirubin WNL", ["Total bilirubin ≤ 1 × ULN"]),
        ("Bilirubin within normal limits (WNL)", ["Total bilirubin ≤ 1 × ULN"]),
        ("Total bilirubin within institutional limits of normal", ["Total bilirubin ≤ 1 × ULN"]),
        ("Bilirubin in the normal range", ["Total bilirubin ≤ 1 × ULN"]),
        ("bilirubin levels must be within normal limits", ["Total bilirubin ≤ 1 × ULN"]),
        (
            "INR and aPTT within normal limits",
            [
                "International normalized ratio ≤ 1 × ULN",
                "Activated partial thromboplastin time ≤ 1 × ULN",
            ],
        ),
        (
            "Bilirubin, AST and ALT within the institutional normal range",
            [
                "Total bilirubin ≤ 1 × ULN",
                "Aspartate aminotransferase ≤ 1 × ULN",
                "Alanine aminotransferase ≤ 1 × ULN",
            ],
        ),
        (
            "Bilirubin normal, except in patients with Gilbert's syndrome, who must have ≤ 3.0 "
            "mg/dL",
            [
                "if Gilbert's syndrome: Total bilirubin ≤ 3 mg/dL; otherwise Total bilirubin ≤ 1 "
                "× ULN"
            ],
        ),
        ("Creatinine above institutional normal", ["Serum creatinine > 1 × ULN"]),
        ("Hemoglobin below normal", ["Hemoglobin < 1 × LLN"]),
    ],
)
def test_normal_is_read(text: str, reading: list[str]) -> None:
    criterion = read_item(text, "inclusion")
    assert _readings(criterion) == reading
    assert is_computable(criterion.rules, criterion.unread)


def test_above_normal_is_read_in_an_exclusion_too() -> None:  # made up
    criterion = read_item("Platelets above the normal range")
    assert _readings(criterion) == ["Platelet count > 1 × ULN"]
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # made up: a test with adverse events both ways (anaemia; haemoglobin increased), or none
        ("Hemoglobin normal", "inclusion"),
        ("Platelet count within normal limits", "inclusion"),
        ("Calcium within normal limits", "inclusion"),
        ("TSH within normal limits", "inclusion"),
        ("Hemoglobin and bilirubin within normal limits", "inclusion"),  # one of them cannot
        # an exclusion: which values exclude is not said
        (BILIRUBIN, "exclusion"),
        # negated, or the word not about the test's range
        ("Bilirubin is not within normal limits", "inclusion"),
        ("Bilirubin abnormal", "inclusion"),
        ("Creatinine normal for age", "inclusion"),
        ("Normal organ and marrow function", "inclusion"),  # NCT01347788 I7
        ("Creatinine and potassium within normal limits", "inclusion"),  # potassium: no analyte
        ("ALT or AST normal", "inclusion"),  # each test or either one: not said
        # a side negated, or a singular limit under which a value may be meant to stay
        ("Bilirubin no greater than normal", "inclusion"),
        ("AST not exceeding normal", "inclusion"),
        ("Creatinine less than normal limit", "inclusion"),
        ("Creatinine above normal (LLN)", "exclusion"),
    ],
)
def test_normal_stays_unread(text: str, kind: str) -> None:
    criterion = read_item(text, kind)
    assert not criterion.rules
    assert not is_computable(criterion.rules, criterion.unread)


def test_only_a_qualifier_that_restates_the_first_branch_is_consumed() -> None:
    # "for patients with creatinine levels below institutional normal" is no negation of
    # "creatinine normal": the words stay unread and the item with the investigator
    criterion = read_item(
        "Creatinine within normal limits or creatinine clearance ≥ 60 mL/min for patients with "
        "creatinine levels below institutional normal",
        "inclusion",
    )
    assert "for patients with" in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


def test_the_upward_only_tests_are_declared_once() -> None:
    assert set(ANALYTES) >= GRADED_UPWARDS_ONLY
    assert not GRADED_UPWARDS_ONLY & {"hemoglobin", "platelets", "calcium", "tsh", "neutrophils"}


def test_gilbert_exception_without_a_limit_is_the_investigators() -> None:
    # the limit, or Gilbert's syndrome and a judgement: the text gives no limit for the
    # syndrome (reading_lab_exceptions; tests/eligibility/test_lab_exceptions.py)
    criterion = read_item(GILBERT, "inclusion")  # NCT00509587 I1.11
    assert _readings(criterion) == [
        "(Total bilirubin ≤ 1 × ULN) or ((Gilbert's syndrome) and (the bilirubin limit for "
        "patients with Gilbert's syndrome (the text gives none)))"
    ]
    assert not criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)  # a judgement in it


# ---- screening


def _patient(
    bilirubin: tuple[float, float | None] | None = (0.8, 1.2),
    creatinine: tuple[float, float | None] | None = (0.9, 1.1),
    conditions: list[dict[str, Any]] | None = None,
) -> Patient:
    """A man of 68 weighing 70 kg; bilirubin and creatinine in mg/dL as (value, ULN)."""
    observations = [lab("weight", 70, "kg", DAY)]
    if bilirubin is not None:
        observations.append(lab("bilirubin", bilirubin[0], "mg/dL", DAY, high=bilirubin[1]))
    if creatinine is not None:
        observations.append(lab("creatinine", creatinine[0], "mg/dL", DAY, high=creatinine[1]))
    return Patient.model_validate(
        {
            "id": "P",
            "sex": "male",
            "birth_date": "1956-06-15",
            "observations": observations,
            "conditions": conditions if conditions is not None else [],
        }
    )


def _status(text: str, patient: Patient) -> Status:
    return item_status(read_item(text, "inclusion"), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    ("bilirubin", "verdict"),
    [
        ((1.3, 1.2), Status.NOT_MET),  # above the upper limit
        ((1.0, 1.2), Status.MET),
        ((1.2, 1.2), Status.MET),  # at the limit: within the range
        ((0.1, 1.2), Status.MET),  # below the range: no adverse event, no concern
        ((1.0, None), Status.UNKNOWN),  # no reference range recorded: never a guess
        (None, Status.UNKNOWN),
    ],
)
def test_bilirubin_normal(bilirubin: tuple[float, float | None] | None, verdict: Status) -> None:
    assert _status(BILIRUBIN, _patient(bilirubin=bilirubin)) is verdict


@pytest.mark.parametrize(
    ("creatinine", "verdict"),
    [
        ((0.9, 1.1), Status.MET),
        # above the ULN, but a clearance of (140 - 68) × 70 / (72 × 1.2) = 58.3 mL/min
        ((1.2, 1.1), Status.NOT_MET),
        # above the ULN, clearance (140 - 68) × 70 / (72 × 1.15) = 60.9 mL/min: the alternative
        ((1.15, 1.1), Status.MET),
        ((1.15, None), Status.MET),  # no range: the clearance alone decides
        ((1.2, None), Status.UNKNOWN),
    ],
)
def test_creatinine_normal_or_clearance(
    creatinine: tuple[float, float | None], verdict: Status
) -> None:
    assert _status(CREATININE_OR_CLEARANCE, _patient(creatinine=creatinine)) is verdict


def test_the_ctep_item_is_computed() -> None:
    # AST and ALT are not recorded: unknown, never passed
    assert _status(CTEP, _patient(creatinine=(1.15, 1.1))) is Status.UNKNOWN
    patient = _patient(creatinine=(1.15, 1.1)).model_copy(
        update={
            "observations": (
                *_patient(creatinine=(1.15, 1.1)).observations,
                *Patient.model_validate(
                    {
                        "id": "P",
                        "observations": [
                            lab("ast", 30, "U/L", DAY, high=40),
                            lab("alt", 30, "U/L", DAY, high=40),
                        ],
                    }
                ).observations,
            )
        }
    )
    assert _status(CTEP, patient) is Status.MET


@pytest.mark.parametrize(
    ("bilirubin", "conditions", "verdict"),
    [
        ((1.3, 1.2), [], Status.NOT_MET),
        ((1.0, 1.2), [], Status.MET),
        # Gilbert's syndrome: the text gives no limit; never passed or excluded on the one
        # lifted, passed within it (whichever limit applies)
        ((3.0, 1.2), [{"text": "Gilbert's syndrome"}], Status.INVESTIGATOR),
        ((1.0, 1.2), [{"text": "Gilbert's syndrome"}], Status.MET),
    ],
)
def test_gilbert_screening(
    bilirubin: tuple[float, float], conditions: list[dict[str, Any]], verdict: Status
) -> None:
    assert _status(GILBERT, _patient(bilirubin=bilirubin, conditions=conditions)) is verdict


# ---- the two paths agree on every reading


_TEXTS = (BILIRUBIN, CREATININE_OR_CLEARANCE, GILBERT, "Creatinine above institutional normal")


def _unsourced(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _unsourced(v) for k, v in data.items() if k != "source"}
    if isinstance(data, list | tuple):
        return [_unsourced(v) for v in data]
    return data


def _rules() -> tuple[Rule, ...]:
    """The rules read, each its own item's (ids E1-1, E2-1 …; no source text to check)."""
    rules = [r for text in _TEXTS for r in read_item(text, "inclusion").rules]
    return tuple(
        TypeAdapter(Rule).validate_python(_unsourced(_finish(r, f"E{i}-1").model_dump()))
        for i, r in enumerate(rules, start=1)
    )


_VALUE = st.none() | st.tuples(
    st.floats(0.1, 3.0, allow_nan=False), st.none() | st.floats(0.5, 2.0, allow_nan=False)
)
_PERSON = st.tuples(_VALUE, _VALUE, st.booleans())


@settings(max_examples=50, deadline=None)
@given(people=st.lists(_PERSON, min_size=1, max_size=5))
def test_per_patient_and_vectorised_agree(
    people: list[tuple[Any, Any, bool]],
) -> None:
    patients = [
        _patient(
            bilirubin=b, creatinine=c, conditions=[{"text": "Gilbert's syndrome"}] if g else []
        ).model_copy(update={"id": f"P{i}"})
        for i, (b, c, g) in enumerate(people)
    ]
    assert_each_rule_equal_in_both_paths(patients, _rules(), as_of=AS_OF)
    for text in _TEXTS:
        for patient in patients:
            item_status(read_item(text, "inclusion"), patient, as_of=AS_OF)


def test_the_reading_of_normal_is_shown_with_the_rule() -> None:
    # nothing assumed silently: the rule says it reads 'normal' as the upper limit only
    (rule,) = read_item("Bilirubin normal", "inclusion").rules
    assert rule.note is not None and "≤ 1 × ULN" in rule.note and "CTCAE v5.0" in rule.note


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        # the normal range of the patient's age is the reference range reported with the result
        # (NCT06582745 I5.3 and I5.4, NCT05418088 I14, NCT04995003 I11; jwlieb/clinical-trial-
        # agent data/demo @387df17)
        ("Total bilirubin ≤ 1.5X ULN for age", ["Total bilirubin ≤ 1.5 × ULN"]),
        (
            "AST/ALT ≤ 2.5 X ULN for age",
            ["Aspartate aminotransferase ≤ 2.5 × ULN", "Alanine aminotransferase ≤ 2.5 × ULN"],
        ),
        (
            "Total bilirubin =< 1.5 times the institutional upper limit of normal for age",
            ["Total bilirubin ≤ 1.5 × ULN"],
        ),
        (
            "Total bilirubin ≤1.5x upper limit of normal (ULN) for age AND direct bilirubin ≤ULN "
            "for age",
            ["Total bilirubin ≤ 1.5 × ULN", "Direct bilirubin ≤ 1 × ULN"],
        ),
    ],
)
def test_a_normal_limit_for_age_is_the_reported_range(text: str, readings: list[str]) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert is_computable(criterion.rules, criterion.unread), criterion.unread


def test_an_absolute_limit_for_age_stays_unread() -> None:
    # a limit in mg/dL "for age" names an age table the text does not give
    criterion = read_item("Creatinine ≤ 1.5 mg/dL for age", "inclusion")
    assert "for age" in criterion.unread
