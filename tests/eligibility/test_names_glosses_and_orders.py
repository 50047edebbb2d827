"""Items partial for one word (issue 12: most criteria computable): a test's longer name
("Absolute neutrophils", "cardiac ejection fraction", "Total serum testosterone", "estimated
creatinine clearance"), a unit's symbol after its spelled name ("/microliter (mcL)"), a scale's
abbreviation after its name ("Karnofsky Performance Status (KPS)"), "History of or active/current"
(the condition ever), "HIV seropositivity", "unless otherwise stated" after a window, "at
screening visit", "enrollment into the study", "the first protocol treatment", a pregnancy test
"for persons of childbearing potential only" (after it) or under "Women of childbearing potential
(WOCBP):", "Prolongation of the" QTcF before its limit. Each reading is pinned, and each item is
computable; the words that would change the reading stay unread.

Records: jwlieb/clinical-trial-agent ``data/demo/*/*/trials.json`` at
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (records in no corpus of these tests), cited by NCT id
and item.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import assert_undecided, item_status, read_item

AS_OF = dt.date(2025, 6, 2)
ECOG_OR_KPS = "(ECOG performance status 0–1) or (Karnofsky performance status 80 or 90 or 100)"

READ = [
    (
        "NCT04093167 I15.2",
        "inclusion",
        "Absolute neutrophils ≥ 1.5 x 10\\^9/L (1500/μL)",
        ["Absolute neutrophil count ≥ 1.5 × 10^9/L"],
    ),
    (
        "NCT03586453 E10.7",
        "exclusion",
        "cardiac ejection fraction of \\< 45%",
        ["Left ventricular ejection fraction < 45 %"],
    ),
    (
        "NCT04221542 I8",
        "inclusion",
        "Total serum testosterone ≤ 50 ng/dL or 1.7 nmol/L.",
        ["Testosterone (total) ≤ 50 ng/dL"],
    ),
    (
        "NCT03971409 I5.7",
        "inclusion",
        "Serum creatinine =\\< 1.5 x ULN or estimated creatinine clearance \\>= 50 mL/min as "
        "calculated using the Cockcroft-Gault (CG) equation",
        ["(Serum creatinine ≤ 1.5 × ULN) or (Creatinine clearance (Cockcroft-Gault) ≥ 50 mL/min)"],
    ),
    (
        "NCI's template",
        "inclusion",
        "Absolute neutrophil count \\>= 1,500/microliter (mcL)",
        ["Absolute neutrophil count ≥ 1500 /uL"],
    ),
    (
        "development records",
        "inclusion",
        "Eastern Cooperative Oncology Group (ECOG) performance status 0 or 1 or Karnofsky "
        "Performance Status (KPS) ≥80",
        [ECOG_OR_KPS],
    ),
    (
        "development records",
        "exclusion",
        "History of or active inflammatory bowel disease",
        ["Inflammatory bowel disease"],
    ),
    (
        "development records",
        "exclusion",
        "History of or current central nervous system metastases.",
        ["Brain or other central nervous system metastases"],
    ),
    (
        "NCT04545762 E4",
        "exclusion",
        "Human immunodeficiency virus (HIV) seropositivity.",
        ["HIV infection"],
    ),
    (
        "NCI's template",
        "inclusion",
        "Hemoglobin ≥ 9.0 g/dL (within 14 days prior to day 1 of protocol therapy unless "
        "otherwise stated)",
        ["Hemoglobin ≥ 9 g/dL within 14 days before the first dose"],
    ),
    ("NCT05273307 I3", "inclusion", "Age \\>=18 years at screening visit.", None),
    ("NCT05079698 I14.2", "inclusion", "Albumin \\> 2 g/ dL", ["Serum albumin > 2 g/dL"]),
    (
        "development records",
        "inclusion",
        "Measurable disease, as defined by RECIST v1.1",
        ["at least 1 measurable (RECIST 1.1)"],
    ),
    (
        "development records",
        "inclusion",
        "Have measurable disease per Response Evaluation Criteria in Solid Tumors (RECIST) 1.1 "
        "criteria present",
        ["at least 1 measurable (RECIST 1.1)"],
    ),
    (
        "NCT04974671 E2",
        "exclusion",
        "Has had radiation therapy within 2 weeks of the first protocol treatment.",
        None,
    ),
    (
        "development records",
        "inclusion",
        "Negative serum pregnancy test done =\\< 7 days prior to registration, for persons of "
        "childbearing potential only",
        [
            "if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = "
            "negative within 7 days before registration (the screen's as-of date)"
        ],
    ),
    (
        "development records",
        "inclusion",
        "Women of childbearing potential (WOCBP): Negative serum pregnancy test",
        ["if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative"],
    ),
    (
        "development records",
        "inclusion",
        "Women of childbearing potential (WOCBP): negative urine or serum pregnancy test",
        ["if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative"],
    ),
    (
        "development records",
        "inclusion",
        "Negative serum pregnancy test result at screening",
        ["if sex is female: Pregnancy test (hCG) = negative"],
    ),
    (
        "development records",
        "exclusion",
        "Prolongation of the Fridericia corrected QT (QTcF) interval defined as \\>450 ms for "
        "males and \\>470 ms for females",
        [
            "if sex is male: QT interval corrected (Fridericia) > 450 ms; otherwise QT interval "
            "corrected (Fridericia) > 470 ms"
        ],
    ),
    (
        "development records",
        "exclusion",
        "Has prolongation of QTc using Fridericia's formula (QTcF) to \\>480 ms.",
        ["QT interval corrected (Fridericia) > 480 ms"],
    ),
    (
        "NCT04868604 E1",
        "exclusion",
        "Major surgery within 12 weeks prior to enrollment into the study;",
        None,
    ),
]


@pytest.mark.parametrize(("source", "kind", "text", "reading"), READ)
def test_read_whole(source: str, kind: str, text: str, reading: list[str] | None) -> None:
    criterion = read_item(text, kind)
    if reading is not None:
        assert [describe_rule(r) for r in criterion.rules] == reading, source
    assert is_computable(criterion.rules, criterion.unread), (source, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        # not after a window: what "otherwise" refers to is not said
        "Hemoglobin ≥ 9.0 g/dL unless otherwise stated",
        # "history of active pneumonitis": active once, whether a record was is not kept
        "History of active pneumonitis",
        # a prolongation with no limit is the investigator's judgement
        "Prolongation of the QTcF interval",
    ],
)
def test_the_words_that_would_change_the_reading_stay_unread(text: str) -> None:
    assert_undecided(text, "exclusion")


def test_history_of_or_active_is_the_condition_at_any_time() -> None:
    # an inflammatory bowel disease resolved is history: the exclusion's condition is met (the
    # patient excluded), as it is for one now
    criterion = read_item("History of or active inflammatory bowel disease", "exclusion")

    def patient(conditions: list[dict[str, str]] | None) -> Patient:
        return Patient.model_validate({"id": "P", "conditions": conditions})

    ongoing = {"concept": "inflammatory_bowel_disease", "onset": "2010-01-01"}
    resolved = {**ongoing, "abatement": "2015-01-01", "clinical_status": "resolved"}
    assert item_status(criterion, patient([resolved]), as_of=AS_OF) is Status.MET
    assert item_status(criterion, patient([ongoing]), as_of=AS_OF) is Status.MET
    assert item_status(criterion, patient([]), as_of=AS_OF) is Status.NOT_MET
    assert item_status(criterion, patient(None), as_of=AS_OF) is Status.UNKNOWN


def test_measurable_by_other_criteria_is_not_read() -> None:
    # RANO's measurable disease is another thing than RECIST's (reading_conditions._MEASURABLE_BY)
    assert_undecided("Measurable disease, as defined by RANO", "inclusion")
