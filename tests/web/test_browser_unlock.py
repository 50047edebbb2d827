"""The site administrator unlocks an account throttled by failed sign-ins, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import PASSWORD, Session, browse, in_own_thread, prepared_server, set_password, user

pytestmark = pytest.mark.browser


def _setup(world: Any) -> None:
    trial = world.trial("001")
    user(world, "inv", trial, "investigator")
    set_password(world.user("root", superuser=True))


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, None]]:
    with prepared_server(tmp_path_factory.mktemp("unlock"), shared, _setup) as made:
        yield made


def _attempt(s: Session, password: str) -> None:
    s.go("/login/")
    s.page.fill("#id_username", "inv")
    s.page.fill("#id_password", password)
    with s.page.expect_navigation():
        s.page.click("button[type=submit]")


def test_an_administrator_unlocks_a_throttled_account(site) -> None:
    base, _ = site

    def locked_out(browser: Any) -> None:
        s = Session(browser, base)
        for _ in range(5):
            _attempt(s, "not-the-password")
            s.expected_refusal(401)
        _attempt(s, PASSWORD)  # the right password is not even checked now
        s.expected_refusal(429)
        assert "Too many failed sign-in attempts" in s.page.locator(".alert").inner_text()
        s.close()

    in_own_thread(locked_out)

    def administrator(s: Session) -> None:
        s.page.click("a:has-text('Locked accounts')")
        row = s.page.locator("tr[data-user='inv']")
        assert "127.0.0.1" in row.inner_text()
        with s.page.expect_navigation():
            row.locator("button[aria-label='Unlock inv']").click()
        assert "inv can sign in again." in s.page.locator(".flash").inner_text()
        assert s.page.locator("tr[data-user='inv']").count() == 0

    browse(base, "root", administrator)
    browse(base, "inv", lambda s: None)  # signs in at once (browse asserts the home page)


def test_only_the_administrator_sees_locked_accounts(site) -> None:
    base, _ = site

    def investigator(s: Session) -> None:
        assert s.page.locator("a:has-text('Locked accounts')").count() == 0
        s.go("/account/locks/")
        s.expected_refusal(403)

    browse(base, "inv", investigator)
