"""Variants of driver genes (issue 12): the declared vocabulary, a result's variant in patient
records, the variant rule per patient and vectorised, and the phrasings read.

The phrasings are real: items of the development corpus, cited "NCTxxxxxxxx <item>" —
jwlieb/clinical-trial-agent data/demo/results/<dir>/trials.json @387df17.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from oncotrial.eligibility.concepts import BIOMARKERS
from oncotrial.eligibility.concepts_variants import VARIANTS, canonical_variant, variant
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Biomarker, Patient
from oncotrial.eligibility.rules import BiomarkerRule, Rule, describe_rule
from oncotrial.errors import ValueProblem
from oncotrial.formats.patients import read_patient_file
from oncotrial.prescreen.concepts import UNMAPPED_MARKER, map_eligibility

from .builders import assert_each_rule_equal_in_both_paths, item_status, read_item

AS_OF = dt.date(2025, 3, 1)


# ---------------------------------------------------------------- the vocabulary


def test_every_variant_belongs_to_a_declared_marker_and_is_its_own_canonical_form() -> None:
    assert len({(v.marker, v.key) for v in VARIANTS}) == len(VARIANTS)
    for v in VARIANTS:
        assert v.marker in BIOMARKERS
        assert v.source
        assert canonical_variant(v.marker, v.key) == v.key
        if v.hgvs is not None:  # a substitution: its HGVS three-letter form is the same variant
            assert canonical_variant(v.marker, v.hgvs) == v.key


@pytest.mark.parametrize(
    ("marker", "written", "canonical"),
    [
        ("KRAS", "p.Gly12Cys", "G12C"),
        ("KRAS", "p.G12C", "G12C"),
        ("KRAS", "g12c", "G12C"),
        ("KRAS", "G12F", "G12F"),  # any substitution: compared by equality, never to a class
        ("EGFR", "NP_005219.2:p.(Leu858Arg)", "L858R"),
        ("EGFR", "Ex19del", "exon 19 deletion"),
        ("EGFR", "exon 20 insertion", "exon 20 insertion"),
        ("MET", "METex14", "exon 14 skipping"),
    ],
)
def test_a_records_variant_is_stored_canonical(marker: str, written: str, canonical: str) -> None:
    b = Biomarker(marker=marker, status="detected", variant=written)
    assert b.variant == canonical


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "detected", "variant": "positive"}, "unknown EGFR variant 'positive'"),
        # a class of several substitutions is no one variant a record can hold
        ({"status": "detected", "variant": "G719X"}, "unknown EGFR variant 'G719X'"),
        # the exon 14 skipping is MET's, not EGFR's
        ({"status": "detected", "variant": "exon 14 skipping"}, "unknown EGFR variant"),
        # "T790M not detected" would read as EGFR not detected to every other rule
        ({"status": "not_detected", "variant": "T790M"}, "with a detected result only"),
    ],
)
def test_a_bad_variant_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Biomarker(marker="EGFR", **fields)


def test_a_rule_names_declared_variants_of_a_detected_result() -> None:
    base = {"kind": "biomarker", "id": "R", "description": "d", "marker": "KRAS"}
    assert BiomarkerRule.model_validate({**base, "status": "detected", "variant": ("G12C",)})
    with pytest.raises(ValidationError, match="unknown KRAS variant 'L858R'"):
        BiomarkerRule.model_validate({**base, "status": "detected", "variant": ("L858R",)})
    with pytest.raises(ValidationError, match="a detected result of one variant"):
        BiomarkerRule.model_validate({**base, "status": "not_detected", "variant": ("G12C",)})
    assert variant("kras", "G12C") is not None and variant("KRAS", "G12F") is None


# ---------------------------------------------------------------- patient records


def _write(tmp_path: Path, name: str, content: str | dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_json_csv_and_fhir_records_carry_the_variant(tmp_path: Path) -> None:
    record = {
        "id": "P1",
        "biomarkers": [{"marker": "KRAS", "status": "detected", "variant": "p.Gly12Cys"}],
    }
    (from_json,) = read_patient_file(_write(tmp_path, "p.json", record))
    assert from_json.biomarkers is not None and from_json.biomarkers[0].variant == "G12C"
    header = "patient_id,section,item,value,unit,date,end_date,low,high,code,system,category,line"
    rows = "C1,biomarker,EGFR,detected,,2025-01-10,,,,,,Ex19del,\n"
    (from_csv,) = read_patient_file(_write(tmp_path, "p.csv", f"{header}\n{rows}"))
    assert from_csv.biomarkers is not None
    assert from_csv.biomarkers[0].variant == "exon 19 deletion"
    (from_fhir,) = read_patient_file(
        _write(tmp_path, "b.json", _bundle("NP_005219.2:p.(Leu858Arg)"))
    )
    assert from_fhir.biomarkers is not None and from_fhir.biomarkers[0].variant == "L858R"


def _bundle(change: str) -> dict[str, Any]:
    hgvs = "http://varnomen.hgvs.org"
    observation = {
        "resourceType": "Observation",
        "id": "v1",
        "status": "final",
        "code": {"text": "EGFR mutation analysis"},
        "subject": {"reference": "Patient/f1"},
        "effectiveDateTime": "2025-01-10",
        "valueCodeableConcept": {"text": "Detected"},
        "component": [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "48005-3"}]},
                "valueCodeableConcept": {"coding": [{"system": hgvs, "code": change}]},
            }
        ],
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "f1"}},
            {"resource": observation},
        ],
    }


def test_a_bad_variant_in_a_file_names_the_file_record_and_field(tmp_path: Path) -> None:
    record = {"id": "P1", "biomarkers": [{"marker": "EGFR", "status": "detected", "variant": "x"}]}
    path = _write(tmp_path, "p.json", record)
    with pytest.raises(ValueProblem) as info:
        read_patient_file(path)
    assert (info.value.file, info.value.record) == (str(path), "P1")
    assert info.value.field == "biomarkers[0].variant"
    assert "unknown EGFR variant 'x'" in str(info.value)
    header = "patient_id,section,item,value,unit,date,end_date,low,high,code,system,category,line"
    csv = _write(tmp_path, "p.csv", f"{header}\nC1,biomarker,EGFR,negative,,,,,,,,L858R,\n")
    with pytest.raises(ValueProblem, match="detected result only") as info:
        read_patient_file(csv)
    assert info.value.record == "C1"
    with pytest.raises(ValueProblem, match=r"unknown EGFR variant 'p\.L858'") as info:
        read_patient_file(_write(tmp_path, "b.json", _bundle("p.L858")))
    assert info.value.record == "f1" and info.value.field.startswith("Observation/")


# ---------------------------------------------------------------- the phrasings read

_READ = [
    # NCT05074810 I3
    ("inclusion", "Known KRAS G12C mutation", ["KRAS G12C detected"], []),
    # NCT06619587 I1
    (
        "inclusion",
        "Histologically documented advanced or metastatic solid tumor with KRAS G12D mutation",
        [
            "diagnosis of Solid tumour, confirmed by histology",
            "disease is advanced (no stage is stated: the investigator confirms)",
            "KRAS G12D detected",
        ],
        [],
    ),
    # NCT06040541 I1 (the word joined by a hyphen)
    (
        "inclusion",
        "Pathologically documented, locally advanced or metastatic solid tumor with a KRAS "
        "G12D-mutation",
        [
            "diagnosis of Solid tumour",
            "disease now locally advanced or metastatic",
            "KRAS G12D detected",
        ],
        [],
    ),
    # NCT07155187 I1: an exon class or a substitution written with its exon
    (
        "inclusion",
        "Histologically or cytologically confirmed diagnosis of locally advanced or metastatic "
        "non-squamous non-small cell lung cancer (NSCLC) with documented EGFR Exon 19 deletion "
        "or Exon21 L858R mutation.",
        [
            "diagnosis of Non-small cell lung cancer, confirmed by histology or cytology",
            "disease now locally advanced or metastatic",
            "EGFR exon 19 deletion or L858R detected",
        ],
        ["non-squamous"],
    ),
    # NCT06607185 I1: one list, any of six
    (
        "inclusion",
        "Have evidence of KRAS G12C, G12D, G12V, G12A, G12S, or G13D mutation in tumor tissue or "
        "circulating tumor DNA",
        ["KRAS G12C or G12D or G12V or G12A or G12S or G13D detected"],
        ["in tumor tissue or circulating tumor DNA"],
    ),
    # NCT06720987 I2 (the marker repeated), NCT06194929 I4.2
    (
        "inclusion",
        "Histologically confirmed diagnosis of adenocarcinoma of the colon or rectum with either "
        "a KRAS G12C or KRAS G12S mutation.",
        ["KRAS G12C or G12S detected"],
        None,
    ),
    (
        "inclusion",
        "Cohort B: BRAF V600E or BRAF V600K",
        ["BRAF V600E or V600K detected"],
        ["Cohort B"],
    ),
    # NCT05920356 I1, NCT07012031 I2: HGVS's "p." and a caret
    ("inclusion", "NSCLC with KRAS p. G12C mutation", None, None),
    ("inclusion", "Patients must have KRAS\\^G12C mutation", ["KRAS G12C detected"], []),
    # NCT03586453 I1: the marker after the variants
    (
        "inclusion",
        "Stage IV NSCLC with either the L858R or exon 19 deletion activating EGFR mutation",
        None,
        None,
    ),
    # NCT02279004 I16.1–I16.3: variants alone, named with their gene
    ("inclusion", "EGFR exon 19 deletion", ["EGFR exon 19 deletion detected"], []),
    ("inclusion", "EGFR T790M", ["EGFR T790M detected"], []),
    # NCT06902376 I7, NCT04762199 I19.2: a negative result to enter
    (
        "inclusion",
        "Must have BRAF V600E mutation-negative tumor",
        ["not (BRAF V600E detected)"],
        ["tumor"],
    ),
    ("inclusion", "Must be EGFR-T790M negative", ["not (EGFR T790M detected)"], []),
    # NCT05261399 I4: "and/or" is any of them
    (
        "inclusion",
        "Must have at least one documented sensitising EGFR mutation: exon19 deletion, L858R "
        "mutation, and/or T790M.",
        ["EGFR exon 19 deletion or L858R or T790M detected"],
        ["Must have at least one documented sensitising EGFR mutation"],
    ),
    # words that say only that the result is the patient's: NCT07209111 I3 (the gene's name
    # before its symbol), NCT06890598 I2, NCT06793215 I5, NCT06720987 I1 ("either")
    (
        "inclusion",
        "Has a tumor that demonstrates the presence of Kirsten rat sarcoma (KRAS) G12C mutation",
        ["KRAS G12C detected"],
        [],
    ),
    (
        "inclusion",
        "Must have disease with evidence of KRAS G12C mutation.",
        ["KRAS G12C detected"],
        [],
    ),
    (
        "inclusion",
        "Documentation of the presence of a KRAS G12C mutation",
        ["KRAS G12C detected"],
        [],
    ),
    (
        "inclusion",
        "Histologically confirmed diagnosis of a solid tumor malignancy with either a KRAS G12C or "
        "KRAS G12S mutation.",
        ["diagnosis of Solid tumour, confirmed by histology", "KRAS G12C or G12S detected"],
        [],
    ),
    # exclusions: NCT06225804 E2, NCT05519293 E3, NCT03586453 E11
    ("exclusion", "NSCLC patients with EGFR Cys797Ser (C797S) mutation.", None, None),
    (
        "exclusion",
        "Subjects with EGFR exon 20 insertion mutations only.",
        ["EGFR exon 20 insertion detected"],
        ["only"],
    ),
    (
        "exclusion",
        "Known to be T790M+ (on pre-treatment tumor or plasma) or known germline T790M.",
        ["EGFR T790M detected"],
        None,
    ),
]


@pytest.mark.parametrize(("kind", "text", "readings", "unread"), _READ)
def test_read(kind: str, text: str, readings: list[str] | None, unread: list[str] | None) -> None:
    item = read_item(text, kind)
    described = [describe_rule(r) for r in item.rules]
    if readings is None:
        assert any("detected" in d for d in described), described
    else:
        assert described == readings
    if unread is not None:
        assert list(item.unread) == unread


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # a drug's target, not the patient's result: NCT05920356 E6, NCT06875310 E5,
        # NCT03260491 I30, NCT06452277 I4 (HER2's exon 20 insertion)
        ("exclusion", "Prior therapy with a KRAS G12C inhibitor"),
        (
            "exclusion",
            "Treatment targeting KRAS G12C mutation (eg, sotorasib, adagrasib) in any setting.",
        ),
        ("inclusion", "including 1 selective KRAS-G12C-targeted therapy"),
        ("inclusion", "No prior treatment with a HER2 ex20ins-targeted therapy"),
        # NCT06130254 I2.3, NCT07023731 E5, NCT06248606 E1, NCT06218914 E10 ("unless")
        (
            "inclusion",
            "Prior treatment with a therapy targeting PARP or KRAS G12C mutation is permitted.",
        ),
        (
            "exclusion",
            "Prior treatment with a KRAS G12D or a KRAS G12C targeting therapy (pan-KRAS "
            "inhibitor/degrader included)",
        ),
        ("exclusion", "Prior treatment with KRAS G12C tyrosine kinase inhibitor."),
        (
            "exclusion",
            "Prior treatment with pan-KRAS or KRAS G12D targeting agents unless presence of KRAS "
            "G12D mutation is confirmed after the completion of treatment",
        ),
        # a subgroup's list (NCT03476681 I6); a germline carrier (NCT05587439 I1)
        (
            "inclusion",
            "Patients with EGFR, ALK1, ROS1 or BRAF V600E genomic tumor aberrations must have had "
            "disease progression on FDA-approved agents for these aberrations.",
        ),
        (
            "inclusion",
            "Cohort 1: individuals with or with high risk of carrying an EGFR T790M or other EGFR "
            "germline variant identified in blood or saliva",
        ),
        # another gene (NCT06162221 I8: RAS is KRAS, NRAS or HRAS), not this variant (NCT05786924)
        ("inclusion", "Must have locally advanced or metastatic RAS G12D-mutated NSCLC"),
        ("inclusion", "Advanced/metastatic NSCLC with KRAS non-G12C mutations"),
        # a subgroup's condition (NCT05327010 I3.4), and a list of what is "not eligible"
        # (NCT03851445 I15)
        (
            "inclusion",
            "Patients with KRAS G12C mutations must have already had KRAS G12C targeted therapy",
        ),
        (
            "inclusion",
            "Patients with known EGFR sensitizing mutations, EGFR T790M mutation, ALK gene fusion, "
            "or BRAF V600E mutation are not eligible",
        ),
        # one of a wider list of examples (NCT06116682 I6)
        (
            "inclusion",
            "Participants must not have other known actionable oncogenic alterations, such as "
            "EGFR sensitizing mutations, EGFR T790M mutation, MET Exon-14 skipping mutant NSCLC",
        ),
        # "and": both or either? (NCT05394831 I5.2); an undeclared class (NCT03260491 I20)
        (
            "inclusion",
            "Advanced NSCLC subjects who are positive for EGFR mutations C797S and T790M",
        ),
        ("inclusion", "EGFR-activating mutation(s): G719X, exon deletion 19, L858R, or L861Q"),
        # the test, not the result (NCT06345729 I4); an absence in an exclusion
        ("inclusion", "Central laboratory testing of KRAS G12C mutation status"),
        ("exclusion", "No known EGFR exon 19 deletion"),
    ],
)
def test_not_read(kind: str, text: str) -> None:
    rules = read_item(text, kind).rules
    assert not any(getattr(r, "variant", None) for r in _walk(rules)), rules


def _walk(rules: tuple[Rule, ...]) -> list[Rule]:
    out: list[Rule] = []
    for r in rules:
        out.append(r)
        inner = getattr(r, "rule", None)
        out += _walk((inner,)) if inner is not None else []
        out += _walk(getattr(r, "rules", ()))
    return out


def test_no_variant_is_no_status_of_the_marker() -> None:
    """ "No EGFR exon 19 deletion" is not "no EGFR mutation" (an L858R patient enters)."""
    item = read_item("No EGFR exon 19 deletion", "inclusion")
    assert [describe_rule(r) for r in item.rules] == ["not (EGFR exon 19 deletion detected)"]
    assert item_status(item, _patient(("EGFR", "detected", "L858R")), as_of=AS_OF) is Status.MET


def test_co_mutation_exclusions_read_as_before() -> None:
    """Driver alterations without a variant stay reading_driver_markers' (NCT06385262 E2)."""
    known = "Participants with known EGFR mutations, ALK translocation, or ROS1 translocation."
    item = read_item(known, "exclusion")
    assert [describe_rule(r) for r in item.rules] == [
        "EGFR detected",
        "ALK detected",
        "ROS1 detected",
    ]
    assert item.unread == ()
    patient = _patient(("EGFR", "detected", "L858R"), ("ALK", "not_detected", None))
    assert item_status(item, patient, as_of=AS_OF) is Status.MET


# ---------------------------------------------------------------- three-valued verdicts


def _patient(*results: tuple[str, str | None, str | None], day: str = "2025-02-01") -> Patient:
    biomarkers = [
        {"marker": m, "status": s, "variant": v, "date": day, **({} if s else {"value": 5.0})}
        for m, s, v in results
    ]
    return Patient.model_validate({"id": "P", "biomarkers": biomarkers})


NEEDED = "Have evidence of KRAS G12C, G12D, G12V, G12A, G12S, or G13D mutation"
# NCT06225804 E2 "NSCLC patients with EGFR Cys797Ser (C797S) mutation.", without the words that
# make it a subgroup's (those stay unread: test_read)
EXCLUDED = "Patients with EGFR Cys797Ser (C797S) mutation."


@pytest.mark.parametrize(
    ("patient", "needed", "excluded"),
    [
        # the variant recorded
        (
            _patient(("KRAS", "detected", "G12D"), ("EGFR", "detected", "C797S")),
            Status.MET,
            Status.MET,
        ),
        # another variant recorded: the test named what it found
        (
            _patient(("KRAS", "detected", "G12F"), ("EGFR", "detected", "L858R")),
            Status.NOT_MET,
            Status.NOT_MET,
        ),
        # not detected
        (
            _patient(("KRAS", "not_detected", None), ("EGFR", "not_detected", None)),
            Status.NOT_MET,
            Status.NOT_MET,
        ),
        # detected, no variant recorded: which one is missing
        (
            _patient(("KRAS", "detected", None), ("EGFR", "detected", None)),
            Status.UNKNOWN,
            Status.UNKNOWN,
        ),
        # a failed test, and never tested
        (
            _patient(("KRAS", "failed", None), ("EGFR", "failed", None)),
            Status.UNKNOWN,
            Status.UNKNOWN,
        ),
        (_patient(), Status.UNKNOWN, Status.UNKNOWN),
        # two variants found by one test (same day): either is recorded
        (
            _patient(
                ("EGFR", "detected", "L858R"),
                ("EGFR", "detected", "C797S"),
                ("KRAS", "detected", "G13D"),
            ),
            Status.MET,
            Status.MET,
        ),
    ],
)
def test_verdicts(patient: Patient, needed: Status, excluded: Status) -> None:
    assert item_status(read_item(NEEDED, "inclusion"), patient, as_of=AS_OF) is needed
    assert item_status(read_item(EXCLUDED, "exclusion"), patient, as_of=AS_OF) is excluded


def test_the_latest_test_decides_and_the_unknown_says_what_is_missing() -> None:
    older = {"marker": "KRAS", "status": "detected", "variant": "G12C", "date": "2024-01-01"}
    newer = {"marker": "KRAS", "status": "detected", "date": "2025-01-01"}
    patient = Patient.model_validate({"id": "P", "biomarkers": [older, newer]})
    item = read_item("Known KRAS G12C mutation", "inclusion")
    assert item_status(item, patient, as_of=AS_OF) is Status.UNKNOWN
    from oncotrial.eligibility.screening import screen_patient

    result = screen_patient(Eligibility(inclusion=(item,)), patient, as_of=AS_OF)
    (outcome,) = result.criteria[0].rules
    assert outcome.missing == ("KRAS variant (the result says detected, not whether it is G12C)",)


def test_a_failed_test_counts_as_the_protocol_says() -> None:
    rule = BiomarkerRule.model_validate(
        {
            "kind": "biomarker",
            "id": "I1-1",
            "description": "d",
            "marker": "KRAS",
            "status": "detected",
            "variant": ("G12C",),
            "failed_as": "not_detected",
        }
    )
    item = Criterion(id="I1", kind=CriterionKind.INCLUSION, text="x", rules=(rule,))
    assert item_status(item, _patient(("KRAS", "failed", None)), as_of=AS_OF) is Status.NOT_MET


# ---------------------------------------------------------------- both paths (Hypothesis)

_RESULT = st.tuples(
    st.sampled_from(["KRAS", "EGFR", "kras"]),
    st.sampled_from(["detected", "detected", "not_detected", "failed", None]),
    st.sampled_from([None, "G12C", "G12D", "G12F", "L858R", "exon 19 deletion"]),
    st.sampled_from([None, "2025-01-01", "2025-02-01", "2025-04-01"]),
)


def _record(marker: str, status: str | None, change: str | None, day: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"marker": marker, "status": status, "date": day}
    if status is None:
        out["value"] = 10.0
    if status == "detected" and change is not None:
        gene = marker.upper()
        if change in {"G12C", "G12D", "G12F"} or gene == "EGFR":
            out["variant"] = change
    return out


_RULES = [
    BiomarkerRule.model_validate(
        {
            "kind": "biomarker",
            "id": f"E{i}-1",
            "description": "d",
            "marker": marker,
            "status": "detected",
            "variant": keys,
            "failed_as": failed_as,
        }
    )
    for i, (marker, keys, failed_as) in enumerate(
        [
            ("KRAS", ("G12C",), None),
            ("KRAS", ("G12C", "G12D"), None),
            ("KRAS", ("G12D",), "not_detected"),
            ("EGFR", ("exon 19 deletion", "L858R"), None),
            ("EGFR", ("L858R",), "detected"),
        ],
        start=1,
    )
]


@settings(max_examples=60, deadline=None)
@given(
    patients=st.lists(st.one_of(st.none(), st.lists(_RESULT, max_size=4)), min_size=1, max_size=6)
)
def test_both_paths_agree(
    patients: list[list[tuple[str, str | None, str | None, str | None]] | None],
) -> None:
    built = [
        Patient.model_validate(
            {
                "id": f"P{i}",
                "biomarkers": None if results is None else [_record(*r) for r in results],
            }
        )
        for i, results in enumerate(patients)
    ]
    assert_each_rule_equal_in_both_paths(built, _RULES, as_of=AS_OF)


# ---------------------------------------------------------------- prescreening


def test_prescreen_leaves_variant_rules_unmapped() -> None:
    item = read_item("Known KRAS G12C mutation", "inclusion")
    mapped, unmapped = map_eligibility(Eligibility(inclusion=(item,)))
    (rule,) = mapped.inclusion[0].rules
    assert isinstance(rule, BiomarkerRule) and rule.marker == UNMAPPED_MARKER
    assert [u.reason for u in unmapped] == [
        "biomarker variant (OMOP measurement values name no variant; not compiled yet)"
    ]
