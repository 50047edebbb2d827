"""Lesion level: timepoint responses derived from TU/TR equal the recorded RS OVRLRESP.

pharmaverse's tu_onco_recist/tr_onco_recist hold, for 8 subjects, the measurements of three
reads (investigator, radiologist 1, radiologist 2) and rs_onco_recist the timepoint responses
each read recorded. The issue expected differences (pharmaverse generated RS with simplified
rules); with RECIST 1.1 applied to TR as the guideline says — nodal targets summed by their short
axis (LPERP), non-nodal by LDIAM, NE when a target is missing unless the measured ones already
meet PD, a partial date completed to the month's last day — all 88 timepoints of the four reads
(three assessors and the accepted read) agree, so there is no difference to explain. The cases
where a simplified rule would have differed are pinned below (nodal CR with a sum > 0, an exact
-30.0% PR, PD on a partial assessment, PD from a nadir of 0).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.formats.adam import read_adsl
from oncotrial.formats.lesions import read_sdtm_lesions
from oncotrial.formats.sdtm import read_sdtm_folder, write_sdtm_folder
from oncotrial.response import derive_response


@pytest.fixture
def lesion_data(pharmaverse: Path, sdtm_folder):
    folder = sdtm_folder(tu="tu_onco_recist.csv", tr="tr_onco_recist.csv")
    adsl = read_adsl(pharmaverse / "adam" / "adsl.csv", required=["RANDDT"])
    return folder, adsl


def _recorded(pharmaverse: Path, evaluator: str | None) -> pd.DataFrame:
    rs = pd.read_csv(
        pharmaverse / "sdtm" / "rs_onco_recist.csv",
        dtype=str,
        keep_default_na=False,
        na_values=["", "NA"],
    )
    if evaluator is None:
        rs = rs[rs["RSACPTFL"] == "Y"]
    elif evaluator == "INVESTIGATOR":
        rs = rs[rs["RSEVAL"] == evaluator]
    else:
        rs = rs[rs["RSEVALID"] == evaluator]
    # RSDTC "2014-02" is completed to 2014-02-28 as for the derived assessment.
    completed = rs["RSDTC"].where(rs["RSDTC"].str.len() == 10, rs["RSDTC"] + "-28")
    return pd.DataFrame(
        {"USUBJID": rs["USUBJID"], "ADT": pd.to_datetime(completed), "RECORDED": rs["RSSTRESC"]}
    )


@pytest.mark.parametrize("evaluator", ["INVESTIGATOR", "RADIOLOGIST 1", "RADIOLOGIST 2", None])
def test_derived_timepoints_equal_recorded_responses(lesion_data, pharmaverse, evaluator) -> None:
    folder, adsl = lesion_data
    result = derive_response(adsl, lesions=read_sdtm_lesions(folder), evaluator=evaluator)
    derived = result.timepoints[["USUBJID", "ADT", "OVRLRESP", "RULE"]]
    joined = derived.merge(_recorded(pharmaverse, evaluator), on=["USUBJID", "ADT"], how="outer")
    assert len(joined) == 22
    assert joined["OVRLRESP"].notna().all()
    assert joined["RECORDED"].notna().all()
    differences = joined[joined["OVRLRESP"] != joined["RECORDED"]]
    assert differences.empty, differences
    assert result.excluded.empty


def test_investigator_sums_and_the_edge_cases(lesion_data) -> None:
    folder, adsl = lesion_data
    result = derive_response(adsl, lesions=read_sdtm_lesions(folder), evaluator="INVESTIGATOR")
    tp = result.timepoints.set_index(["USUBJID", result.timepoints["ADT"].dt.strftime("%Y-%m-%d")])

    # 01-701-1015: baseline 21 + 32 (node T02, short axis) + 24 + 19 = 96; at week 9 the node is
    # 7 mm and every other target 0: CR although the sum is 7 (RECIST 1.1 §4.3.1).
    week9 = tp.loc[("01-701-1015", "2014-03-06")]
    assert week9["BASE_SUM"] == 96
    assert week9["SUM"] == 7
    assert (week9["TRGRESP"], week9["TRGRULE"], week9["OVRLRESP"]) == ("CR", "TL-CR", "CR")
    # Week 6 (2014-02, completed to 02-28): two of four targets measured -> NE.
    week6 = tp.loc[("01-701-1015", "2014-02-28")]
    assert (week6["N_ASSESSED"], week6["TRGRESP"], week6["OVRLRESP"]) == (2, "NE", "NE")

    # 01-701-1133 week 3: 42 vs baseline 60 is exactly -30.0% -> PR ('at least a 30% decrease').
    week3 = tp.loc[("01-701-1133", "2012-11-18")]
    assert week3["PCHG"] == pytest.approx(-30.0)
    assert week3["TRGRESP"] == "PR"
    # Week 9: 5 mm after a nadir of 0 -> PD (+5 mm, and any increase over 0 is >= 20%).
    week9 = tp.loc[("01-701-1133", "2012-12-30")]
    assert (week9["NADIR"], week9["SUM"], week9["TRGRESP"]) == (0.0, 5.0, "PD")

    # 01-701-1028 week 6: four of five targets measured, already >= 20% and 5 mm above the nadir.
    partial = tp.loc[("01-701-1028", "2013-08-30")]
    assert (partial["N_ASSESSED"], partial["N_TARGET"]) == (4, 5)
    assert (partial["TRGRESP"], partial["TRGRULE"]) == ("PD", "TL-PD-PARTIAL")


def test_lesion_table_carries_sums_and_changes(lesion_data) -> None:
    folder, adsl = lesion_data
    result = derive_response(adsl, lesions=read_sdtm_lesions(folder), evaluator="INVESTIGATOR")
    table = result.lesions
    subject = table[table["USUBJID"] == "01-701-1115"]
    baseline = subject[subject["ABLFL"] == "Y"]
    assert len(baseline) == 3
    assert baseline["SUM"].unique().tolist() == [90.0]
    node = subject[(subject["LESION_ID"] == "T01")]
    assert node["IS_NODE"].all()  # TULOC "LYMPH NODE"
    assert (node["DIAMETER"] == node["SAXIS"]).all()
    week6 = subject[subject["ADT"] == "2013-01-11"]
    assert week6["SUM"].unique().tolist() == [44.0]
    assert week6["CHG"].unique().tolist() == [-46.0]
    assert week6["NADIR"].unique().tolist() == [74.0]
    assert week6["CHG_NADIR"].unique().tolist() == [-30.0]
    assert set(week6["OVRLRESP"]) == {"PR"}
    # The investigator's non-target TUMSTATE rows are recorded twice each: merged and flagged.
    assert (result.flags["ACTION"] == "identical duplicate merged").sum() == 13


def test_dataset_json_gives_the_same_result(lesion_data, tmp_path) -> None:
    folder, adsl = lesion_data
    frames = read_sdtm_folder(folder, ["TU", "TR"])
    json_folder = tmp_path / "json"
    write_sdtm_folder(frames, json_folder, fmt="json", study_oid="CDISCPILOT01", created="x")
    from_csv = derive_response(adsl, lesions=read_sdtm_lesions(folder), evaluator="INVESTIGATOR")
    from_json = derive_response(
        adsl, lesions=read_sdtm_lesions(json_folder), evaluator="INVESTIGATOR"
    )
    pd.testing.assert_frame_equal(
        from_csv.adrs.drop(columns=["RULE"]), from_json.adrs.drop(columns=["RULE"])
    )
