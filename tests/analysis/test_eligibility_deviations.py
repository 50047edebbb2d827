"""Subjects enrolled although a criterion was not met are listed in the report, never silently
taken as eligible (ICH E3 10.2). SDTMIG's IE domain holds the criteria not met: an IE record of
an enrolled subject is an eligibility deviation; the screen failures' IE records are not.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.report import Table
from oncotrial.report.trial import build_trial_report
from oncotrial.simulate.trial import simulate_trial


def _tables(results, table_id: str) -> list[Table]:
    report = build_trial_report(results, generated=datetime(2026, 1, 1))
    return [
        b
        for top in report.sections
        for s in top.walk()
        for b in s.blocks
        if isinstance(b, Table) and b.id == table_id
    ]


@pytest.fixture(scope="module")
def trial():
    return simulate_trial(find_protocol("001"), 30, 5)


def test_an_enrolled_subject_with_a_criterion_not_met_is_listed(trial) -> None:
    frames = dict(trial.frames)
    dm = frames["DM"]
    enrolled = dm[dm["ARMCD"].astype(str).str.len() > 0]["USUBJID"].astype(str).tolist()
    first, second = enrolled[:2]
    ie = frames.get("IE", pd.DataFrame(columns=["USUBJID"]))
    screen_failures = set(ie["USUBJID"].astype(str))
    assert screen_failures and not screen_failures & {first, second}
    added = pd.DataFrame(
        [
            {"USUBJID": first, "IESEQ": 1, "IETESTCD": "IN03", "IETEST": "ECOG 0-1",
             "IECAT": "INCLUSION", "IEORRES": "N", "IESTRESC": "N"},
            {"USUBJID": second, "IESEQ": 1, "IETESTCD": "EX02", "IETEST": "Active hepatitis B",
             "IECAT": "EXCLUSION", "IEORRES": "UNKNOWN", "IESTRESC": "UNKNOWN"},
        ]
    )  # fmt: skip
    frames["IE"] = pd.concat([ie, added], ignore_index=True)
    results = analyse_trial(TrialData(trial.protocol, frames, "simulated 001", simulated=True))
    assert {s for s, _, _ in results.consort.enrolled_not_eligible} == {first, second}
    (table,) = _tables(results, "eligibility-deviations")
    cells = {row.cells[0]: row.cells[2] for row in table.rows}
    assert cells == {first: "IN03: ECOG 0-1 (N)", second: "EX02: Active hepatitis B (UNKNOWN)"}
    assert "(2 subjects)" in table.title


def test_no_table_when_every_enrolled_subject_met_the_criteria(trial) -> None:
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    results = analyse_trial(data)
    assert results.consort.enrolled_not_eligible == ()
    assert _tables(results, "eligibility-deviations") == []
