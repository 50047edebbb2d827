"""One prepared `oncotrial serve` per test module, and a Chromium user on it.

The database is prepared in-process (people, trials, randomized subjects: the steps the form
under test does not cover, posted as in test_workflow.py), then a real server is started on
it and the form under test is driven in Debian Chromium as a user drives it: visible fields,
untouched rows left untouched, Save clicked, what the page then shows asserted.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from oncotrial.web.settings import configure_web

from .conftest import TEST_SETTINGS, WebWorld, _template
from .live import live_server
from .test_browser import Session, in_own_thread

__all__ = ["PASSWORD", "Session", "in_own_thread", "prepared_server", "set_password", "user"]

PASSWORD = "Trial-Team-Password-7"
T = TypeVar("T")


def set_password(person: Any, password: str = PASSWORD) -> None:
    """A PBKDF2 hash the server's default hashers accept (few iterations: the server upgrades
    it at the first login); the tests' own MD5 hasher is unknown to the real server."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    person.password = PBKDF2PasswordHasher().encode(password, "browsersalt", iterations=1000)
    person.save(update_fields=["password"])


def user(world: WebWorld, username: str, trial: Any, *roles: str) -> Any:
    person = world.member(username, trial, *roles)
    set_password(person)
    return person


@contextmanager
def prepared_server(
    home: Path, shared: Path, setup: Callable[[WebWorld], T]
) -> Iterator[tuple[str, T]]:
    """Prepare a database with ``setup`` and serve it; yields the base URL and what setup made."""
    from django.db import connections

    path = home / "live.sqlite3"
    shutil.copyfile(_template(), path)
    configure_web(path, **TEST_SETTINGS)
    try:
        made = setup(WebWorld(path))
    finally:
        for connection in connections.all(initialized_only=True):
            connection.close()
    with live_server(home, shared / "reference" / "ctcae" / "CTCAE_v5.0.csv", db=str(path)) as url:
        yield url, made


def browse(base: str, username: str, scenario: Callable[[Session], None]) -> None:
    """Sign ``username`` in in a fresh Chromium and run ``scenario``; no console error allowed."""

    def run(browser: Any) -> None:
        session = Session(browser, base)
        session.login(username, PASSWORD)
        scenario(session)
        session.close()

    in_own_thread(run)
