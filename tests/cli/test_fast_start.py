"""The light commands start at once: no pandas, scipy, Django, matplotlib or statsmodels.

Each command runs in a fresh interpreter, as a user starts it (the modules a test process has
already imported would hide a heavy import), with an empty data directory. The CPU time is
measured by `bench/cli_start_bench.py`, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from oncotrial.cli import COMMANDS, SUMMARIES, cli

HEAVY = ("pandas", "scipy", "django", "matplotlib", "statsmodels", "pint", "numpy")

_PROBE = """
import sys
from oncotrial.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("LOADED", code, ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["trial", "list"], ["trial", "show", "NCT07064876"]],
    ids=" ".join,
)
def test_light_commands_import_no_heavy_library(argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "ONCOTRIAL_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    line = result.stderr.strip().splitlines()[-1]
    _, code, loaded = line.split(" ", 2) if line.count(" ") >= 2 else (*line.split(" "), "")
    assert code in {"0", "None"}, result.stderr
    assert loaded == "", f"`oncotrial {' '.join(argv)}` imported {loaded}"


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    # The same probe on a command that needs pandas must report it, or the test above proves
    # nothing.
    env = {**os.environ, "ONCOTRIAL_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), "response", "rules"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "pandas" in result.stderr.strip().splitlines()[-1]


def test_the_summaries_are_the_commands_own_help() -> None:
    ctx = click.Context(cli)
    assert set(SUMMARIES) <= set(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.help
        assert name in SUMMARIES, f"add {name!r} to SUMMARIES in oncotrial/cli/__init__.py"
        for limit in (40, 80, 1000):
            stand_in = click.Command(name, help=SUMMARIES[name])
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), (
                f"SUMMARIES[{name!r}] in oncotrial/cli/__init__.py is not the first paragraph "
                "of the command's help: copy it there"
            )


def test_trial_list_does_not_build_the_protocol_model(tmp_path: Path) -> None:
    # `trial list` reads the bundled protocols' validated summaries (formats/protocol_index.py);
    # building the pydantic protocol model would cost it about 0.25 s of CPU (issue 11).
    probe = _PROBE.replace("{heavy!r}", "('oncotrial.protocol.model', 'pydantic', 'yaml')")
    env = {**os.environ, "ONCOTRIAL_HOME": str(tmp_path)}

    def loaded() -> str:
        argv = [sys.executable, "-c", probe, "trial", "list"]
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        return str(result.stderr.strip().splitlines()[-1])

    assert loaded() == "LOADED 0"
    # With an imported protocol in the data directory, the model is built to validate it.
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "x.yaml").write_text("schema_version: 1\n", encoding="utf-8")
    assert "oncotrial.protocol.model" in loaded()
