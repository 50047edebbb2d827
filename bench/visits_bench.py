"""The trial's Visits page with 500 enrolled subjects (issue 13: 1.3 s median with 144 on
PostgreSQL; target p95 ≤ 150 ms with 500).

Set-up (not timed): a fresh database with seed trial 001, N subjects screened, randomized and
with a baseline tumour assessment. Timed: GET /t/001/visits/ through the web application (Django's
test client, in process: the view, its queries and the template), R rounds; the page's number of
database queries is counted once. The peer, in the same run: the schedules computed one subject at
a time (``subject_visits`` per subject, the page's former loop, now six queries per subject).

    .venv/bin/python bench/visits_bench.py --db postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/visits_bench.py            # SQLite file in a temporary folder
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

TRIAL = "001"


def _database(url: str | None) -> tuple[str, tuple[Any, str] | None]:
    if url is None:
        return str(Path(tempfile.mkdtemp()) / "visits.sqlite3"), None
    import psycopg

    name = f"oncotrial_visits_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name, (admin, name)


def prepare(n: int) -> None:
    from django.contrib.auth import get_user_model

    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.store import migrate
    from oncotrial.store import models as dbm
    from oncotrial.store.allocation import allocate, store_generated_list
    from oncotrial.store.audit import acting_as
    from oncotrial.store.conduct import Membership, ScreeningRecord
    from oncotrial.web.assessments import parse_assessment, save_assessment
    from oncotrial.web.trials import import_trial

    migrate()
    admin = get_user_model().objects.create_superuser(username="admin", password=None)
    protocol = find_protocol(TRIAL)
    trial = import_trial(protocol, user=admin)
    with acting_as(admin, "bench set-up"):
        Membership.objects.create(user=admin, trial=trial, role="investigator")
    store_generated_list(
        trial, protocol, block_sizes=(4,), seed=1, slots_per_stratum=n, levels={}, user=admin
    )
    site = trial.sites.first()
    baseline = {
        "visit": "SCREENING", "date": "2020-01-10", "evaluator": "INVESTIGATOR",
        "method": "CT SCAN", "t-0-location": "LUNG", "t-0-value": "40",
        "nt-0-location": "BONE",
    }  # fmt: skip
    for k in range(1, n + 1):
        with acting_as(admin, "bench set-up"):
            subject = dbm.Subject.objects.create(
                trial=trial, site=site, siteid=site.site_id, subjid=f"01-{k:04d}",
                usubjid=f"{TRIAL}-01-{k:04d}", rficdtc="2020-01-05", sex="F", age=60.0,
            )  # fmt: skip
            ScreeningRecord.objects.create(
                trial=trial, subject=subject, patient={}, as_of=dt.date(2020, 1, 5),
                decision="eligible",
            )  # fmt: skip
        allocate(trial, protocol, subject, date=dt.date(2020, 1, 12), factor_values={}, user=admin)
        form = parse_assessment(
            baseline, subject, protocol, today=dt.date.today(), allocated=dt.date(2020, 1, 12)
        )
        save_assessment(form, subject, protocol, user=admin)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--db", default=None, help="postgresql:// URL of a server database")
    parser.add_argument("--profile", action="store_true", help="print the page's top functions")
    parser.add_argument(
        "--page", default="visits/", help="the page under /t/001/ to time (visits/, subjects/, '')"
    )
    parser.add_argument(
        "--freeze-setup",
        action="store_true",
        help="keep the set-up's objects out of the garbage collector's walks, as in a server",
    )
    args = parser.parse_args()
    url, cleanup = _database(args.db)
    from oncotrial.web.settings import configure_web

    configure_web(url, SECRET_KEY="bench-" + "v" * 40, allowed_hosts=("testserver",))
    try:
        t0 = time.perf_counter()
        prepare(args.subjects)
        print(f"set-up: {args.subjects} enrolled subjects in {time.perf_counter() - t0:.0f} s")
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from oncotrial.store import models as dbm
        from oncotrial.web.trials import protocol_of
        from oncotrial.web.visits import subject_visits

        client = Client()
        client.force_login(get_user_model().objects.get(username="admin"))
        path = f"/t/{TRIAL}/{args.page}"
        assert client.get(path).status_code == 200  # warm-up (templates, protocol)
        if args.freeze_setup:
            import gc

            # a server process holds none of the set-up's 500 subjects' objects: out of the
            # collector's walks, as the app's own start-up heap is (web.apps.WebConfig.ready)
            gc.collect()
            gc.freeze()
        queries = [0]

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            queries[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(client.get, path)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        page, cpu = [], []
        for _ in range(args.rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(path)
            page.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)  # this process's CPU: not the other jobs' load
            assert response.status_code == 200
        trial = dbm.Trial.objects.get(trial_id=TRIAL)
        protocol = protocol_of(trial)
        subjects = list(dbm.Subject.objects.filter(trial=trial).order_by("usubjid"))
        peer = []
        for _ in range(max(3, args.rounds // 10)):
            t0 = time.perf_counter()
            for subject in subjects:
                subject_visits(protocol, subject, as_of=dt.date.today())
            peer.append(time.perf_counter() - t0)
        backend = "PostgreSQL" if args.db else "SQLite"
        p50, p95 = statistics.median(page), _percentile(page, 0.95)
        print(f"{backend}, {args.subjects} enrolled subjects, {args.rounds} rounds")
        print(f"  {path}: p50 {1000 * p50:.0f} ms, p95 {1000 * p95:.0f} ms, "
              f"min {1000 * min(page):.0f} ms, {queries[0]} queries")  # fmt: skip
        print(f"  its CPU time in this process (PostgreSQL's not counted): "
              f"p50 {1000 * statistics.median(cpu):.0f} ms, "
              f"p95 {1000 * _percentile(cpu, 0.95):.0f} ms")  # fmt: skip
        print(f"  peer, one subject at a time (schedules only): "
              f"p50 {1000 * statistics.median(peer):.0f} ms")  # fmt: skip
        print(f"  ratio peer / page p50: {statistics.median(peer) / p50:.1f}x")
    finally:
        from django.db import connections

        for c in connections.all(initialized_only=True):
            c.close()
        if cleanup is not None:
            admin, name = cleanup
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


if __name__ == "__main__":
    main()
