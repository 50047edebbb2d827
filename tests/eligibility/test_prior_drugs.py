"""Individual anticancer drugs (issue 12, vocabulary): "No prior bevacizumab", "No prior
sorafenib, temsirolimus, or …", "At least 3 months since prior trastuzumab".

Real items are cited by NCT id and item id of tests/eligibility/corpus/tuning_round5.json; the
others are marked made-up. A list is read drug by drug (any one excludes), a drug alone is
never read as its class, and any other word of the list stays unread. A record matches a drug by
its ATC code, its generic or brand name or its concept key; a record of the drug's class that
names no drug ('chemotherapy') leaves the rule unknown. Per patient and vectorised alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.concepts import THERAPIES, match_concepts
from oncotrial.eligibility.concepts_drugs import DRUG_CLASSES, DRUGS, OTHER_MEMBERS, members
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import MedicationRule, Window, describe_rule

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        # NCT00509587 I1.1
        ("No prior bevacizumab", "inclusion", "not (Bevacizumab received ever)"),
        # NCT00509587 I2.9
        (
            "At least 3 months since prior trastuzumab",
            "inclusion",
            "not (Trastuzumab received within 3 months before the first dose)",
        ),
        # NCT00556049 E1
        (
            "Prior treatment with sunitinib or gemcitabine",
            "exclusion",
            "(Sunitinib received ever) or (Gemcitabine received ever)",
        ),
        # made-up: a brand name, a brand in brackets after the generic name, a window
        ("No prior Avastin", "inclusion", "not (Bevacizumab received ever)"),
        ("No prior trastuzumab (Herceptin®)", "inclusion", "not (Trastuzumab received ever)"),
        (
            "Bevacizumab within 4 weeks prior to the first dose",
            "exclusion",
            "Bevacizumab received within 4 weeks before the first dose",
        ),
        ("Prior sorafenib tosylate", "exclusion", "Sorafenib received ever"),
        # made-up: taken at the first dose, as "no concurrent chemotherapy" is
        (
            "No concurrent cetuximab or panitumumab",
            "inclusion",
            "not ((Cetuximab received ongoing) or (Panitumumab received ongoing))",
        ),
        ("Concurrent treatment with sorafenib", "exclusion", "Sorafenib received ongoing"),
    ],
)
def test_readings(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == ()
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind", "reading", "unread"),
    [
        # NCT01851408 I16: the class words stay unread, the item is never decided on the drugs
        (
            "No prior sorafenib, temsirolimus, or any other agents targeting raf, vascular "
            "endothelial growth factor (VEGF)/VEGF receptor, or mTOR (Phase II).",
            "inclusion",
            "not ((Sorafenib received ever) or (Temsirolimus received ever))",
            "or any other agents targeting raf",
        ),
        # NCT00474786 E3: "other than sunitinib" stays unread
        (
            "Prior systemic therapy for mRCC other than sunitinib.",
            "exclusion",
            "prior lines of systemic therapy: at least 1 lines",
            "other than sunitinib",
        ),
    ],
)
def test_other_words_stay_unread(text: str, kind: str, reading: str, unread: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert any(unread in u for u in criterion.unread)
    assert not is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Prior temozolomide or sorafenib tosylate allowed", "inclusion"),  # NCT00602576 I3.4
        ("Prior temozolomide or sorafenib tosylate allowed", "exclusion"),  # made-up
        ("Prior bevacizumab is permitted", "exclusion"),  # made-up
        ("Prior anlotinib", "exclusion"),  # made-up: a member without a concept, alone
        ("Known hypersensitivity to any component of bevacizumab", "exclusion"),  # NCT00600210 E29
        # NCT00474786 E2
        ("Subjects who discontinued Sutent therapy due specifically to intolerance.", "exclusion"),
        # made-up: another drug built on the name (ATC L01FD03), not trastuzumab
        ("Previous treatment with trastuzumab emtansine", "exclusion"),
        # made-up: a drug and a window with words of their own between them
        (
            "Patients receiving bevacizumab must have blood pressure checked within 28 days",
            "exclusion",
        ),
    ],
)
def test_no_condition_is_not_read(text: str, kind: str) -> None:
    criterion = read_item(text, kind)
    assert not any(isinstance(r, MedicationRule) for r in criterion.rules)


def test_a_drug_alone_is_never_its_class() -> None:
    (rule,) = read_item("Prior bevacizumab").rules
    assert isinstance(rule, MedicationRule) and rule.therapy == "bevacizumab"
    # named beside its class, the drug is the class
    (rule,) = read_item("Prior therapy with bevacizumab or other VEGF inhibitors").rules
    assert isinstance(rule, MedicationRule) and rule.therapy == "vegf_inhibitor"


def _status(text: str, kind: str, medications: list[dict[str, Any]] | None) -> Status:
    patient = Patient.model_validate({"id": "P", "medications": medications})
    return item_status(read_item(text, kind), patient, as_of=AS_OF)


NO_BEV = "No prior bevacizumab"  # NCT00509587 I1.1
FIVE_YEARS_AGO = (AS_OF - dt.timedelta(days=5 * 365)).isoformat()


@pytest.mark.parametrize(
    ("medications", "status"),
    [
        ([{"text": "bevacizumab", "start": FIVE_YEARS_AGO, "end": FIVE_YEARS_AGO}], Status.NOT_MET),
        ([{"text": "ramucirumab", "start": "2023-05-01"}], Status.MET),
        (None, Status.UNKNOWN),  # no medication history recorded
        ([], Status.MET),  # recorded, and none
        ([{"text": "Avastin", "start": "2023-05-01"}], Status.NOT_MET),  # brand name
        ([{"text": "AVASTIN", "start": "2023-05-01"}], Status.NOT_MET),  # case ignored
        ([{"code": "L01FG01", "system": "ATC", "start": "2023-05-01"}], Status.NOT_MET),
        ([{"code": "L01XC07", "system": "ATC", "start": "2023-05-01"}], Status.NOT_MET),  # pre-2022
        ([{"concept": "bevacizumab", "start": "2023-05-01"}], Status.NOT_MET),
        # a record of the class that names no drug may be bevacizumab: unknown
        ([{"code": "L01FG", "system": "ATC", "start": "2023-05-01"}], Status.UNKNOWN),
        ([{"concept": "vegf_inhibitor", "start": "2023-05-01"}], Status.UNKNOWN),
        # another drug of the class, named: not bevacizumab
        ([{"text": "anlotinib", "start": "2023-05-01"}], Status.MET),
        ([{"code": "L01FG02", "system": "ATC", "start": "2023-05-01"}], Status.MET),
        ([{"text": "bevacizumab", "start": "2026-01-01"}], Status.MET),  # planned, not received
    ],
)
def test_no_prior_bevacizumab(medications: list[dict[str, Any]] | None, status: Status) -> None:
    assert _status(NO_BEV, "inclusion", medications) is status


@pytest.mark.parametrize(
    ("medications", "status"),
    [
        ([{"text": "trastuzumab", "start": "2024-01-01", "end": "2024-06-30"}], Status.MET),
        ([{"text": "Herceptin", "start": "2024-10-01", "end": "2025-01-15"}], Status.NOT_MET),
        ([{"text": "trastuzumab"}], Status.UNKNOWN),  # undated
    ],
)
def test_time_since_prior_trastuzumab(medications: list[dict[str, Any]], status: Status) -> None:
    # NCT00509587 I2.9
    text = "At least 3 months since prior trastuzumab"
    assert _status(text, "inclusion", medications) is status


def test_no_concurrent_drug() -> None:
    text = "No concurrent cetuximab or panitumumab"  # made-up
    assert (
        _status(text, "inclusion", [{"text": "Erbitux", "start": "2025-01-01"}]) is Status.NOT_MET
    )
    ended = [{"text": "Vectibix", "start": "2024-01-01", "end": "2024-06-01"}]
    assert _status(text, "inclusion", ended) is Status.MET
    assert _status(text, "inclusion", [{"text": "cetuximab"}]) is Status.UNKNOWN  # undated
    assert _status(text, "inclusion", None) is Status.UNKNOWN


def test_a_list_excludes_on_any_one_drug() -> None:
    text = "Prior treatment with sunitinib or gemcitabine"  # NCT00556049 E1
    assert _status(text, "exclusion", [{"text": "Gemzar"}]) is Status.MET
    assert _status(text, "exclusion", [{"text": "Sutent"}]) is Status.MET
    assert _status(text, "exclusion", [{"text": "capecitabine"}]) is Status.NOT_MET
    # "chemotherapy" unnamed may have been gemcitabine
    assert _status(text, "exclusion", [{"text": "chemotherapy"}]) is Status.UNKNOWN


def test_the_classes_are_declared_once() -> None:
    # each drug's classes are those whose names list it, and a record of it is of them
    for drug in DRUGS:
        classes = set(DRUG_CLASSES[drug.key])
        listing = {k for k, c in THERAPIES.items() if k != drug.key and drug.key in c.names}
        assert listing == classes, drug.key
        for name in drug.names:
            assert classes | {drug.key} <= match_concepts("therapy", names=[name]), name
        for code in drug.atc:
            assert classes | {drug.key} <= match_concepts("therapy", codes=[("ATC", code)]), code
    for klass, others in OTHER_MEMBERS.items():
        assert not set(others) & set(members(klass)), klass
        assert set(others) <= set(THERAPIES[klass].names), klass


def test_codes_are_cited_or_the_concept_says_so() -> None:
    for drug in DRUGS:
        assert drug.atc and all(len(code) == 7 for code in drug.atc), drug.key
        assert any("unicom-ig" in s and drug.atc[0] in s for s in drug.sources), drug.key
        assert all(code.startswith("L01") for code in drug.atc), drug.key


_RULES = tuple(
    MedicationRule(kind="medication", id=f"E{i}-1", description="prior", therapy=key, **extra)
    for i, (key, extra) in enumerate(
        (
            ("bevacizumab", {}),
            ("gemcitabine", {}),
            ("nivolumab", {}),
            ("vegf_inhibitor", {}),
            ("chemotherapy", {}),
            ("trastuzumab", {"within": Window(value=3, unit="months")}),
            ("bevacizumab", {"ongoing": True}),
        ),
        start=1,
    )
)
_RECORD = st.one_of(
    st.fixed_dictionaries(
        {
            "text": st.sampled_from(
                [
                    "bevacizumab",
                    "Avastin",
                    "ramucirumab",
                    "anlotinib",
                    "gemcitabine",
                    "chemotherapy",
                    "etoposide",
                    "Opdivo",
                    "immune checkpoint inhibitor",
                    "Herceptin",
                    # regimens, forms, conjugates, class words (concepts_regimens)
                    "FOLFOX/AVASTIN",
                    "gemcitabine-cisplatin",
                    "Kadcyla",
                    "immunotherapy",
                    "anti-PD-1 antibody",
                ]
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(["L01FG01", "L01FG", "L01XC07", "L01BC05", "L01BC", "L01FF"]),
            "system": st.just("ATC"),
        }
    ),
    st.fixed_dictionaries({"concept": st.sampled_from(["vegf_inhibitor", "bevacizumab"])}),
)
_DAY = st.none() | st.integers(-800, 30).map(lambda d: (AS_OF + dt.timedelta(days=d)).isoformat())


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(
        st.none()
        | st.lists(
            st.tuples(_RECORD, _DAY, _DAY).map(lambda t: {**t[0], "start": t[1], "end": t[2]}),
            max_size=3,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_per_patient_and_vectorised_agree(people: list[list[dict[str, Any]] | None]) -> None:
    patients = []
    for i, meds in enumerate(people):
        kept = None
        if meds is not None:  # an end before the start is refused by the model
            kept = [m for m in meds if not (m["start"] and m["end"] and m["end"] < m["start"])]
        patients.append(Patient.model_validate({"id": f"P{i}", "medications": kept}))
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)
