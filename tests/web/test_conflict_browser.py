"""Two people correct the same record in Chromium; the second save gets the conflict page.

Issue 13: user B's save of a form opened before user A's save silently reverted A's value. Now
both open the adverse event's correction form in their own browser (two contexts, two sessions
against a live `oncotrial serve`), A saves grade 3, B then saves grade 1 from the form opened
before: B sees the conflict page with the stored value (A's), B's value and A's name and reason;
the record keeps A's value. B then saves deliberately over it from the conflict page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .live import live_server
from .test_browser import Session, in_own_thread
from .test_concurrency import _team_with_ae

pytestmark = pytest.mark.browser
PASSWORD = "Correct-Horse-42"  # WebWorld.user's default


@pytest.fixture(autouse=True)
def _browser(chromium_executable: Path) -> None:
    """Needs Debian chromium: fails, never skips, when it is missing (tests/conftest.py)."""


def test_second_save_of_the_same_form_sees_the_conflict(web, tmp_path: Path, shared: Path) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connections

    _clients, _usubjid, url = _team_with_ae(web)
    # The test settings hash with MD5 (speed); the server only knows its own hashers.
    for person in get_user_model().objects.filter(username__in=["ana", "ben"]):
        person.password = PBKDF2PasswordHasher().encode(PASSWORD, "conflicttest", iterations=1000)
        person.save(update_fields=["password"])
    for connection in connections.all(initialized_only=True):
        connection.close()
    ctcae = shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"
    with live_server(tmp_path, ctcae, db=str(web.path)) as server:
        in_own_thread(lambda browser: _two_people(browser, server, url))
    from oncotrial.store import models as db

    record = db.AdverseEvent.objects.get()
    assert record.grade == 1  # B's deliberate second save
    users = [
        row.history_user.username
        for row in db.AdverseEvent.history.filter(id=record.pk).order_by("history_id")
    ]
    assert users == ["ana", "ana", "ben"]


def _correct(session: Session, grade: str, reason: str) -> None:
    session.page.check(f"input[name=grade][value='{grade}']")
    session.page.fill("#id_reason", reason)
    with session.page.expect_navigation():
        session.page.click("button:has-text('Save correction')")


def _two_people(browser: Any, server: str, url: str) -> None:
    ana, ben = Session(browser, server), Session(browser, server)
    ana.login("ana", PASSWORD)
    ben.login("ben", PASSWORD)
    ana.go(url)
    ben.go(url)  # both forms open at the same revision
    assert ben.page.locator("input[type=hidden][name=revision]").input_value() == "1"
    _correct(ana, "3", "source document says grade 3")
    assert ana.page.url.endswith("/subjects/001-01-0001/"), ana.page.url
    _correct(ben, "1", "source document says grade 1")
    ben.expected_refusal(409)
    page = ben.page
    assert "Your change was not saved" in page.locator("#conflict").inner_text()
    row = page.locator("tr[data-field=grade]")
    assert row.locator("td.opened").inner_text().strip() == "2"
    assert row.locator("td.stored").inner_text().strip().startswith("3")
    assert row.locator("td.yours").inner_text().strip() == "1"
    changed_by = page.locator("ul.changed-by").inner_text()
    assert "Ana Reyes" in changed_by and "source document says grade 3" in changed_by
    ben.shot("conflict-page")
    # Nothing was overwritten: the record as stored still shows A's grade.
    ana.go(url)
    assert ana.page.locator("input[name=grade][value='3']").is_checked()
    # B saves over it deliberately, from the conflict page (its form carries the new revision).
    assert page.locator("input[type=hidden][name=revision]").input_value() == "2"
    with page.expect_navigation():
        page.click("button:has-text('Save correction')")
    assert page.url.endswith("/subjects/001-01-0001/"), page.url
    ana.close()
    ben.close()
