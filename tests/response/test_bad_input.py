"""Bad input is reported per subject and record; the rest of the trial is still derived."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from response_builders import L, day, lesions, param, subjects, targets, timepoints

from oncotrial.errors import InputError, RuleError, SchemaError, ValueProblem
from oncotrial.formats.adam import read_adsl
from oncotrial.formats.lesions import read_lesion_csv, read_sdtm_lesions
from oncotrial.response import ResponseSettings, derive_response


def _healthy(subject: str = "S2") -> list[L]:
    """A second subject with clean data: PR at day 56."""
    return [*targets(-1, 30, 20, subject=subject), *targets(56, 20, 10, subject=subject)]


def _derive(*records: L, settings: ResponseSettings | None = None):
    result = derive_response(
        subjects("S1", "S2"), lesions=lesions(*records, *_healthy()), settings=settings
    )
    # The clean subject is derived whatever happens to S1.
    assert param(result.adrs, "BOR", "S2")["AVALC"] == "PR"
    assert "S2" not in set(result.excluded["USUBJID"])
    return result


def _only(frame: pd.DataFrame, **where: str) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, frame.to_string()
    return rows.iloc[0]


def test_measurements_without_any_baseline_exclude_the_subject() -> None:
    result = _derive(*targets(56, 30, 20), *targets(112, 20, 10))
    row = _only(result.excluded, USUBJID="S1")
    assert "without a baseline" in row["PROBLEM"]
    assert row["ACTION"] == "subject excluded"
    assert param(result.adrs, "BOR", "S1")[["AVALC", "RULE"]].tolist() == ["MISSING", "EXCLUDED"]
    assert result.summary.set_index("USUBJID").loc["S1", "EXCLUDED"]


def test_a_target_lesion_first_seen_at_follow_up_excludes_the_subject() -> None:
    result = _derive(*targets(-1, 30, 20), *targets(56, 20, 10), L(56, "T3", diameter=15))
    row = _only(result.excluded, USUBJID="S1")
    assert row["VALUE"] == "T3"
    assert row["FIELD"] == "LESION_ID"
    assert "without a usable baseline measurement" in row["PROBLEM"]
    assert row["RECORD"] == "row 5"


def test_a_non_target_lesion_first_seen_at_follow_up_is_excluded_alone() -> None:
    result = _derive(
        *targets(-1, 30, 20), *targets(56, 20, 10), L(56, "NT9", "NON-TARGET", status="PRESENT")
    )
    row = _only(result.excluded, USUBJID="S1")
    assert "measurement without a baseline" in row["PROBLEM"]
    assert row["ACTION"] == "record excluded"
    assert param(result.adrs, "BOR", "S1")["AVALC"] == "PR"


def test_a_lesion_recorded_twice_on_one_date_with_different_values_is_not_assessed() -> None:
    result = _derive(
        *targets(-1, 30, 20), *targets(56, 20, 10), L(56, "T1", diameter=25), *targets(112, 15, 5)
    )
    rows = result.excluded[result.excluded["USUBJID"] == "S1"]
    assert rows["VALUE"].tolist() == ["T1", "T1"]
    assert rows["RECORD"].tolist() == ["row 3", "row 5"]
    assert rows["PROBLEM"].str.contains("duplicate lesion id").all()
    tp = result.timepoints[result.timepoints["USUBJID"] == "S1"]
    assert tp["OVRLRESP"].tolist() == ["NE", "PR"]


def test_an_identical_duplicate_is_merged_and_flagged() -> None:
    result = _derive(*targets(-1, 30, 20), *targets(56, 20, 10), L(56, "T1", diameter=20))
    assert result.excluded[result.excluded["USUBJID"] == "S1"].empty
    assert _only(result.flags, USUBJID="S1")["ACTION"] == "identical duplicate merged"
    assert param(result.adrs, "BOR", "S1")["AVALC"] == "PR"


def test_one_lesion_id_for_two_lesions_excludes_the_subject() -> None:
    result = _derive(
        *targets(-1, 30, 20), L(-1, "T1", "NON-TARGET", status="PRESENT"), *targets(56, 20, 10)
    )
    problems = result.excluded[result.excluded["USUBJID"] == "S1"]
    assert "different roles" in " ".join(problems["PROBLEM"])
    assert "subject excluded" in set(problems["ACTION"])
    assert param(result.adrs, "BOR", "S1")["RULE"] == "EXCLUDED"


def test_unparseable_and_partial_dates() -> None:
    records = [*targets(-1, 30, 20), *targets(56, 20, 10), *targets(112, 15, 5)]
    frame = lesions(*records, *_healthy())
    frame.loc[2, "DTC"] = "2020-13-45"
    frame.loc[3, "DTC"] = "yesterday"
    frame.loc[4, "DTC"] = "2020"
    result = derive_response(subjects("S1", "S2"), lesions=frame)
    rows = result.excluded[result.excluded["USUBJID"] == "S1"]
    assert rows["FIELD"].tolist() == ["DTC", "DTC", "DTC"]
    assert rows["VALUE"].tolist() == ["2020-13-45", "yesterday", "2020"]
    assert "not a calendar date" in rows.iloc[0]["PROBLEM"]
    assert "ISO 8601" in rows.iloc[1]["PROBLEM"]
    assert "only the year" in rows.iloc[2]["PROBLEM"]
    # Day 56 lost both targets' records: that assessment cannot be dated, so it is not derived;
    # day 112 lost one target: NE.
    tp = result.timepoints[result.timepoints["USUBJID"] == "S1"]
    assert tp["OVRLRESP"].tolist() == ["NE"]
    assert param(result.adrs, "BOR", "S2")["AVALC"] == "PR"


def test_partial_dates_are_completed_or_rejected_as_set() -> None:
    frame = lesions(*targets(-1, 30, 20), *targets(60, 20, 10))
    frame.loc[2:3, "DTC"] = "2020-03"
    completed = derive_response(subjects("S1"), lesions=frame)
    assert completed.timepoints["ADT"].dt.strftime("%Y-%m-%d").tolist() == ["2020-03-31"]
    assert completed.timepoints["ADTF"].tolist() == ["D"]
    first = derive_response(
        subjects("S1"), lesions=frame, settings=ResponseSettings(partial_date_day="first")
    )
    assert first.timepoints["ADT"].dt.strftime("%Y-%m-%d").tolist() == ["2020-03-01"]
    rejected = derive_response(
        subjects("S1"), lesions=frame, settings=ResponseSettings(partial_date_day="reject")
    )
    assert rejected.timepoints.empty
    assert rejected.excluded["PROBLEM"].str.contains("day is missing").all()


def test_an_assessment_before_the_reference_date_is_excluded() -> None:
    result = derive_response(
        subjects("S1", "S2"),
        timepoints=pd.concat(
            [
                timepoints([(-7, "SD"), (42, "PR"), (84, "PR")]),
                timepoints([(42, "SD")], subject="S2"),
            ]
        ),
    )
    row = _only(result.excluded, USUBJID="S1")
    assert (row["FIELD"], row["VALUE"], row["RULE"]) == ("DTC", day(-7), "TP-BEFORE-REF")
    assert "before the reference date" in row["PROBLEM"]
    assert param(result.adrs, "CBOR", "S1")["AVALC"] == "PR"


def test_lesion_records_before_the_reference_date() -> None:
    result = _derive(
        *targets(-30, 35, 25),  # an earlier pre-treatment scan: superseded by day -1
        *targets(-1, 30, 20),
        L(-1, "N1", "NEW", diameter=5),  # a new lesion cannot predate treatment
        *targets(56, 20, 10),
    )
    rows = result.excluded[result.excluded["USUBJID"] == "S1"]
    assert rows["RULE"].tolist().count("BL-DATE") == 2
    assert rows["PROBLEM"].str.contains("new lesion dated on or before").sum() == 1
    tp = result.timepoints[result.timepoints["USUBJID"] == "S1"]
    assert tp["BASE_SUM"].tolist() == [50.0]


def test_other_bad_values() -> None:
    frame = lesions(*targets(-1, 30, 20), *targets(56, 20, 10), *_healthy())
    frame.loc[2, "DIAMETER"] = "twenty"
    frame.loc[3, "ROLE"] = "BIGGEST"
    frame.loc[len(frame)] = frame.loc[0].to_dict() | {"USUBJID": "S9"}
    result = derive_response(subjects("S1", "S2"), lesions=frame)
    excluded = result.excluded
    assert _only(excluded, FIELD="DIAMETER")["VALUE"] == "twenty"
    assert "unknown or missing lesion role" in _only(excluded, FIELD="ROLE")["PROBLEM"]
    assert "not in the subject file" in _only(excluded, USUBJID="S9")["PROBLEM"]


def test_subjects_without_a_reference_date_are_excluded() -> None:
    adsl = subjects("S1", "S2")
    adsl.loc[0, "RANDDT"] = pd.NaT
    result = derive_response(adsl, lesions=lesions(*targets(-1, 30), *targets(56, 20)))
    row = _only(result.excluded, USUBJID="S1")
    assert "no reference date (RANDDT)" in row["PROBLEM"]
    assert param(result.adrs, "BOR", "S2")["AVALC"] == "MISSING"


def test_baseline_rule_violations_are_flagged_not_fixed() -> None:
    result = derive_response(
        subjects("S1"),
        lesions=lesions(
            *[L(-40, f"T{i}", diameter=8 if i == 1 else 20, organ="LIVER") for i in range(1, 7)],
            L(-40, "N1", "TARGET", diameter=12, node=True),
            *[L(56, f"T{i}", diameter=15, organ="LIVER") for i in range(1, 7)],
            L(56, "N1", "TARGET", diameter=9, node=True),
        ),
    )
    assert result.excluded.empty
    assert set(result.flags["RULE"]) == {"BL-LD10", "BL-SA15", "BL-AGE", "BL-MAX5", "BL-MAX2"}
    assert result.timepoints["N_TARGET"].tolist() == [7]


def test_a_node_given_only_its_longest_diameter_in_tr(tmp_path: Path) -> None:
    folder = tmp_path / "sdtm"
    folder.mkdir()
    pd.DataFrame(
        {
            "STUDYID": "S",
            "USUBJID": "S1",
            "TULNKID": ["T01", "T02"],
            "TUSTRESC": "TARGET",
            "TULOC": ["LIVER", "LYMPH NODE"],
            "TUEVAL": "INVESTIGATOR",
        }
    ).to_csv(folder / "tu.csv", index=False)
    rows = [
        ("T01", "LDIAM", "30", day(-1), 1),
        ("T02", "LDIAM", "25", day(-1), 2),
        ("T02", "LPERP", "18", day(-1), 3),
        ("T01", "LDIAM", "20", day(56), 4),
        ("T02", "LDIAM", "15", day(56), 5),  # the node's short axis is missing
        ("T01", "LDIAM", "15", day(112), 6),
        ("T02", "LPERP", "8", day(112), 7),
    ]
    pd.DataFrame(
        {
            "STUDYID": "S",
            "USUBJID": "S1",
            "TRLNKID": [r[0] for r in rows],
            "TRTESTCD": [r[1] for r in rows],
            "TRSTRESC": [r[2] for r in rows],
            "TRDTC": [r[3] for r in rows],
            "TRSEQ": [r[4] for r in rows],
            "TREVAL": "INVESTIGATOR",
        }
    ).to_csv(folder / "tr.csv", index=False)
    result = derive_response(subjects("S1"), lesions=read_sdtm_lesions(folder))
    row = _only(result.excluded, USUBJID="S1")
    assert (row["SOURCE"], row["RECORD"], row["FIELD"]) == ("tr.csv", "TRSEQ 5", "SAXIS")
    assert "only a longest diameter" in row["PROBLEM"]
    assert result.timepoints["OVRLRESP"].tolist() == ["NE", "PR"]  # 15 + 8 = 23 vs 48


def test_the_long_csv_reports_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "lesions.csv"
    path.write_text(
        "subject,date,lesion_id,role,is_node,diameter_mm,axis\n"
        f"S1,{day(-1)},T1,TARGET,N,30,\n"
        f"S1,{day(-1)},N1,TARGET,Y,20,\n"
        f"S1,{day(56)},T1,TARGET,N,20,\n"
        f"S1,{day(56)},N1,TARGET,Y,21,LONG\n",
        encoding="utf-8",
    )
    result = derive_response(subjects("S1"), lesions=read_lesion_csv(path))
    row = _only(result.excluded, USUBJID="S1")
    assert (row["SOURCE"], row["RECORD"]) == ("lesions.csv", "line 5")
    assert result.excluded_problems()[0].describe().startswith("file lesions.csv, record subject")


# --- errors that stop a derivation (nothing is derived from malformed frames) --------------


def test_structural_errors_are_clear() -> None:
    with pytest.raises(SchemaError, match="lacks column"):
        derive_response(subjects("S1"), lesions=pd.DataFrame({"USUBJID": ["S1"]}))
    with pytest.raises(InputError, match="either lesion measurements or recorded"):
        derive_response(subjects("S1"))
    with pytest.raises(SchemaError, match="more than once"):
        derive_response(subjects("S1", "S1"), timepoints=timepoints([(42, "SD")]))
    with pytest.raises(SchemaError, match="RANDDT"):
        derive_response(
            subjects("S1").drop(columns=["RANDDT"]), timepoints=timepoints([(42, "SD")])
        )


def test_assessor_choice_errors() -> None:
    records = timepoints([(42, "SD"), (42, "PR")])
    records["EVAL"] = ["INVESTIGATOR", "INDEPENDENT ASSESSOR"]
    with pytest.raises(RuleError, match="several assessors"):
        derive_response(subjects("S1"), timepoints=records)
    with pytest.raises(RuleError, match="no timepoint response records from assessor 'DR X'"):
        derive_response(subjects("S1"), timepoints=records, evaluator="DR X")
    chosen = derive_response(subjects("S1"), timepoints=records, evaluator="investigator")
    assert param(chosen.adrs, "BOR")["AVALC"] == "SD"  # day 42: the SD window is reached


def test_responses_unknown_to_the_criteria_are_excluded() -> None:
    result = derive_response(subjects("S1"), timepoints=timepoints([(42, "iPR"), (84, "PR")]))
    row = _only(result.excluded, USUBJID="S1")
    assert (row["FIELD"], row["VALUE"]) == ("RESPONSE", "iPR")


def test_several_responses_on_one_date_keep_the_worst() -> None:
    result = derive_response(subjects("S1"), timepoints=timepoints([(42, "PR"), (42, "PD")]))
    assert param(result.adrs, "BOR")["AVALC"] == "PD"
    assert _only(result.excluded, USUBJID="S1")["RULE"] == "TP-SAMEDAY"


def test_adsl_dates_that_do_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "adsl.csv"
    path.write_text(
        "USUBJID,RANDDT,TRTSDT\nS1,2020-01-01,2020-01-02\nS2,01/02/2020,NA\n", encoding="utf-8"
    )
    with pytest.raises(ValueProblem) as error:
        read_adsl(path, required=["RANDDT"])
    assert error.value.problems[0].record == "subject S2"
    assert error.value.problems[0].field == "RANDDT"
    assert "01/02/2020" in error.value.report()
    path.write_text("USUBJID,TRTSDT\nS1,2020-01-01\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="RANDDT"):
        read_adsl(path, required=["RANDDT"])


def test_empty_inputs_give_missing_for_every_subject() -> None:
    for frame in (lesions(), None):
        if frame is None:
            result = derive_response(subjects("S1", "S2"), timepoints=timepoints([]))
        else:
            result = derive_response(subjects("S1", "S2"), lesions=frame)
        assert result.adrs.loc[result.adrs["PARAMCD"] == "BOR", "AVALC"].tolist() == [
            "MISSING",
            "MISSING",
        ]
        assert result.timepoints.empty
        assert result.excluded.empty


def test_settings_round_trip_as_the_protocol_stores_them() -> None:
    custom = ResponseSettings(confirmation_days=35, after_cr="admiralonco", too_small_mm=3)
    assert ResponseSettings.model_validate_json(custom.model_dump_json()) == custom
    with pytest.raises(ValueError, match="confirmation_days"):
        ResponseSettings(confirmation_days=-1)


def _rules(result, subject: str) -> dict[str, tuple[str, str]]:
    rows = result.adrs[result.adrs["USUBJID"] == subject]
    return {p: tuple(r) for p, *r in rows[["PARAMCD", "AVALC", "RULE"]].itertuples(index=False)}


def test_a_subject_left_without_assessments_by_exclusions_is_excluded_not_missing() -> None:
    """docs/response.md: MISSING / N with RULE EXCLUDED, and the summary says EXCLUDED."""
    records = pd.concat(
        [
            timepoints([(-20, "PR"), (-5, "CR")], subject="S1"),  # all before the reference date
            timepoints([(40, "PRX"), (80, "??")], subject="S2"),  # all unreadable
            timepoints([(40, "PR")], subject="S3"),
        ]
    )
    result = derive_response(subjects("S1", "S2", "S3", "S4"), timepoints=records)
    summary = result.summary.set_index("USUBJID")["EXCLUDED"]
    for subject in ("S1", "S2"):
        rules = _rules(result, subject)
        assert rules["BOR"] == ("MISSING", "EXCLUDED")
        assert rules["CBOR"] == ("MISSING", "EXCLUDED")
        assert rules["RSP"] == ("N", "EXCLUDED")
        assert summary[subject]
    # A subject without any record is simply missing (admiralonco no_data_missing).
    assert _rules(result, "S4")["BOR"] == ("MISSING", "BOR-MISSING")
    assert not summary["S4"]
    assert _rules(result, "S3")["BOR"] == ("PR", "BOR-PR")


def test_lesions_excluded_at_every_follow_up_make_the_subject_excluded() -> None:
    frame = lesions(*targets(-1, 30, 20), *targets(56, 20, 10), *_healthy())
    frame.loc[2:3, "DTC"] = "not a date"  # S1's only follow-up
    result = derive_response(subjects("S1", "S2"), lesions=frame)
    assert _rules(result, "S1")["BOR"] == ("MISSING", "EXCLUDED")
    # Baseline only, nothing excluded: no assessment yet, MISSING.
    baseline_only = derive_response(subjects("S1"), lesions=lesions(*targets(-1, 30, 20)))
    assert _rules(baseline_only, "S1")["BOR"] == ("MISSING", "BOR-MISSING")
