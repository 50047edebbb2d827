"""Registry import on malformed input (issue 12): one-paragraph message, exit 1, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def _study(shared: Path) -> dict:
    path = shared / "reference" / "ctgov" / "NCT04267848.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _import(run_cli, tmp_path: Path, content: str):
    record = tmp_path / "record.json"
    record.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("trial", "import", str(record), "--out", str(out))
    assert result.code == 1, result
    assert "Traceback" not in result.err and "RecursionError" not in result.err
    assert str(record) in result.err
    assert not out.exists() or not any(out.iterdir())  # nothing written
    return result


def test_deep_nesting_is_a_message_not_a_recursion_error(run_cli, tmp_path: Path) -> None:
    result = _import(run_cli, tmp_path, "[" * 5000 + "]" * 5000)
    assert "nested too deeply" in result.err


def test_top_level_empty_list_exits_1(run_cli, tmp_path: Path) -> None:
    assert "empty list" in _import(run_cli, tmp_path, "[]").err


def test_criteria_as_a_number_is_refused_naming_the_field(
    run_cli, tmp_path: Path, shared: Path
) -> None:
    study = _study(shared)
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = 12345
    result = _import(run_cli, tmp_path, json.dumps(study))
    assert "eligibilityModule.eligibilityCriteria" in result.err and "int" in result.err


@pytest.mark.parametrize("date", ["2017-02-30", "2017-13"])
def test_impossible_dates_are_refused_naming_the_field(
    run_cli, tmp_path: Path, shared: Path, date: str
) -> None:
    study = _study(shared)
    study["protocolSection"]["statusModule"]["startDateStruct"]["date"] = date
    result = _import(run_cli, tmp_path, json.dumps(study))
    assert "statusModule.startDateStruct.date" in result.err and date in result.err


def test_the_v1_shape_named_is_the_shape_found(run_cli, tmp_path: Path) -> None:
    result = _import(run_cli, tmp_path, json.dumps({"StudyFieldsResponse": {"StudyFields": []}}))
    assert "StudyFieldsResponse" in result.err and "FullStudiesResponse" not in result.err
