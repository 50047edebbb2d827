"""docs/cli-reference.md is generated from the command definitions and must be up to date."""

from __future__ import annotations

from pathlib import Path

from oncotrial.cli._reference import command_paths, render_reference

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "cli-reference.md"


def test_reference_is_up_to_date() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_reference(), (
        "docs/cli-reference.md is out of date: run "
        "`PYTHONPATH=src python -m oncotrial.cli._reference docs/cli-reference.md`"
    )


def test_reference_lists_every_command_and_option() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for path, command in command_paths():
        assert f"\n## {' '.join(('oncotrial', *path))}\n" in text
        for parameter in command.params:
            for name in parameter.opts:
                if name.startswith("-"):
                    assert name in text, f"{name} of oncotrial {' '.join(path)} not listed"
