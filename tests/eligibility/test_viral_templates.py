"""The NCI template's items on chronic hepatitis B, hepatitis C and HIV, read whole
(eligibility.reading_viral_templates).

Before, "Patients with a history of hepatitis C virus (HCV) infection must have been treated and
cured. For patients with HCV infection who are currently on treatment, they are eligible if they
have an undetectable HCV viral load" was read piecemeal: "undetectable HCV viral load" became a
requirement on every patient and the rest stayed unread, so the item was never decided. On the
1,329 records of the development corpus the HBV sentence is in 37 records, the HCV one in 53 and
the HIV one in 12.

Real items are cited by NCT number: records of jwlieb/clinical-trial-agent at commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (ClinicalTrials.gov text, public domain), the entry of
'trials' with that nct_id in data/demo/<file named>, eligibility.raw_text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)
DAY = "2025-02-20"

# NCT07012031 (results/02_nsclc_kras_g12c_brain_mets/trials.json), two items
HBV = (
    "For patients with evidence of chronic hepatitis B virus (HBV) infection, the HBV viral load "
    "must be undetectable on suppressive therapy, if indicated"
)
HCV = (
    "Patients with a history of hepatitis C virus (HCV) infection must have been treated and "
    "cured. For patients with HCV infection who are currently on treatment, they are eligible if "
    "they have an undetectable HCV viral load"
)
# NCT07288034 (results/02_nsclc_kras_g12c_brain_mets/trials.json)
HIV = (
    "HIV-infected patients on effective anti-retroviral therapy with undetectable viral load "
    "within 6 months are eligible for this trial"
)
# Merck's inclusion (NCT06136650 I11, results/…; NCT05947851 I9 names the RNA): any history of
# hepatitis C, cured or not, asks for the viral load
MERCK_HCV = (
    "Participants with history of hepatitis C virus (HCV) infection are eligible if HCV viral "
    "load is undetectable at screening"
)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        (MERCK_HCV, ["if Hepatitis C: HCV RNA (qualitative) = negative"]),
        (
            "Participants with history of hepatitis C virus (HCV) infection are eligible if HCV "
            "ribonucleic acid (RNA) viral load is undetectable at screening.",
            ["if Hepatitis C: HCV RNA (qualitative) = negative"],
        ),
        (
            "Participants with a history of HCV infection are eligible if HCV viral load is "
            "undetectable",
            ["if Hepatitis C: HCV RNA (qualitative) = negative"],
        ),
        (HBV, ["if Hepatitis B (current): HBV DNA (qualitative) = negative"]),
        (HCV, ["if Hepatitis C (current): HCV RNA (qualitative) = negative"]),
        (
            HIV,
            [
                "if HIV infection: (Antiretroviral therapy for HIV received ongoing) and "
                "(HIV-1 RNA (qualitative) = negative within 6 months before the first dose)"
            ],
        ),
        (  # NCT06401330 (results/01_nsclc_kras_g12c_standard/trials.json)
            "Known " + HIV + ".",
            [
                "if HIV infection: (Antiretroviral therapy for HIV received ongoing) and "
                "(HIV-1 RNA (qualitative) = negative within 6 months before the first dose)"
            ],
        ),
    ],
)
def test_the_template_is_read_whole(text: str, readings: list[str]) -> None:
    criterion = read_item(text, "inclusion")
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert is_computable(criterion.rules, criterion.unread)


def test_words_beyond_the_template_stay_unread() -> None:
    # NCT06248606 I14 (results/01_nsclc_kras_g12c_standard/trials.json): the HCV sentence in
    # another wording, then a sentence on testing the template does not hold
    criterion = read_item(
        "Patients with evidence of chronic hepatitis B virus (HBV) infection, the HBV viral load "
        "must be undetectable on suppressive therapy, if indicated. Patients with a history of "
        "hepatitis C virus (HCV) infection must have been treated and cured. For patients with "
        "HCV infection who are currently on treatment, the HCV viral load must be undetectable "
        "to be eligible for this trial. Testing is not required at screening unless mandated by "
        "local policy.",
        "inclusion",
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        "if Hepatitis B (current): HBV DNA (qualitative) = negative",
        "if Hepatitis C (current): HCV RNA (qualitative) = negative",
    ]
    assert criterion.unread and "unless mandated by local policy" in " ".join(criterion.unread)


def test_an_exclusion_in_these_words_is_not_read_as_the_template() -> None:
    criterion = read_item(HCV, "exclusion")
    assert not any(r.kind == "conditional" for r in criterion.rules)


def _patient(**data: Any) -> Patient:
    return Patient.model_validate({"id": "P", **data})


def _test(analyte: str, result: str, day: str = DAY) -> dict[str, Any]:
    return {"analyte": analyte, "result": result, "date": day}


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"conditions": []}, Status.MET),  # no hepatitis C recorded: the item does not apply
        ({"conditions": [{"concept": "hepatitis_c", "onset": "2015-01-01"}]}, Status.UNKNOWN),
        (  # treated and cured: resolved before the screen
            {
                "conditions": [
                    {"concept": "hepatitis_c", "onset": "2015-01-01", "abatement": "2016-01-01"}
                ]
            },
            Status.MET,
        ),
        (
            {
                "conditions": [{"concept": "hepatitis_c", "onset": "2015-01-01"}],
                "observations": [_test("hcv_rna_detected", "negative")],
            },
            Status.MET,
        ),
        (
            {
                "conditions": [{"concept": "hepatitis_c", "onset": "2015-01-01"}],
                "observations": [_test("hcv_rna_detected", "positive")],
            },
            Status.NOT_MET,
        ),
        ({}, Status.UNKNOWN),  # no list of conditions: whether the item applies is unknown
    ],
)
def test_hepatitis_c(data: dict[str, Any], status: Status) -> None:
    assert item_status(read_item(HCV, "inclusion"), _patient(**data), as_of=AS_OF) is status


_CURED = [{"concept": "hepatitis_c", "onset": "2015-01-01", "abatement": "2016-01-01"}]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"conditions": []}, Status.MET),  # no hepatitis C recorded: the item does not apply
        ({"conditions": _CURED}, Status.UNKNOWN),  # cured, but the item asks for the test
        (
            {"conditions": _CURED, "observations": [_test("hcv_rna_detected", "negative")]},
            Status.MET,
        ),
        (
            {
                "conditions": [{"concept": "hepatitis_c", "onset": "2015-01-01"}],
                "observations": [_test("hcv_rna_detected", "positive")],
            },
            Status.NOT_MET,
        ),
        ({}, Status.UNKNOWN),
    ],
)
def test_merck_hepatitis_c(data: dict[str, Any], status: Status) -> None:
    assert item_status(read_item(MERCK_HCV, "inclusion"), _patient(**data), as_of=AS_OF) is status


def test_merck_hepatitis_c_with_a_further_requirement_stays_partial() -> None:
    # NCT04317534 I14.1: the note asks for curative therapy 4 weeks before: not read
    criterion = read_item(
        MERCK_HCV + ". Note: Participants must have completed curative anti-viral therapy at "
        "least 4 weeks prior to randomization.",
        "inclusion",
    )
    assert criterion.unread and not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"conditions": []}, Status.MET),
        (
            {
                "conditions": [{"concept": "hepatitis_b", "onset": "2010-01-01"}],
                "observations": [{"loinc": "29610-3", "result": "negative", "date": DAY}],
            },
            Status.MET,
        ),
        (
            {
                "conditions": [{"concept": "hepatitis_b", "onset": "2010-01-01"}],
                "observations": [_test("hbv_dna_detected", "positive")],
            },
            Status.NOT_MET,
        ),
    ],
)
def test_hepatitis_b(data: dict[str, Any], status: Status) -> None:
    assert item_status(read_item(HBV, "inclusion"), _patient(**data), as_of=AS_OF) is status


_ART = {"text": "dolutegravir", "start": "2019-01-01"}
_HIV = [{"concept": "hiv", "onset": "2018-06-01"}]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"conditions": [], "medications": []}, Status.MET),
        (
            {
                "conditions": _HIV,
                "medications": [_ART],
                "observations": [_test("hiv_rna_detected", "negative")],
            },
            Status.MET,
        ),
        (  # no antiretroviral: not "on effective anti-retroviral therapy"
            {
                "conditions": _HIV,
                "medications": [],
                "observations": [_test("hiv_rna_detected", "negative")],
            },
            Status.NOT_MET,
        ),
        (  # the only test is older than the 6 months the item allows
            {
                "conditions": _HIV,
                "medications": [_ART],
                "observations": [_test("hiv_rna_detected", "negative", "2024-06-01")],
            },
            Status.UNKNOWN,
        ),
        (
            {
                "conditions": _HIV,
                "medications": [_ART],
                "observations": [_test("hiv_rna_detected", "positive")],
            },
            Status.NOT_MET,
        ),
    ],
)
def test_hiv(data: dict[str, Any], status: Status) -> None:
    assert item_status(read_item(HIV, "inclusion"), _patient(**data), as_of=AS_OF) is status


_CONDITIONS = st.lists(
    st.fixed_dictionaries(
        {"concept": st.sampled_from(["hepatitis_b", "hepatitis_c", "hiv"])},
        optional={"abatement": st.sampled_from(["2016-01-01", "2025-02-25"])},
    ),
    max_size=2,
)
_TESTS = st.lists(
    st.builds(
        _test,
        st.sampled_from(["hbv_dna_detected", "hcv_rna_detected", "hiv_rna_detected"]),
        st.sampled_from(["negative", "positive"]),
        st.sampled_from([DAY, "2024-06-01"]),
    ),
    max_size=3,
)


@settings(max_examples=80, deadline=None)
@given(
    conditions=st.one_of(st.none(), _CONDITIONS),
    tests=_TESTS,
    art=st.one_of(st.none(), st.just([_ART]), st.just([])),
    text=st.sampled_from([HBV, HCV, HIV, MERCK_HCV]),
)
def test_per_patient_and_vectorised_agree(
    conditions: list[dict[str, Any]] | None,
    tests: list[dict[str, Any]],
    art: list[dict[str, Any]] | None,
    text: str,
) -> None:
    data: dict[str, Any] = {"observations": tests}
    if conditions is not None:
        data["conditions"] = [{"onset": "2010-01-01", **c} for c in conditions]
    if art is not None:
        data["medications"] = art
    item_status(read_item(text, "inclusion"), _patient(**data), as_of=AS_OF)  # asserts agreement
