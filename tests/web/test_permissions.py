"""Every role × every page: who may open what, and nothing of another trial or without login.

The expectations are written out here from the issue's role descriptions (investigator and data
manager enter data, the statistician sees results and the concealed list, the monitor reads and
raises queries, the administrator manages the team), independently of the permission table in
``oncotrial.web.roles``.
"""

from __future__ import annotations

import pytest

from .helpers import BASELINE, eligible_subject, generate_list, randomize

ROLES = ("investigator", "data_manager", "statistician", "monitor", "administrator")
READERS = {"investigator", "data_manager", "statistician", "monitor"}
ENTERERS = {"investigator", "data_manager"}
EVERYONE = set(ROLES)


@pytest.fixture
def world(web):
    admin = web.user("root", superuser=True)
    trial = web.trial("001", admin=admin)
    other = web.trial("NCT07064876", admin=admin)
    people = {role: web.member(role, trial, role) for role in ROLES}
    people["outsider"] = web.member("outsider", other, *ROLES)
    inv = web.client(people["investigator"])
    generate_list(web.client(people["statistician"]))
    usubjid = eligible_subject(inv)
    randomize(inv, "001", usubjid)
    inv.post(f"/t/001/subjects/{usubjid}/assessments/new/", BASELINE)
    inv.post(
        f"/t/001/subjects/{usubjid}/ae/new/",
        {
            "term": "Fatigue", "grade": "1", "stdtc": "2025-04-01", "serious": "N",
            "rel": "RELATED", "acn": "DOSE NOT CHANGED", "outcome": "RECOVERING/RESOLVING",
        },
    )  # fmt: skip
    web.client(people["monitor"]).post(
        "/t/001/queries/new/", {"subject": usubjid, "text": "Please check the start date."}
    )
    from oncotrial.store import models as db
    from oncotrial.store.conduct import Query

    ids = {
        "ae": db.AdverseEvent.objects.get().pk,
        "assessment": db.TumourAssessment.objects.get().pk,
        "query": Query.objects.get().pk,
    }
    return web, people, usubjid, ids


def pages(usubjid: str, ids: dict[str, int]) -> list[tuple[str, str, dict, set[str]]]:
    s = f"/t/001/subjects/{usubjid}"
    ae = f"{s}/ae/{ids['ae']}/"
    return [
        ("get", "/t/001/", {}, EVERYONE),
        ("get", "/t/001/plan/", {}, EVERYONE),
        ("get", "/t/001/subjects/", {}, READERS),
        ("get", f"{s}/", {}, READERS),
        ("get", "/t/001/visits/", {}, READERS),
        ("get", "/t/001/screening/", {}, ENTERERS),
        ("get", f"/t/001/screening/{usubjid}/", {}, READERS),
        ("post", f"/t/001/screening/{usubjid}/", {"action": "checklist"}, ENTERERS),
        ("get", "/t/001/randomization/", {}, READERS),
        ("get", "/t/001/randomization/list/", {}, {"statistician"}),
        ("get", "/t/001/randomization/list.csv", {}, {"statistician"}),
        ("post", "/t/001/randomization/generate/", {"seed": "1", "slots": "4", "block_sizes": "4"}, {"statistician"}),
        ("post", "/t/001/randomization/import/", {}, {"statistician"}),
        ("get", f"{s}/randomize/", {}, ENTERERS),
        ("get", f"{s}/assessments/new/", {}, ENTERERS),
        ("get", f"{s}/assessments/{ids['assessment']}/", {}, READERS),
        ("get", f"{s}/ae/new/", {}, ENTERERS),
        ("get", ae, {}, READERS),
        ("post", ae, {"reason": "x"}, ENTERERS),
        ("get", ae + "history/", {}, READERS),
        ("get", "/t/001/queries/", {}, READERS),
        ("get", "/t/001/queries/new/", {}, {"monitor"}),
        ("get", f"/t/001/queries/{ids['query']}/", {}, READERS),
        ("post", f"/t/001/queries/{ids['query']}/", {"action": "answer", "text": "ok"}, ENTERERS),
        ("post", f"/t/001/queries/{ids['query']}/", {"action": "close"}, {"monitor"}),
        ("get", "/t/001/team/", {}, {"administrator"}),
        ("get", "/t/001/results/", {}, {"investigator", "statistician"}),
        ("get", "/t/001/results/sdtm-csv.zip", {}, {"investigator", "statistician"}),
        ("post", "/t/001/results/build/", {"cutoff": "soon"}, {"investigator", "statistician"}),
    ]  # fmt: skip


def test_every_role_on_every_page(world) -> None:
    web, people, usubjid, ids = world
    failures = []
    for role in ROLES:
        client = web.client(people[role])
        for method, url, data, allowed in pages(usubjid, ids):
            status = getattr(client, method)(url, data).status_code
            ok = status not in (403, 404) if role in allowed else status == 403
            if not ok or status >= 500:
                failures.append(f"{role:14} {method.upper():4} {url} → {status}")
    assert failures == [], "\n".join(failures)


def test_another_trials_member_sees_nothing(world) -> None:
    web, people, usubjid, ids = world
    client = web.client(people["outsider"])
    for method, url, data, _ in pages(usubjid, ids):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert usubjid.encode() not in response.content
    home = client.get("/?format=json").json()
    assert [t["trial_id"] for t in home["trials"]] == ["NCT07064876"]
    trial_page = client.get("/t/NCT07064876/?format=json").json()
    # 001 is related (same kind of trial) but not the outsider's: it is not shown.
    assert all(r["trial_id"] != "001" for r in trial_page["related"])


def test_no_page_without_login(world) -> None:
    web, _, usubjid, ids = world
    anonymous = web.client()
    urls = [url for _, url, _, _ in pages(usubjid, ids)]
    urls += ["/", "/trials/import/", "/account/password/", "/ctcae/terms/?term=rash",
             "/ctcae/grades/?term=Rash%20acneiform", "/t/NCT07064876/"]  # fmt: skip
    for url in urls:
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith("/login/?next="), (url, response["Location"])
    assert anonymous.get("/login/").status_code == 200
    assert anonymous.get("/static/app.css").status_code == 200
    assert anonymous.get("/static/../settings.py").status_code in (302, 404)


def test_only_the_site_administrator_imports_trials(world) -> None:
    web, people, _, _ = world
    for role in ROLES:
        response = web.client(people[role]).post("/trials/import/", {"seed": "000"})
        assert response.status_code == 403, role
    assert (
        web.client(web.user("site", superuser=True))
        .post("/trials/import/", {"seed": "000"})
        .status_code
        == 302
    )


def test_arms_are_hidden_in_a_masked_trial(web) -> None:
    """A masked trial shows a subject's arm only to roles that may be unblinded."""
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.protocol.vocabulary import Masking
    from oncotrial.web.roles import Permission, Role, permissions_of
    from oncotrial.web.trials import import_trial

    assert Permission.VIEW_RESULTS not in permissions_of({Role.INVESTIGATOR}, masked=True)
    assert Permission.VIEW_RESULTS in permissions_of({Role.INVESTIGATOR}, masked=False)
    assert Permission.VIEW_RESULTS in permissions_of({Role.STATISTICIAN}, masked=True)
    admin = web.user("root", superuser=True)
    open_label = find_protocol("001")
    masked = open_label.model_copy(
        update={
            "identity": open_label.identity.model_copy(update={"local_id": "001M"}),
            "design": open_label.design.model_copy(update={"masking": Masking.DOUBLE}),
        }
    )
    trial = import_trial(masked, user=admin)
    inv = web.client(web.member("inv", trial, "investigator"))
    stat = web.client(web.member("stat", trial, "statistician"))
    generate_list(stat, trial_id="001M")
    usubjid = eligible_subject(inv, trial_id="001M")
    shown = randomize(inv, "001M", usubjid)
    assert shown["arm_code"] is None and shown["arm"] is None and shown["stratum"] is None
    row = inv.get("/t/001M/subjects/?format=json").json()["subjects"][0]
    assert row["arm_code"] is None and row["status"] == "on study"
    assert b"Maintenance therapy +" not in inv.get(f"/t/001M/subjects/{usubjid}/").content
    progress = inv.get("/t/001M/?format=json").json()["progress"]
    assert progress["by_arm"] == [] and progress["enrolled"] == 1
    unblinded = stat.get("/t/001M/subjects/?format=json").json()["subjects"][0]
    assert unblinded["arm_code"] in {"A", "B"}
