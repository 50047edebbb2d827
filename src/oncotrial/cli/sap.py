"""`oncotrial sap`: show, check and accept a trial's statistical analysis plan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from oncotrial.cli._output import console
from oncotrial.cli._render import emit
from oncotrial.errors import ValueProblem
from oncotrial.formats.plan_files import (
    PlanFile,
    dump_plan_yaml,
    find_plan,
    plan_library_dir,
    write_plan_yaml,
)
from oncotrial.plan.model import AnalysisPlan, Departure
from oncotrial.plan.provenance import Assumed, Derived, FromRegistry
from oncotrial.plan.review import Reviewable, accept, pending, sourced_values

if TYPE_CHECKING:
    from oncotrial.plan.check import PlanCheck

__all__ = ["sap"]


@click.group(name="sap")
def sap() -> None:
    """The statistical analysis plan: every value with its source, and its review.

    \b
    Example:
      oncotrial sap show 002
      oncotrial sap check 004
      oncotrial sap accept 002 endpoints.ORR.hypothesis.null --by "J. Xi"
    """


def _source(item: Reviewable) -> str:
    source = item.source
    if isinstance(source, FromRegistry):
        return f"registry, {source.where}: “{source.quote}”"
    if isinstance(source, Derived):
        read = f" — from “{source.quote}” ({source.where})" if source.quote else ""
        return f"derived: {source.rule}{read}"
    state = (
        f"accepted by {source.accepted.by} on {source.accepted.at.date().isoformat()}"
        if source.accepted
        else "NOT YET ACCEPTED"
    )
    return f"assumed by {source.by} ({state}): {source.why}"


def _value(item: Reviewable) -> str:
    if isinstance(item, Departure):
        return f"registration says “{item.registration}” ({item.where}); the plan: {item.analysis}"
    value = item.value
    if hasattr(value, "kind") and hasattr(value, "model_dump"):
        fields = value.model_dump(mode="json", exclude_none=True)
        return ", ".join(f"{k} {v}" for k, v in fields.items())
    if hasattr(value, "value") and isinstance(value.value, str):
        return str(value.value)
    return str(value)


def _render_plan(out: Console, loaded: PlanFile, endpoint: str | None) -> None:
    plan = loaded.plan
    out.print(
        f"[bold]Analysis plan of trial {escape(plan.trial_id)}[/], version {plan.version} "
        f"({escape(loaded.location)}); registration {escape(plan.registration)}"
    )
    open_count = len(pending(plan))
    out.print(f"{open_count} assumption(s) not yet accepted — `oncotrial sap check` lists them\n")
    current = None
    for path, item in sourced_values(plan):
        if endpoint and not path.startswith(f"endpoints.{endpoint}."):
            continue
        section = path.split(".")[0] if not path.startswith("endpoints.") else path.split(".")[1]
        if section != current:
            current = section
            title = (
                f"Endpoint {section} — {plan.endpoint(section).title}"
                if path.startswith("endpoints.")
                else section.replace("_", " ").capitalize()
            )
            out.rule(f"[bold cyan]{escape(title)}[/]", align="left")
        tag = (
            "[red]assumed[/]"
            if isinstance(item.source, Assumed) and item.source.accepted is None
            else f"[green]{item.source.kind.value}[/]"
        )
        out.print(f"[bold]{escape(path)}[/] = {escape(_value(item))}  {tag}")
        out.print(f"    [dim]{escape(_source(item))}[/]")
    for review in plan.reviews:
        out.print(
            f"[dim]version {review.version}: {len(review.accepted)} accepted by "
            f"{escape(review.by)} on {review.at.isoformat(timespec='seconds')}[/]"
        )


@sap.command("show")
@click.argument("trial")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "yaml"]),
    default="text",
    show_default=True,
)
@click.option("--endpoint", help="Show one endpoint only (its id, e.g. PFS).")
def show(trial: str, fmt: str, endpoint: str | None) -> None:
    """Show a trial's analysis plan: each value, and where it came from.

    TRIAL is a trial id (your reviewed copy in the data directory first, then the bundled plan)
    or a plan file. Each value is marked registry (quoted), derived (the rule) or assumed (who,
    why, and whether a reviewer accepted it).

    \b
    Example:
      oncotrial sap show 000
      oncotrial sap show 001 --endpoint PFS
      oncotrial sap show 002 --format json
    """
    loaded = find_plan(trial)
    if endpoint is not None and endpoint not in {e.id for e in loaded.plan.endpoints}:
        _unknown_endpoint(loaded.plan, endpoint)
    if fmt == "yaml":
        click.echo(dump_plan_yaml(loaded.plan), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps(loaded.plan.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    _render_plan(console, loaded, endpoint)


def _unknown_endpoint(plan: AnalysisPlan, endpoint: str) -> None:
    raise ValueProblem(
        f"the plan of trial {plan.trial_id} has no endpoint {endpoint!r}",
        field="--endpoint",
        hint=f"Its endpoints are {', '.join(e.id for e in plan.endpoints)}.",
    )


def _check_document(result: PlanCheck) -> dict[str, Any]:
    return {
        "trial_id": result.trial_id,
        "version": result.version,
        "open": len(result.open),
        "findings": [
            {"kind": f.kind.name.lower(), "path": f.path, "message": f.message, "rule": f.rule}
            for f in result.findings
        ],
    }


def _render_check(out: Console, result: PlanCheck) -> None:
    from oncotrial.plan.check import FindingKind

    out.print(
        f"[bold]Analysis plan of trial {escape(result.trial_id)}[/], version {result.version}"
    )
    sections: tuple[tuple[FindingKind, str], ...] = (
        (FindingKind.CONFLICT, "Conflicts with the registration (not explained by the plan)"),
        (FindingKind.PROTOCOL, "Differences from the protocol's analysis settings"),
        (FindingKind.ASSUMPTION, "Assumptions a reviewer has not accepted"),
        (FindingKind.DEPARTURE, "Departures from the registration's wording (explained)"),
    )
    for kind, title in sections:
        found = result.of(kind)
        out.rule(f"[bold]{title}: {len(found)}[/]", align="left")
        for finding in found:
            rule = f" [dim]({finding.rule})[/]" if finding.rule else ""
            out.print(f"[bold]{escape(finding.path)}[/]{rule}\n    {escape(finding.message)}")
    verdict = (
        "nothing open: every assumption is accepted and no conflict is left"
        if not result.open
        else f"{len(result.open)} item(s) open"
    )
    out.print(f"\n[bold]{verdict}[/]")


@sap.command("check")
@click.argument("trial")
@click.option("--protocol", "protocol_ref", help="Protocol id or file (default: the plan's trial).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--strict", is_flag=True, help="Exit with status 1 while anything is open.")
def check(trial: str, protocol_ref: str | None, fmt: str, strict: bool) -> None:
    """List what a reviewer still has to look at in a trial's analysis plan.

    Every assumption not yet accepted; every conflict with the registration the plan does not
    explain (a quote the registration does not contain, a time zero or time frame other than
    the registered one, a registered outcome left out, a safety window that ignores a
    procedure); every difference from the protocol's analysis settings; and the departures the
    plan explains. With --strict the exit status is 1 while anything is open.

    \b
    Example:
      oncotrial sap check 004
      oncotrial sap check 002 --format json --strict
    """
    # the protocol readers are heavy: loaded only by the command that needs them
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.plan.check import check_plan

    loaded = find_plan(trial)
    protocol = find_protocol(protocol_ref or loaded.plan.trial_id)
    result = check_plan(loaded.plan, protocol)
    emit(lambda out: _render_check(out, result), _check_document(result), fmt, None)
    if strict and result.open:
        raise SystemExit(1)


@sap.command("accept")
@click.argument("trial")
@click.argument("paths", nargs=-1)
@click.option("--by", "reviewer", required=True, help="Who accepts (name, role).")
@click.option("--note", help="A note kept with the acceptance.")
@click.option("--all", "accept_all", is_flag=True, help="Accept every open assumption.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the new version here (default: your copy in the data directory, or the plan "
    "file given as TRIAL).",
)
def accept_(
    trial: str,
    paths: tuple[str, ...],
    reviewer: str,
    note: str | None,
    accept_all: bool,
    out: Path | None,
) -> None:
    """Record a reviewer's acceptance of assumptions; the plan gets a new version.

    PATHS name values as `oncotrial sap check` lists them (endpoints.PFS.time_zero,
    endpoints.OS.departures.time-zero). The acceptance records who and when; the bundled plans
    are never changed: the reviewed version is written to your data directory (or --out).

    \b
    Example:
      oncotrial sap accept 002 endpoints.ORR.hypothesis.null endpoints.ORR.hypothesis.alternative \\
          --by "J. Xi, principal investigator"
      oncotrial sap accept 004 --all --by "trial statistician" --note "SAP v1.0 signed"
    """
    loaded = find_plan(trial)
    wanted = [path for path, _ in pending(loaded.plan)] if accept_all else list(paths)
    if accept_all and paths:
        raise click.UsageError("give paths or --all, not both")
    if not wanted:
        raise click.UsageError(
            "nothing to accept: name the assumptions (paths from `oncotrial sap check`)"
            if not accept_all
            else "nothing to accept: every assumption is already accepted"
        )
    now = datetime.now(UTC).replace(microsecond=0)  # the CLI reads the clock, the core never does
    reviewed = accept(loaded.plan, wanted, by=reviewer, at=now, note=note)
    target = out or (
        plan_library_dir() / f"{reviewed.trial_id}.yaml"
        if loaded.bundled
        else Path(loaded.location)
    )
    written = write_plan_yaml(reviewed, target)
    console.print(
        f"[green]accepted[/] {len(wanted)} assumption(s) of trial {escape(reviewed.trial_id)} "
        f"by {escape(reviewer)}; version {reviewed.version} → {escape(str(written))}"
    )
    left = len(pending(reviewed))
    console.print(f"{left} assumption(s) still open")
