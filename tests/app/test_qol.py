"""Quality-of-life summaries: score and change from baseline per arm and visit."""

from __future__ import annotations

import statistics

import pandas as pd
import pytest

from oncotrial.endpoints.qol import summarise_scores
from oncotrial.errors import AnalysisError


def qs_rows() -> pd.DataFrame:
    rows = []
    scores = {
        "S1": [
            ("SCREENING", 1, "Y", 50.0),
            ("WEEK 8", 201, None, 70.0),
            ("WEEK 16", 202, None, 40.0),
        ],
        "S2": [("SCREENING", 1, "Y", 60.0), ("WEEK 8", 201, None, 55.0)],
        "S3": [("WEEK 8", 201, None, 80.0)],  # no baseline score
        "S4": [("SCREENING", 1, "Y", 70.0), ("WEEK 8", 201, None, 90.0)],
    }
    for subject, visits in scores.items():
        for visit, number, flag, score in visits:
            rows.append(
                {
                    "USUBJID": subject,
                    "QSTESTCD": "QLQGHS",
                    "QSTEST": "Global Health Status/QoL Scale Score",
                    "QSSTRESN": score,
                    "QSBLFL": flag,
                    "VISIT": visit,
                    "VISITNUM": number,
                }
            )
    rows.append(
        {
            "USUBJID": "S1",
            "QSTESTCD": "ECOG101",
            "QSSTRESN": 1,
            "VISIT": "SCREENING",
            "VISITNUM": 1,
            "QSBLFL": "Y",
        }
    )
    return pd.DataFrame(rows)


def test_scores_and_changes_per_arm_and_visit() -> None:
    subjects = pd.DataFrame({"USUBJID": ["S1", "S2", "S3", "S4"], "ARM": ["A", "A", "A", "B"]})
    summary = summarise_scores(qs_rows(), subjects)
    assert summary.arms == ("A", "B")
    assert summary.subjects_with_baseline == (2, 1)
    a = [r for r in summary.rows if r.arm == "A"]
    assert [r.visit for r in a] == ["SCREENING", "WEEK 8", "WEEK 16"]
    base, week8, week16 = a
    assert base.baseline and base.n == 2 and base.mean == 55.0 and base.change_n == 0
    assert week8.n == 3 and week8.mean == pytest.approx((70 + 55 + 80) / 3)
    assert week8.sd == pytest.approx(statistics.stdev([70, 55, 80]))
    # change from baseline: S1 +20, S2 −5 (S3 has no baseline)
    assert week8.change_n == 2 and week8.change_mean == 7.5
    assert week8.change_sd == pytest.approx(statistics.stdev([20, -5]))
    assert (week8.improved, week8.worsened) == (1, 0)
    assert (week16.n, week16.change_mean, week16.worsened, week16.sd) == (1, -10.0, 1, None)
    b = [r for r in summary.rows if r.arm == "B"]
    assert [(r.visit, r.change_mean) for r in b] == [("SCREENING", None), ("WEEK 8", 20.0)]


def test_no_scores_is_an_analysis_error() -> None:
    subjects = pd.DataFrame({"USUBJID": ["S1"], "ARM": ["A"]})
    with pytest.raises(AnalysisError, match="no QLQGHS"):
        summarise_scores(qs_rows()[lambda f: f["QSTESTCD"] != "QLQGHS"], subjects)
