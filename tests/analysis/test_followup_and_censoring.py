"""Median follow-up (reverse Kaplan-Meier) and the censoring-reasons table of PFS and OS.

The expected median follow-up is computed here by a plain product-limit loop over the ADTTE
times with censoring as the event (Schemper & Smith 1996; R: survfit(Surv(time, 1 - status))),
and the reasons table by counting the ADTTE rows.
"""

from __future__ import annotations

import numpy as np
import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.results import TteOutcome
from oncotrial.endpoints.tte import Param
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.simulate.trial import simulate_trial
from oncotrial.stats.followup import OVERALL


def _reverse_km_median(time: np.ndarray, event: np.ndarray) -> float | None:
    """Smallest t with S(t) ≤ 0.5 for 'censored' as the event (R's median rule, no ties
    averaging needed for the check below)."""
    censored = 1 - event
    survival = 1.0
    for t in np.unique(time):
        at_risk = (time >= t).sum()
        d = censored[time == t].sum()
        survival *= 1 - d / at_risk
        if survival <= 0.5 + 1e-12:
            later = np.unique(time[time > t])
            # R takes the midpoint when S equals exactly 0.5 over an interval
            if abs(survival - 0.5) < 1e-12 and later.size:
                return (t + later[0]) / 2
            return float(t)
    return None


@pytest.fixture(scope="module")
def data_001():
    trial = simulate_trial(find_protocol("001"), 60, 4)
    return TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)


@pytest.fixture(scope="module")
def results_001(data_001):
    return analyse_trial(data_001, sap=find_plan("001").plan)


def _tte(results, param: Param) -> TteOutcome:
    return next(
        e.outcome
        for e in results.endpoints
        if isinstance(e.outcome, TteOutcome) and e.outcome.param is param
    )


def test_median_follow_up_by_reverse_km(results_001) -> None:
    outcome = _tte(results_001, Param.PFS)
    adtte = outcome.adtte
    time = adtte["AVAL"].to_numpy(float)
    event = 1 - adtte["CNSR"].to_numpy(int)
    by = {f.label: f for f in outcome.followup}
    assert by[OVERALL].n == len(adtte)
    assert by[OVERALL].median == pytest.approx(_reverse_km_median(time, event))
    for arm, rows in adtte.groupby("ARM"):
        expected = _reverse_km_median(rows["AVAL"].to_numpy(float), 1 - rows["CNSR"].to_numpy(int))
        assert by[str(arm)].median == pytest.approx(expected)


def test_censoring_reasons_count_every_patient_once(results_001) -> None:
    outcome = _tte(results_001, Param.PFS)
    reasons = outcome.censoring
    assert reasons is not None and reasons.arms[-1] == "Total"
    adtte = outcome.adtte
    assert sum(row.counts[-1] for row in reasons.rows) == len(adtte)
    censored = adtte[adtte["CNSR"] == 1]["CNSDTDSC"].value_counts().to_dict()
    assert {r.reason: r.counts[-1] for r in reasons.rows if r.status == "censored"} == censored


def test_the_plans_censoring_variants_are_derived_on_the_same_patients(
    data_001, results_001
) -> None:
    from oncotrial.endpoints.sensitivity import CENSORING_VARIANTS
    from oncotrial.endpoints.tte import derive_adtte, new_therapy_from_cm

    outcome = _tte(results_001, Param.PFS)
    planned = find_plan("001").plan.endpoint("PFS")
    ids = [s.value.id for s in planned.sensitivity if s.value.variant]
    assert [s.id for s in outcome.sensitivity] == ids and ids
    plan = results_001.plan
    for sensitivity in outcome.sensitivity:
        direct = derive_adtte(
            results_001.sets.efficacy,
            results_001.response.result.adrs,
            reference=results_001.sets.reference,
            params=(Param.PFS,),
            rules=CENSORING_VARIANTS[sensitivity.variant].rules(
                assessment_interval_days=plan.imaging_interval_days,
                assessment_window_days=plan.imaging_window_days or 0,
            ),
            new_therapy=new_therapy_from_cm(data_001.frames["CM"]),
        ).adtte
        for arm, curve in sensitivity.curves:
            rows = direct[direct["ARM"].astype(str) == arm]
            assert (curve.n, curve.events) == (len(rows), int((rows["CNSR"] == 0).sum()))
    primary = {arm: c.events for arm, c in outcome.curves}
    every = next(s for s in outcome.sensitivity if s.variant == "fda2018-every-event")
    assert all(c.events >= primary[arm] for arm, c in every.curves)


def test_adjusted_cox_ph_test_and_subgroups_with_a_missing_level(results_001) -> None:
    outcome = _tte(results_001, Param.PFS)
    models = outcome.models
    planned = find_plan("001").plan.endpoint("PFS")
    assert models is not None
    assert models.covariates == tuple(c.value for c in planned.covariates)
    control = next(a.label for a in results_001.arms if a.control)
    experimental = next(a.label for a in results_001.arms if not a.control)
    assert models.adjusted.coefficients[0].name == f"arm{experimental}"
    # the unadjusted model's HR is the primary analysis' Cox HR
    assert models.unadjusted.coefficients[0].hr == pytest.approx(outcome.cox.terms[0].hr)
    assert {r.term for r in models.ph_adjusted.rows} >= {"arm", "GLOBAL"}
    adsl = results_001.sets.efficacy.set_index("USUBJID")
    for analysis in models.subgroups:
        assert analysis.reference == control
        assert sum(level.n for level in analysis.levels) == len(outcome.adtte)
        values = outcome.adtte["USUBJID"].map(adsl[analysis.variable])
        missing = int(values.isna().sum())
        levels = {level.level: level.n for level in analysis.levels}
        assert levels.get("missing", 0) == missing
        assert 0 <= analysis.p <= 1
