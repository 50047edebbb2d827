"""The database commands end to end: db init|status, simulate, data import|export, template."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from oncotrial.formats.sdtm import read_sdtm_folder


def flat(text: str) -> str:
    """Terminal output without Rich's line wrapping."""
    return " ".join(text.split())


def test_db_init_and_status_on_a_new_sqlite_file(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    before = run_cli("db", "status", "--db", str(path))
    assert before.code == 0 and "oncotrial db init" in flat(before.out)
    assert not path.exists()
    refused = run_cli("data", "export", "X", "--out", str(tmp_path / "o"), "--db", str(path))
    assert refused.code == 1 and "oncotrial db init" in refused.err
    created = run_cli("db", "init", "--db", str(path))
    assert created.code == 0 and "initialised" in flat(created.out)
    again = run_cli("db", "init", "--db", str(path))
    assert "up to date" in flat(again.out)
    status = run_cli("db", "status", "--db", str(path), "--format", "json")
    document = json.loads(status.out)
    assert document["pending_migrations"] == [] and document["trials"] == []


def test_simulate_store_export_and_reimport(
    store, run_cli, ctcae_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sim"
    result = run_cli(
        "simulate",
        "--protocol",
        "NCT07064876",
        "--n",
        "12",
        "--seed",
        "3",
        "--out",
        str(out),
        "--ctcae",
        str(ctcae_path),
        "--user",
        "designer",
    )
    assert result.code == 0, result
    assert "stored trial NCT07064876" in flat(result.out)
    written = {p.name for p in out.iterdir()}
    assert {
        "dm.csv",
        "tu.csv",
        "tr.csv",
        "rs.csv",
        "ae.csv",
        "adsl.csv",
        "protocol.yaml",
    } <= written

    status = json.loads(run_cli("db", "status", "--format", "json").out)
    (trial,) = status["trials"]
    assert trial["trial_id"] == "NCT07064876" and trial["protocol_version"] == 1

    exported = tmp_path / "export"
    shown = run_cli("data", "export", "NCT07064876", "--out", str(exported), "--adsl")
    assert shown.code == 0, shown
    domains = [p.stem.upper() for p in out.glob("*.csv") if p.stem != "adsl"]
    simulated = read_sdtm_folder(out, domains)
    again = read_sdtm_folder(exported, domains)
    for domain in domains:
        pd.testing.assert_frame_equal(simulated[domain], again[domain], check_dtype=False)
    adsl = pd.read_csv(exported / "adsl.csv", dtype=str)
    assert len(adsl) == len(simulated["DM"])
    assert {"USUBJID", "RANDDT", "TRTSDT", "LSTALVDT", "PDL1TPS"} <= set(adsl.columns)

    json_out = tmp_path / "json"
    assert (
        run_cli("data", "export", "NCT07064876", "--out", str(json_out), "--format", "json").code
        == 0
    )
    assert (json_out / "tr.json").exists()

    duplicate = run_cli("data", "import", str(exported), "--ctcae", str(ctcae_path))
    assert duplicate.code == 1
    assert "already in the database" in duplicate.err

    other = tmp_path / "other.sqlite3"
    assert run_cli("db", "init", "--db", str(other)).code == 0
    loaded = run_cli(
        "data", "import", str(json_out), "--db", str(other), "--ctcae", str(ctcae_path)
    )
    assert loaded.code == 0, loaded
    again_out = tmp_path / "again"
    assert (
        run_cli("data", "export", "NCT07064876", "--out", str(again_out), "--db", str(other)).code
        == 0
    )
    third = read_sdtm_folder(again_out, domains)
    for domain in domains:
        pd.testing.assert_frame_equal(simulated[domain], third[domain], check_dtype=False)


def test_simulate_without_storing_needs_an_output_folder(run_cli) -> None:
    result = run_cli("simulate", "--protocol", "002", "--no-store")
    assert result.code == 1 and "--no-store needs --out" in result.err


def test_import_one_domain_file_and_templates(store, run_cli, shared: Path, tmp_path: Path) -> None:
    source = shared / "oracles/pharmaverse/sdtm"
    assert run_cli("data", "import", str(source / "dm.csv"), "--domain", "DM").code == 0
    result = run_cli("data", "import", str(source / "rs_onco_irecist.csv"), "--domain", "RS")
    assert result.code == 1
    assert "rs_onco_irecist.csv, record row 108, field RSSEQ" in result.err
    assert "--renumber-seq" in result.err
    # on request the repeated numbers are replaced, and the user is told: the file imports
    result = run_cli(
        "data", "import", str(source / "rs_onco_irecist.csv"), "--domain", "RS", "--renumber-seq"
    )
    assert result.code == 0, result
    assert "RSSEQ numbers" in result.err and "added RS 376" in result.out
    history = run_cli("history", "01-701-1146/RS/5")
    assert history.code == 0, history
    listing = run_cli("template", "--list")
    assert "adverse_event" in flat(listing.out) and "tumour_assessment" in flat(listing.out)
    fields = run_cli("template", "adverse_event")
    assert "ctcae_term" in flat(fields.out)
    path = tmp_path / "ae.xlsx"
    assert run_cli("template", "adverse_event", "--out", str(path)).code == 0
    assert path.exists()
    assert run_cli("template", "nonsense").code == 1
