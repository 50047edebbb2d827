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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from oncotrial.analysis import TrialData
from oncotrial.analysis.results import RateOutcome, TrialResults, TteOutcome
from oncotrial.app.dictionary import find_dictionary
from oncotrial.app.reporting import write_trial_report
from oncotrial.app.trial_data import load_from_store
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import ConfigurationError
from oncotrial.formats.protocol_files import bundled_protocols, dump_protocol_yaml
from oncotrial.home import data_home
from oncotrial.protocol.endpoints import EndpointKind
from oncotrial.protocol.model import Protocol
from oncotrial.report.trial import headline
from oncotrial.simulate import ArmParameters, DesignParameters, SimulatedTrial, simulate_trial
from oncotrial.stats.km import QuantileEstimate
from oncotrial.stats.proportions import Proportion

__all__ = [
    "DEMO_DB_NAME",
    "DEMO_SCENARIOS",
    "ArmSummary",
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
class ArmSummary:
    """One arm's headline numbers, as the engines computed them (None: not computable)."""

    code: str
    label: str
    n: int
    orr: Proportion | None
    pfs: QuantileEstimate | None
    os: QuantileEstimate | None


@dataclass(frozen=True)
class DemoTrial:
    """One trial of the demo: what was simulated and stored, and where its report is.

    ``orr_note``/``pfs_note``/``os_note`` say why a headline is missing ("not registered",
    "not computable"); ``headlines`` are the report's one-line results per endpoint.
    """

    scenario: DemoScenario
    trial_id: str
    title: str
    screened: int
    records: int
    arms: tuple[ArmSummary, ...]
    orr_note: str | None
    pfs_note: str | None
    os_note: str | None
    headlines: tuple[tuple[str, str, str], ...]
    cutoff: date
    html: Path
    pdf: Path
    xlsx: Path


@dataclass(frozen=True)
class DemoResult:
    database: Path
    replaced: bool
    reports: Path
    dictionary: str | None  # which CTCAE dictionary was used (its description), or None
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
    simulated: SimulatedTrial,
    dictionary: CtcaeDictionary | None,
) -> tuple[str, int]:
    """Store the simulation; without a dictionary the AE records cannot be checked and are held
    back (the store validates every AE term against CTCAE v5.0)."""
    from oncotrial.store.sdtm_import import import_sdtm
    from oncotrial.store.trials import store_simulation

    if dictionary is not None:
        result = store_simulation(simulated, ctcae=dictionary)
        return result.trial_id, result.total_inserted
    frames = {d: f for d, f in simulated.frames.items() if d != "AE"}
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


@dataclass(frozen=True)
class _Job:
    """What writing one trial's report needs, read from the database."""

    scenario: DemoScenario
    protocol: Protocol
    frames: dict[str, pd.DataFrame]
    source: str
    trial_id: str
    notes: tuple[str, ...]
    out: Path
    now: datetime
    cutoff: date
    dictionary: CtcaeDictionary | None
    reason: str | None
    screened: int
    records: int


def _report_job(job: _Job) -> DemoTrial:
    """Analyse one stored trial and write its report; returns the summary the console shows."""
    data = TrialData(
        job.protocol,
        job.frames,
        job.source,
        simulated=True,
        notes=job.notes,
        trial_id=job.trial_id,
    )
    made = write_trial_report(
        data,
        job.out,
        generated=job.now,
        cutoff=job.cutoff,
        ctcae=job.dictionary,
        ctcae_reason=job.reason,
    )
    results = made.results
    rates, orr_note = _arm_rates(results)
    pfs, pfs_note = _arm_medians(results, EndpointKind.PFS)
    os_, os_note = _arm_medians(results, EndpointKind.OS)
    efficacy = results.sets.efficacy["ARM"].astype(str)
    return DemoTrial(
        scenario=job.scenario,
        trial_id=results.trial_id,
        title=results.protocol.title,
        screened=job.screened,
        records=job.records,
        arms=tuple(
            ArmSummary(
                code=arm.code,
                label=arm.label,
                n=int((efficacy == arm.label).sum()),
                orr=rates.get(arm.label),
                pfs=pfs.get(arm.label),
                os=os_.get(arm.label),
            )
            for arm in results.arms
        ),
        orr_note=orr_note,
        pfs_note=pfs_note,
        os_note=os_note,
        headlines=tuple(
            (item.label, item.endpoint.title, headline(item, short=True))
            for item in results.endpoints
        ),
        cutoff=results.cutoff,
        html=made.files.html,
        pdf=made.files.pdf,
        xlsx=made.files.xlsx,
    )


def run_demo(
    *,
    now: datetime,
    reports: Path | None = None,
    ctcae: Path | None = None,
    seed_offset: int = 0,
    progress: Callable[[str], None] = lambda step: None,
) -> DemoResult:
    """Run the main job (see the module docstring); ``progress`` hears each step as it is done.

    ``now`` is the report's generated time (the caller reads the clock). ``reports`` defaults to
    ``<data directory>/demo/reports``; each trial's report goes to a folder named by its local id.
    """
    from oncotrial.store import configure, migrate

    folder = demo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / DEMO_DB_NAME
    out = reports or folder / "reports"
    dictionary, reason = find_dictionary(ctcae)
    protocols = {p.identity.local_id: p for p in bundled_protocols()}
    missing = [key for key in DEMO_SCENARIOS if key not in protocols]
    if missing:
        raise ConfigurationError(
            f"the bundled protocols lack {', '.join(missing)}",
            hint="Reinstall oncotrial: its data files are incomplete.",
        )
    replaced = _remove_database(database)
    configure(database)
    migrate()
    progress("demo database created")
    trials = []
    for key, scenario in DEMO_SCENARIOS.items():
        protocol = protocols[key]
        parameters = DesignParameters(
            arms=dict(scenario.arms), followup_months=scenario.followup_months
        )
        simulated = simulate_trial(
            protocol, scenario.n, scenario.seed + seed_offset, parameters, ctcae=dictionary
        )
        progress(f"{key} simulated ({scenario.n} patients)")
        trial_id, records = _store(protocol, scenario, simulated, dictionary)
        progress(f"{key} stored in the demo database")
        # The report reads the trial back from the database, as `oncotrial report` does.
        data = load_from_store(trial_id)
        notes = data.notes
        if dictionary is None:
            notes = (
                *notes,
                "The simulated adverse-event records were not stored (and are not "
                f"analysed): {reason}.",
            )
        trials.append(
            _report_job(
                _Job(
                    scenario=scenario,
                    protocol=data.protocol,
                    frames=dict(data.frames),
                    source=data.source,
                    trial_id=trial_id,
                    notes=notes,
                    out=out / key,
                    now=now,
                    cutoff=simulated.cutoff,
                    dictionary=dictionary,
                    reason=reason,
                    screened=len(simulated.frames["DM"]),
                    records=records,
                )
            )
        )
        progress(f"{key} report written")
    return DemoResult(
        database=database,
        replaced=replaced,
        reports=out,
        dictionary=dictionary.description if dictionary is not None else None,
        dictionary_reason=reason,
        trials=tuple(trials),
    )


# --------------------------------------------------------------------------- summary values


def _first_outcome(results: TrialResults, kind: EndpointKind) -> object | None:
    """The outcome of the first registered endpoint of ``kind`` (None: not registered)."""
    for item in results.endpoints:
        if item.endpoint.reading.kind is kind:
            return item.outcome if item.outcome is not None else item.reasons
    return None


def _arm_rates(results: TrialResults) -> tuple[dict[str, Proportion], str | None]:
    found = _first_outcome(results, EndpointKind.ORR)
    if found is None:
        return {}, "not registered"
    if not isinstance(found, RateOutcome):
        return {}, "not computable"
    return {a.arm: a.proportion for a in found.rate.arms}, None


def _arm_medians(
    results: TrialResults, kind: EndpointKind
) -> tuple[dict[str, QuantileEstimate], str | None]:
    found = _first_outcome(results, kind)
    if found is None:
        return {}, "not registered"
    if not isinstance(found, TteOutcome):
        return {}, "not computable"
    return {label: curve.median for label, curve in found.curves}, None
