"""The laboratory panel grid in Chromium: a visit's results on one grid, the site's normal
ranges (or the catalogue's, labelled), and the CTCAE v5.0 grade shown as values are typed.

Expected grades from CTCAE v5.0 (baseline normal): neutrophil count decreased grade 3 is
<1.0–0.5 × 10^9/L; platelet count decreased grade 2 <75–50 × 10^9/L; anemia grade 2 Hgb
<100–80 g/L; ALT increased grade 2 >3.0–5.0 × ULN.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import Session, browse, prepared_server, user
from .helpers import eligible_subject, generate_list, randomize

pytestmark = pytest.mark.browser


def _setup(world: Any) -> dict[str, str]:
    trial = world.trial("001")
    inv = user(world, "inv", trial, "investigator")
    stat = user(world, "stat", trial, "statistician")
    generate_list(world.client(stat))
    client = world.client(inv)
    subjects = {}
    for name in ("earlier", "panel"):
        usubjid = eligible_subject(client, pid=name)
        randomize(client, "001", usubjid)
        subjects[name] = usubjid
    # The site's own neutrophil range, stored with an earlier subject's result.
    response = client.post(
        f"/t/001/subjects/{subjects['earlier']}/lab/new/",
        {"test": "NEUT", "visit": "SCREENING", "dtc": "2025-02-24", "value": "3.1",
         "low": "2.0", "high": "7.0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    return subjects


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    with prepared_server(tmp_path_factory.mktemp("labs"), shared, _setup) as made:
        yield made


def test_lab_panel_grid_grades_as_typed_and_saves(site) -> None:
    base, subjects = site
    usubjid = subjects["panel"]

    def row(s: Session, code: str) -> Any:
        return s.page.locator(f"tr[data-test='{code}']")

    def grade_becomes(s: Session, code: str, text: str) -> None:
        s.page.wait_for_function(
            "([code, want]) => document.querySelector(`tr[data-test='${code}'] .ctcae-grade`)"
            ".textContent.includes(want)",
            arg=[code, text],
        )

    def scenario(s: Session) -> None:
        s.go(f"/t/001/subjects/{usubjid}/")
        s.page.click("a:has-text('Laboratory panel')")
        assert s.page.locator("h1").inner_text() == "Laboratory panel"
        codes = s.page.locator("tr[data-test]").evaluate_all(
            "rows => rows.map(r => r.dataset.test)"
        )
        assert codes == ["NEUT", "PLAT", "HGB", "ALT", "AST", "BILI", "CREAT"]
        # Units per test; the site's stored neutrophil range, the catalogue's elsewhere.
        assert "10^9/L" in row(s, "NEUT").inner_text()
        assert "umol/L" in row(s, "CREAT").inner_text()
        assert (
            row(s, "NEUT").locator("input[aria-label$='lower limit of normal']").input_value()
            == "2"
        )
        assert "site 01 range (stored 2025-02-24)" in row(s, "NEUT").inner_text()
        # ALT's range is the one carried from screening (the site's, stored 2025-02-24).
        assert "site 01 range" in row(s, "ALT").inner_text()
        assert (
            row(s, "ALT").locator("input[aria-label$='upper limit of normal']").input_value()
            == "40"
        )

        s.page.select_option("#visit", "UNSCHEDULED")
        s.page.fill("#dtc", "2025-03-20")
        s.page.fill("input[aria-label='Absolute neutrophil count result']", "0.8")
        grade_becomes(s, "NEUT", "Grade 3: Neutrophil count decreased (CTCAE v5.0)")
        s.page.fill("input[aria-label='Platelets result']", "60")
        grade_becomes(s, "PLAT", "Grade 2: Platelet count decreased")
        s.page.fill("input[aria-label='Hemoglobin result']", "95")
        grade_becomes(s, "HGB", "Grade 2: Anemia")
        s.page.fill("input[aria-label='ALT result']", "130")  # 3.25 × ULN 40
        grade_becomes(s, "ALT", "Grade 2: Alanine aminotransferase increased")
        # The grade follows the site's limit too: ULN 50 makes 130 U/L 2.6 × ULN, grade 1.
        s.page.fill("input[aria-label='ALT upper limit of normal']", "50")
        grade_becomes(s, "ALT", "Grade 1")
        s.page.fill("input[aria-label='Serum creatinine result']", "80")
        grade_becomes(s, "CREAT", "Grade 0")
        with s.page.expect_navigation():
            s.page.click("button:has-text('Save panel')")
        assert (
            "Laboratory panel UNSCHEDULED saved (5 results)."
            in s.page.locator(".flash").inner_text()
        )
        labs = s.page.locator("section:has(h3:text-is('Laboratory results'))").inner_text()
        assert "NEUT" in labs and "0.8" in labs and "LOW" in labs, labs
        assert "130 U/L\t0–50\tHIGH" in labs, labs

    browse(base, "inv", scenario)


def test_lab_panel_refuses_an_implausible_value_and_saves_nothing(site) -> None:
    base, subjects = site
    usubjid = subjects["earlier"]

    def scenario(s: Session) -> None:
        s.go(f"/t/001/subjects/{usubjid}/labs/panel/")
        s.page.select_option("#visit", "UNSCHEDULED")
        s.page.fill("#dtc", "2025-03-20")
        s.page.fill("input[aria-label='Platelets result']", "150")
        s.page.fill("input[aria-label='Hemoglobin result']", "900")  # above 250 g/L
        with s.page.expect_navigation():
            s.page.click("button:has-text('Save panel')")
        s.expected_refusal(400)
        assert "Result" in s.page.locator("tr[data-test='HGB'] .error").inner_text()
        s.go(f"/t/001/subjects/{usubjid}/")
        labs = s.page.locator("section:has(h3:text-is('Laboratory results'))").inner_text()
        assert "150 10^9/L" not in labs, labs  # all rows or none

    browse(base, "inv", scenario)
