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


def _csv(tmp_path: Path, rows: list[dict[str, str]], cut: int | None = None) -> Path:
    import csv
    import io

    from oncotrial.protocol.importers.ctgov_csv import CSV_COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = [row.get(c, "") for c in CSV_COLUMNS]
        writer.writerow(values[:cut] if cut else values)
    path = tmp_path / "ctgov.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


_ROW = {
    "NCT Number": "NCT01234567",
    "Study Title": "A registry of lung cancer patients",
    "Study Status": "COMPLETED",
    "Study Type": "OBSERVATIONAL",
    # as in a real 1,000-row export, whose observational rows carry a one-letter code
    "Study Design": "Observational Model: |Time Perspective: p",
}


def test_unknown_time_perspective_is_kept_as_text_with_a_warning(run_cli, tmp_path: Path) -> None:
    path = _csv(tmp_path, [_ROW, _ROW | {"NCT Number": "NCT01234568"}])
    out = tmp_path / "out"
    result = run_cli("trial", "import", str(path), "--out", str(out))
    assert result.code == 0, result
    assert sorted(p.name for p in out.iterdir()) == ["NCT01234567.yaml", "NCT01234568.yaml"]
    assert "Study Design: unknown value 'p' kept as text" in result.err
    assert "RETROSPECTIVE" in result.err


def test_a_row_cut_short_is_refused_naming_the_row(run_cli, tmp_path: Path) -> None:
    path = _csv(tmp_path, [_ROW], cut=20)
    out = tmp_path / "out"
    result = run_cli("trial", "import", str(path), "--out", str(out))
    assert result.code == 1, result
    assert "row 2" in result.err and "20 values for 30 columns" in result.err
    assert not out.exists()
