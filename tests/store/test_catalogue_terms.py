"""The database's import checks are the catalogue's: its controlled terms and its CTCAE grade
rule, in the same words data entry uses (docs/catalogue.md)."""

from __future__ import annotations

import pandas as pd

from oncotrial.catalogue.registry import IMPORT_TERMS


def test_the_import_refuses_exactly_the_catalogues_terms(store) -> None:
    from oncotrial.store.validation import CONTROLLED_TERMS

    assert CONTROLLED_TERMS is IMPORT_TERMS
    sex = next(t for t in IMPORT_TERMS if t.variable == "SEX")
    assert sex.allowed == {"M", "F", "U", "UNDIFFERENTIATED"}


def test_the_import_refuses_an_undefined_grade_in_the_catalogues_words(store, ctcae) -> None:
    """The 'grade defined for the term' check is one function: import says what entry says."""
    from oncotrial.store.validation import validate_frames

    dm = pd.DataFrame({"STUDYID": ["S"], "DOMAIN": ["DM"], "USUBJID": ["S-1"]}, dtype=object)
    ae = pd.DataFrame(
        {
            "STUDYID": ["S"],
            "DOMAIN": ["AE"],
            "USUBJID": ["S-1"],
            "AESEQ": ["1"],
            "AEDECOD": ["Alopecia"],
            "AETOXGR": ["3"],
        },
        dtype=object,
    )
    problems = validate_frames({"DM": dm, "AE": ae}, {}, studyid="S", ctcae=lambda: ctcae)
    assert [p.message for p in problems] == [
        "grade 3 is not defined for 'Alopecia' in CTCAE v5.0 (defined grades: 1, 2)"
    ]
