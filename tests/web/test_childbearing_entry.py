"""Childbearing potential in screening quick entry (issue 12, after the recorded finding).

"Women of childbearing potential with negative serum pregnancy test" (NCT01736878 I14) is read as
if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative. Before,
the screening page listed "Childbearing potential" as not in quick entry: a post-menopausal woman
screened from the form stayed incomplete unless someone pasted a JSON record. Now the item has a
select (yes / no / not recorded) with the date it was recorded, and so has the pregnancy test it
may ask for (negative / positive); the values are kept in the screening record (source "quick
entry") and the patient is screened with them. They are not carried to baseline: the catalogue
has no Reproductive System Findings (SDTM RP) entity nor an hCG laboratory test.

The trial: seed 001 with NCT01736878's I8 (blood counts and liver tests, all in the quick entry
laboratory panel) and I14. Checked through the views and in Chromium.
"""

from __future__ import annotations

import json
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
HCG, HCG_DATE = "finding:hcg", "finding_date:hcg"
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
    """The options of each select and the to-collect table's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, list[str]] = {}
        self.rows: dict[str, dict[str, str | None]] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "select":
            self._in = str(found.get("name"))
            self.options[self._in] = []
        if tag == "option" and self._in is not None:
            self.options[self._in].append(str(found.get("value")))
        if tag == "tr" and "data-item" in found:
            self.rows[str(found["data-item"])] = found

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._in = None


def test_the_item_has_a_select_and_the_value_is_screened(web: Any) -> None:
    from oncotrial.store.conduct import ScreeningRecord

    trial = _trial(web)
    inv = web.client(web.member("inv", trial, "investigator"))
    page = _Page()
    page.feed(inv.get("/t/CBP/screening/").content.decode())
    assert page.options[FIELD] == ["", "yes", "no"]  # "" is "Not recorded"
    assert page.options[HCG] == ["", "negative", "positive"]
    for item, field in (("Childbearing potential", FIELD), ("Pregnancy test (hCG)", HCG)):
        row = page.rows[item]
        assert row["class"] == "captured" and row["data-field"] == field

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

    # the test entered in quick entry: negative settles it, positive fails I14
    for result, overall in (("positive", "not eligible"), ("negative", "eligible")):
        update = {"action": "update", HCG: result, HCG_DATE: "2025-02-25", "reason": "hCG"}
        assert inv.post(url, update).status_code == 302
        state = inv.get(url + "?format=json").json()
        assert state["overall"] == overall, (result, state)
    screening.refresh_from_db()
    assert screening.patient["source"] == "quick entry"
    hcg = [o for o in screening.patient["record"]["observations"] if o["analyte"] == "hcg"]
    assert [(o["result"], o["date"]) for o in hcg] == [
        ("positive", "2025-02-25"),
        ("negative", "2025-02-25"),
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({FIELD: "no"}, DATE, "Childbearing potential: give the date it was recorded."),
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


def test_a_fhir_record_gets_childbearing_potential_from_quick_entry(web: Any) -> None:
    """A FHIR bundle cannot give the finding (the reader matches Observations by LOINC code;
    CHILDPOT has none) and quick entry cannot be combined with it at registration: it is added
    with *Add data and screen again*, on top of the bundle's record."""
    trial = _trial(web)
    inv = web.client(web.member("inv", trial, "investigator"))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "f1", "gender": "female",
                          "birthDate": "1962-04-10"}},
        ],
    }  # fmt: skip
    data = {"site": "01", "consent_date": "2025-02-20", "record_text": json.dumps(bundle)}
    refused = inv.post("/t/CBP/screening/", {**data, FIELD: "no", DATE: "2025-02-20"})
    assert refused.status_code == 400
    assert "can be combined with a JSON record only" in refused.content.decode()
    response = inv.post("/t/CBP/screening/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    url = response["Location"]

    def i14() -> str:
        state = inv.get(url + "?format=json").json()
        return str(next(c["status"] for c in state["criteria"] if c["id"] == "I14"))

    assert i14() == "unknown"
    update = {"action": "update", FIELD: "no", DATE: "2025-02-20", "reason": "post-menopausal"}
    assert inv.post(url, update).status_code == 302
    assert i14() == "met"


def test_kept_in_the_screening_record_not_carried_to_baseline(web: Any) -> None:
    """The catalogue has no SDTM RP entity nor an hCG laboratory test: at enrollment the
    panel's results are carried (LB), the finding and the test stay in the screening record."""
    from .helpers import generate_list, randomize, register_eligible

    trial = _trial(web)
    inv = web.client(web.member("inv", trial, "investigator"))
    generate_list(web.client(web.member("stat", trial, "statistician")), "CBP")
    form = {**_form("yes"), HCG: "negative", HCG_DATE: "2025-02-25"}
    response = inv.post("/t/CBP/screening/", {"site": "01", "consent_date": "2025-02-20", **form})
    assert response.status_code == 302, response.content.decode()[-3000:]
    usubjid = response["Location"].rstrip("/").split("/")[-1]
    register_eligible(inv, "CBP", usubjid)
    randomize(inv, "CBP", usubjid, date="2025-03-02")
    page = inv.get(f"/t/CBP/subjects/{usubjid}/?format=json").json()
    carried = {
        block["entity"]: [r["cells"][0] for r in block["records"]]
        for section in page["sections"]
        for block in section["blocks"]
    }
    assert sorted(carried["lab"]) == ["ALT", "AST", "BILI", "HGB", "NEUT", "PLAT", "WBC"]
    shown = json.dumps(page).lower()
    assert "hcg" not in shown and "childbearing" not in shown and "childpot" not in shown


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
        assert "Pregnancy test (hCG) — quick entry: Pregnancy test (hCG)" in to_collect, to_collect
        assert "Childbearing potential" not in to_collect
        i14 = page.locator(".criterion", has=page.locator(".tag:text-is('I14')"))
        assert "Childbearing potential" in i14.inner_text()
        inv.shot("childbearing-yes")
        # the negative test, added in the same page's quick entry: screened again, eligible
        update = page.locator("form", has=page.locator("input[name=action][value=update]"))
        update.locator(f'[name="{HCG}"]').select_option("negative")
        update.locator(f'[name="{HCG_DATE}"]').fill("2025-02-25")
        update.locator("button:has-text('Update record and screen again')").click()
        page.wait_for_selector("text=Record updated and screened again.")
        head = page.locator(".pagehead h1").inner_text()
        assert "eligible" in head and "not eligible" not in head and "incomplete" not in head, head
        assert inv.errors == []
        inv.close()

    with live_server(tmp_path, ctcae, db=str(web.path)) as server:
        in_own_thread(scenario)
