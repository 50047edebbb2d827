"""Results: the trial report built from the database, its files, and the trial page's summary."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def simulated(web):
    """Seed 002 simulated (25 patients) and stored, with a statistician and an investigator."""
    from oncotrial.formats.ctcae import load_ctcae
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.simulate import simulate_trial
    from oncotrial.store import models as db
    from oncotrial.store.audit import acting_as, get_user
    from oncotrial.store.trials import store_simulation

    admin = web.user("root", superuser=True)
    dictionary = load_ctcae()
    result = simulate_trial(find_protocol("NCT07064876"), 25, 7, ctcae=dictionary)
    with acting_as(get_user("root")):
        store_simulation(result, user="root", ctcae=dictionary)
    trial = db.Trial.objects.get(trial_id="NCT07064876")
    stat = web.member("stat", trial, "statistician")
    inv = web.member("inv", trial, "investigator")
    mon = web.member("mon", trial, "monitor")
    return trial, {"stat": web.client(stat), "inv": web.client(inv), "mon": web.client(mon)}, admin


def test_report_is_built_and_its_files_served(simulated) -> None:
    from oncotrial.analysis import analyse_trial
    from oncotrial.app.trial_data import load_from_store
    from oncotrial.formats.ctcae import load_ctcae
    from oncotrial.report.trial import headline

    _, clients, _ = simulated
    stat = clients["stat"]
    response = stat.post("/t/NCT07064876/results/build/", {"cutoff": "2026-10-31"}, follow=True)
    assert b"Report built with data cut-off 2026-10-31" in response.content
    page = stat.get("/t/NCT07064876/results/?format=json").json()
    (report,) = page["reports"]
    assert report["cutoff"] == "2026-10-31" and report["simulated"] is True
    # The headlines are the engines' own, for the same data and cut-off.
    import datetime as dt

    from oncotrial.formats.plan_files import find_plan

    # the report follows the trial's reviewed analysis plan (safety from the cryoablation)
    results = analyse_trial(
        load_from_store("NCT07064876"),
        cutoff=dt.date(2026, 10, 31),
        ctcae=load_ctcae(),
        sap=find_plan("002").plan,
    )
    assert [e["result"] for e in report["endpoints"]] == [headline(i) for i in results.endpoints]
    assert report["flow"]["enrolled"] == results.consort.enrolled == 17  # by 2026-10-31
    html = stat.get(report["files"]["html"])
    body = b"".join(html.streaming_content).decode()
    assert html["Content-Type"].startswith("text/html")
    assert "script-src" not in html["Content-Security-Policy"]  # no script allowed at all
    assert "<script" not in body.lower() and "Objective response rate" in body
    pdf = stat.get(report["files"]["pdf"])
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = stat.get(report["files"]["xlsx"])
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert "attachment" in xlsx["Content-Disposition"]
    linked = re.search(r'href="(tables/[^"]+\.csv)"', body).group(1)
    table = stat.get(report["files"]["html"].rsplit("/", 1)[0] + "/" + linked)
    assert table.status_code == 200 and table["Content-Type"].startswith("text/csv")
    tables = stat.get(report["files"]["tables"])
    assert tables["Content-Type"] == "application/zip" and len(tables.content) > 100
    kinds = {f["id"].rsplit("-", 1)[-1] for f in report["figures"]}
    assert {"km", "waterfall"} <= kinds
    figure = stat.get(report["figures"][0]["url"])
    assert b"".join(figure.streaming_content).startswith(b"\x89PNG")


def test_the_trial_page_shows_the_study_results(simulated) -> None:
    _, clients, _ = simulated
    clients["stat"].post("/t/NCT07064876/results/build/", {})
    for who in ("stat", "inv"):  # an open-label trial: the investigator may see results
        page = clients[who].get("/t/NCT07064876/").content.decode()
        assert "Study Results" in page and "Participant flow" in page
        assert re.search(r'<img src="/t/NCT07064876/results/\d+/figures/[^"]+-km.png"', page)
    monitor = clients["mon"].get("/t/NCT07064876/?format=json").json()
    assert monitor["results"] is None
    assert clients["mon"].get("/t/NCT07064876/results/").status_code == 403


def test_bad_cutoffs_and_foreign_files_are_refused(simulated) -> None:
    _, clients, _ = simulated
    stat = clients["stat"]
    future = stat.post("/t/NCT07064876/results/build/", {"cutoff": "2999-01-01"}, follow=True)
    assert b"is in the future" in future.content
    nonsense = stat.post("/t/NCT07064876/results/build/", {"cutoff": "soon"}, follow=True)
    assert b"is not a date" in nonsense.content
    stat.post("/t/NCT07064876/results/build/", {})
    build = stat.get("/t/NCT07064876/results/?format=json").json()["reports"][0]["id"]
    for name in ("../../web-secret-key", "settings.py", "report.exe", "tables/../../x.csv"):
        assert stat.get(f"/t/NCT07064876/results/{build}/{name}").status_code == 404
    assert stat.get(f"/t/NCT07064876/results/{build}/figures/x.png").status_code == 404
