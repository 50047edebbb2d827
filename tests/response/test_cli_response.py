"""`oncotrial response`: derive and rules, outputs, exit codes and nothing written on failure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from response_builders import day

from oncotrial.cli import main
from oncotrial.formats.sdtm import read_dataset_json


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    code = exit_info.value.code
    return 0 if code is None else int(code)


@pytest.fixture
def long_csv(tmp_path: Path) -> tuple[Path, Path]:
    lesions = tmp_path / "lesions.csv"
    lesions.write_text(
        "subject,date,lesion_id,role,organ,is_node,diameter_mm,status\n"
        f"S1,{day(-2)},T1,TARGET,LIVER,N,40,\n"
        f"S1,{day(-2)},T2,TARGET,LYMPH NODE,Y,20,\n"
        f"S1,{day(-2)},NT1,NON-TARGET,BONE,N,,PRESENT\n"
        f"S1,{day(42)},T1,TARGET,LIVER,N,20,\n"
        f"S1,{day(42)},T2,TARGET,LYMPH NODE,Y,9,\n"
        f"S1,{day(42)},NT1,NON-TARGET,BONE,N,,PRESENT\n"
        f"S1,{day(84)},T1,TARGET,LIVER,N,18,\n"
        f"S1,{day(84)},T2,TARGET,LYMPH NODE,Y,8,\n"
        f"S1,{day(84)},NT1,NON-TARGET,BONE,N,,PRESENT\n"
        f"S2,{day(40)},T1,TARGET,LUNG,N,30,\n"
        f"S2,not-a-date,T1,TARGET,LUNG,N,30,\n",
        encoding="utf-8",
    )
    adsl = tmp_path / "adsl.csv"
    adsl.write_text(
        "STUDYID,USUBJID,RANDDT,TRTSDT\nT,S1,2020-01-01,2020-01-02\nT,S2,2020-01-01,NA\n"
        "T,S3,2020-01-05,2020-01-05\n",
        encoding="utf-8",
    )
    return lesions, adsl


def test_derive_from_the_long_csv_writes_every_table(long_csv, tmp_path, capsys) -> None:
    lesions, adsl = long_csv
    out = tmp_path / "adrs.csv"
    code = _run(
        [
            "response",
            "derive",
            "--lesions",
            str(lesions),
            "--adsl",
            str(adsl),
            "--out",
            str(out),
            "--lesion-table",
            str(tmp_path / "lesions_out.csv"),
            "--summary",
            str(tmp_path / "summary.csv"),
            "--excluded",
            str(tmp_path / "excluded.csv"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    adrs = pd.read_csv(out, dtype=str, keep_default_na=False)
    bor = adrs[adrs["PARAMCD"] == "BOR"].set_index("USUBJID")["AVALC"]
    assert bor.to_dict() == {"S1": "PR", "S2": "MISSING", "S3": "MISSING"}
    cbor = adrs[(adrs["PARAMCD"] == "CBOR") & (adrs["USUBJID"] == "S1")].iloc[0]
    assert (cbor["AVALC"], cbor["ADT"]) == ("PR", day(42))
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary.loc[summary["USUBJID"] == "S1", "BEST_PCHG"].item() == pytest.approx(-56.6667)
    lesion_table = pd.read_csv(tmp_path / "lesions_out.csv")
    assert len(lesion_table) == 9
    excluded = pd.read_csv(tmp_path / "excluded.csv", dtype=str)
    assert set(excluded["USUBJID"]) == {"S2"}
    assert "line 12" in set(excluded["RECORD"])
    assert "S2" in captured.err
    assert "excluded" in captured.err
    assert "Best overall response" in captured.out


def test_derive_writes_dataset_json(long_csv, tmp_path) -> None:
    lesions, adsl = long_csv
    out = tmp_path / "adrs.json"
    assert (
        _run(
            [
                "response",
                "derive",
                "--lesions",
                str(lesions),
                "--adsl",
                str(adsl),
                "--reference",
                "TRTSDT",
                "--criteria",
                "mrecist",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    frame = read_dataset_json(out)
    assert set(frame["PARCAT3"]) == {"mRECIST"}
    assert "TRTSDT" in frame.columns
    s1 = frame[(frame["USUBJID"] == "S1") & (frame["PARAMCD"] == "OVR")]
    assert s1["ADT"].tolist() == [day(42), day(84)]


def test_usage_errors_exit_2(long_csv, tmp_path) -> None:
    lesions, adsl = long_csv
    out = tmp_path / "adrs.csv"
    assert _run(["response", "derive", "--adsl", str(adsl), "--out", str(out)]) == 2
    both = ["--sdtm", str(tmp_path), "--lesions", str(lesions)]
    assert _run(["response", "derive", *both, "--adsl", str(adsl), "--out", str(out)]) == 2
    assert not out.exists()


def test_domain_errors_exit_1_and_write_nothing(long_csv, tmp_path, capsys) -> None:
    lesions, adsl = long_csv
    out = tmp_path / "adrs.csv"
    base = ["response", "derive", "--lesions", str(lesions), "--out", str(out)]
    assert _run([*base, "--adsl", str(tmp_path / "missing.csv")]) == 1
    assert "file not found" in capsys.readouterr().err
    assert _run([*base, "--adsl", str(adsl), "--evaluator", "RADIOLOGIST 1"]) == 1
    assert "name no assessor" in capsys.readouterr().err
    # The summary cannot be written (no such folder): the ADRS is not written either.
    missing_dir = tmp_path / "nowhere" / "summary.csv"
    assert _run([*base, "--adsl", str(adsl), "--summary", str(missing_dir)]) == 1
    assert "nothing was written" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.glob(".*partial")) == []


def test_rules_lists_every_rule(capsys) -> None:
    assert _run(["response", "rules"]) == 0
    text = capsys.readouterr().out
    assert "T1-CR" in text
    assert "Source: RECIST 1.1 Table 1" in text
    assert _run(["response", "rules", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("id,description,source")
