"""In Debian chromium, as a user: the statistician builds the report of the demo's trial 002 and
finds, on the trial page, the ClinicalTrials.gov results section drafted from it, marked as a
draft, and opens it (docs/results.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .live import ADMIN, live_server
from .test_browser import Session, in_own_thread

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(tmp_path: Path, shared: Path, chromium_executable: Path) -> Iterator[str]:
    """`oncotrial serve` on the demo's database (five simulated trials with their data)."""
    env = {**os.environ, "ONCOTRIAL_HOME": str(tmp_path)}
    for name in ("ONCOTRIAL_DB", "DATABASE_URL", "ONCOTRIAL_CTCAE"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "oncotrial", "demo"], env=env, check=True, capture_output=True
    )
    database = tmp_path / "demo" / "oncotrial-demo.sqlite3"
    ctcae = shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"
    with live_server(tmp_path, ctcae, db=str(database)) as url:
        yield url


def test_the_draft_results_section_on_the_trial_page(demo_server: str) -> None:
    def scenario(browser: object) -> None:
        admin = Session(browser, demo_server)
        admin.login(*ADMIN)
        admin.go("/t/NCT07064876/")
        admin.page.click("nav.sidenav >> text=Team")
        admin.page.fill("#username", "sam")
        admin.page.select_option("#role", "statistician")
        admin.page.fill("#password", "Trial-Team-Password-7")
        admin.page.click("button:has-text('Give role')")
        assert admin.page.locator(".flash").inner_text().startswith("sam")
        admin.close()
        user = Session(browser, demo_server)
        user.login("sam", "Trial-Team-Password-7")
        user.go("/t/NCT07064876/results/")
        with user.page.expect_navigation():
            user.page.click("button:has-text('Build report')")
        assert "Report built with data cut-off" in user.page.locator(".flash").inner_text()
        user.go("/t/NCT07064876/")
        draft = user.page.locator("#ctgov-results")
        assert draft.is_visible()
        assert "draft — not approved" in draft.inner_text()
        assert "0 errors to fix" in draft.inner_text()
        draft.scroll_into_view_if_needed()
        user.shot("16-trial-page-ctgov-draft")
        with user.page.expect_navigation():
            draft.locator("a:has-text('Open the draft')").click()
        assert "DRAFT" in user.page.locator(".draft").first.inner_text()
        assert user.page.locator("h2:has-text('Participant Flow')").is_visible()
        assert user.page.locator("table.flow th:has-text('STARTED')").is_visible()
        user.shot("17-ctgov-draft")
        user.close()

    in_own_thread(scenario)
