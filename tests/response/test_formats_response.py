"""Readers and writers of the response engine: long lesion CSV, ADSL, fast CSV writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from response_builders import day, subjects

from oncotrial.errors import SchemaError
from oncotrial.formats.adam import read_adsl, write_csv
from oncotrial.formats.lesions import read_lesion_csv, read_sdtm_lesions
from oncotrial.response import derive_response


def test_write_csv_equals_pandas(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "TEXT": pd.Series(["a", 'say "hi"', "x,y", None, "line\nbreak", ""], dtype=object),
            "WHEN": pd.to_datetime(["2020-01-01", None, "2021-12-31", "2020-02-29", None, None]),
            "VALUE": [1.0, np.nan, 2.5, 1 / 3, -0.0, 1e-12],
            "COUNT": [1, 2, 3, 4, 5, 6],
            "FLAG": [True, False, True, True, False, False],
            "CAT": pd.Categorical(["p", "q", "p", None, "q", "p"]),
        }
    )
    ours = tmp_path / "ours.csv"
    theirs = tmp_path / "theirs.csv"
    write_csv(frame, ours, chunk=4)
    frame.to_csv(theirs, index=False, na_rep="", date_format="%Y-%m-%d", float_format="%.10g")
    assert ours.read_bytes() == theirs.read_bytes()
    empty = tmp_path / "empty.csv"
    write_csv(frame.iloc[:0], empty)
    assert empty.read_text() == ",".join(frame.columns) + "\n"


def test_long_csv_headers_are_case_insensitive_with_aliases(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(
        "USUBJID,DTC,Lesion,Role,Node,Diameter,State\n"
        f"S1,{day(-1)},L1,target,y,20,\n"
        f"S1,{day(-1)},L2,Target,N,30,\n"
        f"S1,{day(56)},L1,TARGET,Y,5,\n"
        f"S1,{day(56)},L2,TARGET,N,,too small to measure\n",
        encoding="utf-8",
    )
    result = derive_response(subjects("S1"), lesions=read_lesion_csv(path))
    tp = result.timepoints.iloc[0]
    # node 5 mm + a non-nodal lesion too small to measure (5 mm): present, so PR, not CR
    assert (tp["BASE_SUM"], tp["SUM"], tp["TRGRESP"]) == (50.0, 10.0, "PR")


def test_long_csv_requires_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("subject,date,role\nS1,2020-01-01,TARGET\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="lesion_id") as error:
        read_lesion_csv(path)
    assert error.value.file == str(path)


def test_adsl_dates_become_datetimes(tmp_path: Path) -> None:
    path = tmp_path / "adsl.csv"
    path.write_text(
        "USUBJID,RANDDT,TRTSDTM,AGE\nS1,2020-01-01,2020-01-02 10:30:00,61\nS2,NA,,70\n",
        encoding="utf-8",
    )
    frame = read_adsl(path, required=["RANDDT"])
    assert str(frame["RANDDT"].dtype).startswith("datetime64")
    assert frame["RANDDT"].isna().tolist() == [False, True]
    assert frame["TRTSDTM"].iloc[0] == pd.Timestamp("2020-01-02 10:30:00")
    assert frame["AGE"].tolist() == ["61", "70"]  # other variables stay text


def test_adsl_needs_unique_subjects(tmp_path: Path) -> None:
    path = tmp_path / "adsl.csv"
    path.write_text("USUBJID,RANDDT\nS1,2020-01-01\nS1,2020-01-02\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="more than once"):
        read_adsl(path, required=["RANDDT"])


def test_new_lesions_recorded_only_in_tu_are_dated_by_their_visit(tmp_path: Path) -> None:
    folder = tmp_path / "sdtm"
    folder.mkdir()
    pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1"],
            "TULNKID": ["T01", "N01", "N02"],
            "TUSTRESC": ["TARGET", "NEW", "NEW EQUIVOCAL"],
            "TULOC": ["LIVER", "LUNG", "BONE"],
            "VISITNUM": ["1", "3", "2"],
            "TUSEQ": ["1", "2", "3"],
        }
    ).to_csv(folder / "tu.csv", index=False)
    pd.DataFrame(
        {
            "USUBJID": "S1",
            "TRLNKID": "T01",
            "TRTESTCD": "LDIAM",
            "TRSTRESC": ["30", "20", "18"],
            "TRDTC": [day(-1), day(42), day(84)],
            "VISITNUM": ["1", "2", "3"],
        }
    ).to_csv(folder / "tr.csv", index=False)
    frame = read_sdtm_lesions(folder)
    new = frame[frame["ROLE"] == "NEW"].set_index("LESION_ID")
    assert new.loc["N01", "DTC"] == day(84)
    assert (new.loc["N02", "DTC"], new.loc["N02", "STATUS"]) == (day(42), "EQUIVOCAL")
    assert new.loc["N01", "RECORD"] == "TUSEQ 2"
    result = derive_response(subjects("S1"), lesions=frame)
    assert result.timepoints["NEWLIND"].tolist() == ["EQUIVOCAL", "Y"]
    assert result.timepoints["OVRLRESP"].tolist() == ["PR", "PD"]
