"""A trial team's work through the web application, checked in the database behind it."""

from __future__ import annotations

import html
import json
import re

import pytest

from oncotrial.enrollment import AllocationScheme, generate_allocation_list

from .helpers import (
    BASELINE,
    eligible_subject,
    generate_list,
    patient_001,
    patient_002,
    randomize,
    register_eligible,
    screen,
)


@pytest.fixture
def team(web):
    admin = web.user("root", superuser=True)
    trial = web.trial("001", admin=admin)
    people = {
        "admin": admin,
        "inv": web.member("inv", trial, "investigator"),
        "dm": web.member("dm", trial, "data_manager"),
        "stat": web.member("stat", trial, "statistician"),
        "mon": web.member("mon", trial, "monitor"),
    }
    return trial, {k: web.client(v) for k, v in people.items()}, people


def test_import_makes_trial_protocol_sites_and_administrator(web) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.conduct import Membership

    admin = web.user("root", superuser=True)
    client = web.client(admin)
    response = client.post("/trials/import/", {"seed": "NCT07064876"})
    assert response.status_code == 302 and response["Location"] == "/t/NCT07064876/"
    trial = db.Trial.objects.get(trial_id="NCT07064876")
    assert trial.protocol_versions.count() == 1
    assert list(trial.sites.values_list("site_id", flat=True))[:1] == ["01"]
    assert Membership.objects.filter(trial=trial, user=admin, role="administrator").exists()
    again = client.post("/trials/import/", {"seed": "NCT07064876"})
    assert again.status_code == 400 and b"already in the database" in again.content
    assert db.Trial.objects.filter(trial_id="NCT07064876").count() == 1


def test_import_of_a_registry_record_upload(web, shared) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = web.user("root", superuser=True)
    record = (shared / "reference" / "ctgov" / "NCT04267848.json").read_bytes()
    response = web.client(admin).post(
        "/trials/import/", {"record": SimpleUploadedFile("NCT04267848.json", record)}
    )
    assert response.status_code == 302 and response["Location"] == "/t/NCT04267848/"
    legacy = (shared / "reference" / "ctgov" / "NCT04780763.json").read_bytes()
    refused = web.client(admin).post(
        "/trials/import/", {"record": SimpleUploadedFile("NCT04780763.json", legacy)}
    )
    assert refused.status_code == 400
    assert b"NCT04780763.json" in refused.content  # the user's file name, not a temporary one


def test_screening_registers_the_subject_at_consent(team) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.conduct import ScreeningRecord

    trial, clients, _ = team
    usubjid = screen(clients["inv"], "001", patient_001())
    assert usubjid == "001-01-0001"
    subject = db.Subject.objects.get(trial=trial, usubjid=usubjid)
    assert (subject.subjid, subject.siteid, subject.sex, subject.age) == ("01-0001", "01", "M", 68)
    assert subject.rficdtc == "2025-02-20" and subject.brthdtc == "1956"
    consent = db.Disposition.objects.get(subject=subject)
    assert consent.decod == "INFORMED CONSENT OBTAINED" and consent.stdtc == "2025-02-20"
    record = ScreeningRecord.objects.get(subject=subject)
    assert record.overall == "eligible" and record.decision == ""
    assert screen(clients["dm"], "001", patient_001("P002")) == "001-01-0002"
    # Once enrolled, the schedule's screening visit is dated at consent, not the day of entry.
    register_eligible(clients["inv"], "001", usubjid)
    generate_list(clients["stat"])
    randomize(clients["inv"], "001", usubjid)
    page = clients["inv"].get(f"/t/001/subjects/{usubjid}/?format=json").json()
    visit = next(v for v in page["schedule"]["visits"] if v["visit"] == "SCREENING")
    assert visit["performed"] == "2025-02-20", visit


def test_eligible_needs_every_checklist_item_answered(team) -> None:
    _, clients, _ = team
    inv = clients["inv"]
    usubjid = screen(inv, "001", patient_001())
    url = f"/t/001/screening/{usubjid}/"
    refused = inv.post(url, {"action": "eligible"})
    assert refused.status_code == 400 and b"checklist items not answered" in refused.content
    state = inv.get(url + "?format=json").json()
    assert state["checklist_open"] and state["overall"] == "eligible"
    first, *others = state["checklist_open"]
    answers = {f"answer:{c}": "passes" for c in others}
    inv.post(url, {"action": "checklist", f"answer:{first}": "fails", **answers})
    blocked = inv.post(url, {"action": "eligible"})
    assert blocked.status_code == 400 and b"judged not passing" in blocked.content
    register_eligible(inv, "001", usubjid)
    assert inv.get(url + "?format=json").json()["decision"] == "eligible"


def test_screen_failure_records_ds_ie_and_dm(team) -> None:
    from oncotrial.store import models as db

    trial, clients, _ = team
    inv = clients["inv"]
    record = patient_001()
    record["performance_status"] = [{"scale": "ECOG", "score": 3, "date": "2025-02-20"}]
    usubjid = screen(inv, "001", record)
    state = inv.get(f"/t/001/screening/{usubjid}/?format=json").json()
    assert state["overall"] == "not eligible" and state["failing"] == ["I4"]
    response = inv.post(
        f"/t/001/screening/{usubjid}/",
        {"action": "failure", "criterion": ["I4"], "date": "2025-02-22"},
    )
    assert response.status_code == 302
    subject = db.Subject.objects.get(trial=trial, usubjid=usubjid)
    failure = db.Disposition.objects.get(subject=subject, decod="SCREEN FAILURE")
    assert failure.term.startswith("I4: EASTERN COOPERATIVE") and failure.stdtc == "2025-02-22"
    ie = db.Finding.objects.get(subject=subject, domain="IE")
    assert (ie.testcd, ie.cat, ie.orres) == ("IN04", "INCLUSION", "N")
    assert subject.armnrs == "SCREEN FAILURE"
    summary = inv.get("/t/001/subjects/?format=json").json()["subjects"][0]
    assert summary["status"] == "screen failure"
    # Nothing more can be decided for this subject.
    again = inv.post(f"/t/001/screening/{usubjid}/", {"action": "eligible"})
    assert again.status_code == 400


def test_randomization_takes_the_next_slot_and_shows_that_arm_only(team) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.conduct import AllocationSlot

    trial, clients, _ = team
    inv, stat = clients["inv"], clients["stat"]
    first = eligible_subject(inv, "001", "P1")
    no_list = inv.post(f"/t/001/subjects/{first}/randomize/", {"date": "2025-03-01"})
    assert no_list.status_code == 400 and b"no allocation list yet" in no_list.content
    generate_list(stat, seed=12345, slots=40)
    expected = generate_allocation_list(
        AllocationScheme(("A", "B"), (1, 1), (4, 6), (), seed=12345, slots_per_stratum=40)
    )
    arms = []
    for n in range(1, 6):
        usubjid = first if n == 1 else eligible_subject(inv, "001", f"P{n}")
        result = randomize(inv, "001", usubjid)
        assert set(result) == {"usubjid", "randomized", "date", "stratum", "arm_code", "arm"}
        arms.append(result["arm_code"])
        subject = db.Subject.objects.get(trial=trial, usubjid=usubjid)
        assert subject.armcd == result["arm_code"]
        ds = db.Disposition.objects.get(subject=subject, decod="RANDOMIZED")
        assert (ds.stdtc, ds.cat, ds.term) == ("2025-03-01", "PROTOCOL MILESTONE", "RANDOMIZED")
    assert arms == [s.arm for s in expected.slots[:5]]
    used = list(
        AllocationSlot.objects.filter(subject__isnull=False)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert used == [1, 2, 3, 4, 5]
    twice = inv.post(f"/t/001/subjects/{first}/randomize/?format=json", {"date": "2025-03-01"})
    assert twice.status_code == 200 and twice.json()["already"] == "2025-03-01"
    assert AllocationSlot.objects.filter(subject__isnull=False).count() == 5


def test_a_used_list_is_locked(team) -> None:
    from oncotrial.store.conduct import RandomizationScheme

    _, clients, _ = team
    inv, stat = clients["inv"], clients["stat"]
    generate_list(stat, seed=1)
    replaced = RandomizationScheme.objects.get()
    generate_list(stat, seed=2)  # before first use the list may be replaced
    scheme = RandomizationScheme.objects.get()
    assert scheme.seed == 2 and scheme.pk != replaced.pk
    randomize(inv, "001", eligible_subject(inv))
    response = stat.post(
        "/t/001/randomization/generate/",
        {"block_sizes": "4", "seed": "3", "slots": "10"},
        follow=True,
    )
    assert b"has been used and is locked" in response.content
    assert RandomizationScheme.objects.get().seed == 2


def test_imported_list_is_used_in_its_order(team) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, clients, _ = team
    inv, stat = clients["inv"], clients["stat"]
    csv = b"sequence,redcap_randomization_group\n2,1\n1,2\n3,2\n4,1\n"
    response = stat.post(
        "/t/001/randomization/import/",
        {"list": SimpleUploadedFile("redcap.csv", csv), "group_codes": "1=A, 2=B"},
        follow=True,
    )
    assert b"imported from redcap.csv" in response.content
    assert randomize(inv, "001", eligible_subject(inv, pid="X1"))["arm_code"] == "B"
    assert randomize(inv, "001", eligible_subject(inv, pid="X2"))["arm_code"] == "A"


def test_single_arm_trial_enrolls(web) -> None:
    from oncotrial.store import models as db

    admin = web.user("root", superuser=True)
    trial = web.trial("NCT07064876", admin=admin)
    inv = web.client(web.member("inv", trial, "investigator"))
    usubjid = screen(inv, "NCT07064876", patient_002(), consent="2025-02-25")
    register_eligible(inv, "NCT07064876", usubjid)
    result = randomize(inv, "NCT07064876", usubjid, date="2025-03-02")
    assert result["randomized"] is False and result["arm_code"] == "A"
    subject = db.Subject.objects.get(usubjid=usubjid)
    assert db.Disposition.objects.filter(subject=subject, decod="ENROLLED").exists()
    assert subject.arm == "Serplulimab + Cryoablation"
    page = inv.get(f"/t/NCT07064876/subjects/{usubjid}/?format=json").json()
    names = [v["visit"] for v in page["schedule"]["visits"]]
    assert "CYCLE 6 DAY 1" in names and "CYCLE 7 DAY 1" not in names
    assert "PROCEDURE: CT-GUIDED CRYOABLATION" in names and "WEEK 6" in names


@pytest.fixture
def randomized(team):
    trial, clients, people = team
    generate_list(clients["stat"])
    usubjid = eligible_subject(clients["inv"])
    randomize(clients["inv"], "001", usubjid)
    return trial, clients, people, usubjid


def test_baseline_and_follow_up_tumour_assessment(randomized) -> None:
    from oncotrial.store import models as db

    trial, clients, _, usubjid = randomized
    inv = clients["inv"]
    url = f"/t/001/subjects/{usubjid}/assessments/new/"
    response = inv.post(url, BASELINE)
    assert response.status_code == 302, response.content.decode()[-3000:]
    subject = db.Subject.objects.get(trial=trial, usubjid=usubjid)
    lesions = {
        x.link_id: (x.role, x.location, x.laterality)
        for x in db.Lesion.objects.filter(subject=subject)
    }
    assert lesions == {
        "T01": ("TARGET", "LUNG", "RIGHT"),
        "T02": ("TARGET", "LYMPH NODE", None),
        "NT01": ("NON-TARGET", "LIVER", None),
    }
    results = {
        (m.link_id, m.testcd): m.orres for m in db.Measurement.objects.filter(subject=subject)
    }
    assert results == {
        ("T01", "LDIAM"): "32",
        ("T02", "LPERP"): "18",
        ("NT01", "TUMSTATE"): "PRESENT",
    }
    early = inv.post(
        url, {"visit": "WEEK 8", "date": "2025-02-24", "t-0-value": "20", "t-1-value": "9"}
    )
    assert early.status_code == 400 and b"after the baseline scan" in early.content
    follow = {
        "visit": "WEEK 8",
        "date": "2025-04-25",
        "evaluator": "INVESTIGATOR",
        "method": "CT SCAN",
        "t-0-value": "20",
        "t-1-value": "9",
        "nt-0-value": "PRESENT",
        "n-0-location": "BRAIN",
        "n-0-value": "PRESENT",
        "overall": "PD",
    }
    response = inv.post(url, follow)
    assert response.status_code == 302, response.content.decode()[-3000:]
    new = db.Lesion.objects.get(subject=subject, role="NEW")
    assert (new.link_id, new.location, new.visit) == ("NEW01", "BRAIN", "WEEK 8")
    overall = db.Response.objects.get(subject=subject)
    assert (overall.testcd, overall.stresc, overall.cat) == ("OVRLRESP", "PD", "RECIST 1.1")
    seqs = sorted(db.Measurement.objects.filter(subject=subject).values_list("seq", flat=True))
    assert seqs == list(range(1, 8))
    detail = inv.get(f"/t/001/subjects/{usubjid}/?format=json").json()
    visits = {a["visit"]: a for a in detail["assessments"]}
    assert visits["SCREENING"]["target_sum"] == 50 and visits["WEEK 8"]["change"] == -42.0
    states = {v["visit"]: v["state"] for v in detail["schedule"]["visits"]}
    assert states["WEEK 8"] == "done" and states["WEEK 16"] == "not needed"  # PD at week 8


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"t-0-value": "8"}, "at least 10 mm"),
        ({"t-1-value": "12"}, "at least 15 mm"),
        (
            {
                f"t-{i}-{k}": v
                for i in range(2, 5)
                for k, v in (("location", "LUNG"), ("value", "15"))
            },
            "at most 2 target lesions per organ",
        ),
        (
            {
                "t-0-location": "",
                "t-0-laterality": "",
                "t-0-value": "",
                "t-1-location": "",
                "t-1-detail": "",
                "t-1-value": "",
                "nt-0-location": "",
            },
            "at least one lesion",
        ),
        ({"date": "2999-01-01"}, "in the future"),
        ({"t-0-value": "abc"}, "diameter in mm"),
        ({"t-2-detail": "HILAR"}, "give the organ"),  # a touched row is a used row
    ],
)
def test_recist_edit_checks_at_baseline(randomized, changes, message) -> None:
    from oncotrial.store import models as db

    _, clients, _, usubjid = randomized
    response = clients["inv"].post(
        f"/t/001/subjects/{usubjid}/assessments/new/", {**BASELINE, **changes}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not db.TumourAssessment.objects.exists()


def test_adverse_event_verbatim_term_and_epoch(randomized) -> None:
    """Issue 13 item 11: AETERM is the investigator's verbatim term (AEDECOD the CTCAE term),
    and an event after randomization is in the TREATMENT epoch even before a first dose."""
    from oncotrial.store import models as db

    _, clients, _, usubjid = randomized  # randomized on 2025-03-01, no dose recorded
    url = f"/t/001/subjects/{usubjid}/ae/new/"
    base = {
        "term": "Pneumonitis",
        "grade": "1",
        "serious": "N",
        "rel": "NOT RELATED",
        "rel2": "NOT RELATED",
        "acn": "DOSE NOT CHANGED",
        "outcome": "NOT RECOVERED/NOT RESOLVED",
    }
    for start, verbatim in (("2025-02-22", ""), ("2025-03-10", "dry cough, breathless on stairs")):
        response = clients["inv"].post(url, {**base, "stdtc": start, "verbatim": verbatim})
        assert response.status_code == 302, response.content.decode()[-3000:]
    events = {e.stdtc: (e.term, e.decod, e.epoch) for e in db.AdverseEvent.objects.all()}
    assert events == {
        "2025-02-22": ("Pneumonitis", "Pneumonitis", "SCREENING"),
        "2025-03-10": ("dry cough, breathless on stairs", "Pneumonitis", "TREATMENT"),
    }


def test_adverse_event_with_ctcae_and_a_correction_with_its_reason(randomized) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.audit import history_of

    _, clients, _, usubjid = randomized
    dm = clients["dm"]
    url = f"/t/001/subjects/{usubjid}/ae/new/"
    ae = {
        "term": "pneumonitis",
        "grade": "2",
        "stdtc": "2025-04-01",
        "serious": "N",
        "rel": "RELATED",
        "rel2": "RELATED",
        "acn": "DRUG INTERRUPTED",
        "outcome": "RECOVERING/RESOLVING",
    }
    response = dm.post(url, ae)
    assert response.status_code == 302, response.content.decode()[-3000:]
    record = db.AdverseEvent.objects.get()
    assert (record.decod, record.grade, record.bodsys) == (
        "Pneumonitis",
        2,
        "Respiratory, thoracic and mediastinal disorders",
    )
    assert record.lltcd == 10035742 and record.extra == {"AEREL2": "RELATED"}
    edit = f"/t/001/subjects/{usubjid}/ae/{record.pk}/"
    revision = dm.get(edit + "?format=json").json()["revision"]  # the form's hidden field
    missing_reason = dm.post(edit, {**ae, "grade": "3", "revision": revision})
    assert missing_reason.status_code == 400 and b"This field is required" in missing_reason.content
    corrected = dm.post(
        edit, {**ae, "grade": "3", "reason": "source document says grade 3", "revision": revision}
    )
    assert corrected.status_code == 302
    entries = history_of(db.AdverseEvent, record.pk)
    assert [e.action for e in entries] == ["created", "changed"]
    assert entries[1].user == "dm" and entries[1].reason == "source document says grade 3"
    assert ("grade", 2, 3) in entries[1].changes
    page = dm.get(edit + "history/?format=json").json()
    assert page["history"][1]["reason"] == "source document says grade 3"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"term": "Alopecia", "grade": "4"}, "grade 4 is not defined for 'Alopecia'"),
        ({"term": "Pneumonia-ish"}, "not a CTCAE v5.0 term"),
        ({"grade": "5"}, "a grade 5 event is fatal"),
        ({"endtc": "2025-03-01"}, "before the start"),
        ({"stdtc": "2025-01-01"}, "before informed consent"),
    ],
)
def test_adverse_event_edit_checks(randomized, changes, message) -> None:
    from oncotrial.store import models as db

    _, clients, _, usubjid = randomized
    ae = {
        "term": "Pneumonitis",
        "grade": "2",
        "stdtc": "2025-04-01",
        "serious": "N",
        "rel": "RELATED",
        "acn": "DRUG INTERRUPTED",
        "outcome": "RECOVERING/RESOLVING",
    }
    response = clients["inv"].post(f"/t/001/subjects/{usubjid}/ae/new/", {**ae, **changes})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not db.AdverseEvent.objects.exists()


def test_warnings_need_confirmation(randomized) -> None:
    from oncotrial.store import models as db

    _, clients, _, usubjid = randomized
    url = f"/t/001/subjects/{usubjid}/ecog/new/"
    entry = {"visit": "WEEK 8", "dtc": "2025-04-26", "score": "5"}
    held = clients["inv"].post(url, entry)
    assert held.status_code == 400 and b"record the death as well" in held.content
    saved = clients["inv"].post(url, {**entry, "confirm": "on"})
    assert saved.status_code == 302
    assert db.Finding.objects.get(domain="QS", visit="WEEK 8").stresn == 5


def test_death_updates_dm_and_is_checked_against_enrollment(randomized) -> None:
    from oncotrial.store import models as db

    trial, clients, _, usubjid = randomized
    url = f"/t/001/subjects/{usubjid}/death/new/"
    early = clients["inv"].post(url, {"stdtc": "2025-02-27", "cause": "PROGRESSIVE DISEASE"})
    assert early.status_code == 400 and b"before enrollment" in early.content
    ok = clients["inv"].post(
        url, {"stdtc": "2025-06-01", "cause": "ADVERSE EVENT", "ae_term": "pneumonitis"}
    )
    assert ok.status_code == 302, ok.content.decode()[-2000:]
    subject = db.Subject.objects.get(trial=trial, usubjid=usubjid)
    assert (subject.dthdtc, subject.dthfl) == ("2025-06-01", "Y")
    death = db.Disposition.objects.get(subject=subject, decod="DEATH")
    assert death.term == "ADVERSE EVENT: PNEUMONITIS"
    again = clients["inv"].get(url)
    assert again.status_code == 302 and f"/death/{death.pk}/" in again["Location"]


def test_study_drug_keeps_protocol_dose_in_view(web) -> None:
    from oncotrial.store import models as db

    admin = web.user("root", superuser=True)
    trial = web.trial("NCT07064876", admin=admin)
    inv = web.client(web.member("inv", trial, "investigator"))
    usubjid = screen(inv, "NCT07064876", patient_002(), consent="2025-02-25")
    register_eligible(inv, "NCT07064876", usubjid)
    randomize(inv, "NCT07064876", usubjid, date="2025-03-02")
    url = f"/t/NCT07064876/subjects/{usubjid}/exposure/new/"
    dose = {
        "trt": "SERPLULIMAB",
        "visit": "CYCLE 1 DAY 1",
        "stdtc": "2025-03-10",
        "dose": "600",
        "dosu": "mg",
        "route": "INTRAVENOUS",
    }
    held = inv.post(url, dose)
    assert held.status_code == 400 and b"differs from the protocol dose 300" in held.content
    assert inv.post(url, {**dose, "dose": "300"}).status_code == 302
    assert db.Exposure.objects.get().visitnum == 101
    page = inv.get(f"/t/NCT07064876/subjects/{usubjid}/?format=json").json()
    states = {v["visit"]: v["state"] for v in page["schedule"]["visits"]}
    assert states["CYCLE 1 DAY 1"] == "done"


def test_every_page_has_a_json_twin(randomized) -> None:
    _, clients, _, usubjid = randomized
    inv, stat = clients["inv"], clients["stat"]
    inv.post(f"/t/001/subjects/{usubjid}/assessments/new/", BASELINE)
    pages = [
        (inv, "/"),
        (inv, "/t/001/"),
        (inv, "/t/001/subjects/"),
        (inv, f"/t/001/subjects/{usubjid}/"),
        (inv, "/t/001/visits/"),
        (inv, "/t/001/screening/"),
        (inv, f"/t/001/screening/{usubjid}/"),
        (inv, "/t/001/randomization/"),
        (stat, "/t/001/randomization/list/"),
        (inv, f"/t/001/subjects/{usubjid}/assessments/new/"),
        (inv, f"/t/001/subjects/{usubjid}/ae/new/"),
        (inv, "/t/001/queries/"),
        (inv, "/ctcae/terms/?term=rash"),
        (inv, "/ctcae/grades/?term=Rash%20acneiform"),
    ]
    for client, url in pages:
        sep = "&" if "?" in url else "?"
        html = client.get(url)
        data = client.get(url + sep + "format=json")
        assert html.status_code == data.status_code == 200, url
        assert data["Content-Type"].startswith("application/json"), url
        payload = json.loads(data.content)
        assert isinstance(payload, dict) and payload, url
        if "title" in payload:
            assert payload["title"].split()[0].encode() in html.content, url


def test_demographics_are_corrected_with_a_reason(randomized) -> None:
    from oncotrial.store import models as db
    from oncotrial.store.audit import history_of

    trial, clients, _, usubjid = randomized
    subject = db.Subject.objects.get(trial=trial, usubjid=usubjid)
    url = f"/t/001/subjects/{usubjid}/demographics/{subject.pk}/"
    form = clients["inv"].get(url + "?format=json").json()
    assert {f["name"]: f["value"] for f in form["fields"]} == {
        "sex": "M",
        "birth_year": 1956,
        "age": 68,
    }
    revision = form["revision"]  # the form's hidden field, sent back as a browser does
    wrong = clients["inv"].post(
        url, {"sex": "F", "birth_year": "1956", "age": "60", "reason": "x", "revision": revision}
    )
    assert wrong.status_code == 400 and b"does not fit a birth in 1956" in wrong.content
    fixed = clients["inv"].post(
        url,
        {"sex": "F", "birth_year": "1956", "age": "68", "reason": "source: passport"}
        | {"revision": revision},
    )
    assert fixed.status_code == 302
    subject.refresh_from_db()
    assert subject.sex == "F"
    last = history_of(db.Subject, subject.pk)[-1]
    assert last.reason == "source: passport" and ("sex", "M", "F") in last.changes
    assert clients["mon"].post(url, {"sex": "M", "reason": "x"}).status_code == 403


def test_history_reads_as_entered(randomized) -> None:
    """Issue 13 item 11: the history showed orres/stresn, user names and 105.0 for 105."""
    from oncotrial.store import models as db

    _, clients, people, usubjid = randomized
    people["inv"].first_name, people["inv"].last_name = "Ines", "Ortega"
    people["inv"].save()
    url = f"/t/001/subjects/{usubjid}/vital/new/"
    data = {"test": "WEIGHT", "visit": "SCREENING", "dtc": "2025-02-24", "value": "105"}
    response = clients["inv"].post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    # The one just entered (the screening weight is carried to the baseline records too).
    record = db.Finding.objects.filter(domain="VS", testcd="WEIGHT").latest("pk")
    page = clients["mon"].get(f"/t/001/subjects/{usubjid}/vital/{record.pk}/history/")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert "Ines Ortega" in text
    assert "(VSORRES): 105 " in text and "(VSSTRESN): 105 " in text, text
    assert "105.0" not in text and not re.search(r"\b(orres|stresn|domain)\s*:", text)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_sdtm_download_holds_what_was_entered(randomized, fmt: str) -> None:
    import io
    import zipfile

    _, clients, _, usubjid = randomized
    stat = clients["stat"]
    clients["inv"].post(f"/t/001/subjects/{usubjid}/assessments/new/", BASELINE)
    page = stat.get("/t/001/results/?format=json").json()
    assert {"DM", "DS", "TU", "TR"} <= set(page["domains"])
    response = stat.get(f"/t/001/results/sdtm-{fmt}.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {
        f"001-sdtm/dm.{fmt}",
        f"001-sdtm/ds.{fmt}",
        f"001-sdtm/tu.{fmt}",
        "001-sdtm/adsl.csv",
    } <= names
    if fmt == "csv":
        ds = archive.read("001-sdtm/ds.csv").decode()
        assert f"{usubjid}" in ds and "RANDOMIZED" in ds
        tu = archive.read("001-sdtm/tu.csv").decode()
        assert "LYMPH NODE" in tu and "T02" in tu
        adsl = archive.read("001-sdtm/adsl.csv").decode().splitlines()
        header = adsl[0].split(",")
        row = dict(zip(header, adsl[1].split(","), strict=False))
        assert row["USUBJID"] == usubjid and row["RANDDT"] == "2025-03-01"
    else:
        import json as _json

        dm = _json.loads(archive.read("001-sdtm/dm.json"))
        assert "USUBJID" in str(dm) and usubjid in str(dm)
