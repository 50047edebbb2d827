"""Every entry form of the catalogue saved in Chromium, as a user fills it (issue 13).

For each form a subject can add, the user opens it from the subject page, fills the visible
controls in page order (the first real choice of each list, an ISO date after enrollment, a
number inside the field's limits, a suggested or plain text, a CTCAE term and then a grade its
definitions allow), ticks the confirmation when warnings ask for it, clicks Save, and must land
on the subject page with the form's "saved" message. A form that cannot be saved in the browser
fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncotrial.web.entry import ENTITIES

from .browser import Session, browse, prepared_server, user
from .helpers import eligible_subject, generate_list, randomize

pytestmark = pytest.mark.browser

FORMS = [key for key, spec in ENTITIES.items() if spec.creatable and not spec.single]
DATE = "2025-03-05"  # after randomization (2025-03-01), before today


def _setup(world: Any) -> str:
    trial = world.trial("001")
    inv = user(world, "inv", trial, "investigator")
    stat = user(world, "stat", trial, "statistician")
    generate_list(world.client(stat))
    client = world.client(inv)
    usubjid = eligible_subject(client, pid="F1")
    randomize(client, "001", usubjid)
    return usubjid


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, str]]:
    with prepared_server(tmp_path_factory.mktemp("forms"), shared, _setup) as made:
        yield made


def _choose(s: Session, control: Any, value: str) -> None:
    """Choose ``value``; when the choice redraws the form (``hx-get``: the value list of the
    next field depends on it), wait until the new form has replaced the old one. Waiting for
    "networkidle" is not enough: that load state was reached when the page loaded, so it returns
    at once, and a field filled before the swap lands is wiped by it."""
    if control.get_attribute("hx-get") is None:
        control.select_option(value)
        return
    s.page.evaluate("document.getElementById('entry-form').dataset.stale = '1'")
    control.select_option(value)
    s.page.wait_for_function(
        "() => { const f = document.getElementById('entry-form');"
        " return f && !f.dataset.stale && !document.querySelector('.htmx-request'); }",
        timeout=10000,
    )


def _fill(s: Session) -> None:
    """Fill every visible, empty control of the entry form once, in page order."""
    done: set[str] = set()
    numbers = 0
    for _ in range(60):  # a choice may redraw the form (htmx): look again after each
        controls = s.page.locator(
            "#entry-form :is(input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
            " select, textarea):visible"
        ).all()
        pending = [c for c in controls if (c.get_attribute("name") or "") not in done]
        if not pending:
            return
        control = pending[0]
        name = control.get_attribute("name") or ""
        done.add(name)
        if control.input_value():
            continue
        tag = control.evaluate("e => e.tagName")
        if tag == "SELECT":
            options = [v for v in control.locator("option").evaluate_all(
                "os => os.map(o => o.value)") if v]  # fmt: skip
            if options:
                _choose(s, control, options[0])
        elif control.get_attribute("data-date") is not None:
            control.fill(DATE)
        elif name == "term" and s.page.locator("#grade-choices").count():
            control.fill("Pneumonitis")
            s.page.wait_for_selector("#grade-choices >> text=Grade 1", timeout=10000)
            s.page.locator("input[name=grade]:enabled").first.check()
        elif tag == "TEXTAREA":
            control.fill("Entered in the browser test")
        elif control.get_attribute("type") == "number" or control.get_attribute("step"):
            low, high = control.get_attribute("min"), control.get_attribute("max")
            if low is not None and high is not None:
                value = (float(low) + float(high)) / 2
            else:  # increasing, so that a lower limit comes out below an upper one
                value = max(float(low or 0) + 1, 12.0) + 10 * numbers
            numbers += 1
            control.fill(f"{value:g}")
        else:
            listed = control.get_attribute("list")
            suggestions = (
                s.page.locator(f"datalist[id='{listed}'] option").evaluate_all(
                    "os => os.map(o => o.value)"
                )
                if listed
                else []
            )
            control.fill(suggestions[0] if suggestions else "TEXT")
    raise AssertionError("the form kept changing")


@pytest.mark.parametrize("entity", FORMS)
def test_every_entry_form_saves_in_the_browser(site, entity: str) -> None:
    base, usubjid = site
    spec = ENTITIES[entity]

    def scenario(s: Session) -> None:
        s.go(f"/t/001/subjects/{usubjid}/{entity}/new/")
        assert s.page.locator("#entry-form").count() == 1, s.page.content()[-1500:]
        _fill(s)
        with s.page.expect_navigation():
            s.page.click("#entry-form button[type=submit]")
        # A value outside a plausible range is corrected as a user would, from the message.
        for _ in range(3):
            wrong = s.page.locator(".field.has-error:has-text('plausible range')")
            if not wrong.count():
                break
            s.expected_refusal(400)
            found = re.search(r"\((\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)\)", wrong.first.inner_text())
            assert found, wrong.first.inner_text()
            middle = (float(found[1]) + float(found[2])) / 2
            wrong.first.locator("input").fill(f"{middle:g}")
            with s.page.expect_navigation():
                s.page.click("#entry-form button[type=submit]")
        if s.page.locator("input[name=confirm]").count():
            s.expected_refusal(400)  # warnings ask for confirmation first
            s.page.check("input[name=confirm]")
            with s.page.expect_navigation():
                s.page.click("#entry-form button[type=submit]")
        errors = s.page.locator(".error, .alert").all_inner_texts()
        assert s.page.url.endswith(f"/subjects/{usubjid}/"), (s.page.url, errors)
        assert f"{spec.title} saved." in s.page.locator(".flash").inner_text()

    browse(base, "inv", scenario)


def test_an_adverse_event_with_a_partial_start_date(site) -> None:
    """AESTDTC "2025-03" (only the month recalled; SDTMIG 3.4 §4.4.2 allows partial --DTC)
    is saved as typed; a month wholly before consent (2025-02-20) or an impossible month is
    refused with the rule."""
    base, usubjid = site

    def submit(s: Session) -> None:
        with s.page.expect_navigation():
            s.page.click("#entry-form button[type=submit]")

    def scenario(s: Session) -> None:
        s.go(f"/t/001/subjects/{usubjid}/ae/new/")
        assert "YYYY-MM" in (s.page.locator("#id_stdtc").get_attribute("placeholder") or "")
        s.page.fill("#id_stdtc", "2025-13")
        _fill(s)
        submit(s)
        s.expected_refusal(400)
        assert "YYYY-MM or YYYY" in s.page.locator(".field:has(#id_stdtc) .error").inner_text()
        s.page.fill("#id_stdtc", "2025-01")
        submit(s)
        s.expected_refusal(400)
        assert "before informed consent" in s.page.locator(".field:has(#id_stdtc)").inner_text()
        s.page.fill("#id_stdtc", "2025-03")
        submit(s)
        if s.page.locator("input[name=confirm]").count():
            s.expected_refusal(400)
            s.page.check("input[name=confirm]")
            submit(s)
        assert "Adverse event saved." in s.page.locator(".flash").inner_text()
        events = s.page.locator("section:has(h3:text-is('Adverse events'))").inner_text()
        assert "\t2025-03\t" in events, events  # kept partial, not imputed to a day

    browse(base, "inv", scenario)
