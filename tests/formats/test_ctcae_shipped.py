"""The CTCAE v5.0 shipped with oncotrial is NCI's list: every term checked against the reference
copy in ../shared/reference/ctcae/CTCAE_v5.0.csv (a CSV export of NCI's workbook).

The reference CSV lost its non-ASCII characters on export: "≥" and the non-breaking space became
"?" (and its grade headers end in "??"); an undefined grade is " -". The comparison allows exactly
that: where the shipped text has a non-ASCII character, the reference may have "?".
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from oncotrial.formats.ctcae import BUNDLED_CTCAE, load_ctcae

FIELDS = ("code", "soc", "term", "g1", "g2", "g3", "g4", "g5", "definition", "note")


def _rows(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        table = list(csv.reader(handle))
    return [dict(zip(FIELDS, row, strict=False)) for row in table[1:] if any(row)]


def _spaced(text: str) -> str:
    """ASCII white space runs as one space (a non-breaking space is a character here)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _pattern(shipped: str) -> re.Pattern[str]:
    """The reference's text for ``shipped``: same words, a non-ASCII character may be '?'."""
    parts = [
        "[?" + re.escape(ch) + "]" if ord(ch) > 127 else re.escape(ch) for ch in _spaced(shipped)
    ]
    return re.compile("".join(parts))


@pytest.fixture(scope="module")
def reference(shared: Path) -> list[dict[str, str]]:
    return _rows(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv", "utf-8-sig")


@pytest.fixture(scope="module")
def shipped() -> list[dict[str, str]]:
    return _rows(BUNDLED_CTCAE, "utf-8")


def test_same_837_terms_in_the_same_order(shipped, reference) -> None:
    assert len(shipped) == len(reference) == 837
    assert [r["term"] for r in shipped] == [r["term"].strip() for r in reference]
    assert [r["code"] for r in shipped] == [r["code"].strip() for r in reference]
    assert [r["soc"] for r in shipped] == [r["soc"].strip() for r in reference]
    assert len({r["soc"] for r in shipped}) == 26


def test_every_grade_definition_and_note_matches(shipped, reference) -> None:
    mismatches = []
    undefined = 0
    for ours, theirs in zip(shipped, reference, strict=True):
        for name in FIELDS[3:]:
            expected = _spaced(theirs[name])
            if expected == "-":
                undefined += 1
            if not _pattern(ours[name]).fullmatch(expected):
                mismatches.append((ours["term"], name, ours[name][:60], expected[:60]))
    assert mismatches == []
    assert undefined > 1000  # e.g. grades 4-5 of most symptom terms: the check saw them


def test_the_shipped_dictionary_reads_as_the_reference_does(shared: Path) -> None:
    ours = load_ctcae(BUNDLED_CTCAE)
    theirs = load_ctcae(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv")
    assert set(ours.terms) == set(theirs.terms)
    for key, entry in ours.terms.items():
        other = theirs.terms[key]
        assert (entry.term, entry.soc, entry.meddra_code) == (
            other.term,
            other.soc,
            other.meddra_code,
        )
        assert entry.defined_grades == other.defined_grades, entry.term
    # a sample, spelled out
    pneumonitis = ours.lookup("Pneumonitis")
    assert pneumonitis.meddra_code == "10035742"
    assert pneumonitis.soc == "Respiratory, thoracic and mediastinal disorders"
    assert pneumonitis.grade_definition(1) == (
        "Asymptomatic; clinical or diagnostic observations only; intervention not indicated"
    )
    assert pneumonitis.definition is not None and pneumonitis.definition.startswith(
        "A disorder characterized by inflammation focally or diffusely affecting the lung"
    )
    hypertension = ours.lookup("Hypertension")
    assert "Adolescent: BP ≥120/80" in (hypertension.grade_definition(1) or "")
    alopecia = ours.lookup("Alopecia")
    assert alopecia.defined_grades == (1, 2)
    noted = [t for t in ours.terms.values() if t.navigational_note]
    assert len(noted) == 74
    assert ours.lookup("Abdominal pain").navigational_note is None


def test_attribution_ships_beside_the_data() -> None:
    notice = (BUNDLED_CTCAE.parent / "CTCAE_v5.0.README.txt").read_text(encoding="utf-8")
    assert "National Cancer Institute" in notice and "27 November 2017" in notice
    assert "MedDRA" in notice
