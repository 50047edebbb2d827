"""Two people at the same moment: no slot given twice, no edit lost, no visit entered twice.

Threads with their own database connections call ``allocate`` together (a barrier releases them
at once) for different subjects of the same trial, on SQLite (the default) and on PostgreSQL
(127.0.0.1:5432, user postgres; skipped with a message when it is not reachable).

Edits (issue 13): every edit form carries the record's revision; a save from a form opened before
someone else's save gets the conflict page (409; the stored value, the person's value, who
changed it and when) and nothing is overwritten. Driven through the web application's views with
one test client per person, in threads for the simultaneous saves.
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


# --- optimistic concurrency on edits, one assessment per visit (issue 13) ---------------------

TRIES = 30
AE = {
    "term": "pneumonitis",
    "grade": "2",
    "stdtc": "2025-04-01",
    "serious": "N",
    "rel": "RELATED",
    "acn": "DRUG INTERRUPTED",
    "outcome": "RECOVERING/RESOLVING",
}


def _team_with_ae(web: Any) -> tuple[dict[str, Any], str, str]:
    """Trial 001 with a randomized subject and one adverse event; clients of ana and ben."""
    from oncotrial.store import models as db

    from .helpers import eligible_subject, generate_list, randomize

    trial = web.trial("001")
    people = {
        "ana": web.member("ana", trial, "investigator"),
        "ben": web.member("ben", trial, "data_manager"),
        "sam": web.member("sam", trial, "statistician"),
    }
    people["ana"].first_name, people["ana"].last_name = "Ana", "Reyes"
    people["ana"].save()
    clients = {name: web.client(person) for name, person in people.items()}
    generate_list(clients["sam"])
    usubjid = eligible_subject(clients["ana"])
    randomize(clients["ana"], "001", usubjid)
    created = clients["ana"].post(f"/t/001/subjects/{usubjid}/ae/new/?format=json", AE)
    assert created.status_code == 201, created.content.decode()[-2000:]
    record = db.AdverseEvent.objects.get(pk=created.json()["created"])
    return clients, usubjid, f"/t/001/subjects/{usubjid}/ae/{record.pk}/"


def _opened(client: Any, url: str) -> int:
    """The revision the edit form shows (its JSON twin; the page has it as a hidden field)."""
    return int(client.get(url + "?format=json").json()["revision"])


def _stale_tries(clients: dict[str, Any], url: str, tries: int) -> None:
    from oncotrial.store import models as db

    pk = int(url.rstrip("/").split("/")[-1])
    for attempt in range(tries):
        a_grade, b_grade = ("3", "1") if attempt % 2 else ("1", "3")
        opened_a, opened_b = _opened(clients["ana"], url), _opened(clients["ben"], url)
        saved = clients["ana"].post(
            url, {**AE, "grade": a_grade, "reason": f"A {attempt}", "revision": opened_a}
        )
        assert saved.status_code == 302, saved.content.decode()[-2000:]
        stale = clients["ben"].post(
            url + "?format=json",
            {**AE, "grade": b_grade, "reason": f"B {attempt}", "revision": opened_b},
        )
        assert stale.status_code == 409, stale.content.decode()[-2000:]
        body = stale.json()
        grade = next(f for f in body["fields"] if f["name"] == "grade")
        assert grade["stored"] == a_grade and grade["yours"] == b_grade
        assert body["changed_by"][-1]["user"] == "Ana Reyes"
        assert body["changed_by"][-1]["reason"] == f"A {attempt}"
        stored = db.AdverseEvent.objects.get(pk=pk)
        assert stored.grade == int(a_grade)  # A's value stands: nothing lost
        last = db.AdverseEvent.history.filter(id=pk).latest("history_date", "history_id")
        assert (last.history_user.username, last.history_change_reason) == ("ana", f"A {attempt}")
    assert not db.AdverseEvent.history.filter(id=pk, history_user__username="ben").exists()


def _simultaneous_tries(clients: dict[str, Any], url: str, tries: int) -> None:
    from django.db import connections

    from oncotrial.store import models as db

    pk = int(url.rstrip("/").split("/")[-1])
    for attempt in range(tries):
        opened = _opened(clients["ana"], url)
        posts = {
            name: {**AE, "acnoth": f"{name.upper()} {attempt}", "reason": f"{name} {attempt}"}
            for name in ("ana", "ben")
        }
        barrier = threading.Barrier(2)
        status: dict[str, int] = {}

        def save(
            name: str,
            opened: int = opened,
            posts: Any = posts,
            barrier: Any = barrier,
            status: dict[str, int] = status,
        ) -> None:
            try:
                barrier.wait()
                response = clients[name].post(
                    url + "?format=json", {**posts[name], "revision": opened}
                )
                status[name] = response.status_code
            finally:
                for connection in connections.all(initialized_only=True):
                    connection.close()

        threads = [threading.Thread(target=save, args=(n,)) for n in posts]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(status.values()) == [200, 409], status  # exactly one wins
        winner = next(name for name, code in status.items() if code == 200)
        stored = db.AdverseEvent.objects.get(pk=pk)
        assert stored.acnoth == posts[winner]["acnoth"]
        assert stored.revision == opened + 1
        last = db.AdverseEvent.history.filter(id=pk).latest("history_date", "history_id")
        assert (last.history_user.username, last.history_change_reason) == (
            winner,
            f"{winner} {attempt}",
        )


def _simultaneous_week8(clients: dict[str, Any], usubjid: str, saves: int) -> None:
    from django.db import connections

    from oncotrial.store import models as db

    from .helpers import BASELINE

    url = f"/t/001/subjects/{usubjid}/assessments/new/"
    assert clients["ana"].post(url, BASELINE).status_code == 302
    follow = {
        "visit": "WEEK 8",
        "date": "2025-04-25",
        "evaluator": "INVESTIGATOR",
        "method": "CT SCAN",
        "t-0-value": "20",
        "t-1-value": "9",
        "nt-0-value": "PRESENT",
        "overall": "PR",
        "confirm": "on",
    }
    barrier = threading.Barrier(saves)
    status: list[int] = []
    bodies: list[str] = []

    def save(index: int) -> None:
        try:
            client = clients["ana" if index % 2 else "ben"]
            barrier.wait()
            response = client.post(url, follow)
            status.append(response.status_code)
            bodies.append(response.content.decode())
        finally:
            for connection in connections.all(initialized_only=True):
                connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(saves)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(status) == [302] + [400] * (saves - 1), status
    refused = next(b for b, code in zip(bodies, status, strict=True) if code == 400)
    assert "WEEK 8 already has a tumour assessment by the investigator" in refused
    subject = db.Subject.objects.get(usubjid=usubjid)
    assert db.TumourAssessment.objects.filter(subject=subject, visit="WEEK 8").count() == 1


def test_stale_edit_gets_the_conflict_page(web) -> None:
    from oncotrial.store import models as db

    clients, _usubjid, url = _team_with_ae(web)
    form = clients["ben"].get(url).content.decode()
    assert 'type="hidden" name="revision" value="1"' in form  # the revision travels with the form
    saved = clients["ana"].post(url, {**AE, "grade": "3", "reason": "source says 3", "revision": 1})
    assert saved.status_code == 302
    stale = clients["ben"].post(url, {**AE, "grade": "1", "reason": "source says 1", "revision": 1})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Your change was not saved" in page and "Ana Reyes" in page and "source says 3" in page
    assert db.AdverseEvent.objects.get().grade == 3
    # the page offers ben's values again, on top of the stored revision: a deliberate overwrite
    assert 'name="revision" value="2"' in page
    again = clients["ben"].post(url, {**AE, "grade": "1", "reason": "source says 1", "revision": 2})
    assert again.status_code == 302 and db.AdverseEvent.objects.get().grade == 1
    # JSON clients: 409 with the same content; a save answers the new revision
    stale_json = clients["ana"].post(
        url + "?format=json", {**AE, "grade": "4", "reason": "x", "revision": 2}
    )
    assert stale_json.status_code == 409 and stale_json.json()["revision"] == 3
    fresh = clients["ana"].post(
        url + "?format=json", {**AE, "grade": "3", "reason": "re-read", "revision": 3}
    )
    assert fresh.status_code == 200 and fresh.json()["revision"] == 4


def test_stale_and_simultaneous_edits_on_sqlite(web) -> None:
    clients, usubjid, url = _team_with_ae(web)
    _stale_tries(clients, url, 5)
    _simultaneous_tries(clients, url, 5)
    _simultaneous_week8(clients, usubjid, 4)


@pytest.mark.postgres
def test_no_lost_edits_and_no_duplicate_visits_on_postgresql(web, postgres: str) -> None:
    """30 stale saves, 30 pairs of simultaneous saves: 0 lost; 10 WEEK 8 saves at once: one."""
    from django.db import connections

    from oncotrial.store import migrate
    from oncotrial.web.settings import configure_web

    configure_web(postgres, **TEST_SETTINGS)
    try:
        migrate()
        clients, usubjid, url = _team_with_ae(web)
        _stale_tries(clients, url, TRIES)
        _simultaneous_tries(clients, url, TRIES)
        _simultaneous_week8(clients, usubjid, 10)
    finally:
        for connection in connections.all(initialized_only=True):
            connection.close()
        configure_web(web.path, **TEST_SETTINGS)


@pytest.mark.parametrize("revision", [None, "", "two"])
def test_an_edit_without_its_revision_is_refused(web, revision: str | None) -> None:
    """Issue 13: a save that does not say which revision it corrects could overwrite a change
    unseen; it is refused, nothing written (HTML: the form says reload; JSON: 400 naming it)."""
    from oncotrial.store import models as db

    clients, _usubjid, url = _team_with_ae(web)
    extra = {} if revision is None else {"revision": revision}
    before = db.AdverseEvent.objects.get()
    page = clients["ana"].post(url, {**AE, "grade": "3", "reason": "source says 3", **extra})
    assert page.status_code == 400
    text = page.content.decode()
    assert "out of date" in text and "reload" in text.lower()
    assert 'name="grade"' in text  # the form is shown again, with what was typed
    answer = clients["ana"].post(
        url + "?format=json", {**AE, "grade": "3", "reason": "source says 3", **extra}
    )
    assert answer.status_code == 400
    assert "revision" in answer.json()["error"] and answer.json()["field"] == "revision"
    after = db.AdverseEvent.objects.get()
    assert (after.grade, after.revision) == (before.grade, before.revision)
