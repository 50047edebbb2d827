"""The casebook in Chromium (issue 13): the site marks a visit complete, a monitor verifies it, an
edit turns it back to unverified, a data manager locks it (the edit form then refuses), unlocks
it with a reason, the investigator signs with their password, and a later edit voids the
signature — each step as the person would click it, what they then see asserted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import PASSWORD, Session, browse, prepared_server, user
from .helpers import eligible_subject, generate_list, randomize

pytestmark = pytest.mark.browser

SUBJECT_FORMS = "Subject-level forms (demographics, adverse events, medications)"

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


def _setup(world: Any) -> dict[str, Any]:
    from oncotrial.store import models as db

    trial = world.trial("001")
    inv = user(world, "inv", trial, "investigator")
    inv.first_name, inv.last_name = "Ines", "Vestigator"
    inv.save()
    user(world, "mon", trial, "monitor")
    user(world, "dm", trial, "data_manager")
    stat = user(world, "stat", trial, "statistician")
    client = world.client(inv)
    generate_list(world.client(stat))
    usubjid = eligible_subject(client, pid="CB1")
    randomize(client, "001", usubjid)
    lab = client.post(
        f"/t/001/subjects/{usubjid}/lab/new/",
        {"test": "ALT", "visit": "SCREENING", "dtc": "2025-02-24", "value": "35",
         "low": "7", "high": "40"},
    )  # fmt: skip
    assert lab.status_code == 302, lab.content.decode()[-2000:]
    assert client.post(f"/t/001/subjects/{usubjid}/ae/new/", AE).status_code == 302
    return {
        "usubjid": usubjid,
        "lab": db.LabResult.objects.filter(subject__usubjid=usubjid).latest("pk").pk,
        "ae": db.AdverseEvent.objects.get(subject__usubjid=usubjid).pk,
    }


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, dict[str, Any]]]:
    with prepared_server(tmp_path_factory.mktemp("casebook"), shared, _setup) as made:
        yield made


def _status(s: Session, visit: str) -> str:
    return str(s.page.locator(f"#form-status tr[data-visit='{visit}'] .pill").inner_text())


def _click(s: Session, selector: str) -> None:
    with s.page.expect_navigation():
        s.page.click(selector)


def test_complete_verify_edit_lock_unlock_sign_and_void(site) -> None:
    base, made = site
    usubjid = made["usubjid"]
    book = f"/t/001/subjects/{usubjid}/casebook/"
    lab = f"/t/001/subjects/{usubjid}/lab/{made['lab']}/"

    def site_marks_complete(s: Session) -> None:
        s.go(f"/t/001/subjects/{usubjid}/")
        _click(s, "a.button:has-text('Casebook')")
        assert _status(s, "SCREENING") == "in progress"
        assert s.page.locator("button[aria-label='Verify SCREENING']").count() == 0
        assert s.page.locator("button[aria-label='Lock SCREENING']").count() == 0
        _click(s, "button[aria-label='Mark SCREENING complete']")
        assert "SCREENING marked complete." in s.page.locator(".flash").inner_text()
        assert _status(s, "SCREENING") == "complete"

    browse(base, "inv", site_marks_complete)

    def monitor_verifies(s: Session) -> None:
        s.go("/t/001/")
        _click(s, "nav a:has-text('Form status')")
        cell = s.page.locator(f"#status-grid tr[data-subject='{usubjid}'] .pill[title='SCREENING']")
        assert cell.inner_text() == "complete"
        _click(s, f"#status-grid a:has-text('{usubjid}')")
        assert s.page.locator("button[aria-label='Mark SCREENING complete']").count() == 0
        _click(s, "button[aria-label='Verify SCREENING']")
        assert _status(s, "SCREENING") == "verified"
        row = s.page.locator("#form-status tr[data-visit='SCREENING']")
        assert "mon" in row.locator("td").nth(4).inner_text()

    browse(base, "mon", monitor_verifies)

    def site_corrects_a_verified_value(s: Session) -> None:
        s.go(lab)
        s.page.fill("#id_value", "36")
        s.page.fill("#id_reason", "transcription error, source says 36")
        _click(s, "button:has-text('Save correction')")
        s.go(book)
        assert _status(s, "SCREENING") == "complete"  # no longer verified

    browse(base, "inv", site_corrects_a_verified_value)

    def manager_locks(s: Session) -> None:
        s.go(book)
        _click(s, "button[aria-label='Lock SCREENING']")
        assert "SCREENING locked." in s.page.locator(".flash").inner_text()
        assert _status(s, "SCREENING") == "locked"

    browse(base, "dm", manager_locks)

    def site_meets_the_lock(s: Session) -> None:
        s.go(lab)
        # The locked form says which lock, by whom and when, and offers nothing to edit: its
        # fields disabled, no reason box, no Save (as a monitor sees a record).
        notice = s.page.locator("#record-locked")
        assert notice.is_visible()
        assert "Visit SCREENING was locked by dm at" in notice.inner_text()
        assert re.fullmatch(
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", notice.locator(".locked-at").inner_text()
        )
        assert "Ask a data manager to unlock it" in notice.inner_text()
        assert s.page.locator("#id_value").is_disabled()
        assert s.page.locator("#id_reason").count() == 0
        assert s.page.locator("#entry-form button[type='submit']").count() == 0
        assert s.page.locator("button:has-text('Save')").count() == 0
        # The subject-level forms are not locked: the adverse event still offers its Save.
        s.go(f"/t/001/subjects/{usubjid}/ae/{made['ae']}/")
        assert s.page.locator("#record-locked").count() == 0
        assert s.page.locator("button:has-text('Save correction')").is_visible()
        assert s.page.locator("#id_reason").is_visible()

    browse(base, "inv", site_meets_the_lock)

    def manager_unlocks_with_a_reason(s: Session) -> None:
        s.go(book)
        s.page.fill("input[aria-label='Reason to unlock SCREENING']", "site found a late lab")
        _click(s, "button[aria-label='Unlock SCREENING']")
        assert "SCREENING unlocked." in s.page.locator(".flash").inner_text()
        assert _status(s, "SCREENING") == "complete"

    browse(base, "dm", manager_unlocks_with_a_reason)

    def manager_locks_the_casebook(s: Session) -> None:
        s.go(book)
        _click(s, "button:has-text('Lock the whole casebook')")
        assert s.page.locator("#casebook-locked").is_visible()

    browse(base, "dm", manager_locks_the_casebook)

    def site_meets_the_casebook_lock(s: Session) -> None:
        subject = f"/t/001/subjects/{usubjid}/"
        # Every new form and every correction says the casebook is locked, by whom and when,
        # with nothing to fill or save.
        for path in ("ae/new/", "labs/panel/", "assessments/new/", f"ae/{made['ae']}/"):
            s.go(subject + path)
            notice = s.page.locator("#record-locked")
            assert notice.is_visible(), path
            assert "This casebook was locked by dm at" in notice.inner_text(), path
            assert s.page.locator("main button[type='submit']:visible").count() == 0, path
            assert s.page.locator("main input:visible:enabled").count() == 0, path

    browse(base, "inv", site_meets_the_casebook_lock)

    def manager_unlocks_the_casebook(s: Session) -> None:
        s.go(book)
        s.page.fill("input[aria-label='Reason to unlock the casebook']", "late AE follow-up")
        _click(s, "button:has-text('Unlock the casebook')")
        assert s.page.locator("#casebook-locked").count() == 0

    browse(base, "dm", manager_unlocks_the_casebook)

    def investigator_signs(s: Session) -> None:
        s.go(book)
        assert "Not signed yet." in s.page.locator("main").inner_text()
        # SIGN-5: the subject-level forms (demographics, the AE) are not marked complete yet: the
        # sign page says so, naming them, and offers no password box or Sign button.
        _click(s, "a:has-text('Sign the casebook')")
        refusal = s.page.locator("#incomplete").inner_text()
        assert "cannot be signed yet; not marked complete: the subject-level forms." in refusal
        assert "SCREENING" not in refusal  # complete since the site marked it
        assert s.page.locator("#id_password").count() == 0
        assert s.page.locator("button:has-text('Sign')").count() == 0
        _click(s, "#incomplete a:has-text('casebook page')")
        _click(s, f"button[aria-label='Mark {SUBJECT_FORMS} complete']")
        assert _status(s, "") == "complete"
        _click(s, "a:has-text('Sign the casebook')")
        assert s.page.locator("#incomplete").count() == 0
        assert "I approve the data in this casebook as accurate and complete." in (
            s.page.locator("#meaning").inner_text()
        )
        assert s.page.locator("#signer").inner_text() == "Ines Vestigator"
        s.page.fill("#id_password", "not-my-password")
        _click(s, "button:has-text('Sign')")
        s.expected_refusal(403)
        assert "the password is not right" in s.page.locator(".alert").inner_text()
        s.page.fill("#id_password", PASSWORD)
        _click(s, "button:has-text('Sign')")
        assert "Casebook signed by Ines Vestigator" in s.page.locator(".flash").inner_text()
        row = s.page.locator("#signatures tr.signature").first
        assert "valid" in row.inner_text() and "Ines Vestigator" in row.inner_text()
        assert len(row.locator(".mono").inner_text()) == 64  # the SHA-256 in hex

        # A later correction voids it, and the page says why and when.
        s.go(f"/t/001/subjects/{usubjid}/ae/{made['ae']}/")
        s.page.check("input[name='grade'][value='3']")
        s.page.fill("#id_reason", "source says grade 3")
        _click(s, "button:has-text('Save correction')")
        s.go(book)
        row = s.page.locator("#signatures tr.signature").first
        text = row.inner_text()
        assert "void" in text and "adverse event 1 changed by Ines Vestigator" in text, text
        assert "source says grade 3" in text

    browse(base, "inv", investigator_signs)
