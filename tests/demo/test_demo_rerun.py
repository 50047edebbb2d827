"""Re-running the demo replaces the demo database and says so; it never touches the database
ONCOTRIAL_DB names; without a CTCAE file named it uses the CTCAE v5.0 shipped with oncotrial and
the reports have their adverse-event tables."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from oncotrial.app import demo as use_case

from .conftest import run_oncotrial


@pytest.fixture
def one_trial(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only trial 002 (its 25 registered patients), to keep the test short."""
    monkeypatch.setattr(use_case, "DEMO_SCENARIOS", {"002": use_case.DEMO_SCENARIOS["002"]})


def test_rerun_replaces_only_the_demo_database(one_trial, tmp_path: Path) -> None:
    home = tmp_path / "home"
    other = tmp_path / "team.sqlite3"
    other.write_bytes(b"not to be touched")
    env = {
        "ONCOTRIAL_HOME": str(home),
        "ONCOTRIAL_DB": str(other),
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/never",
        "ONCOTRIAL_CTCAE": None,
    }
    first = run_oncotrial("demo", env=env)
    assert first.code == 0, first.err
    assert "creating the demo database" in first.out
    database = home / "demo" / "oncotrial-demo.sqlite3"
    assert database.is_file()
    second = run_oncotrial("demo", env=env)
    assert second.code == 0, second.err
    assert f"replacing the demo database {database}" in " ".join(second.out.split())
    assert "(replaced;" in second.out
    assert other.read_bytes() == b"not to be touched"
    assert sorted(p.name for p in (home / "demo").iterdir() if p.suffix == ".sqlite3") == [
        "oncotrial-demo.sqlite3"
    ]


def test_without_a_named_ctcae_file_the_demo_uses_the_shipped_one(
    one_trial, tmp_path: Path
) -> None:
    """A fresh machine: no ONCOTRIAL_CTCAE, nothing in the data directory — full AE tables."""
    home = tmp_path / "home"
    result = run_oncotrial(
        "demo", env={"ONCOTRIAL_HOME": str(home), "ONCOTRIAL_CTCAE": None, "ONCOTRIAL_DB": None}
    )
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    shipped = "CTCAE v5.0 (NCI's publication of 27 November 2017, shipped with oncotrial)"
    assert f"adverse events checked against {shipped}" in out
    assert "not in the reports" not in result.err
    html = " ".join(
        unescape(
            (home / "demo" / "reports" / "002" / "report.html").read_text(encoding="utf-8")
        ).split()
    )
    assert "cannot be computed" not in html.split("Safety", 1)[1][:400]
    assert "Treatment-emergent adverse events by CTCAE v5.0 system organ class" in html
    assert f"terms and grades checked against {shipped}" in html
    assert f"Terms and grades were checked against {shipped}" in html
    assert "were not stored" not in html
    # the efficacy endpoints are all there
    assert "Objective response rate (ORR)" in html and "1-year OS rate" in html


def test_a_named_ctcae_file_that_is_missing_stops_the_demo(one_trial, tmp_path: Path) -> None:
    result = run_oncotrial(
        "demo",
        "--ctcae",
        str(tmp_path / "missing.xlsx"),
        env={"ONCOTRIAL_HOME": str(tmp_path / "home"), "ONCOTRIAL_DB": None},
    )
    assert result.code == 1
    assert "CTCAE file" in result.err and "not found" in result.err
