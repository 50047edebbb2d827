"""End to end in a real browser: Debian chromium driven by Playwright against `oncotrial serve`.

The team's day: the administrator signs in, imports seed trial 001 and gives two colleagues their
roles; the statistician makes the allocation list; the investigator screens a patient (pasting
the record), answers the checklist, registers and randomizes them, enters the baseline tumour
assessment and an adverse event (CTCAE autocomplete and grade definitions via htmx), and
downloads the trial's SDTM, builds the trial report and opens it, and sees the Study Results
on the trial page. Screenshots
of the key pages go to test-artifacts/web/. No console error (a CSP violation would be one) is
allowed on any page.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import patient_001
from .live import ADMIN, live_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _browser(chromium_executable: Path) -> None:
    """Every test here needs Debian chromium: it fails, never skips, when it is missing
    (tests/conftest.py; `python3 dev.py test --no-browser` opts out explicitly)."""


def in_own_thread(scenario: Callable[[Any], None]) -> None:
    """Run a Playwright scenario in a thread of its own.

    Playwright's sync API refuses to start in a thread whose asyncio loop is already running —
    as it is in the main thread while another test module keeps a session-wide browser open.
    """
    from playwright.sync_api import sync_playwright

    failure: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                try:
                    scenario(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised in the test's thread below
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=600)
    if thread.is_alive():
        pytest.fail("the browser scenario did not finish in 10 minutes")
    if failure:
        raise failure[0]


@pytest.fixture
def server(tmp_path: Path, shared: Path) -> Iterator[str]:
    with live_server(tmp_path, shared / "reference" / "ctcae" / "CTCAE_v5.0.csv") as url:
        yield url


class Session:
    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1360, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: d.accept())

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def login(self, username: str, password: str) -> None:
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base + "/")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def expected_refusal(self, status: int) -> None:
        """Forget the console's note of one page answered with ``status`` on purpose."""
        note = f"the server responded with a status of {status}"
        for _ in range(40):  # console events arrive asynchronously
            found = [e for e in self.errors if note in e]
            if found:
                break
            self.page.wait_for_timeout(50)
        assert found, f"expected a {status} page"
        self.errors.remove(found[0])

    def close(self) -> None:
        assert self.errors == [], self.errors
        self.context.close()


def test_a_trial_teams_day(server: str) -> None:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    in_own_thread(lambda browser: _teams_day(browser, server))


def _teams_day(browser: Any, server: str) -> None:
    # --- the administrator
    admin = Session(browser, server)
    admin.go("/t/001/")
    assert admin.page.url.startswith(server + "/login/")  # nothing without login
    admin.shot("01-login")
    admin.login(*ADMIN)
    admin.page.click("text=Import a trial")
    admin.page.check("input[name=seed][value='001']")
    admin.page.click("button[value=seed]")
    admin.page.wait_for_url(server + "/t/001/")
    assert admin.page.locator("h1").inner_text().startswith("Comparing Consolidation")
    sections = admin.page.locator("section.registry h2").all_inner_texts()
    assert sections[:3] == ["Basic Information", "Brief Summary", "Conditions"] or sections[0] == (
        "Basic Information"
    )
    admin.page.click("nav.sidenav >> text=Team")
    for username, role in (("ines", "investigator"), ("sam", "statistician")):
        admin.page.fill("#username", username)
        admin.page.select_option("#role", role)
        admin.page.fill("#password", "Trial-Team-Password-7")
        admin.page.click("button:has-text('Give role')")
        assert admin.page.locator(".flash").inner_text().startswith(username)
    admin.shot("02-team")
    admin.go("/")
    admin.shot("03-trial-list")
    admin.close()

    # --- the statistician makes the concealed list
    stat = Session(browser, server)
    stat.login("sam", "Trial-Team-Password-7")
    stat.go("/t/001/randomization/")
    stat.page.fill("#seed", "20250301")
    stat.page.fill("#slots", "60")
    stat.page.click("button:has-text('Generate allocation list')")
    assert "Allocation list generated" in stat.page.locator(".flash").inner_text()
    stat.shot("04-randomization")
    stat.close()

    # --- the investigator
    inv = Session(browser, server)
    inv.login("ines", "Trial-Team-Password-7")
    inv.go("/t/001/")
    inv.shot("05-trial-page")
    inv.go("/t/001/screening/")
    inv.page.fill("#id_consent_date", "2025-02-20")
    record = patient_001("P-017")
    inv.page.fill("#id_record_text", json.dumps(record))
    inv.page.click("button:has-text('Register and screen')")
    inv.page.wait_for_url("**/screening/001-01-0001/")
    assert "eligible" in inv.page.locator("h1").inner_text()
    for radio in inv.page.locator("input[type=radio][value=passes]").all():
        radio.check()
    inv.page.click("button:has-text('Save checklist answers')")
    inv.shot("06-screening")
    inv.page.click("button:has-text('Register as eligible')")
    inv.page.click("a:has-text('Randomize')")
    inv.page.fill("#date", "2025-03-01")
    inv.page.click("button:has-text('Randomize')")
    arm = inv.page.locator(".armbox .arm").inner_text()
    assert arm.startswith(("Arm A:", "Arm B:"))
    inv.shot("07-randomized")

    # baseline tumour assessment
    inv.page.click("a:has-text('Go to 001-01-0001')")
    inv.page.click("a:has-text('Tumour assessment')")
    inv.page.fill("#date", "2025-02-25")
    inv.page.fill("input[name=t-0-location]", "LUNG")
    inv.page.select_option("select[name=t-0-laterality]", "RIGHT")
    inv.page.fill("input[name=t-0-value]", "32")
    inv.page.fill("input[name=t-1-location]", "LYMPH NODE")
    inv.page.fill("input[name=t-1-detail]", "MEDIASTINAL")
    inv.page.fill("input[name=t-1-value]", "18")
    inv.page.fill("input[name=nt-0-location]", "<script>alert('x')</script>")
    inv.page.click("button:has-text('Save assessment')")
    inv.page.wait_for_selector(".alert.warn")
    inv.expected_refusal(400)  # the unusual location asks for confirmation
    assert "not one of the usual location terms" in inv.page.locator(".alert.warn").inner_text()
    inv.page.check("input[name=confirm]")
    inv.page.click("button:has-text('Save assessment')")
    inv.page.wait_for_url("**/assessments/*/")
    assert "<script>" in inv.page.locator("table").inner_text().lower() or (
        "<SCRIPT>" in inv.page.locator("table").inner_text()
    )  # shown as text, never run
    inv.shot("08-assessment")

    # adverse event with CTCAE autocomplete and grade definitions
    inv.page.click("a:has-text('001-01-0001')")
    inv.page.click("a.button:has-text('Adverse event')")
    inv.page.locator("#id_term").press_sequentially("pneumon", delay=30)
    inv.page.wait_for_selector("#term-options option", state="attached", timeout=10000)
    options = inv.page.eval_on_selector_all("#term-options option", "els => els.map(e => e.value)")
    assert "Pneumonitis" in options
    inv.page.fill("#id_term", "Pneumonitis")
    # The grade definitions arrive by htmx once the term is chosen.
    inv.page.wait_for_selector(
        "#grade-choices >> text=Symptomatic; medical intervention indicated", timeout=10000
    )
    definitions = inv.page.locator("#grade-choices").inner_text()
    assert "Respiratory, thoracic and mediastinal disorders" in definitions
    inv.page.check("input[name=grade][value='2']")
    inv.page.fill("#id_stdtc", "2025-04-02")
    inv.page.select_option("#id_serious", "N")
    inv.page.select_option("#id_rel", "RELATED")
    inv.page.select_option("#id_acn", "DRUG INTERRUPTED")
    inv.page.select_option("#id_outcome", "RECOVERING/RESOLVING")
    inv.shot("09-adverse-event-form")
    with inv.page.expect_navigation():
        inv.page.click("button:has-text('Save')")
    assert inv.page.url.endswith("/subjects/001-01-0001/"), inv.page.url
    assert "Pneumonitis" in inv.page.locator("#safety").inner_text()
    inv.shot("10-subject")
    inv.go("/t/001/subjects/")
    inv.shot("11-subjects")
    inv.go("/t/001/visits/")
    inv.shot("12-visits")
    # Results: the data as the analysis reads it (an open-label trial: the investigator may).
    inv.page.click("nav.sidenav >> text=Results")
    with inv.page.expect_download() as download:
        inv.page.click("a:has-text('SDTM domains, CSV')")
    assert download.value.suggested_filename == "001-sdtm-csv.zip"
    # The trial report, built from the database and opened in the browser.
    with inv.page.expect_navigation():
        inv.page.click("button:has-text('Build report')")
    assert "Report built with data cut-off" in inv.page.locator(".flash").inner_text()
    inv.shot("13-results")
    with inv.page.expect_navigation():
        inv.page.click("a:has-text('Open the report')")
    assert "Comparing Consolidation Radiotherapy" in inv.page.content()
    assert inv.page.locator("img").count() >= 1  # figures load under the report's own policy
    inv.shot("14-report")
    inv.go("/t/001/")
    assert inv.page.locator("#results").is_visible()
    inv.page.locator("#results").scroll_into_view_if_needed()
    inv.shot("15-trial-page-results")
    # The allocation list stays concealed from the investigator.
    inv.go("/t/001/randomization/list/")
    assert "Not allowed" in inv.page.locator("h1").inner_text()
    inv.expected_refusal(403)
    inv.close()
