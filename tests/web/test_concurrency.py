"""Two people randomizing at the same moment never get the same slot, nor skip one.

Threads with their own database connections call ``allocate`` together (a barrier releases them
at once) for different subjects of the same trial, on SQLite (the default) and on PostgreSQL
(127.0.0.1:5432, user postgres; skipped with a message when it is not reachable).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from oncotrial.formats.protocol_files import find_protocol

from .conftest import TEST_SETTINGS

THREADS = 12


def _stratified_protocol(local_id: str) -> Any:
    protocol = find_protocol("001")
    return protocol.model_copy(
        update={
            "identity": protocol.identity.model_copy(update={"local_id": local_id}),
            "analysis": protocol.analysis.model_copy(
                update={"stratification_factors": ("PD-L1 TPS: <50% | >=50%",)}
            ),
        }
    )


def _setup(n: int, local_id: str = "001S") -> tuple[Any, Any, list[Any], Any]:
    from django.contrib.auth import get_user_model

    from oncotrial.store import models as db
    from oncotrial.store.allocation import store_generated_list
    from oncotrial.store.audit import acting_as
    from oncotrial.store.conduct import ScreeningRecord
    from oncotrial.web.trials import import_trial

    user = get_user_model().objects.create_superuser(username=f"u{uuid.uuid4().hex[:8]}")
    protocol = _stratified_protocol(local_id)
    trial = import_trial(protocol, user=user)
    store_generated_list(
        trial, protocol, block_sizes=(2, 4), seed=777, slots_per_stratum=n, levels={}, user=user
    )
    site = trial.sites.first()
    subjects = []
    with acting_as(user, None):
        for i in range(n):
            subject = db.Subject.objects.create(
                trial=trial,
                site=site,
                siteid=site.site_id,
                subjid=f"01-{i + 1:04d}",
                usubjid=f"{local_id}-01-{i + 1:04d}",
                rficdtc="2025-02-20",
            )
            ScreeningRecord.objects.create(
                trial=trial,
                subject=subject,
                patient={},
                as_of=dt.date(2025, 2, 20),
                decision="eligible",
            )
            subjects.append(subject)
    return trial, protocol, subjects, user


def _race(trial: Any, protocol: Any, subjects: list[Any], user: Any) -> list[Any]:
    from django.db import connections

    from oncotrial.store.allocation import allocate

    barrier = threading.Barrier(len(subjects))
    results: list[Any] = [None] * len(subjects)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            results[index] = allocate(
                trial,
                protocol,
                subjects[index],
                date=dt.date(2025, 3, 1),
                factor_values={"PD-L1 TPS": "<50%" if index % 3 else ">=50%"},
                user=user,
            )
        except BaseException as exc:  # reported below with the others
            errors.append(exc)
        finally:
            for connection in connections.all(initialized_only=True):
                connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(subjects))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def _check(trial: Any, results: list[Any]) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.conduct import AllocationSlot

    used: dict[str, list[int]] = defaultdict(list)
    for slot in AllocationSlot.objects.filter(scheme__trial=trial, subject__isnull=False):
        used[slot.stratum].append(slot.position)
        assert slot.subject.armcd == slot.arm  # the arm given is the slot's arm
    expected = defaultdict(int)
    for result in results:
        expected[result.stratum] += 1
    for stratum, positions in used.items():
        # every slot from 1 to n taken once: none twice, none skipped
        assert sorted(positions) == list(range(1, expected[stratum] + 1)), stratum
    assert sum(len(p) for p in used.values()) == len(results)
    assert len({r.usubjid for r in results}) == len(results)
    assert db.Disposition.objects.filter(trial=trial, decod="RANDOMIZED").count() == len(results)


def test_concurrent_randomization_on_sqlite(web) -> None:
    trial, protocol, subjects, user = _setup(THREADS)
    results = _race(trial, protocol, subjects, user)
    _check(trial, results)


@pytest.fixture
def postgres() -> Iterator[str]:
    try:
        import psycopg

        admin = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3",
            autocommit=True,
        )
    except Exception as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 as user postgres ({exc})")
    name = f"oncotrial_web_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_concurrent_randomization_on_postgresql(web, postgres: str) -> None:
    from django.db import connections

    from oncotrial.store import migrate
    from oncotrial.web.settings import configure_web

    configure_web(postgres, **TEST_SETTINGS)
    try:
        migrate()
        for round_ in range(3):  # three races, each on a fresh trial
            trial, protocol, subjects, user = _setup(THREADS, local_id=f"R{round_}")
            results = _race(trial, protocol, subjects, user)
            _check(trial, results)
    finally:
        for connection in connections.all(initialized_only=True):
            connection.close()
        configure_web(web.path, **TEST_SETTINGS)
