"""The trial page's Study Results show the ClinicalTrials.gov results section drafted from the
same report build (docs/results.md), marked as a draft, with its files served."""

from __future__ import annotations

import json
import re

from .test_results import simulated  # noqa: F401  (the fixture: seed 002 simulated and stored)


def test_the_trial_page_offers_the_draft_results_section(simulated) -> None:  # noqa: F811
    _, clients, _ = simulated
    stat = clients["stat"]
    stat.post("/t/NCT07064876/results/build/", {"cutoff": "2026-10-31"})
    report = stat.get("/t/NCT07064876/results/?format=json").json()["reports"][0]
    page = stat.get("/t/NCT07064876/").content.decode()
    assert "ClinicalTrials.gov results section" in page and "draft — not approved" in page
    link = re.search(r'href="(/t/NCT07064876/results/\d+/ctgov-results\.html)"', page).group(1)
    html = stat.get(link)
    body = b"".join(html.streaming_content).decode()
    assert "DRAFT" in body and "Participant Flow" in body and "<script" not in body.lower()
    assert "script-src" not in html["Content-Security-Policy"]
    download = stat.get(report["files"]["ctgov_json"])
    assert "attachment" in download["Content-Disposition"]
    section = json.loads(b"".join(download.streaming_content))["resultsSection"]
    started = section["participantFlowModule"]["periods"][0]["milestones"][0]
    assert started["type"] == "STARTED"
    # The same numbers as the report build's participant flow (by the same cut-off).
    assert [int(a["numSubjects"]) for a in started["achievements"]] == [
        arm["allocated"] for arm in report["flow"]["arms"]
    ]
    assert report["ctgov"]["errors"] == 0, report["ctgov"]["findings"]


def test_an_imported_record_shows_the_registrys_own_results(web, shared) -> None:
    """NCT02552212 (reference record with results) keeps them through import and shows them."""
    from oncotrial.protocol.importers import import_protocols
    from oncotrial.web.trials import import_trial

    admin = web.user("root", superuser=True)
    record = shared / "reference" / "ctgov" / "NCT02552212.json"
    (protocol,) = import_protocols(record.read_text(), record.name, "x")
    import_trial(protocol, user=admin)
    page = web.client(admin).get("/t/NCT02552212/").content.decode()
    assert "as posted on the registry" in page
    posted = json.loads(record.read_text())["resultsSection"]
    period = posted["participantFlowModule"]["periods"][0]
    assert period["title"] in page
    assert posted["outcomeMeasuresModule"]["outcomeMeasures"][0]["title"] in page
    assert "<script" not in page.split('id="registry-results"')[1].split("</section>")[0]
