"""How a hand-read corpus is measured against oncotrial's parser (issue 12 item 7).

Shared by test_corpus.py (real oncology records) and test_ctp_comparison.py (Clinical-Trial-
Parser's example trials), so both state their figures by the same rule. An item is a dict with
``nct``, ``id``, ``kind`` ('inclusion'/'exclusion'), ``text`` and ``expected``: the hand readings,
each ``{"reading": <describe_rule text>, "n": <numeric limits it carries>}``.

A hand reading is *exact* when the parser writes it; *not read* when the parser leaves it to the
checklist (the item is not computable, so no verdict is given on it); *wrong* when the parser
would decide the item (computable) with readings other than the hand ones — every limit of such an
item counts as wrong, since the verdict rests on all of them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.coverage import coverage_report
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_eligibility
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule
from oncotrial.eligibility.screening import Verdict, screen_patient
from oncotrial.eligibility.sublists import computable_items

Key = tuple[str, str]

# The screening cases of every corpus (test_screening_*.py): screened on AS_OF, observed on DAY.
AS_OF = dt.date(2025, 3, 1)
DAY = "2025-02-27"
PASSES, FAILS, UNKNOWN = Verdict.PASSES, Verdict.FAILS, Verdict.UNKNOWN

Lab = tuple[str, float, str, float | None]


class Case(NamedTuple):
    nct: str
    item: str
    patient: dict[str, Any]
    truth: Verdict
    misread: str


def read_items(items: Iterable[dict[str, Any]]) -> dict[Key, Criterion]:
    """Every item read by the parser, record by record, in the record's order (an item ending
    in "or" joins the next, as in a protocol)."""
    by_record: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_record.setdefault(item["nct"], []).append(item)
    read: dict[Key, Criterion] = {}
    for nct, record in by_record.items():
        criteria = [
            Criterion(id=i["id"], kind=CriterionKind(i["kind"]), text=i["text"]) for i in record
        ]
        eligibility = Eligibility(
            inclusion=tuple(c for c in criteria if c.kind is CriterionKind.INCLUSION),
            exclusion=tuple(c for c in criteria if c.kind is CriterionKind.EXCLUSION),
        )
        for reading in read_eligibility(eligibility):
            read[(nct, reading.criterion.id)] = reading.criterion
    return read


def is_wrong(item: dict[str, Any], criterion: Criterion) -> bool:
    """The parser would decide the item on readings other than the hand ones."""
    readings = {describe_rule(r) for r in criterion.rules}
    expected = {e["reading"] for e in item["expected"]}
    return is_computable(criterion.rules, criterion.unread) and readings != expected


def measure(items: Iterable[dict[str, Any]], read: dict[Key, Criterion]) -> dict[str, int]:
    """Items, computable items, numeric limits and how many of them were exact / not read /
    wrong."""
    counts = {"items": 0, "computable": 0, "thresholds": 0, "exact": 0, "not_read": 0, "wrong": 0}
    items = list(items)
    records: dict[str, list[Criterion]] = {}
    for nct, _ in read:
        records.setdefault(nct, [])
    for (nct, _), criterion in read.items():
        records[nct].append(criterion)
    # a heading over sub-items that are all computable is computable (eligibility.sublists)
    computable = {(nct, cid) for nct, rec in records.items() for cid in computable_items(rec)}
    for item in items:
        criterion = read[(item["nct"], item["id"])]
        readings = {describe_rule(r) for r in criterion.rules}
        wrong = is_wrong(item, criterion)
        counts["items"] += 1
        counts["computable"] += (item["nct"], item["id"]) in computable
        for e in item["expected"]:
            counts["thresholds"] += e["n"]
            if wrong:
                counts["wrong"] += e["n"]
            elif e["reading"] in readings:
                counts["exact"] += e["n"]
            else:
                counts["not_read"] += e["n"]
    return counts


def unreadable_limits(items: Iterable[dict[str, Any]], read: dict[Key, Criterion]) -> int:
    """Numeric limits not read whose hand reading starts with '~': a limit no concept or
    structure holds, or one that cannot be read without guessing (the corpora's reading
    rules). Not reading them is the right outcome, so of the limits not read, the others are
    the ones the parser should read ("exact of the readable limits" in docs/eligibility.md)."""
    count = 0
    for item in items:
        criterion = read[(item["nct"], item["id"])]
        readings = {describe_rule(r) for r in criterion.rules}
        if is_wrong(item, criterion):
            continue
        for e in item["expected"]:
            if e["reading"].startswith("~") and e["reading"] not in readings:
                count += e["n"]
    return count


# ---- Screening cases (test_screening_cases.py, test_screening_blind.py): a patient on one item,
# whose verdict a person decided from the item's words.

NOT_COMPUTED = {Verdict.UNKNOWN, Verdict.INVESTIGATOR}


def only_item(criterion: Criterion) -> Eligibility:
    """A protocol of this one item, on its own side."""
    inclusion = (criterion,) if criterion.kind is CriterionKind.INCLUSION else ()
    exclusion = (criterion,) if criterion.kind is CriterionKind.EXCLUSION else ()
    return Eligibility(inclusion=inclusion, exclusion=exclusion)


def judge(truth: Verdict, verdict: Verdict) -> str:
    """'decided right', 'left undecided right', 'not computed' or 'wrong'."""
    if truth in NOT_COMPUTED:
        return "left undecided right" if verdict in NOT_COMPUTED else "wrong"
    if verdict is truth:
        return "decided right"
    return "not computed" if verdict in NOT_COMPUTED else "wrong"


def judged(cases: Iterable[tuple[Criterion, Patient, Verdict]], as_of: dt.date) -> list[str]:
    """The per-patient verdict of every case judged (the batch is held to it case by case)."""
    return [
        judge(truth, screen_patient(only_item(c), patient, as_of=as_of).criteria[0].verdict)
        for c, patient, truth in cases
    ]


def count_judgements(judgements: list[str]) -> dict[str, int]:
    counts = {"cases": len(judgements), "decided right": 0, "left undecided right": 0}
    counts |= {"not computed": 0, "wrong": 0}
    for judgement in judgements:
        counts[judgement] += 1
    return counts


def check_case(
    criterion: Criterion, patient: Patient, truth: Verdict, as_of: dt.date, misread: str
) -> str:
    """The case is not wrong per patient, and the vectorised screen gives the per-patient status
    (issue 12: one logic, two paths); the judgement, for the failure message."""
    eligibility = only_item(criterion)
    result = screen_patient(eligibility, patient, as_of=as_of).criteria[0]
    judgement = judge(truth, result.verdict)
    assert judgement != "wrong", (misread, result.verdict)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=as_of)
    assert batch.loc[patient.id, result.criterion_id] == result.status.value, result
    return judgement


def coverage_levels(items: Iterable[dict[str, Any]]) -> Counter[str]:
    """Coverage level of every item, each record read as one protocol (items in order)."""
    counts: Counter[str] = Counter()
    by_record: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_record.setdefault(item["nct"], []).append(item)
    for record in by_record.values():
        criteria = [
            Criterion(id=i["id"], kind=CriterionKind(i["kind"]), text=i["text"]) for i in record
        ]
        eligibility = Eligibility(
            inclusion=tuple(c for c in criteria if c.kind is CriterionKind.INCLUSION),
            exclusion=tuple(c for c in criteria if c.kind is CriterionKind.EXCLUSION),
        )
        counts.update(item.level for item in coverage_report(eligibility).items)
    return counts
