"""Childbearing potential in screening quick entry (issue 12, after the recorded finding).

"Women of childbearing potential with negative serum pregnancy test" (NCT01736878 I14) is read as
if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative. Before,
the screening page listed "Childbearing potential" as not in quick entry: a post-menopausal woman
screened from the form stayed incomplete unless someone pasted a JSON record. Now the item has a
select (yes / no / not recorded) with the date it was recorded; the value is kept in the
screening record (source "quick entry") and the patient is screened with it. It is not carried to
baseline: the catalogue has no Reproductive System Findings (SDTM RP) entity.

The trial: seed 001 with NCT01736878's I8 (blood counts and liver tests, all in the quick entry
laboratory panel) and I14. Checked through the views and in Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

ITEMS = (
    (
        "I8",
        "Hb > 8g/dl, white blood cells (WBC) >3.000 cells/mm³ (ANC > 1.500 cells/mm³), platelets "
        "> 100.000 cells/mm³, bilirubin < 2mg/dl, alanine aminotransferase (ALT) and aspartate "
        "aminotransferase (AST) < 2.5 x upper limit of normal (ULN)",
    ),
    ("I14", "Women of childbearing potential with negative serum pregnancy test"),
)
FIELD = "finding:childbearing_potential"
DATE = "finding_date:childbearing_potential"
# What a person types for a woman of 62 (quick entry only, no record pasted); the laboratory
# panel's default units
QUICK = {
    "sex": "female", "birth_date": "1962-04-10", "planned_first_dose": "2025-03-03",
    "lab_date": "2025-02-24",
}  # fmt: skip
LABS = {  # analyte: (value, lower, upper limit)
    "hemoglobin": ("125", "120", "160"), "leukocytes": ("6.1", "4", "10"),
    "neutrophils": ("3.2", "1.8", "6.3"), "platelets": ("210", "150", "400"),
    "bilirubin": ("10", "3.4", "21"), "alt": ("22", "0", "40"), "ast": ("25", "0", "40"),
}  # fmt: skip


def _trial(web: Any) -> Any:
    from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
    from oncotrial.eligibility.parser import propose_rules
    from oncotrial.eligibility.rules import describe_rule
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.web.trials import import_trial

    seed = find_protocol("001")
    inclusion = tuple(Criterion(id=c, kind=CriterionKind.INCLUSION, text=t) for c, t in ITEMS)
    eligibility = propose_rules(Eligibility(inclusion=inclusion, exclusion=()))
    i14 = next(c for c in eligibility.criteria if c.id == "I14")
    assert [describe_rule(r) for r in i14.rules] == [
        "if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative"
    ]
    identity = seed.identity.model_copy(update={"local_id": "CBP", "nct_id": None})
    protocol = seed.model_copy(update={"identity": identity, "eligibility": eligibility})
    return import_trial(protocol, user=web.user("admin-cbp", superuser=True))


def _form(potential: str, on: str = "2025-02-20") -> dict[str, str]:
    data = {**QUICK, FIELD: potential, DATE: on if potential else ""}
    for key, (value, low, high) in LABS.items():
        data.update({f"lab:{key}": value, f"low:{key}": low, f"high:{key}": high})
    return data


class _Page(HTMLParser):
    """The options of the childbearing potential select and the to-collect table's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.options: list[str] = []
        self.rows: dict[str, dict[str, str | None]] = {}
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "select":
            self._in = found.get("name") == FIELD
        if tag == "option" and self._in:
            self.options.append(str(found.get("value")))
        if tag == "tr" and "data-item" in found:
            self.rows[str(found["data-item"])] = found

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._in = False


def test_the_item_has_a_select_and_the_value_is_screened(web: Any) -> None:
    from oncotrial.store.conduct import ScreeningRecord

    trial = _trial(web)
    inv = web.client(web.member("inv", trial, "investigator"))
    page = _Page()
    page.feed(inv.get("/t/CBP/screening/").content.decode())
    assert page.options == ["", "yes", "no"]  # "" is "Not recorded"
    row = page.rows["Childbearing potential"]
    assert row["class"] == "captured" and row["data-field"] == FIELD
    assert page.rows["Pregnancy test (hCG)"]["class"] == "uncaptured"

    # a post-menopausal woman without a pregnancy test: the test is not asked of her
    response = inv.post("/t/CBP/screening/", {"site": "01", "consent_date": "2025-02-20",
                                              **_form("no")})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-3000:]
    usubjid = response["Location"].rstrip("/").split("/")[-1]
    screening = ScreeningRecord.objects.get(subject__usubjid=usubjid)
    assert screening.patient["source"] == "quick entry"
    found = [o for o in screening.patient["record"]["observations"]
             if o["analyte"] == "childbearing_potential"]  # fmt: skip
    assert [(o["result"], o["date"]) for o in found] == [("no", "2025-02-20")]
    state = inv.get(f"/t/CBP/screening/{usubjid}/?format=json").json()
    assert state["overall"] == "eligible", state["to_collect"]

    # recorded again as yes (a later date): screened again, the pregnancy test is to collect
    url = f"/t/CBP/screening/{usubjid}/"
    update = {"action": "update", FIELD: "yes", DATE: "2025-02-24", "reason": "corrected"}
    assert inv.post(url, update).status_code == 302
    state = inv.get(url + "?format=json").json()
    assert state["overall"] == "incomplete"
    assert state["to_collect"] == ["Pregnancy test (hCG)"]
    screening.refresh_from_db()
    assert screening.patient["source"] == "quick entry"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({FIELD: "no"}, DATE, "give the date childbearing potential was recorded."),
        ({FIELD: "maybe", DATE: "2025-02-20"}, FIELD, "yes or no, or not recorded"),
    ],
)
def test_a_value_without_its_date_or_outside_yes_no_is_refused(
    web: Any, values: dict[str, str], field: str, message: str
) -> None:
    from oncotrial.store.conduct import ScreeningRecord

    trial = _trial(web)
    inv = web.client(web.member("inv", trial, "investigator"))
    data = {"site": "01", "consent_date": "2025-02-20", **QUICK, **values}
    response = inv.post("/t/CBP/screening/?format=json", data)
    assert response.status_code == 400
    assert message in response.json()["errors"][field]
    assert not ScreeningRecord.objects.filter(trial=trial).exists()


def test_not_recorded_adds_nothing() -> None:
    from oncotrial.web.patient_form import record_from_form

    errors: dict[str, str] = {}
    record = record_from_form({"sex": "female", FIELD: "", DATE: "2025-02-20"}, {}, errors)
    assert errors == {} and "labs" not in record


@pytest.mark.browser
def test_childbearing_potential_in_chromium(web: Any, tmp_path: Path, shared: Path) -> None:
    from django.db import connections

    from .browser import PASSWORD, set_password
    from .live import live_server
    from .test_browser import Session, in_own_thread

    trial = _trial(web)
    set_password(web.member("ines", trial, "investigator"))
    for connection in connections.all(initialized_only=True):
        connection.close()
    ctcae = shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"

    def register(inv: Any, potential: str) -> Any:
        inv.go("/t/CBP/screening/")
        page = inv.page
        row = page.locator('#to-collect tr[data-item="Childbearing potential"]').inner_text()
        assert "Quick entry: Childbearing potential (yes / no)" in row, row
        page.fill("#id_consent_date", "2025-02-20")
        for name, value in _form(potential).items():
            field = page.locator(f'[name="{name}"]')
            assert field.is_visible(), name
            if name in {"sex", FIELD}:
                field.select_option(value)
            elif value:
                field.fill(value)
        page.click("button:has-text('Register and screen')")
        page.wait_for_url(re.compile(r".*/screening/[^/]+/$"))
        return page

    def scenario(browser: Any) -> None:
        inv = Session(browser, server)
        inv.login("ines", PASSWORD)
        page = register(inv, "no")  # post-menopausal, no pregnancy test
        head = page.locator(".pagehead h1").inner_text()
        assert "eligible" in head and "not eligible" not in head, head
        assert "record: quick entry" in page.locator(".pagehead").inner_text()
        cards = page.locator(".grid3 .card")
        assert cards.nth(1).inner_text().split() == ["To", "collect", "Nothing."]
        inv.shot("childbearing-no")
        page = register(inv, "yes")  # she can become pregnant: the test is asked for
        assert "incomplete" in page.locator(".pagehead h1").inner_text()
        to_collect = cards.nth(1).inner_text()
        assert "Pregnancy test (hCG)" in to_collect, to_collect
        assert "Childbearing potential" not in to_collect
        i14 = page.locator(".criterion", has=page.locator(".tag:text-is('I14')"))
        assert "Childbearing potential" in i14.inner_text()
        inv.shot("childbearing-yes")
        assert inv.errors == []
        inv.close()

    with live_server(tmp_path, ctcae, db=str(web.path)) as server:
        in_own_thread(scenario)
