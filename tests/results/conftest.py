"""Fixtures of the results tests: the demo database (`oncotrial demo`, once per session) and
each demo trial analysed at its cut-off, with its generated results section."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_TRIALS = ("000", "001", "002", "003", "004")


@dataclass(frozen=True)
class DemoTrial:
    results: object  # TrialResults
    made: object  # GeneratedResults


def _run(args: list[str], env: dict[str, str | None]) -> tuple[int, str, str]:
    from oncotrial.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.setenv("COLUMNS", "160")
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("results-demo")
    env = {
        "ONCOTRIAL_HOME": str(home),
        "ONCOTRIAL_CTCAE": None,
        "ONCOTRIAL_DB": None,
        "DATABASE_URL": None,
    }
    code, _out, err = _run(["demo"], env)
    assert code == 0, err
    return home


@pytest.fixture(scope="session")
def demo_db(demo_home: Path) -> Path:
    return demo_home / "demo" / "oncotrial-demo.sqlite3"


@pytest.fixture(scope="session")
def demo_trials(demo_db: Path) -> dict[str, DemoTrial]:
    """Each demo trial analysed as `oncotrial report` does, and its results section."""
    from oncotrial.analysis import analyse_trial
    from oncotrial.app.dictionary import find_dictionary
    from oncotrial.app.trial_data import load_from_store
    from oncotrial.formats.plan_files import find_trial_plan
    from oncotrial.results import build_results
    from oncotrial.store import configure

    configure(demo_db)
    dictionary, reason = find_dictionary(None)
    out = {}
    for trial in DEMO_TRIALS:
        data = load_from_store(trial)
        identity = data.protocol.identity
        reviewed = find_trial_plan(identity.local_id, identity.nct_id, data.trial_id)
        assert reviewed is not None, trial  # every demo trial has a bundled analysis plan
        results = analyse_trial(data, ctcae=dictionary, ctcae_reason=reason, sap=reviewed.plan)
        out[trial] = DemoTrial(results, build_results(results))
    return out


@pytest.fixture(scope="session")
def cli_run():
    return _run
