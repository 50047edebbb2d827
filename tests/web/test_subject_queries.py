"""The subject page, the tumour assessment form and its save, and the Visits page make a fixed
number of database queries, whatever the number of subjects and of a subject's assessments
(issue 13: the subject page ran three queries per assessment, 35 and growing; under the 50-user
load benchmark with 500 subjects every query is CPU time taken from the other requests).

The counts are pinned: a change that adds a query to one of these pages must say so here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .test_visits_queries import _enrol, _trial_with_list

SUBJECT = "001-01-0001"
FORM = f"/t/001/subjects/{SUBJECT}/assessments/new/"
# Session, user, the person's roles with the trial, and the protocol version: every trial page's
# first four (five before the roles and the trial were read in one query).
PINNED = {
    # One query says which kinds of records the subject has, and only those are read (a subject
    # with scans and no other form: 23; it was a query per kind of form, 33). With records of
    # every kind the page would make one query more than before.
    "subject page": 23,
    "assessment form": 10,
    # one target and one non-target lesion measured, no new lesion (34 with savepoints; 28 with a
    # casebook query per record, the assessment's own savepoint, the lesion number and lesions
    # read for no new lesion and the repeat check made for an unscheduled scan)
    "assessment save": 19,
    "visits page": 12,
}


def _follow_up(day: int) -> dict[str, str]:
    return {
        "visit": "UNSCHEDULED",
        "date": (dt.date(2020, 2, 1) + dt.timedelta(days=day)).isoformat(),
        "evaluator": "INVESTIGATOR",
        "method": "CT SCAN",
        "t-0-value": str(20 + day % 10),
        "nt-0-value": "PRESENT",
    }


def _counts(client: Any, day: int) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = {}
    for name, call in (
        ("subject page", lambda: client.get(f"/t/001/subjects/{SUBJECT}/")),
        ("assessment form", lambda: client.get(FORM)),
        ("assessment save", lambda: client.post(FORM, _follow_up(day))),
        ("visits page", lambda: client.get("/t/001/visits/")),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = call()
        expected = 302 if name == "assessment save" else 200
        assert response.status_code == expected, (name, response.content.decode()[-2000:])
        out[name] = len(queries)
    return out


def test_subject_form_save_and_visits_queries_are_pinned(web: Any) -> None:
    from oncotrial.store import models as db

    trial, admin, client = _trial_with_list(web)
    _enrol(trial, admin, 1, 2)
    client.get(FORM)  # the first request of the process parses the protocol
    few = _counts(client, 1)
    # 24 more subjects, and eight more follow-up scans of the subject shown
    _enrol(trial, admin, 3, 26)
    for day in range(2, 10):
        assert client.post(FORM, _follow_up(day)).status_code == 302
    many = _counts(client, 10)
    assert db.TumourAssessment.objects.filter(subject__usubjid=SUBJECT).count() == 11
    assert many == few, f"with 2 subjects and 2 scans {few}, with 26 and 11 scans {many}"
    assert many == PINNED
    # and the subject page still shows every scan with its target sum and change
    page = client.get(f"/t/001/subjects/{SUBJECT}/?format=json").json()
    sums = [a["target_sum"] for a in page["assessments"]]
    assert sums == [40.0, *(float(20 + d % 10) for d in range(1, 11))]
    assert page["assessments"][1]["change"] == round(100.0 * (21 - 40) / 40, 1)
