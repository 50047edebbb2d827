"""Alternatives between two tests written in a bracket or with an ordinal result (issue 12:
never two required rules where the protocol offers either).

"Serum creatinine =< 2 mg/dL (or glomerular filtration rate >= 40 mL/min)" (NCT05464810 I15) and
"Urine protein < 2+ or 24-hour urine protein quantification < 1.0 g" (NCT07226544 I10) were read
as two rules, both required, with the "or" quoted unread: the item went to the investigator. The
"or" is read now, in an inclusion as one any-of rule, in an exclusion as the exclusion's own
logic. The records are kept in jwlieb/clinical-trial-agent at commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, data/demo/*/trials.json (the development corpus).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.rules import describe_rule

from .builders import read_item, read_items_agree_on_random_patients

AS_OF = dt.date(2025, 3, 1)
EGFR = "eGFR (CKD-EPI 2021)"
MGFR = "Glomerular filtration rate, measured (radioisotope)"

READ = [
    (
        "Creatinine ≤ 1.5 x ULN (or creatinine clearance ≥ 60 mL/min)",
        "inclusion",
        "(Serum creatinine ≤ 1.5 × ULN) or (Creatinine clearance (Cockcroft-Gault) ≥ 60 mL/min)",
    ),
    (
        "Urine protein < 2+ or 24-hour urine protein quantification < 1.0 g",
        "inclusion",
        "(Urine protein (dipstick) < 2+) or (Urine protein (24-hour) < 1 g/24h)",
    ),
    (
        # NCT07275216 I11: the alternative is for patients with Gilbert's disease only; read as
        # everyone's, a patient with total bilirubin 3 × ULN and no Gilbert's passed
        "Total bilirubin ≤ 2 × upper limit of normal (ULN) or direct bilirubin ≤ 2 × ULN for "
        "patients with Gilbert's disease",
        "inclusion",
        "(Total bilirubin ≤ 2 × ULN) or ((Gilbert's syndrome) and (Direct bilirubin ≤ 2 × ULN))",
    ),
]


@pytest.mark.parametrize(("text", "kind", "reading"), READ)
def test_read_as_alternatives(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


def test_a_bracketed_gfr_is_an_alternative() -> None:
    # the "or" is read; only the GFR's missing method is quoted (reading_clearance)
    criterion = read_item(
        "Serum creatinine =< 2 mg/dL (or glomerular filtration rate >= 40 mL/min)", "inclusion"
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        f"(Serum creatinine ≤ 2 mg/dL) or ({EGFR} ≥ 40 mL/min) or ({MGFR} ≥ 40 mL/min)"
    ]
    assert criterion.unread == (
        "glomerular filtration rate >= 40 mL/min (the GFR's method is not named)",
    )


def test_in_an_exclusion_either_excludes() -> None:
    criterion = read_item("Serum creatinine > 2 mg/dL (or creatinine clearance < 40 mL/min)")
    assert is_computable(criterion.rules, criterion.unread), criterion.unread
    assert [describe_rule(r) for r in criterion.rules] == [
        "(Serum creatinine > 2 mg/dL) or (Creatinine clearance (Cockcroft-Gault) < 40 mL/min)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        # "and" in a bracket is no alternative
        "Serum creatinine ≤ 2 mg/dL (and creatinine clearance ≥ 40 mL/min)",
        # the same test twice is a range or a restatement, never this join
        "Urine protein < 2+ or urine protein < 3+",
    ],
)
def test_not_an_alternative(text: str) -> None:
    criterion = read_item(text, "inclusion")
    assert not any(describe_rule(r).count(") or (") for r in criterion.rules), [
        describe_rule(r) for r in criterion.rules
    ]


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    read_items_agree_on_random_patients(
        [(f"I{k}", text) for k, (text, _, _) in enumerate(READ, start=1)], as_of=AS_OF, seed=41
    )


def test_a_limit_or_its_opposite_is_never_decided() -> None:
    # NCT06610682 I8.4 (the development corpus): the second alternative names whom the direct
    # bilirubin limit is for; read as written, the direct bilirubin was required of everyone
    criterion = read_item(
        "Total bilirubin \\</= 1.5 x institutional upper limit of normal (ULN) OR total bilirubin "
        "\\>1.5 × ULN with direct bilirubin \\<1.5 × ULN",
        "inclusion",
    )
    assert any("a limit or its opposite" in u for u in criterion.unread), criterion.unread
    assert not is_computable(criterion.rules, criterion.unread)
    # an exclusion of values on either side of a range is no such pair: it is read
    either_side = read_item("AST < 0.5 x ULN or > 5 x ULN", "exclusion")
    assert is_computable(either_side.rules, either_side.unread)
