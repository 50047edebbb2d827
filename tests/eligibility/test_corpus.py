"""Coverage and accuracy on real oncology records not used in development (issue 12).

The items are quoted from ClinicalTrials.gov records sampled in hantswilliams/clinicaltrials_trec_2022
and hyperlist/trec-pm, the LEAF corpus, a ClinicalTrials.gov API response of KRAS-mutant trials
and ClinicalTrials.gov XML files kept in ctti-clinicaltrials/aact and fabianvf/ClinicalTrialsParser
(repository, commit and path in ``corpus/oncology_records.json``); each
numeric threshold was read by hand. Items of one record are read together, in order, as the parser
reads a protocol (an item ending in "or" joins the next). A reading is *exact* when the parser writes the hand reading; *not read* when the item
stays a checklist item (never a verdict); *wrong* when the parser would decide the item with a
reading other than the hand one. The figures are stated in docs/eligibility.md and
bench/RESULTS.md; this test keeps them true and holds wrong readings to the named ones (KNOWN_WRONG).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.screening import Verdict, screen_patient

from .corpus_measure import is_wrong, read_items
from .corpus_measure import measure as measure_items

CORPUS = json.loads(
    (Path(__file__).parent / "corpus" / "oncology_records.json").read_text(encoding="utf-8")
)
ITEMS = {(i["nct"], i["id"]): i for i in CORPUS["items"]}


READ = read_items(CORPUS["items"])


def _read(item: dict[str, Any]) -> Criterion:
    return READ[(item["nct"], item["id"])]


def measure(part: str) -> dict[str, int]:
    """Figures of one part of the corpus: 'tuning' (looked at while improving the parser) or
    'held_out' (read by hand before the parser ran on it, never used to change the parser)."""
    return measure_items([i for i in CORPUS["items"] if i["part"] == part], READ)


def test_corpus_is_cited() -> None:
    for source in CORPUS["sources"].values():
        assert source["repository"] and len(source["commit"]) == 40 and "{nct}" in source["path"]
    assert {i["source"] for i in CORPUS["items"]} == set(CORPUS["sources"])
    assert len(CORPUS["records"]) == 87
    assert {i["part"] for i in CORPUS["items"]} == {"tuning", "held_out"}
    # a record is wholly in one part, so a phrasing seen while tuning never leaks into held-out
    parts = {(i["nct"], i["part"]) for i in CORPUS["items"]}
    assert len(parts) == len(CORPUS["records"])
    assert {i["nct"] for i in CORPUS["items"]} == set(CORPUS["records"])


# Wrong readings of the current parser, named for the eligibility helper to fix; the figures
# below count them, and test_no_wrong_reading fails loudly (strict xfail) once they are fixed.
KNOWN_WRONG: dict[tuple[str, str], str] = {}  # none left: NCT01073436 I4.2 ('< 450,000 x 109/L'
# read literally) is fixed by the limits no blood count can reach (reading_labs._POSSIBLE_MAX)


def _wrong_items() -> set[tuple[str, str]]:
    return {(i["nct"], i["id"]) for i in CORPUS["items"] if is_wrong(i, _read(i))}


def test_wrong_readings_are_the_known_ones() -> None:
    assert _wrong_items() <= set(KNOWN_WRONG), _wrong_items()


def test_no_wrong_reading() -> None:
    assert not _wrong_items()


def test_the_figures_stated_in_the_docs() -> None:
    tuning, held_out = measure("tuning"), measure("held_out")
    # docs/eligibility.md and bench/RESULTS.md state these figures; change them together
    assert tuning == {
        "items": 68,
        "computable": 40,
        "thresholds": 110,
        "exact": 72,
        "not_read": 38,
        "wrong": 0,
    }
    assert held_out == {
        "items": 229,
        # 109 before 'with' and 'sufficient' were filler words; 110 before a window after a
        # limit was read with its day (NCT01636609 I9 '… within 28 days prior to first dose of
        # study drug administration', NCT02206334 I14 '… within 45 days prior to study
        # registration': wave/anchors) and before "Clinical performance status of ECOG 0 or 1"
        # (NCT03745326 I7) and "ECOG … 0-2 (Appendix 13.1)" (NCT01073436 I8) were read
        # (test_template_phrasings): 112 with either, 114 with both; 116 with the windows and
        # method words of test_lab_window_phrasings (wave/labwindow; not tuned here, the items
        # not looked at); 117 with "Gilbert s" (the apostrophe lost) read as the syndrome
        # (wave/labexcept, development records; not tuned here, the items not looked at)
        # 118 with a bracketed equivalent score read as an alternative ("ECOG 0-2
        # (Karnofsky ≥ 50%, see Appendix A)", NCT01065844 I4, whose hand reading is that
        # any-of; found from development record NCT05779423 I6 and the note beside it)
        # 119 with "unless liver metastases are present, in which case it must be ≤ 5 × ULN"
        # (wave/thresholds, development records; NCT02679963 I13.5, seen only after the change)
        # 120 with a limit relative to the ULN "for age" read as the reported range
        # (reading_labs._FOR_AGE, development records; NCT01661400 I12.1, seen only after the
        # change, in the prescreening corpus's figures)
        # 121 with a permission to transfuse after a blood count's limit consumed
        # (reading_lab_support, development records; NCT03745326 I11.4 "… Subjects may be
        # transfused to reach this cut-off.", seen only after the change)
        "computable": 121,
        "thresholds": 305,
        # 181 / 124 before a restatement with "or" or "per" in its bracket ("(or ≥ 9 g/dL)",
        # "(≥ 1500 per mm3)") and the condition cues of the development records
        # (test_restated_limits, test_condition_cues; not tuned here, the items not looked at);
        # 183 / 122 before units spelled out in words and the transaminases' older names in
        # brackets (wave/labexcept, test_lab_exceptions; not tuned here, not looked at)
        # 187 / 118 with the bracketed equivalent score (NCT01065844 I4, above); 191 / 114 with
        # the conditions written before a second limit ("unless … in which case", "if …, then",
        # a sentence "For subjects with …") and the sexes in brackets (wave/thresholds,
        # test_threshold_constructs; development records, not tuned here)
        "exact": 191,
        "not_read": 114,
        "wrong": 0,
    }


AS_OF = dt.date(2025, 3, 1)
DAY = "2025-02-27"


def _patient(
    age: int = 60,
    ecog: int | None = None,
    labs: tuple[tuple[str, float, str, float | None], ...] = (),
    sex: str = "male",
) -> Patient:
    data: dict[str, Any] = {
        "id": "P",
        "sex": sex,
        "birth_date": f"{2025 - age - 1}-06-01",
        "consent_date": DAY,
        "observations": [
            {"analyte": a, "value": v, "unit": u, "date": DAY}
            | ({"low": 0.0, "high": high} if high is not None else {})
            for a, v, u, high in labs
        ],
    }
    if ecog is not None:
        data["performance_status"] = [{"scale": "ECOG", "score": ecog, "date": DAY}]
    return Patient.model_validate(data)


# (record, item, patient, verdict): each pair sits on both sides of a limit, so a misread
# threshold, comparator, unit or alternative flips one of the two verdicts
CASES: list[tuple[str, str, dict[str, Any], Verdict]] = [
    ("NCT00055614", "I4.1", {"ecog": 2}, Verdict.PASSES),
    ("NCT00055614", "I4.1", {"ecog": 3}, Verdict.FAILS),
    ("NCT00055614", "I6.2", {"labs": (("platelets", 90000, "/mm^3", None),)}, Verdict.PASSES),
    ("NCT00055614", "I6.2", {"labs": (("platelets", 89, "10^9/L", None),)}, Verdict.FAILS),
    (
        "NCT00055614",
        "I7.2",
        {"labs": (("alt", 59, "U/L", 40.0), ("ast", 30, "U/L", 40.0))},
        Verdict.PASSES,
    ),
    (
        "NCT00055614",
        "I7.2",
        {"labs": (("alt", 60, "U/L", 40.0), ("ast", 30, "U/L", 40.0))},
        Verdict.FAILS,
    ),
    ("NCT00739830", "I1", {"age": 18}, Verdict.PASSES),
    ("NCT00739830", "I1", {"age": 17}, Verdict.FAILS),
    ("NCT00739830", "I5", {"ecog": 1}, Verdict.PASSES),
    ("NCT00739830", "I5", {"ecog": 2}, Verdict.FAILS),
    ("NCT05380414", "I1", {"age": 19}, Verdict.PASSES),
    ("NCT05380414", "I1", {"age": 18}, Verdict.FAILS),  # "> 18 years": 18 is not older
    ("NCT05380986", "I2", {"ecog": 2}, Verdict.PASSES),
    ("NCT05380986", "I2", {"ecog": 3}, Verdict.FAILS),
    ("NCT05482516", "I6.5.2", {"labs": (("lymphocytes", 500, "/uL", None),)}, Verdict.PASSES),
    ("NCT05482516", "I6.5.2", {"labs": (("lymphocytes", 0.49, "10^9/L", None),)}, Verdict.FAILS),
    ("NCT05482516", "I6.5.4", {"labs": (("hemoglobin", 9.0, "g/dL", None),)}, Verdict.PASSES),
    ("NCT05482516", "I6.5.4", {"labs": (("hemoglobin", 8.9, "g/dL", None),)}, Verdict.FAILS),
    # creatinine 2.0 mg/dL (1.7 × ULN): the clearance alternative decides; 60 years, male
    (
        "NCT05482516",
        "I6.5.8",
        {"labs": (("creatinine", 2.0, "mg/dL", 1.2), ("weight", 100, "kg", None))},
        Verdict.PASSES,
    ),
    (
        "NCT05482516",
        "I6.5.8",
        {"labs": (("creatinine", 2.0, "mg/dL", 1.2), ("weight", 80, "kg", None))},
        Verdict.FAILS,
    ),
    ("NCT00739791", "I2.1", {"ecog": 2}, Verdict.PASSES),
    ("NCT00739791", "I2.1", {"ecog": 3}, Verdict.FAILS),
    ("NCT05482516", "I6.4", {"ecog": 2}, Verdict.PASSES),
    ("NCT05482516", "I6.4", {"ecog": 3}, Verdict.FAILS),
    ("NCT05482516", "I2", {"age": 18}, Verdict.PASSES),
    ("NCT05482516", "I2", {"age": 17}, Verdict.FAILS),
    ("NCT05380986", "I1", {"age": 18}, Verdict.PASSES),
    ("NCT05380986", "I1", {"age": 17}, Verdict.FAILS),
    ("NCT05482568", "I2", {"age": 18}, Verdict.PASSES),
    ("NCT05482568", "I2", {"age": 17}, Verdict.FAILS),
    # total calcium above its ULN (11.6 mg/dL) but corrected calcium normal: not excluded
    (
        "NCT05482516",
        "E38.1",
        {
            "labs": (
                ("calcium", 2.9, "mmol/L", 2.6),
                ("calcium_corrected", 2.5, "mmol/L", 2.6),
                ("calcium_ionized", 1.3, "mmol/L", None),
            )
        },
        Verdict.INVESTIGATOR,  # "Uncontrolled or symptomatic" stays with the investigator
    ),
    ("NCT05482568", "I2", {"age": 75}, Verdict.PASSES),
    ("NCT05482568", "I2", {"age": 76}, Verdict.FAILS),
    ("NCT05482568", "I3", {"ecog": 1}, Verdict.PASSES),
    ("NCT05482568", "I3", {"ecog": 2}, Verdict.FAILS),
    ("NCT02053662", "I1", {"age": 18}, Verdict.PASSES),
    ("NCT02053662", "I1", {"age": 17}, Verdict.FAILS),
    ("NCT02053662", "E2", {"age": 18}, Verdict.PASSES),  # exclusion "< 18 years old"
    ("NCT02053662", "E2", {"age": 17}, Verdict.FAILS),
    ("NCT02147080", "I1", {"age": 25}, Verdict.PASSES),
    ("NCT02147080", "I1", {"age": 26}, Verdict.FAILS),
    ("NCT02912559", "I11", {"labs": (("neutrophils", 1.5, "10^9/L", None),)}, Verdict.PASSES),
    ("NCT02912559", "I11", {"labs": (("neutrophils", 1499, "/mm^3", None),)}, Verdict.FAILS),
    (
        "NCT02912559",
        "I16",
        {"labs": (("ast", 100, "U/L", 40.0), ("alt", 20, "U/L", 40.0))},
        Verdict.PASSES,
    ),
    (
        "NCT02912559",
        "I16",
        {"labs": (("ast", 101, "U/L", 40.0), ("alt", 20, "U/L", 40.0))},
        Verdict.FAILS,
    ),
    # "Creatinine =< 1.5 x ULN or" / "creatinine clearance >= 45 mL/min": one alternative split
    # over two items; a normal creatinine with a clearance of 44 must not fail the second alone
    (
        "NCT02912559",
        "I14",
        {"labs": (("creatinine", 1.0, "mg/dL", 1.2), ("weight", 40, "kg", None))},
        Verdict.INVESTIGATOR,
    ),
    # items the parser must not decide: a subgroup limit, a qualifier ("without growth factor
    # support"), a definition it cannot read
    (
        "NCT05482516",
        "I6.5.1",
        {"labs": (("neutrophils", 1.4, "10^9/L", None),)},
        Verdict.INVESTIGATOR,
    ),
    ("NCT05482516", "I6.5.3", {"labs": (("platelets", 74, "10^9/L", None),)}, Verdict.INVESTIGATOR),
    (
        "NCT05482516",
        "E8",
        {"labs": (("systolic_bp", 151, "mmHg", None), ("diastolic_bp", 80, "mmHg", None))},
        Verdict.INVESTIGATOR,
    ),
    ("NCT05482516", "I6.5.11", {"labs": (("inr", 1.8, "{ratio}", 1.1),)}, Verdict.INVESTIGATOR),
    ("NCT05382559", "I4", {"ecog": 2}, Verdict.INVESTIGATOR),
    # held-out records: read by hand before the parser ran on them, never used to change it
    (
        "NCT03867682",
        "I8",
        {"labs": (("ast", 30, "U/L", 40.0), ("alt", 120, "U/L", 40.0))},
        Verdict.PASSES,
    ),
    (
        "NCT03867682",
        "I8",
        {"labs": (("ast", 30, "U/L", 40.0), ("alt", 121, "U/L", 40.0))},
        Verdict.FAILS,
    ),
    ("NCT03867682", "I9", {"labs": (("bilirubin", 3.0, "mg/dL", 1.0),)}, Verdict.PASSES),
    ("NCT03867682", "I9", {"labs": (("bilirubin", 3.1, "mg/dL", 1.0),)}, Verdict.FAILS),
    # QTcF > 470 ms read as the Fridericia-corrected QT, but "during the screening period" is
    # left unread, so the item stays with the investigator on both sides of the limit
    (
        "NCT03861156",
        "E5",
        {"labs": (("qt", 450, "ms", None), ("heart_rate", 100, "/min", None))},
        Verdict.INVESTIGATOR,
    ),
    (
        "NCT03861156",
        "E5",
        {"labs": (("qt", 400, "ms", None), ("heart_rate", 60, "/min", None))},
        Verdict.INVESTIGATOR,
    ),
    ("NCT03922152", "I3", {"age": 18}, Verdict.FAILS),
    ("NCT03922152", "I3", {"age": 19}, Verdict.PASSES),
    ("NCT03927456", "I5", {"ecog": 1}, Verdict.PASSES),
    ("NCT03927456", "I5", {"ecog": 2}, Verdict.FAILS),
    ("NCT03869814", "E1", {"age": 20}, Verdict.FAILS),
    ("NCT03869814", "E1", {"age": 21}, Verdict.PASSES),
]


@pytest.mark.parametrize(("nct", "item_id", "patient", "verdict"), CASES)
def test_screening_cases(nct: str, item_id: str, patient: dict[str, Any], verdict: Verdict) -> None:
    criterion = _read(ITEMS[(nct, item_id)])
    inclusion = (criterion,) if criterion.kind is CriterionKind.INCLUSION else ()
    exclusion = (criterion,) if criterion.kind is CriterionKind.EXCLUSION else ()
    eligibility = Eligibility(inclusion=inclusion, exclusion=exclusion)
    one = _patient(**patient)
    result = screen_patient(eligibility, one, as_of=AS_OF)
    assert result.criteria[0].verdict is verdict, result.criteria[0]
    # the vectorised screen gives the same status (issue 12: one logic, two paths)
    batch = screen_frames(eligibility, frames_from_patients([one]), as_of=AS_OF)
    assert batch.loc[one.id, criterion.id] == result.criteria[0].status.value
