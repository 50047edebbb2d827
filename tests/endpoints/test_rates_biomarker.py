"""ORR/DCR from best responses, landmark rates, and PD-L1 TPS against response."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from oncotrial.endpoints.biomarker import TPS_CATEGORIES, analyse_pdl1_response, categorise_tps
from oncotrial.endpoints.landmarks import DAYS_PER_MONTH, landmark_rate
from oncotrial.endpoints.rates import DCR, ORR, compute_rate, normalise_bor
from oncotrial.errors import AnalysisError, ValueProblem
from oncotrial.stats import binomial_ci, cochran_armitage, fisher_exact, kaplan_meier


def _bor(arm_a: list[str], arm_b: list[str]) -> pd.DataFrame:
    rows = [("A", b) for b in arm_a] + [("B", b) for b in arm_b]
    return pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(len(rows))],
            "ARM": [a for a, _ in rows],
            "BOR": [b for _, b in rows],
        }
    )


def test_orr_counts_ne_and_missing_in_the_denominator() -> None:
    table = _bor(["CR", "PR", "PR", "SD", "PD", "NE", None], ["PR", "SD", "SD", "PD", "PD", ""])
    result = compute_rate(table, ORR, arm="ARM")
    a, b = (r.proportion for r in result.arms)
    assert (a.count, a.total) == (3, 7)
    assert (b.count, b.total) == (1, 6)
    assert (result.overall.count, result.overall.total) == (4, 13)
    assert a.lower == binomial_ci(3, 7).lower  # exact Clopper-Pearson by default
    comparison = result.comparison
    assert comparison is not None
    assert (comparison.reference, comparison.compared) == ("A", "B")
    assert comparison.difference.difference == pytest.approx(1 / 6 - 3 / 7)
    assert comparison.fisher.p == fisher_exact([[1, 5], [3, 4]]).p


def test_dcr_and_reference_arm() -> None:
    table = _bor(["CR", "non-CR/non-PD", "SD", "PD"], ["SD", "PD", "PD", "NE"])
    result = compute_rate(table, "DCR", arm="ARM", reference="B")
    assert result.definition is DCR
    assert [r.proportion.count for r in result.arms] == [3, 1]
    assert result.comparison is not None
    assert result.comparison.compared == "A"
    assert result.comparison.difference.difference == pytest.approx(3 / 4 - 1 / 4)


def test_bad_best_responses() -> None:
    with pytest.raises(ValueProblem, match="unknown best overall response 'GOOD'"):
        compute_rate(_bor(["CR", "GOOD"], ["PR"]), arm="ARM")
    twice = pd.DataFrame({"USUBJID": ["S1", "S1"], "BOR": ["CR", "PR"]})
    with pytest.raises(ValueProblem, match="more than one best overall response"):
        compute_rate(twice)
    assert normalise_bor("partial response") == "PR"
    assert normalise_bor("iUPD") == "PD"


def test_landmark_rates_in_days_and_months() -> None:
    rng = np.random.default_rng(4)
    days = np.round(rng.exponential(400, 60))
    event = (rng.random(60) < 0.8).astype(int)
    curve = kaplan_meier(days, event)
    rate = landmark_rate(curve, "OS12M")
    assert rate.time == pytest.approx(12 * DAYS_PER_MONTH)
    (direct,) = curve.survival_at([365.25])
    assert rate.estimate == direct
    months = kaplan_meier(days / DAYS_PER_MONTH, event)
    assert landmark_rate(months, "PFS6M", unit="months").time == 6
    with pytest.raises(ValueProblem, match="unknown time unit"):
        landmark_rate(curve, "OS24M", unit="years")


def test_tps_categories() -> None:
    assert [categorise_tps(v).label for v in (0, 0.5, 1, 49, 49.9, 50, 100)] == [
        "<1%",
        "<1%",
        "1–49%",
        "1–49%",
        "1–49%",
        "≥50%",
        "≥50%",
    ]
    assert [c.score for c in TPS_CATEGORIES] == [0, 1, 2]
    with pytest.raises(ValueProblem, match="0–100"):
        categorise_tps(120)


def test_pdl1_analysis() -> None:
    rng = np.random.default_rng(12)
    tps = np.concatenate((np.zeros(12), rng.integers(1, 50, 14), rng.integers(50, 101, 10)))
    respond = rng.random(tps.size) < np.where(tps >= 50, 0.6, np.where(tps >= 1, 0.3, 0.1))
    table = pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(tps.size + 2)],
            "TPS": [*tps.tolist(), None, None],
            "BOR": [*["PR" if r else "SD" for r in respond], "CR", "PD"],
        }
    )
    result = analyse_pdl1_response(table)
    assert result.analysed == tps.size
    assert result.missing_tps == 2
    counts = [int(respond[(tps >= c.lower) & (tps < c.upper)].sum()) for c in TPS_CATEGORIES]
    totals = [int(((tps >= c.lower) & (tps < c.upper)).sum()) for c in TPS_CATEGORIES]
    assert [r.rate.count for r in result.categories] == counts
    assert [r.rate.total for r in result.categories] == totals
    assert result.trend == cochran_armitage(counts, totals, scores=[0, 1, 2])
    assert result.logistic is not None
    assert result.logistic.per == 10
    assert result.roc is not None
    auc = stats.mannwhitneyu(tps[respond], tps[~respond]).statistic / (
        respond.sum() * (~respond).sum()
    )
    assert result.roc.auc == pytest.approx(auc)
    assert 0 <= result.fisher_p <= 1


def test_pdl1_separation_is_noted_not_reported() -> None:
    table = pd.DataFrame(
        {
            "USUBJID": list("abcdef"),
            "TPS": [0, 0, 5, 60, 70, 80],
            "BOR": ["PD", "SD", "SD", "PR", "PR", "CR"],
        }
    )
    result = analyse_pdl1_response(table)
    assert result.logistic is None
    assert any("separates" in note for note in result.notes)
    with pytest.raises(AnalysisError, match="no subject has a PD-L1 TPS"):
        analyse_pdl1_response(table.assign(TPS=None))
