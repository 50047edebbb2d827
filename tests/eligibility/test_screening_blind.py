"""Screening cases on the blind round-4 corpus where a misread would flip the verdict (issue 12).

The items are those of ``corpus/blind_round4.json`` (read by the parser record by record, as
``test_corpus_blind`` reads them). Every expected verdict was decided by a person from the item's
own words and committed before the parser was run on these records: the patient *passes* (an
inclusion met, an exclusion not met), *fails*, or no verdict is possible (``UNKNOWN``: the text
cannot be read without guessing). Each case names the misread that would give the opposite
verdict. Judged as in ``test_screening_cases``: *right*, *not computed* (the engine leaves the item
with the investigator or unknown: never wrong) or *wrong*; the vectorised screen must give the
per-patient status.
"""

from __future__ import annotations

from typing import Any

import pytest

from oncotrial.eligibility.patient import Patient

from .corpus_measure import (
    AS_OF,
    DAY,
    FAILS,
    PASSES,
    UNKNOWN,
    Case,
    Lab,
    check_case,
    count_judgements,
    judged,
)
from .test_corpus_blind import ITEMS, READ


def _patient(
    age: int = 60,
    sex: str = "male",
    ecog: int | None = None,
    karnofsky: int | None = None,
    labs: tuple[Lab, ...] = (),
    conditions: tuple[str, ...] | None = (),
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
        # () is "recorded: none" (no liver metastases, no Gilbert's); None is "not recorded"
        "conditions": None if conditions is None else [{"text": c} for c in conditions],
    }
    if ecog is not None:
        data["performance_status"] = [{"scale": "ECOG", "score": ecog, "date": DAY}]
    if karnofsky is not None:
        data["performance_status"] = [{"scale": "Karnofsky", "score": karnofsky, "date": DAY}]
    return Patient.model_validate(data)


ALT_OK: Lab = ("alt", 30, "U/L", 40.0)
AST_OK: Lab = ("ast", 30, "U/L", 40.0)
ALP_OK: Lab = ("alp", 100, "U/L", 120.0)
BILI_OK: Lab = ("bilirubin", 0.8, "mg/dL", 1.2)
LIVER_METS = ("Liver metastases",)
GILBERT = ("Gilbert's syndrome",)

CASES: list[Case] = [
    # ---- NCT05715229 I13: AST, ALT < 2.5 × ULN without, < 5 × ULN with liver metastases
    Case(
        "NCT05715229",
        "I13",
        {"labs": (("alt", 160, "U/L", 40.0), AST_OK), "conditions": LIVER_METS},
        PASSES,
        "liver-metastasis branch dropped: ALT 4 × ULN fails < 2.5 × ULN",
    ),
    Case(
        "NCT05715229",
        "I13",
        {"labs": (("alt", 160, "U/L", 40.0), AST_OK)},
        FAILS,
        "only the liver-metastasis branch kept: ALT 4 × ULN passes < 5 × ULN",
    ),
    # ---- NCT05715229 I14: bilirubin < 1.5 × ULN; < 3 × ULN with Gilbert's or liver metastases
    Case(
        "NCT05715229",
        "I14",
        {"labs": (("bilirubin", 2.4, "mg/dL", 1.2),), "conditions": GILBERT},
        PASSES,
        "Gilbert's branch dropped: 2 × ULN fails < 1.5 × ULN",
    ),
    Case(
        "NCT05715229",
        "I14",
        {"labs": (("bilirubin", 2.4, "mg/dL", 1.2),)},
        FAILS,
        "the raised limit applied without Gilbert's or liver metastases (a silent pass)",
    ),
    # ---- NCT05715229 I16: creatinine ≤ 1.5 × ULN OR Cockcroft-Gault ≥ 60 mL/min
    Case(
        "NCT05715229",
        "I16",
        {
            "age": 40,
            # creatinine 1.67 × ULN; (140 - 40) × 90 / (72 × 2.0) = 62.5 mL/min
            "labs": (("creatinine", 2.0, "mg/dL", 1.2), ("weight", 90, "kg", None)),
        },
        PASSES,
        "alternatives AND-ed: creatinine 1.67 × ULN fails alone",
    ),
    # ---- NCT05715229 I15: ANC > 1500 cells/mm3 (strict)
    Case(
        "NCT05715229",
        "I15",
        {"labs": (("neutrophils", 1500, "/uL", None),)},
        FAILS,
        "'> 1500' read as ≥ 1500",
    ),
    # ---- NCT06141031 I14: measured > 40 mL/min OR Cockcroft-Gault > 40 mL/min
    Case(
        "NCT06141031",
        "I14",
        {
            "age": 80,
            # (140 - 80) × 50 / (72 × 1.5) = 27.8 mL/min; the 24-hour clearance is 45 mL/min
            "labs": (
                ("creatinine", 1.5, "mg/dL", 1.2),
                ("weight", 50, "kg", None),
                ("creatinine_clearance_measured", 45, "mL/min", None),
            ),
        },
        PASSES,
        "only the Cockcroft-Gault estimate read (or the alternatives AND-ed): 27.8 mL/min",
    ),
    # ---- NCT06141031 E11: ionized Ca > 1.5 mmol/L, Ca > 12 mg/dL or corrected Ca > ULN
    Case(
        "NCT06141031",
        "E11",
        {
            "labs": (
                ("calcium_ionized", 1.2, "mmol/L", None),
                ("calcium", 11.0, "mg/dL", 10.2),
                ("calcium_corrected", 10.0, "mg/dL", 10.2),
            )
        },
        PASSES,
        "'corrected serum calcium > ULN' applied to total calcium (11.0 > ULN 10.2)",
    ),
    Case(
        "NCT06141031",
        "E11",
        {
            "labs": (
                ("calcium_ionized", 1.3, "mmol/L", None),
                ("calcium", 12.5, "mg/dL", 10.2),
                ("calcium_corrected", 10.1, "mg/dL", 10.2),
            )
        },
        FAILS,
        "total calcium > 12 mg/dL dropped, or read as corrected calcium",
    ),
    # ---- NCT06141031 I12: total bilirubin ≤ 2 mg/dL; 30 µmol/L = 1.75 mg/dL
    Case(
        "NCT06141031",
        "I12",
        {"labs": (("bilirubin", 30, "umol/L", 20.0),)},
        PASSES,
        "µmol/L not converted: 30 > 2",
    ),
    # ---- NCT06141031 I13: AST/ALT/ALP ≤ 3 × ULN
    Case(
        "NCT06141031",
        "I13",
        {"labs": (AST_OK, ALT_OK, ("alp", 400, "U/L", 120.0))},
        FAILS,
        "'AST/ALT/ALP' read as AST and ALT only: ALP 3.3 × ULN",
    ),
    # ---- NCT06141031 I7: ECOG ≤ 2 or Karnofsky ≥ 60 %
    Case(
        "NCT06141031",
        "I7",
        {"karnofsky": 60},
        PASSES,
        "the Karnofsky alternative dropped or AND-ed with ECOG, or '≥ 60%' read as > 60",
    ),
    # ---- NCT03203525 I7: bilirubin ≤ 1.5 × ULN; Gilbert's ≤ 3.0 mg/dL
    Case(
        "NCT03203525",
        "I7",
        {"labs": (("bilirubin", 2.8, "mg/dL", 1.2),), "conditions": GILBERT},
        PASSES,
        "Gilbert's branch dropped: 2.33 × ULN fails 1.5 × ULN",
    ),
    Case(
        "NCT03203525",
        "I7",
        {"labs": (("bilirubin", 2.8, "mg/dL", 1.2),)},
        FAILS,
        "only the Gilbert's branch kept (the silent pass of issue 12)",
    ),
    # ---- NCT03203525 E7: QTc (Bazett) > 480 ms excludes; QT 420 ms at 80/min
    Case(
        "NCT03203525",
        "E7",
        {"labs": (("qt", 420, "ms", None), ("heart_rate", 80, "/min", None))},
        FAILS,
        "Fridericia for the named Bazett: QTcF 462 ms, QTcB 485 ms; or uncorrected QT 420 ms",
    ),
    # ---- NCT03203525 I9: creatinine ≤ 1.5 mg/dL OR calculated clearance ≥ 50 mL/min
    Case(
        "NCT03203525",
        "I9",
        {
            "age": 50,
            # (140 - 50) × 80 / (72 × 1.8) = 55.6 mL/min
            "labs": (("creatinine", 1.8, "mg/dL", 1.2), ("weight", 80, "kg", None)),
        },
        PASSES,
        "alternatives AND-ed: creatinine 1.8 mg/dL fails alone",
    ),
    # ---- NCT06006923 I6.10: Cockcroft-Gault ≥ 50 mL/min OR creatinine ≤ 1.5 × ULN
    Case(
        "NCT06006923",
        "I6.10",
        {
            "age": 85,
            "sex": "female",
            # 0.85 × (140 - 85) × 45 / (72 × 1.0) = 29.2 mL/min; creatinine 0.91 × ULN
            "labs": (("creatinine", 1.0, "mg/dL", 1.1), ("weight", 45, "kg", None)),
        },
        PASSES,
        "alternatives AND-ed: clearance 29 mL/min fails alone",
    ),
    # ---- NCT06006923 I6.3: WBC ≥ 2.5 × 109 /L (a lost superscript)
    Case(
        "NCT06006923",
        "I6.3",
        {"labs": (("leukocytes", 3.0, "10^9/L", None),)},
        PASSES,
        "'109 /L' read as 109 per litre, or WBC read as ANC",
    ),
    Case(
        "NCT06006923",
        "I6.3",
        {"labs": (("leukocytes", 2.4, "10^9/L", None), ("neutrophils", 1.8, "10^9/L", None))},
        FAILS,
        "WBC read as ANC",
    ),
    # ---- NCT06006923 I6.8: bilirubin ≤ 1.5 × ULN (≤ 3 × ULN with Gilbert's)
    Case(
        "NCT06006923",
        "I6.8",
        {"labs": (("bilirubin", 3.0, "mg/dL", 1.2),)},
        FAILS,
        "the Gilbert's limit applied to every patient: 2.5 × ULN",
    ),
    # ---- NCT01638676 I6.1: ANC ≥ 1.0 x 109/L
    Case(
        "NCT01638676",
        "I6.1",
        {"labs": (("neutrophils", 1.2, "10^9/L", None),)},
        PASSES,
        "'109/L' read as 109 per litre",
    ),
    Case(
        "NCT01638676",
        "I6.1",
        {"labs": (("neutrophils", 900, "/uL", None),)},
        FAILS,
        "/µL not converted: 900 ≥ 1.0",
    ),
    # ---- NCT06660407 I9: total bilirubin ≤ 1.5 × ULN, or direct ≤ ULN if total > 1.5 × ULN
    Case(
        "NCT06660407",
        "I9",
        {
            "labs": (
                ("bilirubin", 2.0, "mg/dL", 1.2),
                ("bilirubin_direct", 0.3, "mg/dL", 0.4),
            )
        },
        PASSES,
        "the direct-bilirubin alternative dropped or AND-ed: total 1.67 × ULN",
    ),
    # ---- NCT06660407 I10: ALT and AST ≤ 2.5 × ULN (≤ 5 × ULN with liver involvement)
    Case(
        "NCT06660407",
        "I10",
        {"labs": (("alt", 160, "U/L", 40.0), AST_OK), "conditions": LIVER_METS},
        PASSES,
        "liver branch dropped: ALT 4 × ULN",
    ),
    # ---- NCT05204147 I4: Karnofsky ≥ 60 %
    Case("NCT05204147", "I4", {"karnofsky": 60}, PASSES, "'>= 60%' read as > 60"),
    # ---- NCT05651022 E9: QTcF > 470 ms (females), > 450 ms (males) excludes
    Case(
        "NCT05651022",
        "E9",
        # QTcF = 415 / 0.75^(1/3) = 456.8 ms: above the male limit, below the female one
        {"labs": (("qt", 415, "ms", None), ("heart_rate", 80, "/min", None))},
        FAILS,
        "the female limit applied to a man (or the sexes swapped), or uncorrected QT 415 ms",
    ),
    # ---- NCT06644768 E7.1: mean QTcF > 470 ms excludes
    Case(
        "NCT06644768",
        "E7.1",
        # QTcF = 420 / 0.6^(1/3) = 498 ms
        {"labs": (("qt", 420, "ms", None), ("heart_rate", 100, "/min", None))},
        FAILS,
        "uncorrected QT: 420 ms < 470 ms",
    ),
    # ---- NCT04486833 I12: creatinine ≤ 1.5 mg/dL or calculated clearance > 50 mL/min
    Case(
        "NCT04486833",
        "I12",
        {
            "age": 45,
            # (140 - 45) × 85 / (72 × 1.7) = 66.0 mL/min
            "labs": (("creatinine", 1.7, "mg/dL", 1.2), ("weight", 85, "kg", None)),
        },
        PASSES,
        "alternatives AND-ed: creatinine 1.7 mg/dL fails alone",
    ),
    # ---- NCT06566443 E8: ECOG ≥ 2 excludes
    Case("NCT06566443", "E8", {"ecog": 2}, FAILS, "'≥ 2' read as > 2"),
    # ---- NCT06403436 I7: Cockcroft-Gault > 60 mL/min or creatinine < 1.5 mg/dL
    Case(
        "NCT06403436",
        "I7",
        {
            "age": 80,
            # (140 - 80) × 50 / (72 × 1.4) = 29.8 mL/min
            "labs": (("creatinine", 1.4, "mg/dL", 1.2), ("weight", 50, "kg", None)),
        },
        PASSES,
        "alternatives AND-ed: clearance 29.8 mL/min fails alone",
    ),
    # ---- NCT06710223 I11.2: platelets ≥ 50,000/ mm^3 (a space before the unit)
    Case(
        "NCT06710223",
        "I11.2",
        {"labs": (("platelets", 45, "10^9/L", None),)},
        FAILS,
        "/mm^3 not converted: 45 ≥ 50,000 never holds, or holds if the unit is dropped",
    ),
    # ---- NCT04677413 I7.3: platelets ≥ 75,000/mL: a count per millilitre (per µL meant)
    Case(
        "NCT04677413",
        "I7.3",
        {"labs": (("platelets", 50, "10^9/L", None),)},
        UNKNOWN,
        "the written unit taken at its word: 50 × 10^9/L is 5 × 10^7/mL ≥ 75,000/mL",
    ),
    # ---- NCT03138161 I1.9: AST, ALT, ALP ≤ 3 × ULN (≤ 5 × ULN with liver metastases)
    Case(
        "NCT03138161",
        "I1.9",
        {
            "labs": (BILI_OK, AST_OK, ALT_OK, ("alp", 500, "U/L", 120.0)),
            "conditions": LIVER_METS,
        },
        PASSES,
        "liver branch dropped for ALP: 4.2 × ULN",
    ),
    # ---- NCT05500092 I7.2: ANC ≥ 1.5 x 109/L
    Case(
        "NCT05500092",
        "I7.2",
        {"labs": (("neutrophils", 1.6, "10^9/L", None),)},
        PASSES,
        "'109/L' read as 109 per litre",
    ),
]


# defects of the current engine found by this blind set: the case keeps its expected verdict
# and the test fails loudly (strict xfail) once the defect is fixed
DEFECTS: dict[int, str] = {}


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=f"{case.nct}-{case.item}-{i}",
            marks=[pytest.mark.xfail(strict=True, reason=DEFECTS[i])] if i in DEFECTS else [],
        )
        for i, case in enumerate(CASES)
    ]


def _judged() -> list[str]:
    return judged(((READ[(c.nct, c.item)], _patient(**c.patient), c.truth) for c in CASES), AS_OF)


def tally() -> dict[str, int]:
    return count_judgements(_judged())


def test_every_case_quotes_a_blind_item() -> None:
    assert len(CASES) >= 15
    for case in CASES:
        assert (case.nct, case.item) in ITEMS, case
        assert case.truth in {PASSES, FAILS, UNKNOWN}
    assert len({(c.nct, c.item, repr(c.patient)) for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", _params())
def test_screening_case(case: Case) -> None:
    criterion = READ[(case.nct, case.item)]
    check_case(criterion, _patient(**case.patient), case.truth, AS_OF, case.misread)


def test_no_wrong_verdict() -> None:
    wrong = [i for i, judged in enumerate(_judged()) if judged == "wrong"]
    assert set(wrong) <= set(DEFECTS), wrong


def test_the_tally_stated_in_the_docs() -> None:
    # docs/eligibility.md and bench/RESULTS.md state it (at the first run, main df62b28: 7
    # decided right, 1 left undecided right, 26 not computed, 0 wrong); 9 decided right and 24
    # not computed before windows to registration (wave/anchors, not tuned here); 10 and 23
    # before the windows and method words of test_lab_window_phrasings (wave/labwindow, not
    # tuned here); 11 and 22 before a first limit written for patients without a condition
    # (reading_lab_without, wave/labexcept; development records, not tuned here); 13 and 20
    # before the lab limit spellings of test_lab_limit_spellings (wave/labnums; development
    # records, not tuned here, the case not looked at); 14 and 19 before the Cockcroft-Gault
    # formula named between alternatives and the "unless there are … in which case" condition
    # (reading_labs, reading_lab_cues; development records, not tuned here, the case not looked
    # at)
    assert tally() == {
        "cases": 34,
        "decided right": 15,
        "left undecided right": 1,
        "not computed": 18,
        "wrong": 0,
    }
