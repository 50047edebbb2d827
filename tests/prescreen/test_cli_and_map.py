"""The concept map, the synthetic population and the two commands, end to end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.cli import main
from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.concepts import CONDITIONS, THERAPIES
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.prescreen.concepts import UNMAPPED_MARKER, concept_map, map_eligibility
from oncotrial.simulate.omop import OMOP_TABLES, omop_population


def test_map_is_versioned_and_covers_the_vocabulary() -> None:
    cmap = concept_map()
    assert cmap.cdm_version == "5.4" and cmap.vocabulary_version.startswith("v5.0 ")
    assert set(ANALYTES) <= set(cmap.measurements)
    assert set(THERAPIES) == set(cmap.drug_classes)
    unmapped_conditions = set(CONDITIONS) - set(cmap.conditions)
    assert unmapped_conditions == {"ground_glass_nodule"}  # no standard concept chosen yet
    ids = [cid for ids in cmap.conditions.values() for cid in ids]
    assert len(ids) == len(set(ids))


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
    printed = " ".join(capsys.readouterr().out.split())
    assert "prescreening funnel" in printed and "after I9.3" in printed
