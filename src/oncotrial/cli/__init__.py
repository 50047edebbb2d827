"""The `oncotrial` command line: a thin shell over the library.

Each command group lives in its own module and is loaded only when used, so that `oncotrial
--help` stays fast and one broken optional dependency cannot take every command down.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from oncotrial import __version__
from oncotrial.cli._output import print_error
from oncotrial.errors import OncotrialError

__all__ = ["cli", "main"]

# name -> "module:attribute"; keep one entry per line, sorted, so that additions merge cleanly.
COMMANDS: dict[str, str] = {
    "data": "oncotrial.cli.data:data",
    "db": "oncotrial.cli.db:db",
    "demo": "oncotrial.cli.demo:demo",
    "design": "oncotrial.cli.design:design",
    "eligibility": "oncotrial.cli.eligibility:eligibility",
    "endpoints": "oncotrial.cli.endpoints:endpoints",
    "history": "oncotrial.cli.history:history",
    "report": "oncotrial.cli.report:report",
    "response": "oncotrial.cli.response:response",
    "sap": "oncotrial.cli.sap:sap",
    "screen": "oncotrial.cli.screen:screen",
    "serve": "oncotrial.cli.serve:serve",
    "simulate": "oncotrial.cli.simulate:simulate",
    "stats": "oncotrial.cli.stats:stats",
    "template": "oncotrial.cli.template:template",
    "trial": "oncotrial.cli.trial:trial",
}

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module_name, attribute = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="oncotrial")
def cli() -> None:
    """oncotrial — the data side of phase II oncology trials.

    Import a registry record, screen patients, derive RECIST responses and endpoints, analyse
    survival and write the trial report.

    \b
    Example:
      oncotrial trial show NCT07064876
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point: exit 0 on success, 1 on a domain error, 2 on a usage error."""
    try:
        code = cli.main(args=argv, prog_name="oncotrial", standalone_mode=False)
    except click.exceptions.Abort:
        print_error("aborted")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OncotrialError as exc:
        print_error(exc.report())
        sys.exit(1)
    except KeyboardInterrupt:
        print_error("interrupted")
        sys.exit(130)
    except Exception as exc:  # a defect of ours: say so plainly, keep the traceback for debugging
        if os.environ.get("ONCOTRIAL_DEBUG"):
            raise
        print_error(
            f"internal error ({type(exc).__name__}: {exc}). This is a bug in oncotrial; "
            "run again with ONCOTRIAL_DEBUG=1 for the traceback and report it."
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
