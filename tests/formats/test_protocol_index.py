"""The shipped index of the bundled protocols' summaries is what validating them gives.

`oncotrial trial list` reads the summaries of the bundled protocols from
``oncotrial/data/protocols/index.json`` instead of validating every YAML file at each start
(issue 11). The index is only a shortcut: each entry is keyed by the SHA-256 of the file it
summarises, so an edited file is validated in full, and this test fails while the shipped index
is stale.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oncotrial.errors import ValueProblem
from oncotrial.formats import protocol_index
from oncotrial.formats.protocol_files import bundled_protocols, dump_protocol_yaml
from oncotrial.formats.protocol_index import (
    ProtocolSummary,
    build_bundled_index,
    bundled_index,
    bundled_summaries,
    library_summaries,
    summarise,
)


def test_the_shipped_index_is_the_bundled_protocols_validated_now() -> None:
    shipped = {digest: summary.__dict__ for digest, summary in bundled_index().items()}
    fresh = {
        digest: ProtocolSummary.from_json(row).__dict__
        for digest, row in build_bundled_index().items()
    }
    assert shipped == fresh, (
        "src/oncotrial/data/protocols/index.json is stale: regenerate it with "
        "`python -m oncotrial.formats.protocol_index` and commit it"
    )
    assert len(shipped) == len(bundled_protocols()) == 5


def test_the_summaries_equal_those_of_the_validated_protocols() -> None:
    assert bundled_summaries() == [summarise(p) for p in bundled_protocols()]


def test_a_file_the_index_does_not_vouch_for_is_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An index entry under another file's hash must not be used: a stand-in summary keyed by a
    # hash no bundled file has changes nothing, and with no index at all the summaries are the
    # validated protocols' own.
    bogus = ProtocolSummary("X", "not a protocol", (), None, None, 0, 0)
    monkeypatch.setattr(protocol_index, "bundled_index", lambda: {"0" * 64: bogus})
    assert bundled_summaries() == [summarise(p) for p in bundled_protocols()]


def test_the_index_is_used_for_a_file_it_vouches_for(monkeypatch: pytest.MonkeyPatch) -> None:
    # The converse, so that the test above could fail: the entries found are the ones shown.
    index = bundled_index()
    marked = {
        digest: ProtocolSummary(**{**summary.__dict__, "title": f"indexed {summary.trial_id}"})
        for digest, summary in index.items()
    }
    monkeypatch.setattr(protocol_index, "bundled_index", lambda: marked)
    assert {s.title for s in bundled_summaries()} == {
        f"indexed {s.trial_id}" for s in index.values()
    }


def test_imported_protocols_are_validated_every_time(tmp_path: Path) -> None:
    (protocol,) = [p for p in bundled_protocols() if p.identity.local_id == "001"]
    good = tmp_path / "001.yaml"
    good.write_text(dump_protocol_yaml(protocol), encoding="utf-8")
    assert library_summaries(tmp_path) == [summarise(protocol)]
    data = yaml.safe_load(good.read_text("utf-8"))
    data["arms"] = 7  # a hand edit the model refuses: arms is a list of arm groups
    good.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueProblem) as raised:
        library_summaries(tmp_path)
    assert raised.value.file == str(good)


def test_no_library_folder_lists_nothing(tmp_path: Path) -> None:
    assert library_summaries(tmp_path / "absent") == []
