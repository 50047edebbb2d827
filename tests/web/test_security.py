"""Security: CSRF on every form, inert markup, SQL injection probes, login throttling, sessions."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .helpers import BASELINE, eligible_subject, generate_list, randomize

XSS = "<script>alert('x')</script>"
SQLI = (
    "' OR '1'='1",
    "1; DROP TABLE store_subject; --",
    '" OR 1=1 --',
    "001' UNION SELECT username, password FROM auth_user --",
    "%' OR 1=1 --",
)


@pytest.fixture
def world(web):
    admin = web.user("root", superuser=True)
    trial = web.trial("001", admin=admin)
    inv_user = web.member("inv", trial, "investigator")
    stat_user = web.member("stat", trial, "statistician")
    mon_user = web.member("mon", trial, "monitor")
    inv = web.client(inv_user)
    generate_list(web.client(stat_user))
    usubjid = eligible_subject(inv)
    randomize(inv, "001", usubjid)
    return web, {"admin": admin, "inv": inv_user, "stat": stat_user, "mon": mon_user}, usubjid


def _forms(usubjid: str) -> list[tuple[str, str]]:
    """(user, URL) of every form that changes something."""
    s = f"/t/001/subjects/{usubjid}"
    return [
        ("admin", "/trials/import/"),
        ("admin", "/t/001/team/"),
        ("inv", "/t/001/screening/"),
        ("inv", f"/t/001/screening/{usubjid}/"),
        ("inv", f"{s}/randomize/"),
        ("inv", f"{s}/assessments/new/"),
        ("inv", f"{s}/ae/new/"),
        ("inv", f"{s}/ecog/new/"),
        ("inv", f"{s}/lab/new/"),
        ("inv", f"{s}/exposure/new/"),
        ("inv", f"{s}/death/new/"),
        ("inv", "/account/password/"),
        ("stat", "/t/001/randomization/generate/"),
        ("stat", "/t/001/randomization/import/"),
        ("mon", "/t/001/queries/new/"),
        ("inv", "/logout/"),
    ]


def test_every_form_needs_its_csrf_token(world) -> None:
    web, people, usubjid = world
    for who, url in _forms(usubjid):
        client = web.client(people[who], csrf=True)
        response = client.post(url, {"action": "eligible", "seed": "000"})
        assert response.status_code == 403, (url, response.status_code)
        assert b"security token" in response.content, url
    # ... and that the token of a page is accepted
    client = web.client(people["inv"], csrf=True)
    page = client.get(f"/t/001/subjects/{usubjid}/ecog/new/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/t/001/subjects/{usubjid}/ecog/new/",
        {"csrfmiddlewaretoken": token, "visit": "SCREENING", "dtc": "2025-02-20", "score": "1"},
    )
    assert response.status_code == 302


def test_htmx_requests_carry_the_token_in_a_header(world) -> None:
    web, people, usubjid = world
    client = web.client(people["inv"], csrf=True)
    page = client.get(f"/t/001/subjects/{usubjid}/").content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    response = client.post(
        f"/t/001/subjects/{usubjid}/ecog/new/",
        {"visit": "SCREENING", "dtc": "2025-02-20", "score": "1"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 302


def test_a_lesion_location_of_script_renders_inert(world) -> None:
    from oncotrial.store import models as db

    web, people, usubjid = world
    inv = web.client(people["inv"])
    response = inv.post(
        f"/t/001/subjects/{usubjid}/assessments/new/",
        {**BASELINE, "nt-0-location": XSS, "nt-0-detail": XSS, "confirm": "on"},
    )
    assert response.status_code == 302
    lesion = db.Lesion.objects.get(link_id="NT01")
    assert lesion.location == XSS.upper()  # stored as entered (upper case), not altered
    # Corrected back to the raw text through the lesion form, then every page that shows it:
    edit = f"/t/001/subjects/{usubjid}/lesion/{lesion.pk}/"
    revision = inv.get(edit + "?format=json").json()["revision"]  # the form's hidden field
    correction = {"location": XSS, "reason": "probe", "confirm": "on", "revision": revision}
    assert inv.post(edit, correction).status_code == 302
    assessment = db.TumourAssessment.objects.get()
    for url in (
        f"/t/001/subjects/{usubjid}/assessments/{assessment.pk}/",
        edit,
        edit + "history/",
        f"/t/001/subjects/{usubjid}/assessments/new/",
    ):
        html = inv.get(url).content.decode()
        assert "<script>alert" not in html.lower(), url
        assert "&lt;script&gt;alert(" in html.lower() or "&lt;SCRIPT&gt;" in html, url
    data = inv.get(edit + "?format=json")
    assert data["Content-Type"].startswith("application/json")


def test_markup_in_every_free_text_field_is_escaped(world) -> None:
    web, people, usubjid = world
    inv = web.client(people["inv"])
    mon = web.client(people["mon"])
    s = f"/t/001/subjects/{usubjid}"
    inv.post(
        f"{s}/medication/new/",
        {"cat": "CONCOMITANT MEDICATION", "trt": XSS, "indication": XSS, "stdtc": "2025-03-02"},
    )
    mon.post("/t/001/queries/new/", {"subject": usubjid, "text": XSS, "field": XSS})
    inv.post("/t/001/queries/1/", {"action": "answer", "text": XSS})
    for client, url in ((inv, f"{s}/"), (inv, "/t/001/queries/"), (inv, "/t/001/queries/1/")):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html.lower(), url
    # Query strings are echoed escaped too.
    html = inv.get("/t/001/subjects/", {"q": XSS}).content.decode()
    assert "<script>alert" not in html.lower()


def test_responses_carry_the_security_headers(world) -> None:
    web, people, _ = world
    response = web.client(people["inv"]).get("/t/001/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "<script>" not in html  # no inline script anywhere
    assert not re.search(r"\sstyle=", html)  # nor inline styles (CSP style-src 'self')
    assert not re.search(r"\son[a-z]+=", html)  # nor inline event handlers


def _counts():
    from django.contrib.auth import get_user_model

    from oncotrial.store import models as db

    return (
        db.Subject.objects.count(),
        db.Trial.objects.count(),
        get_user_model().objects.count(),
        db.Disposition.objects.count(),
    )


@pytest.mark.parametrize("probe", SQLI)
def test_sql_injection_probes_on_query_parameters(world, probe: str) -> None:
    web, people, usubjid = world
    inv = web.client(people["inv"])
    before = _counts()
    s = f"/t/001/subjects/{usubjid}"
    gets = [
        ("/t/001/subjects/", {"q": probe}),
        ("/t/001/subjects/", {"status": probe, "sort": probe}),
        ("/t/001/queries/", {"status": probe}),
        ("/ctcae/terms/", {"term": probe}),
        ("/ctcae/grades/", {"term": probe, "grade": probe}),
        (f"{s}/ae/new/", {"refresh": "1", "term": probe, "grade": probe}),
        (f"{s}/vital/new/", {"refresh": "1", "test": probe}),
        (f"{s}/assessments/new/", {"evaluator": probe}),
        ("/t/001/queries/new/", {"subject": probe, "entity": probe, "record": probe}),
        ("/t/001/", {"format": probe}),
    ]
    for url, params in gets:
        response = inv.get(url, params)
        assert response.status_code < 500, (url, params)
        assert b"Traceback" not in response.content
    for url in (f"/t/{probe}/", f"/t/001/subjects/{probe}/", f"/t/001/screening/{probe}/"):
        assert inv.get(url).status_code == 404, url
    subjects = inv.get("/t/001/subjects/", {"q": probe, "format": "json"}).json()["subjects"]
    assert subjects == []  # the probe matches nothing; it is a search string, not SQL
    assert _counts() == before


@pytest.mark.parametrize("probe", SQLI)
def test_sql_injection_probes_on_form_fields(world, probe: str) -> None:
    from oncotrial.store import models as db

    web, people, usubjid = world
    inv, stat, mon = (web.client(people[k]) for k in ("inv", "stat", "mon"))
    admin = web.client(people["admin"])
    s = f"/t/001/subjects/{usubjid}"
    posts = [
        (admin, "/trials/import/", {"seed": probe}),
        (admin, "/t/001/team/", {"action": "add", "username": probe, "role": probe}),
        (admin, "/t/001/team/", {"action": "remove", "membership": probe, "reason": probe}),
        (inv, "/t/001/screening/", {"site": probe, "consent_date": probe, "record_text": probe}),
        (inv, f"/t/001/screening/{usubjid}/", {"action": probe}),
        (inv, f"{s}/randomize/", {"date": probe}),
        (
            inv,
            f"{s}/assessments/new/",
            {**BASELINE, "visit": probe, "date": probe, "t-0-location": probe, "t-0-value": probe},
        ),
        (inv, f"{s}/ae/new/", {"term": probe, "grade": probe, "stdtc": probe, "serious": probe}),
        (inv, f"{s}/lab/new/", {"test": probe, "value": probe, "dtc": probe}),
        (inv, f"{s}/medication/new/", {"cat": probe, "trt": probe, "stdtc": "2025-03-02"}),
        (
            stat,
            "/t/001/randomization/generate/",
            {"seed": probe, "slots": probe, "block_sizes": probe},
        ),
        (stat, "/t/001/randomization/import/", {"group_codes": probe}),
        (
            mon,
            "/t/001/queries/new/",
            {"subject": probe, "entity": probe, "record": probe, "text": probe},
        ),
        (mon, "/t/001/queries/1/", {"action": probe, "text": probe}),
    ]
    before = _counts()
    for client, url, data in posts:
        response = client.post(url, data)
        assert response.status_code < 500, (url, data, response.status_code)
    after = _counts()
    assert after == before
    # A probe typed as free text is stored as text, exactly.
    inv.post(
        f"{s}/medication/new/",
        {"cat": "CONCOMITANT MEDICATION", "trt": probe, "stdtc": "2025-03-02"},
    )
    assert db.Medication.objects.get().trt == probe.upper()
    assert _counts() == before


def test_login_is_throttled_after_five_failures(web, monkeypatch) -> None:
    from django.utils import timezone

    from oncotrial.web.views import auth

    web.user("alice", password="Right-Password-42")
    web.user("bob", password="Right-Password-42")
    client = web.client()
    now = [timezone.now()]
    monkeypatch.setattr(auth.timezone, "now", lambda: now[0])
    for _ in range(5):
        response = client.post("/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 401
        assert b"not right" in response.content
    locked = client.post("/login/", {"username": "alice", "password": "Right-Password-42"})
    assert locked.status_code == 429 and b"Too many failed sign-in attempts" in locked.content
    # The lock is per account: bob signs in; an unknown name reads the same as a known one.
    assert (
        client.post("/login/", {"username": "bob", "password": "Right-Password-42"}).status_code
        == 302
    )
    client.post("/logout/")
    for _ in range(5):
        client.post("/login/", {"username": "nobody", "password": "x"})
    ghost = client.post("/login/", {"username": "nobody", "password": "x"})
    assert ghost.status_code == 429
    # After the back-off (30 s after the fifth failure) the address may try again.
    now[0] = now[0] + dt.timedelta(seconds=32)
    fresh = web.client()
    assert (
        fresh.post("/login/", {"username": "alice", "password": "Right-Password-42"}).status_code
        == 302
    )


def test_login_back_off_doubles_and_never_locks_out_another_address(web, monkeypatch) -> None:
    """Guessing alice's password from one address cannot keep alice out from hers (issue 13)."""
    from django.test import Client
    from django.utils import timezone

    from oncotrial.web.views import auth

    web.user("alice", password="Right-Password-42")
    now = [timezone.now()]
    monkeypatch.setattr(auth.timezone, "now", lambda: now[0])
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    alice = Client(REMOTE_ADDR="198.51.100.7")
    wrong = {"username": "alice", "password": "wrong"}
    right = {"username": "alice", "password": "Right-Password-42"}
    for _ in range(5):
        assert attacker.post("/login/", wrong).status_code == 401
    # The back-off after the 5th, 6th, 7th failure: 30 s, 60 s, 120 s (doubling).
    for wait in (30, 60, 120):
        assert attacker.post("/login/", wrong).status_code == 429
        now[0] += dt.timedelta(seconds=wait - 2)
        assert attacker.post("/login/", right).status_code == 429  # not even checked
        now[0] += dt.timedelta(seconds=4)
        assert attacker.post("/login/", wrong).status_code == 401
    assert alice.post("/login/", right).status_code == 302  # never locked out by the attacker


def test_login_from_one_address_is_throttled_across_names(web, monkeypatch) -> None:
    client = web.client()
    for n in range(20):
        client.post("/login/", {"username": f"user{n}", "password": "x"})
    web.user("carol", password="Right-Password-42")
    response = client.post("/login/", {"username": "carol", "password": "Right-Password-42"})
    assert response.status_code == 429


def test_login_redirects_only_to_this_site(web) -> None:
    web.user("alice", password="Right-Password-42")
    client = web.client()
    evil = client.post(
        "/login/",
        {"username": "alice", "password": "Right-Password-42", "next": "https://evil.example/"},
    )
    assert evil.status_code == 302 and evil["Location"] == "/"


def test_sessions_expire_when_idle_and_after_the_longest_day(world) -> None:
    import time

    web, people, _ = world
    client = web.client(people["inv"])
    assert client.get("/t/001/").status_code == 200
    session = client.session
    session["oncotrial_seen"] = time.time() - 31 * 60
    session.save()
    expired = client.get("/t/001/")
    assert expired.status_code == 302 and expired["Location"] == "/login/?expired=1"
    assert client.get("/t/001/").status_code == 302  # logged out for good
    client = web.client(people["inv"])
    client.get("/")
    session = client.session
    session["oncotrial_started"] = time.time() - 13 * 3600
    session.save()
    assert client.get("/").status_code == 302


def test_passwords_are_hashed(web) -> None:
    user = web.user("alice", password="Right-Password-42")
    assert "Right-Password-42" not in user.password and user.password.count("$") >= 2


@pytest.mark.parametrize(
    "username", ["<b>eve</b>", "eve smith", "e", "-eve", "eve\"'", "ève", "x" * 65]
)
def test_user_names_are_plain(web, username: str) -> None:
    """Issue 13 item 11: a user name with markup was accepted."""
    from django.contrib.auth import get_user_model

    admin = web.user("root", superuser=True)
    web.trial("001", admin=admin)
    response = web.client(admin).post(
        "/t/001/team/",
        {"action": "add", "username": username, "role": "monitor", "password": "Long-Pass-Word-93"},
    )
    assert response.status_code == 400 and b"is not a user name" in response.content
    assert not get_user_model().objects.filter(username=username).exists()
    ok = web.client(admin).post(
        "/t/001/team/",
        {
            "action": "add",
            "username": "eve.smith-2",
            "role": "monitor",
            "password": "Long-Pass-Word-93",
        },
    )
    assert ok.status_code == 302


def test_head_is_answered_where_get_is(web) -> None:
    """Issue 13 item 11: HEAD /login/ answered 405."""
    client = web.client()
    get = client.get("/login/")
    head = client.head("/login/")
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(get.content))
    assert head["Content-Type"] == get["Content-Type"]
    admin = web.user("root", superuser=True)
    web.trial("001", admin=admin)
    signed_in = web.client(admin)
    assert signed_in.head("/t/001/").status_code == 200
    assert signed_in.head("/logout/").status_code == 405  # POST only: no GET, no HEAD
