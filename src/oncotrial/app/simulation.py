"""Simulating a trial for a protocol and keeping it: as an SDTM folder and/or in the database.

The use case behind ``oncotrial simulate``: the core simulator (``oncotrial.simulate``) makes
the trial's SDTM frames from the protocol and the assumed effects; this writes them (with the
ADSL-like subject file and the protocol) and stores them, with the simulation named as the
records' source so that every report of them says "simulated".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import InputError
from oncotrial.formats.adam import write_adsl
from oncotrial.formats.protocol_files import dump_protocol_yaml
from oncotrial.formats.sdtm import write_sdtm_folder
from oncotrial.formats.sdtm_spec import to_text_frame
from oncotrial.protocol.model import Protocol
from oncotrial.simulate import DesignParameters, SimulatedTrial, simulate_trial

__all__ = ["SimulationRun", "planned_size", "simulate_and_keep"]


def planned_size(protocol: Protocol) -> int:
    """The protocol's planned enrollment, else 30 (the demo-sized default)."""
    if protocol.enrollment and protocol.enrollment.count:
        return protocol.enrollment.count
    return 30


@dataclass(frozen=True)
class SimulationRun:
    """The simulated trial, the files written (if any) and the stored trial (if stored)."""

    simulated: SimulatedTrial
    n: int
    screened: int
    records: int  # SDTM records simulated
    out_dir: Path | None = None
    written: tuple[Path, ...] = ()
    stored_trial: str | None = None
    stored_records: int = 0


def simulate_and_keep(
    protocol: Protocol,
    *,
    n: int,
    seed: int,
    parameters: DesignParameters,
    out_dir: Path | None = None,
    fmt: str = "csv",
    store: bool = True,
    trial_id: str | None = None,
    user: str | None = None,
    ctcae: CtcaeDictionary | None = None,
    created: str,
    source_version: str,
) -> SimulationRun:
    """Simulate ``n`` patients with ``seed``; write the SDTM folder (with ``adsl.csv`` and
    ``protocol.yaml``) to ``out_dir`` when given, and store the trial unless ``store`` is False
    (the database must be configured). ``created`` and ``source_version`` go into
    Dataset-JSON."""
    if not store and out_dir is None:
        raise InputError("--no-store needs --out: the simulation would go nowhere")
    simulated = simulate_trial(protocol, n, seed, parameters, ctcae=ctcae)
    frames = simulated.frames
    written: list[Path] = []
    if out_dir is not None:
        written = write_sdtm_folder(
            frames,
            out_dir,
            fmt=fmt,
            study_oid=simulated.studyid,
            created=created,
            source_version=source_version,
        )
        text = {domain: to_text_frame(frame, domain) for domain, frame in frames.items()}
        written.append(write_adsl(derive_adsl(text), out_dir / "adsl.csv"))
        protocol_path = out_dir / "protocol.yaml"
        protocol_path.write_text(dump_protocol_yaml(protocol), encoding="utf-8")
        written.append(protocol_path)
    run = SimulationRun(
        simulated,
        n=n,
        screened=len(frames["DM"]),
        records=sum(len(f) for f in frames.values()),
        out_dir=out_dir,
        written=tuple(written),
    )
    if not store:
        return run
    from oncotrial.store.trials import store_simulation

    stored = store_simulation(simulated, user=user, trial_id=trial_id, ctcae=ctcae)
    return replace(run, stored_trial=stored.trial_id, stored_records=stored.total_inserted)
