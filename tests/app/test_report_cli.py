"""`oncotrial report`: from an SDTM folder or from the database, with and without NCI's CTCAE
file; usage and input errors exit 2 and 1 with a message on stderr and nothing written."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from oncotrial.formats.ctcae import load_ctcae
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.formats.sdtm import write_sdtm_folder
from oncotrial.simulate import simulate_trial


@pytest.fixture(scope="module")
def ctcae_file(shared: Path) -> Path:
    return shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"


@pytest.fixture(scope="module")
def simulated(ctcae_file: Path):
    return simulate_trial(find_protocol("002"), 25, 21, ctcae=load_ctcae(ctcae_file))


@pytest.fixture
def sdtm(tmp_path: Path, simulated) -> Path:
    folder = tmp_path / "sdtm"
    write_sdtm_folder(simulated.frames, folder)
    return folder


def test_report_from_an_sdtm_folder(run_cli, sdtm: Path, tmp_path: Path, ctcae_file: Path) -> None:
    out = tmp_path / "report"
    result = run_cli(
        "report",
        "--sdtm",
        str(sdtm),
        "--protocol",
        "002",
        "--out",
        str(out),
        "--ctcae",
        str(ctcae_file),
        "--simulated",
    )
    assert result.code == 0, result
    for name in ("report.html", "report.pdf", "report.xlsx", "tables/ep1-rate.csv"):
        assert (out / name).is_file(), name
    flat = " ".join(result.out.split())
    assert "Objective response rate" in flat and "1-year OS rate" in flat
    assert "SIMULATED DATA" in flat
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "SIMULATED DATA — not trial results" in html
    assert "Patients with treatment-emergent adverse events" in html


def test_report_from_the_database_by_trial_id_or_local_id(
    run_cli, simulated, tmp_path: Path, ctcae_file: Path
) -> None:
    from oncotrial.store import configure, migrate

    db = tmp_path / "trials.sqlite3"
    configure(db)
    migrate()
    from oncotrial.store.trials import store_simulation

    store_simulation(simulated, ctcae=load_ctcae(ctcae_file))
    for reference in ("NCT07064876", "002"):
        out = tmp_path / f"report-{reference}"
        result = run_cli(
            "report",
            reference,
            "--db",
            str(db),
            "--out",
            str(out),
            "--ctcae",
            str(ctcae_file),
            "--cutoff",
            simulated.cutoff.isoformat(),
        )
        assert result.code == 0, result
        assert (out / "report.pdf").is_file()
        # stored by the simulator: the report says so without being told
        assert "SIMULATED DATA" in " ".join(result.out.split())
        assert f"data cut-off {simulated.cutoff.isoformat()};" in result.out


def test_without_a_named_ctcae_file_the_report_uses_the_shipped_one(
    run_cli, sdtm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCOTRIAL_CTCAE", raising=False)
    out = tmp_path / "report"
    result = run_cli("report", "--sdtm", str(sdtm), "--protocol", "002", "--out", str(out))
    assert result.code == 0, result
    assert "CTCAE" not in result.err
    html = " ".join(unescape((out / "report.html").read_text(encoding="utf-8")).split())
    shipped = "CTCAE v5.0 (NCI's publication of 27 November 2017, shipped with oncotrial)"
    assert f"terms and grades checked against {shipped}" in html
    assert "could not be checked against CTCAE" not in html


def test_usage_and_input_errors(run_cli, sdtm: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert run_cli("report", "--out", str(out)).code == 2
    assert run_cli("report", "--sdtm", str(sdtm), "--out", str(out)).code == 2
    missing = run_cli(
        "report",
        "--sdtm",
        str(sdtm),
        "--protocol",
        "002",
        "--out",
        str(out),
        "--ctcae",
        str(tmp_path / "nowhere.csv"),
    )
    assert missing.code == 1 and "CTCAE file" in missing.err
    not_a_folder = run_cli(
        "report", "--sdtm", str(tmp_path / "nothing"), "--protocol", "002", "--out", str(out)
    )
    assert not_a_folder.code == 1 and "not a folder" in not_a_folder.err
    assert not out.exists(), "nothing is written when the command fails"


def test_an_unknown_trial_names_the_known_ones(
    run_cli, tmp_path: Path, simulated, ctcae_file
) -> None:
    from oncotrial.store import configure, migrate

    db = tmp_path / "trials.sqlite3"
    configure(db)
    migrate()
    from oncotrial.store.trials import store_simulation

    store_simulation(simulated, ctcae=load_ctcae(ctcae_file))
    result = run_cli("report", "NCT99999999", "--db", str(db), "--out", str(tmp_path / "x"))
    assert result.code == 1
    assert "no trial 'NCT99999999'" in result.err and "NCT07064876" in result.err
