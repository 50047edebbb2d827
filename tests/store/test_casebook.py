"""The casebook sign-off (issue 13): form status, source-data verification, locks, e-signature.

Each test runs on SQLite and on PostgreSQL (``store`` fixture). The rules are SIGN-1..4 in
``oncotrial.store.casebook``: an edit of a verified visit turns it back to unverified, a locked
visit or casebook refuses every write (whatever path writes), a signature records name, time,
meaning and the SHA-256 of what was signed, and any later change voids it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

WEEK = "WEEK 8"


def _casebook(ctcae: Any) -> dict[str, Any]:
    from oncotrial.store import models
    from oncotrial.store.audit import get_user
    from oncotrial.store.entry import create_record
    from oncotrial.store.sdtm_import import import_sdtm

    import_sdtm(
        {"DM": pd.DataFrame({"STUDYID": "T1", "DOMAIN": "DM", "USUBJID": ["S1"], "ARMCD": "B"})},
        user="setup",
        ctcae=ctcae,
    )
    subject = models.Subject.objects.get(usubjid="S1")
    site, monitor, manager = get_user("site"), get_user("monitor"), get_user("manager")
    site.set_password("site-password-1")
    site.first_name, site.last_name = "Ada", "Investigator"
    site.save()
    lab = create_record(
        models.LabResult,
        subject,
        {"testcd": "HGB", "orres": "120", "visit": WEEK, "dtc": "2025-04-01"},
        user=site,
    )
    ae = create_record(
        models.AdverseEvent,
        subject,
        {"term": "Fatigue", "decod": "Fatigue", "grade": 1, "stdtc": "2025-03-01"},
        user=site,
    )
    return {
        "subject": subject,
        "lab": lab,
        "ae": ae,
        "site": site,
        "monitor": monitor,
        "manager": manager,
    }


def _status(subject: Any, visit: str = WEEK) -> Any:
    from oncotrial.store.casebook import form_statuses

    return {s.visit: s for s in form_statuses(subject, [WEEK, "WEEK 16"])}[visit]


def test_status_from_not_started_to_verified_and_back(store, ctcae) -> None:
    from oncotrial.errors import IntegrityError
    from oncotrial.store import models
    from oncotrial.store.casebook import mark_complete, verify_visit
    from oncotrial.store.entry import update_record
    from oncotrial.store.signoff import VisitSignoff

    c = _casebook(ctcae)
    subject = c["subject"]
    assert _status(subject, "WEEK 16").status == "not started"
    assert (_status(subject).status, _status(subject).records) == ("in progress", 1)
    assert _status(subject, "").records == 2  # demographics and the adverse event
    with pytest.raises(IntegrityError, match="not marked complete"):
        verify_visit(subject, WEEK, user=c["monitor"])
    with pytest.raises(IntegrityError, match="no record yet"):
        mark_complete(subject, "WEEK 16", user=c["site"])
    mark_complete(subject, WEEK, user=c["site"])
    assert _status(subject).status == "complete"
    verify_visit(subject, WEEK, user=c["monitor"])
    status = _status(subject)
    assert status.status == "verified" and status.verified[0] == "monitor"
    with pytest.raises(IntegrityError, match="already verified by monitor"):
        verify_visit(subject, WEEK, user=c["monitor"])

    # An edit of another visit's or subject-level record leaves WEEK 8 verified.
    update_record(c["ae"], {"grade": 2}, user=c["site"], reason="source says 2")
    assert _status(subject).status == "verified"
    # An edit of a WEEK 8 record reverts it to complete (unverified), with the why in history.
    update_record(c["lab"], {"orres": "121"}, user=c["site"], reason="transcription error")
    assert _status(subject).status == "complete"
    last = VisitSignoff.history.filter(visit=WEEK).latest("history_date", "history_id")
    assert last.history_user.username == "site"
    assert last.history_change_reason == (
        f"unverified: lab result 1 ({WEEK}) changed by Ada Investigator: transcription error"
    )
    assert last.verified_at is None
    assert models.LabResult.objects.get(pk=c["lab"].pk).orres == "121"


def test_a_locked_visit_refuses_every_write_until_unlocked_with_a_reason(store, ctcae) -> None:
    from oncotrial.errors import IntegrityError, RecordLocked
    from oncotrial.store import models
    from oncotrial.store.casebook import lock_visit, unlock_visit
    from oncotrial.store.entry import create_record, update_record
    from oncotrial.store.records import RecordRef, delete_record
    from oncotrial.store.records import update_record as change_record
    from oncotrial.store.signoff import VisitSignoff

    c = _casebook(ctcae)
    subject, lab = c["subject"], c["lab"]
    lock_visit(subject, WEEK, user=c["manager"])
    assert _status(subject).status == "locked"
    with pytest.raises(RecordLocked, match=f"Visit {WEEK} was locked by manager"):
        update_record(lab, {"orres": "99"}, user=c["site"], reason="r", expected_revision=1)
    with pytest.raises(RecordLocked):  # a new record of the visit
        create_record(models.LabResult, subject, {"testcd": "PLAT", "visit": WEEK}, user=c["site"])
    with pytest.raises(RecordLocked):  # the command line's change, through the import
        change_record(RecordRef("S1", "LB", 1), {"LBORRES": "99"}, reason="r", user="site")
    with pytest.raises(RecordLocked):
        delete_record(RecordRef("S1", "LB", 1), reason="r", user="site")
    with pytest.raises(RecordLocked):  # moving a record out of the locked visit
        update_record(lab, {"visit": "WEEK 16"}, user=c["site"], reason="wrong visit")
    stored = models.LabResult.objects.get(pk=lab.pk)
    assert (stored.orres, stored.visit, stored.revision) == ("120", WEEK, 1)
    assert models.LabResult.objects.filter(subject=subject).count() == 1
    # Other visits and the subject-level forms are still open.
    update_record(c["ae"], {"grade": 2}, user=c["site"], reason="source says 2")

    with pytest.raises(IntegrityError, match="needs a reason"):
        unlock_visit(subject, WEEK, user=c["manager"], reason=" ")
    unlock_visit(subject, WEEK, user=c["manager"], reason="site found a transcription error")
    update_record(lab, {"orres": "99"}, user=c["site"], reason="r", expected_revision=1)
    reasons = list(
        VisitSignoff.history.filter(visit=WEEK)
        .order_by("history_date", "history_id")
        .values_list("history_user__username", "history_change_reason")
    )
    assert reasons[-2:] == [
        ("manager", "locked"),
        ("manager", "unlocked: site found a transcription error"),
    ]


def test_a_locked_casebook_refuses_subject_level_and_visit_writes(store, ctcae) -> None:
    from oncotrial.errors import RecordLocked
    from oncotrial.store.casebook import lock_casebook, unlock_casebook
    from oncotrial.store.entry import update_record

    c = _casebook(ctcae)
    lock_casebook(c["subject"], user=c["manager"])
    assert {s.status for s in _casebook_statuses(c["subject"])} == {"locked"}
    for record in (c["ae"], c["lab"], c["subject"]):
        with pytest.raises(RecordLocked, match="This casebook was locked by manager"):
            update_record(record, {"extra": {"x": "1"}}, user=c["site"], reason="r")
    unlock_casebook(c["subject"], user=c["manager"], reason="query answered late")
    update_record(c["ae"], {"grade": 2}, user=c["site"], reason="source says 2")


def _casebook_statuses(subject: Any) -> list[Any]:
    from oncotrial.store.casebook import form_statuses

    return form_statuses(subject, [WEEK])


def test_signature_records_who_when_meaning_and_hash_and_a_change_voids_it(store, ctcae) -> None:
    from oncotrial.errors import IntegrityError
    from oncotrial.store.casebook import (
        MEANING,
        canonical_content,
        mark_complete,
        sign_casebook,
        signature_valid,
    )
    from oncotrial.store.entry import update_record
    from oncotrial.store.signoff import Signature

    c = _casebook(ctcae)
    subject, site = c["subject"], c["site"]
    with pytest.raises(IntegrityError, match="password is not right"):
        sign_casebook(subject, user=site, password="guess")
    assert not Signature.objects.exists()
    # SIGN-5: refused, naming every form with records that is not marked complete
    with pytest.raises(IntegrityError) as refused:
        sign_casebook(subject, user=site, password="site-password-1")
    assert "not marked complete: the subject-level forms, visit WEEK 8." in str(refused.value)
    assert not Signature.objects.exists()
    mark_complete(subject, "", user=site)
    with pytest.raises(IntegrityError, match=r"not marked complete: visit WEEK 8\."):
        sign_casebook(subject, user=site, password="site-password-1")
    mark_complete(subject, WEEK, user=site)
    signature = sign_casebook(subject, user=site, password="site-password-1", excluded=["armcd"])
    assert (signature.signer_name, signature.meaning) == ("Ada Investigator", MEANING)
    content = canonical_content(subject, ["armcd"])
    assert signature.content == content
    assert signature.sha256 == hashlib.sha256(content.encode("utf-8")).hexdigest()
    assert '"armcd"' not in content and '"usubjid":"S1"' in content
    assert '"orres":"120"' in content and '"term":"Fatigue"' in content
    assert signature_valid(signature)
    with pytest.raises(IntegrityError, match="already signed by Ada Investigator"):
        sign_casebook(subject, user=site, password="site-password-1")

    update_record(c["ae"], {"grade": 2}, user=site, reason="source says 2")
    signature.refresh_from_db()
    assert signature.voided_at is not None
    assert signature.void_reason == ("adverse event 1 changed by Ada Investigator: source says 2")
    assert not signature_valid(signature)
    # signed again over the changed casebook: a new hash, the void one kept
    again = sign_casebook(subject, user=site, password="site-password-1")
    assert again.sha256 != signature.sha256 and Signature.objects.count() == 2


def test_a_write_bypassing_the_hook_shows_as_a_mismatch(store, ctcae) -> None:
    from django.db import connection

    from oncotrial.store.casebook import mark_complete, sign_casebook, signature_valid

    c = _casebook(ctcae)
    for visit in ("", WEEK):
        mark_complete(c["subject"], visit, user=c["site"])
    signature = sign_casebook(c["subject"], user=c["site"], password="site-password-1")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE store_labresult SET orres = '7' WHERE id = %s", [c["lab"].pk])
    assert not signature_valid(signature)


def test_signoff_history_is_append_only(store, ctcae) -> None:
    from django.db import DatabaseError, connection, transaction

    from oncotrial.store.casebook import lock_visit

    c = _casebook(ctcae)
    lock_visit(c["subject"], WEEK, user=c["manager"])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE store_historicalvisitsignoff SET visit = 'X'")


def _race(*jobs: Callable[[], Any]) -> list[Any]:
    from django.db import connections

    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def work(index: int) -> None:
        try:
            barrier.wait()
            results[index] = jobs[index]()
        except BaseException as exc:  # the outcome under test
            results[index] = exc
        finally:
            for connection in connections.all(initialized_only=True):
                connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


TRIES = 15


def test_lock_and_edit_race_never_leave_an_edit_after_the_lock(store, ctcae) -> None:
    """Lock vs edit at the same moment: either the edit is refused, or it was written before the
    lock (its history row is older than the lock's). Never an edit inside a locked visit."""
    from oncotrial.errors import RecordLocked
    from oncotrial.store import models
    from oncotrial.store.casebook import lock_visit, unlock_visit
    from oncotrial.store.entry import update_record
    from oncotrial.store.signoff import VisitSignoff

    c = _casebook(ctcae)
    subject, lab = c["subject"], c["lab"]
    refused = written = 0
    for attempt in range(TRIES):
        value = f"{100 + attempt}"
        results = _race(
            lambda: lock_visit(subject, WEEK, user=c["manager"]),
            lambda value=value: update_record(
                lab, {"orres": value}, user=c["site"], reason=f"edit {value}"
            ),
        )
        assert results[0] is None, results
        locked_at = VisitSignoff.objects.get(subject=subject, visit=WEEK).locked_at
        if isinstance(results[1], RecordLocked):
            refused += 1
            assert models.LabResult.objects.get(pk=lab.pk).orres != value
        else:
            assert not isinstance(results[1], BaseException), results[1]
            written += 1
            row = models.LabResult.history.filter(id=lab.pk).latest("history_date", "history_id")
            assert row.orres == value and row.history_date <= locked_at
        unlock_visit(subject, WEEK, user=c["manager"], reason=f"round {attempt}")
    assert refused + written == TRIES
    print(f"lock vs edit on {store.backend}: {refused} refused, {written} written before the lock")


def test_two_monitors_verifying_at_once_verify_once(store, ctcae) -> None:
    from oncotrial.errors import IntegrityError
    from oncotrial.store.audit import get_user
    from oncotrial.store.casebook import mark_complete, verify_visit
    from oncotrial.store.signoff import VisitSignoff

    c = _casebook(ctcae)
    other = get_user("monitor2")
    mark_complete(c["subject"], WEEK, user=c["site"])
    results = _race(
        lambda: verify_visit(c["subject"], WEEK, user=c["monitor"]),
        lambda: verify_visit(c["subject"], WEEK, user=other),
    )
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, IntegrityError) for r in results) == 1
    verifications = VisitSignoff.history.filter(visit=WEEK, verified_at__isnull=False)
    assert verifications.count() == 1


def test_a_bulk_import_adding_records_to_a_locked_visit_is_refused(store, ctcae) -> None:
    """``oncotrial import`` in add mode writes through the bulk writer (no ``save``): the same
    rules apply, and nothing of the import is written."""
    from oncotrial.errors import RecordLocked
    from oncotrial.store import models
    from oncotrial.store.casebook import lock_visit, mark_complete, verify_visit
    from oncotrial.store.sdtm_import import import_sdtm
    from oncotrial.store.signoff import VisitSignoff

    c = _casebook(ctcae)

    def lab(seq: int, visit: str) -> dict[str, Any]:
        frame = {"STUDYID": "T1", "DOMAIN": "LB", "USUBJID": ["S1"], "LBSEQ": [str(seq)]}
        return {"LB": pd.DataFrame({**frame, "LBTESTCD": "PLAT", "VISIT": visit})}

    lock_visit(c["subject"], WEEK, user=c["manager"])
    with pytest.raises(RecordLocked, match=f"Visit {WEEK} was locked by manager"):
        import_sdtm(lab(10, WEEK), trial_id="T1", user="site", ctcae=ctcae)
    assert models.LabResult.objects.filter(subject=c["subject"]).count() == 1
    # Another visit's verification is undone by records the import adds to it.
    mark_complete(c["subject"], "", user=c["site"])
    verify_visit(c["subject"], "", user=c["monitor"])
    import_sdtm(
        {"AE": pd.DataFrame({"STUDYID": "T1", "DOMAIN": "AE", "USUBJID": ["S1"],
                             "AESEQ": ["10"], "AETERM": "Nausea", "AEDECOD": "Nausea",
                             "AETOXGR": "1", "AESTDTC": "2025-03-02"})},
        trial_id="T1", user="site", ctcae=ctcae,
    )  # fmt: skip
    signoff = VisitSignoff.objects.get(subject=c["subject"], visit="")
    assert signoff.verified_at is None and signoff.completed_at is not None


def test_writes_in_one_block_check_the_casebook_once_until_a_decision_opens_it(
    store, ctcae
) -> None:
    """``subject_writes`` (issue 13: one casebook query per record of a save): with the subject's
    row locked and no casebook row, the block's writes are not checked one by one; once a
    decision in the same transaction opens the casebook, every write is checked again."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from oncotrial.errors import RecordLocked, StoreError
    from oncotrial.store import models
    from oncotrial.store.audit import acting_as
    from oncotrial.store.casebook import lock_casebook, subject_writes
    from oncotrial.store.entry import next_seq
    from oncotrial.store.signoff import Casebook

    c = _casebook(ctcae)
    values = {"testcd": "HGB", "orres": "118", "visit": "WEEK 16", "dtc": "2025-05-01"}
    with pytest.raises(StoreError, match="transaction"), subject_writes(c["subject"]):
        pass
    labs = models.LabResult.objects.filter(subject=c["subject"])

    def block() -> None:
        with transaction.atomic(), acting_as(c["site"]), subject_writes(c["subject"]) as locked:
            seq = next_seq(models.LabResult, locked)
            with CaptureQueriesContext(connection) as queries:
                models.LabResult.objects.create(
                    trial_id=locked.trial_id, subject=locked, seq=seq, **values
                )
            assert not [q for q in queries.captured_queries if "casebook" in q["sql"]]
            assert labs.count() == 2
            lock_casebook(locked, user=c["manager"])
            models.LabResult.objects.create(
                trial_id=locked.trial_id, subject=locked, seq=seq + 1, **values
            )

    with pytest.raises(RecordLocked, match="This casebook was locked by manager"):
        block()
    assert labs.count() == 1  # the block's transaction was rolled back
    assert not Casebook.objects.filter(subject=c["subject"]).exists()
