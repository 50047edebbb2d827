"""The concept map, the synthetic population and the two commands, end to end."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oncotrial.cli import main
from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.concepts import CONDITIONS, THERAPIES
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
    # an analyte without an OMOP concept is declared unmapped, with the reason
    unmapped_analytes = _raw_map()["unmapped"]["measurements"]
    assert set(ANALYTES) - set(cmap.measurements) == set(unmapped_analytes)
    assert all(len(reason) > 20 for reason in unmapped_analytes.values())
    assert set(THERAPIES) == set(cmap.drug_classes)
    unmapped_conditions = set(CONDITIONS) - set(cmap.conditions)
    # a condition without an OMOP concept is declared unmapped, with the reason, never silently
    declared = _raw_map()["unmapped"]["conditions"]
    assert unmapped_conditions == set(declared)
    assert all(len(reason) > 20 for reason in declared.values())
    ids = [cid for ids in cmap.conditions.values() for cid in ids]
    assert len(ids) == len(set(ids))


def _raw_map() -> dict[str, Any]:
    text = resources.files("oncotrial.prescreen").joinpath("data/omop_concepts.json")
    raw: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return raw


def test_unmapped_rules_are_unknown_and_reported() -> None:
    mapped, unmapped = map_eligibility(find_protocol("002").eligibility)
    assert {u.rule_id for u in unmapped} == {"I3-2", "I3-4.1", "I5-1", "E11-1", "E14-1"}
    stand_ins = [
        r for c in mapped.criteria for r in c.rules if getattr(r, "marker", None) == UNMAPPED_MARKER
    ]
    assert {r.id for r in stand_ins} == {"I3-2", "I5-1", "E11-1", "E14-1"}  # I3-4.1 is nested


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


_CHECKED_SOURCE_KEYS = {"repository", "path", "commit", "concept_name"}


def test_every_checked_entry_cites_its_source_and_exists() -> None:
    cmap = concept_map()
    assert cmap.checked  # at least the entries verified against public OHDSI files
    for key, source in cmap.checked.items():
        assert set(source) >= _CHECKED_SOURCE_KEYS, key
        assert "/" in source["repository"] and source["path"], key
        assert len(source["commit"]) == 40 and int(source["commit"], 16) >= 0, key
        table, _, name = key.partition(".")
        assert table in {
            "measurements",
            "conditions",
            "other_primary_cancers",
            "units",
            "gender",
            "value_concepts",
            "biomarkers",
            "procedures",
            "performance_status",
        }, key
        entries = {
            "measurements": cmap.measurements,
            "conditions": cmap.conditions,
            "other_primary_cancers": cmap.other_cancers,
            "units": cmap.units,
            "gender": cmap.gender,
            "biomarkers": cmap.biomarkers,
            "procedures": cmap.procedures,
            "performance_status": cmap.performance,
        }
        if table in entries:
            assert name in entries[table], f"{key} is checked but not in the map"
        if table == "value_concepts":
            assert int(name) in cmap.value_concepts, f"{key} is checked but not in the map"


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
