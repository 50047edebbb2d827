"""Screening data reaches the subject's Baseline at enrollment (issue 13, item 8).

Before: ECOG, height/weight, stage, EGFR/ALK/ROS1, PD-L1 and labs entered at screening showed
"None recorded" under Baseline after enrollment. Now they are carried into baseline records at
visit SCREENING, each with its provenance "carried from screening on DATE". Checked through the
views (seed trials 001 and NCT07064876, whose screening records hold these data) and in Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import (
    eligible_subject,
    generate_list,
    patient_001,
    patient_002,
    randomize,
    register_eligible,
    screen,
)


def _baseline(client: Any, trial_id: str, usubjid: str) -> dict[str, list[list[str]]]:
    page = client.get(f"/t/{trial_id}/subjects/{usubjid}/?format=json").json()
    out: dict[str, list[list[str]]] = {}
    for section in page["sections"]:
        for block in section["blocks"]:
            out[block["entity"]] = [r["cells"] + [r["provenance"]] for r in block["records"]]
    return out


def test_screening_data_become_baseline_records(web) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.audit import history_of

    trial = web.trial("001")
    inv = web.client(web.member("inv", trial, "investigator"))
    generate_list(web.client(web.member("stat", trial, "statistician")))
    usubjid = eligible_subject(inv)
    before = _baseline(inv, "001", usubjid)
    assert before["ecog"] == [] and before["lab"] == []  # nothing before enrollment
    screened = db.Subject.objects.get(usubjid=usubjid).screening.as_of.isoformat()
    randomize(inv, "001", usubjid)
    records = _baseline(inv, "001", usubjid)
    note = f"carried from screening on {screened}"
    assert records["ecog"] == [["SCREENING", "2025-02-20", "1", note]]
    assert ["Weight", "SCREENING", "2025-02-20", "70 kg", note] in records["vital"]
    # the record gives no diagnosis date: the stage is dated by the screening
    assert records["disease"] == [["Disease Stage", "IVA", screened, note]]
    labs = {row[0]: row for row in records["lab"]}
    # every lab of the record that the lab form offers, in the catalogue's unit, with its range
    assert set(labs) == {"NEUT", "PLAT", "HGB", "CREAT", "AST", "ALT", "BILI", "TSH"}
    assert labs["HGB"][3:6] == ["120 g/L", "130–175", "LOW"]
    assert labs["NEUT"][3] == "2.1 10^9/L" and labs["NEUT"][6] == note
    subject = db.Subject.objects.get(usubjid=usubjid)
    ecog = db.Finding.objects.get(subject=subject, testcd="ECOG101")
    assert (ecog.blfl, ecog.visit, ecog.provenance) == ("Y", "SCREENING", note)
    first = history_of(db.Finding, ecog.pk)[0]
    assert (first.user, first.reason) == ("inv", note)  # the audit trail says where it came from


def test_mutations_pdl1_and_stage_edition_are_carried(web) -> None:
    from oncotrial.store import models as db

    trial = web.trial("NCT07064876")
    inv = web.client(web.member("inv", trial, "investigator"))
    record = patient_002()
    record["biomarkers"].append({"marker": "PD-L1", "value": 60, "date": "2025-01-20"})
    usubjid = screen(inv, "NCT07064876", record, consent="2025-02-25")
    register_eligible(inv, "NCT07064876", usubjid)
    randomize(inv, "NCT07064876", usubjid, date="2025-03-02")
    records = _baseline(inv, "NCT07064876", usubjid)
    assert sorted(r[:2] for r in records["mutation"]) == [
        ["ALK", "NEGATIVE"],
        ["EGFR", "NEGATIVE"],
        ["ROS1", "NEGATIVE"],
    ]
    assert records["pdl1"][0][0] == "60 %"
    stage = db.Finding.objects.get(subject__usubjid=usubjid, testcd="STAGE")
    assert (stage.stresc, stage.cat) == ("IA2", "AJCC 9TH EDITION")  # with its edition
    assert db.Finding.objects.filter(subject__usubjid=usubjid, testcd="EGFR").count() == 1


@pytest.mark.browser
def test_screening_to_baseline_in_chromium(web, tmp_path: Path, shared: Path) -> None:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connections

    from .live import live_server
    from .test_browser import Session, in_own_thread

    trial = web.trial("001")
    ines = web.member("ines", trial, "investigator")
    ines.password = PBKDF2PasswordHasher().encode("Trial-Team-7", "carrytest", iterations=1000)
    ines.save(update_fields=["password"])
    generate_list(web.client(web.member("stat", trial, "statistician")))
    for connection in connections.all(initialized_only=True):
        connection.close()
    ctcae = shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"

    def scenario(browser: Any) -> None:
        inv = Session(browser, server)
        inv.login("ines", "Trial-Team-7")
        inv.go("/t/001/screening/")
        inv.page.fill("#id_consent_date", "2025-02-20")
        inv.page.fill("#id_record_text", json.dumps(patient_001("P-101")))
        inv.page.click("button:has-text('Register and screen')")
        inv.page.wait_for_url("**/screening/001-01-0001/")
        for radio in inv.page.locator("input[type=radio][value=passes]").all():
            radio.check()
        inv.page.click("button:has-text('Save checklist answers')")
        inv.page.click("button:has-text('Register as eligible')")
        inv.page.click("a:has-text('Randomize')")
        inv.page.fill("#date", "2025-03-01")
        inv.page.click("button:has-text('Randomize')")
        inv.page.click("a:has-text('Go to 001-01-0001')")
        baseline = inv.page.locator("section#baseline").inner_text()
        assert "carried from screening on" in baseline
        ecog = inv.page.locator("section#baseline .block", has_text="ECOG").inner_text()
        assert "SCREENING" in ecog and "None recorded" not in ecog
        labs = inv.page.locator("section#labs").inner_text()
        assert "120 g/L" in labs and "carried from screening on" in labs
        inv.shot("carried-baseline")
        inv.close()

    with live_server(tmp_path, ctcae, db=str(web.path)) as server:
        in_own_thread(scenario)
