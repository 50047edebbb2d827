"""'Detectable HCV RNA', 'undetectable viral load' and HIV with its CD4 count and viral load
(issue 12: gaps left by the round-5 session; reading_viral.read_viral_presence,
reading_hiv.read_hiv_combination).

No record of the tuning corpora qualifies a viral load by 'detectable' or joins HIV to its tests,
so the texts are made up in registry phrasings, except the one marked with its record
(NCT04267848, the shared reference record). Each reading is decided per patient and by the
vectorised screen alike; each unreadable variant stays undecided.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_criterion, read_eligibility
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule
from oncotrial.eligibility.screening import Verdict, screen_patient
from oncotrial.formats.protocol_files import read_protocols

from .corpus_measure import AS_OF, DAY, only_item


def _read(text: str, kind: str) -> Criterion:
    item_id = "I1" if kind == "inclusion" else "E1"
    return read_criterion(Criterion(id=item_id, kind=CriterionKind(kind), text=text)).criterion


READ_EXACTLY: list[tuple[str, str, list[str]]] = [
    ("exclusion", "Detectable HCV RNA", ["HCV RNA (qualitative) = positive"]),
    # the parenthesis defines 'active': no condition rule on the history of hepatitis C
    ("exclusion", "Active hepatitis C (detectable HCV RNA)", ["HCV RNA (qualitative) = positive"]),
    ("inclusion", "No detectable HCV RNA", ["not (HCV RNA (qualitative) = positive)"]),
    ("inclusion", "HCV RNA undetectable", ["HCV RNA (qualitative) = negative"]),
    ("inclusion", "HIV viral load undetectable", ["HIV-1 RNA (qualitative) = negative"]),
    (
        "exclusion",
        "Known HIV infection with detectable viral load or CD4+ count < 200 cells/µL",
        [
            "(HIV infection) and ((HIV-1 RNA (qualitative) = positive) or "
            "(CD4+ T-cell count < 200 /uL))"
        ],
    ),
    (
        "inclusion",
        "Patients with HIV are eligible if CD4+ count ≥ 350 cells/µL and viral load undetectable",
        [
            "if HIV infection: (CD4+ T-cell count ≥ 350 /uL) and "
            "(HIV-1 RNA (qualitative) = negative)"
        ],
    ),
    (
        "inclusion",
        "HIV-infected patients with CD4+ count ≥ 350 cells/mm3 and undetectable viral load are "
        "eligible",
        [
            "if HIV infection: (CD4+ T-cell count ≥ 350 /mm^3) and "
            "(HIV-1 RNA (qualitative) = negative)"
        ],
    ),
]


@pytest.mark.parametrize(("kind", "text", "readings"), READ_EXACTLY)
def test_read_exactly_and_decided(kind: str, text: str, readings: list[str]) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert is_computable(criterion.rules, criterion.unread), criterion.unread


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # whose viral load? hepatitis B or C: not said
        ("exclusion", "Active hepatitis B or C (detectable viral load)"),
        # a description or a requirement? the words do not say the tests make HIV eligible
        ("inclusion", "HIV patients with CD4+ count ≥ 350 cells/mm3"),
        # 'and' and 'or' mixed between the tests
        (
            "inclusion",
            "HIV-infected patients with CD4+ count ≥ 350 cells/mm3 and undetectable viral load "
            "or on antiretroviral therapy are eligible",
        ),
        # an exclusion that says who is eligible
        ("exclusion", "HIV patients are eligible if CD4+ count ≥ 350 cells/µL"),
        # a condition on who must have the test
        ("inclusion", "Patients with treated hepatitis C must have undetectable HCV RNA"),
    ],
)
def test_never_decided(kind: str, text: str) -> None:
    criterion = _read(text, kind)
    assert not is_computable(criterion.rules, criterion.unread), [
        describe_rule(r) for r in criterion.rules
    ]


def test_a_real_record_reads_the_nci_hiv_item_whole(shared: Path) -> None:
    # NCT04267848 I11: "Human immunodeficiency virus (HIV)-infected patients on effective
    # anti-retroviral therapy with undetectable viral load within 6 months are eligible for this
    # trial". Before, the viral load was read alone and the therapy was not, so the item was
    # not decided; the NCI template is now read whole (reading_viral_templates)
    (protocol,) = read_protocols(shared / "reference" / "ctgov" / "NCT04267848.json")
    readings = {x.criterion.id: x.criterion for x in read_eligibility(protocol.eligibility)}
    item = readings["I11"]
    assert [describe_rule(r) for r in item.rules] == [
        "if HIV infection: (Antiretroviral therapy for HIV received ongoing) and (HIV-1 RNA "
        "(qualitative) = negative within 6 months before the first dose)"
    ]
    assert is_computable(item.rules, item.unread)


def _patient(
    labs: tuple[tuple[str, Any, str | None], ...] = (), hiv: bool | None = False
) -> Patient:
    """``hiv`` None: no medical history on record (HIV unknown)."""
    observations = [
        {"analyte": a, "date": DAY} | ({"value": v, "unit": u} if u else {"result": v})
        for a, v, u in labs
    ]
    data: dict[str, Any] = {
        "id": "P",
        "sex": "male",
        "birth_date": "1960-06-01",
        "consent_date": DAY,
        "observations": observations,
    }
    if hiv is not None:
        data["conditions"] = [{"concept": "hiv", "onset": "2010-01-01"}] if hiv else []
    return Patient.model_validate(data)


P, F, U = Verdict.PASSES, Verdict.FAILS, Verdict.UNKNOWN
HCV = ("exclusion", "Detectable HCV RNA")
HIV_EXCL = (
    "exclusion",
    "Known HIV infection with detectable viral load or CD4+ count < 200 cells/µL",
)
HIV_INCL = (
    "inclusion",
    "Patients with HIV are eligible if CD4+ count ≥ 350 cells/µL and viral load undetectable",
)
CASES: list[tuple[tuple[str, str], Patient, Verdict]] = [
    (HCV, _patient((("hcv_rna_detected", "detected", None),)), F),
    (HCV, _patient((("hcv_rna_detected", "not detected", None),)), P),
    # a quantitative load is never taken for the qualitative test (its detection limit unknown)
    (HCV, _patient((("hcv_rna", 12, "IU/mL"),)), U),
    (HCV, _patient(), U),
    (HIV_EXCL, _patient(), P),  # a history without HIV: the conjunction is not met
    (HIV_EXCL, _patient(hiv=None), U),  # no history on record
    (HIV_EXCL, _patient((("cd4", 150, "/uL"),), hiv=True), F),
    (HIV_EXCL, _patient((("cd4", 500, "/uL"), ("hiv_rna_detected", "negative", None)), True), P),
    (HIV_EXCL, _patient((("cd4", 500, "/uL"),), hiv=True), U),
    (HIV_INCL, _patient(), P),
    (HIV_INCL, _patient(hiv=None), U),
    (HIV_INCL, _patient((("cd4", 400, "/uL"), ("hiv_rna_detected", "negative", None)), True), P),
    (HIV_INCL, _patient((("cd4", 300, "/uL"),), hiv=True), F),
    (HIV_INCL, _patient((("cd4", 400, "/uL"),), hiv=True), U),
]


@pytest.mark.parametrize(("item", "patient", "truth"), CASES)
def test_screened_per_patient_and_in_batch(
    item: tuple[str, str], patient: Patient, truth: Verdict
) -> None:
    eligibility = only_item(_read(item[1], item[0]))
    result = screen_patient(eligibility, patient, as_of=AS_OF).criteria[0]
    assert result.verdict is truth, result
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    assert batch.loc[patient.id, result.criterion_id] == result.status.value
