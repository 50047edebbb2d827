"""Words that say nothing the rules do not: "adequate … function:" followed by its limits,
"sufficient", "patients with" — and a 'with' that joins two rules of an exclusion.

"Adequate renal function: serum creatinine ≤ 1.5 mg/dL" was partial, as if "adequate" asked the
investigator for a judgement; the limits that follow define it (the colon, "defined as", "as
defined by", a parenthesis). "Adequate organ function including …" is not so defined ("including"
lists some of it) and keeps the judgement. A 'with' between two rules of an exclusion asks for
both ("brain metastases with leptomeningeal disease") and is quoted, as 'and' is. Texts marked
with an NCT number are real items of the round-5 tuning corpus.
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_criterion

from .builders import read_item


@pytest.mark.parametrize(
    "text",
    [
        "Adequate renal function: serum creatinine ≤ 1.5 mg/100 mL.",  # NCT00600210 I4
        "Adequate bone marrow function: ANC greater ≥ 1,500/mm3, platelets ≥ 100,000/mm3.",
        "Adequate organ function as defined by ANC ≥ 1500/mm3",
        "Sufficient renal function (creatinin <1.5 mg/dl and creatinin clearance > 30ml/min)",
        "Patients with histologically or cytologically documented Hepatocellular Carcinoma (HCC)",
    ],
)
def test_defined_adequacy_and_filler_are_computable(text: str) -> None:

    reading = read_criterion(Criterion(id="I1", kind=CriterionKind.INCLUSION, text=text))
    assert not any("judgement" in w for w in reading.warnings), reading.warnings
    assert is_computable(reading.criterion.rules, reading.criterion.unread)


def test_adequacy_only_exemplified_is_a_judgement() -> None:

    text = "Adequate organ function including ANC ≥ 1500/mm3"
    reading = read_criterion(Criterion(id="I1", kind=CriterionKind.INCLUSION, text=text))
    assert any("judgement ('Adequate')" in w for w in reading.warnings)
    assert not is_computable(reading.criterion.rules, reading.criterion.unread)


def test_with_between_two_exclusion_rules_is_quoted() -> None:
    criterion = read_item("Brain metastases with leptomeningeal disease", "exclusion")
    assert "with" in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)
    # "diagnosed with" joins nothing
    hiv = read_item("Known HIV(+) or has been diagnosed with AIDS", "exclusion")
    assert hiv.unread == ()


def test_treated_is_a_condition_not_a_filler_word() -> None:
    # "treated" narrows what it names ("Treated hepatitis B" is not every hepatitis B): it was
    # a filler word, so the item was decided on the hepatitis alone
    criterion = read_item("Treated hepatitis B", "exclusion")
    assert "Treated" in criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    "text",
    [
        "Uncontrolled hypertension, defined as systolic blood pressure > 150 mmHg or diastolic "
        "blood pressure > 100 mmHg",
        "Uncontrolled hypertension (blood pressure > 150/100 mmHg)",
    ],
)
def test_hypertension_defined_by_its_limits_is_no_judgement(text: str) -> None:
    criterion = read_item(text, "exclusion")
    assert criterion.unread == ()
    assert is_computable(criterion.rules, criterion.unread)


def test_hypertension_only_exemplified_stays_a_judgement() -> None:
    criterion = read_item(
        "Uncontrolled hypertension (e.g. blood pressure > 150/100 mmHg)", "exclusion"
    )
    assert not is_computable(criterion.rules, criterion.unread)
