"""Fixtures of the web tests: Django set up with the web application, a fresh database per test.

Django is configured when this file is collected (once per process; the installed apps cannot
change afterwards, and the web application's are a superset of the store's). Each test gets its
own copy of a migrated SQLite database, so tests never see each other's data.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from oncotrial.web.settings import configure_web

_TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="oncotrial-web-template-"))
_TEMPLATE = _TEMPLATE_DIR / "template.sqlite3"
TEST_SETTINGS: dict[str, Any] = {
    "SECRET_KEY": "web-tests-" + "x" * 40,
    "allowed_hosts": ("testserver", "127.0.0.1", "localhost"),
    # Hashing with Django's default (PBKDF2, 1M iterations) would cost seconds per test; the
    # login throttling and password tests do not depend on the hasher.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}
configure_web(_TEMPLATE, **TEST_SETTINGS)
_migrated = False


def _template() -> Path:
    global _migrated
    if not _migrated:
        from django.db import connections

        from oncotrial.store import migrate

        configure_web(_TEMPLATE, **TEST_SETTINGS)
        migrate()
        for connection in connections.all(initialized_only=True):
            connection.close()
        _migrated = True
    return _TEMPLATE


@dataclass
class WebWorld:
    """One test's database with helpers to make people, trials and logged-in browsers."""

    path: Path
    trials: dict[str, Any] = field(default_factory=dict)

    def user(
        self, username: str, *, superuser: bool = False, password: str = "Correct-Horse-42"
    ) -> Any:
        from django.contrib.auth import get_user_model

        model = get_user_model()
        if superuser:
            return model.objects.create_superuser(username=username, password=password)
        return model.objects.create_user(username=username, password=password)

    def trial(self, reference: str = "001", admin: Any = None) -> Any:
        from oncotrial.formats.protocol_files import find_protocol
        from oncotrial.web.trials import import_trial

        if reference in self.trials:
            return self.trials[reference]
        owner = admin or self.user(f"admin-{reference}", superuser=True)
        trial = import_trial(find_protocol(reference), user=owner)
        self.trials[reference] = trial
        return trial

    def grant(self, user: Any, trial: Any, *roles: str) -> None:
        from oncotrial.store.audit import acting_as
        from oncotrial.store.conduct import Membership

        with acting_as(user, "test set-up"):
            for role in roles:
                Membership.objects.get_or_create(user=user, trial=trial, role=role)

    def client(self, user: Any = None, *, csrf: bool = False) -> Any:
        from django.test import Client

        client = Client(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return client

    def member(self, username: str, trial: Any, *roles: str) -> Any:
        person = self.user(username)
        self.grant(person, trial, *roles)
        return person


@pytest.fixture
def web(tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebWorld]:
    template = _template()
    path = tmp_path / "web.sqlite3"
    shutil.copyfile(template, path)
    monkeypatch.setenv("ONCOTRIAL_CTCAE", str(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"))
    configure_web(path, **TEST_SETTINGS)
    yield WebWorld(path)
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
