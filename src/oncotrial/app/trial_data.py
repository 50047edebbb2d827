"""Loading a trial for analysis, from the database or an SDTM folder.

The report, the demo and the web application read a trial the same way whatever its source: as
the analysis pipeline's :class:`~oncotrial.analysis.TrialData` (the protocol, the SDTM domain
frames as text, and where they came from). ``load_from_store`` reads a trial of the database (its
current protocol version and every record); ``load_from_folder`` an SDTM folder plus a protocol
(trial id, seed file or YAML).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from oncotrial.analysis.data import TrialData
from oncotrial.errors import InputError, OncotrialError, StoreError
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.formats.sdtm import read_sdtm_folder

__all__ = ["SIMULATION_MARK", "load_from_folder", "load_from_store"]

#: Words in a stored protocol version's note that mark simulated data (the simulation commands
#: store "simulation of <trial> (n=…, seed=…)"); such reports carry the simulated-data banner.
SIMULATION_MARK = "simulation of"


def _folder_domains(folder: Path) -> list[str]:
    names = sorted(
        {p.stem.upper() for p in folder.iterdir() if p.suffix.lower() in {".csv", ".json"}}
    )
    # SDTM domain names are short and alphanumeric; ADaM datasets (adsl, adrs, …) start with AD
    # and are derived again here, never read.
    return [n for n in names if n.isalnum() and len(n) <= 8 and not n.startswith("AD")]


def load_from_folder(folder: Path, protocol: str | Path) -> TrialData:
    """An SDTM folder (one file per domain, docs/sdtm.md) and a protocol reference."""
    if not folder.is_dir():
        raise InputError(
            "not a folder",
            file=str(folder),
            hint="Give the SDTM folder holding one file per domain (dm.csv, tu.csv, …).",
        )
    chosen = find_protocol(str(protocol))
    domains = _folder_domains(folder)
    frames = read_sdtm_folder(folder, ["DM"], optional=[d for d in domains if d != "DM"])
    return TrialData(
        protocol=chosen,
        frames=frames,
        source=f"SDTM folder {folder}",
        trial_id=chosen.trial_id,
    )


def load_from_store(reference: str, *, protocol: str | Path | None = None) -> TrialData:
    """A trial of the configured database by its trial id (or a protocol's local id, e.g.
    ``002`` for the trial stored as NCT07064876); ``protocol`` overrides the stored one."""
    from oncotrial.store import current_database
    from oncotrial.store.sdtm_export import export_sdtm, find_trial
    from oncotrial.store.settings import describe_database
    from oncotrial.store.trials import trial_protocol

    trial = _resolve_trial(reference, find_trial)
    chosen = find_protocol(str(protocol)) if protocol is not None else trial_protocol(trial)
    if chosen is None:
        raise StoreError(
            f"trial {trial.trial_id} has no protocol in the database; the report takes its "
            "endpoints and analysis plan from the protocol",
            hint="Pass --protocol (a trial id, seed file or protocol YAML).",
        )
    notes = [v.note for v in trial.protocol_versions.all()]
    simulated = any(SIMULATION_MARK in (n or "").lower() for n in notes)
    return TrialData(
        protocol=chosen,
        frames=export_sdtm(trial),
        source=f"oncotrial database ({describe_database(current_database())}), trial "
        f"{trial.trial_id}",
        simulated=simulated,
        trial_id=trial.trial_id,
    )


def _resolve_trial(reference: str, find_trial: Callable[[str], Any]) -> Any:
    """The store's Trial (a Django model: Any, the project has no Django stubs) by reference."""
    from oncotrial.store import models

    found = models.Trial.objects.filter(trial_id=reference).first()
    if found is not None:
        return found
    # A protocol's own id (e.g. the local id 002 of NCT07064876) names the same trial.
    try:
        known = find_protocol(reference)
    except OncotrialError:  # not a protocol reference either: report the unknown trial
        return find_trial(reference)
    found = models.Trial.objects.filter(trial_id=known.trial_id).first()
    return found if found is not None else find_trial(reference)
