"""What the simulator reads from a protocol: arms, allocation, treatment schedules, disease.

A protocol states some things (serplulimab 300 mg IV every 21 days, at most 6 cycles; a
cryoablation before the first dose) and is silent on others. Where it is silent the plan uses a
documented generic choice and records it in ``notes`` (docs/simulator.md, "Defaults"):

- a drug without a schedule: a 21-day cycle, dose not recorded, until progression, unacceptable
  toxicity or two years (35 cycles);
- a procedure without timing: once, 3–10 days before the first dose;
- radiotherapy without a schedule: 10 fractions over two weeks, starting 1–3 weeks after
  allocation, dose not recorded;
- no imaging interval: every 6 weeks with a ±7-day window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from oncotrial.catalogue.countries import location_country_code
from oncotrial.catalogue.treatment import DOSE_FORMS, ROUTE_OF_PROTOCOL
from oncotrial.protocol.dosing import Timing
from oncotrial.protocol.model import Arm, Intervention, Protocol
from oncotrial.protocol.vocabulary import ArmType, InterventionType
from oncotrial.response.settings import ResponseSettings
from oncotrial.simulate.parameters import ArmParameters, DesignParameters
from oncotrial.simulate.profiles import Disease, Profile

__all__ = ["ArmPlan", "InterventionPlan", "TrialPlan", "build_plan"]

GENERIC_CYCLE_DAYS = 21
GENERIC_MAX_CYCLES = 35
DEFAULT_START = date(2024, 1, 1)


_PD1 = re.compile(
    r"toripalimab|serplulimab|tislelizumab|sintilimab|camrelizumab|pembrolizumab|nivolumab|"
    r"atezolizumab|durvalumab|penpulimab|zimberelimab|cemiplimab|sugemalimab|adebrelimab|"
    r"pd-?1|pd-?l1|immunotherapy|checkpoint|maintenance",
    re.IGNORECASE,
)
_TKI = re.compile(r"\w+tinib\b|regorafenib|sorafenib|lenvatinib", re.IGNORECASE)
_CHEMO = re.compile(
    r"chemotherapy|carboplatin|cisplatin|pemetrexed|docetaxel|paclitaxel|gemcitabine|"
    r"oxaliplatin|fluorouracil|capecitabine|irinotecan",
    re.IGNORECASE,
)
_AGENT = re.compile(
    r"\w+mab\b|\w+tinib\b|regorafenib|sorafenib|platin|pemetrexed|taxel|gemcitabine|"
    r"fluorouracil|capecitabine|irinotecan",
    re.IGNORECASE,
)
_CRYO = re.compile(r"cryo", re.IGNORECASE)
_RFA = re.compile(r"radiofrequency|\brfa\b|microwave ablation", re.IGNORECASE)
_RADIATION = re.compile(r"radiotherapy|radiation|sbrt|stereotactic", re.IGNORECASE)


@dataclass(frozen=True)
class InterventionPlan:
    """How one intervention is given in the simulation."""

    name: str
    kind: str  # drug | procedure | radiation
    profiles: tuple[Profile, ...]
    dose: float | None
    unit: str | None
    route: str | None
    form: str | None
    frequency: str | None
    interval_days: int
    max_cycles: int
    oral_daily: bool
    before_first_dose: bool
    generic: bool

    @property
    def sdtm_name(self) -> str:
        return self.name.upper()


@dataclass(frozen=True)
class ArmPlan:
    code: str
    label: str
    control: bool
    weight: int
    interventions: tuple[InterventionPlan, ...]
    effect: ArmParameters

    @property
    def drugs(self) -> tuple[InterventionPlan, ...]:
        return tuple(i for i in self.interventions if i.kind == "drug")

    @property
    def local(self) -> tuple[InterventionPlan, ...]:
        return tuple(i for i in self.interventions if i.kind != "drug")


@dataclass(frozen=True)
class TrialPlan:
    studyid: str
    arms: tuple[ArmPlan, ...]
    randomized: bool
    reference: str  # "randomization" or "first dose"
    imaging_interval_days: int
    imaging_window_days: int
    confirmation_days: int
    disease: Disease
    driver_negative: bool
    prior_lines: int
    start: date
    sites: tuple[tuple[str, str, str], ...]  # (SITEID, name, ISO country)
    min_age: float
    max_age: float
    criteria: tuple[tuple[str, str, str], ...]  # (IETESTCD, IECAT, IETEST)
    interventions: tuple[str, ...]  # protocol order, for AEREL1, AEREL2, …
    stratification: tuple[str, ...]
    notes: tuple[str, ...]
    # The protocol's response criteria and settings: scans are read with them (RECIST 1.1,
    # mRECIST or iRECIST), so the RS records and the end of imaging follow the protocol.
    response: ResponseSettings = field(default_factory=ResponseSettings)


def _profiles(intervention: Intervention, kind: str) -> tuple[Profile, ...]:
    text = " ".join([intervention.name, *intervention.other_names, intervention.description or ""])
    if kind == "procedure":
        if _RFA.search(text):
            return (Profile.RFA,)
        return (Profile.CRYOABLATION,)
    if kind == "radiation":
        return (Profile.RADIOTHERAPY,)
    found = []
    name_text = " ".join([intervention.name, *intervention.other_names])
    if _PD1.search(name_text) or (not _TKI.search(name_text) and _PD1.search(text)):
        found.append(Profile.PD1)
    if _TKI.search(name_text):
        found.append(Profile.TKI)
    if _CHEMO.search(name_text):
        found.append(Profile.CHEMO)
    return tuple(found) or (Profile.PD1,)


def _kind(intervention: Intervention) -> str:
    if intervention.type is InterventionType.RADIATION or (
        intervention.type is InterventionType.OTHER and _RADIATION.search(intervention.name)
    ):
        return "radiation"
    if intervention.type in {InterventionType.PROCEDURE, InterventionType.DEVICE}:
        return "procedure"
    if intervention.type is InterventionType.OTHER and (
        _CRYO.search(intervention.name)
        or _RFA.search(intervention.name)
        or "ablation" in intervention.name.lower()
    ):
        return "procedure"
    return "drug"


def _intervention_plan(intervention: Intervention, notes: list[str]) -> InterventionPlan:
    kind = _kind(intervention)
    dosing = intervention.dosing
    route = ROUTE_OF_PROTOCOL.get(dosing.route.value) if dosing.route else None
    if kind != "drug":
        generic = dosing.timing is None and not dosing.once
        if generic:
            what = (
                "10 fractions over two weeks starting 1–3 weeks after allocation"
                if kind == "radiation"
                else "once, 3–10 days before the first dose"
            )
            notes.append(f"{intervention.name}: the protocol gives no timing; simulated {what}.")
        if kind == "radiation" and dosing.dose is None:
            notes.append(
                f"{intervention.name}: no radiotherapy dose in the protocol; PRDOSE left empty."
            )
        return InterventionPlan(
            name=intervention.name,
            kind=kind,
            profiles=_profiles(intervention, kind),
            dose=dosing.dose,
            unit=dosing.unit,
            route=route or ("PERCUTANEOUS" if kind == "procedure" else None),
            form=None,
            frequency=None,
            interval_days=0,
            max_cycles=1,
            oral_daily=False,
            before_first_dose=kind == "procedure" and dosing.timing is not Timing.AFTER_FIRST_DOSE,
            generic=generic,
        )
    interval = dosing.interval_days
    oral_daily = interval == 1
    generic = interval is None and not dosing.once
    if generic:
        notes.append(
            f"{intervention.name}: the protocol gives no dose or schedule; simulated on a generic "
            f"{GENERIC_CYCLE_DAYS}-day cycle with the dose not recorded (EXDOSE empty), until "
            f"progression, unacceptable toxicity or {GENERIC_MAX_CYCLES} cycles."
        )
    elif dosing.dose is None:
        notes.append(f"{intervention.name}: no dose in the protocol; EXDOSE left empty.")
    if not _AGENT.search(" ".join([intervention.name, *intervention.other_names])):
        profile = _profiles(intervention, "drug")[0]
        notes.append(
            f"{intervention.name}: the protocol does not name the agent; simulated with the "
            f"adverse-event profile of a {profile.value}."
        )
    cycle = GENERIC_CYCLE_DAYS if (generic or oral_daily or dosing.once) else int(interval or 21)
    max_cycles = 1 if dosing.once else (dosing.max_cycles or GENERIC_MAX_CYCLES)
    frequency = dosing.frequency or (
        "QD"
        if oral_daily
        else "ONCE"
        if dosing.once
        else f"Q{cycle // 7}W"
        if cycle % 7 == 0
        else f"Q{cycle}D"
    )
    return InterventionPlan(
        name=intervention.name,
        kind="drug",
        profiles=_profiles(intervention, "drug"),
        dose=dosing.dose,
        unit=dosing.unit,
        route=route,
        form=DOSE_FORMS.get(route or ""),
        frequency=None if generic else frequency,
        interval_days=cycle,
        max_cycles=max_cycles,
        oral_daily=oral_daily,
        before_first_dose=False,
        generic=generic,
    )


def _is_control(arm: Arm) -> bool:
    return arm.type in {
        ArmType.ACTIVE_COMPARATOR,
        ArmType.PLACEBO_COMPARATOR,
        ArmType.SHAM_COMPARATOR,
        ArmType.NO_INTERVENTION,
    }


def _disease(protocol: Protocol) -> Disease:
    text = " ".join([protocol.title, *protocol.conditions, *protocol.keywords]).lower()
    if re.search(r"colorectal|crc|colon|rectal", text):
        return Disease.CRC_LIVER
    if re.search(r"early[- ]stage|early lung|stage i\b|resectable", text):
        return Disease.NSCLC_EARLY
    return Disease.NSCLC_ADVANCED


def _start(protocol: Protocol, parameters: DesignParameters) -> date:
    if parameters.start_date is not None:
        return parameters.start_date
    start = protocol.status.start
    if start is not None:
        parts = [int(p) for p in start.date.split("-")]
        return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return DEFAULT_START


def _sites(protocol: Protocol) -> tuple[tuple[str, str, str], ...]:
    sites = []
    for number, location in enumerate(protocol.locations[:20], start=1):
        # DM.COUNTRY is ISO 3166-1 alpha-3 (catalogue.countries); an unknown name stays blank
        country = location_country_code(location.country or "") or ""
        sites.append((f"{number:02d}", location.facility or f"Site {number:02d}", country))
    if not sites:
        sites.append(("01", "Site 01", "CHN"))
    return tuple(sites)


def _criteria(protocol: Protocol) -> tuple[tuple[str, str, str], ...]:
    out = []
    for prefix, category, items in (
        ("IN", "INCLUSION", protocol.eligibility.inclusion),
        ("EX", "EXCLUSION", protocol.eligibility.exclusion),
    ):
        for criterion in items:
            if criterion.depth:
                continue
            number = int(re.sub(r"\D.*", "", criterion.id[1:]) or 0)
            out.append((f"{prefix}{number:02d}", category, criterion.text[:200]))
    if not out:  # a registration without itemised criteria: the usual reasons
        out = [
            ("IN01", "INCLUSION", "Measurable disease per RECIST 1.1"),
            ("IN02", "INCLUSION", "ECOG performance status 0-1"),
            ("IN03", "INCLUSION", "Adequate organ function"),
            ("EX01", "EXCLUSION", "Active autoimmune disease requiring systemic treatment"),
        ]
    return tuple(out)


def build_plan(protocol: Protocol, parameters: DesignParameters) -> TrialPlan:
    notes: list[str] = []
    by_name = {i.name: i for i in protocol.interventions}
    plans = {i.name: _intervention_plan(i, notes) for i in protocol.interventions}
    arms = protocol.arms or (Arm(label="Treatment", interventions=tuple(by_name)),)
    if not protocol.arms:
        notes.append("The protocol lists no arms; simulated one arm with every intervention.")
    ratio = protocol.analysis.randomization_ratio
    if ratio is not None and len(ratio) != len(arms):
        notes.append(f"Allocation ratio {ratio} does not match {len(arms)} arms; using 1:1.")
        ratio = None
    randomized = protocol.is_randomized and len(arms) > 1
    arm_plans = []
    control_median: float | None = None
    for number, arm in enumerate(arms):
        code = chr(ord("A") + number)
        control = randomized and _is_control(arm)
        effect = parameters.arms.get(arm.label) or parameters.arms.get(code)
        if effect is None:
            effect = parameters.control if control else parameters.experimental
        if control and control_median is None:
            control_median = effect.median_pfs_months
        interventions = tuple(plans[name] for name in arm.interventions if name in plans)
        if not interventions:
            notes.append(f"Arm {arm.label!r} names no known intervention; no treatment simulated.")
        arm_plans.append(
            ArmPlan(
                code=code,
                label=arm.label,
                control=control,
                weight=ratio[number] if ratio else 1,
                interventions=interventions,
                effect=effect,
            )
        )
    arm_plans = _apply_hazard_ratios(arm_plans, parameters, notes)
    analysis = protocol.analysis
    interval = parameters.imaging_interval_days or analysis.imaging_interval_days
    if interval is None:
        interval = 42
        notes.append("The protocol gives no imaging interval; simulated every 6 weeks.")
    window = parameters.imaging_window_days
    if window is None:
        window = analysis.imaging_window_days if analysis.imaging_window_days is not None else 7
    window = min(window, interval // 3)
    reference = (
        "first dose"
        if (analysis.reference_date and analysis.reference_date.value == "first dose")
        else "randomization"
    )
    text = " ".join([protocol.title, *(c.text for c in protocol.eligibility.criteria)]).lower()
    driver_negative = bool(
        re.search(r"driver[- ]negative|without (?:egfr|driver)|egfr[- ]negative|wild[- ]type", text)
    )
    prior = (
        1
        if re.search(
            r"after progression|previously treated|after (?:first|1st)-?line|oligo-?progress|"
            r"oligo-?residual|second[- ]line|after .*immunotherapy",
            text,
        )
        else 0
    )
    if _disease(protocol) is Disease.CRC_LIVER:
        prior = max(prior, 1)
    min_age = protocol.eligibility.minimum_age.years if protocol.eligibility.minimum_age else 18.0
    max_age = protocol.eligibility.maximum_age.years if protocol.eligibility.maximum_age else 80.0
    return TrialPlan(
        studyid=protocol.trial_id,
        arms=tuple(arm_plans),
        randomized=randomized,
        reference=reference,
        imaging_interval_days=int(interval),
        imaging_window_days=int(window),
        confirmation_days=(
            analysis.response.confirmation_days
            if analysis.response is not None and analysis.response.confirmation_days
            else 28
        ),
        disease=_disease(protocol),
        driver_negative=driver_negative,
        prior_lines=prior,
        start=_start(protocol, parameters),
        sites=_sites(protocol),
        min_age=min_age,
        max_age=min(max_age, 85.0),
        criteria=_criteria(protocol),
        interventions=tuple(i.name for i in protocol.interventions),
        stratification=tuple(protocol.analysis.stratification_factors),
        notes=tuple(notes),
        response=analysis.response or ResponseSettings(),
    )


def _apply_hazard_ratios(
    arm_plans: list[ArmPlan], parameters: DesignParameters, notes: list[str]
) -> list[ArmPlan]:
    """Experimental arms not given their own effect: the control arm's medians divided by the
    given hazard ratio (PFS, OS)."""
    if parameters.hazard_ratio is not None or parameters.os_hazard_ratio is not None:
        control_arm = next((a for a in arm_plans if a.control), None)
        if control_arm is None:
            notes.append("A hazard ratio was given but the protocol has no control arm; ignored.")
        else:
            adjusted = []
            for arm_plan in arm_plans:
                if (
                    arm_plan.control
                    or arm_plan.label in parameters.arms
                    or arm_plan.code in parameters.arms
                ):
                    adjusted.append(arm_plan)
                    continue
                base = control_arm.effect
                pfs = base.median_pfs_months / (parameters.hazard_ratio or 1.0)
                if parameters.hazard_ratio is None:
                    pfs = arm_plan.effect.median_pfs_months
                os_ = (
                    base.median_os_months / parameters.os_hazard_ratio
                    if parameters.os_hazard_ratio is not None
                    else max(arm_plan.effect.median_os_months, pfs * 1.5)
                )
                adjusted.append(
                    ArmPlan(
                        code=arm_plan.code,
                        label=arm_plan.label,
                        control=False,
                        weight=arm_plan.weight,
                        interventions=arm_plan.interventions,
                        effect=ArmParameters(
                            orr=arm_plan.effect.orr, median_pfs_months=pfs, median_os_months=os_
                        ),
                    )
                )
            arm_plans = adjusted
    return arm_plans
