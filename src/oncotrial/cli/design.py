"""`oncotrial design`: Simon two-stage designs and Schoenfeld event counts."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from oncotrial.cli._render import emit
from oncotrial.stats.sample_size import EventsRequirement, parse_ratio, schoenfeld_events
from oncotrial.stats.simon import SimonDecision, SimonDesigns, simon_decision, simon_designs

__all__ = ["design"]


@click.group(name="design")
def design() -> None:
    """Trial design: Simon two-stage (single arm) and events for a hazard ratio.

    \b
    Example:
      oncotrial design simon --p0 0.2 --p1 0.4 --alpha 0.1 --beta 0.1
    """


@design.command(name="simon")
@click.option("--p0", type=float, required=True, help="Response rate not worth pursuing (H0).")
@click.option("--p1", type=float, required=True, help="Response rate worth detecting (H1).")
@click.option("--alpha", type=float, required=True, help="One-sided type I error.")
@click.option("--beta", type=float, required=True, help="Type II error (power = 1 − beta).")
@click.option("--nmax", type=int, default=100, show_default=True, help="Largest total n.")
@click.option(
    "--responses", type=int, help="Responses so far: also print the decision for a running trial."
)
@click.option("--evaluated", type=int, help="Patients evaluated so far (with --responses).")
@click.option(
    "--use",
    type=click.Choice(["optimal", "minimax"]),
    default="optimal",
    show_default=True,
    help="Which design the running trial follows.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
def simon(
    p0: float,
    p1: float,
    alpha: float,
    beta: float,
    nmax: int,
    responses: int | None,
    evaluated: int | None,
    use: str,
    fmt: str,
    out: Path | None,
) -> None:
    """Simon's optimal and minimax two-stage designs (r1/n1, r/n, EN0, PET0, α, power).

    Stop after stage 1 if at most r1 of n1 respond; the treatment is promising if more than r
    of n respond. With --responses and --evaluated, the decision for a running trial.

    \b
    Example:
      oncotrial design simon --p0 0.2 --p1 0.4 --alpha 0.1 --beta 0.1
      oncotrial design simon --p0 0.05 --p1 0.25 --alpha 0.05 --beta 0.2 \\
          --responses 0 --evaluated 9
    """
    if (responses is None) != (evaluated is None):
        raise click.UsageError("--responses and --evaluated go together")
    designs = simon_designs(p0, p1, alpha, beta, nmax=nmax)
    decision = None
    if responses is not None and evaluated is not None:
        chosen = designs.optimal if use == "optimal" else designs.minimax
        decision = simon_decision(chosen, responses, evaluated)
    document: dict[str, object] = {
        "p0": p0,
        "p1": p1,
        "alpha": alpha,
        "beta": beta,
        "nmax": nmax,
        "feasible_designs": designs.feasible,
        "optimal": asdict(designs.optimal),
        "minimax": asdict(designs.minimax),
    }
    if decision is not None:
        document["decision"] = {"design": use, **asdict(decision)}
    emit(lambda console: _render_simon(console, designs, decision, use), document, fmt, out)


def _render_simon(
    console: Console, designs: SimonDesigns, decision: SimonDecision | None, use: str
) -> None:
    console.print(
        f"[bold]Simon two-stage designs[/]: p0 = {designs.p0}, p1 = {designs.p1}, "
        f"α = {designs.alpha} (one-sided), β = {designs.beta}, n ≤ {designs.nmax}"
    )
    table = Table()
    for header in ("design", "r1/n1", "r/n", "EN0", "PET0", "actual α", "power"):
        table.add_column(header, justify="left" if header == "design" else "right")
    for d in (designs.optimal, designs.minimax):
        table.add_row(
            d.kind,
            f"{d.r1}/{d.n1}",
            f"{d.r}/{d.n}",
            f"{d.en0:.2f}",
            f"{d.pet0:.4f}",
            f"{d.alpha:.4f}",
            f"{d.power:.4f}",
        )
    console.print(table)
    console.print(
        "Stage 1: stop for futility if responses ≤ r1 among n1; otherwise enrol to n. "
        "Promising if responses > r among n."
    )
    if decision is not None:
        console.print(
            f"Decision ({use} design, {decision.responses}/{decision.evaluated} responses): "
            f"[bold]{decision.decision}[/] — {decision.reason}"
        )


@design.command(name="events")
@click.option("--hr", type=float, required=True, help="Hazard ratio to detect.")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Type I error.")
@click.option("--power", type=float, default=0.8, show_default=True)
@click.option("--ratio", default="1:1", show_default=True, help="Allocation a:b, e.g. 2:1.")
@click.option(
    "--sides", type=click.Choice(["1", "2"]), default="2", show_default=True, help="Sided α."
)
@click.option(
    "--event-prob",
    type=float,
    help="Probability a patient has an event during the trial: also give patients.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
def events(
    hr: float,
    alpha: float,
    power: float,
    ratio: str,
    sides: str,
    event_prob: float | None,
    fmt: str,
    out: Path | None,
) -> None:
    """Events (Schoenfeld) to detect a hazard ratio with a log-rank test or Cox model.

    \b
    Example:
      oncotrial design events --hr 0.7 --alpha 0.05 --power 0.8 --ratio 2:1
    """
    need = schoenfeld_events(
        hr,
        alpha=alpha,
        power=power,
        ratio=parse_ratio(ratio),
        sides=int(sides),
        event_probability=event_prob,
    )
    emit(lambda console: _render_events(console, need), asdict(need), fmt, out)


def _render_events(console: Console, need: EventsRequirement) -> None:
    a, b = need.ratio
    console.print(
        f"Schoenfeld: HR {need.hazard_ratio:g}, {need.sides}-sided α {need.alpha:g}, "
        f"power {need.power:g}, allocation {a:g}:{b:g}"
    )
    console.print(f"Events required: [bold]{need.events:.2f}[/] → {need.events_rounded}")
    if need.patients is not None and need.patients_per_arm is not None:
        console.print(
            f"Patients (P(event) = {need.event_probability:g}): {need.patients:.2f} → "
            f"{need.patients_rounded} ({need.patients_per_arm[0]} + {need.patients_per_arm[1]})"
        )
