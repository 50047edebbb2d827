"""A trial member follows the trial page to its analysis plan and reads, in Chromium, each
value's provenance and whether a reviewer accepted an assumption (issue 14 item 1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from oncotrial.formats.plan_files import find_plan, write_plan_yaml
from oncotrial.plan.review import accept

from .browser import Session, browse, prepared_server, user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, str]]:
    home = tmp_path_factory.mktemp("plan")
    # the server's data directory holds the reviewed copy of plan 002: one assumption accepted
    reviewed = accept(
        find_plan("002").plan,
        ["endpoints.ORR.population"],
        by="J. Xi, statistician",
        at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
    )
    write_plan_yaml(reviewed, home / "plans" / "002.yaml")

    def setup(world: Any) -> str:
        trial = world.trial("002")
        user(world, "mon", trial, "monitor")
        return str(trial.trial_id)

    with prepared_server(home, shared, setup) as made:
        yield made


def test_a_monitor_reads_the_plans_provenance_from_the_trial_page(site) -> None:
    base, trial_id = site

    def monitor(s: Session) -> None:
        s.go(f"/t/{trial_id}/")
        with s.page.expect_navigation():
            s.page.click("a:has-text('Analysis plan')")
        assert s.page.url.endswith(f"/t/{trial_id}/plan/")
        assert "Version 2" in s.page.locator(".pagehead").inner_text()

        accepted = s.page.locator("tr[data-path='endpoints.ORR.population']")
        assert accepted.locator(".provenance").inner_text() == "assumed"
        assert accepted.locator(".status").inner_text() == "accepted"
        assert "accepted by J. Xi, statistician on 2026-11-02" in accepted.inner_text()

        window = s.page.locator("#plan-safety tr[data-path='safety.window_start']")
        assert "first protocol intervention of any kind" in window.inner_text()
        assert window.locator(".status").inner_text() == "not yet accepted"

        criteria = s.page.locator("tr[data-path='endpoints.ORR.criteria']")
        assert criteria.locator(".provenance").inner_text() == "derived"
        assert "mRECIST" in criteria.inner_text()

        check = s.page.locator("#plan-check").inner_text()
        assert "Assumptions a reviewer has not accepted" in check
        assert "safety.window_start" in check
        assert "endpoints.ORR.population" not in check

    browse(base, "mon", monitor)
