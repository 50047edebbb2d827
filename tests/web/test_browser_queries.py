"""Data queries in Chromium: raised by the monitor, answered by the investigator, closed.

Issue 13 item 5: the query page's own ``messages`` shadowed Django's flash messages, so each
message of the thread showed as a green banner of a raw Python dict; the flash of the action just
done must be the only banner.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import Session, browse, prepared_server, user
from .helpers import eligible_subject

pytestmark = pytest.mark.browser


def _setup(world: Any) -> str:
    trial = world.trial("001")
    inv = user(world, "inv", trial, "investigator")
    user(world, "mon", trial, "monitor")
    return eligible_subject(world.client(inv), pid="Q1")


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, str]]:
    with prepared_server(tmp_path_factory.mktemp("queries"), shared, _setup) as made:
        yield made


def _banners(s: Session) -> list[str]:
    return s.page.locator(".flash p").all_inner_texts()


def test_a_query_is_raised_answered_and_closed(site) -> None:
    base, usubjid = site
    found: dict[str, str] = {}

    def monitor_raises(s: Session) -> None:
        s.go("/t/001/queries/new/")
        s.page.select_option("#subject", usubjid)
        s.page.fill("#text", "Consent date <b>before</b> screening?")
        with s.page.expect_navigation():
            s.page.click("button:has-text('Raise query')")
        assert _banners(s) == ["Query 1 raised."], _banners(s)
        assert "{'author'" not in s.page.content()
        assert "Consent date <b>before</b> screening?" in s.page.locator(".card").first.inner_text()
        found["url"] = s.page.url

    def investigator_answers(s: Session) -> None:
        s.page.goto(found["url"])
        assert _banners(s) == []  # the thread is no banner
        s.page.fill("textarea[aria-label='Answer']", "Checked: consent came first.")
        with s.page.expect_navigation():
            s.page.click("button:has-text('Send answer')")
        assert len(_banners(s)) == 1 and _banners(s)[0].startswith("Query 1:"), _banners(s)
        thread = s.page.locator("section.card").first.inner_text()
        assert "Checked: consent came first." in thread and "mon" in thread

    def monitor_closes(s: Session) -> None:
        s.page.goto(found["url"])
        with s.page.expect_navigation():
            s.page.click("button:has-text('Close query')")
        assert len(_banners(s)) == 1, _banners(s)
        assert "closed" in s.page.locator("h1").inner_text()

    def monitor_reads_a_record(s: Session) -> None:
        # Issue 13 item 11: a monitor saw edit widgets (the POST was rightly refused).
        s.go(f"/t/001/subjects/{usubjid}/")
        assert s.page.locator("a:has-text('Correct')").count() == 0
        with s.page.expect_navigation():
            s.page.click("a:has-text('Demographics')")
        assert s.page.locator("h1").inner_text() == "Demographics"
        controls = s.page.locator("#entry-form :is(input, select, textarea):visible")
        assert controls.count() > 0
        enabled = [c.get_attribute("name") for c in controls.all() if c.is_enabled()]
        assert enabled == [], enabled
        assert s.page.locator("#entry-form button[type=submit]").count() == 0

    browse(base, "mon", monitor_reads_a_record)
    browse(base, "mon", monitor_raises)
    browse(base, "inv", investigator_answers)
    browse(base, "mon", monitor_closes)
