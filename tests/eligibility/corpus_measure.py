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

from collections.abc import Iterable
from typing import Any

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_eligibility
from oncotrial.eligibility.rules import describe_rule

Key = tuple[str, str]


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
    for item in items:
        criterion = read[(item["nct"], item["id"])]
        readings = {describe_rule(r) for r in criterion.rules}
        wrong = is_wrong(item, criterion)
        counts["items"] += 1
        counts["computable"] += is_computable(criterion.rules, criterion.unread)
        for e in item["expected"]:
            counts["thresholds"] += e["n"]
            if wrong:
                counts["wrong"] += e["n"]
            elif e["reading"] in readings:
                counts["exact"] += e["n"]
            else:
                counts["not_read"] += e["n"]
    return counts
