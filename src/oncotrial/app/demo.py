"""The main job on the five bundled seed trials (``oncotrial demo``).

For each seed protocol: simulate its planned enrollment under a stated scenario
(:data:`DEMO_SCENARIOS`), store the simulation in the embedded SQLite demo database, read the trial
back from the database, derive responses and every registered endpoint, and write the trial
report. The scenarios' true effects (ORR, median PFS and OS) are **assumptions of the demo**,
documented in docs/demo.md — never the trials' results; every report says so on every page.

The demo database is its own file, ``demo/oncotrial-demo.sqlite3`` in the data directory; a
re-run replaces it (and says so) and never opens any other database, whatever ``ONCOTRIAL_DB``
or ``DATABASE_URL`` say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

from oncotrial.app.dictionary import find_dictionary
from oncotrial.app.results import RateOutcome, TrialResults, TteOutcome
from oncotrial.app.trial_data import load_from_store
from oncotrial.app.trial_report import TrialReport, write_trial_report
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import ConfigurationError
from oncotrial.formats.protocol_files import bundled_protocols, dump_protocol_yaml
from oncotrial.home import data_home
from oncotrial.protocol.endpoints import EndpointKind
from oncotrial.protocol.model import Protocol
from oncotrial.simulate import ArmParameters, DesignParameters, simulate_trial
from oncotrial.stats.km import KaplanMeier
from oncotrial.stats.proportions import Proportion

__all__ = [
    "DEMO_DB_NAME",
    "DEMO_SCENARIOS",
    "DemoResult",
    "DemoScenario",
    "DemoTrial",
    "demo_folder",
    "run_demo",
]

DEMO_DB_NAME = "oncotrial-demo.sqlite3"


@dataclass(frozen=True)
class DemoScenario:
    """One seed trial's simulation in the demo: size, seed and the assumed true effects.

    ``n_source`` says where the size comes from (the registration, or an assumption of the
    demo when the registration gives none). ``arms`` maps an arm code (A, B, …, in the
    protocol's arm order) to its assumed true effect.
    """

    trial: str
    n: int
    n_source: str
    seed: int
    arms: dict[str, ArmParameters]
    followup_months: float = 12.0
    rationale: str = ""


DEMO_SCENARIOS = MappingProxyType(
    {
        s.trial: s
        for s in (
            DemoScenario(
                "000",
                30,
                "demo assumption (the registration gives no enrollment)",
                2000,
                {"A": ArmParameters(orr=0.35, median_pfs_months=7.0, median_os_months=20.0)},
                rationale="first-line PD-1 inhibitor with local ablation in oligoprogressive, "
                "driver-negative NSCLC",
            ),
            DemoScenario(
                "001",
                80,
                "demo assumption (the registration gives no enrollment): 40 per arm, 1:1",
                2001,
                {
                    "A": ArmParameters(orr=0.40, median_pfs_months=11.0, median_os_months=26.0),
                    "B": ArmParameters(orr=0.25, median_pfs_months=7.0, median_os_months=20.0),
                },
                rationale="consolidation radiotherapy assumed to lengthen PFS (HR ≈ 0.64) over "
                "maintenance alone",
            ),
            DemoScenario(
                "002",
                25,
                "the registration's planned enrollment",
                2002,
                {"A": ArmParameters(orr=0.40, median_pfs_months=14.0, median_os_months=36.0)},
                rationale="early-stage NSCLC: longer survival than in the advanced-disease trials",
            ),
            DemoScenario(
                "003",
                30,
                "demo assumption (the registration gives no enrollment)",
                2003,
                {"A": ArmParameters(orr=0.25, median_pfs_months=6.5, median_os_months=18.0)},
                rationale="colorectal liver metastases, regorafenib + PD-1 + RFA",
            ),
            DemoScenario(
                "004",
                30,
                "demo assumption (the registration gives no enrollment)",
                2004,
                {"A": ArmParameters(orr=0.20, median_pfs_months=4.5, median_os_months=11.0)},
                rationale="NSCLC after progression on immunotherapy: modest activity",
            ),
        )
    }
)


def demo_folder() -> Path:
    """Where the demo keeps its database and reports: ``<data directory>/demo``."""
    return data_home() / "demo"


@dataclass(frozen=True)
class DemoTrial:
    """One trial of the demo: what was simulated and stored, and its report."""

    scenario: DemoScenario
    protocol: Protocol
    trial_id: str
    screened: int
    enrolled: int
    records: int
    report: TrialReport

    @property
    def results(self) -> TrialResults:
        return self.report.results


@dataclass(frozen=True)
class DemoResult:
    database: Path
    replaced: bool
    reports: Path
    dictionary: str | None  # the CTCAE file used, or None
    dictionary_reason: str | None
    trials: tuple[DemoTrial, ...] = field(default_factory=tuple)


def _remove_database(path: Path) -> bool:
    """Delete the demo database file (and SQLite's -wal/-shm companions); True if it existed."""
    existed = path.exists()
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.unlink()
    return existed


def _store(
    protocol: Protocol,
    scenario: DemoScenario,
    simulated: object,
    dictionary: CtcaeDictionary | None,
) -> tuple[str, int]:
    """Store the simulation; without a dictionary the AE records cannot be checked and are held
    back (the store validates every AE term against CTCAE v5.0)."""
    from oncotrial.store.sdtm_import import import_sdtm
    from oncotrial.store.trials import store_simulation

    if dictionary is not None:
        result = store_simulation(simulated, ctcae=dictionary)
        return result.trial_id, result.total_inserted
    frames = {d: f for d, f in simulated.frames.items() if d != "AE"}  # type: ignore[attr-defined]
    result = import_sdtm(
        frames,
        trial_id=protocol.trial_id,
        title=protocol.title,
        protocol_yaml=dump_protocol_yaml(protocol),
        source_name=(
            f"simulation of {protocol.trial_id} (n={scenario.n}, seed={scenario.seed}) by "
            "oncotrial demo; AE records held back: no CTCAE v5.0 dictionary"
        ),
    )
    return result.trial_id, result.total_inserted


def run_demo(
    *,
    now: datetime,
    reports: Path | None = None,
    ctcae: Path | None = None,
    seed_offset: int = 0,
    progress: Callable[[str], None] = lambda step: None,
) -> DemoResult:
    """Run the main job (see the module docstring); ``progress`` hears each step as it starts.

    ``now`` is the report's generated time (the caller reads the clock). ``reports`` defaults to
    ``<data directory>/demo/reports``; each trial's report goes to a folder named by its local id.
    """
    from oncotrial.store import configure, migrate

    folder = demo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / DEMO_DB_NAME
    out = reports or folder / "reports"
    dictionary, reason = find_dictionary(ctcae)
    progress("creating the demo database")
    replaced = _remove_database(database)
    configure(database)
    migrate()
    protocols = {p.identity.local_id: p for p in bundled_protocols()}
    missing = [key for key in DEMO_SCENARIOS if key not in protocols]
    if missing:
        raise ConfigurationError(
            f"the bundled protocols lack {', '.join(missing)}",
            hint="Reinstall oncotrial: its data files are incomplete.",
        )
    trials = []
    for key, scenario in DEMO_SCENARIOS.items():
        protocol = protocols[key]
        progress(f"simulating {key} ({scenario.n} patients)")
        parameters = DesignParameters(
            arms=dict(scenario.arms), followup_months=scenario.followup_months
        )
        simulated = simulate_trial(
            protocol, scenario.n, scenario.seed + seed_offset, parameters, ctcae=dictionary
        )
        progress(f"storing {key} in the demo database")
        trial_id, records = _store(protocol, scenario, simulated, dictionary)
        progress(f"deriving endpoints and writing the report of {key}")
        data = load_from_store(trial_id)
        if dictionary is None:
            data = replace(
                data,
                notes=(
                    *data.notes,
                    "The simulated adverse-event records were not stored (and are not analysed): "
                    + reason
                    + ".",
                ),
            )
        report = write_trial_report(
            data,
            out / key,
            generated=now,
            cutoff=simulated.cutoff,
            ctcae=dictionary,
            ctcae_reason=reason,
        )
        frames = simulated.frames
        trials.append(
            DemoTrial(
                scenario=scenario,
                protocol=protocol,
                trial_id=trial_id,
                screened=len(frames["DM"]),
                enrolled=scenario.n,
                records=records,
                report=report,
            )
        )
    return DemoResult(
        database=database,
        replaced=replaced,
        reports=out,
        dictionary=dictionary.source if dictionary is not None else None,
        dictionary_reason=reason,
        trials=tuple(trials),
    )


# --------------------------------------------------------------------------- summary values


def first_outcome(results: TrialResults, kind: EndpointKind) -> object | None:
    """The outcome of the first registered endpoint of ``kind`` (None: not registered)."""
    for item in results.endpoints:
        if item.endpoint.reading.kind is kind:
            return item.outcome if item.outcome is not None else item.reasons
    return None


def arm_rates(results: TrialResults) -> dict[str, Proportion] | str:
    """ORR per arm for the summary table, or why there is none."""
    found = first_outcome(results, EndpointKind.ORR)
    if found is None:
        return "not registered"
    if not isinstance(found, RateOutcome):
        return "not computable"
    return {a.arm: a.proportion for a in found.rate.arms}


def arm_curves(results: TrialResults, kind: EndpointKind) -> dict[str, KaplanMeier] | str:
    found = first_outcome(results, kind)
    if found is None:
        return "not registered"
    if not isinstance(found, TteOutcome):
        return "not computable"
    return dict(found.curves)
