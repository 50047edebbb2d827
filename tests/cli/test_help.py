"""Every command answers -h/--help with an example, and usage errors exit with code 2."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from oncotrial.cli import COMMANDS, cli


def _walk(command: click.Command, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    paths = [path]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} {name} cannot be loaded"
            paths += _walk(sub, (*path, name))
    return paths


ALL_COMMANDS = _walk(cli, ())


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "oncotrial")
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    for flag in ("-h", "--help"):
        result = CliRunner().invoke(cli, [*path, flag])
        assert result.exit_code == 0, result.output
        assert "Example" in result.output, f"`oncotrial {' '.join(path)} --help` lacks an example"


def test_every_registered_command_loads() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        assert cli.get_command(ctx, name) is not None


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
