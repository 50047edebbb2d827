"""A heading decided by its sub-items, on the screening page, in Chromium (issue 12).

A trial whose criteria nest as registry records nest them: alternatives under "Patients must
meet one of the following criteria:", limits under "PATIENT CHARACTERISTICS:" (NCI PDQ layout,
NCT00602576), conditions under "Patients who meet the following criteria at the time of
screening will be excluded:" (NCT00619541 E1). An investigator pastes a record whose ECOG is 2
but whose platelets are normal: the first alternative fails, the second holds, and the screen
says eligible — before, each alternative was required and the patient was not eligible. The
page shows why, offers no checklist answer for a heading or an alternative, and no alternative
as a screen-failure reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .helpers import patient_001

ITEMS = (
    ("I1", "Patients must meet one of the following criteria:"),
    ("I1.1", "ECOG performance status 0-1"),
    ("I1.2", "Platelet count ≥ 100,000/mm³"),
    ("I2", "PATIENT CHARACTERISTICS:"),
    ("I2.1", "Hemoglobin ≥ 9 g/dL"),
    ("E1", "Patients who meet the following criteria at the time of screening will be excluded:"),
    ("E1.1", "Known history of HIV infection."),
)


def _trial(web: Any) -> Any:
    from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
    from oncotrial.eligibility.parser import propose_rules
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.web.trials import import_trial

    seed = find_protocol("001")
    criteria = [
        Criterion(
            id=cid,
            kind=CriterionKind.INCLUSION if cid[0] == "I" else CriterionKind.EXCLUSION,
            text=text,
        )
        for cid, text in ITEMS
    ]
    eligibility = propose_rules(
        Eligibility(
            inclusion=tuple(c for c in criteria if c.kind is CriterionKind.INCLUSION),
            exclusion=tuple(c for c in criteria if c.kind is CriterionKind.EXCLUSION),
        )
    )
    assert [c.sub_items for c in eligibility.criteria if "." not in c.id] == ["any", "all", "all"]
    identity = seed.identity.model_copy(update={"local_id": "LISTS", "nct_id": None})
    protocol = seed.model_copy(update={"identity": identity, "eligibility": eligibility})
    return import_trial(protocol, user=web.user("admin-lists", superuser=True))


def _record() -> dict[str, Any]:
    record = patient_001("P-LISTS")
    record["performance_status"] = [{"scale": "ECOG", "score": 2, "date": "2025-02-20"}]
    return record


@pytest.mark.browser
def test_alternatives_and_headings_on_the_screening_page(
    web: Any, tmp_path: Path, shared: Path
) -> None:
    from django.db import connections

    from .browser import PASSWORD, set_password
    from .live import live_server
    from .test_browser import Session, in_own_thread

    trial = _trial(web)
    set_password(web.member("ines", trial, "investigator"))
    for connection in connections.all(initialized_only=True):
        connection.close()
    ctcae = shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"

    def scenario(browser: Any) -> None:
        inv = Session(browser, server)
        inv.login("ines", PASSWORD)
        inv.go("/t/LISTS/screening/")
        page = inv.page
        page.fill("#id_consent_date", "2025-02-20")
        page.fill("#id_record_text", json.dumps(_record()))
        page.click("button:has-text('Register and screen')")
        page.wait_for_url(re.compile(r".*/screening/[^/]+/$"))
        head = page.locator(".pagehead h1").inner_text()
        assert "eligible" in head and "not eligible" not in head, head

        def block(cid: str) -> Any:
            return page.locator(".criterion", has=page.locator(f".tag:text-is('{cid}')"))

        # the failed alternative is shown, with why it does not decide
        alternative = block("I1.1")
        assert "fails" in alternative.locator(".criterion-head .pill").inner_text()
        assert "One of the alternatives" in alternative.inner_text()
        assert alternative.locator("input[type=radio]").count() == 0
        heading = block("I1")
        assert "passes" in heading.locator(".criterion-head .pill").inner_text()
        assert "Decided by its sub-items: I1.1, I1.2." in heading.inner_text()
        assert "Decided by its sub-items: E1.1." in block("E1").inner_text()
        # nothing not met, no heading to tick, no alternative offered as a failure reason
        cards = page.locator(".grid3 .card")
        assert cards.nth(0).inner_text().split() == ["Not", "met", "None."]
        assert "No item needs judgement." in cards.nth(2).inner_text()
        failure = page.locator("form", has=page.locator("input[name=action][value=failure]"))
        assert failure.locator("input[name=criterion]").count() == 0
        button = page.locator("button:has-text('Register as eligible')")
        assert button.is_enabled()
        button.click()
        assert "registered: eligible" in page.locator(".pagehead h1").inner_text()
        inv.shot("screening-sublists")
        assert inv.errors == []
        inv.close()

    with live_server(tmp_path, ctcae, db=str(web.path)) as server:
        in_own_thread(scenario)
