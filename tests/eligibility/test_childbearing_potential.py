"""A pregnancy test "for women of childbearing potential" is asked of them only (issue 12).

The words were read as "if female", with a warning and the words quoted, so the item went to the
checklist; a post-menopausal woman without a test was left unknown, and one with a positive hCG
(an hCG-secreting tumour) would have failed. Childbearing potential is now a recorded finding
(CDISC SDTM RP, RPTESTCD CHILDPOT, Y/N; analytes.childbearing_potential) and the test is asked
when the woman can become pregnant. Unrecorded potential leaves the test asked for, unless it is
negative anyway.

Listed among exclusions ("Pregnant or breast-feeding patients. Women of childbearing potential
must have a negative pregnancy test …", NCT00619541 E3.1), the requirement excludes those who do
not meet it; read as an exclusion rule of its own, a woman *with* a negative test would have been
excluded.

Real phrasings: NCT01736878 I14 and NCT00619541 E3.1 (round 5), NCT04267848 I15.1 (the shared
reference record).
"""

from __future__ import annotations

from typing import Any

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule
from oncotrial.eligibility.screening import screen_patient

from .builders import item_status, read_item
from .corpus_measure import only_item
from .random_patients import AS_OF

DAY = "2025-02-26"
I14 = "Women of childbearing potential with negative serum pregnancy test"
E31 = (
    "Pregnant or breast-feeding patients. Women of childbearing potential must have a negative "
    "pregnancy test performed within 7 days of the start of treatment."
)


def _patient(sex: str = "female", potential: str | None = None, hcg: str | None = None) -> Patient:
    observations: list[dict[str, Any]] = []
    if potential is not None:
        observations.append(
            {"analyte": "childbearing_potential", "result": potential, "date": "2024-11-02"}
        )
    if hcg is not None:
        observations.append({"analyte": "hcg", "result": hcg, "date": DAY})
    return Patient.model_validate(
        {
            "id": "P1",
            "sex": sex,
            "birth_date": "1970-05-01",
            "observations": observations,
            "conditions": [],
        }
    )


def test_the_words_are_read_and_the_item_is_computable() -> None:
    item = read_item(I14, "inclusion")
    assert [describe_rule(r) for r in item.rules] == [
        "if (sex is female) and (Childbearing potential = yes): Pregnancy test (hCG) = negative"
    ]
    assert item.unread == ()
    # the reference record's "for women of childbearing potential only, a negative pregnancy
    # test done =< 7 days prior to registration is required"
    reference = read_item(
        "Therefore, for women of childbearing potential only, a negative pregnancy test done =\\< "
        "7 days prior to registration is required",
        "inclusion",
    )
    assert "Childbearing potential = yes" in describe_rule(reference.rules[0])


@pytest.mark.parametrize(
    ("patient", "expected"),
    [
        (_patient("male"), Status.MET),
        (_patient(potential="no"), Status.MET),  # post-menopausal: no test asked
        (_patient(potential="no", hcg="positive"), Status.MET),  # an hCG-secreting tumour
        (_patient(potential="yes", hcg="negative"), Status.MET),
        (_patient(potential="yes", hcg="positive"), Status.NOT_MET),
        (_patient(potential="yes"), Status.UNKNOWN),
        (_patient(hcg="negative"), Status.MET),  # negative whatever her potential
        (_patient(hcg="positive"), Status.UNKNOWN),  # decided by her potential
        (_patient(), Status.UNKNOWN),
    ],
)
def test_screened_per_patient_and_vectorised(patient: Patient, expected: Status) -> None:
    assert item_status(read_item(I14, "inclusion"), patient, as_of=AS_OF) is expected


def test_unknown_asks_for_the_potential_and_the_test() -> None:
    item = read_item(I14, "inclusion")
    result = screen_patient(only_item(item), _patient(), as_of=AS_OF)
    missing = " ".join(result.to_collect)
    assert "Childbearing potential" in missing and "hCG" in missing


@pytest.mark.parametrize(
    ("patient", "expected"),
    [
        (_patient(potential="yes", hcg="negative"), Status.NOT_MET),  # was excluded
        (_patient(potential="yes", hcg="positive"), Status.MET),
        (_patient(potential="no"), Status.NOT_MET),
        (_patient("male"), Status.NOT_MET),
        (_patient(potential="yes"), Status.UNKNOWN),
    ],
)
def test_among_exclusions_the_requirement_excludes_those_who_miss_it(
    patient: Patient, expected: Status
) -> None:
    item = read_item(E31, "exclusion")
    assert item.unread == ()
    assert describe_rule(item.rules[-1]).startswith("not (if (sex is female) and (Childbearing")
    assert item_status(item, patient, as_of=AS_OF) is expected
