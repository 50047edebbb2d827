"""An investigator pages through a trial of 120 screened subjects in Chromium: 50 a page, the
page links keep the filter, page 2 shows subjects 51–100 (issue 13: the list is paged)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import Session, browse, prepared_server, user
from .test_page_queries import _screened

pytestmark = pytest.mark.browser


def _setup(world: Any) -> str:
    trial = world.trial("001")
    inv = user(world, "inv", trial, "investigator")
    _screened(trial, inv, 1, 120)
    return str(trial.trial_id)


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, shared: Path, chromium_executable: Path
) -> Iterator[tuple[str, str]]:
    with prepared_server(tmp_path_factory.mktemp("subjectpages"), shared, _setup) as made:
        yield made


def _shown(s: Session) -> list[str]:
    texts: list[str] = s.page.locator("tbody tr td:first-child a").all_inner_texts()
    return texts


def test_an_investigator_pages_through_the_subject_list(site: tuple[str, str]) -> None:
    base, trial_id = site

    def investigator(s: Session) -> None:
        s.go(f"/t/{trial_id}/subjects/")
        assert _shown(s) == [f"001-01-{k:04d}" for k in range(1, 51)]
        assert "Subjects 1–50 of 120" in s.page.locator("nav.pager").inner_text()
        with s.page.expect_navigation():
            s.page.click("nav.pager a:text-is('2')")
        assert _shown(s) == [f"001-01-{k:04d}" for k in range(51, 101)]
        assert s.page.locator("nav.pager [aria-current=page]").inner_text() == "2"
        with s.page.expect_navigation():
            s.page.click("nav.pager a[rel=next]")
        assert _shown(s) == [f"001-01-{k:04d}" for k in range(101, 121)]
        # a filter, then page 2 of what it matches: the eligible (odd-numbered) subjects
        s.page.select_option("#status", "eligible")
        with s.page.expect_navigation():
            s.page.click("button:has-text('Show')")
        assert _shown(s) == [f"001-01-{k:04d}" for k in range(1, 101, 2)]
        with s.page.expect_navigation():
            s.page.click("nav.pager a:text-is('2')")
        assert _shown(s) == [f"001-01-{k:04d}" for k in range(101, 121, 2)]
        assert s.page.locator("#status").input_value() == "eligible"
        # a subject's row leads to their page
        with s.page.expect_navigation():
            s.page.click("a:text-is('001-01-0103')")
        assert s.page.url.endswith(f"/t/{trial_id}/subjects/001-01-0103/")

    browse(base, "inv", investigator)
