"""The server's CPU per request for the pages of the web load, in process (issue 13).

``bench/web_load.py`` measures latency under 50 users on a 2-core machine shared with the load
generator, so its figures mostly show the machine. This measures what the server itself spends:
the same database (``web_load.prepare``: trial 001, 50 data-manager accounts, 500 enrolled
subjects each with a baseline scan, PostgreSQL), the same pages in the same order as one load
user's loop — assessment form (GET), save assessment (POST), then home, trial page, subject list,
visits page, subject page — requested through the whole Django stack (Django's test client,
every middleware, persistent connections as ``oncotrial serve`` has them), logged in as
``user01`` (a data manager, as in the load). Each page is requested ``--rounds`` times after a
warm-up round; reported per page: the median CPU time of this process per request
(``time.process_time``: the view, the ORM, the templates — not PostgreSQL's own processes),
the median wall time, and the number of SQL queries.

Every run works on a fresh copy of a kept template database (``--template``, made by the first
run: the set-up takes minutes), so the saves of one run do not carry into the next.

    PG=postgresql://postgres@127.0.0.1:5432/postgres
    PYTHONPATH=$PWD/src /work/main/.venv/bin/python bench/web_cpu.py --db $PG
    PYTHONPATH=$PWD/src /work/main/.venv/bin/python bench/web_cpu.py --db $PG --profile visits

``--sql PAGE`` prints the queries of that page's first timed request; ``--dump DIR`` writes
each page's HTML of the first timed round (CSRF tokens blanked) to compare versions.
``--profile PAGE`` prints the cProfile of that page's timed requests (cumulative and own time).
Drop the template when done: ``psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE web_cpu_500'``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_load  # the load's own set-up and page list, not a copy

USER = "user01"
SUBJECT = f"{web_load.TRIAL}-01-0001"
FORM_PATH = f"/t/{web_load.TRIAL}/subjects/{SUBJECT}/assessments/new/"


def pages() -> list[tuple[str, str, dict[str, str] | None]]:
    """One load user's loop: (name, path, POST form or None)."""
    loop: list[tuple[str, str, dict[str, str] | None]] = [
        (web_load.FORM, FORM_PATH, None),
        (web_load.SAVE, FORM_PATH, {}),  # the form is filled in per request (its date)
    ]
    for name, path in web_load.READ_PAGES:
        loop.append((name, path.replace("{usubjid}", SUBJECT), None))
    return loop


def save_form(day: int) -> dict[str, str]:
    """A follow-up scan as the load posts it, one day after the previous one."""
    date = (web_load.FIRST_FOLLOW_UP + dt.timedelta(days=day)).isoformat()
    return {
        "visit": "UNSCHEDULED", "date": date, "evaluator": "INVESTIGATOR", "method": "CT SCAN",
        "t-0-value": str(20 + day % 20), "t-1-value": str(10 + day % 15), "nt-0-value": "PRESENT",
    }  # fmt: skip


def check(name: str, response: Any) -> None:
    ok = response.status_code == 302 if name == web_load.SAVE else response.status_code == 200
    if name == web_load.SAVE and ok:
        ok = "/assessments/" in response.headers.get("Location", "")
    if not ok:
        body = getattr(response, "content", b"")[:300]
        raise SystemExit(f"{name}: unexpected response {response.status_code} {body!r}")


def measure(
    rounds: int, profile: str | None, sql: str | None = None, dump: Path | None = None
) -> dict[str, dict[str, list[float]]]:
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")  # an allowed host, as the load's
    if not client.login(username=USER, password=web_load.PASSWORD):
        raise SystemExit(f"cannot sign in as {USER}")
    queries = [0]

    shown: list[str] = []

    def count(execute: Callable[..., Any], text: str, params: Any, many: bool, ctx: Any) -> Any:
        queries[0] += 1
        shown.append(text)
        return execute(text, params, many, ctx)

    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not wall
    figures: dict[str, dict[str, list[float]]] = {}
    day = 0
    for n in range(rounds + 1):  # round 0 warms up (templates, the protocol parse)
        for name, path, form in pages():
            day += form is not None
            data = save_form(day) if form is not None else None
            queries[0] = 0
            shown.clear()
            timed = profiler if name == profile and n > 0 else None
            with connection.execute_wrapper(count):
                if timed is not None:
                    timed.enable()
                c0, w0 = time.process_time(), time.perf_counter()
                response = client.get(path) if data is None else client.post(path, data)
                c1, w1 = time.process_time(), time.perf_counter()
                if timed is not None:
                    timed.disable()
            check(name, response)
            if n == 1 and name == sql:
                print(f"{name}: {len(shown)} queries", *shown, sep="\n  ")
            if n == 1 and dump is not None:
                # The page as served, for comparing versions (CSRF tokens differ every time).
                text = re.sub(r"[A-Za-z0-9]{64}", "<token>", response.content.decode())
                (dump / (name.split(" (")[0].replace(" ", "_") + ".html")).write_text(text)
            if n > 0:
                page = figures.setdefault(name, {"cpu": [], "wall": [], "queries": []})
                page["cpu"].append(1000 * (c1 - c0))
                page["wall"].append(1000 * (w1 - w0))
                page["queries"].append(queries[0])
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="postgresql://…/postgres (server URL)")
    parser.add_argument("--template", default="web_cpu_500", help="kept set-up database")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--subjects", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20, help="timed requests per page")
    parser.add_argument("--profile", default=None, help="page name to profile (cProfile)")
    parser.add_argument("--sql", default=None, help="page name whose queries to print")
    parser.add_argument("--dump", type=Path, default=None, help="folder for each page's HTML")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="oncotrial-web-cpu-"))
    os.environ.update(web_load._environment(home))
    db, made, copied = web_load.fresh_database(args.db, home, args.template)
    try:
        if not copied:
            t0 = time.perf_counter()
            web_load.prepare(db, args.users, args.subjects)
            print(f"set-up in {time.perf_counter() - t0:.0f} s (kept as {args.template})")
            web_load.keep_as_template(made, args.template)
        from oncotrial.web.settings import configure_web

        # As `oncotrial serve` configures it: each thread keeps its database connection.
        configure_web(db, SECRET_KEY="bench-" + "b" * 40, persistent_connections=True)
        if args.dump is not None:
            args.dump.mkdir(parents=True, exist_ok=True)
        figures = measure(args.rounds, args.profile, args.sql, args.dump)
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
    finally:
        web_load.drop_database(made)
    load = os.getloadavg()
    print(f"{args.rounds} requests per page after a warm-up; load average {load[0]:.2f}")
    print("| page | CPU ms (median) | wall ms (median) | queries |")
    print("|---|---:|---:|---:|")
    total = 0.0
    for name, page in figures.items():
        cpu = statistics.median(page["cpu"])
        total += cpu
        spread = sorted({int(q) for q in page["queries"]})
        shown = str(spread[0]) if len(spread) == 1 else f"{spread[0]}–{spread[-1]}"
        print(f"| {name} | {cpu:.1f} | {statistics.median(page['wall']):.1f} | {shown} |")
    print(f"| one loop (7 requests) | {total:.1f} | | |")


if __name__ == "__main__":
    main()
