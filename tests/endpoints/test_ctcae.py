"""The CTCAE v5.0 dictionary loads from NCI's file and rejects unknown terms helpfully."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncotrial.errors import ConfigurationError, DictionaryError, ValueProblem
from oncotrial.formats.ctcae import BUNDLED_CTCAE, load_ctcae


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


def test_without_a_named_file_the_shipped_ctcae_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONCOTRIAL_CTCAE", raising=False)
    dictionary = load_ctcae()
    assert dictionary.source == str(BUNDLED_CTCAE)
    assert dictionary.version == "5.0"
    assert dictionary.description == (
        "CTCAE v5.0 (NCI's publication of 27 November 2017, shipped with oncotrial)"
    )
    assert len(dictionary) == 837


def test_a_named_file_that_is_missing_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOTRIAL_CTCAE", str(tmp_path / "gone.xlsx"))
    with pytest.raises(ConfigurationError, match="ONCOTRIAL_CTCAE points to") as info:
        load_ctcae()
    assert "unset ONCOTRIAL_CTCAE" in str(info.value)
    with pytest.raises(ConfigurationError, match="not found"):
        load_ctcae(tmp_path / "missing.csv")


def test_a_data_directory_copy_overrides_the_shipped_one(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCOTRIAL_CTCAE", raising=False)
    monkeypatch.setenv("ONCOTRIAL_HOME", str(tmp_path))
    copy = tmp_path / "CTCAE_v5.0.csv"
    copy.write_bytes((shared / "reference/ctcae/CTCAE_v5.0.csv").read_bytes())
    dictionary = load_ctcae()
    assert dictionary.source == str(copy.resolve())
    assert dictionary.description == f"CTCAE v5.0 (file {copy.resolve()})"


def test_a_later_version_is_named_by_its_file(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = tmp_path / "CTCAE_v6.0.csv"
    later.write_bytes((shared / "reference/ctcae/CTCAE_v5.0.csv").read_bytes())
    monkeypatch.setenv("ONCOTRIAL_CTCAE", str(later))
    assert load_ctcae().description == f"CTCAE v6.0 (file {later.resolve()})"
    unnamed = tmp_path / "terms.csv"
    unnamed.write_bytes(later.read_bytes())
    assert load_ctcae(unnamed).description.endswith("its name states no version, taken as 5.0)")


def test_env_variable_points_to_file(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCOTRIAL_CTCAE", str(shared / "reference/ctcae/CTCAE_v5.0.csv"))
    assert len(load_ctcae()) == 837
