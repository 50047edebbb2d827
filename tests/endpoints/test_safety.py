"""Treatment-emergent AEs and incidence tables, checked against counts worked out by hand.

The fixture trial: arm A (subjects 1–3, dosed), arm B (subjects 4–6; 6 never dosed); window
30 days after the last dose. Every TEAE rule and every category has a record that decides it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.endpoints.safety import (
    AE_CATEGORIES,
    TEAE_RULES,
    ae_incidence,
    ae_overview,
    derive_adae,
    worst_grade_table,
)
from oncotrial.errors import DictionaryError, SchemaError, ValueProblem
from oncotrial.formats.ctcae import load_ctcae


@pytest.fixture(scope="module")
def ctcae(shared: Path, tmp_path_factory: pytest.TempPathFactory):
    copy = tmp_path_factory.mktemp("ctcae") / "CTCAE_v5.0.csv"
    shutil.copy(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv", copy)
    return load_ctcae(copy)


SUBJECTS = pd.DataFrame(
    {
        "USUBJID": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "ARM": ["A", "A", "A", "B", "B", "B"],
        "TRTSDT": ["2024-01-10", "2024-01-12", "2024-02-01", "2024-01-15", "2024-01-20", ""],
        "TRTEDT": ["2024-04-10", "2024-03-01", "", "2024-05-01", "2024-02-20", ""],
    }
)

AE_ROWS = [
    # USUBJID, AESEQ, AEDECOD, AEBODSYS, grade, start, AEREL, AESER, AEACN   -> rule
    (
        "S1",
        1,
        "Fatigue",
        "General disorders and administration site conditions",
        "2",
        "2024-01-20",
        "RELATED",
        "N",
        "DOSE NOT CHANGED",
    ),  # TEAE-WINDOW
    ("S1", 2, "Fatigue", "", "3", "2024-02-15", "RELATED", "N", "DRUG INTERRUPTED"),  # worse
    (
        "S1",
        3,
        "Diarrhea",
        "Gastrointestinal disorders",
        "1",
        "2024-01-05",
        "NOT RELATED",
        "N",
        "NOT APPLICABLE",
    ),  # PRE-TREATMENT
    (
        "S2",
        1,
        "pneumonitis",
        "Respiratory, thoracic and mediastinal disorders",
        "3",
        "2024-03-25",
        "POSSIBLY RELATED",
        "Y",
        "DRUG WITHDRAWN",
    ),  # TEAE-WINDOW (day 24 after)
    (
        "S2",
        2,
        "Anemia",
        "Blood and lymphatic system disorders",
        "2",
        "2024-04-05",
        "N",
        "N",
        "",
    ),  # AFTER-WINDOW (35 days after last dose)
    ("S3", 1, "Diarrhea", "Gastrointestinal disorders", "2", "2024-06-01", "", "N", ""),
    # TEAE-ON-TREATMENT (no last dose yet); missing AEREL counts as related (imputed)
    (
        "S4",
        1,
        "Pneumonitis",
        "Respiratory, thoracic and mediastinal disorders",
        "5",
        "2024-03-01",
        "PROBABLY RELATED",
        "Y",
        "DRUG WITHDRAWN",
    ),  # TEAE-WINDOW, grade 5
    (
        "S5",
        1,
        "Hypothyroidism",
        "Endocrine disorders",
        "2",
        "",
        "UNLIKELY RELATED",
        "N",
        "DOSE NOT CHANGED",
    ),  # TEAE-MISSING-ONSET
    (
        "S6",
        1,
        "Fatigue",
        "General disorders and administration site conditions",
        "1",
        "2024-02-01",
        "N",
        "N",
        "",
    ),  # NOT-DOSED
]
AE = pd.DataFrame(
    AE_ROWS,
    columns=[
        "USUBJID",
        "AESEQ",
        "AEDECOD",
        "AEBODSYS",
        "AETOXGR",
        "AESTDTC",
        "AEREL",
        "AESER",
        "AEACN",
    ],
)


@pytest.fixture(scope="module")
def adae(ctcae) -> pd.DataFrame:
    return derive_adae(AE, SUBJECTS, dictionary=ctcae, window_days=30)


def test_every_teae_rule_decides_its_record(adae: pd.DataFrame) -> None:
    assert adae["TEAERULE"].tolist() == [
        "TEAE-WINDOW",
        "TEAE-WINDOW",
        "PRE-TREATMENT",
        "TEAE-WINDOW",
        "AFTER-WINDOW",
        "TEAE-ON-TREATMENT",
        "TEAE-WINDOW",
        "TEAE-MISSING-ONSET",
        "NOT-DOSED",
    ]
    assert adae["TRTEMFL"].tolist() == ["Y", "Y", "N", "Y", "N", "Y", "Y", "Y", "N"]
    for rule in adae["TEAERULE"]:
        assert rule in TEAE_RULES
        assert TEAE_RULES[rule].source


def test_terms_are_canonical_and_flags_derived(adae: pd.DataFrame) -> None:
    assert adae.loc[3, "AEDECOD"] == "Pneumonitis"  # typed in lower case
    assert adae.loc[1, "AESOC"] == "General disorders and administration site conditions"
    assert adae["AERELFL"].tolist() == ["Y", "Y", "N", "Y", "N", "Y", "Y", "N", "N"]
    assert adae["AERELIMP"].tolist()[5] == "Y"
    assert adae["AEDISCFL"].tolist() == ["N", "N", "N", "Y", "N", "N", "Y", "N", "N"]


def test_window_boundary_is_inclusive(ctcae) -> None:
    rows = AE.iloc[[4]].copy()
    rows["AESTDTC"] = "2024-03-31"  # exactly 30 days after S2's last dose (2024-03-01)
    assert derive_adae(rows, SUBJECTS, dictionary=ctcae, window_days=30)["TRTEMFL"].tolist() == [
        "Y"
    ]
    rows["AESTDTC"] = "2024-01-12"  # the first dose day itself
    assert derive_adae(rows, SUBJECTS, dictionary=ctcae, window_days=30)["TRTEMFL"].tolist() == [
        "Y"
    ]


def test_incidence_any_grade(adae: pd.DataFrame) -> None:
    table = ae_incidence(adae, SUBJECTS)
    assert table.arms == ("A", "B", "Total")
    assert table.denominators == (3, 2, 5)  # S6 never dosed: not in the safety population
    overall = table.rows[0]
    # A: S1, S2, S3 have a TEAE; B: S4, S5
    assert [c.n for c in overall.counts] == [3, 2, 5]
    rows = {(r.soc, r.term): [c.n for c in r.counts] for r in table.rows[1:]}
    assert rows[("Respiratory, thoracic and mediastinal disorders", None)] == [1, 1, 2]
    assert rows[("Gastrointestinal disorders", "Diarrhea")] == [1, 0, 1]  # S1's was before dosing
    assert rows[("General disorders and administration site conditions", "Fatigue")] == [1, 0, 1]
    assert ("Blood and lymphatic system disorders", None) not in rows  # after the window
    # SOCs by descending total count: respiratory (2) first
    assert table.rows[1].soc == "Respiratory, thoracic and mediastinal disorders"
    assert overall.counts[0].describe() == "3 (100.0%)"
    assert table.to_frame().iloc[0]["Total (N=5)"] == "5 (100.0%)"


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("GRADE3", [2, 1, 3]),  # S1 fatigue G3, S2 pneumonitis G3, S4 pneumonitis G5
        ("GRADE5", [0, 1, 1]),
        ("RELATED", [3, 1, 4]),  # S3's missing AEREL counts as related; S5 unlikely → not
        ("SERIOUS", [1, 1, 2]),
        ("DISCONTINUATION", [1, 1, 2]),
    ],
)
def test_incidence_categories(adae: pd.DataFrame, category: str, expected: list[int]) -> None:
    table = ae_incidence(adae, SUBJECTS, category)
    assert [c.n for c in table.rows[0].counts] == expected
    assert table.category is AE_CATEGORIES[category]


def test_overview_and_worst_grade(adae: pd.DataFrame) -> None:
    overview = {rule.id: [c.n for c in counts] for rule, counts in ae_overview(adae, SUBJECTS)}
    assert overview == {
        "ANY": [3, 2, 5],
        "GRADE3": [2, 1, 3],
        "GRADE5": [0, 1, 1],
        "RELATED": [3, 1, 4],
        "SERIOUS": [1, 1, 2],
        "DISCONTINUATION": [1, 1, 2],
    }
    worst = worst_grade_table(adae, SUBJECTS)
    fatigue = next(r for r in worst.rows if r.term == "Fatigue")
    # S1 had fatigue grade 2 then 3: counted once, at the worst grade
    assert [c.n for c in fatigue.any_grade] == [1, 0, 1]
    assert [c.n for c in fatigue.grade3] == [1, 0, 1]
    assert [c.n for c in fatigue.grade5] == [0, 0, 0]
    pneumonitis = next(r for r in worst.rows if r.term == "Pneumonitis")
    assert [c.n for c in pneumonitis.grade5] == [0, 1, 1]


def test_unknown_term_suggests_the_closest(ctcae) -> None:
    bad = AE.iloc[[0, 3]].copy()
    bad["AEDECOD"] = ["Fatigu", "Pneumonitis"]
    with pytest.raises(DictionaryError) as info:
        derive_adae(bad, SUBJECTS, dictionary=ctcae, window_days=30)
    text = info.value.report()
    assert "'Fatigu' is not a CTCAE v5.0 term" in text
    assert "Fatigue" in text
    assert "subject S1, AESEQ 1" in text


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("AETOXGR", "4", "grade 4 is not defined for 'Fatigue'"),
        ("AETOXGR", "severe", "whole number"),
        ("AEBODSYS", "Cardiac disorders", "does not match CTCAE"),
        ("AESTDTC", "2024-02", "partial date '2024-02'"),
        ("AESTDTC", "20/02/2024", "not an ISO 8601 date"),
        ("AEREL", "MAYBE", "unknown relationship"),
        ("AESER", "", "AESER must be Y or N"),
        ("USUBJID", "S9", "not in the subject table"),
    ],
)
def test_bad_records_are_named(ctcae, column: str, value: str, message: str) -> None:
    bad = AE.iloc[[0]].copy()
    bad[column] = value
    with pytest.raises(ValueProblem) as info:
        derive_adae(bad, SUBJECTS, dictionary=ctcae, window_days=30)
    assert message in info.value.report()
    assert column in info.value.report()


def test_missing_columns(ctcae) -> None:
    with pytest.raises(SchemaError, match="AETOXGR"):
        derive_adae(AE.drop(columns="AETOXGR"), SUBJECTS, dictionary=ctcae, window_days=30)
