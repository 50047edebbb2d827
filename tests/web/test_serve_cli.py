"""`oncotrial serve`: the first-run administrator, and refusing to start without one."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .live import free_port


def _environment(home: Path, **env: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "ONCOTRIAL_HOME": str(home),
        "ONCOTRIAL_SECRET_KEY": "cli-test-" + "k" * 40,
        **env,
    }
    environment.pop("DATABASE_URL", None)
    return environment


def _run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncotrial", *args],
        capture_output=True,
        text=True,
        env=_environment(home, **env),
        timeout=180,
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


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _all_children(pid: int, expected: int) -> list[int]:
    """The children once ``expected`` are there: the parent forks them one after another, so
    the first may answer a request before the last exists (a CI run saw 2 of 3)."""
    deadline = time.monotonic() + 30
    while len(children := _children(pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return children


def _wait_ready(url: str, process: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the server did not start:\n" + log.read_text()) from None
            time.sleep(0.2)


def _failed_sign_in(url: str) -> int:
    """One wrong password for alice, on a new connection (so any server process may answer)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url + "/login/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "alice", "password": "wrong-one"}
    ).encode()
    request = urllib.request.Request(url + "/login/", data=data, headers={"Referer": url})
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_several_processes_share_the_port_the_lockout_and_stop_together(tmp_path: Path) -> None:
    db = str(tmp_path / "team.sqlite3")
    password = {"ONCOTRIAL_ADMIN_PASSWORD": "a-Long-enough-passphrase"}
    made = _run(["serve", "--db", db, "--create-admin", "alice"], tmp_path, **password)
    assert made.returncode == 0, made.stderr
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "oncotrial", "serve", "--db", db, "--port", str(port),
             "--workers", "2", "--threads", "2"],
            env=_environment(tmp_path), stdout=out, stderr=out, text=True,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_ready(url, process, log)
        assert "2 processes × 2 threads" in " ".join(log.read_text().split())
        first, second = _all_children(process.pid, 2)
        # Each process answers alone while the other is paused (connections wait in the shared
        # queue for the one that accepts): 3 failures through one, then 2 through the other
        # reach the limit of 5 for the pair (name, address) only if both count in one place.
        os.kill(second, signal.SIGSTOP)
        assert [_failed_sign_in(url) for _ in range(3)] == [401, 401, 401]
        os.kill(second, signal.SIGCONT)
        os.kill(first, signal.SIGSTOP)
        assert [_failed_sign_in(url) for _ in range(3)] == [401, 401, 429]
        os.kill(first, signal.SIGCONT)
        # Ctrl+C in a terminal interrupts the whole process group: every process stops.
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0
        for child in (first, second):
            assert not Path(f"/proc/{child}").exists()  # stopped and reaped
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in log.read_text()


def test_stopping_the_parent_stops_its_processes_and_a_taken_port_is_refused(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "team.sqlite3")
    password = {"ONCOTRIAL_ADMIN_PASSWORD": "a-Long-enough-passphrase"}
    made = _run(["serve", "--db", db, "--create-admin", "alice"], tmp_path, **password)
    assert made.returncode == 0, made.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        refused = _run(["serve", "--db", db, "--port", str(port), "--workers", "2"], tmp_path)
    assert refused.returncode == 1, refused.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in refused.stderr
    assert "--port" in refused.stderr and "Traceback" not in refused.stderr
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "oncotrial", "serve", "--db", db, "--port", str(port),
             "--workers", "3"],
            env=_environment(tmp_path), stdout=out, stderr=out, text=True,
        )  # fmt: skip
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process, log)
        children = _all_children(process.pid, 3)
        assert len(children) == 3
        process.terminate()  # SIGTERM, as a service manager stops it
        assert process.wait(timeout=30) == 0
        for child in children:
            assert not Path(f"/proc/{child}").exists()  # stopped and reaped
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
