"""RECIST 1.1 and mRECIST lesion rules at the edges spreadsheets get wrong."""

from __future__ import annotations

import pytest
from response_builders import L, lesions, offset_of, param, subjects, targets

from oncotrial.response import ResponseCriteria, ResponseSettings, derive_response

MRECIST = ResponseSettings(criteria=ResponseCriteria.MRECIST)


def _timepoints(*records: L, settings: ResponseSettings | None = None):
    result = derive_response(subjects("S1"), lesions=lesions(*records), settings=settings)
    return result, result.timepoints.set_index(result.timepoints["ADT"].map(lambda t: offset_of(t)))


def test_nodes_below_10_mm_are_a_complete_response_with_a_positive_sum() -> None:
    _, tp = _timepoints(*targets(-1, 30, 20, nodes=(1,)), *targets(56, 0, 9.9, nodes=(1,)))
    assert tp.loc[56, "SUM"] == pytest.approx(9.9)
    assert tp.loc[56, ["TRGRESP", "TRGRULE", "OVRLRESP"]].tolist() == ["CR", "TL-CR", "CR"]


def test_a_node_at_10_mm_is_not_a_complete_response() -> None:
    _, tp = _timepoints(*targets(-1, 30, 20, nodes=(1,)), *targets(56, 0, 10, nodes=(1,)))
    assert tp.loc[56, "TRGRESP"] == "PR"  # 10 / 50 = -80%


def test_partial_response_at_exactly_30_percent_and_not_below() -> None:
    _, tp = _timepoints(*targets(-1, 60, 40), *targets(56, 42, 28), *targets(112, 42, 28.1))
    assert tp.loc[56, "PCHG"] == pytest.approx(-30.0)
    assert tp.loc[56, "TRGRESP"] == "PR"
    assert tp.loc[112, "TRGRESP"] == "SD"  # -29.9%


def test_progression_needs_20_percent_and_5_mm_over_the_nadir() -> None:
    # Nadir 20 (day 56); +20% = 24 is only +4 mm: not PD (still -52% from baseline: PR).
    # 25 is +25% and +5 mm: PD.
    _, tp = _timepoints(
        *targets(-1, 30, 20), *targets(56, 10, 10), *targets(112, 12, 12), *targets(168, 15, 10)
    )
    assert tp.loc[112, ["NADIR", "SUM", "TRGRESP"]].tolist() == [20.0, 24.0, "PR"]
    assert tp.loc[168, ["NADIR", "SUM", "TRGRESP"]].tolist() == [20.0, 25.0, "PD"]
    assert tp.loc[168, "CHG_NADIR"] == 5.0


def test_the_nadir_includes_baseline_and_ignores_incomplete_assessments() -> None:
    # Day 56 is incomplete (T2 not assessed, partial sum 5): it must not lower the nadir.
    _, tp = _timepoints(
        *targets(-1, 20, 10),
        L(56, "T1", diameter=5),
        L(56, "T2", status="NOT EVALUABLE"),
        *targets(112, 24, 12),
    )
    assert tp.loc[56, ["TRGRESP", "SUM"]].tolist()[0] == "NE"
    assert tp.loc[112, "NADIR"] == 30.0  # the baseline sum, not 5
    assert tp.loc[112, "TRGRESP"] == "PD"  # 36 = +20%, +6 mm


def test_progression_is_declared_on_an_incomplete_assessment_when_already_met() -> None:
    _, tp = _timepoints(*targets(-1, 20, 10, 10), L(56, "T1", diameter=50), L(56, "T2", diameter=5))
    assert tp.loc[56, ["TRGRESP", "TRGRULE"]].tolist() == ["PD", "TL-PD-PARTIAL"]


def test_a_missing_target_makes_the_assessment_not_evaluable() -> None:
    _, tp = _timepoints(*targets(-1, 20, 10), L(56, "T1", diameter=10))
    assert tp.loc[56, ["N_ASSESSED", "TRGRESP", "OVRLRESP"]].tolist() == [1, "NE", "NE"]


def test_too_small_to_measure_counts_5_mm_by_default_and_as_set() -> None:
    records = [
        *targets(-1, 20, 10),
        L(56, "T1", status="TOO SMALL TO MEASURE"),
        L(56, "T2", diameter=0),
    ]
    _, tp = _timepoints(*records)
    assert tp.loc[56, ["SUM", "TRGRESP"]].tolist() == [5.0, "PR"]  # not CR: a lesion is seen
    _, tp = _timepoints(*records, settings=ResponseSettings(too_small_mm=3))
    assert tp.loc[56, "SUM"] == 3.0


def test_mrecist_has_no_5_mm_minimum_for_progression() -> None:
    records = [*targets(-1, 10, 5), *targets(56, 8, 4), *targets(112, 10, 5)]  # 12 -> 15
    _, recist = _timepoints(*records)
    _, mrecist = _timepoints(*records, settings=MRECIST)
    assert recist.loc[112, "TRGRESP"] == "SD"  # +25% but +3 mm
    assert mrecist.loc[112, ["TRGRESP", "TRGRULE"]].tolist() == ["PD", "MR-TL-PD"]
    assert mrecist.loc[56, ["TRGRESP", "TRGRULE"]].tolist() == ["SD", "TL-SD"]


def test_mrecist_viable_tumour_gone_is_complete_response() -> None:
    result, tp = _timepoints(
        *targets(-1, 30, 20),
        L(-1, "NT1", "NON-TARGET", status="PRESENT"),
        *targets(56, 0, 0),
        L(56, "NT1", "NON-TARGET", status="PRESENT"),
        settings=MRECIST,
    )
    assert tp.loc[56, ["TRGRESP", "TRGRULE", "NTRGRESP", "OVRLRESP"]].tolist() == [
        "CR",
        "MR-TL-CR",
        "NON-CR/NON-PD",  # mRECIST 'IR/SD': enhancement persists in a non-target lesion
        "PR",
    ]
    assert set(result.adrs["PARCAT3"]) == {"mRECIST"}


def test_an_equivocal_new_lesion_confirmed_later_dates_progression_at_first_sighting() -> None:
    result, tp = _timepoints(
        *targets(-1, 30),
        *targets(56, 20),
        L(56, "N1", "NEW", status="EQUIVOCAL"),
        *targets(112, 18),
        L(112, "N1", "NEW", diameter=12),
    )
    assert tp.loc[56, ["NEWLIND", "NEWRULE", "OVRLRESP"]].tolist() == ["Y", "NL-CONFIRMED", "PD"]
    assert tp.loc[112, ["NEWLIND", "NEWRULE"]].tolist() == ["Y", "NL-YES"]
    assert offset_of(param(result.adrs, "PD")["ADT"]) == 56


def test_an_equivocal_new_lesion_never_confirmed_is_not_progression() -> None:
    result, tp = _timepoints(
        *targets(-1, 30), *targets(56, 20), L(56, "N1", "NEW", status="EQUIVOCAL")
    )
    assert tp.loc[56, ["NEWLIND", "OVRLRESP"]].tolist() == ["EQUIVOCAL", "PR"]
    assert param(result.adrs, "PD")["AVALC"] == "N"


def test_non_target_progression_and_nodes_in_the_non_target_set() -> None:
    _, tp = _timepoints(
        *targets(-1, 30),
        L(-1, "NT1", "NON-TARGET", status="PRESENT", node=True),
        *targets(56, 10),
        L(56, "NT1", "NON-TARGET", status="UNEQUIVOCAL PROGRESSION", node=True),
    )
    assert tp.loc[56, ["TRGRESP", "NTRGRESP", "NTRGRULE", "OVRLRESP"]].tolist() == [
        "PR",
        "PD",
        "NT-PD",
        "PD",
    ]


def test_timepoint_rows_carry_their_rules_and_sums() -> None:
    result, tp = _timepoints(*targets(-1, 30, 20), *targets(56, 20, 10))
    row = tp.loc[56]
    assert row[["BASE_SUM", "SUM", "CHG", "PCHG", "NADIR"]].tolist() == [
        50.0,
        30.0,
        -20.0,
        -40.0,
        50.0,
    ]
    assert row["RULE"] in result.rules
    assert row["TRGRULE"] in result.rules


def test_the_summary_has_the_waterfall_and_swimmer_figures() -> None:
    result, _ = _timepoints(
        *targets(-1, 30, 20), *targets(42, 25, 15), *targets(84, 10, 10), *targets(126, 20, 10)
    )
    row = result.summary.iloc[0]
    assert row["BASELINE_SUM"] == 50.0
    assert row["NADIR_SUM"] == 20.0
    assert row["BEST_PCHG"] == pytest.approx(-60.0)
    assert (row["BOR"], offset_of(row["BOR_DT"])) == ("PR", 84)
    assert offset_of(row["FIRST_RESPONSE_DT"]) == 84
    assert offset_of(row["FIRST_PD_DT"]) == 126  # 30 = +50% and +10 mm over 20
    assert offset_of(row["LAST_ASSESSMENT_DT"]) == 126
    assert row["RSP"]
    assert not row["CRSP"]  # the PR is followed by PD
    assert row["CB"]
    assert row["N_ASSESSMENTS"] == 3
    assert row["MEASURABLE"]
