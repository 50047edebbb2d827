"""ClinicalTrials.gov API v2 JSON: every reference record imports; v1 and bad input are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncotrial.errors import FormatError, SchemaError, ValueProblem
from oncotrial.formats.protocol_files import read_protocols
from oncotrial.protocol.endpoints import EndpointKind, EndpointLevel
from oncotrial.protocol.vocabulary import (
    Allocation,
    ArmType,
    InterventionType,
    Masking,
    OverallStatus,
    Phase,
    StudyType,
)

V2_FILES = [
    "NCT00763412.json",
    "NCT00973089.json",
    "NCT02210780.json",
    "NCT02552212.json",
    "NCT03453554.json",
    "NCT04267848.json",
    "NCT05594173.json",
    "NCT06171568.json",
]


def ctgov(shared: Path, name: str) -> Path:
    return shared / "reference" / "ctgov" / name


def test_reference_folder_is_covered(shared: Path) -> None:
    names = sorted(p.name for p in (shared / "reference" / "ctgov").glob("*.json"))
    assert names == sorted([*V2_FILES, "NCT04780763.json"])


@pytest.mark.parametrize("name", V2_FILES)
def test_every_v2_record_imports_with_its_counts(shared: Path, name: str) -> None:
    raw = json.loads(ctgov(shared, name).read_text(encoding="utf-8"))
    section = raw["protocolSection"]
    (protocol,) = read_protocols(ctgov(shared, name))
    assert protocol.identity.nct_id == name.removesuffix(".json")
    arms = section.get("armsInterventionsModule", {})
    assert len(protocol.arms) == len(arms.get("armGroups", []))
    assert len(protocol.interventions) == len(arms.get("interventions", []))
    outcomes = section.get("outcomesModule", {})
    assert len(protocol.endpoints) == sum(
        len(outcomes.get(k, [])) for k in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")
    )
    for endpoint, outcome in zip(
        protocol.endpoints,
        [
            o
            for k in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")
            for o in outcomes.get(k, [])
        ],
        strict=True,
    ):
        assert endpoint.title == outcome["measure"].strip()
        assert endpoint.description == ((outcome.get("description") or "").strip() or None)
        assert endpoint.time_frame == ((outcome.get("timeFrame") or "").strip() or None)
    locations = section.get("contactsLocationsModule", {}).get("locations", [])
    assert len(protocol.locations) == len(locations)
    ident = section["identificationModule"]
    secondary = [s["id"] for s in ident.get("secondaryIdInfos", [])]
    assert [s.id for s in protocol.identity.secondary_ids] == secondary
    assert protocol.identity.org_study_id == ident.get("orgStudyIdInfo", {}).get("id")
    criteria = section.get("eligibilityModule", {}).get("eligibilityCriteria")
    assert protocol.eligibility.text == (criteria.strip() if criteria else None)


def test_nsclc_trial_with_1148_locations(shared: Path) -> None:
    (p,) = read_protocols(ctgov(shared, "NCT04267848.json"))
    assert len(p.locations) == 1148
    assert p.design.phases == (Phase.PHASE3,)
    assert p.design.allocation is Allocation.RANDOMIZED
    assert p.design.masking is Masking.NONE
    assert p.status.overall_status is OverallStatus.RECRUITING
    assert p.enrollment is not None and p.enrollment.count == 1210
    assert [a.type for a in p.arms] == [
        ArmType.ACTIVE_COMPARATOR,
        ArmType.EXPERIMENTAL,
        ArmType.EXPERIMENTAL,
    ]
    assert "Carboplatin" in p.arms[0].interventions  # "Drug: Carboplatin" resolved to its name
    assert not p.consistency_warnings()
    assert any(i.type is InterventionType.PROCEDURE for i in p.interventions)
    assert p.endpoints[0].level is EndpointLevel.PRIMARY
    assert p.endpoints[0].reading.kind is EndpointKind.DFS
    assert {s.id for s in p.identity.secondary_ids} >= {"NCI-2020-00751", "A081801"}
    nested = [c for c in p.eligibility.inclusion if c.depth == 1]
    assert nested and nested[0].id == "I1.1"
    assert p.eligibility.inclusion[0].text.startswith("A female of childbearing potential")
    assert any("referencesModule" in note for note in p.source.notes)


def test_observational_records(shared: Path) -> None:
    (p,) = read_protocols(ctgov(shared, "NCT05594173.json"))
    assert p.design.study_type is StudyType.OBSERVATIONAL
    assert p.design.observational_model is not None
    assert p.eligibility.study_population is not None


def test_minimal_record_imports_and_says_what_is_missing(shared: Path) -> None:
    (p,) = read_protocols(ctgov(shared, "NCT03453554.json"))
    assert p.title == "Evaluating a Digital..."
    assert "no endpoints" in " ".join(p.consistency_warnings())
    assert any("no eligibility criteria" in note for note in p.source.notes)


def test_v1_shape_is_refused_with_how_to_get_v2(shared: Path) -> None:
    with pytest.raises(SchemaError) as info:
        read_protocols(ctgov(shared, "NCT04780763.json"))
    message = str(info.value)
    assert "FullStudiesResponse" in message
    assert "api/v2/studies" in message
    assert str(ctgov(shared, "NCT04780763.json")) in message


def test_studies_page(shared: Path, tmp_path: Path) -> None:
    studies = [
        json.loads(ctgov(shared, n).read_text(encoding="utf-8"))
        for n in ("NCT00763412.json", "NCT02210780.json")
    ]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": studies, "nextPageToken": "abc"}), encoding="utf-8")
    protocols = read_protocols(page)
    assert [p.trial_id for p in protocols] == ["NCT00763412", "NCT02210780"]


def _study(shared: Path) -> dict:
    return json.loads(ctgov(shared, "NCT04267848.json").read_text(encoding="utf-8"))


def test_unknown_enum_value_names_record_and_field(shared: Path, tmp_path: Path) -> None:
    study = _study(shared)
    study["protocolSection"]["statusModule"]["overallStatus"] = "ALMOST_DONE"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    with pytest.raises(ValueProblem) as info:
        read_protocols(path)
    err = info.value
    assert err.file == str(path)
    assert err.record == "NCT04267848"
    assert err.field == "protocolSection.statusModule.overallStatus"
    assert "ALMOST_DONE" in str(err) and "RECRUITING" in str(err)


def test_wrong_shape_names_the_field(shared: Path, tmp_path: Path) -> None:
    study = _study(shared)
    study["protocolSection"]["armsInterventionsModule"]["armGroups"] = {"label": "x"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    with pytest.raises(SchemaError, match="expected a list") as info:
        read_protocols(path)
    assert info.value.field == "protocolSection.armsInterventionsModule.armGroups"


@pytest.mark.parametrize(
    ("content", "error", "phrase"),
    [
        ("", FormatError, "empty"),
        ('{"protocolSection": {"identificationModule": {"nctId"', FormatError, "truncated"),
        ("[1, 2]", SchemaError, "must be a JSON object"),
        ('{"hello": "world"}', SchemaError, "no protocolSection"),
        ("just some words\nand more", FormatError, "not one oncotrial recognises"),
    ],
)
def test_bad_files(tmp_path: Path, content: str, error: type, phrase: str) -> None:
    path = tmp_path / "record.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=phrase) as info:
        read_protocols(path)
    assert info.value.file == str(path)
