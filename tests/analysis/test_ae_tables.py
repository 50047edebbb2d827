"""AE tables of the two-arm trial 001: SOC × term × worst grade with the arms named in full and
a Total column (issue 14: "AE tables use arm codes, have no total column").

Expected counts are taken from the ADAE records directly (patients with TRTEMFL = Y, and with
a grade ≥ 3 one), not from the table code.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.analysis import TrialData, analyse_trial
from oncotrial.analysis.results import SafetyOutcome
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.report import Table
from oncotrial.report.trial import build_trial_report
from oncotrial.simulate.trial import simulate_trial

ARMS = ("Maintenance therapy + radiotherapy", "Maintenance therapy")


@pytest.fixture(scope="module")
def report_001(shared: Path, tmp_path_factory: pytest.TempPathFactory):
    copy = tmp_path_factory.mktemp("ctcae") / "CTCAE_v5.0.csv"
    shutil.copy(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv", copy)
    trial = simulate_trial(find_protocol("001"), 40, 5)
    data = TrialData(trial.protocol, trial.frames, "simulated 001", simulated=True)
    results = analyse_trial(data, ctcae=load_ctcae(copy), sap=find_plan("001").plan)
    return results, build_trial_report(results, generated=datetime(2026, 1, 1))


def _table(report, suffix: str) -> Table:
    (table,) = [
        b
        for top in report.sections
        for s in top.walk()
        for b in s.blocks
        if isinstance(b, Table) and b.id.endswith(suffix)
    ]
    return table


def test_soc_table_names_the_arms_and_has_a_total_column(report_001) -> None:
    results, report = report_001
    (safety,) = [e.outcome for e in results.endpoints if isinstance(e.outcome, SafetyOutcome)]
    table = _table(report, "-soc")
    labels = [c.label for c in table.columns]
    for arm in ARMS:
        assert f"{arm}: any grade" in labels and f"{arm}: grade ≥ 3" in labels
    assert labels[-2:] == ["Total: any grade", "Total: grade ≥ 3"]
    adae = safety.adae[safety.adae["TRTEMFL"] == "Y"]
    grade = pd.to_numeric(adae["AETOXGRN"], errors="coerce")
    any_row = table.rows[0]
    assert any_row.cells[0] == "Any TEAE"
    total_any, total_g3 = any_row.cells[-2:]
    assert str(total_any).startswith(f"{adae['USUBJID'].nunique()} (")
    assert str(total_g3).startswith(f"{adae.loc[grade >= 3, 'USUBJID'].nunique()} (")
    for i, arm in enumerate(ARMS):
        rows = adae[adae["ARM"].astype(str) == arm]
        assert str(any_row.cells[1 + 2 * i]).startswith(f"{rows['USUBJID'].nunique()} (")


def test_overview_headers_are_arm_labels(report_001) -> None:
    _, report = report_001
    table = _table(report, "-overview")
    headers = [c.label for c in table.columns][1:]
    assert [h.split(" (N = ")[0] for h in headers] == [*ARMS, "Total"]
