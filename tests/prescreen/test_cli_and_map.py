"""The concept map, the synthetic population and the two commands, end to end."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oncotrial.catalogue.labs import LAB_TESTS
from oncotrial.cli import main
from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.concepts import CONDITIONS, PROCEDURES, THERAPIES
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.prescreen.concepts import (
    UNMAPPED_MARKER,
    concept_map,
    map_eligibility,
    unverified_criteria,
)
from oncotrial.simulate.omop import OMOP_TABLES, omop_population


def test_map_is_versioned_and_covers_the_vocabulary() -> None:
    cmap = concept_map()
    assert cmap.cdm_version == "5.4" and cmap.vocabulary_version.startswith("v5.0 ")
    # An analyte without an OMOP concept is declared unmapped, with the reason: albumin-corrected
    # calcium was 3005999, a digoxin dose concept (see the map's corrections); no public source
    # gave the id of LOINC 29265-6, so it is unmapped, not guessed.
    unmapped_analytes = _raw_map()["unmapped"]["measurements"]
    assert set(ANALYTES) - set(cmap.measurements) == set(unmapped_analytes)
    assert "calcium_corrected" in unmapped_analytes
    assert all(len(reason) > 20 for reason in unmapped_analytes.values())
    # a drug class without OMOP ingredient ids is declared unmapped, with the reason
    unmapped_classes = _raw_map()["unmapped"]["drug_classes"]
    assert set(THERAPIES) - set(cmap.drug_classes) == set(unmapped_classes)
    assert not set(cmap.drug_classes) - set(THERAPIES)
    assert all(len(reason) > 20 for reason in unmapped_classes.values())
    unmapped_conditions = set(CONDITIONS) - set(cmap.conditions)
    # a condition without an OMOP concept is declared unmapped, with the reason, never silently
    declared = _raw_map()["unmapped"]["conditions"]
    assert unmapped_conditions == set(declared)
    assert all(len(reason) > 20 for reason in declared.values())
    ids = [cid for ids in cmap.raw_conditions.values() for cid in ids]  # each declared once
    assert len(ids) == len(set(ids))


def _raw_map() -> dict[str, Any]:
    text = resources.files("oncotrial.prescreen").joinpath("data/omop_concepts.json")
    raw: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return raw


def test_unmapped_rules_are_unknown_and_reported() -> None:
    mapped, unmapped = map_eligibility(find_protocol("002").eligibility)
    # E5-1.1.3 (corrected calcium > ULN) since its concept id was found to be a digoxin concept
    assert {u.rule_id for u in unmapped} == {
        "I3-2",
        "I3-4.1",
        "I5-1",
        "E5-1.1.3",
        "E11-1",
        "E14-1",
    }
    stand_ins = [
        r for c in mapped.criteria for r in c.rules if getattr(r, "marker", None) == UNMAPPED_MARKER
    ]
    # I3-4.1 and E5-1.1.3 are nested
    assert {r.id for r in stand_ins} == {"I3-2", "I5-1", "E11-1", "E14-1"}


def test_population_is_deterministic_and_in_omop_names() -> None:
    vocab = concept_map().vocabulary()
    a = omop_population(vocab, 200, seed=3, as_of=dt.date(2026, 1, 1))
    b = omop_population(vocab, 200, seed=3, as_of=dt.date(2026, 1, 1))
    c = omop_population(vocab, 200, seed=4, as_of=dt.date(2026, 1, 1))
    assert tuple(a) == OMOP_TABLES
    for name in OMOP_TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["measurement"].equals(c["measurement"])
    m = a["measurement"]
    assert m["measurement_id"].is_unique
    assert (m["measurement_date"] <= pd.Timestamp("2026-01-01")).all()
    hb = m[m["measurement_concept_id"] == concept_map().measurements["hemoglobin"]]
    assert set(hb["unit_source_value"]) == {"g/L", "g/dL"}  # mixed units
    assert a["person"]["month_of_birth"].isna().any()  # partial birth dates occur


def test_simulate_then_prescreen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = f"duckdb:///{tmp_path / 'omop.duckdb'}"
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "simulate",
                "omop",
                "--protocol",
                "001",
                "--patients",
                "400",
                "--seed",
                "2",
                "--out",
                target,
            ]
        )
    assert stop.value.code == 0
    out = tmp_path / "candidates.csv"
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "prescreen",
                "--protocol",
                "001",
                "--omop",
                target,
                "--as-of",
                "2026-01-01",
                "--out",
                str(out),
                "--funnel",
                str(tmp_path / "funnel.png"),
            ]
        )
    assert stop.value.code == 0
    table = pd.read_csv(out)
    assert list(table.columns[:3]) == ["person_id", "overall", "registry"]
    assert set(table["overall"]) <= {"eligible", "not eligible", "incomplete"}
    assert (tmp_path / "funnel.png").stat().st_size > 1000
    captured = capsys.readouterr()
    printed = " ".join(captured.out.split())
    assert "prescreening funnel" in printed and "after I9.3" in printed
    # Provenance: the criteria resting on unverified concept ids are named on the terminal and
    # in every row of candidates.csv.
    expected = unverified_criteria(map_eligibility(find_protocol("001").eligibility)[0])
    assert expected  # the map still holds unverified entries; the output must say which
    warned = " ".join(captured.err.split())
    for cid, keys in expected.items():
        assert f"unverified concept ids {cid} rests on" in warned
        assert keys[0] in warned
    assert set(table["unverified_concepts"].fillna("")) == {",".join(expected)}


def test_every_checked_entry_cites_a_source_for_each_of_its_ids() -> None:
    cmap = concept_map()
    entries = cmap.entry_ids()
    assert cmap.checked  # at least the entries verified against public files
    for key, sources in cmap.checked.items():
        assert key in entries, f"{key} is checked but not in the map"
        assert {s.concept_id for s in sources} == set(entries[key]), key
        for source in sources:
            assert "/" in source.repository and source.path and source.concept_name, key
            assert len(source.commit) == 40 and int(source.commit, 16) >= 0, key


def test_unverified_entries_are_marked_in_the_file() -> None:
    # The file's explicit 'unverified' list is the computed one: every entry without a citation
    # for each of its ids, nothing else (an entry added without a source shows up here).
    cmap = concept_map()
    report = cmap.verification()
    assert cmap.unconfirmed == report.unverified
    assert not set(cmap.unconfirmed) & set(cmap.checked)
    assert set(cmap.unconfirmed) | set(cmap.checked) == set(cmap.entry_ids())
    lines = report.lines()
    assert lines[0].startswith(
        f"{report.checked_ids} of {report.concept_ids} concept ids confirmed"
    )
    assert report.checked_ids < report.concept_ids  # the map does not pretend
    for key in cmap.unconfirmed:
        assert any(line.startswith(f"unverified: {key} (") for line in lines), key


def test_corrected_ids_are_gone() -> None:
    cmap = concept_map()
    ids = {cid for cids in cmap.entry_ids().values() for cid in cids}
    assert cmap.corrections
    for c in cmap.corrections:
        assert c.was not in ids, c.entry
        assert c.now is None or c.now in cmap.entry_ids()[c.entry], c.entry
    # small cell lung cancer: 4311499 is 'Primary malignant neoplasm of respiratory tract'
    assert cmap.other_cancers["small_cell_lung_cancer"] == 4110591
    assert cmap.measurements["urine_protein_dipstick"] == 3005897  # LOINC 5804-0, not 20454-5


def test_codes_beside_the_ids_are_the_ones_declared_once() -> None:
    """The map's LOINC / SNOMED CT codes are the eligibility vocabulary's and the catalogue's,
    and, where a source states the code of a cited id, that code."""
    cmap = concept_map()
    for key, cid in cmap.measurements.items():
        assert cmap.codes[cid][1] in ANALYTES[key].loinc, key
    for test in LAB_TESTS.values():
        if test.analyte in cmap.measurements:
            assert cmap.codes[cmap.measurements[test.analyte]] == ("LOINC", test.loinc), test.testcd
    for table, vocabulary in (("conditions", CONDITIONS), ("procedures", PROCEDURES)):
        ids = cmap.raw_conditions if table == "conditions" else cmap.raw_procedures
        for key, cids in ids.items():
            declared = vocabulary[key].snomed
            if declared:  # organ_transplant declares none in the eligibility vocabulary
                assert {cmap.codes[cid][1] for cid in cids} <= set(declared), key
    for sources in cmap.checked.values():
        for source in sources:
            if source.concept_code and source.concept_id in cmap.codes:
                assert cmap.codes[source.concept_id][1] == source.concept_code, source


def test_checked_ids_are_the_ones_the_source_names() -> None:
    # Pinned from OHDSI/DataQualityDashboard inst/csv/OMOP_CDMv5.4_Concept_Level.csv at
    # e7424bea2d694d344090d9b7284dfed67ba8230f; ft3/ft4 were wrong in round 1 (3003143, 3008486).
    cmap = concept_map()
    assert cmap.measurements["ft4"] == 3008598
    assert cmap.measurements["ft3"] == 3026925
    assert cmap.measurements["neutrophils"] == 3013650
    assert cmap.conditions["hepatitis_c"] == (197494,)
    # LOINC answer concepts: 45878583 Negative was labelled "not_detected" and so ignored
    assert cmap.value_concepts[45878583] == "negative"
    assert cmap.value_concepts[45884084] == "positive"


def test_unverified_criteria_names_the_unchecked_entries() -> None:
    cmap = concept_map()
    mapped, _ = map_eligibility(find_protocol("002").eligibility)
    found = unverified_criteria(mapped, cmap)
    for cid, keys in found.items():
        assert keys and all(k not in cmap.checked for k in keys), cid
    # a criterion decided only by checked ids is not listed
    for criterion in mapped.criteria:
        if criterion.id not in found:
            assert all(k in cmap.checked for k in _keys_of(criterion))


def _keys_of(criterion: object) -> list[str]:
    from oncotrial.prescreen.concepts import _concept_keys

    keys = [k for rule in criterion.rules for k in _concept_keys(rule)]  # type: ignore[attr-defined]
    return [k for k in keys if k != "value_concepts.*"]  # checked separately (all four cited)


def test_docs_state_the_verification_report() -> None:
    report = concept_map().verification()
    docs = Path(__file__).parents[2] / "docs" / "prescreening.md"
    text = " ".join(docs.read_text(encoding="utf-8").split())
    unverified = report.concept_ids - report.checked_ids
    assert (
        f"Of the map's {report.concept_ids} concept ids, **{report.checked_ids} are confirmed** "
        f"({report.checked_entries} of its {report.entries} entries have every id confirmed)"
    ) in text
    assert f"**{unverified} ids are unverified**" in text
    for c in report.corrections:
        assert f"was {c.was}" in text, c.entry
