"""The audit trail: who, when, what (old and new values) and why, for every insert, update and
delete; a reason required after first entry; history that cannot be edited."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.errors import IntegrityError


@pytest.fixture
def trial(store, ctcae):
    from oncotrial.store.sdtm_import import import_sdtm

    dm = pd.DataFrame({"STUDYID": "T1", "DOMAIN": "DM", "USUBJID": ["S1"], "SEX": ["F"]})
    ae = pd.DataFrame(
        {
            "STUDYID": "T1",
            "DOMAIN": "AE",
            "USUBJID": ["S1"],
            "AESEQ": ["1"],
            "AETERM": ["Fatigue"],
            "AEDECOD": ["Fatigue"],
            "AETOXGR": ["1"],
            "AESTDTC": ["2024-02-01"],
        }
    )
    import_sdtm({"DM": dm, "AE": ae}, user="entry", ctcae=ctcae, source_name="site upload 1")
    return "T1"


def test_first_entry_records_user_time_and_source(trial) -> None:
    from oncotrial.store import models

    row = models.AdverseEvent.history.get()
    assert row.history_type == "+"
    assert row.history_user.username == "entry"
    assert row.history_change_reason == "first entry: site upload 1"
    assert row.grade == 1 and row.decod == "Fatigue"
    assert row.history_date is not None


def test_a_change_needs_a_reason_and_keeps_old_and_new_values(trial, ctcae) -> None:
    from oncotrial.store import models
    from oncotrial.store.audit import acting_as, get_user
    from oncotrial.store.records import RecordRef, record_history, update_record

    event = models.AdverseEvent.objects.get()
    event.grade = 2
    with acting_as(get_user("someone")), pytest.raises(IntegrityError, match="needs a reason"):
        event.save()
    assert models.AdverseEvent.objects.get().grade == 1
    with pytest.raises(IntegrityError, match="needs a reason"):
        update_record(RecordRef("S1", "AE", 1), {"AETOXGR": "2"}, reason=" ", user="monitor")
    update_record(
        RecordRef("S1", "AE", 1),
        {"AETOXGR": "2"},
        reason="query 7: grade per source document",
        user="monitor",
        ctcae=ctcae,
    )
    entries = record_history(RecordRef("S1", "AE", 1))
    assert [e.action for e in entries] == ["created", "changed"]
    change = entries[1]
    assert change.user == "monitor"
    assert change.reason == "query 7: grade per source document"
    assert change.changes == (("AETOXGR", 1, 2),)


def test_a_deletion_needs_a_reason_and_the_history_outlives_the_record(trial) -> None:
    from oncotrial.store import models
    from oncotrial.store.records import RecordRef, delete_record, record_history

    with pytest.raises(IntegrityError, match="needs a reason"):
        delete_record(RecordRef("S1", "AE", 1), reason="", user="monitor")
    delete_record(RecordRef("S1", "AE", 1), reason="entered twice", user="monitor")
    assert not models.AdverseEvent.objects.exists()
    entries = record_history(RecordRef("S1", "AE", 1))
    assert [(e.action, e.reason) for e in entries] == [
        ("created", "first entry: site upload 1"),
        ("deleted", "entered twice"),
    ]


def test_a_subject_with_records_cannot_be_deleted(trial) -> None:
    from oncotrial.store.records import RecordRef, delete_record

    with pytest.raises(IntegrityError, match="still has records"):
        delete_record(RecordRef("S1"), reason="withdrew consent", user="monitor")


def test_history_rows_cannot_be_changed_or_deleted(trial) -> None:
    from django.db import DatabaseError, connection, transaction

    from oncotrial.store import models

    table = models.AdverseEvent.history.model._meta.db_table
    for statement in (f"UPDATE {table} SET grade = 5", f"DELETE FROM {table}"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    row = models.AdverseEvent.history.get()
    row.grade = 4
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.save()
    assert models.AdverseEvent.history.get().grade == 1


def test_every_history_table_is_append_only(store) -> None:
    """One migration chain installs the triggers on every history table, the trial conduct's
    (roles, allocation, screening, queries) included: they moved from the web app's chain."""
    from django.apps import apps
    from django.db import connection

    tables = sorted(
        model._meta.db_table
        for model in apps.get_app_config("store").get_models()
        if model.__name__.startswith("Historical")
    )
    assert {"store_historicaladverseevent", "store_historicalallocationslot"} <= set(tables)
    assert {"store_historicalmembership", "store_historicalscreeningrecord"} <= set(tables)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {row[0] for row in cursor.fetchall()}
            wanted = {f"{t}_no_{what}" for t in tables for what in ("update", "delete")}
        else:
            cursor.execute(
                "SELECT c.relname || '.' || t.tgname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid"
            )
            names = {row[0] for row in cursor.fetchall()}
            wanted = {f"{t}.{t}_append_only" for t in tables}
    assert sorted(wanted - names) == []


def test_a_conduct_history_row_cannot_be_changed(trial) -> None:
    from django.db import DatabaseError, transaction

    from oncotrial.store import models
    from oncotrial.store.audit import acting_as, get_user

    monitor = get_user("monitor")
    with acting_as(monitor, "delegation log"):
        models.Membership.objects.create(
            user=monitor, trial=models.Trial.objects.get(trial_id=trial), role="monitor"
        )
    row = models.Membership.history.get()
    row.role = "statistician"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.save()
    assert models.Membership.history.get().role == "monitor"


def test_every_write_names_its_user(store) -> None:
    from oncotrial.store import models

    with pytest.raises(IntegrityError, match="must name its user"):
        models.Trial.objects.create(trial_id="T2", studyid="T2")


def test_cli_history_change_and_delete(trial, run_cli, ctcae_path) -> None:
    result = run_cli(
        "data",
        "change",
        "S1/AE/1",
        "AETOXGR=3",
        "--reason",
        "query 9",
        "--user",
        "cra",
        "--ctcae",
        str(ctcae_path),
    )
    assert result.code == 0, result
    shown = run_cli("history", "S1/AE/1", "--format", "json")
    assert shown.code == 0, shown
    import json

    entries = json.loads(shown.out)
    assert entries[1]["user"] == "cra"
    assert entries[1]["reason"] == "query 9"
    assert entries[1]["changes"] == [{"field": "AETOXGR", "old": 1, "new": 3}]
    text = run_cli("history", "S1/AE/1")
    assert "AETOXGR: 1 → 3" in text.out
    refused = run_cli(
        "data", "change", "S1/AE/1", "AETOXGR=9", "--reason", "x", "--ctcae", str(ctcae_path)
    )
    assert refused.code == 1
    assert "outside CTCAE grades 1–5" in refused.err
    missing = run_cli("history", "S1/AE/7")
    assert missing.code == 1 and "no record S1/AE/7" in missing.err


def test_history_managers_are_built_once_and_bound_to_their_record(trial) -> None:
    """``share_history_managers`` (issue 13): the manager class is made once per model, not at
    every access, and still reads the history of the model or of the one record asked for."""
    from oncotrial.store import models
    from oncotrial.store.conduct import Membership

    event = models.AdverseEvent.objects.get()
    assert type(models.AdverseEvent.history) is type(event.history)
    assert type(models.Subject.history) is not type(models.AdverseEvent.history)
    assert type(Membership.history).__name__ == type(models.AdverseEvent.history).__name__
    assert [r.history_type for r in event.history.all()] == ["+"]
    assert event.history.instance == event
    assert models.Subject.history.filter(usubjid="S1").count() == 1
