"""Threshold phrasings of the round-5 tuning corpus (issue 12): each read exactly, or left to the
investigator with its words quoted, never misread.

Every text is an item (or, marked "part of", a clause of an item) of a ClinicalTrials.gov record
in ``tests/eligibility/corpus/tuning_round5.json``: the HINT benchmark's validation files,
futianfan/clinical-trial-outcome-prediction ``data/phase_{I,II,III}_valid.csv`` at
d1f5c4af4fe3fc1d967f226811fafbf46a51e2bc (column ``criteria``; the texts are ClinicalTrials.gov's,
public domain). Texts marked "made up" are minimal variants written to pin one behaviour.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_criterion, read_eligibility
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule
from oncotrial.eligibility.screening import Overall, screen_patient


def _read(text: str, kind: str = "inclusion") -> Criterion:
    item_id = "I1" if kind == "inclusion" else "E1"
    return read_criterion(Criterion(id=item_id, kind=CriterionKind(kind), text=text)).criterion


def _readings(criterion: Criterion) -> set[str]:
    return {describe_rule(r) for r in criterion.rules}


# (source, kind, text, readings): read exactly and decided on them
READ_EXACTLY: list[tuple[str, str, str, set[str]]] = [
    # '>/=' and '</=', the typed ≥ and ≤ of older records
    (
        "NCT00079612 I5",
        "inclusion",
        "Hemoglobin >/= 9.0 g/dl - Absolute neutrophil count (ANC) >/=1,500/mm3",
        {"Hemoglobin ≥ 9 g/dL", "Absolute neutrophil count ≥ 1500 /mm^3"},
    ),
    (
        "NCT00426829 I8",
        "inclusion",
        "Serum creatinine </= 1.5 mg/dl.",
        {"Serum creatinine ≤ 1.5 mg/dL"},
    ),
    (
        "NCT00664326 I1",
        "inclusion",
        "Male or female patients >/= 18 years of age.",
        {"age at consent ≥ 18 years"},
    ),
    # WHO performance status after "Performance status:"; WHO is the ECOG scale
    (
        "NCT01736878 I9",
        "inclusion",
        "Performance status: WHO ≤ 2; Karnofsky index ≥ 50%",
        {
            "ECOG performance status 0–2",
            "Karnofsky performance status 50 or 60 or 70 or 80 or 90 or 100",
        },
    ),
    # "partial thromboplastin time" without "activated": the test PTT names
    (
        "NCT01736878 I11",
        "inclusion",
        "International normalized ratio (INR) and partial thromboplastin time (PTT) < 1.5 x ULN",
        {
            "International normalized ratio < 1.5 × ULN",
            "Activated partial thromboplastin time < 1.5 × ULN",
        },
    ),
    # "transaminases": AST and ALT both
    (
        "NCT00170157 I6, part of",
        "inclusion",
        "transaminases =< 2.5 x upper limit of normal (ULN)",
        {"Aspartate aminotransferase ≤ 2.5 × ULN", "Alanine aminotransferase ≤ 2.5 × ULN"},
    ),
    # 'mg/100 mL', the older spelling of mg/dL
    (
        "NCT00600210 I4",
        "inclusion",
        "Adequate renal function: serum creatinine ≤ 1.5 mg/100 mL.",
        {"Serum creatinine ≤ 1.5 mg/dL"},
    ),
    # the comparator after the value and its unit
    (
        "made up (NCT00549328 E7's phrasing)",
        "inclusion",
        "Hemoglobin of 9 g/dL or greater",
        {"Hemoglobin ≥ 9 g/dL"},
    ),
    ("made up", "inclusion", "platelets 100,000/mm3 or more", {"Platelet count ≥ 100000 /mm^3"}),
    (
        "made up",
        "exclusion",
        "Serum creatinine 2.0 mg/dL or higher",
        {"Serum creatinine ≥ 2 mg/dL"},
    ),
    # "ejection fraction" alone is the left ventricle's
    (
        "NCT00556049 E6",
        "exclusion",
        "Ejection fraction < 30%",
        {"Left ventricular ejection fraction < 30 %"},
    ),
    # the liver branch introduced by "hepatic involvement of their cancer"
    (
        "NCT00079612 I8",
        "inclusion",
        "ALT and AST </= 2.5 x upper limit of normal. (For patients with hepatic involvement of "
        "their cancer, ALT and AST < 5.0 x upper limit of normal)",
        {
            "if Liver metastases (current): Alanine aminotransferase < 5 × ULN; "
            "otherwise Alanine aminotransferase ≤ 2.5 × ULN",
            "if Liver metastases (current): Aspartate aminotransferase < 5 × ULN; "
            "otherwise Aspartate aminotransferase ≤ 2.5 × ULN",
        },
    ),
    # "Cockroft-Gault" (a common misspelling) names the formula; "Co-operative" in ECOG's name;
    # "White Blood Count"
    (
        "NCT00634751 I10",
        "inclusion",
        "creatinine clearance must be greater than 50 mL/min as calculated by the Cockroft-Gault "
        "formula",
        {"Creatinine clearance (Cockcroft-Gault) > 50 mL/min"},
    ),
    (
        "NCT00664326 I6",
        "inclusion",
        "Patients who have an Eastern Co-operative Oncology Group (ECOG) performance status of 0 "
        "or 1.",
        {"ECOG performance status 0–1"},
    ),
    (
        "NCT01851408 I33",
        "inclusion",
        "White Blood Count (WBC) >= 3,000/mm³",
        {"White blood cell count ≥ 3000 /mm^3"},
    ),
    # the subgroup's limit in parentheses, its comparator the one before it
    (
        "NCT00098540 I11",
        "inclusion",
        "AST ≤ 3 times ULN (5 times ULN if hepatic metastasis present)",
        {
            "if Liver metastases (current): Aspartate aminotransferase ≤ 5 × ULN; "
            "otherwise Aspartate aminotransferase ≤ 3 × ULN"
        },
    ),
    (
        "NCT00602576 I2.6",
        "inclusion",
        "Total bilirubin ≤ 1.5 times ULN (< 3.0 times ULN if Gilbert's disease is present)",
        {"if Gilbert's syndrome: Total bilirubin < 3 × ULN; otherwise Total bilirubin ≤ 1.5 × ULN"},
    ),
    (
        "NCT01736878 I1",
        "inclusion",
        "Inpatient or outpatient ≥ 18 years of age",
        {"age at consent ≥ 18 years"},
    ),
    # made up, the typed comparators of the same kind as '>/=': '=/<' was read as '<' before
    ("made up", "inclusion", "Creatinine =/< 1.5 x ULN", {"Serum creatinine ≤ 1.5 × ULN"}),
    ("made up", "inclusion", "Hemoglobin ≥/= 9 g/dL", {"Hemoglobin ≥ 9 g/dL"}),
    ("made up", "inclusion", "AST < or = 2.5 x ULN", {"Aspartate aminotransferase ≤ 2.5 × ULN"}),
    (
        "made up",
        "inclusion",
        "Creatinine clearance > or = 60 mL/min",
        {"Creatinine clearance (Cockcroft-Gault) ≥ 60 mL/min"},
    ),
    # made up: '10(9)/L', the superscript written in brackets
    (
        "made up",
        "inclusion",
        "ANC ≥ 1.5 x 10(9)/L",
        {"Absolute neutrophil count ≥ 1.5 × 10^9/L"},
    ),
    # an exclusion "ECOG at least 2" keeps its one direction: 2 or worse excludes
    (
        "made up (NCT00549328 I6's words)",
        "exclusion",
        "ECOG performance status of at least 2",
        {"ECOG performance status 2–5"},
    ),
    (  # "sufficient" as "adequate": the limits that follow say what it is
        "NCT01736878 I10",
        "inclusion",
        "Sufficient renal function (creatinin <1.5 mg/dl and creatinin clearance > 30ml/min)",
        {"Serum creatinine < 1.5 mg/dL", "Creatinine clearance (Cockcroft-Gault) > 30 mL/min"},
    ),
    (  # the limits in parentheses define the control asked for (reading_cardiac)
        "NCT00549328 E7",
        "exclusion",
        "Poorly controlled hypertension (systolic blood pressure of 140mmHG or greater or "
        "diastolic blood pressure of 90mmHg or greater).",
        {"(Systolic blood pressure ≥ 140 mmHg) or (Diastolic blood pressure ≥ 90 mmHg)"},
    ),
]


@pytest.mark.parametrize(("source", "kind", "text", "readings"), READ_EXACTLY)
def test_read_exactly_and_decided(source: str, kind: str, text: str, readings: set[str]) -> None:
    criterion = _read(text, kind)
    assert _readings(criterion) == readings, source
    assert is_computable(criterion.rules, criterion.unread), (source, criterion.unread)


# (source, kind, text, readings, unread): read, but the item stays with the investigator for the
# words quoted
READ_NOT_DECIDED: list[tuple[str, str, str, set[str], str]] = [
    (
        "NCT00496756 I2.10",
        "inclusion",
        "Protein ≤ 1+ by urinalysis",
        {"Urine protein (dipstick) ≤ 1+"},
        "by urinalysis",
    ),
    (
        "NCT00426829 I7",
        "inclusion",
        "Absolute granulocyte count >/= 1,500 cells/mm3, hemoglobin >/= 8 gm/dL and platelet "
        "count >/= 80,000 cells/mm3.",
        {"Hemoglobin ≥ 8 g/dL", "Platelet count ≥ 80000 /mm^3"},
        "Absolute granulocyte count ≥ 1,500 cells/mm3",
    ),
]


@pytest.mark.parametrize(("source", "kind", "text", "readings", "unread"), READ_NOT_DECIDED)
def test_read_but_left_to_the_investigator(
    source: str, kind: str, text: str, readings: set[str], unread: str
) -> None:
    criterion = _read(text, kind)
    assert _readings(criterion) == readings, source
    assert unread in criterion.unread, (source, criterion.unread)
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        # "at least 2" to enter, on a scale where lower is better: which way is not said
        "Eastern Cooperative Oncology Group performance status of at least 2.",  # NCT00549328 I6
        # no unit: the number is no limit ("2 or more sites", NCT00556049 I1.4)
        "2 or more sites of metastatic disease",
        # the comparator of the number after, not of the one before
        "Creatinine 1.5 or greater than 2 mg/dL",  # made up
        # the comparator lost: a bare value is never read as a limit (NCT00619541 I1.10.1)
        "Hemoglobin 8.5 g/dl",
        # made up: a subgroup oncotrial has no concept of, or none named: never the one limit
        "AST ≤ 3 times ULN (5 times ULN if peritoneal metastases)",
        "AST ≤ 3 times ULN (5 times ULN)",
        # made up: the right ventricle's ejection fraction is not the LVEF
        "right ventricular ejection fraction ≥ 40%",
    ],
)
def test_never_decided(text: str) -> None:
    criterion = _read(text)
    assert not is_computable(criterion.rules, criterion.unread), _readings(criterion)


# NCT01336543: the labs are sub-items of item 8, and the window they must be obtained in is a
# paragraph after them (I9 of the split text)
NCT01336543 = (
    ("I8", "Adequate organ function"),
    ("I8.1", "leukocytes >3,000/mcL"),
    ("I8.2", "absolute neutrophil count >1,500/mcL"),
    ("I8.3", "platelets >100,000/mcL"),
    ("I8.4", "total bilirubin within normal institutional limits"),
    ("I8.5", "AST (SGOT)/ALT(SGPT) <2.5 X institutional upper limit of normal"),
    ("I9", "All labs should be obtained within 14 days prior to start of study drug treatment."),
    ("I10", "Ability to give informed consent and willingness to adhere to study protocol."),
)


def _nct01336543(window_sentence: str) -> Eligibility:
    items = tuple(
        Criterion(id=i, kind=CriterionKind.INCLUSION, text=window_sentence if i == "I9" else t)
        for i, t in NCT01336543
    )
    return Eligibility(inclusion=items)


def test_a_lab_window_written_after_the_sub_items_holds_for_each_of_them() -> None:
    read = {r.criterion.id: r.criterion for r in read_eligibility(_nct01336543(NCT01336543[6][1]))}
    window = " within 14 days before the first dose"
    assert _readings(read["I8.1"]) == {"White blood cell count > 3000 /uL" + window}
    assert _readings(read["I8.3"]) == {"Platelet count > 100000 /uL" + window}
    assert _readings(read["I8.5"]) == {
        "Aspartate aminotransferase < 2.5 × ULN" + window,
        "Alanine aminotransferase < 2.5 × ULN" + window,
    }


def test_a_window_before_registration_is_carried_with_its_day() -> None:
    # made up: the same sentence counted back from registration, another date than the first
    # dose; it was not carried while every window ran from the first dose, and now is, with the
    # day it names (rules.Window.anchor, wave/anchors)
    sentence = "All labs should be obtained within 14 days prior to registration."
    read = {r.criterion.id: r.criterion for r in read_eligibility(_nct01336543(sentence))}
    assert _readings(read["I8.1"]) == {
        "White blood cell count > 3000 /uL within 14 days before registration (the screen's "
        "as-of date)"
    }
    # a window to another day is still not carried
    sentence = "All labs should be obtained within 14 days prior to pre-registration."
    read = {r.criterion.id: r.criterion for r in read_eligibility(_nct01336543(sentence))}
    assert _readings(read["I8.1"]) == {"White blood cell count > 3000 /uL"}


AS_OF = dt.date(2025, 3, 1)


def _patient(labs: tuple[tuple[str, float, str, float | None], ...], day: str) -> Patient:
    data: dict[str, Any] = {
        "id": "P",
        "sex": "male",
        "birth_date": "1960-06-01",
        "consent_date": "2025-02-27",
        "observations": [
            {"analyte": a, "value": v, "unit": u, "date": day}
            | ({"low": 0.0, "high": high} if high is not None else {})
            for a, v, u, high in labs
        ],
    }
    return Patient.model_validate(data)


# per patient and in the vectorised screen, on both sides of the new readings
SCREENED: list[tuple[str, str, tuple[tuple[str, float, str, float | None], ...], Overall]] = [
    # an exclusion on "transaminases": either test over the limit excludes
    (
        "exclusion",
        "Serum transaminases > 3 x ULN",
        (("ast", 130, "U/L", 40.0), ("alt", 30, "U/L", 40.0)),
        Overall.NOT_ELIGIBLE,
    ),
    (
        "exclusion",
        "Serum transaminases > 3 x ULN",
        (("ast", 110, "U/L", 40.0), ("alt", 30, "U/L", 40.0)),
        Overall.ELIGIBLE,
    ),
    (
        "inclusion",
        "serum creatinine ≤ 1.5 mg/100 mL",
        (("creatinine", 1.5, "mg/dL", None),),
        Overall.ELIGIBLE,
    ),
    (
        "inclusion",
        "serum creatinine ≤ 1.5 mg/100 mL",
        (("creatinine", 140, "umol/L", None),),
        Overall.NOT_ELIGIBLE,
    ),
    (
        "inclusion",
        "International normalized ratio (INR) and partial thromboplastin time (PTT) < 1.5 x ULN",
        (("inr", 1.0, "{ratio}", 1.1), ("aptt", 50, "s", 35.0)),
        Overall.ELIGIBLE,
    ),
    (
        "inclusion",
        "International normalized ratio (INR) and partial thromboplastin time (PTT) < 1.5 x ULN",
        (("inr", 1.0, "{ratio}", 1.1), ("aptt", 53, "s", 35.0)),
        Overall.NOT_ELIGIBLE,
    ),
]


@pytest.mark.parametrize(("kind", "text", "labs", "verdict"), SCREENED)
def test_screened_the_same_per_patient_and_in_batch(
    kind: str,
    text: str,
    labs: tuple[tuple[str, float, str, float | None], ...],
    verdict: Overall,
) -> None:
    criterion = _read(text, kind)
    assert is_computable(criterion.rules, criterion.unread), criterion.unread
    side = "inclusion" if kind == "inclusion" else "exclusion"
    eligibility = Eligibility(**{side: (criterion,)})
    patient = _patient(labs, "2025-02-27")
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    assert one.overall is verdict, [c.status for c in one.criteria]
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    assert batch.loc["P", "overall"] == verdict.value


def test_the_carried_window_screens_the_same_per_patient_and_in_batch() -> None:
    read = read_eligibility(_nct01336543(NCT01336543[6][1]))
    item = next(r.criterion for r in read if r.criterion.id == "I8.3")
    eligibility = Eligibility(inclusion=(item,))
    for day, verdict in (("2025-02-27", Overall.ELIGIBLE), ("2025-01-02", None)):
        patient = _patient((("platelets", 150, "10^9/L", None),), day)
        one = screen_patient(eligibility, patient, as_of=AS_OF)
        # a count older than the window proves nothing: never eligible on it
        assert (one.overall is verdict) if verdict else one.overall is not Overall.ELIGIBLE
        batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
        assert batch.loc["P", "overall"] == one.overall.value
