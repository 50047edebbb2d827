"""`oncotrial sap show|check|accept` as a reviewer uses them (in-process, real entry point)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml


def test_show_marks_every_value_with_its_source(run_cli) -> None:
    result = run_cli("sap", "show", "002", "--endpoint", "ORR")
    assert result.code == 0, result
    text = " ".join(result.out.split())
    assert "Analysis plan of trial 002, version 1" in text
    assert "endpoints.ORR.hypothesis.null = 0.15 assumed" in text
    assert "NOT YET ACCEPTED" in text
    definition = text.split("endpoints.ORR.definition = ")[1].split("endpoints.ORR.population")[0]
    assert "assumed by oncotrial seed review" in definition  # reviewer wording, not registry
    assert "endpoints.PFS" not in text  # --endpoint shows one endpoint


def test_show_json_and_yaml_are_the_plan(run_cli) -> None:
    as_json = json.loads(run_cli("sap", "show", "004", "--format", "json").out)
    as_yaml = yaml.safe_load(run_cli("sap", "show", "004", "--format", "yaml").out)
    assert as_json["trial_id"] == as_yaml["trial_id"] == "004"
    assert as_json["endpoints"][1]["time_frame_use"]["value"] == "maximum follow-up"


def test_check_lists_open_assumptions_and_departures(run_cli) -> None:
    result = run_cli("sap", "check", "003")
    assert result.code == 0, result
    text = " ".join(result.out.split())
    assert "Conflicts with the registration (not explained by the plan): 0" in text
    assert "endpoints.OS.departures.time-zero" in text
    assert "“from randomization” → counted from the first dose" in text
    assert "endpoints.ORR.hypothesis.null" in text


def test_check_strict_fails_while_anything_is_open(run_cli) -> None:
    result = run_cli("sap", "check", "002", "--strict", "--format", "json")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["open"] == len(
        [f for f in document["findings"] if f["kind"] in {"assumption", "conflict", "protocol"}]
    )


def test_accept_writes_a_new_version_to_the_data_directory(run_cli) -> None:
    home = Path(os.environ["ONCOTRIAL_HOME"])
    result = run_cli(
        "sap",
        "accept",
        "002",
        "endpoints.ORR.hypothesis.null",
        "safety.window_start",
        "--by",
        "J. Xi, principal investigator",
        "--note",
        "SAP v1.0",
    )
    assert result.code == 0, result
    written = home / "plans" / "002.yaml"
    assert written.is_file()
    stored = yaml.safe_load(written.read_text())
    assert stored["version"] == 2
    assert stored["reviews"][0]["by"] == "J. Xi, principal investigator"
    accepted = stored["endpoints"][0]["hypothesis"]["null"]["source"]["accepted"]
    assert accepted["by"] == "J. Xi, principal investigator" and accepted["note"] == "SAP v1.0"
    # the user's reviewed copy is what show and check read from now on
    shown = run_cli("sap", "show", "002", "--endpoint", "ORR")
    assert "version 2" in shown.out
    assert "002.yaml" in shown.out and "bundled" not in shown.out
    checked = json.loads(run_cli("sap", "check", "002", "--format", "json").out)
    paths = {f["path"] for f in checked["findings"] if f["kind"] == "assumption"}
    assert "endpoints.ORR.hypothesis.null" not in paths


def test_accept_all_then_check_strict_passes(run_cli, tmp_path: Path) -> None:
    copy = tmp_path / "004.yaml"
    copy.write_text(run_cli("sap", "show", "004", "--format", "yaml").out)
    result = run_cli("sap", "accept", str(copy), "--all", "--by", "statistician")
    assert result.code == 0, result
    assert "0 assumption(s) still open" in result.out
    final = run_cli("sap", "check", str(copy), "--strict")
    assert final.code == 0, final
    assert "nothing open" in final.out


def test_accept_errors_name_the_path_and_write_nothing(run_cli) -> None:
    home = Path(os.environ["ONCOTRIAL_HOME"])
    result = run_cli("sap", "accept", "003", "endpoints.OS.definition", "--by", "x")
    assert result.code == 1
    assert "endpoints.OS.definition" in result.err and "not an assumption" in result.err
    assert not (home / "plans" / "003.yaml").exists()
    missing = run_cli("sap", "accept", "003", "--by", "x")
    assert missing.code == 2
    unknown = run_cli("sap", "show", "999")
    assert unknown.code == 1 and "no analysis plan for trial '999'" in unknown.err
