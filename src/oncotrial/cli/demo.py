"""`oncotrial demo`: the main job on the bundled example trials."""

from __future__ import annotations

import click

from oncotrial.cli._output import console
from oncotrial.cli.trial import render_trial_page
from oncotrial.formats.protocol_files import bundled_protocols
from oncotrial.protocol.page import build_trial_page

__all__ = ["demo"]


@click.command()
def demo() -> None:
    """Run the main job on the five bundled seed trials.

    For now it loads the five reviewed seed protocols and prints their trial pages; later
    capabilities extend it to simulate each trial, derive responses and endpoints and write
    each trial's report.

    \b
    Example:
      oncotrial demo
    """
    protocols = bundled_protocols()
    for protocol in protocols:
        render_trial_page(build_trial_page(protocol))
        console.print()
    console.print(f"[bold green]{len(protocols)} bundled trials loaded.[/]")
