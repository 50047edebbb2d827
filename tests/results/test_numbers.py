"""Every number of the generated results section equals the trial report's at the same cut-off.

The expected values are read from the analysis results (``TrialResults``) the report is written
from, and formatted with the report's own wording functions (``oncotrial.report.trial.wording``)
— never with the results package's code.
"""

from __future__ import annotations

import re

from oncotrial.analysis.results import (
    QolOutcome,
    RateOutcome,
    SafetyOutcome,
    SurvivalRateOutcome,
    TteOutcome,
)
from oncotrial.endpoints.safety import ae_incidence
from oncotrial.report.trial.wording import months, percent
from oncotrial.results import Severity


def _by_group(klass, groups):
    ids = {g.id: g.title for g in groups}
    return {ids[m.group_id]: m for m in klass.categories[0].measurements}


def test_every_demo_trial_passes_the_checks(demo_trials) -> None:
    for trial, demo in demo_trials.items():
        errors = [f for f in demo.made.findings if f.severity is Severity.ERROR]
        assert errors == [], trial


def test_participant_flow_is_the_reports(demo_trials) -> None:
    for demo in demo_trials.values():
        flow = demo.made.section.participant_flow_module
        started = {
            a.group_id: int(a.num_subjects) for a in flow.periods[0].milestones[0].achievements
        }
        assert flow.periods[0].milestones[0].type == "STARTED"
        for group, arm in zip(flow.groups, demo.results.consort.arms, strict=True):
            assert group.title == arm.label
            assert started[group.id] == arm.allocated
        reasons = {d.type: d for d in flow.periods[0].drop_withdraws}
        for group, arm in zip(flow.groups, demo.results.consort.arms, strict=True):
            for reason, count in arm.discontinued_reasons:
                got = {r.group_id: int(r.num_subjects) for r in reasons[reason].reasons}
                assert got[group.id] >= count  # the same reason may also explain non-treatment


def test_baseline_counts_are_the_reports_cells(demo_trials) -> None:
    for demo in demo_trials.values():
        base = demo.made.section.baseline_characteristics_module
        table = demo.results.baseline
        assert [int(c.value) for c in base.denoms[0].counts] == list(table.totals)
        heading, cells = None, {}
        for row in table.rows:
            if row.heading:
                heading = row.label
            else:
                cells[(heading, row.label)] = row.cells
        measures = {m.title: m for m in base.measures}
        age = measures["Age, Continuous"].classes[0].categories[0].measurements
        for m, cell in zip(age, cells[("Age, years", "Median (range)")], strict=True):
            assert cell == f"{m.value} ({m.lower_limit}–{m.upper_limit})"
        stage = next(t for t in measures if t.startswith("Stage"))
        for category in measures[stage].classes[0].categories:
            expected = [int(re.match(r"\d+", c)[0]) for c in cells[(stage, category.title)]]
            assert [int(m.value) for m in category.measurements] == expected
        sex = measures.get("Sex: Female, Male")
        for category in sex.classes[0].categories:
            expected = [int(re.match(r"\d+", c)[0]) for c in cells[("Sex", category.title)]]
            assert [int(m.value) for m in category.measurements] == expected
        for klass in measures["Age, Categorical"].classes:
            totals = [
                sum(int(c.measurements[i].value) for c in klass.categories)
                for i in range(len(table.totals))
            ]
            assert totals == list(table.totals)


def test_outcome_measures_are_the_reports_numbers(demo_trials) -> None:
    checked = set()
    for trial, demo in demo_trials.items():
        measures = {m.title: m for m in demo.made.section.outcome_measures_module.outcome_measures}
        for item in demo.results.endpoints:
            measure = measures[item.endpoint.title]
            assert measure.type == item.endpoint.level.name.replace("OTHER", "OTHER_PRE_SPECIFIED")
            outcome = item.outcome
            if isinstance(outcome, RateOutcome):
                got = _by_group(measure.classes[0], measure.groups)
                for arm in outcome.rate.arms:
                    p = arm.proportion
                    assert f"{got[arm.arm].value}%" == percent(p.estimate), trial
                    assert f"{got[arm.arm].lower_limit}%" == percent(p.lower)
                    assert f"{got[arm.arm].upper_limit}%" == percent(p.upper)
                assert [int(c.value) for c in measure.denoms[0].counts] == [
                    a.proportion.total for a in outcome.rate.arms
                ]
                checked.add("rate")
            elif isinstance(outcome, TteOutcome):
                got = _by_group(measure.classes[0], measure.groups)
                for label, curve in outcome.curves:
                    median = curve.median
                    for ours, days in (
                        (got[label].value, median.time),
                        (got[label].lower_limit, median.lower),
                        (got[label].upper_limit, median.upper),
                    ):
                        report = months(days)
                        assert ours == ("NA" if report == "NR" else report), (trial, label)
                        if report == "NR":
                            assert got[label].comment
                if outcome.cox is not None and outcome.logrank is not None:
                    (analysis,) = measure.analyses
                    term = outcome.cox.terms[0]
                    assert analysis.param_value == f"{term.hr:.2f}"
                    assert (analysis.ci_lower_limit, analysis.ci_upper_limit) == (
                        f"{term.lower:.2f}",
                        f"{term.upper:.2f}",
                    )
                    p = outcome.logrank.p
                    assert analysis.p_value == ("<0.001" if p < 0.001 else f"={p:.3f}")
                    assert len(analysis.group_ids) == 2
                    checked.add("hazard ratio")
                checked.add("tte")
            elif isinstance(outcome, SurvivalRateOutcome):
                got = _by_group(measure.classes[0], measure.groups)
                for value in outcome.values:
                    if value.estimate is not None:
                        assert f"{got[value.arm].value}%" == percent(value.estimate.survival)
                checked.add("landmark")
            elif isinstance(outcome, SafetyOutcome):
                names = outcome.worst.arms
                for klass, (category, counts) in zip(
                    measure.classes, outcome.overview, strict=True
                ):
                    assert klass.title == category.label
                    expected = dict(zip(names, counts, strict=False))
                    for title, m in _by_group(klass, measure.groups).items():
                        assert int(m.value) == expected[title].n
                checked.add("safety")
            elif isinstance(outcome, QolOutcome):
                assert len(measure.classes) == len(
                    {r.visit for r in outcome.summary.rows if not r.baseline}
                )
                checked.add("qol")
    assert checked == {"rate", "tte", "hazard ratio", "landmark", "safety", "qol"}


def test_adverse_events_are_the_reports_incidence(demo_trials) -> None:
    for trial, demo in demo_trials.items():
        safety = next(
            (i.outcome for i in demo.results.endpoints if isinstance(i.outcome, SafetyOutcome)),
            None,
        )
        module = demo.made.section.adverse_events_module
        if safety is None:
            # 003 registers no safety outcome: the module is the analysis plan's safety
            # analysis (the report's safety section); the PRS requires it in every submission.
            assert trial == "003"
            assert isinstance(demo.results.safety, SafetyOutcome)
            safety = demo.results.safety
            assert not any(f.field == "adverseEventsModule" for f in demo.made.findings)
        assert module is not None, trial
        assert int(module.frequency_threshold) <= 5
        overview = {
            c.id: dict(zip(safety.worst.arms, counts, strict=False))
            for c, counts in safety.overview
        }
        for group in module.event_groups:
            assert group.serious_num_affected == overview["SERIOUS"][group.title].n, trial
            assert group.serious_num_at_risk == overview["ANY"][group.title].total
        # Serious events by term: the safety engine's incidence table of serious TEAEs.
        subjects = demo.results.sets.safety.assign(
            ARM=lambda f: f["ACTARM"].where(f["ACTARM"].notna(), f["ARM"])
        )
        table = ae_incidence(safety.adae, subjects, "SERIOUS")
        terms = {
            (r.soc, r.term): dict(zip(table.arms, r.counts, strict=False))
            for r in table.rows
            if r.level == "term"
        }
        assert len(module.serious_events) == len(terms), trial
        ids = {g.id: g.title for g in module.event_groups}
        for event in module.serious_events:
            for stat in event.stats:
                assert (
                    stat.num_affected
                    == terms[(event.organ_system, event.term)][ids[stat.group_id]].n
                )
        for event in module.other_events:
            assert any(100 * s.num_affected / s.num_at_risk > 5 for s in event.stats)


def test_the_command_writes_each_format(demo_trials, demo_db, demo_home, cli_run, tmp_path) -> None:
    import json

    env = {
        "ONCOTRIAL_HOME": str(demo_home),
        "ONCOTRIAL_CTCAE": None,
        "ONCOTRIAL_DB": None,
        "DATABASE_URL": None,
    }
    for fmt in ("json", "xml", "html"):
        out = tmp_path / f"002.{fmt}"
        code, stdout, err = cli_run(
            ["results", "002", "--db", str(demo_db), "--format", fmt, "--out", str(out)], env
        )
        assert code == 0, err
        assert "DRAFT" in stdout
        text = out.read_text()
        if fmt == "json":
            assert json.loads(text) == json.loads(json.dumps(demo_trials["002"].made.api()))
        elif fmt == "xml":
            from xml.etree import ElementTree as ET

            root = ET.fromstring(text)
            assert len(root.findall("outcomeMeasures/outcomeMeasure")) == len(
                demo_trials["002"].results.endpoints
            )
        else:
            assert "DRAFT" in text and "Participant Flow" in text
        checks = json.loads((tmp_path / f"002.{fmt}.checks.json").read_text())
        assert checks["draft"] is True and checks["provenance"]
