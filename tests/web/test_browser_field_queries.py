"""Queries raised from the field, open-query counts and ageing, in Chromium (issue 13:
what data managers expect from REDCap or OpenClinica)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import Session, browse, prepared_server, user
from .helpers import eligible_subject

pytestmark = pytest.mark.browser


def _setup(world: Any) -> dict[str, Any]:
    from django.utils import timezone

    from oncotrial.store import models as db
    from oncotrial.store.audit import acting_as
    from oncotrial.store.conduct import Query

    trial = world.trial("001")
    inv = user(world, "inv", trial, "investigator")
    mon = user(world, "mon", trial, "monitor")
    client = world.client(inv)
    usubjid = eligible_subject(client, pid="FQ1")
    other = eligible_subject(client, pid="FQ2")
    response = client.post(
        f"/t/001/subjects/{usubjid}/lab/new/",
        {"test": "ALT", "visit": "SCREENING", "dtc": "2025-02-24", "value": "35",
         "low": "7", "high": "40"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    lab = db.LabResult.objects.get(subject__usubjid=usubjid)
    # A query on the other subject raised 12 days ago (the ageing shown is whole days).
    with acting_as(mon, None):
        old = Query.objects.create(
            trial=db.Trial.objects.get(trial_id="001"),
            subject=db.Subject.objects.get(usubjid=other),
            text="Height missing?",
            raised_by=mon,
        )
    # Backdated in the test's setup only (a queryset update writes no history row).
    Query.objects.filter(pk=old.pk).update(raised_at=timezone.now() - dt.timedelta(days=12))
    return {"usubjid": usubjid, "other": other, "lab": lab.pk}


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, dict[str, Any]]]:
    with prepared_server(tmp_path_factory.mktemp("fieldqueries"), shared, _setup) as made:
        yield made


def test_a_query_raised_beside_a_value_is_counted_and_aged(site) -> None:
    base, made = site
    usubjid, other = made["usubjid"], made["other"]
    record_url = f"/t/001/subjects/{usubjid}/lab/{made['lab']}/"

    def monitor(s: Session) -> None:
        s.go("/")
        assert s.page.locator(".trialcard .open-queries").inner_text() == "1 open query"
        s.go(record_url)
        s.page.click("a[aria-label='Raise a query on Result']")
        s.page.wait_for_selector("button:has-text('Raise query')")
        # The record and its field come with the link.
        assert s.page.locator("#subject").input_value() == usubjid
        assert s.page.locator("#entity").input_value() == "lab"
        assert s.page.locator("#record").input_value() == str(made["lab"])
        assert s.page.locator("#field").input_value() == "value"
        s.page.fill("#text", "ALT 35 U/L: please check against the source report.")
        with s.page.expect_navigation():
            s.page.click("button:has-text('Raise query')")
        assert "raised" in s.page.locator(".flash").inner_text()
        assert "field value" in s.page.locator(".days-open").inner_text()

        s.go("/")
        assert s.page.locator(".trialcard .open-queries").inner_text() == "2 open queries"
        s.go("/t/001/subjects/")
        counts = {
            row.locator("td").first.inner_text(): row.locator(".open-queries").inner_text()
            for row in s.page.locator("tbody tr").all()
        }
        assert counts[usubjid] == "1" and counts[other] == "1", counts
        s.go("/t/001/queries/")
        ages = {
            row.locator("td").nth(1).inner_text(): row.locator(".days-open").inner_text()
            for row in s.page.locator("tbody tr").all()
        }
        assert ages == {usubjid: "0", other: "12"}, ages
        # The record's form shows the open query beside the field it is about.
        s.go(record_url)
        field = s.page.locator(".field:has(a[aria-label='Raise a query on Result'])")
        assert field.locator(".field-open-queries").inner_text() == "1 open query"

    browse(base, "mon", monitor)

    def investigator(s: Session) -> None:
        s.go(record_url)  # the site sees the open query, and raises none
        assert s.page.locator(".field-open-queries").inner_text() == "1 open query"
        assert s.page.locator("a.field-query").count() == 0

    browse(base, "inv", investigator)
