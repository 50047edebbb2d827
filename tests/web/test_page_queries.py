"""The subject list and the trial page make the same number of database queries whatever the
number of subjects, and the subject list shows 50 subjects a page (issue 13: with 500 subjects
the pages' CPU time saturated the server under bench/web_load.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .test_visits_queries import _enrol, _trial_with_list


def _screened(trial: Any, admin: Any, first: int, last: int) -> None:
    """Subjects screened but not enrolled (the subject list shows every screened subject)."""
    from oncotrial.store import models as db
    from oncotrial.store.audit import acting_as
    from oncotrial.store.conduct import ScreeningRecord

    site = trial.sites.first()
    with acting_as(admin, "test set-up"):
        for k in range(first, last + 1):
            subject = db.Subject.objects.create(
                trial=trial, site=site, siteid=site.site_id, subjid=f"01-{k:04d}",
                usubjid=f"{trial.studyid}-01-{k:04d}", rficdtc="2020-01-05", sex="M", age=50.0,
            )  # fmt: skip
            ScreeningRecord.objects.create(
                trial=trial, subject=subject, patient={}, as_of=dt.date(2020, 1, 5),
                decision="eligible" if k % 2 else "",
            )  # fmt: skip


def _count(client: Any, path: str) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_subject_list_and_trial_page_queries_do_not_grow_with_subjects(web: Any) -> None:
    trial, admin, client = _trial_with_list(web)
    _enrol(trial, admin, 1, 2)
    for path in ("/t/001/", "/t/001/subjects/"):  # the first request parses the protocols
        _count(client, path)
    few = {p: _count(client, p)[0] for p in ("/t/001/", "/t/001/subjects/")}
    _enrol(trial, admin, 3, 8)
    _screened(trial, admin, 9, 60)
    many = {p: _count(client, p)[0] for p in ("/t/001/", "/t/001/subjects/")}
    assert many == few, f"queries with 2 subjects {few}, with 60 {many}"
    # the enrollment figures still count every subject: 60 screened, 8 randomized
    progress = client.get("/t/001/?format=json").json()["progress"]
    assert (progress["screened"], progress["enrolled"]) == (60, 8)


def test_subject_list_pages_fifty_at_a_time(web: Any) -> None:
    trial = web.trial("001")
    admin = web.member("inv", trial, "investigator")
    client = web.client(admin)
    _screened(trial, admin, 1, 120)
    _, first = _count(client, "/t/001/subjects/")
    assert "/t/001/subjects/001-01-0050/" in first
    assert "/t/001/subjects/001-01-0051/" not in first
    assert "Subjects 1–50 of 120" in first
    _, third = _count(client, "/t/001/subjects/?page=3")
    shown = {f"001-01-{k:04d}" for k in range(101, 121)}
    assert all(f"/t/001/subjects/{u}/" in third for u in shown)
    assert "/t/001/subjects/001-01-0100/" not in third
    # the filters are kept in the page links; a page past the last shows the last
    _, odd = _count(client, "/t/001/subjects/?status=eligible&page=2")
    assert "Subjects 51–60 of 60" in odd
    assert "status=eligible&amp;page=1" in odd
    _, past = _count(client, "/t/001/subjects/?page=99")
    assert "Subjects 101–120 of 120" in past
    _, junk = _count(client, "/t/001/subjects/?page=x")
    assert "Subjects 1–50 of 120" in junk
    # the JSON twin lists every subject that matches the filters
    data = client.get("/t/001/subjects/?format=json&status=eligible").json()
    assert len(data["subjects"]) == 60
