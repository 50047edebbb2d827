"""`oncotrial serve`: the first-run administrator, and refusing to start without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ONCOTRIAL_HOME": str(home),
        "ONCOTRIAL_SECRET_KEY": "cli-test-" + "k" * 40,
        **env,
    }
    environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "oncotrial", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_first_run_creates_the_administrator_then_refuses_a_second(tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite3"
    refused = _run(["serve", "--db", str(db), "--port", "8999"], tmp_path)
    assert refused.returncode == 1
    assert "has no site administrator yet" in refused.stderr
    assert "oncotrial serve --create-admin" in refused.stderr
    weak = _run(
        ["serve", "--db", str(db), "--create-admin", "alice"],
        tmp_path,
        ONCOTRIAL_ADMIN_PASSWORD="alice",
    )
    assert weak.returncode == 1 and "password is not accepted" in weak.stderr
    made = _run(
        ["serve", "--db", str(db), "--create-admin", "alice"],
        tmp_path,
        ONCOTRIAL_ADMIN_PASSWORD="a-Long-enough-passphrase",
    )
    assert made.returncode == 0, made.stderr
    assert "created the site administrator alice" in made.stdout
    again = _run(
        ["serve", "--db", str(db), "--create-admin", "alice"],
        tmp_path,
        ONCOTRIAL_ADMIN_PASSWORD="a-Long-enough-passphrase",
    )
    assert again.returncode == 1 and "already exists" in again.stderr


def test_without_a_terminal_the_password_must_come_from_the_environment(tmp_path: Path) -> None:
    result = _run(["serve", "--db", str(tmp_path / "x.sqlite3"), "--create-admin", "bob"], tmp_path)
    assert result.returncode == 1
    assert "ONCOTRIAL_ADMIN_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_secret_key_is_made_once_and_kept_private(tmp_path: Path, monkeypatch) -> None:
    from oncotrial.web.settings import SECRET_FILE, secret_key

    monkeypatch.setenv("ONCOTRIAL_HOME", str(tmp_path))
    monkeypatch.delenv("ONCOTRIAL_SECRET_KEY", raising=False)
    first = secret_key()
    assert len(first) >= 48 and secret_key() == first
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o077 == 0
