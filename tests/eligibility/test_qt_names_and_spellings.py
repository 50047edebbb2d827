"""A corrected QT's long names, and spellings of limits and ages real records use (issue 12).

Phrasings from the development corpus: jwlieb/clinical-trial-agent ``data/demo/*/*/trials.json``
at 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (records in no corpus of these tests), cited by NCT
id and item. Before, each item below was partly read or not at all: the words of the QT's name
before "(QTcF)" stayed unread, "IULN", "˃", "10'9/L", "/microL" and "years-of-age" were not
understood, a restated limit with a space between thousands ("(90 000/µL)") was left as a
second, unread limit, a clearance's formula named before "or" kept its alternative apart (two
rules, both required had the "or" not been quoted), "unless there are liver metastases in
which case" left its connecting words unread, a formula named between a clearance and its limit
("CrCl calculated by Cockcroft-Gault ≥ 50 mL/min") kept the two apart, and "cell/uL",
"weighing", "Under age 18" and "… and under age of 90" were not read.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.patient import Observation, Patient
from oncotrial.eligibility.qt_names import qt_names
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item, read_items_agree_on_random_patients
from .random_patients import AS_OF

QTCF = "QT interval corrected (Fridericia)"
QTCB = "QT interval corrected (Bazett)"

# items read whole: (source, kind, text, the rules read)
READ_WHOLE = [
    (
        "NCT05061550 E11",
        "exclusion",
        "QTcF (QT interval corrected by Fridericia's formula) interval ≥ 470 ms.",
        [f"{QTCF} ≥ 470 ms"],
    ),
    (
        "NCT06562192 E (constructed from its name)",
        "exclusion",
        "QT interval corrected by Fridericia's formula (QTcF) ≥ 470 msec",
        [f"{QTCF} ≥ 470 ms"],
    ),
    (
        "NCT06644755",
        "exclusion",
        "QT interval corrected with Fridericia's formula (QTcF) interval \\>480 ms",
        [f"{QTCF} > 480 ms"],
    ),
    (
        "NCT07024615",
        "inclusion",
        "Participant has a corrected QT interval by Fridericia (QTcF) ≤ 470 msec",
        [f"{QTCF} ≤ 470 ms"],
    ),
    # the formula named after the limit: the words restate the rule's own correction
    (
        "NCT06234423 I7.9",
        "inclusion",
        "Q wave to T wave (QT) interval corrected for heart rate (QTc) ≤480 ms (Fridericia's "
        "formula).",
        [f"{QTCF} ≤ 480 ms"],
    ),
    (
        "NCT06150664 E7.2",
        "exclusion",
        "QTc interval (using Fridericia correction calculation) \\> 480 msec",
        [f"{QTCF} > 480 ms"],
    ),
    (
        "NCT04245397 E4.1",
        "exclusion",
        "QT interval \\> 480 msec corrected using Fridericia's formula;",
        [f"{QTCF} > 480 ms"],
    ),
    # "IULN", the institutional upper limit of normal
    (
        "NCT06648434 I7.4",
        "inclusion",
        "Total bilirubin ≤ 1.5 x IULN",
        ["Total bilirubin ≤ 1.5 × ULN"],
    ),
    (
        "NCT05187182 I8.4",
        "inclusion",
        "Total bilirubin ≤ 1.5 x IULN or ≤ 3 x IULN in patients with documented Gilbert's syndrome",
        ["if Gilbert's syndrome: Total bilirubin ≤ 3 × ULN; otherwise Total bilirubin ≤ 1.5 × ULN"],
    ),
    # '˃' (U+02C3), a word processor's '>'
    ("NCT04930783 I1.6.4", "inclusion", "Hemoglobin ˃ 9.0 g/dL", ["Hemoglobin > 9 g/dL"]),
    (
        "NCT06182072 I5.1",
        "inclusion",
        "Absolute Neutrophil Count ≥1.5 x 10'9/L",
        ["Absolute neutrophil count ≥ 1.5 × 10^9/L"],
    ),
    (
        "NCT05797246 I7.4",
        "inclusion",
        "Platelets: \\>=100,000/microL",
        ["Platelet count ≥ 100000 /uL"],
    ),
    # the limit restated with a space between thousands
    (
        "NCT06492122 I11.3",
        "inclusion",
        "Platelets ≥90 x 10\\^9/L (90 000/µL),",
        ["Platelet count ≥ 90 × 10^9/L"],
    ),
    (
        "NCT06234423 I7.2",
        "inclusion",
        "Platelets ≥100.0 x 109/L (100 000/µL).",
        ["Platelet count ≥ 100 × 10^9/L"],
    ),
    # the formula named after a clearance, then its alternative: one any-of, never both required
    (
        "NCT06194929 I9.6",
        "inclusion",
        "Serum creatinine ≤ 1.5 × ULN; OR calculated creatinine clearance \\> 50 mL/min by "
        "Cockcroft-Gault formula; OR estimated glomerular filtration rate \\> 50 mL/min/1.73m2.",
        [
            "(Serum creatinine ≤ 1.5 × ULN) or (Creatinine clearance (Cockcroft-Gault) > 50 mL/min)"
            " or (eGFR (CKD-EPI 2021) > 50 mL/min/1.73m^2)"
        ],
    ),
    (
        "NCT04553770 I11 (its window left out)",
        "inclusion",
        "Creatinine clearance \\>= 30 mL/min as calculated using the Cockcroft-Gault equation or "
        "serum creatinine =\\< 1.5 x upper limit of normal (ULN)",
        ["(Creatinine clearance (Cockcroft-Gault) ≥ 30 mL/min) or (Serum creatinine ≤ 1.5 × ULN)"],
    ),
    # "unless there are <condition> in which case <tests> ≤ …"
    (
        "NCT06648434 I7.5",
        "inclusion",
        "AST(SGOT)/ALT(SGPT) ≤ 3.0 x IULN, unless there are liver metastases in which case AST "
        "and ALT ≤ 5.0 x IULN",
        [
            "if Liver metastases (current): Aspartate aminotransferase ≤ 5 × ULN; otherwise "
            "Aspartate aminotransferase ≤ 3 × ULN",
            "if Liver metastases (current): Alanine aminotransferase ≤ 5 × ULN; otherwise Alanine "
            "aminotransferase ≤ 3 × ULN",
        ],
    ),
    # the condition named "if the patient has …", and its absence before the first limit
    (
        "NCT04918186 I22",
        "inclusion",
        "AST \\& ALT ≤ 2.5 x ULN; if patient has liver metastases ≤ 5.0 x ULN",
        [
            "if Liver metastases (current): Aspartate aminotransferase ≤ 5 × ULN; otherwise "
            "Aspartate aminotransferase ≤ 2.5 × ULN",
            "if Liver metastases (current): Alanine aminotransferase ≤ 5 × ULN; otherwise Alanine "
            "aminotransferase ≤ 2.5 × ULN",
        ],
    ),
    (
        "NCT05386108 I14",
        "inclusion",
        "In absence of liver metastases, alanine aminotransferase (ALT) and aspartate "
        "aminotransferase (AST) ≤3.0 × upper limit of normal (ULN). If the participant has liver "
        "metastases, ALT and AST ≤5.0 × ULN.",
        [
            "if Liver metastases (current): Alanine aminotransferase ≤ 5 × ULN; otherwise Alanine "
            "aminotransferase ≤ 3 × ULN",
            "if Liver metastases (current): Aspartate aminotransferase ≤ 5 × ULN; otherwise "
            "Aspartate aminotransferase ≤ 3 × ULN",
        ],
    ),
    # the formula named between a clearance and its limit, misspelt too
    (
        "NCT06149481 I7.7",
        "inclusion",
        "creatinine clearance (CrCl) calculated by Cockroft-Gault formula \\>= 50 mL/min",
        ["Creatinine clearance (Cockcroft-Gault) ≥ 50 mL/min"],
    ),
    (
        "NCT05386108 I13.5",
        "inclusion",
        "Creatinine clearance (per Cockcroft-Gault formula) ≥50 mL/minute",
        ["Creatinine clearance (Cockcroft-Gault) ≥ 50 mL/min"],
    ),
    (
        "NCT04679012 I8.1",
        "inclusion",
        "Absolute neutrophil count of ≥1000 cell/uL",
        ["Absolute neutrophil count ≥ 1000 /uL"],
    ),
    # "the planned start of study therapy" is the first dose the screen plans (Merck's template)
    (
        "NCT06222593 E12",
        "exclusion",
        "Has received a live vaccine within 30 days of planned start of study therapy",
        ["Live or live-attenuated vaccine received within 30 days before the first dose"],
    ),
    # ages, and a weight
    (
        "NCT05503797 I2",
        "inclusion",
        "Male and female, ≥10 years of age, and weighing ≥30 kg.",
        ["age at consent ≥ 10 years", "Body weight ≥ 30 kg"],
    ),
    ("NCT06706765 E1", "exclusion", "Under age 18", ["age at consent < 18 years"]),
    (
        "NCT06276764 I1",
        "inclusion",
        "Both males and females will be enrolled and must be at least 18 years of age and under "
        "age of 90",
        ["age at consent ≥ 18 years", "age at consent < 90 years"],
    ),
    (
        "NCT05748834 I2",
        "inclusion",
        "At least 18 years-of-age at the time of signature of the informed consent form (ICF)",
        ["age at consent ≥ 18 years"],
    ),
    ("NCT06876740 I1", "inclusion", "Aged 18+ years", ["age at consent ≥ 18 years"]),
    (
        "NCT07261657 I5",
        "inclusion",
        "Patients must be aged ≥ 18 to 80 at time of registration",
        ["age at consent ≥ 18 years", "age at consent ≤ 80 years"],
    ),
]


@pytest.mark.parametrize(("source", "kind", "text", "rules"), READ_WHOLE)
def test_items_are_read_whole(source: str, kind: str, text: str, rules: list[str]) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == rules, source
    assert not criterion.unread, (source, criterion.unread)


# (source, kind, text, rules, unread): the name is read, other words stay quoted
READ_IN_PART = [
    # a mean of three ECGs is not a single observation (reading_measurement_method)
    (
        "NCT04892953",
        "exclusion",
        "Mean QT interval corrected for heart rate using Fridericia's formula (QTcF) \\>= 470 ms",
        [f"{QTCF} ≥ 470 ms"],
        ("Mean",),
    ),
    # both formulas named: which one is not said — never read as Bazett's (it was, before: the
    # misspelling "Fredericia" was not seen as Fridericia's name)
    (
        "NCT04215809 E19",
        "exclusion",
        "QTc interval\\> 480ms (Bazett or Fredericia formulae)",
        [f"{QTCF} > 480 ms"],
        ("Bazett or Fredericia formulae",),
    ),
    # "Prolongation of the" before the limit says what the limit does (reading_templates
    # ._PROLONGATION, 2026-12-08): the words are read, no longer quoted
    (
        "NCT05039801 (constructed: Bazett named)",
        "exclusion",
        "Prolongation of the Bazett corrected QT (QTcB) interval \\>470 ms",
        [f"{QTCB} > 470 ms"],
        (),
    ),
]


@pytest.mark.parametrize(("source", "kind", "text", "rules", "unread"), READ_IN_PART)
def test_the_name_is_read_and_other_words_stay_quoted(
    source: str, kind: str, text: str, rules: list[str], unread: tuple[str, ...]
) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == rules, source
    assert criterion.unread == unread, source


def test_a_qtc_of_unnamed_correction_is_not_newly_decided() -> None:
    # NCT06492122 I11.8: no formula named anywhere — the long name is not taken for QTcF's, and
    # the item stays with the investigator as before
    criterion = read_item(
        "Q wave to T wave (QT) interval corrected for heart rate (QTc) \\<470 ms", "inclusion"
    )
    assert not criterion.rules
    assert qt_names("QT interval corrected for heart rate (QTc) < 470 ms") == []


def test_another_formula_after_the_limit_is_not_read_as_the_rule_s() -> None:
    # QTcF named, then Bazett's formula after the limit: the words contradict the rule, unread
    criterion = read_item("QTcF ≤ 470 msec (using Bazett's correction formula)", "inclusion")
    assert criterion.unread == ("using Bazett's correction formula",)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Fridericia's corrected QT interval (QTcF) > 450 ms (for male)",
            [("Fridericia's corrected QT interval (QTcF)", "qtc")],
        ),
        (
            "baseline prolongation of the heart rate-corrected QT (QTcF) interval ≥ 480 ms",
            [("heart rate-corrected QT (QTcF) interval", "qtc")],
        ),
        ("QTcB (Bazett's corrected QT) > 470 ms", [("QTcB (Bazett's corrected QT)", "qtcb")]),
        ("QTc interval > 480ms (Bazett or Fredericia formulae)", []),
        # "Friderica" (NCT06021626 E9), a misspelling as "Fredericia" is
        (
            "Resting QTc interval by Friderica's formula ≥ 470 ms",
            [("QTc interval by Friderica's formula", "qtc")],
        ),
        ("QTcF > 470 ms", []),  # one word: the analyte's own synonym
        ("a QT interval corrected (", []),  # a bracket opened and not closed ends the name
    ],
)
def test_names(text: str, names: list[tuple[str, str]]) -> None:
    assert [(text[a:b], key) for a, b, key in qt_names(text)] == names


def _ecg(qt: float, rate: float) -> Patient:
    day = AS_OF - dt.timedelta(days=3)
    return Patient(
        id="p",
        birth_date=dt.date(1960, 1, 1),
        sex="female",
        observations=(
            Observation(analyte="qt", value=qt, unit="ms", date=day),
            Observation(analyte="heart_rate", value=rate, unit="/min", date=day),
        ),
    )


def test_the_long_name_is_screened_on_qtcf_not_the_uncorrected_qt() -> None:
    # NCT05061550 E11: QTcF ≥ 470 ms excludes. At 100/min (RR 0.6 s) a QT of 440 ms is a QTcF
    # of 440 / 0.6^(1/3) = 521.9 ms: excluded, though the uncorrected QT is below 470; at 50/min
    # (RR 1.2 s) a QT of 480 ms is a QTcF of 480 / 1.2^(1/3) = 451.7 ms: not excluded
    (_, kind, text, _) = READ_WHOLE[0]
    criterion = read_item(text, kind)
    assert item_status(criterion, _ecg(440, 100), as_of=AS_OF).value == "met"
    assert item_status(criterion, _ecg(480, 50), as_of=AS_OF).value == "not met"
    no_ecg = Patient(id="p", birth_date=dt.date(1960, 1, 1), sex="female")
    assert item_status(criterion, no_ecg, as_of=AS_OF).value == "unknown"


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    read_items_agree_on_random_patients(
        [
            (f"I{k}", text)
            for k, (_, kind, text, _) in enumerate(READ_WHOLE, start=1)
            if kind == "inclusion"
        ],
        as_of=AS_OF,
        seed=31,
    )


def test_the_alternative_after_the_named_formula_rescues_the_patient() -> None:
    # NCT04553770 I11: a woman of 80, 50 kg, creatinine 1.5 mg/dL (ULN 1.1): Cockcroft-Gault
    # (140 − 80) × 50 × 0.85 / (72 × 1.5) = 23.6 mL/min < 30, but creatinine 1.5 ≤ 1.5 × 1.1
    (_, kind, text, _) = next(i for i in READ_WHOLE if i[0].startswith("NCT04553770"))
    criterion = read_item(text, kind)

    def patient(creatinine: float) -> Patient:
        return Patient(
            id="p",
            birth_date=AS_OF.replace(year=AS_OF.year - 80) - dt.timedelta(days=10),
            sex="female",
            observations=(
                Observation(
                    analyte="creatinine", value=creatinine, unit="mg/dL", date=AS_OF, high=1.1
                ),
                Observation(analyte="weight", value=50.0, unit="kg", date=AS_OF),
            ),
        )

    assert item_status(criterion, patient(1.5), as_of=AS_OF).value == "met"
    # creatinine 1.7 > 1.65: neither alternative (clearance 20.8 mL/min)
    assert item_status(criterion, patient(1.7), as_of=AS_OF).value == "not met"


def test_a_limit_written_for_the_absence_of_a_condition_is_never_under_it() -> None:
    # NCT05386108 I14 without its second sentence: the first limit had been read as "if liver
    # metastases: ALT ≤ 3 × ULN" (the cue before it taken as its condition), a reading that would
    # hold everyone without liver metastases to no limit at all
    criterion = read_item("In absence of liver metastases, ALT ≤ 3.0 × ULN.", "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == ["Alanine aminotransferase ≤ 3 × ULN"]
    assert criterion.unread == ("In absence of liver metastases",)


def test_except_before_a_condition_still_names_whom_the_limit_is_for() -> None:
    # seed 001 I9.3: "except" is no denial of the condition after it (a first version of the
    # denial above took it for one, and the docs' coverage example caught the lost conditional)
    criterion = read_item(
        "Total bilirubin ≤ 1.5×ULN (except for Gilbert's syndrome subjects, where total bilirubin "
        "must be \\< 51.3μmol/L)",
        "inclusion",
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        "if Gilbert's syndrome: Total bilirubin < 51.3 umol/L; otherwise Total bilirubin ≤ 1.5 × ULN"
    ]


def test_the_liver_metastases_branch_is_screened() -> None:
    # NCT05386108 I14: ALT 4 × ULN fails without liver metastases and passes with them
    (_, kind, text, _) = next(i for i in READ_WHOLE if i[0] == "NCT05386108 I14")
    criterion = read_item(text, kind)

    def patient(liver: bool) -> Patient:
        labs = [
            Observation(analyte=a, value=160.0, unit="U/L", date=AS_OF, high=40.0)
            for a in ("alt", "ast")
        ]
        found = [{"concept": "liver_metastases", "onset": "2024-06-01"}] if liver else []
        return Patient.model_validate({"id": "p", "observations": labs, "conditions": found})

    assert item_status(criterion, patient(False), as_of=AS_OF).value == "not met"
    assert item_status(criterion, patient(True), as_of=AS_OF).value == "met"
