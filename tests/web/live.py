"""A real `oncotrial serve` process on a free loopback port, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ADMIN = ("admin", "Admin-Password-2025")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(home: Path, ctcae: Path, db: str | None = None) -> Iterator[str]:
    """Create the administrator, start the server, yield its base URL, stop it."""
    env = {
        **os.environ,
        "ONCOTRIAL_HOME": str(home),
        "ONCOTRIAL_CTCAE": str(ctcae),
        "ONCOTRIAL_SECRET_KEY": "live-server-" + "s" * 40,
        "ONCOTRIAL_ADMIN_PASSWORD": ADMIN[1],
    }
    env.pop("DATABASE_URL", None)
    database = db or str(home / "live.sqlite3")
    base = [sys.executable, "-m", "oncotrial", "serve", "--db", database]
    subprocess.run([*base, "--create-admin", ADMIN[0]], env=env, check=True, capture_output=True)
    port = free_port()
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        [*base, "--port", str(port), "--threads", "8"], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/login/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(
                        "the server did not start:\n" + (home / "server.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
