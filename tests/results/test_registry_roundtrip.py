"""Registry records with results import with their results kept, and our output re-imports.

Every reference record with a ``resultsSection`` (``../shared/reference/ctgov/``) goes through
`trial import`'s reader and the protocol's YAML (how the database stores it) and comes back
with its results unchanged; each demo trial's generated section does the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncotrial.errors import InputError
from oncotrial.formats.protocol_files import dump_protocol_yaml, load_protocol_yaml
from oncotrial.protocol.importers import import_protocols
from oncotrial.results.model import to_api
from oncotrial.results.registry import read_results_document, registry_results

from .test_keys import reference_records


def _stored(protocol):  # type: ignore[no-untyped-def]
    """The protocol as the database keeps it and reads it back (YAML)."""
    return load_protocol_yaml(dump_protocol_yaml(protocol), "protocol.yaml")


def test_reference_records_import_with_their_results(shared: Path) -> None:
    for record in reference_records(shared):
        text = record.read_text()
        (protocol,) = import_protocols(text, record.name, "x")
        section = registry_results(_stored(protocol))
        assert section is not None, record.name
        assert to_api(section) == json.loads(text)["resultsSection"], record.name
        assert not any("resultsSection" in note for note in protocol.source.notes)


def test_a_record_without_results_keeps_none(shared: Path) -> None:
    folder = shared / "reference" / "ctgov"
    without = [p for p in sorted(folder.glob("NCT*.json")) if p not in reference_records(shared)]
    assert without
    (protocol,) = import_protocols(without[0].read_text(), without[0].name, "x")
    assert protocol.registry_results is None and registry_results(protocol) is None


def test_generated_results_reimport(demo_trials, tmp_path: Path) -> None:
    for trial, demo in demo_trials.items():
        written = tmp_path / f"{trial}.json"
        written.write_text(json.dumps(demo.made.api(), ensure_ascii=False))
        read = read_results_document(json.loads(written.read_text()), written.name)
        assert read == demo.made.section, trial
        kept = demo.results.protocol.model_copy(
            update={"registry_results": json.dumps(demo.made.api()["resultsSection"])}
        )
        assert registry_results(_stored(kept)) == demo.made.section, trial


def test_a_document_without_results_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        read_results_document({"protocolSection": {}}, "record.json")
    assert caught.value.field == "resultsSection"
