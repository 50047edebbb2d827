"""General phrasings of the round-5 tuning records read by wave/elig (issue 12): each text is an
item of ``corpus/tuning_round5.json`` (record and item cited; ClinicalTrials.gov, public domain)
or, marked "made up", a variant pinning what stays unread.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule
from oncotrial.eligibility.screening import Verdict, screen_patient

from .corpus_measure import AS_OF, only_item


def _read(text: str, kind: str) -> Criterion:
    item_id = "I1" if kind == "inclusion" else "E1"
    return read_criterion(Criterion(id=item_id, kind=CriterionKind(kind), text=text)).criterion


READ_EXACTLY: list[tuple[str, str, str, list[str]]] = [
    (
        "NCT00602576 I3.5",
        "inclusion",
        "At least 4 weeks since prior chemotherapy",
        ["not (Cytotoxic chemotherapy received within 4 weeks before the first dose)"],
    ),
    (
        "NCT00098540 I29",
        "inclusion",
        "At least 4 weeks since prior radiotherapy",
        ["not (Radiotherapy within 4 weeks before the first dose)"],
    ),
    (
        "NCT01851408 I18",
        "inclusion",
        "At least 3 weeks since prior major surgery.",
        ["not (Major surgery within 3 weeks before the first dose)"],
    ),
    ("NCT00602576 I2.15", "inclusion", "No HIV positivity", ["not (HIV infection)"]),
    ("NCT00098540 I17", "inclusion", "No known HIV positivity", ["not (HIV infection)"]),
    (
        "NCT00392665 E19",
        "exclusion",
        "Presence of central nervous system or brain metastases",
        ["Brain or other central nervous system metastases (current)"],
    ),
    (
        "NCT00717990 E9",
        "exclusion",
        "Pregnant or lactating woman",
        ["(Pregnancy (current)) or (Breastfeeding (current))"],
    ),
    (
        "NCT00549328 I2",
        "inclusion",
        "Histologically- or cytologically confirmed diagnosis of Stage IIIB or IV non-small cell "
        "lung cancer.",
        [
            "diagnosis of Non-small cell lung cancer, confirmed by histology or cytology",
            "stage IIIB or IV",
        ],
    ),
]


@pytest.mark.parametrize(("source", "kind", "text", "readings"), READ_EXACTLY)
def test_read_exactly_and_decided(source: str, kind: str, text: str, readings: list[str]) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == readings, source
    assert is_computable(criterion.rules, criterion.unread), (source, criterion.unread)


@pytest.mark.parametrize(
    ("source", "kind", "text"),
    [
        # another word between "since prior" and the treatment
        (
            "NCT00098540 I25",
            "inclusion",
            "At least 4 weeks since prior low-dose weekly chemotherapy as a radiosensitizer",
        ),
        # an exception for some agents in parentheses
        (
            "NCT00509587 I1.29",
            "inclusion",
            "At least 4 weeks since prior chemotherapy (6 weeks for nitrosoureas or mitomycin C), "
            "radiotherapy, or surgery",
        ),
        # "and recovered": a judgement
        (
            "NCT01851408 I20",
            "inclusion",
            "At least 4 weeks since prior radiotherapy and recovered.",
        ),
        # "more than" is another boundary than the window's
        (
            'made up (NCT00496756 I3.5\'s "More than")',
            "inclusion",
            "More than 4 weeks since prior chemotherapy",
        ),
        # made up: an exclusion states what excludes, never how long ago
        ("made up", "exclusion", "At least 4 weeks since prior chemotherapy"),
    ],
)
def test_never_decided(source: str, kind: str, text: str) -> None:
    criterion = _read(text, kind)
    assert not is_computable(criterion.rules, criterion.unread), source


def _patient(chemo_end: dt.date | None, history: bool = True) -> Patient:
    data: dict[str, Any] = {"id": "P", "sex": "female", "birth_date": "1960-06-01"}
    if history:
        data["medications"] = (
            [{"concept": "chemotherapy", "start": "2024-10-01", "end": chemo_end.isoformat()}]
            if chemo_end
            else []
        )
    return Patient.model_validate(data)


@pytest.mark.parametrize(
    ("patient", "truth"),
    [
        (_patient(AS_OF - dt.timedelta(days=40)), Verdict.PASSES),
        (_patient(AS_OF - dt.timedelta(days=10)), Verdict.FAILS),
        (_patient(None), Verdict.PASSES),  # a medication history without chemotherapy
        (_patient(None, history=False), Verdict.UNKNOWN),  # no medication history at all
    ],
)
def test_time_since_prior_chemotherapy_per_patient_and_in_batch(
    patient: Patient, truth: Verdict
) -> None:
    eligibility = only_item(_read("At least 4 weeks since prior chemotherapy", "inclusion"))
    result = screen_patient(eligibility, patient, as_of=AS_OF).criteria[0]
    assert result.verdict is truth, result
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    assert batch.loc[patient.id, result.criterion_id] == result.status.value
