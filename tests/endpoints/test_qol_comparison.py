"""QoL change from baseline between arms (ANCOVA) and the missing-data pattern, against R.

Data and values: tests/stats/oracle_analysis/generate.R, case 6 (lm(change ~ arm + baseline) per
visit; returned questionnaires per arm and visit; complete / monotone / intermittent series).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.endpoints.qol_comparison import compare_change, missing_pattern
from oncotrial.errors import AnalysisError

OWN = Path(__file__).parents[1] / "stats" / "oracle_analysis"
RTOL = 1e-6


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    qs = pd.read_csv(OWN / "qol.csv", dtype={"QSBLFL": str}, keep_default_na=False)
    subjects = qs[["USUBJID", "ARM"]].drop_duplicates()
    return qs, subjects, json.loads((OWN / "qol.expected.json").read_text())


def test_ancova_matches_lm(data) -> None:
    qs, subjects, expected = data
    got = {c.visit: c for c in compare_change(qs, subjects, reference="control")}
    assert list(got) == list(expected["ancova"])  # visits in visit order
    for visit, want in expected["ancova"].items():
        have = got[visit]
        assert sum(have.n) == want["n"]
        for key in ("difference", "se", "lower", "upper", "p"):
            assert getattr(have, key) == pytest.approx(want[key], rel=RTOL), f"{visit} {key}"


def test_missing_pattern_matches_r(data) -> None:
    qs, subjects, expected = data
    pattern = missing_pattern(qs, subjects)
    assert pattern.arms == ("control", "radiotherapy")
    for row in pattern.visits:
        assert row.observed == expected["observed"][row.arm][row.visit]
        assert row.expected == 30 and row.missing == 30 - row.observed
    for i, arm in enumerate(pattern.arms):
        want = expected["patterns"][arm]
        assert (
            pattern.complete[i],
            pattern.monotone[i],
            pattern.intermittent[i],
            pattern.no_follow_up[i],
        ) == (want["complete"], want["monotone"], want["intermittent"], want["none"])
    # attrition differs: the comparison of completers alone would be biased
    week24 = {r.arm: r.observed for r in pattern.visits if r.visit == "WEEK 24"}
    assert week24["radiotherapy"] < week24["control"]


def test_one_arm_cannot_be_compared(data) -> None:
    qs, subjects, _ = data
    only = subjects[subjects["ARM"] == "control"]
    with pytest.raises(AnalysisError, match="two arms"):
        compare_change(qs, only)
