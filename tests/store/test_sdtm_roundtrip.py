"""SDTM in and out of the database, exactly: the pharmaverse example data and simulated trials.

"Exactly" means: the same columns in the same order, the same records in SDTM key order, and the
same values as text (numbers in their canonical form, which is how R wrote the pharmaverse files).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.errors import ValueProblem
from oncotrial.formats.sdtm import read_domain, read_sdtm_folder, write_sdtm_folder
from oncotrial.formats.sdtm_spec import to_text_frame

RECIST_SET = {
    "dm": "dm.csv",
    "tu": "tu_onco_recist.csv",
    "tr": "tr_onco_recist.csv",
    "rs": "rs_onco_recist.csv",
}
ONCO_SET = {"dm": "dm.csv", "tu": "tu_onco.csv", "rs": "rs_onco.csv"}


def assert_same(expected: dict[str, pd.DataFrame], actual: dict[str, pd.DataFrame]) -> None:
    assert sorted(expected) == sorted(actual)
    for domain, frame in expected.items():
        left = to_text_frame(frame.reset_index(drop=True), domain)
        right = to_text_frame(actual[domain].reset_index(drop=True), domain)
        assert list(left.columns) == list(right.columns), domain
        assert left.shape == right.shape, domain
        mismatch = left.fillna("<NA>").ne(right.fillna("<NA>"))
        if mismatch.to_numpy().any():
            row, column = next(zip(*mismatch.to_numpy().nonzero(), strict=True))
            pytest.fail(
                f"{domain} row {row} {left.columns[column]}: {left.iat[row, column]!r} != "
                f"{right.iat[row, column]!r}"
            )


@pytest.mark.parametrize(("name", "files"), [("recist", RECIST_SET), ("onco", ONCO_SET)])
def test_pharmaverse_sdtm_imports_and_exports_unchanged(store, pharmaverse, name, files) -> None:
    from oncotrial.store.sdtm_export import export_sdtm
    from oncotrial.store.sdtm_import import import_sdtm

    folder = pharmaverse(name, files)
    frames = read_sdtm_folder(folder, [d.upper() for d in files])
    result = import_sdtm(frames, user="tester")
    assert result.trial_id == "CDISCPILOT01"
    assert result.inserted == {d: len(f) for d, f in frames.items()}
    assert_same(frames, export_sdtm("CDISCPILOT01"))


def test_export_writes_files_that_read_back_the_same(store, pharmaverse, tmp_path: Path) -> None:
    from oncotrial.store.sdtm_export import export_sdtm
    from oncotrial.store.sdtm_import import import_sdtm

    frames = read_sdtm_folder(pharmaverse("recist", RECIST_SET), ["DM", "TU", "TR", "RS"])
    import_sdtm(frames, user="tester")
    exported = export_sdtm("CDISCPILOT01")
    for fmt in ("csv", "json"):
        folder = tmp_path / f"out-{fmt}"
        write_sdtm_folder(exported, folder, fmt=fmt, study_oid="CDISCPILOT01", created="2025-01-01")
        assert_same(frames, read_sdtm_folder(folder, ["DM", "TU", "TR", "RS"]))


def test_dataset_json_carries_numeric_types_and_labels(tmp_path: Path, shared: Path) -> None:
    import json

    frame = read_domain(shared / "oracles/pharmaverse/sdtm/tr_onco_recist.csv")
    path = tmp_path / "tr.json"
    write_sdtm_folder({"TR": frame}, tmp_path, fmt="json", study_oid="S", created="2025-01-01")
    document = json.loads(path.read_text())
    columns = {c["name"]: c for c in document["columns"]}
    assert columns["TRSTRESN"]["dataType"] == "double"
    assert columns["TRSEQ"]["dataType"] == "integer"
    assert columns["TRORRES"]["dataType"] == "string"
    assert columns["TRLNKID"]["label"] == "Link ID"
    assert document["rows"][0][list(columns).index("TRSTRESN")] == 21


def test_the_irecist_example_is_rejected_for_its_duplicate_sequence_number(
    store, pharmaverse, shared: Path
) -> None:
    """rs_onco_irecist.csv gives RSSEQ 9 twice to 01-701-1146: a record key must be unique."""
    from oncotrial.store import models
    from oncotrial.store.sdtm_import import import_sdtm
    from oncotrial.store.validation import Source

    frames = read_sdtm_folder(pharmaverse("dm", {"dm": "dm.csv"}), ["DM"])
    import_sdtm(frames, user="tester")
    path = shared / "oracles/pharmaverse/sdtm/rs_onco_irecist.csv"
    with pytest.raises(ValueProblem) as caught:
        import_sdtm({"RS": read_domain(path)}, user="tester", sources={"RS": Source(path.name)})
    problems = caught.value.problems
    assert [(p.record, p.field, p.value) for p in problems] == [("row 108", "RSSEQ", "9")]
    assert "duplicates the RSSEQ of row 106" in problems[0].message
    assert not models.Response.objects.exists()  # nothing was written


def test_a_simulated_trial_round_trips_exactly(store, ctcae) -> None:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.simulate import simulate_trial
    from oncotrial.store.sdtm_export import export_sdtm
    from oncotrial.store.trials import store_simulation, trial_protocol

    protocol = find_protocol("NCT07064876")
    result = simulate_trial(protocol, 25, 5, ctcae=ctcae)
    stored = store_simulation(result, user="tester", ctcae=ctcae)
    assert stored.total_inserted == sum(len(f) for f in result.frames.values())
    assert_same(result.frames, export_sdtm(result.studyid))
    assert trial_protocol(result.studyid) == protocol


def test_update_mode_changes_only_what_differs_and_needs_a_reason(store, pharmaverse) -> None:
    from oncotrial.store import models
    from oncotrial.store.sdtm_export import export_sdtm
    from oncotrial.store.sdtm_import import import_sdtm

    frames = read_sdtm_folder(pharmaverse("recist", RECIST_SET), ["DM", "TU", "TR", "RS"])
    import_sdtm(frames, user="tester")
    changed = frames["TR"].copy()
    changed.loc[0, ["TRORRES", "TRSTRESC", "TRSTRESN"]] = ["22", "22", "22"]
    with pytest.raises(ValueProblem, match="needs a reason"):
        import_sdtm({"TR": changed}, user="tester", mode="update")
    result = import_sdtm(
        {"TR": changed}, user="monitor", mode="update", reason="source data verification"
    )
    assert result.updated == {"TR": 1}
    assert result.unchanged == {"TR": len(changed) - 1}
    assert export_sdtm("CDISCPILOT01", domains=["TR"])["TR"].loc[0, "TRORRES"] == "22"
    history = models.Measurement.history.filter(history_type="~").get()
    assert history.history_change_reason == "source data verification"
    assert history.history_user.username == "monitor"
    with pytest.raises(ValueProblem) as caught:
        import_sdtm({"TR": changed}, user="tester")
    assert len(caught.value.problems) == len(changed)
    assert "already in the database" in caught.value.problems[0].message
