"""The trial's analysis plan page and its JSON twin (issue 14 item 1): the same values and
provenance as the plan object `oncotrial sap show` prints, and the `sap check` findings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oncotrial.formats.plan_files import find_plan, write_plan_yaml
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.plan.check import check_plan
from oncotrial.plan.review import accept, find

ACCEPTED = "endpoints.ORR.population"
ACCEPTED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _reviewed_002(home: Path) -> None:
    """The user's reviewed copy of plan 002 with one assumption accepted."""
    plan = accept(find_plan("002").plan, [ACCEPTED], by="J. Xi, statistician", at=ACCEPTED_AT)
    write_plan_yaml(plan, home / "plans" / "002.yaml")


def _rows(page: dict) -> dict[str, dict]:
    rows = [*page["plan"]["general"], *page["plan"]["safety"]]
    for endpoint in page["plan"]["endpoints"]:
        rows += endpoint["values"]
    return {r["path"]: r for r in rows}


def test_the_json_twin_holds_the_plans_values_with_their_provenance(
    web, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOTRIAL_HOME", str(tmp_path / "home"))
    _reviewed_002(tmp_path / "home")
    trial = web.trial("002")
    monitor = web.member("mon", trial, "monitor")
    response = web.client(monitor).get(f"/t/{trial.trial_id}/plan/?format=json")
    assert response.status_code == 200
    page = response.json()
    plan = find_plan("002").plan
    assert plan.version == 2 and page["plan"]["version"] == 2
    rows = _rows(page)

    # the treatment-emergent window: start and days after the last dose, as the plan says
    start = rows["safety.window_start"]
    assert start["value"] == plan.safety.window_start.value.value
    assert start["value"] == "first protocol intervention of any kind"
    assert start["source"] == plan.safety.window_start.source.model_dump(mode="json")
    assert start["source"]["kind"] == "assumed" and start["status"] == "not yet accepted"
    after = rows["safety.window_days_after_last"]
    assert after["value"] == "90" and after["source"]["by"] == "oncotrial seed review"

    # the accepted assumption: who accepted it and when, as the plan records it
    population = rows[ACCEPTED]
    assert population["value"] == plan.endpoint("ORR").population.value.value
    assert population["status"] == "accepted"
    assert population["source"]["accepted"]["by"] == "J. Xi, statistician"
    assert population["source"] == find(plan, ACCEPTED).source.model_dump(mode="json")
    assert "accepted by J. Xi, statistician on 2026-11-02" in population["provenance"]

    # a derived value keeps its rule and quote
    criteria = rows["endpoints.ORR.criteria"]
    assert criteria["source"]["kind"] == "derived" and "mRECIST" in criteria["source"]["quote"]

    # the check: the same findings as `oncotrial sap check 002`
    result = check_plan(plan, find_protocol("002"))
    assert page["plan"]["check"]["open"] == len(result.open)
    listed = {
        (group["kind"], item["path"])
        for group in page["plan"]["check"]["findings"]
        for item in group["items"]
    }
    assert listed == {(f.kind.name.lower(), f.path) for f in result.findings}
    assert ("assumption", ACCEPTED) not in listed
    assert ("assumption", "safety.window_start") in listed
    html = web.client(monitor).get(f"/t/{trial.trial_id}/plan/").content.decode()
    assert "Endpoint ORR — Objective response rate" in html
    assert "Safety analysis (treatment-emergent window)" in html
    # the plan holds no allocation, and the page none of the trial's arm counts
    assert "by_arm" not in response.content.decode()


def test_a_trial_without_a_plan_says_so(
    web, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOTRIAL_HOME", str(tmp_path / "home"))
    trial = web.trial("001")
    reader = web.member("inv", trial, "investigator")
    # every bundled trial has a seed plan: an imported record without one is stood in for here
    monkeypatch.setattr("oncotrial.web.views.plan.find_trial_plan", lambda *ids: None)
    page = web.client(reader).get(f"/t/{trial.trial_id}/plan/?format=json").json()
    assert page["plan"] is None and "no reviewed statistical analysis plan" in page["absent"]
    html = web.client(reader).get(f"/t/{trial.trial_id}/plan/").content.decode()
    assert "no reviewed statistical analysis plan" in html


def test_only_members_of_the_trial_see_its_plan(web) -> None:
    trial = web.trial("002")
    stranger = web.user("stranger")
    response = web.client(stranger).get(f"/t/{trial.trial_id}/plan/?format=json")
    assert response.status_code in {403, 404}
