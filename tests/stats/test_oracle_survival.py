"""Kaplan-Meier, landmarks, log-rank and Cox against R survival 3.5-3 (oracles/survival).

Every case of ../shared/oracles/survival is checked: times, numbers at risk, events and medians
exactly; survival, SEs, limits, statistics and p-values to 1e-6 relative. The R calls that made
each expected value (generate.R in that folder) are quoted beside each test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _survival_oracle import CASES, TWO_GROUP_CASES, assert_close, assert_exact, load

from oncotrial.stats import cox_two_groups, kaplan_meier, logrank_test

TRANSFORMS = (("km_log", "log"), ("km_loglog", "log-log"))


def _groups(expected: dict, key: str) -> list[str]:
    return sorted(expected[key]["groups"])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("key", "conf_type"), TRANSFORMS)
def test_kaplan_meier_table_matches_r(shared: Path, case: str, key: str, conf_type: str) -> None:
    # R: s <- summary(survfit(Surv(time, event) ~ group, data = d, conf.type = conf_type),
    #                 censored = FALSE)
    #    s$time, s$n.risk, s$n.event, s$surv, s$std.err, s$lower, s$upper
    data, expected = load(shared, case)
    for group in _groups(expected, key):
        want = expected[key]["groups"][group]
        rows = data[data.group == group] if group != "all" else data
        curve = kaplan_meier(rows.time, rows.event, conf_type=conf_type)
        events = curve.event_rows()
        table = want["table"]
        where = f"{case} {conf_type} {group}"
        assert curve.n == want["n"]
        assert curve.events == want["events"]
        assert_exact(curve.times[events].tolist(), table["time"], f"{where} time")
        assert_exact(curve.n_risk[events].tolist(), table["n_risk"], f"{where} n.risk")
        assert_exact(curve.n_event[events].tolist(), table["n_event"], f"{where} n.event")
        assert_close(curve.survival[events], table["survival"], f"{where} surv")
        assert_close(curve.std_err[events], table["std_err"], f"{where} std.err")
        assert_close(curve.lower[events], table["lower"], f"{where} lower")
        assert_close(curve.upper[events], table["upper"], f"{where} upper")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("key", "conf_type"), TRANSFORMS)
def test_median_and_limits_match_r_exactly(
    shared: Path, case: str, key: str, conf_type: str
) -> None:
    # R: summary(survfit(Surv(time, event) ~ group, data = d, conf.type = conf_type))$table
    #    [, c("median", "0.95LCL", "0.95UCL")]   (NA = not reached, null in the JSON)
    data, expected = load(shared, case)
    for group in _groups(expected, key):
        want = expected[key]["groups"][group]
        rows = data[data.group == group] if group != "all" else data
        median = kaplan_meier(rows.time, rows.event, conf_type=conf_type).median
        assert (median.time, median.lower, median.upper) == (
            want["median"],
            want["median_lower"],
            want["median_upper"],
        ), f"{case} {conf_type} {group}"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("key", "conf_type"), TRANSFORMS)
def test_landmarks_match_r(shared: Path, case: str, key: str, conf_type: str) -> None:
    # R: summary(survfit(Surv(time, event) ~ group, data = d, conf.type = conf_type),
    #            times = landmarks, extend = TRUE)   -> $time, $surv, $lower, $upper
    data, expected = load(shared, case)
    for group in _groups(expected, key):
        want = expected[key]["groups"][group]["landmarks"]
        rows = data[data.group == group] if group != "all" else data
        curve = kaplan_meier(rows.time, rows.event, conf_type=conf_type)
        marks = curve.survival_at(want["time"])
        where = f"{case} {conf_type} {group} landmarks"
        assert_exact([m.time for m in marks], want["time"], where)
        assert_close([m.survival for m in marks], want["survival"], f"{where} surv")
        assert_close([m.lower for m in marks], want["lower"], f"{where} lower")
        assert_close([m.upper for m in marks], want["upper"], f"{where} upper")
        # number at risk at t = subjects with time ≥ t (R's summary(..., times=)$n.risk)
        assert [m.n_risk for m in marks] == [int((rows.time >= t).sum()) for t in want["time"]]


@pytest.mark.parametrize("case", TWO_GROUP_CASES)
def test_logrank_matches_r(shared: Path, case: str) -> None:
    # R: sd <- survdiff(Surv(time, event) ~ group, data = d)
    #    sd$chisq; pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE); sd$obs; sd$exp
    data, expected = load(shared, case)
    want = expected["logrank"]
    result = logrank_test(data.time, data.event, data.group)
    assert list(result.groups) == want["groups"]
    assert result.df == want["df"]
    assert_close([result.chisq], [want["chisq"]], f"{case} chisq")
    assert_close([result.p], [want["p"]], f"{case} p")
    assert_exact(result.observed, want["observed"], f"{case} observed")
    assert_close(result.expected, want["expected"], f"{case} expected")


@pytest.mark.parametrize("case", TWO_GROUP_CASES)
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_matches_r(shared: Path, case: str, ties: str) -> None:
    # R: d$g2 <- factor(d$group, levels = sort(unique(d$group)))
    #    cx <- summary(coxph(Surv(time, event) ~ g2, data = d, ties = ties))
    #    cx$coefficients[1, c("coef", "se(coef)", "Pr(>|z|)")],
    #    cx$conf.int[1, c("exp(coef)", "lower .95", "upper .95")],
    #    cx$sctest["pvalue"], cx$logtest["pvalue"]
    data, expected = load(shared, case)
    want = expected[f"cox_{ties}"]
    result = cox_two_groups(data.time, data.event, data.group, ties=ties)
    term = result.terms[0]
    assert result.converged
    assert result.warnings == ()
    assert result.reference == want["reference"]
    assert term.name == want["compared"]
    got = {
        "coef": term.coef,
        "hr": term.hr,
        "se": term.se,
        "lower": term.lower,
        "upper": term.upper,
        "wald_p": term.p,
        "score_p": result.score_p,
        "lr_p": result.lr_p,
    }
    for name, value in got.items():
        assert_close([value], [want[name]], f"{case} {ties} {name}")
