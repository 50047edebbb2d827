"""Canonical SDTM text, the variable table, and the ADSL-like subject file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.errors import SchemaError
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.formats.sdtm import read_sdtm_folder
from oncotrial.formats.sdtm_spec import (
    format_number,
    is_numeric_variable,
    numbers_as_text,
    order_columns,
    to_text_frame,
)
from oncotrial.simulate import simulate_trial


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (21.0, "21"),
        (32.32, "32.32"),
        (33.6128, "33.6128"),
        (-7, "-7"),
        (0.1 + 0.2, "0.30000000000000004"),
        (float("nan"), None),
    ],
)
def test_numbers_have_one_canonical_text(value: float, text: str | None) -> None:
    assert format_number(value) == text
    assert numbers_as_text(np.array([value])) == [text]


def test_text_frames_keep_text_and_canonicalise_numbers() -> None:
    frame = pd.DataFrame(
        {"TRSEQ": [1.0, 2.0], "TRORRES": ["21.0", None], "TRSTRESN": [21.0, np.nan]}
    )
    text = to_text_frame(frame, "TR")
    assert text.to_dict(orient="list") == {
        "TRSEQ": ["1", "2"],
        "TRORRES": ["21.0", None],  # the original result stays as recorded
        "TRSTRESN": ["21", None],
    }


def test_the_variable_table() -> None:
    assert is_numeric_variable("TR", "TRSTRESN") and is_numeric_variable("XX", "VISITNUM")
    assert not is_numeric_variable("TR", "TRORRES")
    assert order_columns("TU", ["TUDTC", "ZZ", "USUBJID", "TULNKID"]) == [
        "USUBJID",
        "TULNKID",
        "TUDTC",
        "ZZ",
    ]


def test_adsl_from_the_pharmaverse_dm_matches_its_adsl(shared: Path) -> None:
    frames = read_sdtm_folder(shared / "oracles/pharmaverse/sdtm", ["DM"])
    adsl = derive_adsl(frames)
    oracle = pd.read_csv(
        shared / "oracles/pharmaverse/adam/adsl.csv",
        dtype=str,
        keep_default_na=False,
        na_values=["NA", ""],
    ).set_index("USUBJID")
    ours = adsl.set_index("USUBJID")
    assert len(ours) == len(oracle) == 306
    for column in ("SUBJID", "SITEID", "AGE", "SEX", "ARM", "ACTARM", "DTHDT"):
        expected = [v if isinstance(v, str) else None for v in oracle[column].reindex(ours.index)]
        assert ours[column].tolist() == expected, column


def test_adsl_of_a_simulated_trial_gives_reference_dates_and_baseline() -> None:
    result = simulate_trial(find_protocol("001"), 40, 6)
    frames = result.frames
    # The simulator's frames hold numbers; the derivation reads SDTM as text.
    with pytest.raises(SchemaError, match="not SDTM text"):
        derive_adsl(frames)
    adsl = derive_adsl({d: to_text_frame(f, d) for d, f in frames.items()}).set_index("USUBJID")
    ds = frames["DS"]
    randomized = ds[ds["DSDECOD"] == "RANDOMIZED"].set_index("USUBJID")["DSSTDTC"]
    assert adsl.loc[randomized.index, "RANDDT"].tolist() == randomized.tolist()
    ex = frames["EX"]
    first = ex.groupby("USUBJID")["EXSTDTC"].min()
    assert adsl.loc[first.index, "TRTSDT"].tolist() == first.tolist()
    treated = adsl[adsl["SAFFL"] == "Y"]
    assert treated["TRTSDT"].notna().all() and (treated["RANDFL"] == "Y").all()
    assert (adsl.loc[adsl["SCRFFL"] == "Y", "RANDFL"] == "N").all()
    alive = adsl[adsl["DTHFL"].isna() & (adsl["RANDFL"] == "Y")]
    assert (alive["LSTALVDT"] >= alive["TRTSDT"].fillna(alive["RANDDT"])).all()
    dead = adsl[adsl["DTHFL"] == "Y"]
    assert (dead["LSTALVDT"] <= dead["DTHDT"]).all()
    assert set(adsl["PDL1GR1"].dropna()) <= {"<1%", "1-49%", ">=50%"}
    assert set(treated["ECOGBL"]) <= {"0", "1"}
    assert adsl["STAGE"].notna().sum() == (adsl["SCRFFL"] == "N").sum()


def test_adsl_needs_dm() -> None:
    with pytest.raises(SchemaError, match="needs the DM domain"):
        derive_adsl({"AE": pd.DataFrame({"USUBJID": ["S1"]})})
