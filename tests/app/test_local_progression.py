"""Local progression of treated lesions (LPFS events), rule by rule, on hand-made lesion tables."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.endpoints.local_progression import (
    LOCAL_PROGRESSION_RULES,
    derive_local_progression,
    treated_lesions,
)
from oncotrial.endpoints.tte import Param, derive_adtte
from oncotrial.errors import SchemaError


def lesion_rows(subject: str, lesion: str, visits: list[tuple[str, float | None, str | None]]):
    return [
        {"USUBJID": subject, "LESION_ID": lesion, "ADT": day, "DIAMETER": size, "STATUS": state}
        for day, size, state in visits
    ]


def treated(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"USUBJID": s, "LESION_ID": lesion, "START": start} for s, lesion, start in rows]
    )


def test_twenty_percent_and_five_mm_over_the_lesions_own_nadir() -> None:
    lesions = pd.DataFrame(
        lesion_rows(
            "S1",
            "T01",
            [
                ("2024-01-01", 30.0, None),  # baseline, before radiotherapy
                ("2024-03-01", 20.0, None),  # nadir
                ("2024-05-01", 23.0, None),  # +15%: not progression
                ("2024-07-01", 24.0, None),  # +20% but only +4 mm: not progression
                ("2024-09-01", 25.0, None),  # +25% and +5 mm: local progression
            ],
        )
        + lesion_rows("S1", "T02", [("2024-01-01", 10.0, None), ("2024-03-01", 40.0, None)])
    )
    result = derive_local_progression(lesions, treated(("S1", "T01", "2024-01-10")))
    assert result.events[["USUBJID", "LESION_ID", "RULE"]].values.tolist() == [
        ["S1", "T01", "LP-SIZE"]
    ]
    assert result.events["ADT"].iloc[0] == pd.Timestamp("2024-09-01")
    # the untreated T02 grew fourfold: not local progression of the treated lesion
    assert set(result.assessments["LESION_ID"]) == {"T01"}
    assert result.assessments["NADIR"].tolist() == [30.0, 20.0, 20.0, 20.0]
    assert result.subjects == ("S1",)


def test_reappearance_of_a_vanished_lesion_and_unequivocal_progression() -> None:
    lesions = pd.DataFrame(
        lesion_rows("S1", "T01", [("2024-01-01", 12.0, None), ("2024-03-01", 0.0, None)])
        + lesion_rows("S1", "T01", [("2024-05-01", 4.0, None), ("2024-07-01", 5.0, None)])
        + lesion_rows(
            "S2",
            "NT01",
            [("2024-01-01", None, "PRESENT"), ("2024-04-01", None, "UNEQUIVOCAL PROGRESSION")],
        )
    )
    result = derive_local_progression(
        lesions, treated(("S1", "T01", "2024-01-05"), ("S2", "NT01", "2024-01-05"))
    )
    events = result.events.set_index("USUBJID")
    assert events.loc["S1", "RULE"] == "LP-SIZE"  # 0 mm → 5 mm: reappeared
    assert events.loc["S1", "ADT"] == pd.Timestamp("2024-07-01")
    assert events.loc["S2", "RULE"] == "LP-UNEQUIVOCAL"


def test_only_assessments_after_the_local_therapy_count() -> None:
    lesions = pd.DataFrame(
        lesion_rows("S1", "T01", [("2024-01-01", 10.0, None), ("2024-02-01", 20.0, None)])
    )
    # the growth happened before the radiotherapy started on 2024-02-10
    result = derive_local_progression(lesions, treated(("S1", "T01", "2024-02-10")))
    assert result.events.empty
    assert result.subjects == ("S1",)


def test_first_local_progression_of_several_treated_lesions_and_unmatched_ones() -> None:
    lesions = pd.DataFrame(
        lesion_rows("S1", "T01", [("2024-01-01", 20.0, None), ("2024-06-01", 30.0, None)])
        + lesion_rows("S1", "T02", [("2024-01-01", 20.0, None), ("2024-04-01", 30.0, None)])
    )
    result = derive_local_progression(
        lesions,
        treated(
            ("S1", "T01", "2024-01-02"), ("S1", "T02", "2024-01-02"), ("S9", "T01", "2024-01-02")
        ),
    )
    assert result.events["LESION_ID"].tolist() == ["T02"]
    assert [p.record for p in result.problems] == ["S9"]
    assert "not in the lesion table" in result.problems[0].message


def test_treated_lesions_from_pr_links_only() -> None:
    pr = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S3"],
            "PRSEQ": [1, 2, 1, 1],
            "PRLNKID": ["T01", "T01", None, "NT02"],
            "PRSTDTC": ["2024-02-01", "2024-03-01", "2024-02-01", "2024-02"],
        }
    )
    out = treated_lesions(pr)
    # S2's therapy names no lesion; S3's partial date is kept undated; T01 keeps its first course
    assert out[["USUBJID", "LESION_ID"]].values.tolist() == [["S1", "T01"], ["S3", "NT02"]]
    assert out["START"].iloc[0] == pd.Timestamp("2024-02-01")
    assert pd.isna(out["START"].iloc[1])
    lesions = pd.DataFrame(lesion_rows("S3", "NT02", [("2024-01-01", None, "PRESENT")]))
    result = derive_local_progression(lesions, out)
    assert [(p.record, p.field) for p in result.problems] == [("S3", "PRSTDTC"), ("S1", "PRLNKID")]
    assert result.subjects == ()
    assert treated_lesions(pr.drop(columns="PRLNKID")).empty


def test_rules_are_declared_with_sources_and_bad_input_is_named() -> None:
    assert set(LOCAL_PROGRESSION_RULES) == {"LP-SIZE", "LP-UNEQUIVOCAL", "LP-NONE"}
    assert all(rule.source for rule in LOCAL_PROGRESSION_RULES.values())
    with pytest.raises(SchemaError, match="LESION_ID"):
        derive_local_progression(pd.DataFrame({"USUBJID": []}), treated())


def test_events_feed_lpfs_in_the_tte_engine() -> None:
    lesions = pd.DataFrame(
        lesion_rows("S1", "T01", [("2024-01-01", 20.0, None), ("2024-04-01", 30.0, None)])
    )
    local = derive_local_progression(lesions, treated(("S1", "T01", "2024-01-02")))
    adsl = pd.DataFrame(
        {"USUBJID": ["S1"], "RANDDT": ["2024-01-01"], "DTHDT": [None], "LSTALVDT": ["2024-08-01"]}
    )
    adrs = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1"],
            "PARAMCD": ["OVR", "OVR"],
            "AVALC": ["SD", "SD"],
            "ADT": ["2024-04-01", "2024-07-01"],
            "ASEQ": [1, 2],
        }
    )
    adtte = derive_adtte(adsl, adrs, params=(Param.LPFS,), local_progression=local.events).adtte
    row = adtte.iloc[0]
    assert (row["PARAMCD"], row["CNSR"], row["EVNTDESC"]) == ("LPFS", 0, "Local Progression")
    assert row["AVAL"] == (pd.Timestamp("2024-04-01") - pd.Timestamp("2024-01-01")).days + 1
