"""What `oncotrial trial list` shows of each protocol, without validating every protocol again.

Validating a protocol YAML builds the protocol model (pydantic model classes for the protocol,
its outcomes and its eligibility rules), which costs more CPU than the listing itself: about
0.25 s before the first protocol is read (issue 11: `trial list` under 0.3 s of CPU). The
bundled protocols therefore ship with an index of their summaries (``data/protocols/index.json``),
each keyed by the SHA-256 of the YAML file it summarises and produced by validating that file
(`write_bundled_index`). A file whose hash is not in the index (a bundled YAML edited without
regenerating the index, or any imported protocol) is validated in full, as before, so a summary
is never shown for text that was not validated; `tests/formats/test_protocol_index.py` fails
while the shipped index is stale and names the command that regenerates it:

    python -m oncotrial.formats.protocol_index
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncotrial.home import data_home

if TYPE_CHECKING:
    from oncotrial.protocol.model import Protocol

__all__ = [
    "BUNDLED_INDEX",
    "ProtocolSummary",
    "build_bundled_index",
    "bundled_index",
    "bundled_summaries",
    "library_dir",
    "library_summaries",
    "summarise",
    "write_bundled_index",
]

#: The shipped index's file name, beside the bundled protocol YAML files.
BUNDLED_INDEX = "index.json"


@dataclass(frozen=True)
class ProtocolSummary:
    """One row of the trial list: a validated protocol's identity and size."""

    trial_id: str
    title: str
    phases: tuple[str, ...]
    status: str | None
    enrollment: int | None
    arms: int
    endpoints: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProtocolSummary:
        return cls(**{**data, "phases": tuple(data["phases"])})


def summarise(protocol: Protocol) -> ProtocolSummary:
    return ProtocolSummary(
        trial_id=protocol.trial_id,
        title=protocol.title,
        phases=tuple(phase.value for phase in protocol.design.phases),
        status=protocol.status.overall_status.value if protocol.status.overall_status else None,
        enrollment=protocol.enrollment.count if protocol.enrollment else None,
        arms=len(protocol.arms),
        endpoints=len(protocol.endpoints),
    )


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _validated(raw: bytes, name: str) -> ProtocolSummary:
    # Only here (a file the index does not vouch for) is the protocol model imported.
    from oncotrial.formats.protocol_files import load_protocol_yaml

    return summarise(load_protocol_yaml(raw.decode("utf-8"), name))


def _bundled_folder() -> Traversable:
    return resources.files("oncotrial") / "data" / "protocols"


def _bundled_files() -> list[Traversable]:
    entries = [e for e in _bundled_folder().iterdir() if e.name.endswith(".yaml")]
    return sorted(entries, key=lambda e: e.name)


def bundled_index() -> dict[str, ProtocolSummary]:
    """The shipped index: SHA-256 of a bundled YAML file → its summary (empty if absent)."""
    entry = _bundled_folder() / BUNDLED_INDEX
    if not entry.is_file():
        return {}
    data = json.loads(entry.read_text("utf-8"))
    return {digest: ProtocolSummary.from_json(row) for digest, row in data.items()}


def bundled_summaries() -> list[ProtocolSummary]:
    """The bundled protocols' summaries, in file order; unindexed files validated in full."""
    index = bundled_index()
    summaries = []
    for entry in _bundled_files():
        raw = entry.read_bytes()
        known = index.get(_digest(raw))
        summaries.append(known or _validated(raw, f"bundled {entry.name}"))
    return summaries


def library_dir() -> Path:
    """Where `oncotrial trial import` keeps protocols by default."""
    return data_home() / "protocols"


def library_summaries(folder: Path) -> list[ProtocolSummary]:
    """Imported protocols (``folder/*.yaml``), each validated in full.

    They are not indexed: a file in the user's data directory may have been edited by hand,
    and a cache kept beside it would have to know which release validated it.
    """
    if not folder.is_dir():
        return []
    return [_validated(path.read_bytes(), str(path)) for path in sorted(folder.glob("*.yaml"))]


def build_bundled_index() -> dict[str, dict[str, Any]]:
    """The index of the bundled protocols as they are now, each validated in full."""
    index: dict[str, dict[str, Any]] = {}
    for entry in _bundled_files():
        raw = entry.read_bytes()
        index[_digest(raw)] = asdict(_validated(raw, f"bundled {entry.name}"))
    return index


def write_bundled_index(folder: Path) -> Path:
    """Regenerate ``folder/index.json`` (``folder``: the source tree's data/protocols)."""
    target = folder / BUNDLED_INDEX
    text = json.dumps(build_bundled_index(), indent=2, ensure_ascii=False, sort_keys=True)
    target.write_text(text + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":  # pragma: no cover - the maintainer's regeneration command
    print(write_bundled_index(Path(__file__).resolve().parents[1] / "data" / "protocols"))
