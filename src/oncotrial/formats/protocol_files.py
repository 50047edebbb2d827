"""Protocol files: registry records in, reviewed protocol YAML in and out, bundled seed trials.

The YAML is the protocol model dumped field by field in the model's order (the order of a
registry page), leaving out values equal to their defaults; loading it and dumping again gives the
same text. Long text keeps its line breaks (YAML literal blocks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from oncotrial.errors import FormatError, InputError, SchemaError, ValueProblem
from oncotrial.formats.protocol_index import library_dir
from oncotrial.protocol.model import Protocol

__all__ = [
    "YAML_HEADER",
    "bundled_protocols",
    "dump_protocol_yaml",
    "find_protocol",
    "library_dir",
    "library_protocols",
    "load_protocol_yaml",
    "read_protocols",
    "write_protocol_yaml",
]

YAML_HEADER = (
    "# oncotrial protocol (schema_version 1). Fields listed under provenance as 'person' were\n"
    "# added by a reviewer; 'derived' ones were read by oncotrial from the registry text; all\n"
    "# other fields are the registry record's own words.\n"
)


class _Dumper(yaml.SafeDumper):
    """Literal blocks for multi-line text, plain style otherwise; no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        # YAML literal blocks cannot keep trailing spaces on a line; those values stay quoted.
        style = "|" if not re.search(r"[ \t]\n|[ \t]$|\r", value) else '"'
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)

#: libyaml's safe loader when PyYAML was built with it (about 10× faster on the bundled
#: protocols), else the pure-Python one; both build the same plain Python values.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dump_protocol_yaml(protocol: Protocol) -> str:
    data = protocol.model_dump(mode="json", exclude_defaults=True)
    data = {"schema_version": protocol.schema_version, **data}
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return YAML_HEADER + body


def load_protocol_yaml(text: str, name: str) -> Protocol:
    try:
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise FormatError(f"not valid YAML{where}", file=name, hint="Fix the YAML syntax.") from exc
    if not isinstance(data, dict):
        raise SchemaError("a protocol YAML file must hold a mapping", file=name)
    if "schema_version" not in data:
        raise SchemaError(
            "not an oncotrial protocol (no schema_version)", file=name, field="schema_version"
        )
    record = None
    identity = data.get("identity")
    if isinstance(identity, dict):
        record = identity.get("nct_id") or identity.get("local_id")
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ValueProblem(
            f"{first['msg']} (value {str(first.get('input'))[:80]!r})",
            file=name,
            record=record,
            field=field,
            hint="Correct the field in the YAML file.",
        ) from exc


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError("file not found", file=str(path), hint="Check the path.")
    if path.is_dir():
        raise InputError("this is a folder, not a file", file=str(path))
    raw = path.read_bytes()
    if not raw.strip():
        raise FormatError("the file is empty", file=str(path), hint="Export the record again.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 text (byte {exc.start})", file=str(path), hint="Save the file as UTF-8."
        ) from exc


def _is_yaml(path: Path, text: str) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"} or text.lstrip().startswith(
        ("# oncotrial protocol", "schema_version:")
    )


def read_protocols(path: Path) -> list[Protocol]:
    """Every protocol in a registry record file or a protocol YAML file."""
    text = _read_text(path)
    if _is_yaml(path, text):
        return [load_protocol_yaml(text, str(path))]
    # The registry readers (and what they import) load only when a registry record is read,
    # so that listing and showing protocols starts fast.
    from oncotrial.protocol.importers import import_protocols

    local_id = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem) or "trial"
    return import_protocols(text, str(path), local_id)


def write_protocol_yaml(protocol: Protocol, folder: Path) -> Path:
    """Write ``folder/<trial id>.yaml`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{protocol.trial_id}.yaml"
    target.write_text(dump_protocol_yaml(protocol), encoding="utf-8")
    return target


def bundled_protocols() -> list[Protocol]:
    """The reviewed protocols of the five seed trials shipped with oncotrial."""
    folder = resources.files("oncotrial") / "data" / "protocols"
    protocols = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            protocols.append(load_protocol_yaml(entry.read_text("utf-8"), f"bundled {entry.name}"))
    return protocols


def library_protocols() -> list[Protocol]:
    folder = library_dir()
    if not folder.is_dir():
        return []
    return [
        load_protocol_yaml(path.read_text("utf-8"), str(path))
        for path in sorted(folder.glob("*.yaml"))
    ]


def _all_known() -> Iterator[Protocol]:
    yield from library_protocols()
    yield from bundled_protocols()


def find_protocol(reference: str) -> Protocol:
    """A protocol by file path, or by trial id (NCT number, local id or org study id)."""
    path = Path(reference)
    if path.exists() or any(sep in reference for sep in "/\\") or path.suffix:
        protocols = read_protocols(path)
        if len(protocols) != 1:
            raise InputError(
                f"the file holds {len(protocols)} protocols; import it and show one by its id",
                file=reference,
            )
        return protocols[0]
    key = reference.casefold()
    for protocol in _all_known():
        ids = {
            protocol.identity.nct_id,
            protocol.identity.local_id,
            protocol.identity.org_study_id,
            protocol.identity.acronym,
        }
        if key in {i.casefold() for i in ids if i}:
            return protocol
    raise InputError(
        f"no trial {reference!r} among the bundled and imported protocols",
        hint="Run `oncotrial trial list` to see the trials, or give a file path.",
    )
