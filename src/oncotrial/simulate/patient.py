"""One patient's course, written as SDTM rows: screening, allocation, treatment, scans, safety.

The population-level draws (who is enrolled, arm, baseline characteristics, latent PFS/OS,
responders) come in ``Patient``; this module draws everything else from the patient's own random
generator, so that one patient's data does not depend on how many numbers another one used.
Days count from the simulation's start date (day 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from oncotrial.catalogue import baseline, labs, subject, treatment, tumour
from oncotrial.catalogue.common import (
    END_OF_TREATMENT_VISIT,
    EPOCH_FOLLOW_UP,
    EPOCH_TREATMENT,
    LATERALITY,
    NOT_DONE,
    SCREENING,
    SURVIVAL_FOLLOW_UP_VISIT,
    VISITNUM_END_OF_TREATMENT,
    VISITNUM_SCREENING,
    VISITNUM_SURVIVAL_FOLLOW_UP,
    YES,
    assessment_visit,
    cycle_visit,
)
from oncotrial.catalogue.model import Test
from oncotrial.catalogue.safety import (
    ACTIONS,
    FATAL,
    NOT_RECOVERED,
    NOT_RELATED,
    RECOVERED,
    RELATED,
    relatedness_variable,
)
from oncotrial.catalogue.tumour import LYMPH_NODE, LesionRole, LesionState
from oncotrial.response import codes as rc
from oncotrial.response.reading import NewLesion, ScanReader
from oncotrial.response.settings import ResponseCriteria
from oncotrial.simulate.frames import Tables
from oncotrial.simulate.parameters import DesignParameters
from oncotrial.simulate.plan import ArmPlan, InterventionPlan, TrialPlan
from oncotrial.simulate.profiles import (
    AE_PROFILES,
    LABS,
    NEW_LESION_SITES,
    NON_TARGET_SITES,
    ORGANS,
    TSH_LOW,
    AeSpec,
    Disease,
    LabSpec,
    OrganSpec,
)

__all__ = ["AeTerm", "Course", "Patient", "simulate_course", "simulate_screen_failure"]

NEVER = 10**9
_ECOG = baseline.ECOG_TEST
_QOL = baseline.QOL_GLOBAL_TEST
_EAST_ASIA = ("CHN", "JPN", "KOR", "TWN", "HKG")  # recorded as RACE ASIAN (simulated data)
_ASIAN, _NOT_REPORTED = "ASIAN", "NOT REPORTED"
_NOT_HISPANIC = "NOT HISPANIC OR LATINO"
_NODE = LYMPH_NODE
_CT, _MRI = tumour.IMAGING_METHODS.codes
_METHOD = {"BRAIN": _MRI}  # brain lesions are imaged by MRI
_INVESTIGATOR = tumour.EVALUATORS.codes[0]
_LEFT, _RIGHT, _ = LATERALITY.codes
_LIVER, _LUNG = "LIVER", "LUNG"  # the ablated primary tumour's organ
_CREAT, _TSH = labs.CREAT.testcd, labs.TSH.testcd
_NOT_CHANGED, _INTERRUPTED, _REDUCED, _WITHDRAWN, _NOT_APPLICABLE = ACTIONS.codes


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


@dataclass
class _Event:
    """An adverse event while the course is drawn (grade and action may change)."""

    spec: AeSpec
    onset: int
    end: int
    grade: int
    serious: str
    action: str
    related: bool
    source: int
    other: str | None


@dataclass
class _Lesion:
    link: str
    organ: str
    detail: str | None
    side: str | None
    node: bool
    size: float = 0.0
    spread: float = 1.0


def _visit(plan: TrialPlan, k: int) -> tuple[str, float]:
    name, number = assessment_visit(k, plan.imaging_interval_days)
    return name, float(number)


def _pick_organs(rng: np.random.Generator, specs: tuple[OrganSpec, ...], n: int) -> list[OrganSpec]:
    chosen: list[OrganSpec] = []
    counts: dict[str, int] = {}
    weights = np.array([s.weight for s in specs])
    while len(chosen) < n:
        spec = specs[int(rng.choice(len(specs), p=weights / weights.sum()))]
        if counts.get(spec.location, 0) >= 2:  # RECIST 1.1 §4.2: at most two targets per organ
            if all(counts.get(s.location, 0) >= 2 for s in specs):
                break
            continue
        counts[spec.location] = counts.get(spec.location, 0) + 1
        chosen.append(spec)
    return chosen


def _side(rng: np.random.Generator, lateral: bool) -> str | None:
    return (_LEFT if rng.random() < 0.5 else _RIGHT) if lateral else None


def _baseline_lesions(
    rng: np.random.Generator, disease: Disease
) -> tuple[list[_Lesion], list[_Lesion]]:
    n_targets = (
        int(rng.integers(2, 4)) if disease is Disease.NSCLC_EARLY else int(rng.integers(2, 6))
    )
    targets = []
    for number, spec in enumerate(_pick_organs(rng, ORGANS[disease], n_targets), start=1):
        if spec.node:  # short axis >= 15 mm to be a target node (RECIST 1.1 §3.1.1)
            size = 15.0 + float(rng.lognormal(math.log(6.0), 0.5))
        else:
            size = 10.0 + float(rng.lognormal(math.log(14.0), 0.5))
        targets.append(
            _Lesion(
                link=tumour.link_id(LesionRole.TARGET, number),
                organ=spec.location,
                detail=str(rng.choice(spec.details)) if spec.details else None,
                side=_side(rng, spec.lateral),
                node=spec.node,
                size=float(min(round(size), 90.0)),
                spread=float(math.exp(rng.normal(0.0, 0.15))),
            )
        )
    n_non = int(rng.choice(4, p=[0.3, 0.35, 0.25, 0.1]))
    sites = NON_TARGET_SITES[disease]
    non_targets = [
        _Lesion(
            link=tumour.link_id(LesionRole.NON_TARGET, number),
            organ=str(sites[int(rng.integers(len(sites)))]),
            detail=None,
            side=None,
            node=False,
        )
        for number in range(1, n_non + 1)
    ]
    for lesion in non_targets:
        lesion.node = lesion.organ == _NODE
    return targets, non_targets


def simulate_screen_failure(
    t: Tables, p: Patient, plan: TrialPlan, rng: np.random.Generator
) -> Course:
    day = p.consent_day + int(rng.integers(3, 22))
    assert p.failed_criterion is not None
    code, category, text = p.failed_criterion
    t.put("DS", USUBJID=p.usubjid, **subject.consent_record(), DSSTDTC=p.consent_day)
    t.put("DS", USUBJID=p.usubjid, **subject.screen_failure_record(text), DSSTDTC=day)
    t.put(
        "IE",
        USUBJID=p.usubjid,
        **subject.criterion_not_met_record(code, text, category),
        VISIT=SCREENING,
        VISITNUM=VISITNUM_SCREENING,
        IEDTC=day,
    )
    _demographics(t, p, plan, None, None, day, None, subject.SCREEN_FAILURE)
    return Course(None, None, day, None)


def _demographics(
    t: Tables,
    p: Patient,
    plan: TrialPlan,
    first: int | None,
    last: int | None,
    end: int,
    death: int | None,
    reason: str | None,
) -> None:
    arm = p.arm
    treated = first is not None
    t.put(
        "DM",
        USUBJID=p.usubjid,
        SUBJID=p.subjid,
        RFSTDTC=first,
        RFENDTC=last,
        RFXSTDTC=first,
        RFXENDTC=last,
        RFICDTC=p.consent_day,
        RFPENDTC=end,
        DTHDTC=death,
        DTHFL=YES if death is not None else None,
        SITEID=p.site,
        BRTHDTC=str(p.birth_year),
        AGE=float(p.age),
        AGEU=subject.AGE_UNIT,
        SEX=p.sex,
        RACE=_ASIAN if p.country in _EAST_ASIA else _NOT_REPORTED,
        ETHNIC=_NOT_HISPANIC if p.country in _EAST_ASIA else _NOT_REPORTED,
        ARMCD=arm.code if arm else None,
        ARM=arm.label if arm else None,
        ACTARMCD=arm.code if arm and treated else None,
        ACTARM=arm.label if arm and treated else None,
        ARMNRS=reason,
        COUNTRY=p.country or None,
        DMDTC=p.consent_day,
    )


class _Course:
    """The state of one enrolled patient's simulated course."""

    def __init__(
        self,
        t: Tables,
        p: Patient,
        plan: TrialPlan,
        params: DesignParameters,
        rng: np.random.Generator,
        cutoff: int,
        ae_terms: dict[str, AeTerm],
    ) -> None:
        self.t, self.p, self.plan, self.params, self.rng = t, p, plan, params, rng
        self.cutoff = cutoff
        self.ae_terms = ae_terms
        assert p.arm is not None
        self.arm: ArmPlan = p.arm
        self.u = p.usubjid

    # -- screening ---------------------------------------------------------------------------
    def screening(self) -> None:
        p, t, rng, u = self.p, self.t, self.rng, self.u
        self.screen_day = p.consent_day + int(rng.integers(0, 4))
        self.baseline_scan = p.consent_day + int(rng.integers(0, 11))
        self.allocation = max(self.baseline_scan, self.screen_day) + int(rng.integers(3, 15))
        t.put("DS", USUBJID=u, **subject.consent_record(), DSSTDTC=p.consent_day)
        kind = subject.RANDOMIZED if self.plan.randomized else subject.ENROLLED
        t.put(
            "DS",
            USUBJID=u,
            **subject.allocation_record(kind, p.stratum),
            VISIT=SCREENING,
            VISITNUM=VISITNUM_SCREENING,
            DSSTDTC=self.allocation,
        )
        d = self.screen_day
        at_screening = {"VISIT": SCREENING, "VISITNUM": float(VISITNUM_SCREENING)}
        for test, text in ((baseline.HEIGHT_TEST, f"{p.height:.0f}"),
                           (baseline.WEIGHT_TEST, f"{p.weight:.1f}")):  # fmt: skip
            t.put(
                "VS",
                USUBJID=u,
                **test.codes(),
                **test.result(text, float(text)),
                VSBLFL=YES,
                **at_screening,
                VSDTC=d,
            )
        self._ecog(p.ecog, SCREENING, 1.0, d, baseline=True)
        self.qol_base = float(np.clip(rng.normal(66.0, 17.0), 0.0, 100.0))
        self._qol(self.qol_base, SCREENING, 1.0, d, baseline=True)
        for test, value in (
            (baseline.STAGE_TEST, p.stage),
            (baseline.HISTOLOGY_TEST, p.histology),
            (baseline.PRIMARY_SITE_TEST, p.primary_site),
        ):
            t.put("SC", USUBJID=u, **test.codes(), **test.result(value), **at_screening, SCDTC=d)
        for gene, status in p.genes:
            test = baseline.gene_test(gene)
            t.put(
                "GF",
                USUBJID=u,
                **test.codes(),
                **test.result(status),
                GFMETHOD=test.method,
                GFSPEC=test.specimen,
                **at_screening,
                GFDTC=d,
            )
        pdl1 = baseline.PDL1_TEST
        evaluable = not math.isnan(p.tps)
        tps = f"{p.tps:.0f}" if evaluable else None
        t.put(
            "MI",
            USUBJID=u,
            **pdl1.codes(),
            **(pdl1.result(tps, float(f"{p.tps:.0f}")) if evaluable else {}),
            MISTAT=None if evaluable else NOT_DONE,
            MIREASND=None if evaluable else baseline.PDL1_NOT_EVALUABLE,
            MIMETHOD=pdl1.method,
            MISPEC=pdl1.specimen,
            SPDEVID=p.assay,
            **at_screening,
            MIDTC=d,
        )
        self._prior_therapy()
        self.lab_base = {
            lab.testcd: float(lab.median * math.exp(rng.normal(0.0, lab.spread))) for lab in LABS
        }
        # Eligibility asks for adequate organ function: baseline values inside 1.5 × the range.
        for lab in LABS:
            self.lab_base[lab.testcd] = float(
                np.clip(self.lab_base[lab.testcd], lab.low * 0.8, lab.high * 1.4)
            )

    def _prior_therapy(self) -> None:
        if self.plan.prior_lines == 0:
            return
        if self.plan.disease is Disease.CRC_LIVER:
            regimen = ["OXALIPLATIN", "FLUOROURACIL", "BEVACIZUMAB"]
        else:
            regimen = [
                "CARBOPLATIN",
                "PEMETREXED" if "ADENO" in self.p.histology else "PACLITAXEL",
                "TISLELIZUMAB",
            ]
        start = self.p.consent_day - int(self.rng.integers(150, 400))
        end = self.p.consent_day - int(self.rng.integers(21, 60))
        for drug in regimen:
            self.t.put(
                "CM",
                USUBJID=self.u,
                CMTRT=drug,
                CMCAT=treatment.PRIOR_THERAPY,
                CMINDC=treatment.PRIMARY_MALIGNANCY,
                CMSTDTC=start,
                CMENDTC=end,
            )

    def _ecog(
        self, value: int, visit: str, visitnum: float, day: int, baseline: bool = False
    ) -> None:
        self._score(_ECOG, str(value), float(value), visit, visitnum, day, baseline)

    def _qol(
        self, score: float, visit: str, visitnum: float, day: int, baseline: bool = False
    ) -> None:
        # QLQ-C30 global health status: two 1–7 items, scored (mean − 1) / 6 × 100 (EORTC manual).
        items = round((score / 100.0) * 12.0)
        value = round(items / 12.0 * 100.0, 2)
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        self._score(_QOL, text, float(text), visit, visitnum, day, baseline)

    def _score(
        self,
        test: Test,
        text: str,
        number: float,
        visit: str,
        visitnum: float,
        day: int,
        baseline: bool,
    ) -> None:
        """A QS score (ECOG, QLQ-C30) as the catalogue's test writes it."""
        self.t.put(
            test.domain,
            USUBJID=self.u,
            **test.codes(),
            **test.result(text, number),
            QSBLFL=YES if baseline else None,
            VISIT=visit,
            VISITNUM=visitnum,
            QSDTC=day,
        )

    # -- timeline ------------------------------------------------------------------------------
    def timeline(self) -> None:
        p, rng = self.p, self.rng
        local_before = [i for i in self.arm.local if i.before_first_dose]
        self.procedure_day: int | None = None
        if local_before:
            self.procedure_day = self.allocation + int(rng.integers(1, 6))
            self.first_dose = self.procedure_day + int(rng.integers(3, 11))
        else:
            self.first_dose = self.allocation + int(rng.integers(1, 8))
        if not self.arm.drugs and self.procedure_day is not None:
            self.first_dose = self.procedure_day
        self.reference = (
            self.allocation if self.plan.reference == "randomization" else self.first_dose
        )
        self.death = self.reference + round(p.os_days) if math.isfinite(p.os_days) else NEVER
        self.dropout = (
            self.reference + round(p.dropout_days) if math.isfinite(p.dropout_days) else NEVER
        )
        if not p.treated:
            self.dropout = min(self.dropout, self.allocation + int(rng.integers(1, 8)))
        self.dropout = max(self.dropout, self.allocation + 1)
        self.death = max(self.death, self.allocation + 1)

    # -- adverse events (drawn before scans: a fatal one ends the course) ----------------------
    def adverse_events(self) -> None:
        self.events: list[_Event] = []
        horizon = min(self.death, self.dropout, self.cutoff)
        planned_end = self.reference + int(self.p.pd_scan * self.plan.imaging_interval_days)
        drug_window_end = min(planned_end, horizon) + 90
        for position, intervention in enumerate(self.arm.interventions):
            source = self._intervention_number(intervention)
            if intervention.kind == "drug":
                start = self.first_dose
                window_end = drug_window_end
            else:
                start = self._local_day(intervention)
                window_end = start + 120
            for profile in intervention.profiles:
                for spec in AE_PROFILES[profile]:
                    if self.rng.random() >= spec.incidence:
                        continue
                    onset = start + self._onset(spec)
                    if onset > window_end or onset >= horizon or onset < start:
                        continue
                    self.events.append(self._event(spec, onset, intervention, source, position))
        fatal = [e for e in self.events if e.grade == 5]
        if fatal:
            first = min(fatal, key=lambda e: e.onset)
            death_day = first.onset + int(self.rng.integers(0, 8))
            if death_day < self.death:
                self.death = death_day
                self.fatal_event = first
            for event in fatal:
                if event is not first:
                    event.grade = 4
        self.lab_events = [e for e in self.events if e.spec.lab is not None]
        self.withdrawn = min(
            (e.onset for e in self.events if e.action == _WITHDRAWN),
            default=NEVER,
        )

    def _intervention_number(self, intervention: InterventionPlan) -> int:
        try:
            return self.plan.interventions.index(intervention.name) + 1
        except ValueError:
            return 0

    def _local_day(self, intervention: InterventionPlan) -> int:
        if intervention.kind == "radiation":
            if not hasattr(self, "_radiation_day"):
                self._radiation_day = self.allocation + int(self.rng.integers(7, 22))
            return self._radiation_day
        if intervention.before_first_dose and self.procedure_day is not None:
            return self.procedure_day
        if not hasattr(self, "_late_procedure_day"):
            self._late_procedure_day = self.first_dose + int(self.rng.integers(1, 15))
        return self._late_procedure_day

    def _onset(self, spec: AeSpec) -> int:
        if spec.onset_days <= 1:
            return int(self.rng.integers(0, 3))
        return round(float(self.rng.lognormal(math.log(spec.onset_days), 0.6)))

    def _event(
        self, spec: AeSpec, onset: int, intervention: InterventionPlan, source: int, position: int
    ) -> _Event:
        rng = self.rng
        if rng.random() < spec.severe:
            grade = 5 if rng.random() < spec.fatal else (4 if rng.random() < 0.1 else 3)
        else:
            grade = 1 if rng.random() < 0.65 else 2
        grade = max(spec.min_grade, min(grade, spec.max_grade))
        if grade == 5 and spec.max_grade < 5:
            grade = spec.max_grade
        duration = max(
            1,
            round(
                float(rng.lognormal(math.log(spec.duration_days * (1 + 0.3 * (grade - 1))), 0.5))
            ),
        )
        if intervention.kind != "drug":
            action = _NOT_APPLICABLE
        elif grade >= 3 and spec.immune:
            action = _WITHDRAWN if rng.random() < 0.7 else _INTERRUPTED
        elif grade >= 3 or (grade == 2 and spec.immune and rng.random() < 0.5):
            action = _INTERRUPTED
        else:
            action = _NOT_CHANGED
        related = rng.random() < 0.9
        return _Event(
            spec=spec,
            onset=onset,
            end=onset + duration,
            grade=grade,
            serious="Y" if grade >= 4 or (grade == 3 and rng.random() < 0.5) else "N",
            action=action,
            related=related,
            source=source,
            other=spec.other_action if grade >= 2 else None,
        )

    # -- tumour assessments ----------------------------------------------------------------------
    def tumour(self) -> None:
        p, plan, rng, t, u = self.p, self.plan, self.rng, self.t, self.u
        targets, non_targets = _baseline_lesions(rng, plan.disease)
        self.baseline_lesions = targets + non_targets
        self.pd_day: int | None = None
        self.last_scan = self.baseline_scan
        self.scans_done: list[int] = []
        for lesion in targets + non_targets:
            role = tumour.role_of_link(lesion.link)
            t.put(
                "TU",
                USUBJID=u,
                **tumour.lesion_record(
                    lesion.link,
                    role,
                    lesion.organ,
                    detail=lesion.detail,
                    laterality=lesion.side,
                    method=_METHOD.get(lesion.organ, _CT),
                    evaluator=_INVESTIGATOR,
                ),
                VISIT=SCREENING,
                VISITNUM=float(VISITNUM_SCREENING),
                TUDTC=self.baseline_scan,
            )
        baseline_values: list[float | None] = [lesion.size for lesion in targets]
        self._measure(
            targets,
            baseline_values,
            non_targets,
            [LesionState.PRESENT] * len(non_targets),
            None,
            SCREENING,
            1.0,
            self.baseline_scan,
        )
        baseline_sum = float(sum(lesion.size for lesion in targets))
        nadir = baseline_sum
        # Each scan is read by the response engine's rules with the protocol's criteria.
        reader = self.reader = ScanReader(
            [lesion.size for lesion in targets],
            [lesion.node for lesion in targets],
            len(non_targets),
            plan.response,
        )
        irecist = plan.response.criteria is ResponseCriteria.IRECIST
        iupd_sum = 0.0
        stop = min(self.death - 1, self.dropout, self.cutoff) if p.treated else -1
        interval, window = plan.imaging_interval_days, plan.imaging_window_days
        plateau = float(rng.uniform(0.82, 1.08))
        pre_response = float(rng.uniform(0.78, 0.95))
        depth = float(rng.uniform(0.2, 0.62))
        growth = float(rng.uniform(1.3, 1.6))
        mechanism = p.mechanism if (p.mechanism != "non-target" or non_targets) else "target"
        if p.complete and mechanism == "target":
            mechanism = "new"
        new_lesion: _Lesion | None = None
        # A complete response leaves nodes below 10 mm short axis (RECIST 1.1 §4.3.1), each at
        # its own size from scan to scan.
        residual_nodes = {
            lesion.link: float(rng.integers(5, 10)) for lesion in targets if lesion.node
        }
        planned_nadir = 1.0
        nadir_values: list[float | None] | None = list(baseline_values)
        k = 0
        while True:
            k += 1
            day = self.reference + k * interval + int(rng.integers(-window, window + 1))
            if day <= self.last_scan:
                day = self.last_scan + 7
            if day > stop:
                break
            progressing = not p.death_first and k >= p.pd_scan
            responding = p.responder and k >= p.onset_scan
            if progressing and mechanism == "target":
                ratio = (
                    planned_nadir
                    * max(growth, 1.0 + 8.0 / max(planned_nadir * baseline_sum, 1.0))
                    * 1.05 ** (k - p.pd_scan)
                )
            elif responding:
                ratio = depth
            elif p.responder:
                ratio = pre_response
            else:
                ratio = plateau * (1.0 + float(rng.uniform(-0.015, 0.015)))
            if irecist and reader.awaiting_confirmation and mechanism == "target":
                # iRECIST: the growth goes on after iUPD, so a later scan can confirm it (+5 mm).
                ratio = max(ratio, (iupd_sum + 8.0) / baseline_sum)
            if not progressing:
                planned_nadir = min(planned_nadir, ratio)
            if rng.random() < self.params.missed_scan_rate:
                continue  # the scan was not done
            if p.complete and responding and not (progressing and mechanism == "target"):
                values: list[float | None] = [
                    residual_nodes.get(lesion.link, 0.0) for lesion in targets
                ]
            else:
                values = self._sizes(targets, ratio, baseline_sum)
                planned = (
                    "PD"
                    if progressing and mechanism == "target"
                    else ("PR" if responding else "SD")
                )
                if self._target_reading(values) != planned:
                    # Measurement noise must not change what the kinetics planned (a false PD
                    # after a noisy low nadir, a response lost to rounding): measure without it,
                    # and failing that repeat the measurements of the nadir.
                    values = self._sizes(targets, ratio, baseline_sum, noise=False)
                    if (
                        self._target_reading(values) != planned
                        and planned != "PD"
                        and nadir_values is not None
                    ):
                        values = list(nadir_values)
            if not progressing and rng.random() < self.params.unevaluable_scan_rate:
                values[int(rng.integers(len(values)))] = None
            states: list[str | None] = []
            for number, _lesion in enumerate(non_targets):
                if progressing and mechanism == "non-target" and number == 0:
                    # iRECIST: once iUPD, any further increase confirms it.
                    awaiting = irecist and reader.awaiting_confirmation
                    states.append(LesionState.INCREASED if awaiting else LesionState.PROGRESSION)
                elif p.complete and responding:
                    states.append(LesionState.ABSENT)
                else:
                    states.append(LesionState.PRESENT)
            visit, visitnum = _visit(plan, k)
            if progressing and mechanism == "new" and new_lesion is None:
                sites = NEW_LESION_SITES[plan.disease]
                organ = str(sites[int(rng.integers(len(sites)))])
                new_lesion = _Lesion(
                    tumour.link_id(LesionRole.NEW, 1), organ, None, None, organ == _NODE
                )
                new_lesion.size = float(rng.integers(10, 26)) if rng.random() < 0.6 else 0.0
                t.put(
                    "TU",
                    USUBJID=u,
                    **tumour.lesion_record(
                        new_lesion.link,
                        LesionRole.NEW,
                        organ,
                        method=_METHOD.get(organ, _CT),
                        evaluator=_INVESTIGATOR,
                    ),
                    VISIT=visit,
                    VISITNUM=visitnum,
                    TUDTC=day,
                )
            elif new_lesion is not None and irecist and reader.awaiting_confirmation:
                # iRECIST: the new lesion grows (or is now measured), which confirms the iUPD.
                new_lesion.size = new_lesion.size + 6.0 if new_lesion.size else 10.0
            self._measure(targets, values, non_targets, states, new_lesion, visit, visitnum, day)
            new = [] if new_lesion is None else [NewLesion(new_lesion.link, None, new_lesion.size)]
            point = reader.read(day, values, states, new)
            if point.overall == rc.IUPD and not iupd_sum:
                iupd_sum = sum(v for v in values if v is not None)
            if point.target_sum is not None and point.target_sum <= nadir:
                nadir = point.target_sum
                nadir_values = list(values)
            self._responses(
                point.target,
                point.nontarget,
                point.new,
                point.overall,
                visit,
                visitnum,
                day,
            )
            self.scans_done.append(day)
            self.last_scan = day
            self._qol_at(point.recist_overall, visit, visitnum, day)
            if point.progression:
                self.pd_day = day
                break

    def _target_reading(self, values: list[float | None]) -> str:
        """The target response of ``values`` (PR for CR too: both are responses)."""
        target = self.reader.target_category(values)
        return "PR" if target == "CR" else target

    def _sizes(
        self, targets: list[_Lesion], ratio: float, baseline_sum: float, noise: bool = True
    ) -> list[float | None]:
        raw = [lesion.size * ratio**lesion.spread for lesion in targets]
        scale = ratio * baseline_sum / max(sum(raw), 1e-9)
        values: list[float | None] = []
        errors = self.rng.normal(0.0, 0.6, len(targets)) if noise else np.zeros(len(targets))
        for lesion, size, error in zip(targets, raw, errors.tolist(), strict=True):
            value = round(size * scale + error)
            if lesion.node:
                values.append(float(max(value, 1)))
            else:
                values.append(float(max(value, 5)))  # "too small to measure" is 5 mm (RECIST 1.1)
        return values

    def _measure(
        self,
        targets: list[_Lesion],
        values: list[float | None],
        non_targets: list[_Lesion],
        states: list[str | None],
        new_lesion: _Lesion | None,
        visit: str,
        visitnum: float,
        day: int,
    ) -> None:
        t, u = self.t, self.u
        common = {
            "TRMETHOD": _CT,
            "TREVAL": _INVESTIGATOR,
            "TRACPTFL": tumour.ACCEPTED,
            "VISIT": visit,
            "VISITNUM": visitnum,
            "TRDTC": day,
        }
        target = {"USUBJID": u, "TRGRPID": LesionRole.TARGET}
        for lesion, value in zip(targets, values, strict=True):
            if value is None:
                result = tumour.not_done_record(
                    tumour.diameter_test(lesion.node), tumour.NOT_ASSESSABLE
                )
            else:
                result = tumour.diameter_record(lesion.node, f"{value:.0f}", value)
            t.put("TR", **target, TRLNKID=lesion.link, **result, **common)
        for lesion, state in zip(non_targets, states, strict=True):
            t.put(
                "TR",
                USUBJID=u,
                TRGRPID=LesionRole.NON_TARGET,
                TRLNKID=lesion.link,
                **tumour.state_record(state),
                **common,
            )
        if new_lesion is not None:
            new = {"USUBJID": u, "TRGRPID": LesionRole.NEW, "TRLNKID": new_lesion.link}
            t.put("TR", **new, **tumour.state_record(LesionState.PRESENT), **common)
            if new_lesion.size:
                size = new_lesion.size
                t.put("TR", **new, **tumour.diameter_record(new_lesion.node, f"{size:.0f}", size),
                      **common)  # fmt: skip

    def _responses(
        self,
        target: str | None,
        non_target: str | None,
        new: str,
        overall: str,
        visit: str,
        visitnum: float,
        day: int,
    ) -> None:
        rows = [(tumour.TARGET_RESPONSE, target)]
        if non_target is not None:
            rows.append((tumour.NON_TARGET_RESPONSE, non_target))
        rows.append((tumour.OVERALL_RESPONSE, overall))  # new lesions: TU/TR NEW records
        for test, value in rows:
            self.t.put(
                "RS",
                USUBJID=self.u,
                **tumour.response_record(test, value, self.plan.response.criteria.value),
                RSEVAL=_INVESTIGATOR,
                RSACPTFL=tumour.ACCEPTED,
                VISIT=visit,
                VISITNUM=visitnum,
                RSDTC=day,
            )

    def _qol_at(self, overall: str, visit: str, visitnum: float, day: int) -> None:
        shift = {
            tumour.CR: 10.0,
            tumour.PR: 6.0,
            tumour.SD: 0.0,
            tumour.NON_CR_NON_PD: 0.0,
            tumour.NE: -2.0,
            tumour.PD: -12.0,
        }
        score = float(
            np.clip(self.qol_base + shift.get(overall, 0.0) + self.rng.normal(0, 8), 0, 100)
        )
        self._qol(score, visit, visitnum, day)

    # -- treatment --------------------------------------------------------------------------------
    def treatment(self) -> None:
        p, rng, t, u = self.p, self.rng, self.t, self.u
        self.doses: list[int] = []
        self.eot_reason: str | None = None
        self.eot_day: int | None = None
        if not p.treated:
            return
        for intervention in self.arm.local:
            start = self._local_day(intervention)
            if start >= min(self.death, self.dropout, self.cutoff):
                continue
            end = start + (13 if intervention.kind == "radiation" else 0)
            target_site = _LIVER if self.plan.disease is Disease.CRC_LIVER else _LUNG
            side = _LEFT if rng.random() < 0.45 else _RIGHT
            # Radiotherapy treats the recorded residual lesions (trial 001: "local radiotherapy to
            # all residual tumors"), one record per lesion linked by PRLNKID = TULNKID so that
            # local control can be judged lesion by lesion (docs/sdtm.md, PR). An ablation treats
            # the primary tumour, which is not a recorded lesion.
            sites: list[tuple[str, str | None, str | None]] = (
                [(lesion.organ, lesion.side, lesion.link) for lesion in self.baseline_lesions]
                if intervention.kind == "radiation" and self.baseline_lesions
                else [(target_site, side, None)]
            )
            for location, laterality, link in sites:
                t.put(
                    "PR",
                    USUBJID=u,
                    PRTRT=intervention.sdtm_name,
                    PRCAT=treatment.LOCAL_THERAPY,
                    PRDOSE=intervention.dose if intervention.kind == "radiation" else None,
                    PRDOSU=intervention.unit
                    if intervention.kind == "radiation" and intervention.dose
                    else None,
                    PRLOC=location,
                    PRLAT=laterality,
                    PRLNKID=link,
                    EPOCH=EPOCH_TREATMENT,
                    PRSTDTC=start,
                    PRENDTC=end,
                )
            self.doses.append(start)
        drugs = self.arm.drugs
        if not drugs:
            return
        stop = min(
            self.pd_day if self.pd_day is not None else NEVER,
            self.death,
            self.dropout,
            self.cutoff + 1,
            self.withdrawn + 1,
        )
        interruptions = [
            (e.onset, e.end) for e in self.events if e.action == _INTERRUPTED and e.source > 0
        ]
        max_cycles = max(d.max_cycles for d in drugs)
        cycle_days = drugs[0].interval_days
        day = self.first_dose
        cycle = 0
        while cycle < max_cycles and day < stop:
            cycle += 1
            adjustment = None
            if cycle > 1:
                held = [end for onset, end in interruptions if onset <= day <= end]
                if held:
                    day = max(held) + int(rng.integers(1, 8))
                    adjustment = treatment.DELAYED_FOR_AE
                elif rng.random() < self.params.dose_delay_rate:
                    day += int(rng.integers(3, 11))
                    adjustment = treatment.DELAYED_FOR_SCHEDULING
                if day >= stop:
                    break
            visit, number = cycle_visit(cycle)
            visitnum = float(number)
            for drug in drugs:
                if cycle > drug.max_cycles:
                    continue
                end = day + cycle_days - 1 if drug.oral_daily else day
                end = min(end, stop - 1)
                t.put(
                    "EX",
                    USUBJID=u,
                    EXTRT=drug.sdtm_name,
                    EXDOSE=drug.dose,
                    EXDOSU=drug.unit if drug.dose is not None else None,
                    EXDOSFRM=drug.form,
                    EXDOSFRQ=drug.frequency,
                    EXROUTE=drug.route,
                    EXADJ=adjustment,
                    EPOCH=EPOCH_TREATMENT,
                    VISIT=visit,
                    VISITNUM=visitnum,
                    EXSTDTC=day,
                    EXENDTC=end,
                )
            self.doses.append(day)
            self._labs(day, visit, visitnum, cycle)
            day += cycle_days
        last = self.doses[-1] if self.doses else None
        candidates = [
            (
                self.pd_day + int(rng.integers(1, 8)) if self.pd_day is not None else NEVER,
                subject.PROGRESSIVE_DISEASE,
            ),
            (self.withdrawn, subject.ADVERSE_EVENT),
            (self.death, subject.DEATH),
            (self.dropout, self.dropout_reason),
        ]
        day_, reason = min(candidates, key=lambda c: c[0])
        if cycle >= max_cycles and last is not None and last + cycle_days <= day_:
            day_, reason = last + cycle_days, subject.COMPLETED
        if day_ <= self.cutoff and day_ < NEVER:
            self.eot_day, self.eot_reason = max(day_, last or day_), reason
            self.t.put(
                "DS",
                USUBJID=u,
                **subject.disposition_record(subject.END_OF_TREATMENT, reason),
                VISIT=END_OF_TREATMENT_VISIT,
                VISITNUM=float(VISITNUM_END_OF_TREATMENT),
                DSSTDTC=self.eot_day,
            )
            if reason != subject.DEATH and self.eot_day < min(self.death, self.dropout):
                worse = min(5, self.p.ecog + (1 if reason == subject.PROGRESSIVE_DISEASE else 0))
                self._ecog(worse, END_OF_TREATMENT_VISIT, VISITNUM_END_OF_TREATMENT, self.eot_day)

    @property
    def dropout_reason(self) -> str:
        if not hasattr(self, "_dropout_reason"):
            self._dropout_reason = subject.WITHDRAWAL if self.rng.random() < 0.6 else subject.LOST
        return self._dropout_reason

    def _labs(self, day: int, visit: str, visitnum: float, cycle: int) -> None:
        # Pre-dose draws every other cycle from cycle 2 (the screening draw is the baseline):
        # liver tests and blood counts each time, TSH at every other draw, creatinine at screening.
        if cycle % 2 == 1:
            return
        noise = np.exp(self.rng.normal(0.0, 0.1, len(LABS)))
        for lab, factor in zip(LABS, noise.tolist(), strict=True):
            if lab.testcd == _CREAT or (lab.testcd == _TSH and cycle % 4 != 2):
                continue
            self._lab(lab, day, visit, visitnum, False, self.lab_base[lab.testcd] * factor)

    def screening_labs(self) -> None:
        for lab in LABS:
            self._lab(lab, self.screen_day, SCREENING, 1.0, True, self.lab_base[lab.testcd])

    def _lab(
        self, lab: LabSpec, day: int, visit: str, visitnum: float, baseline: bool, value: float
    ) -> None:
        if not baseline:
            for event in self.lab_events:
                spec: AeSpec = event.spec
                if not event.onset <= day <= event.end:
                    continue
                assert spec.lab is not None
                linked = _abnormal(spec.lab, lab, event.grade, self.rng)
                if linked is not None:
                    value = linked
        text = f"{value:.{lab.decimals}f}"
        number = float(text)
        self.t.put(
            "LB",
            USUBJID=self.u,
            **labs.result_record(
                lab.test,
                text,
                number,
                low=lab.low,
                high=lab.high,
                low_text=f"{lab.low:g}",
                high_text=f"{lab.high:g}",
                indicator=labs.reference_indicator(number, lab.low, lab.high),
            ),
            LBBLFL=YES if baseline else None,
            VISIT=visit,
            VISITNUM=visitnum,
            LBDTC=day,
        )

    # -- what follows -------------------------------------------------------------------------
    def write_events(self) -> None:
        last_dose = self.doses[-1] if self.doses else None
        limit = min(self.death, self.dropout, self.cutoff + 1)
        kept = []
        for event in sorted(self.events, key=lambda e: (e.onset, str(e.spec.term))):
            onset = event.onset
            if onset >= limit or last_dose is None or onset > last_dose + 90:
                continue
            kept.append(event)
        for event in kept:
            spec: AeSpec = event.spec
            onset = event.onset
            end = event.end
            grade = event.grade
            fatal = grade == 5 and getattr(self, "fatal_event", None) is event
            if fatal:
                end = self.death
                outcome, end_value = FATAL, end
            elif end >= min(self.death, self.dropout, self.cutoff):
                outcome, end_value = NOT_RECOVERED, None
            else:
                outcome, end_value = RECOVERED, end
            entry = self.ae_terms.get(spec.term)
            relatedness = {}
            for number in range(1, len(self.plan.interventions) + 1):
                related = event.related and number == event.source
                in_arm = self.plan.interventions[number - 1] in {
                    i.name for i in self.arm.interventions
                }
                relatedness[relatedness_variable(number)] = (
                    (RELATED if related else NOT_RELATED) if in_arm else None
                )
            epoch = (
                EPOCH_TREATMENT if last_dose is None or onset <= last_dose + 30 else EPOCH_FOLLOW_UP
            )
            self.t.put(
                "AE",
                USUBJID=self.u,
                AETERM=spec.term,
                AELLT=entry.llt if entry else None,
                AELLTCD=entry.code if entry else None,
                AEDECOD=spec.term,
                AEBODSYS=entry.soc if entry else None,
                AETOXGR=str(grade),
                AESER=event.serious,
                AEREL=RELATED if event.related else NOT_RELATED,
                AEACN=event.action,
                AEACNOTH=event.other,
                AEOUT=outcome,
                EPOCH=epoch,
                AESTDTC=onset,
                AEENDTC=end_value,
                **relatedness,
            )
            if spec.medication and grade >= 2:
                self.t.put(
                    "CM",
                    USUBJID=self.u,
                    CMTRT=spec.medication,
                    CMCAT=treatment.CONCOMITANT,
                    CMINDC=spec.term.upper(),
                    CMSTDTC=onset,
                    CMENDTC=end_value if spec.medication != "LEVOTHYROXINE" else None,
                )
        self.kept_events = kept

    def follow_up(self) -> Course:
        p, t, u, rng = self.p, self.t, self.u, self.rng
        end_of_data = min(self.cutoff, self.dropout)
        if self.pd_day is not None and rng.random() < self.params.subsequent_therapy_rate:
            start = self.pd_day + int(rng.integers(14, 61))
            if start < min(self.death, end_of_data):
                options = (
                    ("FRUQUINTINIB", "TRIFLURIDINE/TIPIRACIL")
                    if self.plan.disease is Disease.CRC_LIVER
                    else ("DOCETAXEL", "PEMETREXED", "ANLOTINIB")
                )
                t.put(
                    "CM",
                    USUBJID=u,
                    CMTRT=str(options[int(rng.integers(len(options)))]),
                    CMCAT=treatment.SUBSEQUENT_THERAPY,
                    CMINDC=subject.PROGRESSIVE_DISEASE,
                    CMSTDTC=start,
                )
        death: int | None = None
        if self.death <= end_of_data:
            death = self.death
            fatal = getattr(self, "fatal_event", None)
            if fatal is not None and fatal in self.kept_events:
                cause = subject.death_cause_of_adverse_event(fatal.spec.term)
            elif self.pd_day is not None or not p.death_first or rng.random() < 0.7:
                cause = subject.PROGRESSIVE_DISEASE
            else:
                cause = subject.OTHER_CAUSE
            t.put("DS", USUBJID=u, **subject.death_record(cause), DSSTDTC=death)
            last_contact = death
        elif self.dropout <= self.cutoff:
            reason = self.dropout_reason
            t.put(
                "DS",
                USUBJID=u,
                **subject.disposition_record(subject.END_OF_STUDY, reason),
                DSSTDTC=self.dropout,
            )
            last_contact = self.dropout
        else:
            latest = max([self.last_scan, *(self.doses or [self.allocation])])
            last_contact = max(latest, self.cutoff - int(rng.integers(0, 31)))
            t.put(
                "DS",
                USUBJID=u,
                **subject.disposition_record(subject.ALIVE, subject.ALIVE),
                VISIT=SURVIVAL_FOLLOW_UP_VISIT,
                VISITNUM=float(VISITNUM_SURVIVAL_FOLLOW_UP),
                DSSTDTC=last_contact,
            )
        first = self.first_dose if self.p.treated and self.doses else None
        drug_days = list(self.doses)
        last = max(drug_days) if drug_days else None
        not_treated = None if first is not None else subject.ASSIGNED_NOT_TREATED
        _demographics(t, p, self.plan, first, last, last_contact, death, not_treated)
        return Course(first, last, last_contact, death)


def _abnormal(kind: str, lab: LabSpec, grade: int, rng: np.random.Generator) -> float | None:
    """A value of ``lab`` in the CTCAE v5.0 range of ``grade`` for the AE's lab kind."""
    # Sampling ranges inside the CTCAE v5.0 grade limits (oncotrial.catalogue.labs, grading).
    bands_uln = {  # multiples of the upper limit of normal
        labs.ALT.testcd: {1: (1.1, 3.0), 2: (3.1, 5.0), 3: (5.1, 20.0), 4: (21.0, 30.0)},
        labs.AST.testcd: {1: (1.1, 3.0), 2: (3.1, 5.0), 3: (5.1, 20.0), 4: (21.0, 30.0)},
        labs.BILI.testcd: {1: (1.1, 1.5), 2: (1.6, 3.0), 3: (3.1, 10.0), 4: (10.5, 15.0)},
    }
    absolute = {
        labs.HGB.testcd: {
            1: (100.0, 114.0),
            2: (80.0, 99.0),
            3: (65.0, 79.0),
            4: (55.0, 64.0),
            5: (55.0, 64.0),
        },
        labs.NEUT.testcd: {1: (1.5, 1.79), 2: (1.0, 1.49), 3: (0.5, 0.99), 4: (0.1, 0.49)},
        labs.PLAT.testcd: {1: (76.0, 124.0), 2: (50.0, 75.0), 3: (25.0, 49.0), 4: (5.0, 24.0)},
        _TSH: {1: (5.0, 20.0), 2: (10.0, 40.0), 3: (20.0, 60.0), 4: (40.0, 80.0), 5: (40.0, 80.0)},
        TSH_LOW: dict.fromkeys(range(1, 6), (0.01, 0.1)),
    }
    target = _TSH if kind == TSH_LOW else kind
    if lab.testcd != target:
        return None
    grade = max(1, min(grade, 4 if kind in bands_uln else 5))
    if kind in bands_uln:
        low, high = bands_uln[kind][min(grade, 4)]
        return float(rng.uniform(low, high) * lab.high)
    low, high = absolute[kind][grade]
    return float(rng.uniform(low, high))


def simulate_course(
    t: Tables,
    p: Patient,
    plan: TrialPlan,
    params: DesignParameters,
    rng: np.random.Generator,
    cutoff: int,
    ae_terms: dict[str, AeTerm],
) -> Course:
    """Write one enrolled patient's records; returns the dates the trial assembly needs."""
    course = _Course(t, p, plan, params, rng, cutoff, ae_terms)
    course.screening()
    course.timeline()
    course.screening_labs()
    course.adverse_events()
    course.tumour()
    course.treatment()
    course.write_events()
    return course.follow_up()
