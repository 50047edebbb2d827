"""oncotrial's parser against Clinical-Trial-Parser on CTP's own example trials (issue 12 item 7).

facebookresearch/Clinical-Trial-Parser (Apache-2.0) publishes the relations its CFG parser finds in
20 ClinicalTrials.gov records (data/output/cfg_parsed_clinical_trials.tsv at commit
f8a0aa46c70a3af5f80c4ccd66acf76bfcfbab9b); it is the only published parse of that tool to compare
with. Ten of the 20 are COVID-19 trials and two are oncology trials, so the comparison is on the
numeric limits both tools read — age, performance status, laboratory values, vital signs, ECG and
echo measures, body size — not on oncology vocabulary. ``corpus/ctp_comparison.json`` holds each
such item with its hand reading (committed before oncotrial's parser was run on it) and CTP's
published relations for it, quoted as published.

Both tools are scored against the same hand readings with the same categories. oncotrial through
``corpus_measure`` (the rule test_corpus.py uses). CTP: a limit is *exact* when CTP's relation
states it (same quantity, bound direction, value and unit); *not read* when CTP published no
relation for it — CTP has no checklist, so a limit it does not read is silently dropped, where
oncotrial leaves the item to the investigator; *wrong* when CTP's relation contradicts it: another
value, another bound direction, a unit lost (a ×ULN limit written without the ULN), an exclusion
limited to a subgroup applied to everyone, or alternatives ("A or B") published as separate
requirements (CTP's output has no connective between the relations of one criterion). CTP writes
for both sections the range a participant must be in (exclusion "Under 18 years of age" is age
lower bound 18 inclusive), so an exclusion item's relations are negated before comparison.
docs/eligibility.md ("Against Clinical-Trial-Parser") and bench/RESULTS.md state the figures.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.parser import read_eligibility
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.screening import Verdict, screen_patient

from .corpus_measure import is_wrong, measure, read_items

CORPUS = json.loads(
    (Path(__file__).parent / "corpus" / "ctp_comparison.json").read_text(encoding="utf-8")
)
ITEMS: list[dict[str, Any]] = CORPUS["items"]
READ = read_items(ITEMS)

# CTP's variable names (their relation "name") for the quantities in scope, as oncotrial's keys
CTP_QUANTITY = {
    "age": "age",
    "ecog": "ecog",
    "anc": "neutrophils",
    "platelet_count": "platelets",
    "hb_count": "hemoglobin",
    "total_bilirubin_level": "bilirubin",
    "ast": "ast",
    "creatinine_level": "creatinine",
    "calculated_creatinine_clearance": "creatinine_clearance",
    "glomerular_filtration_rate": "egfr",
    "sbp": "systolic_bp",
    "dbp": "diastolic_bp",
    "cqt": "qtc",
    "lvef": "lvef",
    "inr": "inr",
    "weight": "weight",
    "bmi": "bmi",
}
# spellings of one unit, and counts per volume brought to per litre, so equal limits compare equal
_UNITS: dict[str | None, tuple[str | None, float]] = {
    "year": ("years", 1.0),
    "/mm^3": ("/L", 1e6),
    "/uL": ("/L", 1e6),
    "cells/ul": ("/L", 1e6),
    "10^9/L": ("/L", 1e9),
    "cells/l": ("/L", 1.0),
    "g/dl": ("g/dL", 1.0),
    "mmhg": ("mmHg", 1.0),
    "msec": ("ms", 1.0),
    "ml/min": ("mL/min", 1.0),
    "kg/m2": ("kg/m^2", 1.0),
    "{ratio}": (None, 1.0),  # INR is a ratio: no unit, as CTP writes it
}
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">="}

Atom = tuple[str, str, Any, str | None]


def _atom(quantity: str, comparator: str, value: Any, unit: str | None) -> Atom:
    if comparator == "in":
        return (quantity, comparator, tuple(int(v) for v in value), None)
    canonical, factor = _UNITS.get(unit, (unit, 1.0))
    try:
        number = float(value)
    except ValueError:
        return (quantity, comparator, value, canonical)  # an ordinal result ('2+')
    return (quantity, comparator, float(f"{number * factor:.9g}"), canonical)


def ctp_atoms(item: dict[str, Any]) -> set[Atom]:
    """CTP's relations for the item as limits in the item's own sense (exclusions negated)."""
    atoms: set[Atom] = set()
    for published in item["ctp"]:
        relation = published["relation"]
        quantity = CTP_QUANTITY[relation["name"]]
        found = []
        if "value" in relation:
            found.append(_atom(quantity, "in", relation["value"], None))
        for side, strict, loose in (("lower", ">", ">="), ("upper", "<", "<=")):
            if side in relation:
                bound = relation[side]
                comparator = loose if bound["incl"] else strict
                found.append(_atom(quantity, comparator, bound["value"], relation.get("unit")))
        if item["kind"] == "exclusion":
            # a range a participant must be in, negated: what excludes (each side on its own)
            assert all(a[1] != "in" for a in found)
            found = [(q, _NEGATED[c], v, u) for q, c, v, u in found]
        atoms.update(found)
    return atoms


def _hand_atoms(entry: dict[str, Any]) -> set[Atom]:
    return {_atom(*bound) for bound in entry["bounds"]}


def _why_wrong(entry: dict[str, Any], related: set[Atom]) -> str:
    if entry["form"] == "any":
        return "alternatives published as separate requirements"
    if entry["form"] == "if":
        return f"limit for {entry['when']} only applied to everyone"
    hand = next(iter(_hand_atoms(entry)))
    got = next(iter(related))
    if got[3] != hand[3]:
        return "unit lost" if got[3] is None else "another unit"
    return "bound direction" if got[1] != hand[1] else "another value"


def score_ctp(item: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(category, limits, why) for each hand reading of the item, from CTP's relations."""
    atoms = ctp_atoms(item)
    quantities = {b[0] for e in item["expected"] for b in e["bounds"]}
    assert {a[0] for a in atoms} <= quantities, (item["id"], atoms)  # every relation is scored
    explained: set[Atom] = set()
    for entry in item["expected"]:
        if entry["form"] == "all" and _hand_atoms(entry) <= atoms:
            explained |= _hand_atoms(entry)
    scored = []
    for entry in item["expected"]:
        related = {a for a in atoms if a[0] in {b[0] for b in entry["bounds"]}}
        if entry["form"] == "all" and _hand_atoms(entry) <= atoms:
            scored.append(("exact", entry["n"], ""))
        elif (entry["form"] != "all" and related) or related - explained:
            scored.append(("wrong", entry["n"], _why_wrong(entry, related - explained or related)))
        else:
            scored.append(("not_read", entry["n"], ""))
    return scored


def measure_ctp() -> dict[str, int]:
    counts = {"items": len(ITEMS), "thresholds": 0, "exact": 0, "not_read": 0, "wrong": 0}
    for item in ITEMS:
        for category, n, _ in score_ctp(item):
            counts["thresholds"] += n
            counts[category] += n
    return counts


def test_corpus_is_cited_and_accounts_for_every_published_relation() -> None:
    source = CORPUS["source"]
    assert source["repository"] == "facebookresearch/Clinical-Trial-Parser"
    assert len(source["commit"]) == 40 and "Apache-2.0" in source["licence"]
    assert len(CORPUS["records"]) == 20
    assert {i["nct"] for i in ITEMS} <= set(CORPUS["records"])
    # the TSV at that commit has 64 relations: 41 on the items, 23 on quantities out of scope
    published = [
        (i["nct"], r["criterion_index"], r["relation"]["name"]) for i in ITEMS for r in i["ctp"]
    ]
    outside = [
        (r["nct"], r["criterion_index"], r["relation"]["name"]) for r in CORPUS["out_of_scope"]
    ]
    assert (len(published), len(outside)) == (41, 23)
    assert not {name for _, _, name in outside} & set(CTP_QUANTITY)
    for item in ITEMS:
        for entry in item["expected"]:
            assert entry["form"] in {"all", "any", "if"} and entry["n"] == len(entry["bounds"])


def test_oncotrial_figures() -> None:
    # docs/eligibility.md and bench/RESULTS.md state these figures; change them together
    assert measure(ITEMS, READ) == {
        "items": 45,
        "computable": 30,
        "thresholds": 60,
        "exact": 48,
        "not_read": 12,
        "wrong": 0,
    }


def test_oncotrial_reads_no_item_wrong() -> None:
    assert not [(i["nct"], i["id"]) for i in ITEMS if is_wrong(i, READ[(i["nct"], i["id"])])]


def test_ctp_figures() -> None:
    assert measure_ctp() == {"items": 45, "thresholds": 60, "exact": 37, "not_read": 15, "wrong": 8}
    wrong = {
        (i["nct"], i["id"], why)
        for i in ITEMS
        for category, _, why in score_ctp(i)
        if category == "wrong"
    }
    assert wrong == {
        ("NCT04346355", "E12", "another value"),  # "50.000" (fifty thousand) published as 50.000
        ("NCT04344951", "E4", "unit lost"),  # AST > 5 × ULN published as AST ≤ 5
        ("NCT04348032", "I8.2", "unit lost"),
        ("NCT04348032", "I9.1", "unit lost"),
        ("NCT04348032", "I10", "alternatives published as separate requirements"),
        ("NCT04348032", "E5", "limit for female only applied to everyone"),
        ("NCT04347252", "E1", "unit lost"),
    }


def test_ctp_scoring_sees_each_kind_of_error() -> None:
    """The scoring itself: a right relation is exact; each kind of contradiction is wrong."""
    item = {
        "kind": "exclusion",
        "id": "E1",
        "expected": [
            {"reading": "", "n": 1, "form": "all", "bounds": [["ast", ">", 5, "ULN"]]},
        ],
    }

    def relation(**fields: Any) -> list[tuple[str, int, str]]:
        return score_ctp(item | {"ctp": [{"relation": {"name": "ast", **fields}}]})

    upper5 = {"incl": True, "value": "5"}
    assert relation(unit="ULN", upper=upper5) == [("exact", 1, "")]
    assert relation(upper=upper5) == [("wrong", 1, "unit lost")]
    assert relation(unit="ULN", lower=upper5) == [("wrong", 1, "bound direction")]
    assert relation(unit="ULN", upper={"incl": True, "value": "3"}) == [
        ("wrong", 1, "another value")
    ]
    assert score_ctp(item | {"ctp": []}) == [("not_read", 1, "")]


# Screening cases on the items where the two tools part: a patient either side of the limit
AS_OF = dt.date(2025, 3, 1)
DAY = "2025-02-27"


def _patient(sex: str, labs: tuple[tuple[str, float, str, float | None], ...]) -> Patient:
    return Patient.model_validate(
        {
            "id": "P",
            "sex": sex,
            "birth_date": "1964-06-01",
            "consent_date": DAY,
            "observations": [
                {"analyte": a, "value": v, "unit": u, "date": DAY}
                | ({"low": 0.0, "high": high} if high is not None else {})
                for a, v, u, high in labs
            ],
        }
    )


def _screen(criterion: Criterion, patient: Patient) -> Verdict:
    inclusion = (criterion,) if criterion.kind is CriterionKind.INCLUSION else ()
    exclusion = (criterion,) if criterion.kind is CriterionKind.EXCLUSION else ()
    eligibility = Eligibility(inclusion=inclusion, exclusion=exclusion)
    result = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    assert batch.loc[patient.id, criterion.id] == result.criteria[0].status.value
    return result.criteria[0].verdict


_QT = (("heart_rate", 60, "/min", None),)
CASES = [
    # creatinine 1.5 × ULN with a clearance of 55 mL/min (60 years, 70 kg): the clearance
    # alternative admits her; CTP's two separate requirements would refuse her
    (
        "NCT04348032",
        "I10",
        ("female", (("creatinine", 1.2, "mg/dL", 0.8), ("weight", 70, "kg", None))),
        Verdict.PASSES,
    ),
    (
        "NCT04348032",
        "I10",
        ("female", (("creatinine", 1.2, "mg/dL", 0.8), ("weight", 45, "kg", None))),
        Verdict.FAILS,
    ),
    # the QTc limit is part of a wider clause ("poorly controlled arrhythmias"): investigator
    ("NCT04348032", "E5", ("male", (("qt", 400, "ms", None), *_QT)), Verdict.INVESTIGATOR),
    ("NCT04342182", "E3", ("male", (("weight", 45, "kg", None),)), Verdict.PASSES),
    ("NCT04342182", "E3", ("male", (("weight", 44.9, "kg", None),)), Verdict.FAILS),
]


@pytest.mark.parametrize(("nct", "item_id", "patient", "verdict"), CASES)
def test_screening_cases(
    nct: str, item_id: str, patient: tuple[str, tuple[Any, ...]], verdict: Verdict
) -> None:
    assert _screen(READ[(nct, item_id)], _patient(*patient)) is verdict


# The parenthesis of NCT04348032 E5, quoted alone: oncotrial read it as "if female then QTcF >=
# 470 ms", a conditional without "otherwise", which is *met* when the condition is not, so as an
# exclusion it excluded every man whatever his QTc. An exclusion for a subgroup is now read as
# 'female and QTcF >= 470 ms' (reading_labs, wave/elig).
def test_exclusion_for_women_only_does_not_exclude_men() -> None:
    text = "QTc interval ≥ 470ms in females"
    (reading,) = read_eligibility(
        Eligibility(exclusion=(Criterion(id="E5", kind=CriterionKind.EXCLUSION, text=text),))
    )
    man = _patient("male", (("qt", 400, "ms", None), *_QT))
    assert _screen(reading.criterion, man) is not Verdict.FAILS


def test_exclusion_for_women_only_still_excludes_women() -> None:
    text = "QTc interval ≥ 470ms in females"
    (reading,) = read_eligibility(
        Eligibility(exclusion=(Criterion(id="E5", kind=CriterionKind.EXCLUSION, text=text),))
    )
    woman = _patient("female", (("qt", 480, "ms", None), *_QT))
    assert _screen(reading.criterion, woman) is Verdict.FAILS
