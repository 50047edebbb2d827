"""iRECIST (Seymour et al., Lancet Oncol 2017;18:e143-52).

Table 3 of the paper ("Scenarios of assignments of best overall response using iRECIST") lists
eight examples, each column allowing several timepoint responses; every combination of each
example is checked (one subject per combination, all in one derivation). The table "assumes a
randomised study in which confirmation of complete response or partial response is not
required", so the unconfirmed best response (BOR) is compared. Then Table 2's confirmation and
reset rules from lesion measurements, and the pharmaverse iRECIST RS file.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest
from response_builders import L, day, lesions, offset_of, param, subjects, targets

from oncotrial.cli import main
from oncotrial.formats.adam import read_adsl
from oncotrial.formats.lesions import read_sdtm_responses
from oncotrial.response import ResponseCriteria, ResponseSettings, derive_response

IRECIST = ResponseSettings(criteria=ResponseCriteria.IRECIST)
ANY = "iCR|iPR|iSD|iUPD|iCPD|NE"

# Example: (timepoint responses 1-5, each column's allowed values separated by |, iBOR).
TABLE_3 = {
    1: (["iCR", "iCR|iPR|iUPD|NE", "iCR|iPR|iUPD|NE", "iUPD", "iCPD"], "iCR"),
    2: (["iUPD", "iPR|iSD|NE", "iCR", "iCR|iUPD|NE", "iCR|iPR|iSD|iUPD|iCPD|NE"], "iCR"),
    3: (["iUPD", "iPR", "iPR|iSD|iUPD|NE", "iPR|iSD|iUPD|NE|iCPD", "iPR|iSD|iUPD|NE|iCPD"], "iPR"),
    4: (["iUPD", "iSD|NE", "iPR", "iPR|iSD|iUPD|NE", "iPR|iSD|iUPD|iCPD|NE"], "iPR"),
    5: (["iUPD", "iSD", "iSD|iUPD|NE", "iSD|iUPD|iCPD|NE", "iSD|iUPD|iCPD|NE"], "iSD"),
    6: (["iUPD", "iCPD", ANY, ANY, ANY], "iCPD"),
    7: (["iUPD", "iUPD", "iCPD", ANY, ANY], "iCPD"),
    8: (["iUPD", "NE", "NE", "NE", "NE"], "iUPD"),
}


@pytest.mark.parametrize("example", sorted(TABLE_3))
def test_table_3_example(example: int) -> None:
    columns, expected = TABLE_3[example]
    sequences = list(itertools.product(*(column.split("|") for column in columns)))
    ids = [f"E{example}-{n}" for n in range(len(sequences))]
    records = pd.DataFrame(
        [
            {"USUBJID": subject, "DTC": day(42 * (k + 1)), "RESPONSE": response}
            for subject, sequence in zip(ids, sequences, strict=True)
            for k, response in enumerate(sequence)
        ]
    )
    result = derive_response(subjects(*ids), timepoints=records, settings=IRECIST)
    bor = result.adrs[result.adrs["PARAMCD"] == "BOR"].set_index("USUBJID")["AVALC"]
    wrong = {seq: bor[s] for s, seq in zip(ids, sequences, strict=True) if bor[s] != expected}
    assert not wrong, wrong
    assert result.excluded.empty


def test_progression_is_dated_at_the_confirmed_iupd() -> None:
    result = derive_response(
        subjects("S1"),
        timepoints=pd.DataFrame(
            {
                "USUBJID": "S1",
                "DTC": [day(42), day(84), day(126), day(168)],
                "RESPONSE": ["iSD", "iUPD", "NE", "iCPD"],
            }
        ),
        settings=IRECIST,
    )
    assert offset_of(param(result.adrs, "PD")["ADT"]) == 84
    bor = param(result.adrs, "BOR")
    assert (bor["AVALC"], offset_of(bor["ADT"])) == ("iSD", 42)


def _irecist(*records: L, settings: ResponseSettings = IRECIST):
    result = derive_response(subjects("S1"), lesions=lesions(*records), settings=settings)
    tp = result.timepoints.set_index(result.timepoints["ADT"].map(offset_of))
    return result, tp


def test_target_iupd_confirmed_by_a_further_5_mm() -> None:
    # Nadir 40 (baseline); day 42: 50 (+25%, +10 mm) iUPD; day 84: 54 (+4 mm) stays iUPD; day
    # 126: 56 (+6 mm over the iUPD sum: increases are additive) iCPD.
    result, tp = _irecist(
        *targets(-1, 30, 10),
        *targets(42, 40, 10),
        *targets(84, 44, 10),
        *targets(126, 46, 10),
    )
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iUPD", "iCPD"]
    assert tp["RULE"].tolist() == ["IR-IUPD", "IR-REMAIN", "IR-ICPD-TARGET"]
    assert offset_of(param(result.adrs, "PD")["ADT"]) == 42
    assert param(result.adrs, "BOR")["AVALC"] == "iCPD"


def test_iupd_is_reset_when_the_tumour_shrinks_and_must_be_met_again() -> None:
    # iUPD (day 42), shrinks below the PD level (day 84: iSD, reset), grows again (day 126):
    # a new iUPD, not iCPD, because the earlier iUPD was reset.
    _, tp = _irecist(
        *targets(-1, 30, 10),
        *targets(42, 40, 10),
        *targets(84, 30, 10),
        *targets(126, 41, 10),
    )
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iSD", "iUPD"]
    assert tp["RULE"].tolist() == ["IR-IUPD", "IR-RESET", "IR-IUPD"]


def test_another_new_lesion_confirms_progression() -> None:
    _, tp = _irecist(
        *targets(-1, 30),
        *targets(42, 20),
        L(42, "N1", "NEW", diameter=10),
        *targets(84, 18),
        L(84, "N1", "NEW", diameter=10),
        *targets(126, 18),
        L(126, "N1", "NEW", diameter=10),
        L(126, "N2", "NEW", diameter=6),
    )
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iUPD", "iCPD"]
    assert tp["RULE"].tolist() == ["IR-IUPD", "IR-REMAIN", "IR-ICPD-NEW"]


def test_new_lesion_growth_of_5_mm_confirms_and_new_lesion_sums_stay_apart() -> None:
    _, tp = _irecist(
        *targets(-1, 30),
        *targets(42, 20),
        L(42, "N1", "NEW", diameter=10),
        *targets(84, 20),
        L(84, "N1", "NEW", diameter=15),
    )
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iCPD"]
    assert tp["SUM"].tolist() == [20.0, 20.0]  # the target sum excludes new lesions
    assert tp["NLT_SUM"].tolist() == [10.0, 15.0]


def test_non_target_further_increase_confirms() -> None:
    _, tp = _irecist(
        *targets(-1, 30),
        L(-1, "NT1", "NON-TARGET", status="PRESENT"),
        *targets(42, 25),
        L(42, "NT1", "NON-TARGET", status="UNEQUIVOCAL PROGRESSION"),
        *targets(84, 25),
        L(84, "NT1", "NON-TARGET", status="INCREASED"),
    )
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iCPD"]
    assert tp["RULE"].tolist() == ["IR-IUPD", "IR-ICPD-NT"]


def test_progression_in_a_new_category_confirms() -> None:
    # iUPD by the target sum, then a new lesion appears: iCPD.
    _, tp = _irecist(
        *targets(-1, 30),
        *targets(42, 37),
        *targets(84, 36),
        L(84, "N1", "NEW", diameter=8),
    )
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iCPD"]
    assert tp["RULE"].tolist() == ["IR-IUPD", "IR-ICPD-NEW"]


def test_confirmation_sooner_than_4_weeks_does_not_count_and_ne_keeps_iupd_pending() -> None:
    result, tp = _irecist(
        *targets(-1, 30),
        *targets(42, 37),
        *targets(56, 45),  # +8 mm but 14 days after iUPD
        L(98, "T1", status="NOT EVALUABLE"),
        *targets(140, 45),
    )
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iUPD", "NE", "iCPD"]
    assert tp["RULE"].tolist()[:2] == ["IR-IUPD", "IR-EARLY"]
    assert result.flags.empty


def test_a_late_first_reassessment_is_flagged() -> None:
    result, tp = _irecist(*targets(-1, 30), *targets(42, 37), *targets(120, 30))
    assert tp["OVRLRESP"].tolist() == ["iUPD", "iSD"]
    assert result.flags["RULE"].tolist() == ["IR-LATE"]


def test_recist_would_have_stopped_at_the_first_progression() -> None:
    records = [*targets(-1, 30, 10), *targets(42, 40, 10), *targets(84, 20, 5)]
    recist = derive_response(subjects("S1"), lesions=lesions(*records))
    assert param(recist.adrs, "BOR")["AVALC"] == "PD"
    irecist, _ = _irecist(*records)
    assert param(irecist.adrs, "BOR")["AVALC"] == "iPR"  # 25 mm = -37.5% after the reset
    assert param(irecist.adrs, "PD")["AVALC"] == "N"


def test_pharmaverse_irecist_rs_runs(pharmaverse: Path, sdtm_folder, tmp_path) -> None:
    folder = sdtm_folder(rs="rs_onco_irecist.csv")
    adsl = read_adsl(pharmaverse / "adam" / "adsl.csv", required=["RANDDT"])
    result = derive_response(
        adsl,
        timepoints=read_sdtm_responses(folder, criteria=ResponseCriteria.IRECIST),
        settings=IRECIST,
    )
    assert result.excluded.empty
    summary = result.summary.set_index("USUBJID")
    assert (summary["N_ASSESSMENTS"] > 0).sum() == 26
    # 01-701-1028: iUPD (2013-08, completed to 08-31), iCPD 2013-10-09, iSD after iCPD ignored.
    row = summary.loc["01-701-1028"]
    assert (row["BOR"], str(row["BOR_DT"].date())) == ("iCPD", "2013-10-09")
    assert str(row["FIRST_PD_DT"].date()) == "2013-08-31"
    # 01-701-1130: iUPD, iCR, iCR (36 days apart: confirmed), iUPD.
    row = summary.loc["01-701-1130"]
    assert (row["BOR"], row["CBOR"]) == ("iCR", "iCR")
    # 01-701-1015: a single iUPD never confirmed (Table 3 example 8).
    assert summary.loc["01-701-1015", "BOR"] == "iUPD"
    # The same through the CLI.
    out = tmp_path / "adrs.csv"
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "response",
                "derive",
                "--sdtm",
                str(folder),
                "--criteria",
                "irecist",
                "--adsl",
                str(pharmaverse / "adam" / "adsl.csv"),
                "--out",
                str(out),
            ]
        )
    assert exit_info.value.code == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(written["PARCAT3"]) == {"iRECIST"}


def test_recist_criteria_on_irecist_records_are_reported(pharmaverse, sdtm_folder) -> None:
    folder = sdtm_folder(rs="rs_onco_irecist.csv")
    with pytest.raises(Exception, match="RSCAT holds iRECIST"):
        read_sdtm_responses(folder, criteria=ResponseCriteria.RECIST_1_1)
