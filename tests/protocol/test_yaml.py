"""Protocol YAML round-trips exactly; bad YAML is refused with file, record and field."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from oncotrial.errors import FormatError, SchemaError, ValueProblem
from oncotrial.formats.protocol_files import (
    dump_protocol_yaml,
    load_protocol_yaml,
    read_protocols,
)

BUNDLED = sorted(
    (entry.name, entry.read_text("utf-8"))
    for entry in (resources.files("oncotrial") / "data" / "protocols").iterdir()
    if entry.name.endswith(".yaml")
)


@pytest.mark.parametrize(("name", "text"), BUNDLED, ids=[n for n, _ in BUNDLED])
def test_bundled_yaml_round_trips_byte_for_byte(name: str, text: str) -> None:
    protocol = load_protocol_yaml(text, name)
    assert dump_protocol_yaml(protocol) == text


def _all_imported(shared: Path):
    for path in sorted((shared / "seeds").glob("*.txt")):
        yield from read_protocols(path)
    for path in sorted((shared / "reference" / "ctgov").glob("*.json")):
        if path.name != "NCT04780763.json":
            yield from read_protocols(path)


def test_every_import_round_trips_through_yaml(shared: Path) -> None:
    for protocol in _all_imported(shared):
        text = dump_protocol_yaml(protocol)
        again = load_protocol_yaml(text, protocol.trial_id)
        assert again == protocol, protocol.trial_id
        assert dump_protocol_yaml(again) == text


def test_yaml_is_readable(shared: Path) -> None:
    (protocol,) = read_protocols(shared / "seeds" / "002_11ecc4cabfc7ed5e.txt")
    text = dump_protocol_yaml(protocol)
    assert text.index("identity:") < text.index("arms:") < text.index("endpoints:")
    assert text.index("endpoints:") < text.index("eligibility:") < text.index("sponsors:")
    assert "brief_summary: |" in text  # paragraphs kept as a literal block


@pytest.mark.parametrize(
    ("content", "error", "field"),
    [
        ("schema_version: 1\nidentity: [\n", FormatError, None),
        ("- a\n- b\n", SchemaError, None),
        ("identity:\n  brief_title: x\n", SchemaError, "schema_version"),
        (
            "schema_version: 1\nidentity:\n  brief_title: T\n  nct_id: NCT1\n"
            "source:\n  format: oncotrial protocol YAML\n  name: x\n",
            ValueProblem,
            "identity.nct_id",
        ),
        (
            "schema_version: 1\nidentity:\n  brief_title: T\n  local_id: T1\n"
            "design:\n  allocation: SOMETIMES\nsource:\n  format: oncotrial protocol YAML\n"
            "  name: x\n",
            ValueProblem,
            "design.allocation",
        ),
        (
            "schema_version: 2\nidentity:\n  brief_title: T\n"
            "source:\n  format: oncotrial protocol YAML\n  name: x\n",
            ValueProblem,
            "",
        ),
    ],
)
def test_bad_yaml(tmp_path: Path, content: str, error: type, field: str | None) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error) as info:
        read_protocols(path)
    assert info.value.file == str(path)
    if field is not None:
        assert info.value.field == field
