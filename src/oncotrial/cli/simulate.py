"""`oncotrial simulate`: a realistic simulated trial for a protocol, stored and/or as SDTM."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape

from oncotrial import __version__
from oncotrial.cli._output import console, err_console
from oncotrial.cli._store import ctcae_option, db_option, load_dictionary, open_store, user_option
from oncotrial.cli.prescreen import WithOmop
from oncotrial.errors import InputError

__all__ = ["simulate"]


def _arm_spec(text: str) -> tuple[str, dict[str, float]]:
    """'LABEL=orr:0.4,pfs:6,os:14' -> ('LABEL', {...})."""
    if "=" not in text:
        raise InputError(f"cannot read --arm {text!r}", hint="Write --arm 'A=orr:0.4,pfs:6,os:14'.")
    label, values = text.split("=", 1)
    out: dict[str, float] = {}
    for part in values.split(","):
        if ":" not in part:
            raise InputError(f"cannot read {part!r} in --arm {text!r}", hint="Use key:value.")
        key, value = part.split(":", 1)
        key = key.strip().lower()
        if key not in {"orr", "pfs", "os"}:
            raise InputError(f"--arm knows orr, pfs and os, not {key!r}")
        try:
            out[key] = float(value)
        except ValueError as exc:
            raise InputError(f"--arm {key} must be a number (got {value!r})") from exc
    return label.strip(), out


@click.command(
    cls=WithOmop,
    epilog="`oncotrial simulate omop --help`: a synthetic OMOP CDM population instead.",
)
@click.option("--protocol", "protocol_ref", required=True, help="Trial id, seed file or YAML.")
@click.option(
    "--n",
    "n",
    type=click.IntRange(min=1),
    help="Patients enrolled (default: the protocol's planned enrollment, else 30).",
)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the SDTM folder (with adsl.csv and protocol.yaml) here.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--no-store", is_flag=True, help="Do not store the trial in the database (needs --out)."
)
@click.option("--trial-id", help="Store under this trial id (default: the protocol's).")
@click.option("--orr", type=float, help="True ORR of the experimental arm(s) (default 0.35).")
@click.option("--median-pfs", type=float, help="Median PFS, months, experimental (default 6).")
@click.option("--median-os", type=float, help="Median OS, months, experimental (default 15).")
@click.option("--control-orr", type=float, help="True ORR of the control arm (default 0.2).")
@click.option("--control-median-pfs", type=float, help="Median PFS, months, control (default 4.2).")
@click.option("--control-median-os", type=float, help="Median OS, months, control (default 11).")
@click.option("--hr", "hazard_ratio", type=float, help="PFS hazard ratio experimental vs control.")
@click.option("--os-hr", type=float, help="OS hazard ratio experimental vs control.")
@click.option(
    "--arm",
    "arms",
    multiple=True,
    help="Per-arm effect: 'LABEL=orr:0.4,pfs:6,os:14' (label or code A, B).",
)
@click.option("--dropout", type=float, help="Dropout probability per year (default 0.05).")
@click.option(
    "--accrual", type=float, help="Patients screened per month (default: over 18 months)."
)
@click.option(
    "--start",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First screening date (default: the protocol's start date, else 2024-01-01).",
)
@click.option(
    "--cutoff",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Data cut-off date (default: last patient + follow-up).",
)
@click.option(
    "--followup-months", type=float, help="Follow-up after the last patient (default 12)."
)
@db_option
@user_option
@ctcae_option
def simulate(
    protocol_ref: str,
    n: int | None,
    seed: int,
    out_dir: Path | None,
    fmt: str,
    no_store: bool,
    trial_id: str | None,
    orr: float | None,
    median_pfs: float | None,
    median_os: float | None,
    control_orr: float | None,
    control_median_pfs: float | None,
    control_median_os: float | None,
    hazard_ratio: float | None,
    os_hr: float | None,
    arms: tuple[str, ...],
    dropout: float | None,
    accrual: float | None,
    start: datetime | None,
    cutoff: datetime | None,
    followup_months: float | None,
    db: str | None,
    user: str | None,
    ctcae: Path | None,
) -> None:
    """Simulate a complete, realistic trial for a protocol: patients, scans, treatment, safety.

    Screening and accrual, baseline characteristics, randomization by the protocol's arms and
    ratio, tumour kinetics measured on the protocol's imaging schedule, RECIST responses,
    progression and deaths, treatment per the protocol's dosing with delays, CTCAE adverse
    events, labs and PD-L1 — as SDTM domains (docs/simulator.md). The same seed gives the same
    trial. The trial is stored in the database unless --no-store; --out writes the SDTM folder.

    \b
    Example:
      oncotrial simulate --protocol NCT07064876 --n 25 --seed 7
      oncotrial simulate --protocol 001 --n 120 --seed 1 --hr 0.6 --out sim001/ --no-store
      oncotrial simulate --protocol 002 --arm "A=orr:0.45,pfs:9,os:24" --out sim002/
    """
    from oncotrial.app.simulation import planned_size, simulate_and_keep
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.simulate import ArmParameters, DesignParameters

    if no_store and out_dir is None:
        raise InputError("--no-store needs --out: the simulation would go nowhere")
    protocol = find_protocol(protocol_ref)
    defaults = DesignParameters()
    experimental = ArmParameters(
        orr=orr if orr is not None else defaults.experimental.orr,
        median_pfs_months=median_pfs or defaults.experimental.median_pfs_months,
        median_os_months=median_os or defaults.experimental.median_os_months,
    )
    control = ArmParameters(
        orr=control_orr if control_orr is not None else defaults.control.orr,
        median_pfs_months=control_median_pfs or defaults.control.median_pfs_months,
        median_os_months=control_median_os or defaults.control.median_os_months,
    )
    per_arm = {}
    for spec in arms:
        label, values = _arm_spec(spec)
        per_arm[label] = ArmParameters(
            orr=values.get("orr", experimental.orr),
            median_pfs_months=values.get("pfs", experimental.median_pfs_months),
            median_os_months=values.get("os", experimental.median_os_months),
        )
    parameters = DesignParameters(
        arms=per_arm,
        experimental=experimental,
        control=control,
        hazard_ratio=hazard_ratio,
        os_hazard_ratio=os_hr,
        dropout_per_year=dropout if dropout is not None else defaults.dropout_per_year,
        accrual_per_month=accrual,
        start_date=start.date() if start else None,
        data_cutoff=cutoff.date() if cutoff else None,
        followup_months=followup_months
        if followup_months is not None
        else defaults.followup_months,
    )
    if not no_store:
        open_store(db)
    run = simulate_and_keep(
        protocol,
        n=n or planned_size(protocol),
        seed=seed,
        parameters=parameters,
        out_dir=out_dir,
        fmt=fmt,
        store=not no_store,
        trial_id=trial_id,
        user=user,
        ctcae=load_dictionary(ctcae, required=not no_store),
        # The clock is read here, at the edge: Dataset-JSON states when the files were made.
        created=datetime.now(UTC).replace(microsecond=0).isoformat(),
        source_version=__version__,
    )
    _print_run(run)


def _print_run(run: object) -> None:
    from oncotrial.app.simulation import SimulationRun

    assert isinstance(run, SimulationRun)  # typed loosely so that the module imports nothing
    simulated = run.simulated
    for note in simulated.notes:
        err_console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(
        f"simulated {escape(simulated.protocol.trial_id)}: {run.n} enrolled of "
        f"{run.screened} screened, seed {simulated.seed}, data cut-off "
        f"{simulated.cutoff.isoformat()}, {run.records} SDTM records"
    )
    if run.out_dir is not None:
        console.print(f"[green]wrote[/] {len(run.written)} files to {escape(str(run.out_dir))}")
    if run.stored_trial is not None:
        console.print(
            f"[green]stored[/] trial {escape(run.stored_trial)}: {run.stored_records} records"
        )
