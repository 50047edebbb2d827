"""The demo trials' SDTM exports are pinned byte for byte.

Refactoring (the entity catalogue, the application layer, rules that run) must not change what a
trial exports. `sdtm_pin.json` holds the SHA-256 of every CSV domain file that
`oncotrial data export TRIAL --format csv` writes for each demo trial. A deliberate change of the
export (a new variable, a corrected derivation) regenerates it with

    ONCOTRIAL_PIN_UPDATE=1 python3 dev.py test tests/demo/test_sdtm_pin.py

and the commit says why the exports changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from .conftest import DemoRun, run_oncotrial

PIN = Path(__file__).with_name("sdtm_pin.json")
TRIALS = ("000", "001", "NCT07064876", "003", "004")


def _export_hashes(demo_run: DemoRun, out: Path) -> dict[str, dict[str, str]]:
    hashes: dict[str, dict[str, str]] = {}
    for trial in TRIALS:
        folder = out / trial
        result = run_oncotrial(
            "data",
            "export",
            trial,
            "--out",
            str(folder),
            "--db",
            str(demo_run.database),
            env={"ONCOTRIAL_HOME": str(demo_run.home)},
        )
        assert result.code == 0, result.err
        hashes[trial] = {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.glob("*.csv"))
        }
    return hashes


@pytest.mark.slow
def test_demo_sdtm_exports_are_byte_identical_to_the_pinned_ones(
    demo_run: DemoRun, tmp_path: Path
) -> None:
    hashes = _export_hashes(demo_run, tmp_path)
    if os.environ.get("ONCOTRIAL_PIN_UPDATE") == "1":
        PIN.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    pinned = json.loads(PIN.read_text(encoding="utf-8"))
    changed = [
        f"{trial}/{name}"
        for trial in sorted(set(pinned) | set(hashes))
        for name in sorted(set(pinned.get(trial, {})) | set(hashes.get(trial, {})))
        if pinned.get(trial, {}).get(name) != hashes.get(trial, {}).get(name)
    ]
    assert not changed, f"SDTM exports differ from the pinned ones: {', '.join(changed)}"
