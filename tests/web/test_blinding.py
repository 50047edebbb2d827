"""No arm reaches a blinded role: every URL of a masked trial, as each role, HTML and JSON twin.

ICH E9 §2.3.1 and ROLE-2 (web/roles.py): in a masked trial only ``view_unblinded`` shows which
arm a subject is on. The walk starts at the home page and follows every link of the trial, as
each role, and also requests every URL any role could reach (a blinded role may type a URL it is
never shown); each page is fetched as HTML and as its JSON twin, downloads are opened (zip
members too), and every answer is searched for the subjects' arm codes and the arms' labels
(distinctive labels, so that a hit is a leak, not a word of the protocol), including history
pages (issue 13 item 2: ``armcd: ∅ → B`` in a subject's demographics history), queries and the
messages of refused actions.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from .helpers import eligible_subject, generate_list, randomize

TRIAL = "001M"
LABELS = ("Zephyr consolidation regimen", "Quokka continuation regimen")
ROLES = ("investigator", "data_manager", "monitor", "statistician", "administrator")
UNBLINDED = {"statistician"}
ARM_KEYS = {"arm", "arm_code", "armcd", "actarm", "actarmcd", "by_arm"}
# A field name or its label ("armcd:", "Planned Arm Code (ARMCD):"), "Arm A", a JSON key.
ARM_FIELDS = re.compile(r"\b(act)?arm(cd|ud)?\b\)?\s*:|\bArm [AB]\b|\barm_code\b", re.IGNORECASE)
SKIP = ("/logout/", "/static/")
# The trial's design lists its arms (code and label, as registered): that names no subject's
# arm. On these pages only the label search is left out; codes, field names and JSON keys
# (progress ``by_arm``) are still searched.
DESIGN_PAGES = (f"/t/{TRIAL}/", f"/t/{TRIAL}/randomization/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name in {"hx-get", "data-url"}):
                self.links.append(value)


def _links(base: str, body: str) -> list[str]:
    parser = _Links()
    parser.feed(body)
    found = []
    for link in parser.links:
        split = urlsplit(urljoin(base, link))
        if split.netloc not in ("", "testserver") or split.path.startswith(SKIP):
            continue
        path = split.path + (f"?{split.query}" if split.query else "")
        if split.path == "/" or split.path.startswith(f"/t/{TRIAL}/"):
            found.append(path)
    return found


def _json_leaks(value: Any, where: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ARM_KEYS and item not in (None, "", [], {}):
                yield f"{where}.{key}={item!r}"
            yield from _json_leaks(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_leaks(item, f"{where}[{i}]")


def _texts(response: Any) -> Iterator[tuple[str, str]]:
    """(part, text) of an answer: the body, or each member of a zip download."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                yield name, archive.read(name).decode("utf-8", "replace")
    else:
        yield "", content.decode("utf-8", "replace")


def _leaks(response: Any, path: str) -> list[str]:
    found = []
    for part, text in _texts(response):
        for label in () if path.split("?")[0] in DESIGN_PAGES else LABELS:
            if label.lower() in text.lower():
                found.append(f"{part} label {label!r}")
        match = ARM_FIELDS.search(text)
        if match and not response["Content-Type"].startswith("application/json"):
            start = max(0, match.start() - 60)
            found.append(f"{part} {text[start : match.end() + 40]!r}")
        if response["Content-Type"].startswith("application/json"):
            found += [f"{part} {leak}" for leak in _json_leaks(json.loads(text))]
    return found


@pytest.fixture
def masked_trial(web):
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.protocol.vocabulary import Masking
    from oncotrial.web.trials import import_trial

    admin = web.user("root", superuser=True)
    open_label = find_protocol("001")
    arms = tuple(
        arm.model_copy(update={"label": label})
        for arm, label in zip(open_label.arms, LABELS, strict=True)
    )
    masked = open_label.model_copy(
        update={
            "identity": open_label.identity.model_copy(update={"local_id": TRIAL}),
            "design": open_label.design.model_copy(update={"masking": Masking.DOUBLE}),
            "arms": arms,
        }
    )
    trial = import_trial(masked, user=admin)
    people = {role: web.member(role, trial, role) for role in ROLES if role != "administrator"}
    people["administrator"] = admin
    clients = {role: web.client(person) for role, person in people.items()}
    inv, mon = clients["investigator"], clients["monitor"]
    generate_list(clients["statistician"], trial_id=TRIAL)
    subjects = [eligible_subject(inv, trial_id=TRIAL, pid=f"P{i}") for i in range(3)]
    for usubjid in subjects[:2]:
        randomize(inv, TRIAL, usubjid)
    # Records, a correction and a query, so that history, query and record pages exist.
    first = subjects[0]
    detail = inv.get(f"/t/{TRIAL}/subjects/{first}/?format=json").json()
    raised = mon.post(
        f"/t/{TRIAL}/queries/new/",
        {"subject": first, "text": "Please check the date of consent."},
    )
    assert raised.status_code in (201, 302), raised.content.decode()[-2000:]
    # A signed, verified and locked casebook, so that its pages show signatures and decisions.
    book = f"/t/{TRIAL}/subjects/{first}/casebook/"
    assert inv.post(book, {"action": "complete", "visit": "SCREENING"}).status_code == 302
    assert mon.post(book, {"action": "verify", "visit": "SCREENING"}).status_code == 302
    for visit in inv.get(book + "sign/?format=json").json()["incomplete"]:  # SIGN-5
        code = "" if visit == "the subject-level forms" else visit.removeprefix("visit ")
        assert inv.post(book, {"action": "complete", "visit": code}).status_code == 302
    assert inv.post(book + "sign/", {"password": "Correct-Horse-42"}).status_code == 302
    assert clients["data_manager"].post(book, {"action": "lock_casebook"}).status_code == 302
    return clients, subjects, detail


def test_no_arm_reaches_a_blinded_role_on_any_page_or_format(masked_trial) -> None:
    clients, subjects, _ = masked_trial
    # Every URL any role reaches by following links (the unblinded statistician included).
    reached: dict[str, set[str]] = {}
    for role, client in clients.items():
        seen: set[str] = set()
        todo = ["/", f"/t/{TRIAL}/"]
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                todo += [p for p in _links(path, response.content.decode()) if p not in seen]
        reached[role] = seen
    every = set().union(*reached.values())
    # The casebook pages (issue 13), whether or not a role is shown their links.
    casebook_urls = {f"/t/{TRIAL}/casebooks/"} | {
        f"/t/{TRIAL}/subjects/{u}/casebook/{tail}" for u in subjects for tail in ("", "sign/")
    }
    assert f"/t/{TRIAL}/casebooks/" in every and any(p.endswith("/casebook/") for p in every)
    every |= casebook_urls
    assert any("/history/" in p for p in every), sorted(every)
    assert any("/queries/" in p for p in every) and any(".zip" in p for p in every)

    leaks: list[str] = []
    fetched = 0
    unblinded_sees = 0
    for role, client in clients.items():
        for path in sorted(every):
            for url in (path, path + ("&" if "?" in path else "?") + "format=json"):
                response = client.get(url)
                fetched += 1
                found = _leaks(response, url)
                if role in UNBLINDED:
                    unblinded_sees += bool(found)
                else:
                    leaks += [f"{role} {url} [{response.status_code}]: {leak}" for leak in found]
        # The refused or failed actions of a blinded role say nothing of the arm either.
        if role not in UNBLINDED:
            for usubjid in subjects[:2]:
                for url in (
                    f"/t/{TRIAL}/subjects/{usubjid}/randomize/",
                    f"/t/{TRIAL}/subjects/{usubjid}/randomize/?format=json",
                ):
                    response = client.post(url, {"date": "2025-03-01"})
                    fetched += 1
                    leaks += [f"{role} POST {url}: {leak}" for leak in _leaks(response, url)]
                # A refused casebook action or signature (locked casebook, wrong role or
                # password) says nothing of the arm either.
                book = f"/t/{TRIAL}/subjects/{usubjid}/casebook/"
                for url, form in (
                    (book + "?format=json", {"action": "unlock_casebook"}),
                    (book, {"action": "lock", "visit": "SCREENING"}),
                    (book + "sign/?format=json", {"password": "Correct-Horse-42"}),
                    (book + "sign/", {"password": "wrong"}),
                ):
                    response = client.post(url, form)
                    fetched += 1
                    leaks += [f"{role} POST {url}: {leak}" for leak in _leaks(response, url)]
    print(
        f"leak walk: {len(every)} URLs x {len(clients)} roles x 2 formats + refusals = {fetched} answers"
    )
    assert leaks == [], "\n".join(leaks[:40])
    # The search finds arms where they may be shown: the unblinded statistician sees them.
    assert unblinded_sees > 0
