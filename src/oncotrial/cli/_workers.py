"""Several server processes sharing one listening socket (`oncotrial serve --workers N`).

One Python process runs one thread of Python at a time (the GIL), so a single server process
uses one core however many threads it has: on a 2-core machine the 50-user load benchmark kept
one core busy and queued every page behind the others (bench/RESULTS.md, issue 13). As
production WSGI servers do (gunicorn's pre-fork model), the parent binds the socket, applies the
migrations and loads the application once, then forks ``workers`` children that each accept
connections on the inherited socket with their own threads; the kernel hands each new
connection to one of them.

What each process keeps for itself is safe to keep per process: parsed protocols are cached by
the hash of their YAML and the current version is read on every request; everything shared —
sessions, login throttling and lock-out (``oncotrial.web.throttle``), audit, allocation — lives
in the database. The parent closes its database connections before forking so no child
inherits a connection another process uses.

The parent only watches: a child that stops is replaced (after a minute of running; one that
stops sooner stops the server, as a start-up failure would otherwise repeat for ever). Ctrl+C
or SIGTERM to the parent stops every child before the parent exits. Where ``os.fork`` does not
exist (Windows) the server runs as one process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from types import FrameType

from oncotrial.errors import ConfigurationError

__all__ = ["DEFAULT_MAX_WORKERS", "default_workers", "listening_sockets", "run_workers"]

# The default number of processes is the number of cores this process may use, at most this
# many: each holds ``threads`` database connections (PostgreSQL allows 100 by default).
DEFAULT_MAX_WORKERS = 8
BACKLOG = 1024
# A child that stops within this many seconds of its start is taken as a start-up failure.
MIN_LIFETIME = 60.0
STOP_GRACE = 10.0


def default_workers() -> int:
    """One process per core available to this process (at most ``DEFAULT_MAX_WORKERS``);
    1 where processes cannot be forked."""
    if not hasattr(os, "fork"):
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity call
        cores = os.cpu_count() or 1
    return max(1, min(cores, DEFAULT_MAX_WORKERS))


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Bound, listening sockets for every address ``host`` resolves to (as waitress would)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigurationError(
            f"--host {host!r} is not an address: {exc.strerror}",
            hint="Give an IP address such as 127.0.0.1 or 0.0.0.0, or a known host name.",
        ) from exc
    sockets: list[socket.socket] = []
    seen: set[tuple[int, object]] = set()
    for family, kind, proto, _, address in infos:
        if (family, address) in seen:
            continue
        seen.add((family, address))
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            sock.close()
            for other in sockets:
                other.close()
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: {exc.strerror}",
                hint="Another program may use that port; choose another with --port.",
            ) from exc
        sock.listen(BACKLOG)
        sockets.append(sock)
    return sockets


class _Stop(Exception):
    """SIGTERM to the parent."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _child(serve_one: Callable[[], None]) -> int:
    """Fork one worker; the child serves until it is stopped and never returns."""
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        serve_one()
    except KeyboardInterrupt:
        pass
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _stop(children: dict[int, float]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    for pid in list(children):
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.05)
    children.clear()


def run_workers(
    serve_one: Callable[[], None],
    workers: int,
    *,
    before_fork: Callable[[], None],
    report: Callable[[str], None],
) -> None:
    """Serve with ``workers`` forked processes (``serve_one`` in each) until stopped."""
    if workers <= 1 or not hasattr(os, "fork"):
        serve_one()
        return
    before_fork()
    children: dict[int, float] = {}  # pid: when it started
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        for _ in range(workers):
            children[_child(serve_one)] = time.monotonic()
        while True:
            pid, status = os.wait()
            started = children.pop(pid, None)
            if started is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if time.monotonic() - started < MIN_LIFETIME:
                raise ConfigurationError(
                    f"a server process stopped {time.monotonic() - started:.0f} s after its "
                    f"start (exit code {code}); the server was stopped",
                    hint="See the messages above; start the server again when fixed.",
                )
            report(f"a server process stopped (exit code {code}); starting another")
            children[_child(serve_one)] = time.monotonic()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        _stop(children)
        signal.signal(signal.SIGTERM, previous)
