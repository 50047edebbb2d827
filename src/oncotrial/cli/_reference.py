"""docs/cli-reference.md, generated from the Click definitions of every command and option.

``python -m oncotrial.cli._reference docs/cli-reference.md`` rewrites it;
``tests/docs/test_cli_reference.py`` fails when the file differs from what this writes, so the
reference cannot drift from the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["command_paths", "render_reference"]

WIDTH = 100  # the help is wrapped at a fixed width, whatever the terminal of whoever generates it


def command_paths() -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command and group, depth first in the order ``--help`` lists them."""
    from oncotrial.cli import cli

    found: list[tuple[tuple[str, ...], click.Command]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        found.append((path, command))
        if isinstance(command, click.Group):
            ctx = click.Context(command, info_name=path[-1] if path else "oncotrial")
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, (*path, name))

    walk(cli, ())
    return found


def _help(path: tuple[str, ...], command: click.Command) -> str:
    from oncotrial.cli import cli

    # The root context as `oncotrial` builds it (-h and --help); the others inherit from it.
    ctx = click.Context(cli, info_name="oncotrial", terminal_width=WIDTH, **cli.context_settings)
    for name in path:
        ctx = click.Context(
            command if name == path[-1] else ctx.command,
            info_name=name,
            parent=ctx,
            terminal_width=WIDTH,
            max_content_width=WIDTH,
        )
    return command.get_help(ctx).rstrip()


def render_reference() -> str:
    paths = command_paths()
    lines = [
        "# Command reference",
        "",
        "Every `oncotrial` command with its options, as `--help` prints them. Generated from the",
        "command definitions by `python -m oncotrial.cli._reference docs/cli-reference.md`;",
        "`tests/docs/test_cli_reference.py` fails when this file is out of date. The guides in",
        "docs/ explain what each command is for.",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for path, command in paths[1:]:
        name = " ".join(("oncotrial", *path))
        anchor = "-".join(("oncotrial", *path))
        summary = command.get_short_help_str(200).replace("|", "\\|")
        lines.append(f"| [`{name}`](#{anchor}) | {summary} |")
    for path, command in paths:
        lines += ["", f"## {' '.join(('oncotrial', *path))}", "", "```text"]
        lines += _help(path, command).splitlines()
        lines.append("```")
    return "\n".join(line.rstrip() for line in lines) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/cli-reference.md")
    target.write_text(render_reference(), encoding="utf-8")
    print(f"wrote {target}")
