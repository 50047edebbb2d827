"""Inflammatory bowel disease, a concept of its own and a member of autoimmune disease (issue 12,
vocabulary; ``concepts_oncology``, ``CONDITION_IMPLIED``, ``reading_conditions``). The texts are
items of development records of jwlieb/clinical-trial-agent data/demo @387df17, cited by record
and item id. Per patient and vectorised alike (``item_status``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.concepts import match_concepts
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import ConditionRule, describe_rule, iter_rules
from oncotrial.prescreen.concepts import concept_map

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)
IBD = "Inflammatory bowel disease"


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        # the examples in brackets are its members, read with it
        ("Inflammatory bowel disease (Crohn's disease, ulcerative colitis)", "exclusion", IBD),
        (
            "Diagnosis of inflammatory bowel disease (ulcerative colitis or Crohn's disease)",
            "exclusion",
            IBD,
        ),
        ("Inflammatory bowel disease", "exclusion", IBD),
        # 'active' is the clinical status, as for autoimmune disease (reading_active)
        ("Active inflammatory bowel disease", "exclusion", f"{IBD} (active)"),
        # "active or history of": a record at any time
        ("Active or history of inflammatory bowel disease", "exclusion", IBD),
        ("No inflammatory bowel disease", "inclusion", f"not ({IBD})"),
    ],
)
def test_readings(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread), criterion.unread


def test_an_example_of_autoimmune_disease_is_read_with_it() -> None:
    # "Any known or suspected active organ-threatening autoimmune disease, such as inflammatory
    # bowel disease, …": the item's condition is the active autoimmune disease, never an
    # inflammatory bowel disease at any time (a record in remission would exclude wrongly)
    criterion = read_item(
        "Any known or suspected active organ-threatening autoimmune disease, such as "
        "inflammatory bowel disease, autoimmune hepatitis, lupus"
    )
    assert not any(
        isinstance(r, ConditionRule) and r.condition == "inflammatory_bowel_disease"
        for r in iter_rules(criterion.rules)
    )


@pytest.mark.parametrize(
    ("system", "code"),
    [("ICD-10", "K50.9"), ("ICD-10", "K51.0"), ("SNOMED", "34000006"), ("SNOMED", "24526004")],
)
def test_a_record_is_also_an_autoimmune_disease(system: str, code: str) -> None:
    assert {"inflammatory_bowel_disease", "autoimmune_disease"} <= match_concepts(
        "condition", codes=[(system, code)]
    )


def _patient(records: list[dict[str, Any]] | None) -> Patient:
    return Patient.model_validate(
        {"id": "P", "planned_first_dose": AS_OF}
        | ({} if records is None else {"conditions": records})
    )


@pytest.mark.parametrize(
    ("records", "ibd", "active_ibd", "autoimmune"),
    [
        ([{"text": "Crohn's disease", "clinical_status": "active"}], *(Status.MET,) * 3),
        (
            [{"code": "K51.9", "system": "ICD-10", "clinical_status": "remission"}],
            Status.MET,
            Status.NOT_MET,
            Status.MET,
        ),
        ([{"text": "rheumatoid arthritis"}], Status.NOT_MET, Status.NOT_MET, Status.MET),
        ([], *(Status.NOT_MET,) * 3),
        (None, *(Status.UNKNOWN,) * 3),
    ],
)
def test_screens(
    records: list[dict[str, Any]] | None, ibd: Status, active_ibd: Status, autoimmune: Status
) -> None:
    patient = _patient(records)
    assert item_status(read_item(IBD), patient, as_of=AS_OF) is ibd
    assert item_status(read_item(f"Active {IBD.lower()}"), patient, as_of=AS_OF) is active_ibd
    assert item_status(read_item("History of autoimmune disease"), patient, as_of=AS_OF) is (
        autoimmune
    )


def test_the_omop_map_lists_its_ids_once_and_autoimmune_disease_reads_them() -> None:
    cmap = concept_map()
    ibd = set(cmap.raw_conditions["inflammatory_bowel_disease"])
    # Crohn's disease, ulcerative colitis, inflammatory bowel disease (OHDSI PhenotypeLibrary)
    assert ibd == {201606, 81893, 4074815}
    assert not ibd & set(cmap.raw_conditions["autoimmune_disease"])
    assert ibd <= set(cmap.conditions["autoimmune_disease"])
