"""Conditional limits as development records write them (issue 12 item 1: "if liver metastases
then ≤ 5×ULN else ≤ 2.5×ULN"; Gilbert's syndrome): a second limit written without its comparator
("(5 x ULN allowed if liver metastases)", "or 5 X ULN for patients with liver metastases",
reading._BARE_BRANCH), the permission that ends a Gilbert's limit ("… who have bilirubin level ≤ 3
x ULN may be enrolled", reading_lab_cues._ALLOWED) and "Exception: If Gilbert's syndrome; then ≤ 5
times ULN" (reading_lab_cues._CUE_BEFORE). Each item was partial or a checklist item; each is
read as the conditional rule and screened alike one at a time and vectorised.

Records: jwlieb/clinical-trial-agent ``data/demo/*/*/trials.json`` at
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (records in no corpus of these tests), cited by NCT id
and item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import assert_read_whole, assert_undecided, item_statuses, read_item

AS_OF = dt.date(2025, 6, 2)
LIVER = "if Liver metastases (current): "
GILBERT = "if Gilbert's syndrome: "

READ = [
    (
        "NCT07288034 I15",
        "Alanine aminotransferase (ALT) ≤ 3.0 x ULN (5 x ULN allowed if liver metastases)",
        f"{LIVER}Alanine aminotransferase ≤ 5 × ULN; otherwise Alanine aminotransferase ≤ 3 × ULN",
    ),
    (
        "NCT05826964 I10.3.2",
        "AST ≤ 2.5 x ULN or 5 X ULN for patients with liver metastases",
        f"{LIVER}Aspartate aminotransferase ≤ 5 × ULN; otherwise Aspartate aminotransferase "
        "≤ 2.5 × ULN",
    ),
    (
        "NCT05950464 I12",
        "Total bilirubin =\\< 1.5 x institutional upper limit of normal (ULN) (patients with "
        "known Gilbert's disease who have bilirubin level =\\< 3 x ULN may be enrolled)",
        f"{GILBERT}Total bilirubin ≤ 3 × ULN; otherwise Total bilirubin ≤ 1.5 × ULN",
    ),
    (
        "NCT06699602 I8",
        "Serum bilirubin ≤ 1.5 x ULN. Patients with known Gilbert disease who have serum "
        "bilirubin level ≤ 2 x ULN may be enrolled.",
        f"{GILBERT}Total bilirubin ≤ 2 × ULN; otherwise Total bilirubin ≤ 1.5 × ULN",
    ),
    (
        "NCT04256018 I1.10.1",
        "Bilirubin ≤ 1.5 times the institutional upper limit of normal (ULN). Exception: If "
        "Gilbert's syndrome; then ≤ 5 times ULN.",
        f"{GILBERT}Total bilirubin ≤ 5 × ULN; otherwise Total bilirubin ≤ 1.5 × ULN",
    ),
]


@pytest.mark.parametrize(("source", "text", "reading"), READ)
def test_read_as_a_conditional_limit(source: str, text: str, reading: str) -> None:
    assert_read_whole(text, "inclusion", [reading], source)


@pytest.mark.parametrize(
    "text",
    [
        # a bare multiple with no condition after it: a restatement or a typo, never a branch
        "ALT ≤ 2.5 x ULN (5 x ULN)",
        # a second test inside the permitted branch ("… and direct bilirubin within normal
        # limits are permitted", NCT03675893 I7.3): the branch holds both, which the reading
        # does not, so the permission stays unread and the item undecided
        "Total bilirubin ≤ 1.5 × institutional upper limit of normal (ULN). Patients with "
        "Gilbert's syndrome with a total bilirubin ≤ 2.0 times ULN and direct bilirubin within "
        "normal limits are permitted.",
    ],
)
def test_not_decided_without_the_whole_branch(text: str) -> None:
    assert_undecided(text)


def _patient(pid: str, alt_x_uln: float, conditions: list[dict[str, Any]] | None) -> Patient:
    alt = {"analyte": "alt", "value": 40.0 * alt_x_uln, "unit": "U/L", "date": "2025-05-30"}
    return Patient.model_validate(
        {"id": pid, "observations": [{**alt, "high": 40.0}], "conditions": conditions}
    )


def test_the_liver_branch_decides_on_both_paths() -> None:
    criterion = read_item(READ[0][1], "inclusion")
    liver = [{"concept": "liver_metastases", "onset": "2025-04-01"}]
    patients = [
        _patient("liver_4x", 4.0, liver),  # within the liver limit (≤ 5 × ULN)
        _patient("liver_6x", 6.0, liver),
        _patient("none_4x", 4.0, []),  # over the limit of everyone else (≤ 3 × ULN)
        _patient("none_2x", 2.0, []),
        _patient("not_asked_4x", 4.0, None),  # liver metastases not recorded either way
        _patient("not_asked_2x", 2.0, None),  # within both limits
    ]
    seen = item_statuses(criterion, patients, as_of=AS_OF)
    assert seen == {
        "liver_4x": Status.MET.value,
        "liver_6x": Status.NOT_MET.value,
        "none_4x": Status.NOT_MET.value,
        "none_2x": Status.MET.value,
        "not_asked_4x": Status.UNKNOWN.value,
        "not_asked_2x": Status.MET.value,
    }


def test_a_condition_before_a_semicolon_is_not_the_next_test_s() -> None:
    # NCT05458219 I6.2: the semicolon ends the transaminases' branch; albumin is everyone's limit
    # (a semicolon joins a condition to the limit after it only before "then", as in NCT04256018)
    criterion = read_item(
        "Hepatic function: TBIL ≤ 1.5 × ULN (TBIL ≤ 3 × ULN is allowed for participants with "
        "Gilbert's syndrome); ALT and AST ≤ 2.5 × ULN for participants without liver metastasis "
        "and ≤ 5 × ULN for participants with liver metastasis; Albumin ≥ 28 g/L;",
        "inclusion",
    )
    assert [describe_rule(r) for r in criterion.rules][-1] == "Serum albumin ≥ 28 g/L"
