"""The data cut-off: what is left out, cleared or capped, and the default cut-off."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from oncotrial.analysis.cutoff import apply_cutoff, latest_date
from oncotrial.errors import InputError


def values(series: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in series]


def frames() -> dict[str, pd.DataFrame]:
    return {
        "DM": pd.DataFrame(
            {
                "USUBJID": ["S1", "S2", "S3"],
                "RFICDTC": ["2024-01-01", "2024-02-01", "2024-07-01"],
                "DTHDTC": ["2024-05-01", "2024-08-01", None],
                "DTHFL": ["Y", "Y", None],
                "RFXENDTC": ["2024-04-01", "2024-07-20", None],
                "RFPENDTC": ["2024-05-01", "2024-08-01", "2024-09-01"],
                "DMDTC": ["2024-09-01", "2024-09-01", "2024-09-01"],
            }
        ),
        "TR": pd.DataFrame(
            {
                "USUBJID": ["S1", "S1", "S2", "S3"],
                "TRDTC": ["2024-02-01", "2024-06-01", "2024-06", "2024-07-10"],
            }
        ),
        "AE": pd.DataFrame(
            {
                "USUBJID": ["S1", "S2", "S2"],
                "AESTDTC": ["2024-03-01", "2024-06-10", "2024-06-20"],
                "AEENDTC": ["2024-03-10", "2024-06-25", None],
                "AEOUT": ["RECOVERED/RESOLVED", "RECOVERED/RESOLVED", None],
            }
        ),
        "EX": pd.DataFrame(
            {
                "USUBJID": ["S2", "S2"],
                "EXSTDTC": ["2024-06-01", "2024-06-22"],
                "EXENDTC": ["2024-06-21", "2024-07-12"],
            }
        ),
        "SUPPDM": pd.DataFrame({"USUBJID": ["S1"], "QVAL": ["x"]}),
    }


def test_records_after_the_cutoff_are_left_out_and_ends_cleared_or_capped() -> None:
    cut = apply_cutoff(frames(), date(2024, 6, 15))
    dm = cut["DM"]
    # S3 consented after the cut-off: gone from every domain; DMDTC never removes a subject
    assert values(dm["USUBJID"]) == ["S1", "S2"]
    assert "S3" not in set(cut["TR"]["USUBJID"])
    # S2 died after the cut-off: alive at the cut-off
    assert values(dm["DTHDTC"]) == ["2024-05-01", None]
    assert values(dm["DTHFL"]) == ["Y", None]
    assert values(dm["RFXENDTC"]) == ["2024-04-01", None]
    assert values(dm["RFPENDTC"]) == ["2024-05-01", "2024-06-15"]
    # a partial date in the cut-off's month may predate it: kept
    assert values(cut["TR"]["TRDTC"]) == ["2024-02-01", "2024-06-01", "2024-06"]
    ae = cut["AE"]
    assert values(ae["AESTDTC"]) == ["2024-03-01", "2024-06-10"]
    assert values(ae["AEENDTC"]) == ["2024-03-10", None]  # ongoing at the cut-off
    assert values(ae["AEOUT"]) == ["RECOVERED/RESOLVED", None]
    assert values(cut["EX"]["EXENDTC"]) == ["2024-06-15"]  # the cycle runs over the cut-off
    assert cut["SUPPDM"].equals(frames()["SUPPDM"])


def test_input_frames_are_not_changed() -> None:
    original = frames()
    apply_cutoff(original, date(2024, 6, 15))
    assert values(original["AE"]["AEENDTC"]) == ["2024-03-10", "2024-06-25", None]
    assert len(original["DM"]) == 3


def test_latest_date_is_the_default_cutoff_and_ignores_partial_dates() -> None:
    assert latest_date(frames()) == date(2024, 9, 1)
    assert latest_date({"TR": pd.DataFrame({"TRDTC": ["2025-01", None]})}) is None


def test_a_cutoff_before_every_consent_is_refused() -> None:
    with pytest.raises(InputError, match="no subject had consented"):
        apply_cutoff(frames(), date(2023, 1, 1))
