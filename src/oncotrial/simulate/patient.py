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
    AeSpec,
    Disease,
    LabSpec,
    OrganSpec,
)

__all__ = ["AeTerm", "Course", "Patient", "simulate_course", "simulate_screen_failure"]

NEVER = 10**9


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
    days = k * plan.imaging_interval_days
    name = f"WEEK {days // 7}" if days % 7 == 0 else f"DAY {days}"
    return name, 200.0 + k


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
    return ("LEFT" if rng.random() < 0.5 else "RIGHT") if lateral else None


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
                link=f"T{number:02d}",
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
            link=f"NT{number:02d}",
            organ=str(sites[int(rng.integers(len(sites)))]),
            detail=None,
            side=None,
            node=False,
        )
        for number in range(1, n_non + 1)
    ]
    for lesion in non_targets:
        lesion.node = lesion.organ == "LYMPH NODE"
    return targets, non_targets


def simulate_screen_failure(
    t: Tables, p: Patient, plan: TrialPlan, rng: np.random.Generator
) -> Course:
    day = p.consent_day + int(rng.integers(3, 22))
    assert p.failed_criterion is not None
    code, category, text = p.failed_criterion
    t.put(
        "DS",
        USUBJID=p.usubjid,
        DSTERM="INFORMED CONSENT OBTAINED",
        DSDECOD="INFORMED CONSENT OBTAINED",
        DSCAT="PROTOCOL MILESTONE",
        EPOCH="SCREENING",
        VISIT="SCREENING",
        VISITNUM=1.0,
        DSSTDTC=p.consent_day,
    )
    t.put(
        "DS",
        USUBJID=p.usubjid,
        DSTERM=text.upper()[:200],
        DSDECOD="SCREEN FAILURE",
        DSCAT="DISPOSITION EVENT",
        DSSCAT="END OF SCREENING",
        EPOCH="SCREENING",
        VISIT="SCREENING",
        VISITNUM=1.0,
        DSSTDTC=day,
    )
    result = "N" if category == "INCLUSION" else "Y"
    t.put(
        "IE",
        USUBJID=p.usubjid,
        IETESTCD=code,
        IETEST=text,
        IECAT=category,
        IEORRES=result,
        IESTRESC=result,
        VISIT="SCREENING",
        VISITNUM=1.0,
        IEDTC=day,
    )
    _demographics(t, p, plan, None, None, day, None, "SCREEN FAILURE")
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
        DTHFL="Y" if death is not None else None,
        SITEID=p.site,
        BRTHDTC=str(p.birth_year),
        AGE=float(p.age),
        AGEU="YEARS",
        SEX=p.sex,
        RACE="ASIAN" if p.country in ("CHN", "JPN", "KOR", "TWN", "HKG") else "NOT REPORTED",
        ETHNIC="NOT HISPANIC OR LATINO"
        if p.country in ("CHN", "JPN", "KOR", "TWN", "HKG")
        else "NOT REPORTED",
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
        t.put(
            "DS",
            USUBJID=u,
            DSTERM="INFORMED CONSENT OBTAINED",
            DSDECOD="INFORMED CONSENT OBTAINED",
            DSCAT="PROTOCOL MILESTONE",
            EPOCH="SCREENING",
            VISIT="SCREENING",
            VISITNUM=1.0,
            DSSTDTC=p.consent_day,
        )
        term = "RANDOMIZED" if self.plan.randomized else "ENROLLED"
        t.put(
            "DS",
            USUBJID=u,
            DSTERM=term,
            DSDECOD=term,
            DSCAT="PROTOCOL MILESTONE",
            EPOCH="SCREENING",
            VISIT="SCREENING",
            VISITNUM=1.0,
            DSSTDTC=self.allocation,
            STRATUM=p.stratum,
        )
        d = self.screen_day
        t.put(
            "VS",
            USUBJID=u,
            VSTESTCD="HEIGHT",
            VSTEST="Height",
            VSORRES=f"{p.height:.0f}",
            VSORRESU="cm",
            VSSTRESC=f"{p.height:.0f}",
            VSSTRESN=float(f"{p.height:.0f}"),
            VSSTRESU="cm",
            VSBLFL="Y",
            VISIT="SCREENING",
            VISITNUM=1.0,
            VSDTC=d,
        )
        t.put(
            "VS",
            USUBJID=u,
            VSTESTCD="WEIGHT",
            VSTEST="Weight",
            VSORRES=f"{p.weight:.1f}",
            VSORRESU="kg",
            VSSTRESC=f"{p.weight:.1f}",
            VSSTRESN=float(f"{p.weight:.1f}"),
            VSSTRESU="kg",
            VSBLFL="Y",
            VISIT="SCREENING",
            VISITNUM=1.0,
            VSDTC=d,
        )
        self._ecog(p.ecog, "SCREENING", 1.0, d, baseline=True)
        self.qol_base = float(np.clip(rng.normal(66.0, 17.0), 0.0, 100.0))
        self._qol(self.qol_base, "SCREENING", 1.0, d, baseline=True)
        stage_cat = "AJCC 8TH EDITION"
        t.put(
            "SC",
            USUBJID=u,
            SCTESTCD="STAGE",
            SCTEST="Disease Stage",
            SCCAT=stage_cat,
            SCORRES=p.stage,
            SCSTRESC=p.stage,
            VISIT="SCREENING",
            VISITNUM=1.0,
            SCDTC=d,
        )
        t.put(
            "SC",
            USUBJID=u,
            SCTESTCD="HISTTYP",
            SCTEST="Histologic Type",
            SCORRES=p.histology,
            SCSTRESC=p.histology,
            VISIT="SCREENING",
            VISITNUM=1.0,
            SCDTC=d,
        )
        t.put(
            "SC",
            USUBJID=u,
            SCTESTCD="PRIMSITE",
            SCTEST="Primary Tumor Site",
            SCORRES=p.primary_site,
            SCSTRESC=p.primary_site,
            VISIT="SCREENING",
            VISITNUM=1.0,
            SCDTC=d,
        )
        for gene, status in p.genes:
            label = (
                "Microsatellite Instability Status" if gene == "MSI" else f"{gene} Mutation Status"
            )
            t.put(
                "GF",
                USUBJID=u,
                GFTESTCD=gene,
                GFTEST=label,
                GFORRES=status,
                GFSTRESC=status,
                GFMETHOD="NEXT GENERATION SEQUENCING",
                GFSPEC="TUMOR TISSUE",
                VISIT="SCREENING",
                VISITNUM=1.0,
                GFDTC=d,
            )
        if math.isnan(p.tps):
            t.put(
                "MI",
                USUBJID=u,
                MITESTCD="PDL1TPS",
                MITEST="PD-L1 Tumor Proportion Score",
                MISTAT="NOT DONE",
                MIREASND="INSUFFICIENT TUMOR CELLS",
                MIMETHOD="IMMUNOHISTOCHEMISTRY",
                MISPEC="TUMOR TISSUE",
                SPDEVID=p.assay,
                VISIT="SCREENING",
                VISITNUM=1.0,
                MIDTC=d,
            )
        else:
            text = f"{p.tps:.0f}"
            t.put(
                "MI",
                USUBJID=u,
                MITESTCD="PDL1TPS",
                MITEST="PD-L1 Tumor Proportion Score",
                MIORRES=text,
                MIORRESU="%",
                MISTRESC=text,
                MISTRESN=float(text),
                MISTRESU="%",
                MIMETHOD="IMMUNOHISTOCHEMISTRY",
                MISPEC="TUMOR TISSUE",
                SPDEVID=p.assay,
                VISIT="SCREENING",
                VISITNUM=1.0,
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
                CMCAT="PRIOR ANTICANCER THERAPY",
                CMINDC="PRIMARY MALIGNANCY",
                CMSTDTC=start,
                CMENDTC=end,
            )

    def _ecog(
        self, value: int, visit: str, visitnum: float, day: int, baseline: bool = False
    ) -> None:
        text = str(value)
        self.t.put(
            "QS",
            USUBJID=self.u,
            QSTESTCD="ECOG101",
            QSTEST="ECOG1-Performance Status",
            QSCAT="ECOG",
            QSORRES=text,
            QSSTRESC=text,
            QSSTRESN=float(value),
            QSBLFL="Y" if baseline else None,
            VISIT=visit,
            VISITNUM=visitnum,
            QSDTC=day,
        )

    def _qol(
        self, score: float, visit: str, visitnum: float, day: int, baseline: bool = False
    ) -> None:
        # QLQ-C30 global health status: two 1–7 items, scored (mean − 1) / 6 × 100 (EORTC manual).
        items = round((score / 100.0) * 12.0)
        value = round(items / 12.0 * 100.0, 2)
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        self.t.put(
            "QS",
            USUBJID=self.u,
            QSTESTCD="QLQGHS",
            QSTEST="Global Health Status/QoL Scale Score",
            QSCAT="EORTC QLQ-C30",
            QSORRES=text,
            QSSTRESC=text,
            QSSTRESN=float(text),
            QSBLFL="Y" if baseline else None,
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
            (e.onset for e in self.events if e.action == "DRUG WITHDRAWN"),
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
            action = "NOT APPLICABLE"
        elif grade >= 3 and spec.immune:
            action = "DRUG WITHDRAWN" if rng.random() < 0.7 else "DRUG INTERRUPTED"
        elif grade >= 3 or (grade == 2 and spec.immune and rng.random() < 0.5):
            action = "DRUG INTERRUPTED"
        else:
            action = "DOSE NOT CHANGED"
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
        method = {"BRAIN": "MRI"}
        for lesion in targets + non_targets:
            role = "TARGET" if lesion.link.startswith("T") else "NON-TARGET"
            t.put(
                "TU",
                USUBJID=u,
                TULNKID=lesion.link,
                TUTESTCD="TUMIDENT",
                TUTEST="Tumor Identification",
                TUORRES=role,
                TUSTRESC=role,
                TULOC=lesion.organ,
                TULOCDTL=lesion.detail,
                TULAT=lesion.side,
                TUMETHOD=method.get(lesion.organ, "CT SCAN"),
                TUEVAL="INVESTIGATOR",
                TUACPTFL="Y",
                VISIT="SCREENING",
                VISITNUM=1.0,
                TUDTC=self.baseline_scan,
            )
        baseline_values: list[float | None] = [lesion.size for lesion in targets]
        self._measure(
            targets,
            baseline_values,
            non_targets,
            ["PRESENT"] * len(non_targets),
            None,
            "SCREENING",
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
                    states.append("INCREASED" if awaiting else "UNEQUIVOCAL PROGRESSION")
                elif p.complete and responding:
                    states.append("ABSENT")
                else:
                    states.append("PRESENT")
            visit, visitnum = _visit(plan, k)
            if progressing and mechanism == "new" and new_lesion is None:
                sites = NEW_LESION_SITES[plan.disease]
                organ = str(sites[int(rng.integers(len(sites)))])
                new_lesion = _Lesion("NEW01", organ, None, None, organ == "LYMPH NODE")
                new_lesion.size = float(rng.integers(10, 26)) if rng.random() < 0.6 else 0.0
                t.put(
                    "TU",
                    USUBJID=u,
                    TULNKID="NEW01",
                    TUTESTCD="TUMIDENT",
                    TUTEST="Tumor Identification",
                    TUORRES="NEW",
                    TUSTRESC="NEW",
                    TULOC=organ,
                    TUMETHOD=method.get(organ, "CT SCAN"),
                    TUEVAL="INVESTIGATOR",
                    TUACPTFL="Y",
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
            "TRMETHOD": "CT SCAN",
            "TREVAL": "INVESTIGATOR",
            "TRACPTFL": "Y",
            "VISIT": visit,
            "VISITNUM": visitnum,
            "TRDTC": day,
        }
        for lesion, value in zip(targets, values, strict=True):
            code, test = (
                ("LPERP", "Longest Perpendicular") if lesion.node else ("LDIAM", "Longest Diameter")
            )
            if value is None:
                t.put(
                    "TR",
                    USUBJID=u,
                    TRGRPID="TARGET",
                    TRLNKID=lesion.link,
                    TRTESTCD=code,
                    TRTEST=test,
                    TRSTAT="NOT DONE",
                    TRREASND="NOT ASSESSABLE: IMAGE OBSCURED",
                    **common,
                )
                continue
            text = f"{value:.0f}"
            t.put(
                "TR",
                USUBJID=u,
                TRGRPID="TARGET",
                TRLNKID=lesion.link,
                TRTESTCD=code,
                TRTEST=test,
                TRORRES=text,
                TRORRESU="mm",
                TRSTRESC=text,
                TRSTRESN=value,
                TRSTRESU="mm",
                **common,
            )
        for lesion, state in zip(non_targets, states, strict=True):
            t.put(
                "TR",
                USUBJID=u,
                TRGRPID="NON-TARGET",
                TRLNKID=lesion.link,
                TRTESTCD="TUMSTATE",
                TRTEST="Tumor State",
                TRORRES=state,
                TRSTRESC=state,
                **common,
            )
        if new_lesion is not None:
            t.put(
                "TR",
                USUBJID=u,
                TRGRPID="NEW",
                TRLNKID=new_lesion.link,
                TRTESTCD="TUMSTATE",
                TRTEST="Tumor State",
                TRORRES="PRESENT",
                TRSTRESC="PRESENT",
                **common,
            )
            if new_lesion.size:
                text = f"{new_lesion.size:.0f}"
                code, test = (
                    ("LPERP", "Longest Perpendicular")
                    if new_lesion.node
                    else ("LDIAM", "Longest Diameter")
                )
                t.put(
                    "TR",
                    USUBJID=u,
                    TRGRPID="NEW",
                    TRLNKID=new_lesion.link,
                    TRTESTCD=code,
                    TRTEST=test,
                    TRORRES=text,
                    TRORRESU="mm",
                    TRSTRESC=text,
                    TRSTRESN=new_lesion.size,
                    TRSTRESU="mm",
                    **common,
                )

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
        rows = [("TRGRESP", "Target Response", target)]
        if non_target is not None:
            rows.append(("NTRGRESP", "Non-target Response", non_target))
        rows.append(("OVRLRESP", "Overall Response", overall))  # new lesions: TU/TR NEW records
        for code, test, value in rows:
            self.t.put(
                "RS",
                USUBJID=self.u,
                RSTESTCD=code,
                RSTEST=test,
                RSCAT=self.plan.response.criteria.value,
                RSORRES=value,
                RSSTRESC=value,
                RSEVAL="INVESTIGATOR",
                RSACPTFL="Y",
                VISIT=visit,
                VISITNUM=visitnum,
                RSDTC=day,
            )

    def _qol_at(self, overall: str, visit: str, visitnum: float, day: int) -> None:
        shift = {"CR": 10.0, "PR": 6.0, "SD": 0.0, "NON-CR/NON-PD": 0.0, "NE": -2.0, "PD": -12.0}
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
            target_site = "LIVER" if self.plan.disease is Disease.CRC_LIVER else "LUNG"
            side = "LEFT" if rng.random() < 0.45 else "RIGHT"
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
                    PRCAT="LOCAL THERAPY",
                    PRDOSE=intervention.dose if intervention.kind == "radiation" else None,
                    PRDOSU=intervention.unit
                    if intervention.kind == "radiation" and intervention.dose
                    else None,
                    PRLOC=location,
                    PRLAT=laterality,
                    PRLNKID=link,
                    EPOCH="TREATMENT",
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
            (e.onset, e.end) for e in self.events if e.action == "DRUG INTERRUPTED" and e.source > 0
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
                    adjustment = "DOSE DELAYED: ADVERSE EVENT"
                elif rng.random() < self.params.dose_delay_rate:
                    day += int(rng.integers(3, 11))
                    adjustment = "DOSE DELAYED: SCHEDULING"
                if day >= stop:
                    break
            visit, visitnum = f"CYCLE {cycle} DAY 1", 100.0 + cycle
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
                    EPOCH="TREATMENT",
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
                "PROGRESSIVE DISEASE",
            ),
            (self.withdrawn, "ADVERSE EVENT"),
            (self.death, "DEATH"),
            (self.dropout, self.dropout_reason),
        ]
        day_, reason = min(candidates, key=lambda c: c[0])
        if cycle >= max_cycles and last is not None and last + cycle_days <= day_:
            day_, reason = last + cycle_days, "COMPLETED"
        if day_ <= self.cutoff and day_ < NEVER:
            self.eot_day, self.eot_reason = max(day_, last or day_), reason
            term = {
                "ADVERSE EVENT": "ADVERSE EVENT",
                "PROGRESSIVE DISEASE": "PROGRESSIVE DISEASE",
            }.get(reason, reason)
            self.t.put(
                "DS",
                USUBJID=u,
                DSTERM=term,
                DSDECOD=reason,
                DSCAT="DISPOSITION EVENT",
                DSSCAT="END OF TREATMENT",
                EPOCH="TREATMENT",
                VISIT="END OF TREATMENT",
                VISITNUM=900.0,
                DSSTDTC=self.eot_day,
            )
            if reason not in ("DEATH",) and self.eot_day < min(self.death, self.dropout):
                worse = min(5, self.p.ecog + (1 if reason == "PROGRESSIVE DISEASE" else 0))
                self._ecog(worse, "END OF TREATMENT", 900.0, self.eot_day)

    @property
    def dropout_reason(self) -> str:
        if not hasattr(self, "_dropout_reason"):
            self._dropout_reason = (
                "WITHDRAWAL BY SUBJECT" if self.rng.random() < 0.6 else "LOST TO FOLLOW-UP"
            )
        return self._dropout_reason

    def _labs(self, day: int, visit: str, visitnum: float, cycle: int) -> None:
        # Pre-dose draws every other cycle from cycle 2 (the screening draw is the baseline):
        # liver tests and blood counts each time, TSH at every other draw, creatinine at screening.
        if cycle % 2 == 1:
            return
        noise = np.exp(self.rng.normal(0.0, 0.1, len(LABS)))
        for lab, factor in zip(LABS, noise.tolist(), strict=True):
            if lab.testcd == "CREAT" or (lab.testcd == "TSH" and cycle % 4 != 2):
                continue
            self._lab(lab, day, visit, visitnum, False, self.lab_base[lab.testcd] * factor)

    def screening_labs(self) -> None:
        for lab in LABS:
            self._lab(lab, self.screen_day, "SCREENING", 1.0, True, self.lab_base[lab.testcd])

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
        indicator = "LOW" if number < lab.low else "HIGH" if number > lab.high else "NORMAL"
        self.t.put(
            "LB",
            USUBJID=self.u,
            LBTESTCD=lab.testcd,
            LBTEST=lab.test,
            LBCAT=lab.category,
            LBLOINC=lab.loinc,
            LBORRES=text,
            LBORRESU=lab.unit,
            LBORNRLO=_LOW[lab.testcd],
            LBORNRHI=_HIGH[lab.testcd],
            LBSTRESC=text,
            LBSTRESN=number,
            LBSTRESU=lab.unit,
            LBSTNRLO=lab.low,
            LBSTNRHI=lab.high,
            LBNRIND=indicator,
            LBSPEC="SERUM" if lab.category != "HEMATOLOGY" else "WHOLE BLOOD",
            LBBLFL="Y" if baseline else None,
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
                outcome, end_value = "FATAL", end
            elif end >= min(self.death, self.dropout, self.cutoff):
                outcome, end_value = "NOT RECOVERED/NOT RESOLVED", None
            else:
                outcome, end_value = "RECOVERED/RESOLVED", end
            entry = self.ae_terms.get(spec.term)
            relatedness = {}
            for number in range(1, len(self.plan.interventions) + 1):
                related = event.related and number == event.source
                in_arm = self.plan.interventions[number - 1] in {
                    i.name for i in self.arm.interventions
                }
                relatedness[f"AEREL{number}"] = (
                    ("RELATED" if related else "NOT RELATED") if in_arm else None
                )
            epoch = "TREATMENT" if last_dose is None or onset <= last_dose + 30 else "FOLLOW-UP"
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
                AEREL="RELATED" if event.related else "NOT RELATED",
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
                    CMCAT="CONCOMITANT MEDICATION",
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
                    CMCAT="SUBSEQUENT ANTICANCER THERAPY",
                    CMINDC="PROGRESSIVE DISEASE",
                    CMSTDTC=start,
                )
        death: int | None = None
        if self.death <= end_of_data:
            death = self.death
            fatal = getattr(self, "fatal_event", None)
            if fatal is not None and fatal in self.kept_events:
                cause = f"ADVERSE EVENT: {fatal.spec.term.upper()}"
            elif self.pd_day is not None or not p.death_first or rng.random() < 0.7:
                cause = "PROGRESSIVE DISEASE"
            else:
                cause = "OTHER"
            t.put(
                "DS",
                USUBJID=u,
                DSTERM=cause,
                DSDECOD="DEATH",
                DSCAT="DISPOSITION EVENT",
                DSSCAT="END OF STUDY",
                EPOCH="FOLLOW-UP",
                DSSTDTC=death,
            )
            last_contact = death
        elif self.dropout <= self.cutoff:
            reason = self.dropout_reason
            t.put(
                "DS",
                USUBJID=u,
                DSTERM=reason,
                DSDECOD=reason,
                DSCAT="DISPOSITION EVENT",
                DSSCAT="END OF STUDY",
                EPOCH="FOLLOW-UP",
                DSSTDTC=self.dropout,
            )
            last_contact = self.dropout
        else:
            latest = max([self.last_scan, *(self.doses or [self.allocation])])
            last_contact = max(latest, self.cutoff - int(rng.integers(0, 31)))
            t.put(
                "DS",
                USUBJID=u,
                DSTERM="ALIVE AT SURVIVAL FOLLOW-UP CONTACT",
                DSDECOD="ALIVE",
                DSCAT="OTHER EVENT",
                DSSCAT="SURVIVAL FOLLOW-UP",
                EPOCH="FOLLOW-UP",
                VISIT="SURVIVAL FOLLOW-UP",
                VISITNUM=1000.0,
                DSSTDTC=last_contact,
            )
        first = self.first_dose if self.p.treated and self.doses else None
        drug_days = list(self.doses)
        last = max(drug_days) if drug_days else None
        not_treated = None if first is not None else "ASSIGNED, NOT TREATED"
        _demographics(t, p, self.plan, first, last, last_contact, death, not_treated)
        return Course(first, last, last_contact, death)


_LOW = {lab.testcd: f"{lab.low:g}" for lab in LABS}
_HIGH = {lab.testcd: f"{lab.high:g}" for lab in LABS}


def _abnormal(kind: str, lab: LabSpec, grade: int, rng: np.random.Generator) -> float | None:
    """A value of ``lab`` in the CTCAE v5.0 range of ``grade`` for the AE's lab kind."""
    bands_uln = {  # multiples of the upper limit of normal
        "ALT": {1: (1.1, 3.0), 2: (3.1, 5.0), 3: (5.1, 20.0), 4: (21.0, 30.0)},
        "AST": {1: (1.1, 3.0), 2: (3.1, 5.0), 3: (5.1, 20.0), 4: (21.0, 30.0)},
        "BILI": {1: (1.1, 1.5), 2: (1.6, 3.0), 3: (3.1, 10.0), 4: (10.5, 15.0)},
    }
    absolute = {
        "HGB": {
            1: (100.0, 114.0),
            2: (80.0, 99.0),
            3: (65.0, 79.0),
            4: (55.0, 64.0),
            5: (55.0, 64.0),
        },
        "NEUT": {1: (1.5, 1.79), 2: (1.0, 1.49), 3: (0.5, 0.99), 4: (0.1, 0.49)},
        "PLAT": {1: (76.0, 124.0), 2: (50.0, 75.0), 3: (25.0, 49.0), 4: (5.0, 24.0)},
        "TSH": {1: (5.0, 20.0), 2: (10.0, 40.0), 3: (20.0, 60.0), 4: (40.0, 80.0), 5: (40.0, 80.0)},
        "TSH_LOW": dict.fromkeys(range(1, 6), (0.01, 0.1)),
    }
    target = "TSH" if kind == "TSH_LOW" else kind
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
