"""What every stage of a patient's course reads: the patient's draws, the plan, the tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from oncotrial.catalogue import tumour
from oncotrial.simulate.frames import Tables
from oncotrial.simulate.parameters import DesignParameters
from oncotrial.simulate.plan import ArmPlan, TrialPlan

__all__ = ["CT", "INVESTIGATOR", "METHOD", "MRI", "NEVER", "AeTerm", "Context", "Course", "Patient"]

# A day later than any simulated day: the event does not happen.
NEVER = 10**9
CT, MRI = tumour.IMAGING_METHODS.codes
METHOD = {"BRAIN": MRI}  # brain lesions are imaged by MRI
INVESTIGATOR = tumour.EVALUATORS.codes[0]


@dataclass(frozen=True)
class AeTerm:
    """A CTCAE term's dictionary entry as the AE domain writes it (from the CTCAE file)."""

    llt: str
    code: float | None
    soc: str | None


@dataclass(frozen=True)
class Patient:
    """The population-level draws for one screened person."""

    index: int
    usubjid: str
    subjid: str
    site: str
    country: str
    consent_day: int
    age: int
    birth_year: int
    sex: str
    enrolled: bool
    failed_criterion: tuple[str, str, str] | None
    arm: ArmPlan | None
    stratum: str | None
    ecog: int
    stage: str
    histology: str
    primary_site: str
    genes: tuple[tuple[str, str], ...]
    tps: float  # NaN when not evaluable
    assay: str
    height: float
    weight: float
    pfs_days: float
    death_first: bool
    os_days: float
    dropout_days: float
    responder: bool
    complete: bool
    onset_scan: int
    pd_scan: int
    mechanism: str  # target | new | non-target
    treated: bool


@dataclass(frozen=True)
class Course:
    """What the trial-level assembly needs back from a patient's course."""

    first_dose: int | None
    last_dose: int | None
    last_contact: int
    death: int | None


@dataclass(frozen=True)
class Context:
    """One enrolled patient's simulation: the inputs, the generator and the tables written to.

    The generator and the tables are the only things that change while the course is drawn.
    """

    t: Tables
    p: Patient
    plan: TrialPlan
    params: DesignParameters
    rng: np.random.Generator
    cutoff: int
    ae_terms: Mapping[str, AeTerm]
    arm: ArmPlan

    @property
    def u(self) -> str:
        return self.p.usubjid
