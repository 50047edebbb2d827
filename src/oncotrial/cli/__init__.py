"""The `oncotrial` command line: a thin shell over the library.

Each command group lives in its own module and is loaded only when used (a Click lazy group), so
that `oncotrial --help`, `--version`, `trial list` and `trial show` start without pandas, scipy,
Django or matplotlib, and one broken optional dependency cannot take every command down. The
top-level help lists each group from ``SUMMARIES`` (the first paragraph of its help, checked
against the command itself by ``tests/cli/test_help.py``) instead of importing every module.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

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
    "prescreen": "oncotrial.cli.prescreen:prescreen",
    "redcap": "oncotrial.cli.redcap:redcap",
    "report": "oncotrial.cli.report:report",
    "response": "oncotrial.cli.response:response",
    "results": "oncotrial.cli.results:results",
    "sap": "oncotrial.cli.sap:sap",
    "screen": "oncotrial.cli.screen:screen",
    "serve": "oncotrial.cli.serve:serve",
    "simulate": "oncotrial.cli.simulate:simulate",
    "stats": "oncotrial.cli.stats:stats",
    "template": "oncotrial.cli.template:template",
    "trial": "oncotrial.cli.trial:trial",
}

# name -> the first paragraph of the group's help, shown by `oncotrial --help` without importing
# the group (a test checks it equals the command's own). A group missing here is imported.
SUMMARIES: dict[str, str] = {
    "data": "Trial data in and out of the database: SDTM (CSV, Dataset-JSON) and CSV/Excel "
    "templates.",
    "db": "The trial database: SQLite by default, PostgreSQL with DATABASE_URL.",
    "demo": "Run the main job on the five bundled seed trials, end to end.",
    "design": "Trial design: Simon two-stage (single arm) and events for a hazard ratio.",
    "eligibility": "Computable eligibility: propose rules from criteria text, coverage, the rules "
    "in force.",
    "endpoints": "Endpoints: time-to-event derivations (ADTTE) with declared censoring rules.",
    "history": "Show who created, changed or deleted a record, when, why, and the old and new "
    "values.",
    "prescreen": "Prescreen an OMOP CDM warehouse for a trial: who might be eligible, and why not.",
    "redcap": "REDCap: a trial's data dictionary and records for REDCap, and REDCap records "
    "imported.",
    "report": "Write a trial's report: every registered endpoint, computed as the registration "
    "defines it.",
    "response": "Tumour response: lesion measurements or recorded responses to best overall "
    "response.",
    "results": "Write a trial's ClinicalTrials.gov results section from its data, with checks.",
    "sap": "The statistical analysis plan: every value with its source, and its review.",
    "screen": "Screen patients against a protocol's eligibility criteria.",
    "serve": "Run the web application for a trial team.",
    "simulate": "Simulate a complete, realistic trial for a protocol: patients, scans, treatment, "
    "safety.",
    "stats": "Survival statistics and exact tests of a proportion.",
    "template": "Write a blank template for ENTITY, or describe its fields.",
    "trial": "Trial protocols: import registry records, show trial pages, list trials.",
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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, as Click writes it, from ``SUMMARIES`` where a group has one."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in SUMMARIES:
                # A stand-in command shortens the text exactly as the real one would.
                stand_in = click.Command(name, help=SUMMARIES[name])
                rows.append((name, stand_in.get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # click.version_option would need the version when the command is built; reading it costs
    # an importlib.metadata import, so it is read only when asked for.
    if not value or ctx.resilient_parsing:
        return
    from oncotrial import __version__

    click.echo(f"oncotrial, version {__version__}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
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
