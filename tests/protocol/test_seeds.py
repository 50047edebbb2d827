"""The five seed registrations import without loss, with the field values the issue names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oncotrial.eligibility.criteria import Criterion
from oncotrial.formats.protocol_files import bundled_protocols, read_protocols
from oncotrial.protocol.dosing import Route, Timing
from oncotrial.protocol.endpoints import EndpointKind, EndpointLevel, Origin
from oncotrial.protocol.model import FieldSource, ImportFormat, Protocol
from oncotrial.protocol.timeframe import TimeUnit
from oncotrial.protocol.vocabulary import (
    Allocation,
    ArmType,
    InterventionModel,
    InterventionType,
    Masking,
    OverallStatus,
    Phase,
)
from oncotrial.response.settings import ResponseCriteria


def seed(shared: Path, prefix: str) -> Path:
    (path,) = sorted((shared / "seeds").glob(f"{prefix}_*.txt"))
    return path


def imported(shared: Path, prefix: str) -> Protocol:
    (protocol,) = read_protocols(seed(shared, prefix))
    return protocol


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_002_registry_page(shared: Path) -> None:
    p = imported(shared, "002")
    assert p.source.format is ImportFormat.REGISTRY_PAGE
    assert p.identity.nct_id == "NCT07064876"
    assert p.identity.org_study_id == "KY2025098"
    assert p.design.phases == (Phase.PHASE2,)
    assert p.status.overall_status is OverallStatus.NOT_YET_RECRUITING
    assert p.enrollment is not None and p.enrollment.count == 25
    assert p.design.intervention_model is InterventionModel.SINGLE_GROUP
    assert p.design.allocation is Allocation.NA
    assert p.design.masking is Masking.NONE
    assert p.status.start is not None and p.status.start.date == "2025-10-31"
    assert p.status.completion is not None and p.status.completion.date == "2027-09-30"

    (arm,) = p.arms
    assert arm.type is ArmType.EXPERIMENTAL
    assert arm.label == "Serplulimab + Cryoablation"
    assert arm.interventions == ("Serplulimab", "CT-guided Cryoablation")
    serplulimab, cryo = p.interventions
    assert serplulimab.type is InterventionType.DRUG
    assert serplulimab.dosing.dose == 300 and serplulimab.dosing.unit == "mg"
    assert serplulimab.dosing.route is Route.IV
    assert serplulimab.dosing.interval_days == 21
    assert serplulimab.dosing.max_cycles == 6
    assert cryo.type is InterventionType.PROCEDURE
    assert cryo.dosing.once and cryo.dosing.timing is Timing.BEFORE_FIRST_DOSE

    kinds = [(e.level, e.reading.kind) for e in p.endpoints]
    assert kinds == [
        (EndpointLevel.PRIMARY, EndpointKind.ORR),
        (EndpointLevel.SECONDARY, EndpointKind.PFS),
        (EndpointLevel.SECONDARY, EndpointKind.OS),
        (EndpointLevel.SECONDARY, EndpointKind.SURVIVAL_RATE),
        (EndpointLevel.SECONDARY, EndpointKind.AE_INCIDENCE),
    ]
    rate = p.endpoints[3].reading
    assert rate.rate_of is EndpointKind.OS
    assert rate.landmark is not None and rate.landmark.unit is TimeUnit.YEARS
    assert rate.landmark.value == 1
    assert p.provenance_of("endpoints[0].reading").source is FieldSource.DERIVED

    e = p.eligibility
    assert e.sex == "ALL" and e.minimum_age is not None and e.minimum_age.value == 18
    assert e.healthy_volunteers is False
    assert len(e.inclusion) == 9 and len(e.exclusion) == 17
    assert e.exclusion[-1].text.startswith("Any other condition")
    assert p.related_trials[0].nct_id == "NCT06295926"
    assert p.sponsors.lead is not None and p.sponsors.lead.name == "Xi Junjie"
    assert p.locations[0].country == "China"
    assert p.central_contacts[0].phone == "+86-021-64041990"


def test_000_fields_export(shared: Path) -> None:
    p = imported(shared, "000")
    assert p.source.format is ImportFormat.TEXT_FIELDS
    assert p.title.startswith("Toripalimab Combined with Cryoablation")
    assert p.conditions == ("Non-small Cell Lung Cancer",)
    assert [(i.type, i.name) for i in p.interventions] == [
        (InterventionType.DRUG, "Toripalimab"),
        (InterventionType.OTHER, "Cryoablation"),
    ]
    primary, orr, dcr, os_, ae, pdl1 = p.endpoints
    assert primary.level is EndpointLevel.PRIMARY
    assert primary.reading.kind is EndpointKind.PFS
    assert primary.reading.criteria == (ResponseCriteria.RECIST_1_1,)
    assert str(primary.reading.time_frame) == "6 months"
    assert primary.reading.origin is Origin.RANDOMIZATION
    assert orr.reading.kind is EndpointKind.ORR and str(orr.reading.time_frame) == "6 months"
    assert dcr.reading.kind is EndpointKind.DCR and str(dcr.reading.time_frame) == "6 months"
    assert os_.reading.kind is EndpointKind.OS and str(os_.reading.time_frame) == "24 months"
    assert ae.reading.kind is EndpointKind.AE_INCIDENCE
    assert ae.reading.ctcae_version == "5.0"
    assert str(ae.reading.time_frame) == "up to 2 years"
    assert pdl1.reading.kind is EndpointKind.BIOMARKER_RESPONSE
    assert str(pdl1.reading.time_frame) == "up to 1 year"
    assert all(e.level is EndpointLevel.SECONDARY for e in (orr, dcr, os_, ae, pdl1))
    assert p.description.detailed_description is not None


def test_003_fields_export(shared: Path) -> None:
    p = imported(shared, "003")
    kinds = [e.reading.kind for e in p.endpoints]
    assert kinds == [
        EndpointKind.ORR,
        EndpointKind.PFS,
        EndpointKind.OS,
        EndpointKind.DCR,
        EndpointKind.DOR,
        EndpointKind.TTP,
    ]
    assert p.endpoints[0].level is EndpointLevel.PRIMARY
    assert all(e.level is EndpointLevel.SECONDARY for e in p.endpoints[1:])
    assert all(str(e.reading.time_frame) == "2 years" for e in p.endpoints)
    assert p.endpoints[1].reading.origin is Origin.FIRST_DOSE


def test_004_long_time_frames(shared: Path) -> None:
    p = imported(shared, "004")
    assert [str(e.reading.time_frame) for e in p.endpoints] == [
        "up to 6 months",
        "up to 12 months",
        "up to 18 months",
        "up to 6 months",
        "up to 18 months",
    ]
    assert p.endpoints[0].time_frame is not None
    assert p.endpoints[0].time_frame.startswith("From date of randomization until")
    assert p.endpoints[0].description is not None
    assert p.endpoints[0].description.startswith("The rate of tumor shrinkage")
    assert p.endpoints[2].reading.kind is EndpointKind.OS  # "over survival time": time to death


def test_001_bulleted_criteria(shared: Path) -> None:
    p = imported(shared, "001")
    assert p.source.format is ImportFormat.TEXT_BULLETED
    items = p.eligibility.inclusion
    assert len(items) == 12 and not p.eligibility.exclusion
    assert items[1].text == "Age ≥ 18 years;"
    assert [c.depth for c in items[-3:]] == [1, 1, 1]  # the ⁃ sub-bullets stay nested
    assert items[-1].text.startswith("Laboratory values at screening")
    assert "Cockcroft-Gault" in items[-1].text


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_word_of_the_seed_is_kept(shared: Path, prefix: str) -> None:
    """No loss: every word of the record appears somewhere in the protocol."""
    text = seed(shared, prefix).read_text(encoding="utf-8")
    protocol = imported(shared, prefix)
    dumped = " ".join(
        str(v) for v in _strings(protocol.model_dump(mode="json", exclude={"source", "provenance"}))
    )
    kept = {w.casefold() for w in words(dumped)}
    page_furniture = {
        # the registry page's own headings and explanations (shape c) are layout, not data
        w
        for line in text.splitlines()
        if line.strip().casefold().startswith(_FURNITURE)
        for w in words(line)
    }
    lost = [w for w in words(text) if w.casefold() not in kept and w not in page_furniture]
    assert lost == []


_FURNITURE = (
    "get a concise",
    "review the",
    "review each",
    "review additional",
    "dive into",
    "see the",
    "understand how",
    "learn about",
    "check the",
    "meet the",
    "identify the",
    "explore where",
    "reach out",
    "find local",
    "additional clinical",
    "study results",
    "basic information",
    "recruitment status",
    "clinical phase",
    "total enrollment",
    "study classification",
    "study start date",
    "study completion date",
    "brief summary",
    "detailed description",
    "conditions",
    "study design",
    "allocation method",
    "intervention model",
    "primary study purpose",
    "blinding strategy",
    "study groups",
    "group type",
    "interventions",
    "intervention type",
    "eligibility criteria",
    "inclusion criteria",
    "exclusion criteria",
    "minimum eligible age",
    "eligible sex",
    "accepts healthy volunteers",
    "sponsors",
    "sponsor role",
    "responsible party",
    "responsibility role",
    "locations",
    "site status",
    "countries",
    "central contacts",
    "facility contacts",
    "role:",
    "other identifiers",
    "identifier type",
    "identifier source",
    "more related trials",
    "nct id",
    "last updated",
    "the study team has not published",
    "results pending",
)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [str(k) for k in value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if value is not None else []


@pytest.mark.parametrize("prefix", ["000", "003", "004"])
def test_outcomes_reassemble_to_the_record(shared: Path, prefix: str) -> None:
    """Each outcome's title, description and time frame rejoin to the registry's exact text."""
    lines = seed(shared, prefix).read_text(encoding="utf-8").splitlines()
    protocol = imported(shared, prefix)
    rejoined = "|".join(
        ", ".join(x for x in (e.title, e.description, e.time_frame) if x)
        for e in protocol.endpoints
    )
    outcome_lines = "|".join(
        line for line in lines if line and all(p in rejoined for p in line.split("|"))
    )
    assert rejoined == outcome_lines


def _without_rules(items: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
    return tuple(item.model_copy(update={"rules": ()}) for item in items)


def test_bundled_protocols_are_the_reviewed_seeds(shared: Path) -> None:
    bundled = {p.identity.local_id: p for p in bundled_protocols()}
    assert sorted(bundled) == ["000", "001", "002", "003", "004"]
    for prefix, protocol in bundled.items():
        original = imported(shared, prefix)
        # the registry's own words are unchanged by review
        assert protocol.title == original.title
        assert protocol.description == original.description
        # the items (id, kind, text, depth, bullet) are the registry's; review only adds rules
        assert _without_rules(protocol.eligibility.inclusion) == original.eligibility.inclusion
        assert _without_rules(protocol.eligibility.exclusion) == original.eligibility.exclusion
        for section in ("inclusion", "exclusion"):
            for index, item in enumerate(getattr(protocol.eligibility, section)):
                if item.rules:  # every reviewed rule is marked as derived or a person's edit
                    source = protocol.provenance_of(f"eligibility.{section}[{index}].rules").source
                    assert source in {FieldSource.DERIVED, FieldSource.PERSON}, (prefix, item.id)
        # what the reviewer added is marked as such
        assert protocol.provenance_of("analysis.response").source is FieldSource.PERSON
        assert protocol.analysis.response is not None
        assert protocol.arms, f"{prefix}: every seed has its arms after review"
    assert bundled["001"].is_randomized and len(bundled["001"].arms) == 2
    assert bundled["002"].analysis.response is not None
    assert bundled["002"].analysis.response.criteria is ResponseCriteria.MRECIST
    assert bundled["002"].endpoints == imported(shared, "002").endpoints
