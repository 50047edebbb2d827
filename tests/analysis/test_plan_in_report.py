"""The report follows the reviewed analysis plan and says so (issue 14, "Registration and analysis
plan"): registry text verbatim only where it is the registry's, every assumption listed with its
provenance and review state, every departure from the registration's wording with its reason.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.plan.model import Departure
from oncotrial.plan.provenance import Assumed
from oncotrial.plan.review import sourced_values
from oncotrial.report import RegistryQuote, Section, Table
from oncotrial.report.trial import build_trial_report
from oncotrial.report.trial.endpoints.definition import REVIEWER_WORDING
from oncotrial.simulate.trial import simulate_trial

GENERATED = datetime(2026, 1, 1, 12, 0)


def _report(key: str, n: int, *, with_plan: bool = True):
    trial = simulate_trial(find_protocol(key), n, 11)
    data = TrialData(trial.protocol, trial.frames, f"simulated {key}", simulated=True)
    plan = find_plan(key).plan if with_plan else None
    return plan, build_trial_report(analyse_trial(data, sap=plan), generated=GENERATED)


def _section(report, section_id: str) -> Section:
    for top in report.sections:
        for section in top.walk():
            if section.id == section_id:
                return section
    raise AssertionError(f"no section {section_id}")


def _blocks(report, kind):
    for top in report.sections:
        for section in top.walk():
            yield from (b for b in section.blocks if isinstance(b, kind))


@pytest.fixture(scope="module")
def report_000():
    return _report("000", 30)


@pytest.fixture(scope="module")
def report_002():
    return _report("002", 25)


def test_every_assumption_is_listed_with_its_review_state(report_002) -> None:
    plan, report = report_002
    section = _section(report, "plan")
    (table,) = [b for b in section.blocks if isinstance(b, Table) and b.id == "plan-assumptions"]
    expected = [
        path
        for path, item in sourced_values(plan)
        if isinstance(item.source, Assumed) and not isinstance(item, Departure)
    ]
    assert [row.cells[0] for row in table.rows] == expected
    assert {row.cells[-1] for row in table.rows} == {"not yet accepted"}  # seed plans: unreviewed
    null = next(r for r in table.rows if r.cells[0] == "endpoints.ORR.hypothesis.null")
    assert null.cells[1] == "0.15" and "15%" in str(null.cells[3])


def test_reviewer_wording_is_not_labelled_registration_text(report_000, report_002) -> None:
    # 002's registration has no outcome section: its endpoint wording is the reviewer's
    origins = {q.origin for q in _blocks(report_002[1], RegistryQuote)}
    assert origins == {REVIEWER_WORDING}
    # 000's outcomes are the registry's own words
    origins = {q.origin for q in _blocks(report_000[1], RegistryQuote)}
    assert origins == {"registration text"}


def test_departures_from_the_registration_are_stated_with_the_reason(report_000) -> None:
    plan, report = report_000
    section = _section(report, "plan")
    (table,) = [b for b in section.blocks if isinstance(b, Table) and b.id == "plan-departures"]
    rows = {row.cells[0]: row.cells for row in table.rows}
    assert set(rows) == {"endpoints.PFS", "endpoints.OS"}
    departure = plan.endpoint("PFS").departures[0]
    cells = rows["endpoints.PFS"]
    assert cells[1] == f"“{departure.registration}” ({departure.where})"
    assert "from the date of randomization" in str(cells[1])
    assert cells[2] == departure.analysis and cells[3] == departure.source.why


def test_time_frame_use_and_safety_window_are_stated(report_000) -> None:
    _, report = report_000
    section = _section(report, "plan")
    (frames,) = [b for b in section.blocks if isinstance(b, Table) and b.id == "plan-time-frames"]
    uses = {row.cells[0].split(" ")[0]: row.cells[2] for row in frames.rows}
    assert uses["PFS"].startswith("landmark") and uses["ORR"].startswith("assessment window")
    text = " ".join(b.text for b in section.blocks if hasattr(b, "text"))
    assert "first protocol intervention of any kind (Toripalimab, Cryoablation)" in text


def test_without_a_plan_the_report_says_so() -> None:
    _, report = _report("002", 12, with_plan=False)
    section = _section(report, "plan")
    assert "No reviewed statistical analysis plan" in section.blocks[0].text


def test_the_baseline_table_names_the_recorded_and_the_registered_ajcc_edition(report_002) -> None:
    plan, report = report_002
    (table,) = [t for t in _blocks(report, Table) if t.id == "baseline"]
    headings = [row.cells[0] for row in table.rows if str(row.cells[0]).startswith("Stage")]
    assert headings == ["Stage (AJCC 8th edition)"]  # what the simulated SC records say
    assert plan.staging.value == "AJCC TNM 9th edition"
    assert any("registration names the AJCC TNM 9th edition" in f for f in table.footnotes)
