"""Simulate a whole trial from a protocol, design parameters and a seed.

``simulate_trial(protocol, n, seed)`` screens people until ``n`` are enrolled (screen failures
come on top), allocates them by the protocol's arms and ratio (stratified permuted blocks),
draws their baseline characteristics, latent outcomes and courses, and returns the SDTM domain
frames with the protocol. The same seed gives the same trial on any machine with the same numpy:
all randomness comes from one ``numpy.random.SeedSequence``, split into a population stream, an
outcome stream and one stream per screened person.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncotrial.catalogue import baseline
from oncotrial.catalogue.durations import DAYS_PER_MONTH, DAYS_PER_YEAR
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import RuleError, ValueProblem
from oncotrial.protocol.model import Protocol
from oncotrial.simulate.frames import Tables
from oncotrial.simulate.parameters import DesignParameters
from oncotrial.simulate.patient import (
    AeTerm,
    Course,
    Patient,
    simulate_course,
    simulate_screen_failure,
)
from oncotrial.simulate.plan import ArmPlan, TrialPlan, build_plan
from oncotrial.simulate.profiles import AE_PROFILES, Disease
from oncotrial.simulate.survival import (
    LN2,
    detection_scan,
    post_progression_rate,
    response_probabilities,
)

__all__ = ["NOT_TREATED_RATE", "SimulatedTrial", "simulate_trial"]

NOT_TREATED_RATE = 0.01  # allocated but withdrew before the first dose


@dataclass(frozen=True)
class SimulatedTrial:
    """The result: SDTM frames (copies on every access), the protocol and how it was made."""

    protocol: Protocol
    parameters: DesignParameters
    seed: int
    n: int
    plan: TrialPlan
    cutoff: date
    notes: tuple[str, ...]
    _frames: Mapping[str, pd.DataFrame] = field(repr=False)
    _truth: pd.DataFrame = field(repr=False)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self._frames)

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return {domain: frame.copy() for domain, frame in self._frames.items()}

    def frame(self, domain: str) -> pd.DataFrame:
        return self._frames[domain.upper()].copy()

    @property
    def truth(self) -> pd.DataFrame:
        """Latent per-patient values (arm, PFS/OS days, responder…) for checks and designers."""
        return self._truth.copy()

    @property
    def studyid(self) -> str:
        return self.plan.studyid


def _choice(
    rng: np.random.Generator, options: list[str], weights: list[float], n: int
) -> list[str]:
    p = np.asarray(weights, dtype=np.float64)
    picks = rng.choice(len(options), size=n, p=p / p.sum())
    return [options[int(i)] for i in picks]


def _ae_terms(ctcae: CtcaeDictionary | None, notes: list[str]) -> dict[str, AeTerm]:
    if ctcae is None:
        notes.append(
            "No CTCAE dictionary was given: AELLT, AELLTCD and AEBODSYS are left empty "
            "(AEDECOD holds the CTCAE v5.0 term)."
        )
        return {}
    terms: dict[str, AeTerm] = {}
    for specs in AE_PROFILES.values():
        for spec in specs:
            entry = ctcae.lookup(spec.term)
            defined = entry.defined_grades
            if max(defined) != spec.max_grade or min(defined) != spec.min_grade:
                raise RuleError(
                    f"the simulator's profile for {spec.term!r} allows grades "
                    f"{spec.min_grade}-{spec.max_grade}; CTCAE v{ctcae.version} defines "
                    f"{', '.join(map(str, defined))}"
                )
            code = float(entry.meddra_code) if entry.meddra_code.isdigit() else None
            terms[spec.term] = AeTerm(llt=entry.term, code=code, soc=entry.soc or None)
    return terms


def _strata(
    plan: TrialPlan,
    tps: npt.NDArray[np.float64],
    histology: list[str],
    ecog: npt.NDArray[np.int64],
    stage: list[str],
    sex: list[str],
    age: npt.NDArray[np.int64],
    notes: list[str],
) -> list[str | None]:
    if not plan.stratification:
        return [None] * len(tps)
    parts: list[list[str]] = []
    for factor in plan.stratification:
        key = factor.lower()
        if "pd-l1" in key or "pdl1" in key or "tps" in key:
            parts.append(
                ["PD-L1 TPS >=50%" if t >= 50 else "PD-L1 TPS <50%" for t in np.nan_to_num(tps)]
            )
        elif "histolog" in key or "squamous" in key:
            parts.append(["SQUAMOUS" if "SQUAMOUS" in h else "NON-SQUAMOUS" for h in histology])
        elif "ecog" in key or "performance" in key:
            parts.append([f"ECOG {int(e)}" for e in ecog])
        elif "stage" in key:
            parts.append(["STAGE IV" if s.startswith("IV") else "STAGE I-III" for s in stage])
        elif "sex" in key or "gender" in key:
            parts.append(list(sex))
        elif "age" in key:
            parts.append(["AGE >=65" if a >= 65 else "AGE <65" for a in age])
        else:
            notes.append(f"Stratification factor {factor!r} is not simulated; not used.")
    if not parts:
        return [None] * len(tps)
    return ["; ".join(values) for values in zip(*parts, strict=True)]


def _allocate(
    rng: np.random.Generator, arms: tuple[ArmPlan, ...], strata: list[str | None]
) -> list[ArmPlan]:
    """Permuted blocks of twice the ratio's sum, within each stratum (ICH E9 §2.3.1)."""
    block = [arm for arm in arms for _ in range(arm.weight * 2)]
    queues: dict[str | None, list[ArmPlan]] = {}
    out = []
    for stratum in strata:
        queue = queues.setdefault(stratum, [])
        if not queue:
            order = rng.permutation(len(block))
            queue.extend(block[int(i)] for i in order)
        out.append(queue.pop(0))
    return out


def simulate_trial(
    protocol: Protocol,
    n: int,
    seed: int,
    parameters: DesignParameters | None = None,
    *,
    ctcae: CtcaeDictionary | None = None,
) -> SimulatedTrial:
    """Simulate ``n`` enrolled patients of ``protocol`` (see the module docstring)."""
    if n < 1:
        raise ValueProblem(f"the number of patients must be at least 1 (got {n})", field="n")
    if seed < 0:
        raise ValueProblem(f"the seed must not be negative (got {seed})", field="seed")
    params = parameters or DesignParameters()
    plan = build_plan(protocol, params)
    notes = list(plan.notes)
    ae_terms = _ae_terms(ctcae, notes)
    population, outcomes, people = np.random.SeedSequence(seed).spawn(3)
    rng = np.random.Generator(np.random.PCG64(population))
    screened = _screen(rng, plan, params, n)
    enrolled_index = np.flatnonzero(~screened.failed)
    strata_all = _strata(
        plan,
        screened.tps[enrolled_index],
        [screened.histology[i] for i in enrolled_index],
        screened.ecog[enrolled_index],
        [screened.stage[i] for i in enrolled_index],
        [screened.sex[i] for i in enrolled_index],
        screened.age[enrolled_index],
        notes,
    )
    arms = _allocate(rng, plan.arms, strata_all)
    out_rng = np.random.Generator(np.random.PCG64(outcomes))
    latent = _outcomes(out_rng, plan, params, arms, screened.tps[enrolled_index])
    start = plan.start
    cutoff_day = _cutoff_day(plan, params, screened.consent)
    cutoff = start + timedelta(days=cutoff_day)

    extra_ae = tuple(f"AEREL{i}" for i in range(1, len(plan.interventions) + 1))
    tables = Tables(plan.studyid, start, extra={"AE": extra_ae})
    streams = people.spawn(screened.count)
    site_counters: dict[str, int] = {}
    position_of = {int(index): position for position, index in enumerate(enrolled_index)}
    first_dose: dict[str, int] = {}
    truth_rows = []
    for i in range(screened.count):
        site, _site_name, country = plan.sites[int(screened.site_index[i])]
        site_counters[site] = site_counters.get(site, 0) + 1
        subjid = f"{site}-{site_counters[site]:04d}"
        j = position_of.get(i)
        allocated = (arms[j], strata_all[j]) if j is not None else None
        patient = _patient(plan, screened, latent, i, j, subjid, site, country, allocated)
        person_rng = np.random.Generator(np.random.PCG64(streams[i]))
        course: Course
        if j is None:
            course = simulate_screen_failure(tables, patient, plan, person_rng)
        else:
            course = simulate_course(
                tables, patient, plan, params, person_rng, cutoff_day, ae_terms
            )
            truth_rows.append(_truth_row(patient))
        if course.first_dose is not None:
            first_dose[patient.usubjid] = course.first_dose
    frames = tables.frames(first_dose)
    return SimulatedTrial(
        protocol=protocol,
        parameters=params,
        seed=seed,
        n=n,
        plan=plan,
        cutoff=cutoff,
        notes=tuple(notes),
        _frames=MappingProxyType(frames),
        _truth=pd.DataFrame(truth_rows),
    )


@dataclass(frozen=True)
class _Screened:
    """The population stream's draws for everyone screened, enrolled or not (index = person)."""

    count: int
    failed: npt.NDArray[np.bool_]
    consent: npt.NDArray[np.int64]
    site_index: npt.NDArray[np.int64]
    sex: list[str]
    age: npt.NDArray[np.int64]
    ecog: npt.NDArray[np.int64]
    stage: list[str]
    histology: list[str]
    primary: list[str]
    tps: npt.NDArray[np.float64]
    assay: list[str]
    height: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]
    gene_draws: npt.NDArray[np.float64]
    failed_criterion: npt.NDArray[np.int64]
    birth_offset: npt.NDArray[np.int64]


def _screen(
    rng: np.random.Generator, plan: TrialPlan, params: DesignParameters, n: int
) -> _Screened:
    """People are screened until ``n`` are enrolled; their baseline characteristics."""
    candidates = n * 4 + 50
    failed = rng.random(candidates) < params.screen_failure_rate
    enrolled_positions = np.flatnonzero(~failed)[:n]
    screened = int(enrolled_positions[-1]) + 1
    failed = failed[:screened]
    accrual = params.accrual_per_month or max(1.0, screened / 18.0)
    gaps = rng.exponential(DAYS_PER_MONTH / accrual, size=screened)
    consent = np.floor(np.cumsum(gaps)).astype(np.int64)
    site_weights = np.array([1.0 / (i + 1) ** 0.5 for i in range(len(plan.sites))])
    site_index = rng.choice(len(plan.sites), size=screened, p=site_weights / site_weights.sum())

    disease = plan.disease
    lung = disease is not Disease.CRC_LIVER
    sex = _choice(rng, ["M", "F"], [0.68, 0.32] if lung else [0.6, 0.4], screened)
    age = np.clip(np.rint(rng.normal(61.0, 9.0, screened)), plan.min_age, plan.max_age).astype(
        np.int64
    )
    ecog = (rng.random(screened) < 0.62).astype(np.int64)
    stage, histology = _disease(rng, disease, screened)
    primary = (
        ["LUNG"] * screened if lung else _choice(rng, ["COLON", "RECTUM"], [0.65, 0.35], screened)
    )
    band = rng.choice(3, size=screened, p=[0.33, 0.37, 0.30] if lung else [0.7, 0.25, 0.05])
    tps = np.where(
        band == 0,
        0.0,
        np.where(band == 1, rng.integers(1, 50, screened), rng.integers(10, 20, screened) * 5.0),
    )
    tps = np.where(rng.random(screened) < 0.04, np.nan, tps).astype(np.float64)
    assay = _choice(
        rng,
        ["22C3 PHARMDX", "SP263", "28-8 PHARMDX"],
        [0.6, 0.3, 0.1] if lung else [1.0, 0.0, 0.0],
        screened,
    )
    height = np.where(
        np.array(sex) == "M", rng.normal(169.0, 6.0, screened), rng.normal(158.0, 5.5, screened)
    )
    bmi = np.clip(rng.normal(23.0, 3.0, screened), 16.0, 35.0)
    weight = bmi * (height / 100.0) ** 2
    gene_draws = rng.random((screened, 5))
    failed_criterion = rng.integers(0, len(plan.criteria), size=screened)
    birth_offset = rng.integers(0, 365, size=screened)
    return _Screened(
        count=screened,
        failed=failed,
        consent=consent,
        site_index=site_index,
        sex=sex,
        age=age,
        ecog=ecog,
        stage=stage,
        histology=histology,
        primary=primary,
        tps=tps,
        assay=assay,
        height=height,
        weight=weight,
        gene_draws=gene_draws,
        failed_criterion=failed_criterion,
        birth_offset=birth_offset,
    )


def _disease(
    rng: np.random.Generator, disease: Disease, screened: int
) -> tuple[list[str], list[str]]:
    """Stage and histology of each screened person."""
    if disease is Disease.NSCLC_ADVANCED:
        stage = _choice(rng, ["IIIB", "IIIC", "IVA", "IVB"], [0.12, 0.08, 0.45, 0.35], screened)
        histology = _choice(
            rng,
            [
                "ADENOCARCINOMA",
                "SQUAMOUS CELL CARCINOMA",
                "LARGE CELL CARCINOMA",
                "NSCLC NOT OTHERWISE SPECIFIED",
            ],
            [0.6, 0.33, 0.02, 0.05],
            screened,
        )
    elif disease is Disease.NSCLC_EARLY:
        stage = _choice(rng, ["IA", "IB", "IIA", "IIB"], [0.35, 0.3, 0.15, 0.2], screened)
        histology = _choice(
            rng, ["ADENOCARCINOMA", "SQUAMOUS CELL CARCINOMA"], [0.7, 0.3], screened
        )
    else:
        stage = _choice(rng, ["IVA", "IVB", "IVC"], [0.6, 0.3, 0.1], screened)
        histology = _choice(
            rng, ["ADENOCARCINOMA", "MUCINOUS ADENOCARCINOMA"], [0.95, 0.05], screened
        )
    return stage, histology


@dataclass(frozen=True)
class _Outcomes:
    """The outcome stream's latent draws for each enrolled patient (index = enrolment order)."""

    pfs: npt.NDArray[np.float64]
    os: npt.NDArray[np.float64]
    death_first: npt.NDArray[np.bool_]
    treated: npt.NDArray[np.bool_]
    dropout: npt.NDArray[np.float64]
    responder: npt.NDArray[np.bool_]
    complete: npt.NDArray[np.bool_]
    onset: npt.NDArray[np.int64]
    pd_scan: npt.NDArray[np.int64]
    mechanism: npt.NDArray[np.str_]


def _outcomes(
    out_rng: np.random.Generator,
    plan: TrialPlan,
    params: DesignParameters,
    arms: list[ArmPlan],
    tps: npt.NDArray[np.float64],
) -> _Outcomes:
    """Outcomes, per arm (docs/simulator.md, "Outcome model"); ``tps`` of the enrolled."""
    m = len(arms)
    interval = plan.imaging_interval_days
    confirmation_gap = max(1, math.ceil(plan.confirmation_days / interval))
    pfs = np.empty(m)
    os_ = np.empty(m)
    death_first = out_rng.random(m) < params.death_without_progression
    treated = out_rng.random(m) >= NOT_TREATED_RATE
    dropout_rate = (
        -math.log(1.0 - params.dropout_per_year) / DAYS_PER_YEAR if params.dropout_per_year else 0.0
    )
    dropout = out_rng.exponential(1.0, m) / dropout_rate if dropout_rate else np.full(m, np.inf)
    responder = np.zeros(m, dtype=bool)
    codes = np.array([arm.code for arm in arms])
    raw_pfs = out_rng.exponential(1.0, m)
    raw_pps = out_rng.exponential(1.0, m)
    response_draws = out_rng.random(m)
    for arm in plan.arms:
        members = codes == arm.code
        if not members.any():
            continue
        median_pfs = arm.effect.median_pfs_months * DAYS_PER_MONTH
        median_os = arm.effect.median_os_months * DAYS_PER_MONTH
        pfs[members] = raw_pfs[members] * median_pfs / LN2
        pps = post_progression_rate(median_pfs, median_os, params.death_without_progression)
        os_[members] = np.where(
            death_first[members], pfs[members], pfs[members] + raw_pps[members] / pps
        )
        scans = detection_scan(pfs[members], interval)
        # A confirmed response needs the responding scan, a confirming scan at least the
        # confirmation interval later (RECIST 1.1 §4.4: 4 weeks), and both before progression.
        eligible = ~death_first[members] & (scans >= 2 + confirmation_gap) & treated[members]
        in_arm_treated = treated[members]
        probabilities = np.zeros(int(members.sum()))
        if in_arm_treated.any():
            probabilities[in_arm_treated] = response_probabilities(
                eligible[in_arm_treated],
                tps[members][in_arm_treated],
                arm.effect.orr,
                params.pdl1_odds_ratio_per_10,
            )
        responder[members] = response_draws[members] < probabilities
    pd_scan = detection_scan(pfs, interval)
    complete = responder & (out_rng.random(m) < params.complete_response_share)
    onset = np.where((out_rng.random(m) < 0.6) | (pd_scan < 3 + confirmation_gap), 1, 2)
    mechanism_draw = out_rng.random(m)
    mechanism = np.where(
        mechanism_draw < 0.6, "target", np.where(mechanism_draw < 0.9, "new", "non-target")
    )
    return _Outcomes(
        pfs, os_, death_first, treated, dropout, responder, complete, onset, pd_scan, mechanism
    )


def _cutoff_day(plan: TrialPlan, params: DesignParameters, consent: npt.NDArray[np.int64]) -> int:
    """The data cut-off's day: given, or the follow-up after the last patient is screened."""
    start = plan.start
    if params.data_cutoff is not None:
        cutoff_day = (params.data_cutoff - start).days
        if cutoff_day <= int(consent.max()):
            raise ValueProblem(
                f"the data cut-off {params.data_cutoff} is before the last patient is screened "
                f"({start + timedelta(days=int(consent.max()))})",
                field="data_cutoff",
            )
        return cutoff_day
    return int(consent.max()) + 21 + round(params.followup_months * DAYS_PER_MONTH)


def _patient(
    plan: TrialPlan,
    s: _Screened,
    latent: _Outcomes,
    i: int,
    j: int | None,
    subjid: str,
    site: str,
    country: str,
    allocated: tuple[ArmPlan, str | None] | None,
) -> Patient:
    """Screened person ``i``; ``j`` is their place among the enrolled (None: a screen failure)."""
    genes = _genes(plan, plan.disease, s.gene_draws[i])
    consent_year = (plan.start + timedelta(days=int(s.consent[i]))).year
    birth_year = consent_year - int(s.age[i]) - (1 if s.birth_offset[i] < 180 else 0)
    return Patient(
        index=i,
        usubjid=f"{plan.studyid}-{subjid}",
        subjid=subjid,
        site=site,
        country=country,
        consent_day=int(s.consent[i]),
        age=int(s.age[i]),
        birth_year=birth_year,
        sex=s.sex[i],
        enrolled=j is not None,
        failed_criterion=plan.criteria[int(s.failed_criterion[i])] if j is None else None,
        arm=allocated[0] if allocated is not None else None,
        stratum=allocated[1] if allocated is not None else None,
        ecog=int(s.ecog[i]),
        stage=s.stage[i],
        histology=s.histology[i],
        primary_site=s.primary[i],
        genes=genes,
        tps=float(s.tps[i]),
        assay=s.assay[i],
        height=float(s.height[i]),
        weight=float(s.weight[i]),
        pfs_days=float(latent.pfs[j]) if j is not None else math.nan,
        death_first=bool(latent.death_first[j]) if j is not None else False,
        os_days=float(latent.os[j]) if j is not None else math.nan,
        dropout_days=float(latent.dropout[j]) if j is not None else math.inf,
        responder=bool(latent.responder[j]) if j is not None else False,
        complete=bool(latent.complete[j]) if j is not None else False,
        onset_scan=int(latent.onset[j]) if j is not None else 0,
        pd_scan=int(latent.pd_scan[j]) if j is not None else 0,
        mechanism=str(latent.mechanism[j]) if j is not None else "target",
        treated=bool(latent.treated[j]) if j is not None else False,
    )


def _truth_row(patient: Patient) -> dict[str, object]:
    return {
        "USUBJID": patient.usubjid,
        "ARMCD": patient.arm.code if patient.arm else None,
        "TREATED": patient.treated,
        "PFS_DAYS": patient.pfs_days,
        "DEATH_FIRST": patient.death_first,
        "OS_DAYS": patient.os_days,
        "DROPOUT_DAYS": patient.dropout_days,
        "RESPONDER": patient.responder,
        "COMPLETE": patient.complete,
        "PD_SCAN": patient.pd_scan,
        "TPS": patient.tps,
    }


def _genes(
    plan: TrialPlan, disease: Disease, draws: npt.NDArray[np.float64]
) -> tuple[tuple[str, str], ...]:
    negative, positive = baseline.MUTATION_STATUS.codes
    mss, msi_high = baseline.MSI_STATUS.codes
    egfr, alk, ros1, kras, braf, nras = baseline.GENES

    def status(draw: float, rate: float) -> str:
        return positive if draw < rate else negative

    if disease is Disease.CRC_LIVER:
        return (
            (kras, status(draws[0], 0.45)),
            (nras, status(draws[1], 0.04)),
            (braf, status(draws[2], 0.08)),
            (baseline.MSI, msi_high if draws[3] < 0.04 else mss),
        )
    driver = 0.0 if plan.driver_negative else 1.0
    return (
        (egfr, status(draws[0], 0.12 * driver)),
        (alk, status(draws[1], 0.03 * driver)),
        (ros1, status(draws[2], 0.01 * driver)),
        (kras, status(draws[3], 0.25)),
    )
