"""`oncotrial trial import|show|list` from the user's side: output, exit codes, no partial writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from oncotrial.formats.protocol_files import load_protocol_yaml


def test_import_writes_yaml_and_show_reads_it(run_cli, shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "protocols"
    result = run_cli(
        "trial", "import", str(shared / "seeds/002_11ecc4cabfc7ed5e.txt"), "--out", str(out)
    )
    assert result.code == 0, result
    assert "imported NCT07064876" in result.out
    written = out / "NCT07064876.yaml"
    protocol = load_protocol_yaml(written.read_text(encoding="utf-8"), str(written))
    assert protocol.enrollment is not None and protocol.enrollment.count == 25

    page = run_cli("trial", "show", str(written))
    assert page.code == 0, page
    order = [
        "Basic Information",
        "Brief Summary",
        "Conditions",
        "Study Design",
        "Study Groups",
        "Interventions",
        "Outcome Measures",
        "Eligibility Criteria",
        "Sponsors",
        "Locations",
        "Other Identifiers",
        "More Related Trials",
    ]
    positions = [page.out.index(title) for title in order]
    assert positions == sorted(positions)
    assert "300 mg, IV, every 21 days, max 6 cycles" in page.out
    assert "KY2025098" in page.out


def test_import_into_library_then_list_and_show_by_id(run_cli, shared: Path) -> None:
    result = run_cli("trial", "import", str(shared / "reference/ctgov/NCT04267848.json"))
    assert result.code == 0, result
    listing = run_cli("trial", "list", "--format", "json")
    rows = {row["trial_id"]: row for row in json.loads(listing.out)}
    assert rows["NCT04267848"]["source"] == "imported"
    assert rows["NCT07064876"]["source"] == "bundled"
    assert {"000", "001", "003", "004"} <= set(rows)
    shown = run_cli("trial", "show", "NCT04267848", "--format", "json")
    assert json.loads(shown.out)["identity"]["nct_id"] == "NCT04267848"
    assert len(json.loads(shown.out)["locations"]) == 1148


def test_show_bundled_seed_by_local_id(run_cli) -> None:
    result = run_cli("trial", "show", "001")
    assert result.code == 0, result
    assert "Maintenance therapy + radiotherapy" in result.out
    assert "[reviewer]" in result.out  # person-added fields are marked on the page


def test_bad_input_exits_1_and_writes_nothing(run_cli, shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "trial", "import", str(shared / "reference/ctgov/NCT04780763.json"), "--out", str(out)
    )
    assert result.code == 1
    assert "FullStudiesResponse" in result.err and "Traceback" not in result.err
    assert not out.exists()

    truncated = tmp_path / "truncated.json"
    text = (shared / "reference/ctgov/NCT04267848.json").read_text(encoding="utf-8")
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    result = run_cli("trial", "import", str(truncated), "--out", str(out))
    assert result.code == 1 and "truncated" in result.err
    assert not out.exists()


def test_all_or_nothing_for_a_page_with_one_bad_study(
    run_cli, shared: Path, tmp_path: Path
) -> None:
    good = json.loads((shared / "reference/ctgov/NCT00763412.json").read_text(encoding="utf-8"))
    bad = json.loads((shared / "reference/ctgov/NCT02210780.json").read_text(encoding="utf-8"))
    bad["protocolSection"]["designModule"]["phases"] = ["PHASE9"]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": [good, bad]}), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("trial", "import", str(page), "--out", str(out))
    assert result.code == 1
    assert "NCT02210780" in result.err and "phases" in result.err and "PHASE9" in result.err
    assert not out.exists()


def test_usage_errors_exit_2(run_cli, tmp_path: Path) -> None:
    assert run_cli("trial", "show").code == 2
    assert run_cli("trial", "show", "000", "--format", "pdf").code == 2


def test_unknown_trial_id(run_cli) -> None:
    result = run_cli("trial", "show", "NCT99999999")
    assert result.code == 1
    assert "oncotrial trial list" in result.err


def test_yaml_round_trip_through_cli(run_cli, tmp_path: Path) -> None:
    yaml_text = run_cli("trial", "show", "000", "--format", "yaml").out
    path = tmp_path / "000.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    out = tmp_path / "again"
    assert run_cli("trial", "import", str(path), "--out", str(out)).code == 0
    assert (out / "000.yaml").read_text(encoding="utf-8") == yaml_text
    shutil.rmtree(out)
