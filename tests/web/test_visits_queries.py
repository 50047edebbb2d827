"""The Visits page makes the same number of database queries whatever the number of enrolled
subjects (issue 13: eight queries per subject, 1.3 s with 144 subjects on PostgreSQL).

Two subjects, then 26 (past ``visits._BY_TRIAL``, where the records are read by trial instead
of by subject list): the page's query count must not change, and every subject's visits must
still be there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

BASELINE = {
    "visit": "SCREENING", "date": "2020-01-10", "evaluator": "INVESTIGATOR",
    "method": "CT SCAN", "t-0-location": "LUNG", "t-0-value": "40", "nt-0-location": "BONE",
}  # fmt: skip


def _trial_with_list(web: Any) -> tuple[Any, Any, Any]:
    """Trial 001 with its allocation list stored, an investigator and their logged-in client."""
    from oncotrial.store.allocation import store_generated_list
    from oncotrial.web.trials import protocol_of

    trial = web.trial("001")
    admin = web.member("inv", trial, "investigator")
    store_generated_list(
        trial, protocol_of(trial), block_sizes=(4,), seed=1, slots_per_stratum=40, levels={},
        user=admin,
    )  # fmt: skip
    return trial, admin, web.client(admin)


def _enrol(trial: Any, admin: Any, first: int, last: int) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.allocation import allocate
    from oncotrial.store.audit import acting_as
    from oncotrial.store.conduct import ScreeningRecord
    from oncotrial.web.assessments import parse_assessment, save_assessment
    from oncotrial.web.trials import protocol_of

    protocol = protocol_of(trial)
    site = trial.sites.first()
    for k in range(first, last + 1):
        with acting_as(admin, "test set-up"):
            subject = db.Subject.objects.create(
                trial=trial, site=site, siteid=site.site_id, subjid=f"01-{k:04d}",
                usubjid=f"{trial.studyid}-01-{k:04d}", rficdtc="2020-01-05", sex="F", age=60.0,
            )  # fmt: skip
            ScreeningRecord.objects.create(
                trial=trial, subject=subject, patient={}, as_of=dt.date(2020, 1, 5),
                decision="eligible",
            )  # fmt: skip
        allocate(trial, protocol, subject, date=dt.date(2020, 1, 12), factor_values={}, user=admin)
        form = parse_assessment(
            BASELINE, subject, protocol, today=dt.date.today(), allocated=dt.date(2020, 1, 12)
        )
        save_assessment(form, subject, protocol, user=admin)


def _page(client: Any) -> tuple[int, dict[str, Any], str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/t/001/visits/")
    assert response.status_code == 200
    data = client.get("/t/001/visits/?format=json").json()
    return len(queries), data, response.content.decode()


def test_visits_page_queries_do_not_grow_with_subjects(web: Any) -> None:
    trial, admin, client = _trial_with_list(web)
    _enrol(trial, admin, 1, 2)
    few, data, _ = _page(client)
    assert {r["usubjid"] for r in data["overdue"]} == {"001-01-0001", "001-01-0002"}
    _enrol(trial, admin, 3, 26)
    many, data, html = _page(client)
    assert {r["usubjid"] for r in data["overdue"]} == {f"001-01-{k:04d}" for k in range(1, 27)}
    assert many == few, f"{few} queries with 2 subjects, {many} with 26"
    # the links, reversed once per page, lead to each subject's page; the most overdue first
    assert 'href="/t/001/subjects/001-01-0026/"' in html
    first = data["overdue"][0]
    assert first["days_overdue"] == max(r["days_overdue"] for r in data["overdue"])
    row = f"<td>{first['visit']}</td><td>{first['target']}</td>"
    assert row in html and f"overdue · {first['days_overdue']} days" in html


def _rows(html: str, table: str) -> list[tuple[str, str]]:
    """The (subject, visit) rows of one table of the Visits page, in order."""
    import re

    start = html.index(f"<h2>{table}")
    end = html.find("<h2>", start + 1)
    section = html[start : end if end > 0 else len(html)]
    return re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td>([^<]+)</td>', section)


def test_visits_page_pages_each_table_fifty_rows_at_a_time(web: Any) -> None:
    trial, admin, client = _trial_with_list(web)
    _enrol(trial, admin, 1, 18)  # six overdue visits each
    data = client.get("/t/001/visits/?format=json").json()
    overdue = [(r["usubjid"], r["visit"]) for r in data["overdue"]]
    assert len(overdue) > 100, len(overdue)  # three pages at least; the JSON twin lists all
    first = client.get("/t/001/visits/").content.decode()
    assert _rows(first, "Overdue") == overdue[:50]
    assert f"Overdue visits 1–50 of {len(overdue)}" in first
    assert 'href="?overdue_page=2" rel="next"' in first
    # page 2 of the overdue table keeps the other tables' pages in its links
    second = client.get("/t/001/visits/?overdue_page=2&due_page=1").content.decode()
    assert _rows(second, "Overdue") == overdue[50:100]
    assert f"Overdue visits 51–100 of {len(overdue)}" in second
    assert 'href="?overdue_page=3&amp;due_page=1" rel="next"' in second
    assert 'href="?overdue_page=1&amp;due_page=1" rel="prev"' in second
    # a page past the last shows the last; a page number that is not one shows the first
    pages = -(-len(overdue) // 50)
    last = client.get("/t/001/visits/?overdue_page=999").content.decode()
    assert _rows(last, "Overdue") == overdue[(pages - 1) * 50 :]
    assert (
        _rows(client.get("/t/001/visits/?overdue_page=x").content.decode(), "Overdue")
        == (overdue[:50])
    )
