"""A blood pressure written as one pair of values: "> 150/100 mmHg" excludes when either value is
above (the round-5 reading convention), and now "Blood pressure ≤ 140/90 mmHg" in an inclusion
requires both values at most their limit (an all-of rule), "BP" for "blood pressure" as well.
Made-up texts in registry phrasings (round 5 writes the pair only in exclusions or with a
qualifier: NCT00426829 E16 "… must be well-controlled (</= 140/90 mmHg on a stable regimen …)"
stays unread, an upper limit among the exclusions); every corpus figure is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, lab, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("kind", "text", "reading"),
    [
        (
            "inclusion",
            "Blood pressure ≤ 150/90 mmHg",
            "(Systolic blood pressure ≤ 150 mmHg) and (Diastolic blood pressure ≤ 90 mmHg)",
        ),
        (
            "inclusion",
            "Blood pressure (BP) < 140/90 mm Hg",
            "(Systolic blood pressure < 140 mmHg) and (Diastolic blood pressure < 90 mmHg)",
        ),
        (
            "exclusion",
            "BP > 150/100 mmHg",
            "(Systolic blood pressure > 150 mmHg) or (Diastolic blood pressure > 100 mmHg)",
        ),
    ],
)
def test_read(kind: str, text: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


def test_an_upper_limit_among_the_exclusions_is_not_read() -> None:
    corpus = json.loads(
        (Path(__file__).parent / "corpus" / "tuning_round5.json").read_text(encoding="utf-8")
    )
    (item,) = [i for i in corpus["items"] if (i["nct"], i["id"]) == ("NCT00426829", "E16")]
    for text in (item["text"], "Blood pressure ≤ 90/60 mmHg"):
        criterion = read_item(text, "exclusion")
        assert not is_computable(criterion.rules, criterion.unread)


def _patient(systolic: float, diastolic: float | None) -> Patient:
    observations = [lab("systolic_bp", systolic, "mmHg", "2025-02-27")]
    if diastolic is not None:
        observations.append(lab("diastolic_bp", diastolic, "mmHg", "2025-02-27"))
    return Patient.model_validate({"id": "P", "observations": observations})


@pytest.mark.parametrize(
    ("systolic", "diastolic", "status"),
    [
        (138, 85, Status.MET),
        (138, 92, Status.NOT_MET),
        (145, 85, Status.NOT_MET),
        (145, None, Status.NOT_MET),  # one value above is enough
        (138, None, Status.UNKNOWN),
    ],
)
def test_screening_both_paths(systolic: float, diastolic: float | None, status: Status) -> None:
    criterion = read_item("Blood pressure ≤ 140/90 mmHg", "inclusion")
    assert item_status(criterion, _patient(systolic, diastolic), as_of=AS_OF) is status


# Development-corpus phrasings (jwlieb/clinical-trial-agent data/demo/*/*/trials.json at
# 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde): the pressure named by its phase alone, "mm Hg" with a
# space and "millimeters of mercury" written out.
@pytest.mark.parametrize(
    ("source", "text", "readings", "computable"),
    [
        (
            "NCT04421820 E6.5",
            "Uncontrolled hypertension (systolic ≥ 140 mmHg or diastolic ≥ 90 mmHg)",
            ["(Systolic blood pressure ≥ 140 mmHg) or (Diastolic blood pressure ≥ 90 mmHg)"],
            True,
        ),
        (
            "NCT06357182 E18",
            "Uncontrolled hypertension (i.e., systolic blood pressure \\> 180 mm Hg, diastolic "
            "blood pressure \\> 95 mm Hg).",
            ["Systolic blood pressure > 180 mmHg", "Diastolic blood pressure > 95 mmHg"],
            True,
        ),
        (
            "NCT05552755 E23.3",
            "Uncontrolled hypertension: systolic blood pressure (SBP) \\> 180 millimeters of "
            "mercury (mmHg), diastolic blood pressure (DBP) \\> 100 mmHg",
            ["Systolic blood pressure > 180 mmHg", "Diastolic blood pressure > 100 mmHg"],
            False,  # "Uncontrolled hypertension:" before the limits is not read as their name
        ),
        (
            # examples ("eg") do not define the control asked for: the words stay quoted
            "NCT03803553 E54.8",
            "Poorly controlled hypertension (eg, systolic \\> 180 mm Hg or diastolic \\> 100 mm Hg).",
            ["(Systolic blood pressure > 180 mmHg) or (Diastolic blood pressure > 100 mmHg)"],
            False,
        ),
    ],
)
def test_read_as_records_write_it(
    source: str, text: str, readings: list[str], computable: bool
) -> None:
    criterion = read_item(text, "exclusion")
    assert [describe_rule(r) for r in criterion.rules] == readings, source
    assert is_computable(criterion.rules, criterion.unread) is computable, criterion.unread


def test_either_pressure_above_its_limit_excludes() -> None:
    text = (
        "Uncontrolled hypertension (i.e., systolic blood pressure \\> 180 mm Hg, diastolic "
        "blood pressure \\> 95 mm Hg)."
    )
    criterion = read_item(text, "exclusion")
    for systolic, diastolic, status in ((190, 80, Status.MET), (150, 90, Status.NOT_MET)):
        patient = Patient.model_validate(
            {
                "id": "P1",
                "observations": [
                    lab("systolic_bp", systolic, "mmHg", "2025-02-27"),
                    lab("diastolic_bp", diastolic, "mmHg", "2025-02-27"),
                ],
            }
        )
        assert item_status(criterion, patient, as_of=AS_OF) is status


def test_a_systolic_function_is_no_blood_pressure() -> None:
    criterion = read_item("Left ventricular systolic function ≥ 50%", "inclusion")
    assert not any("blood pressure" in describe_rule(r) for r in criterion.rules)
    assert not is_computable(criterion.rules, criterion.unread)
