"""The generated JSON uses only the key paths and enumeration values of real ClinicalTrials.gov
records with results, and the model holds those records whole (read back unchanged).

Reference records: ``../shared/reference/ctgov/*.json`` with a ``resultsSection`` (API v2 study
records, see the folder's manifest); the test finds them itself, so a record added there is
checked too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncotrial.results.model import ResultsSection, from_api, to_api

#: Fields whose values are API enumerations, grouped by the enumeration they share: outcome and
#: baseline measures share the measure parameter type, for instance.
ENUMS: dict[str, tuple[str, ...]] = {
    "measure type": ("outcomeMeasuresModule.outcomeMeasures[].type",),
    "param type": (
        "outcomeMeasuresModule.outcomeMeasures[].paramType",
        "baselineCharacteristicsModule.measures[].paramType",
    ),
    "baseline dispersion": ("baselineCharacteristicsModule.measures[].dispersionType",),
    "outcome dispersion": ("outcomeMeasuresModule.outcomeMeasures[].dispersionType",),
    "reporting status": ("outcomeMeasuresModule.outcomeMeasures[].reportingStatus",),
    "ci sides": ("outcomeMeasuresModule.outcomeMeasures[].analyses[].ciNumSides",),
    "non-inferiority": ("outcomeMeasuresModule.outcomeMeasures[].analyses[].nonInferiorityType",),
    "assessment": (
        "adverseEventsModule.seriousEvents[].assessmentType",
        "adverseEventsModule.otherEvents[].assessmentType",
    ),
    "units": (
        "baselineCharacteristicsModule.denoms[].units",
        "outcomeMeasuresModule.outcomeMeasures[].denoms[].units",
        "outcomeMeasuresModule.outcomeMeasures[].classes[].denoms[].units",
    ),
}
#: The PRS's fixed milestone types (a team may add its own; we add none).
MILESTONES = "participantFlowModule.periods[].milestones[].type"


def reference_records(shared: Path) -> list[Path]:
    folder = shared / "reference" / "ctgov"
    return sorted(
        p for p in folder.glob("NCT*.json") if "resultsSection" in json.loads(p.read_text())
    )


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, f"{path}[]")
    else:
        yield path, value


def _known(shared: Path) -> tuple[set[str], dict[str, set[Any]]]:
    paths: set[str] = set()
    values: dict[str, set[Any]] = {}
    for record in reference_records(shared):
        for path, value in walk(json.loads(record.read_text())["resultsSection"]):
            paths.add(path)
            values.setdefault(path, set()).add(value)
    return paths, values


def test_there_are_reference_records_with_results(shared: Path) -> None:
    assert len(reference_records(shared)) >= 4


def test_the_model_reads_every_reference_record_whole(shared: Path) -> None:
    for record in reference_records(shared):
        section = json.loads(record.read_text())["resultsSection"]
        read = from_api(ResultsSection, section, source=record.name)
        assert to_api(read) == section, record.name


def test_generated_json_uses_only_real_keys_and_values(shared: Path, demo_trials) -> None:
    paths, values = _known(shared)
    for trial, demo in demo_trials.items():
        ours = demo.made.api()["resultsSection"]
        used: dict[str, set[Any]] = {}
        for path, value in walk(ours):
            assert path in paths, f"{trial}: {path} appears in no reference record"
            used.setdefault(path, set()).add(value)
        for name, group in ENUMS.items():
            allowed = set().union(*(values.get(p, set()) for p in group))
            for path in group:
                extra = used.get(path, set()) - allowed
                assert not extra, f"{trial}: {path} ({name}) has {extra}, real records {allowed}"
        assert used[MILESTONES] <= {"STARTED", "COMPLETED", "NOT COMPLETED"}


def test_generated_json_reads_back_as_written(demo_trials) -> None:
    for demo in demo_trials.values():
        written = json.loads(json.dumps(demo.made.api()))["resultsSection"]
        assert from_api(ResultsSection, written) == demo.made.section


def test_an_unknown_key_is_refused_naming_its_path() -> None:
    from oncotrial.errors import InputError

    with pytest.raises(InputError) as caught:
        from_api(
            ResultsSection, {"moreInfoModule": {"pointOfContact": {"fax": "1"}}}, source="x.json"
        )
    assert caught.value.field == "resultsSection.moreInfoModule.pointOfContact.fax"
