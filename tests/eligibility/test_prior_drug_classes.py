"""Prior therapy with a class of anticancer drugs (issue 12): "Prior therapy with alpelisib or any
other phosphoinositide 3-kinase (PI3K) inhibitor", "Prior treatment with a KRAS G12C inhibitor",
"Prior therapy with anthracycline.".

The classes are declared once (concepts_drug_classes): their phrases, members, WHO ATC group
and the classes that hold them. The reader takes a class from its declared phrases; a drug named
beside its class, or as an example of it, is the class. A count of regimens ("more than 1 prior
taxane regimen") and a negated exclusion ("without prior treatment with a PARP inhibitor") are
not read. A record matches a class by a member's name, brand or ATC code (current or before
2022); a record of an open class's possible member that oncotrial cannot classify leaves the rule
unknown. Per patient and vectorised alike.

Real items are from the development corpus, jwlieb/clinical-trial-agent data/demo/<dir>/
trials.json @387df17, cited by NCT id, item id and <dir>.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.concepts import THERAPIES, match_concepts
from oncotrial.eligibility.concepts_drug_classes import CLASS_MEMBERS, DRUG_CLASS_TABLE
from oncotrial.eligibility.concepts_drugs import OPEN_CLASSES, broader, members
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import MedicationRule, Window, describe_rule

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)
PI3K = "Prior therapy with alpelisib or any other phosphoinositide 3-kinase (PI3K) inhibitor."
KRAS = "Prior treatment with a KRAS G12C inhibitor"
ANTHRACYCLINE = "Prior therapy with anthracycline."


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        # NCT05563220 E19 (v2-results/06_breast_her2_positive)
        (PI3K, "exclusion", "PI3K inhibitor received ever"),
        # NCT05789082 E4 (results/01_nsclc_kras_g12c_standard)
        (KRAS, "exclusion", "KRAS G12C inhibitor received ever"),
        # NCT06248606 E1 (results/01_nsclc_kras_g12c_standard)
        (
            "Prior treatment with KRAS G12C tyrosine kinase inhibitor.",
            "exclusion",
            "KRAS G12C inhibitor received ever",
        ),
        # NCT07125183 E1 (results/03_nsclc_egfr_exon19)
        (ANTHRACYCLINE, "exclusion", "Anthracycline received ever"),
        # NCT05563220 E44 (v2-results/06_breast_her2_positive)
        ("Prior therapy with any CDK4/6i.", "exclusion", "CDK4/6 inhibitor received ever"),
        # NCT05503797 E3 (results/05_melanoma_braf_v600e)
        ("Prior treatment with a MEK inhibitor.", "exclusion", "MEK inhibitor received ever"),
        # NCT04802759 E53 (results/06_breast_her2_positive)
        ("Prior treatment with mTOR inhibitor", "exclusion", "mTOR inhibitor received ever"),
        # NCT05498272 E4 (results/09_prostate_brca2)
        ("Prior treatment with a PARP inhibitor.", "exclusion", "PARP inhibitor received ever"),
        # NCT05743621 E3 (results/09_prostate_brca2)
        ("Prior exposure to taxane chemotherapy", "exclusion", "Taxane received ever"),
        # NCT03803553 E32 (results/05_melanoma_braf_v600e): examples of each class
        (
            "Prior therapy with a BRAF inhibitor (e.g., encorafenib, dabrafenib, vemurafenib) "
            "and/or a MEK inhibitor (e.g., binimetinib, trametinib, cobimetinib).",
            "exclusion",
            "(BRAF inhibitor received ever) or (MEK inhibitor received ever)",
        ),
        # NCT06580314 I8 (results/15_ovarian_brca1_platinum_sensitive)
        (
            "No previous treatment with a PARP inhibitor, including olaparib, niraparib, and "
            "rucaparib",
            "inclusion",
            "not (PARP inhibitor received ever)",
        ),
        # NCT05997056 E1 (v2-results/07_pancreatic_kras_g12d)
        (
            "Prior treatment with mTOR inhibitors including nab-sirolimus",
            "exclusion",
            "mTOR inhibitor received ever",
        ),
        # NCT05661461 E1 (results/11_young_sarcoma_treatment_naive): the drugs' window reading
        (
            "Received prior treatment with an mTOR inhibitor within 4 weeks prior to first dose.",
            "exclusion",
            "mTOR inhibitor received within 4 weeks before the first dose",
        ),
        # made-up: a drug with a concept of its own beside its class is the class
        ("Prior treatment with paclitaxel or other taxanes", "exclusion", "Taxane received ever"),
        ("No prior anthracyclines", "inclusion", "not (Anthracycline received ever)"),
    ],
)
def test_readings(text: str, kind: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert is_computable(criterion.rules, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # NCT04662580 E2, NCT05766371 E8, NCT05519449 I5 (results/09_prostate_brca2): a count
        # of regimens or lines, not any exposure
        (
            "Receipt of more than 1 prior taxane regimen or non-taxane chemotherapy for prostate "
            "cancer for alternative dose regimen and mCRPC combination cohorts",
            "exclusion",
        ),
        ("Receipt of > 2 lines of prior taxane-based chemotherapy.", "exclusion"),
        (
            "Have received ≤ 2 anti-androgen therapies in either the HSPC or CRPC setting and no "
            "more than 1 prior taxane regimen in the HSPC or CRPC setting.",
            "inclusion",
        ),
        # NCT06533644 E21 (results/09_prostate_brca2): an exclusion of the untreated
        (
            "Breast cancer gene (BRCA) mutation testing will be required for participants not "
            "previously treated with a PARP inhibitor, unless BRCA status is established prior "
            "to screening.",
            "exclusion",
        ),
        # made-up: a member with no concept of its own, alone, is not its class
        ("Prior treatment with olaparib", "exclusion"),
        ("Prior exposure to epirubicin", "exclusion"),
    ],
)
def test_not_read(text: str, kind: str) -> None:
    criterion = read_item(text, kind)
    classes = {c.key for c in DRUG_CLASS_TABLE}
    assert not any(
        isinstance(r, MedicationRule) and r.therapy in classes for r in _leaves(criterion.rules)
    )


def test_other_words_stay_unread() -> None:
    # NCT04511039 E3 (results/04_colorectal_kras_g12c): the rest of the list is unread
    criterion = read_item("Prior treatment with PARP inhibitor, FUDR or FTD/TPI")
    assert [describe_rule(r) for r in criterion.rules] == ["PARP inhibitor received ever"]
    assert criterion.unread == ("FUDR or FTD/TPI",)
    # NCT03786796 E10 (v2-results/14_renal_cell_io_resistant): an example of the class
    criterion = read_item("Any previous treatment with PARP inhibitor, including olaparib.")
    assert is_computable(criterion.rules, criterion.unread)
    # made-up: an example outside the class is not the class's
    criterion = read_item("Prior PARP inhibitor (e.g. olaparib, carboplatin)")
    assert criterion.unread


def _leaves(rules: Any) -> list[Any]:
    found: list[Any] = []
    for rule in rules:
        inner = getattr(rule, "rules", None) or ([rule.rule] if hasattr(rule, "rule") else [])
        found += [rule] if not inner else _leaves(inner)
    return found


def _status(text: str, medications: list[dict[str, Any]]) -> Status:
    patient = Patient.model_validate({"id": "P", "medications": medications})
    return item_status(read_item(text), patient, as_of=AS_OF)


@pytest.mark.parametrize(
    ("text", "record", "status"),
    [
        (PI3K, {"text": "alpelisib"}, Status.MET),
        (PI3K, {"text": "Piqray"}, Status.MET),
        (PI3K, {"code": "L01EM03", "system": "ATC"}, Status.MET),
        (PI3K, {"code": "L01XX65", "system": "ATC"}, Status.MET),  # alpelisib before 2022
        (PI3K, {"text": "everolimus"}, Status.NOT_MET),
        (KRAS, {"text": "Lumakras"}, Status.MET),
        (KRAS, {"text": "adagrasib"}, Status.MET),
        (KRAS, {"code": "L01XX73", "system": "ATC"}, Status.MET),
        (KRAS, {"text": "docetaxel"}, Status.NOT_MET),
        # an open class: a drug oncotrial cannot classify may be one of its investigational drugs
        (KRAS, {"text": "JDQ-443X"}, Status.UNKNOWN),
        (ANTHRACYCLINE, {"text": "Doxil"}, Status.MET),
        (ANTHRACYCLINE, {"code": "L01DB03", "system": "ATC"}, Status.MET),
        # mitoxantrone, L01DB07, is an anthracenedione: whether 'anthracycline' means it is the
        # trial's to say, so no code of its own makes it one
        (ANTHRACYCLINE, {"code": "L01DB07", "system": "ATC"}, Status.NOT_MET),
        # "chemotherapy" unnamed may have been an anthracycline
        (ANTHRACYCLINE, {"text": "chemotherapy"}, Status.UNKNOWN),
        (ANTHRACYCLINE, {"text": "gemcitabine"}, Status.NOT_MET),
    ],
)
def test_records_by_name_brand_and_code(text: str, record: dict[str, Any], status: Status) -> None:
    assert _status(text, [{**record, "start": "2023-05-01"}]) is status


def test_classes_are_declared_once() -> None:
    for klass in DRUG_CLASS_TABLE:
        concept = THERAPIES[klass.key]
        # the members with a concept of their own are listed by their rows (concepts_drugs)
        assert not set(CLASS_MEMBERS[klass.key]) & set(members(klass.key)), klass.key
        for name in (*klass.members, *klass.brands, *members(klass.key)):
            assert name in concept.names, name
            assert klass.key in match_concepts("therapy", names=[name]), name
        for code in klass.atc:
            assert klass.key in match_concepts("therapy", codes=[("ATC", code)]), code
        assert any("unicom-ig" in s and klass.atc[0] in s for s in concept.sources), klass.key
        assert set(klass.parents) <= broader(klass.key)
    assert "kras_g12c_inhibitor" in OPEN_CLASSES
    assert {"taxane", "anthracycline"} <= {
        c.key for c in DRUG_CLASS_TABLE if "chemotherapy" in broader(c.key)
    }
    # a record of a taxane with a concept of its own is a taxane and chemotherapy
    assert {"paclitaxel", "taxane", "chemotherapy"} <= match_concepts("therapy", names=["Abraxane"])


_RULES = tuple(
    MedicationRule(kind="medication", id=f"E{i}-1", description="prior", therapy=key, **extra)
    for i, (key, extra) in enumerate(
        (
            ("parp_inhibitor", {}),
            ("kras_g12c_inhibitor", {}),
            ("anthracycline", {}),
            ("taxane", {}),
            ("mtor_inhibitor", {"within": Window(value=4, unit="weeks")}),
            ("docetaxel", {}),
        ),
        start=1,
    )
)
_RECORD = st.one_of(
    st.fixed_dictionaries(
        {
            "text": st.sampled_from(
                [
                    "olaparib",
                    "Lynparza",
                    "PARP inhibitor",
                    "sotorasib",
                    "Krazati",
                    "JDQ-443X",
                    "epirubicin",
                    "Doxil",
                    "chemotherapy",
                    "docetaxel",
                    "Jevtana",
                    "Abraxane",
                    "everolimus",
                    "Fyarro",
                    "gemcitabine",
                    "investigational agent",
                ]
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "code": st.sampled_from(
                ["L01XK01", "L01XX46", "L01XK", "L01XX73", "L01DB01", "L01DB07", "L01CD", "L01EG"]
            ),
            "system": st.just("ATC"),
        }
    ),
    st.fixed_dictionaries({"concept": st.sampled_from(["parp_inhibitor", "taxane"])}),
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


def test_a_closed_class_names_the_drugs_it_could_not_classify() -> None:
    # a closed class counts the drugs it lists: an investigational PI3K inhibitor known by a
    # code name is not counted (docs/eligibility.md "Known limits"), and the verdict says so
    from oncotrial.eligibility.screening import screen_patient

    from .corpus_measure import only_item

    patient = Patient.model_validate(
        {"id": "P", "medications": [{"text": "XYZ-1234", "start": "2023-05-01"}]}
    )
    result = screen_patient(only_item(read_item(PI3K)), patient, as_of=AS_OF).criteria[0]
    assert result.status is Status.NOT_MET
    notes = [n for rule in result.rules for n in rule.notes]
    assert any("XYZ-1234" in n and "cannot classify" in n for n in notes), result
    # a classified drug needs no such note
    known = Patient.model_validate(
        {"id": "P", "medications": [{"text": "gemcitabine", "start": "2023-05-01"}]}
    )
    result = screen_patient(only_item(read_item(PI3K)), known, as_of=AS_OF).criteria[0]
    assert result.status is Status.NOT_MET
    assert not any("cannot classify" in n for rule in result.rules for n in rule.notes)
