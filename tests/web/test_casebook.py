"""The casebook pages (issue 13) through the web application: who may do what, JSON twins, the
locked-record refusal (423) in the edit path, the signature's void after an edit."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .helpers import BASELINE, eligible_subject, generate_list, randomize

TRIAL = "001"
AE = {
    "term": "pneumonitis",
    "grade": "2",
    "stdtc": "2025-04-01",
    "serious": "N",
    "rel": "RELATED",
    "rel2": "RELATED",
    "acn": "DRUG INTERRUPTED",
    "outcome": "RECOVERING/RESOLVING",
}


@pytest.fixture
def book(web) -> tuple[dict[str, Any], str, str]:
    admin = web.user("root", superuser=True)
    trial = web.trial(TRIAL, admin=admin)
    people = {
        "inv": web.member("inv", trial, "investigator"),
        "dm": web.member("dm", trial, "data_manager"),
        "stat": web.member("stat", trial, "statistician"),
        "mon": web.member("mon", trial, "monitor"),
    }
    people["inv"].first_name, people["inv"].last_name = "Ines", "Vestigator"
    people["inv"].save()
    clients = {k: web.client(v) for k, v in people.items()}
    generate_list(clients["stat"])
    usubjid = eligible_subject(clients["inv"])
    randomize(clients["inv"], TRIAL, usubjid)
    made = clients["inv"].post(f"/t/{TRIAL}/subjects/{usubjid}/assessments/new/", BASELINE)
    assert made.status_code == 302, made.content.decode()[-2000:]
    assert clients["inv"].post(f"/t/{TRIAL}/subjects/{usubjid}/ae/new/", AE).status_code == 302
    return clients, usubjid, f"/t/{TRIAL}/subjects/{usubjid}/casebook/"


def _visit(page: dict[str, Any], visit: str) -> dict[str, Any]:
    return next(v for v in page["visits"] if v["visit"] == visit)


def test_roles_mark_verify_lock_and_unlock_in_turn(book) -> None:
    clients, _usubjid, url = book
    inv, dm, mon, stat = clients["inv"], clients["dm"], clients["mon"], clients["stat"]
    page = inv.get(url + "?format=json").json()
    assert _visit(page, "SCREENING")["status"] == "in progress"
    assert _visit(page, "")["records"] >= 2  # demographics, the adverse event, …
    # The monitor may not mark complete, the site may not verify or lock, nobody but the
    # data manager locks (ROLE-3, SIGN-1, SIGN-2).
    for client, action in ((mon, "complete"), (inv, "verify"), (inv, "lock"), (mon, "lock")):
        refused = client.post(url + "?format=json", {"action": action, "visit": "SCREENING"})
        assert refused.status_code == 403, (action, refused.content)
    assert stat.post(url, {"action": "lock_casebook"}).status_code == 403
    early = mon.post(url + "?format=json", {"action": "verify", "visit": "SCREENING"})
    assert early.status_code == 409 and "not marked complete" in early.json()["error"]
    assert inv.post(url, {"action": "complete", "visit": "SCREENING"}).status_code == 302
    assert mon.post(url, {"action": "verify", "visit": "SCREENING"}).status_code == 302
    screening = _visit(mon.get(url + "?format=json").json(), "SCREENING")
    assert screening["status"] == "verified" and screening["verified"]["by"] == "mon"
    assert dm.post(url, {"action": "lock", "visit": "SCREENING"}).status_code == 302
    assert _visit(dm.get(url + "?format=json").json(), "SCREENING")["status"] == "locked"
    no_reason = dm.post(url + "?format=json", {"action": "unlock", "visit": "SCREENING"})
    assert no_reason.status_code == 409 and "needs a reason" in no_reason.json()["error"]
    unlocked = dm.post(
        url + "?format=json", {"action": "unlock", "visit": "SCREENING", "reason": "late lab"}
    )
    assert unlocked.status_code == 200 and _visit(unlocked.json(), "SCREENING")["status"] == (
        "verified"
    )


def test_a_locked_record_refuses_edits_with_423_and_a_clear_message(book) -> None:
    from oncotrial.store import models as db

    clients, usubjid, url = book
    inv, dm = clients["inv"], clients["dm"]
    assert dm.post(url, {"action": "lock_casebook"}).status_code == 302
    ae = db.AdverseEvent.objects.get()
    edit = f"/t/{TRIAL}/subjects/{usubjid}/ae/{ae.pk}/"
    form = {**AE, "grade": "3", "reason": "source says 3", "revision": str(ae.revision)}
    page = inv.post(edit, form)
    assert page.status_code == 423
    assert "This casebook was locked by dm" in page.content.decode()
    twin = inv.post(edit + "?format=json", form)
    assert twin.status_code == 423 and twin.json()["locked"] is True
    added = inv.post(f"/t/{TRIAL}/subjects/{usubjid}/ae/new/?format=json", AE)
    assert added.status_code == 423
    assert db.AdverseEvent.objects.get().grade == 2 and db.AdverseEvent.objects.count() == 1
    # The form itself says so, its fields disabled.
    shown = inv.get(edit).content.decode()
    assert 'id="record-locked"' in shown and "disabled" in shown
    assert 'This casebook was locked by <span class="locked-by">dm</span>' in shown
    assert "Save correction" not in shown and 'name="reason"' not in shown
    assert inv.get(edit + "?format=json").json()["locked"]["by"] == "dm"
    assert (
        dm.post(url, {"action": "unlock_casebook", "reason": "AE grade query"}).status_code == 302
    )
    assert inv.post(edit, form).status_code == 302
    assert db.AdverseEvent.objects.get().grade == 3


def test_signing_needs_the_password_and_an_edit_voids_the_signature(book) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.casebook import MEANING
    from oncotrial.store.signoff import Signature

    clients, usubjid, url = book
    inv, dm, mon = clients["inv"], clients["dm"], clients["mon"]
    sign = url + "sign/"
    assert mon.get(sign).status_code == 403 and dm.get(sign).status_code == 403
    assert mon.post(sign, {"password": "Correct-Horse-42"}).status_code == 403
    page = inv.get(sign + "?format=json").json()
    assert page["meaning"] == MEANING and page["signer"] == "Ines Vestigator"
    wrong = inv.post(sign + "?format=json", {"password": "nope"})
    assert wrong.status_code == 403 and "password is not right" in wrong.json()["error"]
    # SIGN-5: not before every form with records is marked complete, and the refusal names them
    with_records = [v["visit"] for v in page["visits"] if v["records"]]
    assert with_records == ["", "SCREENING"]
    assert page["incomplete"] == ["the subject-level forms", "visit SCREENING"]
    early = inv.post(sign + "?format=json", {"password": "Correct-Horse-42"})
    assert early.status_code == 409
    assert (
        "not marked complete: the subject-level forms, visit SCREENING." in (early.json()["error"])
    )
    assert not Signature.objects.exists()
    assert inv.post(url, {"action": "complete", "visit": ""}).status_code == 302
    assert mon.post(url, {"action": "verify", "visit": ""}).status_code == 302  # verified counts
    assert inv.get(sign + "?format=json").json()["incomplete"] == ["visit SCREENING"]
    assert inv.post(url, {"action": "complete", "visit": "SCREENING"}).status_code == 302
    assert inv.get(sign + "?format=json").json()["incomplete"] == []
    signed = inv.post(sign + "?format=json", {"password": "Correct-Horse-42"})
    assert signed.status_code == 201
    digest = signed.json()["sha256"]
    [signature] = inv.get(url + "?format=json").json()["signatures"]
    assert (signature["signer"], signature["valid"], signature["sha256"]) == (
        "Ines Vestigator",
        True,
        digest,
    )
    ae = db.AdverseEvent.objects.get()
    edit = f"/t/{TRIAL}/subjects/{usubjid}/ae/{ae.pk}/"
    form = {**AE, "grade": "3", "reason": "source says 3", "revision": str(ae.revision)}
    assert inv.post(edit, form).status_code == 302
    [signature] = inv.get(url + "?format=json").json()["signatures"]
    assert signature["valid"] is False and signature["voided_at"]
    assert signature["void_reason"] == ("adverse event 1 changed by Ines Vestigator: source says 3")


def test_the_sign_page_is_throttled_like_the_sign_in(book) -> None:
    clients, _usubjid, url = book
    inv = clients["inv"]
    for _ in range(5):
        assert inv.post(url + "sign/", {"password": "guess"}).status_code == 403
    throttled = inv.post(url + "sign/", {"password": "Correct-Horse-42"})
    assert throttled.status_code == 429 and "Too many wrong passwords" in throttled.content.decode()


def test_the_trial_grid_shows_each_subjects_visits(book) -> None:
    clients, usubjid, url = book
    clients["inv"].post(url, {"action": "complete", "visit": "SCREENING"})
    grid = clients["mon"].get(f"/t/{TRIAL}/casebooks/?format=json").json()
    [row] = grid["subjects"]
    assert row["usubjid"] == usubjid
    cells = {c["visit"]: c["status"] for c in row["cells"] if c}
    assert cells["SCREENING"] == "complete" and cells[""] == "in progress"
    assert [c["visit"] for c in grid["columns"]][:2] == ["", "SCREENING"]


def test_a_locked_casebook_refuses_a_tumour_assessment_and_a_lab_panel_with_423(book) -> None:
    from oncotrial.catalogue import labs
    from oncotrial.store import models as db

    clients, usubjid, url = book
    inv, dm = clients["inv"], clients["dm"]
    assert dm.post(url, {"action": "lock_casebook"}).status_code == 302
    before = (db.TumourAssessment.objects.count(), db.Finding.objects.count())
    follow_up = {
        "visit": "UNSCHEDULED",
        "date": "2025-04-10",
        "evaluator": "INVESTIGATOR",
        "method": "CT SCAN",
        "t-0-value": "30",
        "t-1-value": "16",
        "nt-0-value": "PRESENT",
        "confirm": "on",
    }
    scan = inv.post(f"/t/{TRIAL}/subjects/{usubjid}/assessments/new/", follow_up)
    panel = inv.post(
        f"/t/{TRIAL}/subjects/{usubjid}/labs/panel/",
        {
            "visit": "UNSCHEDULED",
            "dtc": "2025-04-10",
            f"{labs.NEUT.testcd}-value": "2.1",
            "confirm": "on",
        },
    )
    for response in (scan, panel):
        assert response.status_code == 423, [
            m
            for m in re.findall(r">([^<]{4,200})<", response.content.decode())
            if any(
                w in m
                for w in ("give", "enter", "choose", "must", "say", "Check", "locked", "refus")
            )
        ]
        assert "This casebook was locked by dm" in response.content.decode()
    assert (db.TumourAssessment.objects.count(), db.Finding.objects.count()) == before
