"""Load: 50 people entering tumour assessments at once against a real `oncotrial serve` process.

Set-up (not timed): a fresh database with seed trial 001, one investigator account and one
enrolled subject with a baseline assessment per virtual user; then `oncotrial serve` starts as
its own process on a loopback port. Each virtual user logs in, then for the duration repeats what
a data manager does: open the subject's assessment form (GET), and save a follow-up assessment
(POST: two target lesions measured, one non-target lesion's state), waiting a think time between
actions. Every request's latency is recorded; any response other than the expected one counts as
an error. Afterwards the assessments and measurements in the database are counted and compared
with the saves the server acknowledged (no lost writes).

With ``--subjects N`` (issue 13: "every page p95 ≤ 200 ms with 500 subjects") the trial holds
N enrolled subjects (each with a baseline scan; the users' own are the first ones), and after
each save the person also opens one of the pages a trial team reads — the home page, the trial
page, the subject list, the visits page, their subject's page — in turn; the latencies are then
reported per page as well as overall.

The peer, measured in the same run: the same loop with one user, so the table shows what 50
concurrent users cost over one. With a PostgreSQL server URL ending in ``/postgres`` a fresh
database is created for the run and dropped after it.

    .venv/bin/python bench/web_load.py                    # 50 users, 60 s, SQLite
    .venv/bin/python bench/web_load.py --users 50 --seconds 60 --db postgresql://postgres@127.0.0.1:5432/oncotrial_bench
    .venv/bin/python bench/web_load.py --subjects 500 --db postgresql://postgres@127.0.0.1:5432/postgres

``--workers N`` is passed to `oncotrial serve` (server processes; its default is one per core).
``--template NAME`` (PostgreSQL) keeps the prepared database as NAME after the first run's
set-up and copies it for the next runs (a set-up of 500 subjects takes minutes; the copy,
seconds) — give the same --users and --subjects, and drop NAME when done.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ONCOTRIAL_SHARED", ROOT.parent / "shared"))
PASSWORD = "Bench-Password-2025"
TRIAL = "001"
FIRST_FOLLOW_UP = dt.date(2020, 2, 1)


def _environment(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ONCOTRIAL_HOME": str(home),
        "ONCOTRIAL_SECRET_KEY": "bench-" + "b" * 40,
        "ONCOTRIAL_CTCAE": str(SHARED / "reference" / "ctcae" / "CTCAE_v5.0.csv"),
        "ONCOTRIAL_ADMIN_PASSWORD": PASSWORD,
    }
    env.pop("DATABASE_URL", None)
    return env


def prepare(db: str, users: int, subjects: int = 0) -> list[tuple[str, str]]:
    """The trial, the accounts and one enrolled subject with a baseline scan per user (and more
    enrolled subjects, up to ``subjects``, belonging to no virtual user)."""
    from oncotrial.web.settings import configure_web

    configure_web(db, SECRET_KEY="bench-" + "b" * 40)

    from django.contrib.auth import get_user_model
    from django.db import connections

    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.store import migrate
    from oncotrial.store import models as dbm
    from oncotrial.store.allocation import allocate, store_generated_list
    from oncotrial.store.audit import acting_as
    from oncotrial.store.conduct import Membership, ScreeningRecord
    from oncotrial.web.assessments import parse_assessment, save_assessment
    from oncotrial.web.trials import import_trial

    migrate()
    model = get_user_model()
    admin = model.objects.create_superuser(username="admin", password=PASSWORD)
    protocol = find_protocol(TRIAL)
    trial = import_trial(protocol, user=admin)
    total = max(users, subjects)
    store_generated_list(
        trial, protocol, block_sizes=(4, 6), seed=1, slots_per_stratum=total, levels={},
        user=admin,
    )  # fmt: skip
    site = trial.sites.first()
    pairs = []
    baseline = {
        "visit": "SCREENING", "date": "2020-01-10", "evaluator": "INVESTIGATOR",
        "method": "CT SCAN", "t-0-location": "LUNG", "t-0-value": "40",
        "t-1-location": "LIVER", "t-1-value": "25", "nt-0-location": "BONE",
    }  # fmt: skip
    for n in range(1, total + 1):
        if n <= users:
            user = model.objects.create_user(username=f"user{n:02d}", password=PASSWORD)
            with acting_as(admin, "bench set-up"):
                Membership.objects.create(user=user, trial=trial, role="data_manager")
        else:
            user = admin
        with acting_as(admin, "bench set-up"):
            subject = dbm.Subject.objects.create(
                trial=trial, site=site, siteid=site.site_id, subjid=f"01-{n:04d}",
                usubjid=f"{TRIAL}-01-{n:04d}", rficdtc="2020-01-05", sex="F", age=60.0,
            )  # fmt: skip
            ScreeningRecord.objects.create(
                trial=trial, subject=subject, patient={}, as_of=dt.date(2020, 1, 5),
                decision="eligible",
            )  # fmt: skip
        allocate(trial, protocol, subject, date=dt.date(2020, 1, 12), factor_values={}, user=user)
        form = parse_assessment(
            baseline, subject, protocol, today=dt.date.today(), allocated=dt.date(2020, 1, 12)
        )
        assert not form.has_errors, form.errors
        save_assessment(form, subject, protocol, user=user)
        if n <= users:
            pairs.append((user.username, subject.usubjid))
    for connection in connections.all(initialized_only=True):
        connection.close()
    return pairs


def server_cpu(pid: int) -> float | None:
    """CPU seconds used so far by the server process and its worker processes (Linux /proc;
    None elsewhere): the cost of the requests whatever else the machine is running."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0
        for each in (str(pid), *children):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def counts(db: str) -> tuple[int, int]:
    from oncotrial.web.settings import configure_web

    configure_web(db, SECRET_KEY="bench-" + "b" * 40)

    from django.db import connections

    from oncotrial.store import models as dbm

    result = (dbm.TumourAssessment.objects.count(), dbm.Measurement.objects.count())
    for connection in connections.all(initialized_only=True):
        connection.close()
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: str, home: Path, threads: int, workers: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = (home / "server.log").open("wb")
    processes = [] if workers is None else ["--workers", str(workers)]
    process = subprocess.Popen(
        [sys.executable, "-m", "oncotrial", "serve", "--db", db, "--port", str(port),
         "--threads", str(threads), *processes],
        env=_environment(home), stdout=log, stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    raise SystemExit("the server did not start:\n" + (home / "server.log").read_text())


FORM = "assessment form (GET)"
SAVE = "save assessment (POST)"
# The pages read in turn after each save with --subjects (name, path; {usubjid}: the user's).
READ_PAGES = (
    ("home", "/"),
    ("trial", f"/t/{TRIAL}/"),
    ("subject list", f"/t/{TRIAL}/subjects/"),
    ("visits", f"/t/{TRIAL}/visits/"),
    ("subject", f"/t/{TRIAL}/subjects/{{usubjid}}/"),
)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {FORM: [], SAVE: []})
    errors: list[str] = field(default_factory=list)
    saved: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Browser:
    """One person's keep-alive connection with its cookies (session, CSRF)."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("oncotrial_csrf", "")
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())

    def login(self, username: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, status
        status, _, headers = self.request(
            "POST", "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        )  # fmt: skip
        assert status == 302 and headers.get("Location") == "/", (status, headers)


def read_page(browser: Browser, n: int, usubjid: str, tally: Tally) -> None:
    """GET the n-th of the pages a trial team reads (in turn), timed under the page's name."""
    name, path = READ_PAGES[n % len(READ_PAGES)]
    t0 = time.perf_counter()
    status, _, _ = browser.request("GET", path.replace("{usubjid}", usubjid))
    elapsed = time.perf_counter() - t0
    with tally.lock:
        tally.latencies.setdefault(name, []).append(elapsed)
        if status != 200:
            tally.errors.append(f"GET {path} {status}")


def person(
    port: int, username: str, usubjid: str, seconds: float, think: float, tally: Tally,
    start: threading.Barrier, seed: int, pages: bool = False,
) -> None:  # fmt: skip
    rng = random.Random(seed)
    browser = Browser(port)
    form_path = f"/t/{TRIAL}/subjects/{usubjid}/assessments/new/"
    try:
        browser.login(username)
        browser.request("GET", form_path)  # warm-up, not timed (templates, protocol parse)
    except (OSError, AssertionError, http.client.HTTPException) as exc:
        # 50 password hashes at once on a loaded machine: a sign-in can take long. One that
        # fails is an error; the others must not wait for it at the barrier for ever.
        with tally.lock:
            tally.errors.append(f"sign-in of {username}: {exc!r}")
        start.abort()
        return
    try:
        start.wait(timeout=600)
    except threading.BrokenBarrierError:
        return
    stop = time.monotonic() + seconds
    day = 0
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        status, page, _ = browser.request("GET", form_path)
        elapsed = time.perf_counter() - t0
        with tally.lock:
            tally.latencies[FORM].append(elapsed)
            if status != 200 or "Save assessment" not in page:
                tally.errors.append(f"GET {status}")
        time.sleep(think * rng.uniform(0.5, 1.5))
        day += 1
        # Follow-up scans after the baseline (2020-01-10), one day apart, never in the future.
        date = (FIRST_FOLLOW_UP + dt.timedelta(days=day % 2000)).isoformat()
        form = {
            "visit": "UNSCHEDULED", "date": date, "evaluator": "INVESTIGATOR", "method": "CT SCAN",
            "t-0-value": str(rng.randint(10, 45)), "t-1-value": str(rng.randint(5, 30)),
            "nt-0-value": "PRESENT",
        }  # fmt: skip
        t0 = time.perf_counter()
        status, page, headers = browser.request("POST", form_path, form)
        elapsed = time.perf_counter() - t0
        with tally.lock:
            tally.latencies[SAVE].append(elapsed)
            if status == 302 and "/assessments/" in headers.get("Location", ""):
                tally.saved += 1
            else:
                alert = re.search(r'<div class="alert[^"]*" role="alert">(.*?)</div>', page, re.S)
                tally.errors.append(f"POST {status}: {alert.group(1) if alert else page[:200]!r}")
        time.sleep(think * rng.uniform(0.5, 1.5))
        if pages:
            read_page(browser, day + seed, usubjid, tally)
            time.sleep(think * rng.uniform(0.5, 1.5))


def run(
    port: int, pairs: list[tuple[str, str]], seconds: float, think: float, pages: bool = False
) -> Tally:
    tally = Tally()
    start = threading.Barrier(len(pairs))
    threads = [
        threading.Thread(
            target=person, args=(port, u, s, seconds, think, tally, start, n, pages), daemon=True
        )
        for n, (u, s) in enumerate(pairs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return tally


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def summary(name: str, tally: Tally, seconds: float) -> dict[str, float | str]:
    every = [t for times in tally.latencies.values() for t in times]
    return {
        "run": name,
        "requests": len(every),
        "per_s": len(every) / seconds,
        "p50": 1000 * percentile(every, 50),
        "p95": 1000 * percentile(every, 95),
        "p99": 1000 * percentile(every, 99),
        "post_p95": 1000 * percentile(tally.latencies[SAVE], 95),
        "mean": 1000 * statistics.fmean(every),
        "errors": len(tally.errors),
        "saved": tally.saved,
    }


def fresh_database(
    url: str | None, home: Path, template: str | None = None
) -> tuple[str, tuple[str, str] | None, bool]:
    """The database of the run: a SQLite file, the URL given, or a new database on the server
    when the URL names its ``postgres`` maintenance database (dropped after the run). With
    ``template``, the new database is a copy of that one when it exists (the set-up is then
    skipped: the third value is True), and it is kept after the set-up when it does not."""
    if url is None:
        return str(home / "load.sqlite3"), None, False
    if not url.endswith("/postgres"):
        return url, None, False
    import psycopg

    name = f"oncotrial_web_load_{os.getpid()}"
    copied = False
    with psycopg.connect(url, autocommit=True) as admin:
        if template is not None:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,))
            copied = found.fetchone() is not None
        if copied:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            admin.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name, (url, name), copied


def keep_as_template(made: tuple[str, str] | None, template: str) -> None:
    """Copy the prepared database (no connection may be open to it) for the next runs."""
    if made is not None:
        import psycopg

        with psycopg.connect(made[0], autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{template}" TEMPLATE "{made[1]}"')


def user_pairs(users: int) -> list[tuple[str, str]]:
    """The (user name, subject) pairs ``prepare`` makes."""
    return [(f"user{n:02d}", f"{TRIAL}-01-{n:04d}") for n in range(1, users + 1)]


def drop_database(made: tuple[str, str] | None) -> None:
    if made is not None:
        import psycopg

        with psycopg.connect(made[0], autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{made[1]}" WITH (FORCE)')


def page_table(tally: Tally) -> list[tuple[str, int, float, float, float]]:
    """Per page: requests, p50, p95, p99 (ms)."""
    return [
        (name, len(t), 1000 * percentile(t, 50), 1000 * percentile(t, 95), 1000 * percentile(t, 99))
        for name, t in tally.latencies.items()
        if t
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--subjects", type=int, default=0, help="enrolled subjects (+ pages)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--threads", type=int, default=4, help="server threads per process")
    parser.add_argument(
        "--workers", type=int, default=None, help="server processes (default: the server's)"
    )
    parser.add_argument(
        "--template",
        default=None,
        help="PostgreSQL database to copy the set-up from (made and kept if missing; same "
        "--users and --subjects)",
    )
    parser.add_argument("--db", default=None, help="postgresql:// URL (default: a SQLite file)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="oncotrial-web-load-"))
    os.environ.update(_environment(home))
    db, made, copied = fresh_database(args.db, home, args.template)
    pages = args.subjects > 0
    try:
        if copied:
            print(f"copied the set-up from {args.template}", flush=True)
            pairs = user_pairs(args.users)
        else:
            print(f"preparing {args.users} users, {max(args.users, args.subjects)} subjects …")
            t0 = time.perf_counter()
            pairs = prepare(db, args.users, args.subjects)
            print(f"  set-up in {time.perf_counter() - t0:.0f} s", flush=True)
            if args.template is not None:
                keep_as_template(made, args.template)
        before = counts(db)
        process, port = start_server(db, home, args.threads, args.workers)
        try:
            print(f"peer: 1 user for {args.seconds / 2:.0f} s …", flush=True)
            peer = run(port, pairs[:1], args.seconds / 2, args.think, pages)
            print(f"load: {args.users} users for {args.seconds:.0f} s …", flush=True)
            cpu0 = server_cpu(process.pid)
            load = run(port, pairs, args.seconds, args.think, pages)
            cpu1 = server_cpu(process.pid)
            if cpu0 is not None and cpu1 is not None:
                served = sum(len(t) for t in load.latencies.values())
                print(
                    f"server CPU under load: {cpu1 - cpu0:.1f} s for {served} requests "
                    f"({1000 * (cpu1 - cpu0) / max(served, 1):.1f} ms a request)",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=20)
        after = counts(db)
    finally:
        drop_database(made)
    report(args, peer, load, before, after)


def report(
    args: argparse.Namespace, peer: Tally, load: Tally, before: tuple[int, int],
    after: tuple[int, int],
) -> None:  # fmt: skip
    saved = peer.saved + load.saved
    lost = (before[0] + saved - after[0], before[1] + 3 * saved - after[1])
    rows = [
        summary("1 user (peer)", peer, args.seconds / 2),
        summary(f"{args.users} users", load, args.seconds),
    ]
    print()
    print("| run | requests | req/s | p50 ms | p95 ms | p99 ms | POST p95 ms | errors | saves |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['run']} | {r['requests']} | {r['per_s']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {r['post_p95']:.0f} | {r['errors']} | {r['saved']} |"
        )
    print()
    peer_pages = {name: p95 for name, _, _, p95, _ in page_table(peer)}
    print(f"per page, {args.users} users (peer: 1 user's p95):")
    print("| page | requests | p50 ms | p95 ms | p99 ms | peer p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    worst = 0.0
    for name, n, p50, p95, p99 in page_table(load):
        worst = max(worst, p95)
        alone = peer_pages.get(name)
        print(
            f"| {name} | {n} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
            f"{'' if alone is None else f'{alone:.0f}'} |"
        )
    print()
    ratio = float(rows[1]["p95"]) / float(rows[0]["p95"])
    print(f"p95 ratio, {args.users} users / 1 user: {ratio:.2f}")
    print(
        f"rows after the run: {after[0]} assessments, {after[1]} measurements; acknowledged "
        f"saves {saved}; lost writes: assessments {lost[0]}, measurements {lost[1]}"
    )
    for error in (peer.errors + load.errors)[:10]:
        print("error:", error)
    ok = worst < 200 and not peer.errors and not load.errors and lost == (0, 0)
    target = "target (every page p95 < 200 ms, no errors, no lost writes):"
    print(target, "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
