"""'HIV negative' as an inclusion (reading_hiv.read_hiv_negative): no HIV infection.

Round 5, NCT00098540 I18 "HIV negative" was a checklist item quoting nothing; it is read as
'No known HIV infection' is, not (HIV infection) in the medical history. The other texts are
made up in registry phrasings. A viral load or RNA 'negative' stays the qualitative test
(reading_viral); a subgroup ('HIV-negative patients with …'), a double negation and an
exclusion are not read.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)
NO_HIV = ["not (HIV infection)"]


def test_the_round_5_item() -> None:
    corpus = json.loads(
        (Path(__file__).parent / "corpus" / "tuning_round5.json").read_text(encoding="utf-8")
    )
    (item,) = [i for i in corpus["items"] if (i["nct"], i["id"]) == ("NCT00098540", "I18")]
    assert (item["text"], item["kind"]) == ("HIV negative", "inclusion")
    criterion = read_item(item["text"], "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == NO_HIV
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        "HIV negative",
        "HIV-negative",
        "Patients must be HIV negative",
        "Negative HIV test",
        "Negative for HIV",
        "HIV seronegative",
        "Seronegative for HIV",
        "HIV 1/2 antibody negative",
        "Human immunodeficiency virus (HIV) negative",
        "HIV: negative",
    ],
)
def test_read(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == NO_HIV
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("kind", "text", "readings"),
    [
        # the qualitative test, never the history
        ("inclusion", "HIV RNA negative", ["HIV-1 RNA (qualitative) = negative"]),
        ("inclusion", "HIV viral load negative", ["HIV-1 RNA (qualitative) = negative"]),
    ],
)
def test_a_viral_load_stays_the_test(kind: str, text: str, readings: list[str]) -> None:
    assert [describe_rule(r) for r in read_item(text, kind).rules] == readings


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("inclusion", "HIV-negative patients with CD4 count ≥ 200 cells/µL"),
        ("inclusion", "Not HIV negative"),
        ("exclusion", "HIV negative"),
        ("inclusion", "HIV negative, HBV negative and HCV negative"),
    ],
)
def test_not_decided(kind: str, text: str) -> None:
    criterion = read_item(text, kind)
    assert not is_computable(criterion.rules, criterion.unread)


def _patient(conditions: list[dict[str, Any]] | None) -> Patient:
    return Patient.model_validate({"id": "P", "conditions": conditions})


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        ([], Status.MET),
        ([{"text": "HIV infection"}], Status.NOT_MET),
        ([{"code": "B20", "system": "ICD-10"}], Status.NOT_MET),
        (None, Status.UNKNOWN),  # no medical history recorded: never passed
    ],
)
def test_screening_both_paths(conditions: list[dict[str, Any]] | None, status: Status) -> None:
    criterion = read_item("HIV negative", "inclusion")
    assert item_status(criterion, _patient(conditions), as_of=AS_OF) is status
