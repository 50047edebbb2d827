"""Medication records naming a regimen, another form of a drug, a conjugate or a class (issue
12: never a silent pass). "No prior oxaliplatin" passed a patient whose record said "FOLFOX",
and "no prior anti-PD-1" one whose record said "immune checkpoint inhibitor".

Real items are cited by NCT id and item id of tests/eligibility/corpus/tuning_round5.json; the
others are marked made-up. NCT00717990 I5 ("Patients who progress after 1st line therapy with
FOLFOX/AVASTIN") is how a record names such a line. Every status is checked per patient and
vectorised alike (item_status), and the property test below draws the new record shapes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.concepts import match_concepts
from oncotrial.eligibility.concepts_drugs import DRUG_CLASSES, broader, vague_for
from oncotrial.eligibility.concepts_regimens import CONJUGATES, FORMS, REGIMENS
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import MedicationRule, PriorLinesRule, RegimenRule, Rule, Window
from oncotrial.eligibility.screening import screen_patient

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)
LAST_MONTH = "2025-02-01"
LONG_AGO = "2019-01-01"

NO_BEV = "No prior bevacizumab"  # NCT00509587 I1.1
SINCE_TRASTUZUMAB = "At least 3 months since prior trastuzumab"  # NCT00509587 I2.9
SUNITINIB_OR_GEMCITABINE = "Prior treatment with sunitinib or gemcitabine"  # NCT00556049 E1
NO_OXALIPLATIN = "No prior oxaliplatin"  # made-up
NO_PACLITAXEL = "No prior paclitaxel"  # made-up
NO_PD1 = "No prior anti-PD-1 or anti-PD-L1 therapy"  # made-up
PRIOR_ICI = "Prior treatment with an immune checkpoint inhibitor"  # made-up
PRIOR_IPILIMUMAB = "Prior ipilimumab"  # made-up
NO_NIVOLUMAB = "No prior nivolumab"  # made-up


def _status(text: str, kind: str, *records: dict[str, Any]) -> Status:
    patient = Patient.model_validate({"id": "P", "medications": list(records)})
    return item_status(read_item(text, kind), patient, as_of=AS_OF)


def _named(text: str, start: str | None = LAST_MONTH, **extra: Any) -> dict[str, Any]:
    return {"text": text, "start": start, **extra}


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("FOLFOX", Status.NOT_MET),
        ("mFOLFOX6", Status.NOT_MET),  # a schedule of it (NCT02912559 I12 names mFOLFOX6)
        ("modified FOLFOX-6", Status.NOT_MET),
        ("FOLFOX-4", Status.NOT_MET),
        ("folfox", Status.NOT_MET),
        ("FOLFOX/AVASTIN", Status.NOT_MET),  # NCT00717990 I5's spelling of the line
        ("FOLFIRINOX", Status.NOT_MET),
        ("mFOLFIRINOX", Status.NOT_MET),
        ("FOLFOXIRI", Status.NOT_MET),
        ("CAPOX", Status.NOT_MET),
        ("XELOX", Status.NOT_MET),
        ("gemcitabine-oxaliplatin", Status.NOT_MET),
        ("5-FU/oxaliplatin", Status.NOT_MET),
        ("5-FU + leucovorin + oxaliplatin", Status.NOT_MET),
        ("oxaliplatin (Eloxatin)", Status.NOT_MET),
        # regimens without it
        ("FOLFIRI", Status.MET),
        ("XELIRI", Status.MET),
        ("FU-LV", Status.MET),
        ("5-FU/leucovorin", Status.MET),
        ("carboplatin-Taxol", Status.MET),
        ("gemcitabine-cisplatin", Status.MET),
        # a record of a class holding it, naming no drug: it may have been oxaliplatin
        ("chemotherapy", Status.UNKNOWN),
        ("platinum-based chemotherapy", Status.UNKNOWN),
        ("platinum doublet", Status.UNKNOWN),
    ],
)
def test_no_prior_oxaliplatin(record: str, status: Status) -> None:
    assert _status(NO_OXALIPLATIN, "inclusion", _named(record)) is status


def test_a_regimen_in_a_therapy_line() -> None:
    # NCT00717990 I5: the first line recorded as the trial names it
    line = {"line": 1, "drugs": [{"text": "FOLFOX/AVASTIN"}], "start": "2024-03-01"}
    patient = Patient.model_validate({"id": "P", "therapies": [line]})
    for text, kind, status in (
        (NO_OXALIPLATIN, "inclusion", Status.NOT_MET),
        (NO_BEV, "inclusion", Status.NOT_MET),
        (SUNITINIB_OR_GEMCITABINE, "exclusion", Status.NOT_MET),
    ):
        assert item_status(read_item(text, kind), patient, as_of=AS_OF) is status, text


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("FOLFOX/AVASTIN", Status.NOT_MET),  # NCT00717990 I5
        ("FOLFIRI + bevacizumab", Status.NOT_MET),
        ("FOLFIRI-bevacizumab", Status.NOT_MET),
        ("capecitabine with Avastin", Status.NOT_MET),
        ("bevacizumab-awwb", Status.NOT_MET),  # a biosimilar's FDA suffix
        ("FOLFOX", Status.MET),
        ("FOLFIRI-cetuximab", Status.MET),
    ],
)
def test_no_prior_bevacizumab_in_a_combination(record: str, status: Status) -> None:
    assert _status(NO_BEV, "inclusion", _named(record)) is status


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("gemcitabine-cisplatin", Status.MET),
        ("GEMCITABINE-CISPLATIN", Status.MET),
        ("gemcitabine/cisplatin", Status.MET),
        ("gemcitabine + nab-paclitaxel", Status.MET),
        ("Gemzar and Abraxane", Status.MET),
        ("FOLFIRINOX", Status.NOT_MET),
        ("carboplatin-Taxol", Status.NOT_MET),
        ("immunotherapy", Status.NOT_MET),  # whatever it was, not gemcitabine
        ("chemotherapy", Status.UNKNOWN),
    ],
)
def test_prior_gemcitabine_in_a_combination(record: str, status: Status) -> None:
    assert _status(SUNITINIB_OR_GEMCITABINE, "exclusion", _named(record)) is status


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("Abraxane", Status.NOT_MET),
        ("nab-paclitaxel", Status.NOT_MET),
        ("albumin-bound paclitaxel", Status.NOT_MET),
        ("paclitaxel protein-bound", Status.NOT_MET),
        ("Taxol", Status.NOT_MET),
        ("carboplatin-Taxol", Status.NOT_MET),
        ("carboplatin/paclitaxel", Status.NOT_MET),
        ("docetaxel", Status.MET),
        ("TPF", Status.MET),
    ],
)
def test_another_form_of_paclitaxel_is_paclitaxel(record: str, status: Status) -> None:
    assert _status(NO_PACLITAXEL, "inclusion", _named(record)) is status


def test_a_criterion_on_a_form_is_not_read_as_the_drug() -> None:
    # read on records only: "No prior nab-paclitaxel" must not exclude every paclitaxel
    for text in ("No prior nab-paclitaxel", "No prior FOLFOX"):
        rules = read_item(text, "inclusion").rules
        assert not any(
            isinstance(r, MedicationRule) and r.therapy in {"paclitaxel", "oxaliplatin"}
            for r in rules
        ), text


@pytest.mark.parametrize(
    ("record", "status"),
    [
        # a conjugate delivers trastuzumab yet is a substance of its own: unknown
        (_named("Kadcyla"), Status.UNKNOWN),
        (_named("T-DM1"), Status.UNKNOWN),
        (_named("ado-trastuzumab emtansine"), Status.UNKNOWN),
        (_named("trastuzumab deruxtecan"), Status.UNKNOWN),
        (_named("Enhertu"), Status.UNKNOWN),
        ({"code": "L01FD04", "system": "ATC", "start": LAST_MONTH}, Status.UNKNOWN),
        ({"code": "L01XC14", "system": "ATC", "start": LAST_MONTH}, Status.UNKNOWN),
        # out of the window, it does not matter what it was
        (_named("T-DM1", start=LONG_AGO, end="2019-06-01"), Status.MET),
        # trastuzumab itself, a biosimilar by its FDA suffix, a fixed combination written out
        (_named("trastuzumab-dkst"), Status.NOT_MET),
        (_named("pertuzumab and trastuzumab"), Status.NOT_MET),
        (_named("Herceptin + Kadcyla"), Status.NOT_MET),
    ],
)
def test_a_conjugate_leaves_a_rule_on_its_antibody_unknown(
    record: dict[str, Any], status: Status
) -> None:
    assert _status(SINCE_TRASTUZUMAB, "inclusion", record) is status


def test_the_unknown_says_why() -> None:
    criterion = read_item(SINCE_TRASTUZUMAB, "inclusion")
    patient = Patient.model_validate({"id": "P", "medications": [_named("Kadcyla")]})
    result = screen_patient(Eligibility(inclusion=(criterion,)), patient, as_of=AS_OF)
    assert "Kadcyla, a conjugate of Trastuzumab, counts" in str(result.model_dump())


@pytest.mark.parametrize(
    ("record", "status"),
    [
        # a record of a wider class, or wider words, naming no antibody: it may have been one
        (_named("immune checkpoint inhibitor"), Status.UNKNOWN),
        (_named("checkpoint inhibitor"), Status.UNKNOWN),
        (_named("immunotherapy"), Status.UNKNOWN),
        ({"concept": "immune_checkpoint_inhibitor", "start": LAST_MONTH}, Status.UNKNOWN),
        # the class, in the words records use
        (_named("anti-PD-1 antibody"), Status.NOT_MET),
        (_named("PD-L1 inhibitor"), Status.NOT_MET),
        (_named("dostarlimab-gxly"), Status.NOT_MET),
        ({"code": "L01FF", "system": "ATC", "start": LAST_MONTH}, Status.NOT_MET),
        # a checkpoint inhibitor of another class, named
        (_named("ipilimumab"), Status.MET),
        (_named("anti-CTLA-4 antibody"), Status.MET),
    ],
)
def test_a_wider_record_never_decides_a_narrower_rule(
    record: dict[str, Any], status: Status
) -> None:
    assert _status(NO_PD1, "inclusion", record) is status


@pytest.mark.parametrize(
    ("text", "record", "status"),
    [
        # a record of a narrower class is of the wider one
        (PRIOR_ICI, _named("anti-PD-1 antibody"), Status.MET),
        (PRIOR_ICI, {"concept": "pd1_pdl1_inhibitor", "start": LAST_MONTH}, Status.MET),
        (PRIOR_ICI, _named("anti-CTLA-4"), Status.MET),
        (PRIOR_ICI, _named("immunotherapy"), Status.UNKNOWN),
        (PRIOR_ICI, _named("FOLFOX"), Status.NOT_MET),
        # an anti-PD-1 record, or its ATC class, is no ipilimumab
        (PRIOR_IPILIMUMAB, _named("anti-PD-1 antibody"), Status.NOT_MET),
        (PRIOR_IPILIMUMAB, {"code": "L01FF", "system": "ATC"}, Status.NOT_MET),
        (PRIOR_IPILIMUMAB, _named("immune checkpoint inhibitor"), Status.UNKNOWN),
        # a record of the class, or wider, may be the drug; another drug of it is not
        (NO_NIVOLUMAB, _named("anti-PD-1 antibody"), Status.UNKNOWN),
        (NO_NIVOLUMAB, _named("immunotherapy"), Status.UNKNOWN),
        (NO_NIVOLUMAB, _named("Keytruda"), Status.MET),
        (NO_NIVOLUMAB, _named("anti-CTLA-4 antibody"), Status.MET),
        # platinum compounds (ATC L01XA) are not gemcitabine
        (SUNITINIB_OR_GEMCITABINE, {"code": "L01XA", "system": "ATC"}, Status.NOT_MET),
    ],
)
def test_classes_nest(text: str, record: dict[str, Any], status: Status) -> None:
    kind = "inclusion" if text.startswith("No ") else "exclusion"
    assert _status(text, kind, record) is status


def test_declared_once_and_consistent() -> None:
    known = {r.key for r in REGIMENS}
    assert len(known) == len(REGIMENS)
    for regimen in REGIMENS:
        assert regimen.source and "leucovorin" not in DRUG_CLASSES
        found = match_concepts("therapy", names=[regimen.names[0]])
        for drug in regimen.drugs:
            if drug in DRUG_CLASSES:
                assert {drug, *DRUG_CLASSES[drug]} <= found, regimen.key
        assert not any(k.endswith(":unspecified") for k in found), regimen.key
    for drug, (names, source) in FORMS.items():
        assert drug in DRUG_CLASSES and source
        for name in names:
            assert drug in match_concepts("therapy", names=[name]), name
    for conjugate in CONJUGATES:
        assert conjugate.carrier in DRUG_CLASSES
        for name in conjugate.names:
            found = match_concepts("therapy", names=[name])
            assert conjugate.carrier not in found, name
            assert found & vague_for(conjugate.carrier), name
    # the nesting is derived from the drugs' rows, never declared twice
    assert broader("pd1_pdl1_inhibitor") == {"immune_checkpoint_inhibitor"}
    assert broader("platinum_chemotherapy") == {"chemotherapy"}
    assert broader("chemotherapy") == frozenset()


_MEDICATION_RULES = tuple(
    MedicationRule(kind="medication", id=f"E{i}-1", description="prior", therapy=key, **extra)
    for i, (key, extra) in enumerate(
        (
            ("oxaliplatin", {}),
            ("paclitaxel", {}),
            ("bevacizumab", {}),
            ("platinum_chemotherapy", {}),
            ("chemotherapy", {}),
            ("pd1_pdl1_inhibitor", {}),
            ("immune_checkpoint_inhibitor", {}),
            ("ipilimumab", {}),
            ("trastuzumab", {"within": Window(value=3, unit="months")}),
            ("oxaliplatin", {"ongoing": True}),
        ),
        start=1,
    )
)
_RULES = (
    *_MEDICATION_RULES,
    PriorLinesRule(
        kind="prior_lines",
        id="E11-1",
        description="x",
        therapy="platinum_chemotherapy",
        min_lines=1,
        max_lines=1,
    ),
    PriorLinesRule(
        kind="prior_lines",
        id="E12-1",
        description="x",
        therapy="pd1_pdl1_inhibitor",
        max_lines=0,
    ),
    RegimenRule(
        kind="regimen",
        id="E13-1",
        description="x",
        therapies=("platinum_chemotherapy", "immune_checkpoint_inhibitor"),
    ),
    RegimenRule(kind="regimen", id="E14-1", description="x", line=2, therapies=("chemotherapy",)),
)
_TEXTS = [
    "FOLFOX",
    "mFOLFOX6",
    "FOLFOX/AVASTIN",
    "FOLFIRI",
    "XELOX",
    "gemcitabine-cisplatin",
    "Abraxane",
    "carboplatin-Taxol",
    "Kadcyla",
    "T-DXd",
    "Herceptin + Kadcyla",
    "trastuzumab-dkst",
    "chemotherapy",
    "platinum-based chemotherapy",
    "immune checkpoint inhibitor",
    "immunotherapy",
    "anti-PD-1 antibody",
    "anti-CTLA-4",
    "cemiplimab",
    "nivolumab",
]
_RECORD = st.one_of(
    st.fixed_dictionaries({"text": st.sampled_from(_TEXTS)}),
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(["L01XA", "L01XA03", "L01FF", "L01FD03", "L01FD01"]),
            "system": st.just("ATC"),
        }
    ),
    st.fixed_dictionaries(
        {"concept": st.sampled_from(["pd1_pdl1_inhibitor", "platinum_chemotherapy"])}
    ),
)
_DAY = st.none() | st.integers(-800, 30).map(lambda d: (AS_OF + dt.timedelta(days=d)).isoformat())


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            st.none()
            | st.lists(
                st.tuples(_RECORD, _DAY, _DAY).map(lambda t: {**t[0], "start": t[1], "end": t[2]}),
                max_size=3,
            ),
            st.lists(st.lists(st.sampled_from(_TEXTS), min_size=1, max_size=2), max_size=2),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_per_patient_and_vectorised_agree(
    people: list[tuple[list[dict[str, Any]] | None, list[list[str]]]],
) -> None:
    patients = []
    for i, (meds, lines) in enumerate(people):
        kept = None
        if meds is not None:  # an end before the start is refused by the model
            kept = [m for m in meds if not (m["start"] and m["end"] and m["end"] < m["start"])]
        therapies = [
            {"line": n, "drugs": [{"text": t} for t in drugs], "start": "2024-01-01"}
            for n, drugs in enumerate(lines, start=1)
        ]
        patients.append(
            Patient.model_validate({"id": f"P{i}", "medications": kept, "therapies": therapies})
        )
    assert_each_rule_equal_in_both_paths(patients, _RULES, as_of=AS_OF)


# Lines of therapy: a line recorded by a regimen counts as a line of each of its drugs' classes;
# a line recorded only by a wider class ('chemotherapy') may be a line of a narrower one.
def _rule_status(rule: Rule, *lines: list[str]) -> Status:
    therapies = [
        {"line": n, "drugs": [{"text": t} for t in drugs], "start": "2024-01-01"}
        for n, drugs in enumerate(lines, start=1)
    ]
    patient = Patient.model_validate({"id": "P", "therapies": therapies})
    assert_each_rule_equal_in_both_paths([patient], [rule], as_of=AS_OF)
    criterion = Criterion(id="E1", kind=CriterionKind.EXCLUSION, text="x", rules=(rule,))
    (c,) = screen_patient(Eligibility(exclusion=(criterion,)), patient, as_of=AS_OF).criteria
    (r,) = c.rules
    return r.status


# NCT00549328 I3 ("Failed no more than two prior chemotherapy regimens ...") reads this rule
AT_MOST_TWO_CHEMO = PriorLinesRule(
    kind="prior_lines", id="E1-1", description="x", therapy="chemotherapy", max_lines=2
)
# "At least one prior platinum-based chemotherapy regimen" (test_prior_line_counts) reads this
PLATINUM_LINE = PriorLinesRule(
    kind="prior_lines", id="E1-1", description="x", therapy="platinum_chemotherapy", min_lines=1
)
AT_MOST_ONE_PLATINUM = PriorLinesRule(
    kind="prior_lines", id="E1-1", description="x", therapy="platinum_chemotherapy", max_lines=1
)
CHEMO_IO = RegimenRule(
    kind="regimen",
    id="E1-1",
    description="x",
    therapies=("platinum_chemotherapy", "pd1_pdl1_inhibitor"),
)


@pytest.mark.parametrize(
    ("rule", "lines", "status"),
    [
        # three regimens by name: three lines of chemotherapy (were none: a silent pass)
        (AT_MOST_TWO_CHEMO, (["FOLFOX"], ["FOLFIRI"], ["XELOX"]), Status.NOT_MET),
        (AT_MOST_TWO_CHEMO, (["FOLFOX"], ["immunotherapy"]), Status.MET),
        (PLATINUM_LINE, (["FOLFOX"],), Status.MET),
        (PLATINUM_LINE, (["carboplatin-Taxol"],), Status.MET),
        (PLATINUM_LINE, (["FOLFIRI"],), Status.NOT_MET),
        # 'chemotherapy' may have been platinum-based: unknown, never a wrong exclusion
        (PLATINUM_LINE, (["chemotherapy"],), Status.UNKNOWN),
        (PLATINUM_LINE, (["FOLFIRI"], ["chemotherapy"]), Status.UNKNOWN),
        (AT_MOST_ONE_PLATINUM, (["platinum doublet"], ["chemotherapy"]), Status.UNKNOWN),
        (AT_MOST_ONE_PLATINUM, (["FOLFOX"], ["chemotherapy"], ["CAPOX"]), Status.NOT_MET),
        (AT_MOST_ONE_PLATINUM, (["FOLFIRI"], ["chemotherapy"]), Status.MET),
        # a line holding both classes
        (CHEMO_IO, (["carboplatin", "pemetrexed", "pembrolizumab"],), Status.MET),
        (CHEMO_IO, (["FOLFOX", "anti-PD-1 antibody"],), Status.MET),
        (CHEMO_IO, (["carboplatin", "immunotherapy"],), Status.UNKNOWN),
        (CHEMO_IO, (["chemotherapy", "nivolumab"],), Status.UNKNOWN),
        (CHEMO_IO, (["FOLFOX"],), Status.NOT_MET),
        (CHEMO_IO, (["FOLFIRI", "immunotherapy"],), Status.NOT_MET),
    ],
)
def test_lines_of_therapy(rule: Rule, lines: tuple[list[str], ...], status: Status) -> None:
    assert _rule_status(rule, *lines) is status
