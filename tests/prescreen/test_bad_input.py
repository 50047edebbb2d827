"""Bad warehouses: one clear message naming what is wrong, exit 1, nothing written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from oncotrial.cli import main


def _run(capsys: pytest.CaptureFixture[str], target: str, out: Path) -> str:
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
                str(out.with_suffix(".png")),
            ]
        )
    assert stop.value.code == 1
    assert not out.exists() and not out.with_suffix(".png").exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    return " ".join(err.split())


def _alter(target: str, sql: str) -> None:
    con = duckdb.connect(target.removeprefix("duckdb://"))
    con.execute(sql)
    con.close()


def test_missing_table(
    small_duckdb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _alter(small_duckdb, "DROP TABLE measurement")
    err = _run(capsys, small_duckdb, tmp_path / "c.csv")
    assert "has no table measurement" in err


def test_missing_column(
    small_duckdb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _alter(small_duckdb, "ALTER TABLE person DROP COLUMN year_of_birth")
    err = _run(capsys, small_duckdb, tmp_path / "c.csv")
    assert "table person has no column year_of_birth" in err


def test_wrong_vocabulary_version(
    small_duckdb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _alter(small_duckdb, "UPDATE vocabulary SET vocabulary_version = 'v5.0 01-JAN-20'")
    err = _run(capsys, small_duckdb, tmp_path / "c.csv")
    assert "vocabulary version is 'v5.0 01-JAN-20'" in err and "v5.0 30-AUG-24" in err


def test_unreachable_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(capsys, "postgresql://postgres@127.0.0.1:1/nowhere", tmp_path / "c.csv")
    assert "cannot open the OMOP warehouse postgresql://postgres@127.0.0.1:1/nowhere" in err


def test_no_such_duckdb_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(capsys, f"duckdb:///{tmp_path / 'absent.duckdb'}", tmp_path / "c.csv")
    assert "no DuckDB database at" in err
