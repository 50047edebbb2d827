"""`oncotrial endpoints derive`: SDTM folder + ADSL → ADRS (response engine) → ADTTE, end to end,
against the pharmaverse ADTTE oracle."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd


def _sdtm(shared: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "sdtm"
    folder.mkdir(parents=True)
    sdtm = shared / "oracles" / "pharmaverse" / "sdtm"
    shutil.copy(sdtm / "rs_onco_recist.csv", folder / "rs.csv")
    shutil.copy(sdtm / "tu_onco_recist.csv", folder / "tu.csv")
    return folder


def test_sdtm_to_adtte_matches_the_oracle(run_cli, shared: Path, tmp_path: Path) -> None:
    """R (admiralonco ad_adrs.R then ad_adtte.R): investigator responses, PFS = PD or death,
    censored at the last assessment else randomization; OS = death, censored at LSTALVDT."""
    adam = shared / "oracles" / "pharmaverse" / "adam"
    out = tmp_path / "adtte.csv"
    result = run_cli(
        "endpoints",
        "derive",
        "--sdtm",
        str(_sdtm(shared, tmp_path)),
        "--from",
        "responses",
        "--evaluator",
        "INVESTIGATOR",
        "--adsl",
        str(adam / "adsl.csv"),
        "--rules",
        "admiralonco",
        "--params",
        "OS,PFS,DOR",
        "--out",
        str(out),
    )
    assert result.code == 0, result
    assert "ADTTE written" in result.out
    ours = pd.read_csv(out, dtype=str).set_index(["USUBJID", "PARAMCD"])
    oracle = pd.read_csv(adam / "adtte_onco.csv", dtype=str).set_index(["USUBJID", "PARAMCD"])
    assert set(ours.index) == set(oracle.index)
    adsl = pd.read_csv(adam / "adsl.csv", dtype=str).set_index("USUBJID")["LSTALVDT"]
    mismatch = [
        key
        for key in oracle.index
        if any(ours.loc[key, c] != oracle.loc[key, c] for c in ("AVAL", "CNSR", "ADT", "STARTDT"))
    ]
    # the nine OS rows whose oracle LSTALVDT differs from the shipped adsl.csv (docs/endpoints.md)
    assert len(mismatch) == 9
    assert all(param == "OS" and ours.loc[(s, param), "ADT"] == adsl[s] for s, param in mismatch)


def test_fda_rules_with_protocol_schedule(run_cli, shared: Path, tmp_path: Path) -> None:
    adam = shared / "oracles" / "pharmaverse" / "adam"
    out = tmp_path / "adtte.csv"
    result = run_cli(
        "endpoints",
        "derive",
        "--sdtm",
        str(_sdtm(shared, tmp_path)),
        "--adsl",
        str(adam / "adsl.csv"),
        "--assessment-interval-days",
        "21",
        "--out",
        str(out),
    )
    assert result.code == 0, result
    adtte = pd.read_csv(out)
    assert set(adtte["PARAMCD"]) == {"OS", "PFS", "TTP", "RSD"}
    assert "fda2018" in result.out
    assert "without a reference date" in result.err  # 52 ADSL subjects never randomized


def test_bad_input(run_cli, shared: Path, tmp_path: Path) -> None:
    adam = shared / "oracles" / "pharmaverse" / "adam"
    assert (
        run_cli("endpoints", "derive", "--adsl", str(adam / "adsl.csv"), "--out", "x.csv").code == 2
    )
    bad_adsl = tmp_path / "adsl.csv"
    bad_adsl.write_text("USUBJID,AGE\nA,60\n", encoding="utf-8")
    result = run_cli(
        "endpoints",
        "derive",
        "--sdtm",
        str(_sdtm(shared, tmp_path)),
        "--adsl",
        str(bad_adsl),
        "--out",
        str(tmp_path / "adtte.csv"),
    )
    assert result.code == 1 and "RANDDT" in result.err
    assert not (tmp_path / "adtte.csv").exists()
    result = run_cli(
        "endpoints",
        "derive",
        "--sdtm",
        str(_sdtm(shared, tmp_path / "x")),
        "--adsl",
        str(adam / "adsl.csv"),
        "--params",
        "OS,XYZ",
        "--out",
        str(tmp_path / "a.csv"),
    )
    assert result.code == 2 and "XYZ" in result.err
