"""The CTCAE v5.0 dictionary loads from NCI's file and rejects unknown terms helpfully."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncotrial.errors import ConfigurationError, DictionaryError, ValueProblem
from oncotrial.formats.ctcae import load_ctcae


@pytest.fixture(scope="module")
def ctcae(shared: Path):
    return load_ctcae(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv")


def test_all_837_terms_load(ctcae) -> None:
    assert len(ctcae) == 837
    assert "Pneumonitis" in ctcae
    assert "  pneumonitis " in ctcae
    assert len(ctcae.socs) == 26


def test_grade_definitions_and_undefined_grades(ctcae) -> None:
    anemia = ctcae.lookup("Anemia")
    assert anemia.soc == "Blood and lymphatic system disorders"
    assert anemia.grade_definition(5) == "Death"
    assert anemia.defined_grades == (1, 2, 3, 4, 5)
    alopecia = ctcae.lookup("Alopecia")
    assert alopecia.defined_grades == (1, 2)
    with pytest.raises(ValueProblem, match="grade 3 is not defined for 'Alopecia'"):
        ctcae.check_grade("Alopecia", 3)
    with pytest.raises(ValueProblem, match="outside CTCAE grades"):
        ctcae.check_grade("Anemia", 6)


def test_unknown_term_suggests_closest(ctcae) -> None:
    with pytest.raises(DictionaryError) as info:
        ctcae.lookup("Pneumonitiss", record="AE 3")
    message = str(info.value)
    assert "not a CTCAE v5.0 term" in message
    assert "Pneumonitis" in message
    assert "record AE 3" in message
    assert "Alanine aminotransferase increased" in ctcae.closest("ALT increased alanine")


def test_missing_dictionary_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONCOTRIAL_CTCAE", raising=False)
    with pytest.raises(ConfigurationError, match=r"ctep\.cancer\.gov"):
        load_ctcae()


def test_env_variable_points_to_file(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCOTRIAL_CTCAE", str(shared / "reference/ctcae/CTCAE_v5.0.csv"))
    assert len(load_ctcae()) == 837
