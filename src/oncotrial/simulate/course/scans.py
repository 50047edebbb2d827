"""Tumour assessments: the planned kinetics of the target sum, each scan's measurements, and each
scan read by the response engine with the protocol's criteria (RECIST 1.1, mRECIST, iRECIST)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from oncotrial.catalogue import tumour
from oncotrial.catalogue.common import SCREENING, assessment_visit
from oncotrial.catalogue.tumour import LYMPH_NODE, LesionRole, LesionState
from oncotrial.response import codes as rc
from oncotrial.response.reading import NewLesion, ScanReader
from oncotrial.response.settings import ResponseCriteria
from oncotrial.simulate.course.context import Context
from oncotrial.simulate.course.lesions import (
    Lesion,
    baseline_lesions,
    measured_sizes,
    write_baseline_lesions,
    write_lesion,
    write_measurements,
    write_responses,
)
from oncotrial.simulate.course.scores import write_qol_after_scan
from oncotrial.simulate.course.screening import Screening
from oncotrial.simulate.course.timeline import Timeline
from oncotrial.simulate.profiles import NEW_LESION_SITES

__all__ = ["Scans", "read_scans"]


@dataclass(frozen=True)
class Scans:
    """What the rest of the course needs from the tumour assessments."""

    lesions: tuple[Lesion, ...]  # the baseline target and non-target lesions
    pd_day: int | None  # the scan that showed progression (iRECIST: iCPD), if one did
    last_scan: int


@dataclass(frozen=True)
class _Kinetics:
    """The patient's planned target-sum ratios (to baseline) and how progression shows."""

    plateau: float  # stable disease
    pre_response: float  # a responder before the response
    depth: float  # the response
    growth: float  # progression, relative to the nadir
    mechanism: str  # target | new | non-target
    residual_nodes: Mapping[str, float]  # a node's short axis (mm) in complete response


def read_scans(c: Context, s: Screening, timeline: Timeline) -> Scans:
    p, plan, rng = c.p, c.plan, c.rng
    targets, non_targets = baseline_lesions(rng, plan.disease)
    write_baseline_lesions(c, targets + non_targets, s.baseline_scan)
    baseline_values: list[float | None] = [lesion.size for lesion in targets]
    present = [LesionState.PRESENT] * len(non_targets)
    write_measurements(
        c, targets, baseline_values, non_targets, list(present), None, SCREENING, 1.0,
        s.baseline_scan,
    )  # fmt: skip
    baseline_sum = float(sum(lesion.size for lesion in targets))
    nadir = baseline_sum
    # Each scan is read by the response engine's rules with the protocol's criteria.
    reader = ScanReader(
        [lesion.size for lesion in targets],
        [lesion.node for lesion in targets],
        len(non_targets),
        plan.response,
    )
    irecist = plan.response.criteria is ResponseCriteria.IRECIST
    iupd_sum = 0.0
    stop = min(timeline.death - 1, timeline.dropout, c.cutoff) if p.treated else -1
    interval, window = plan.imaging_interval_days, plan.imaging_window_days
    kinetics = _kinetics(c, targets, non_targets)
    new_lesion: Lesion | None = None
    planned_nadir = 1.0
    nadir_values = list(baseline_values)
    last_scan, pd_day = s.baseline_scan, None
    k = 0
    while True:
        k += 1
        day = timeline.reference + k * interval + int(rng.integers(-window, window + 1))
        if day <= last_scan:
            day = last_scan + 7
        if day > stop:
            break
        progressing = not p.death_first and k >= p.pd_scan
        responding = p.responder and k >= p.onset_scan
        growing = progressing and kinetics.mechanism == "target"
        ratio = _ratio(c, kinetics, k, growing, responding, planned_nadir, baseline_sum)
        if irecist and reader.awaiting_confirmation and kinetics.mechanism == "target":
            # iRECIST: the growth goes on after iUPD, so a later scan can confirm it (+5 mm).
            ratio = max(ratio, (iupd_sum + 8.0) / baseline_sum)
        if not progressing:
            planned_nadir = min(planned_nadir, ratio)
        if rng.random() < c.params.missed_scan_rate:
            continue  # the scan was not done
        values = _target_values(
            c, kinetics, reader, targets, ratio, baseline_sum, growing, responding, nadir_values
        )
        if not progressing and rng.random() < c.params.unevaluable_scan_rate:
            values[int(rng.integers(len(values)))] = None
        awaiting = irecist and reader.awaiting_confirmation
        states = _non_target_states(p.complete, kinetics, non_targets, progressing, responding,
                                    awaiting)  # fmt: skip
        name, number = assessment_visit(k, plan.imaging_interval_days)
        visit, visitnum = name, float(number)
        if progressing and kinetics.mechanism == "new" and new_lesion is None:
            new_lesion = _new_lesion(c, visit, visitnum, day)
        elif new_lesion is not None and awaiting:
            # iRECIST: the new lesion grows (or is now measured), which confirms the iUPD.
            grown = new_lesion.size + 6.0 if new_lesion.size else 10.0
            new_lesion = replace(new_lesion, size=grown)
        write_measurements(c, targets, values, non_targets, states, new_lesion, visit, visitnum,
                           day)  # fmt: skip
        new = [] if new_lesion is None else [NewLesion(new_lesion.link, None, new_lesion.size)]
        point = reader.read(day, values, states, new)
        if point.overall == rc.IUPD and not iupd_sum:
            iupd_sum = sum(v for v in values if v is not None)
        if point.target_sum is not None and point.target_sum <= nadir:
            nadir = point.target_sum
            nadir_values = list(values)
        write_responses(c, point.target, point.nontarget, point.overall, visit, visitnum, day)
        last_scan = day
        write_qol_after_scan(c, s.qol_base, point.recist_overall, visit, visitnum, day)
        if point.progression:
            pd_day = day
            break
    return Scans(tuple(targets + non_targets), pd_day, last_scan)


def _kinetics(c: Context, targets: list[Lesion], non_targets: list[Lesion]) -> _Kinetics:
    p, rng = c.p, c.rng
    plateau = float(rng.uniform(0.82, 1.08))
    pre_response = float(rng.uniform(0.78, 0.95))
    depth = float(rng.uniform(0.2, 0.62))
    growth = float(rng.uniform(1.3, 1.6))
    mechanism = p.mechanism if (p.mechanism != "non-target" or non_targets) else "target"
    if p.complete and mechanism == "target":
        mechanism = "new"
    # A complete response leaves nodes below 10 mm short axis (RECIST 1.1 §4.3.1), each at
    # its own size from scan to scan.
    residual_nodes = {lesion.link: float(rng.integers(5, 10)) for lesion in targets if lesion.node}
    return _Kinetics(plateau, pre_response, depth, growth, mechanism, residual_nodes)


def _ratio(
    c: Context,
    kinetics: _Kinetics,
    k: int,
    growing: bool,
    responding: bool,
    planned_nadir: float,
    baseline_sum: float,
) -> float:
    """The planned target sum at scan ``k`` as a ratio to the baseline sum."""
    if growing:
        # Growth over the planned nadir, by at least 8 mm (clear of RECIST 1.1's +5 mm, §4.3.1),
        # then 5% more at each later scan.
        return (
            planned_nadir
            * max(kinetics.growth, 1.0 + 8.0 / max(planned_nadir * baseline_sum, 1.0))
            * 1.05 ** (k - c.p.pd_scan)
        )
    if responding:
        return kinetics.depth
    if c.p.responder:
        return kinetics.pre_response
    return kinetics.plateau * (1.0 + float(c.rng.uniform(-0.015, 0.015)))


def _target_values(
    c: Context,
    kinetics: _Kinetics,
    reader: ScanReader,
    targets: list[Lesion],
    ratio: float,
    baseline_sum: float,
    growing: bool,
    responding: bool,
    nadir_values: list[float | None],
) -> list[float | None]:
    """The targets' measured diameters at a scan."""
    if c.p.complete and responding and not growing:
        return [kinetics.residual_nodes.get(lesion.link, 0.0) for lesion in targets]
    values = measured_sizes(c.rng, targets, ratio, baseline_sum)
    planned = "PD" if growing else ("PR" if responding else "SD")
    if _target_reading(reader, values) != planned:
        # Measurement noise must not change what the kinetics planned (a false PD after a noisy
        # low nadir, a response lost to rounding): measure without it, and failing that repeat
        # the measurements of the nadir.
        values = measured_sizes(c.rng, targets, ratio, baseline_sum, noise=False)
        if _target_reading(reader, values) != planned and planned != "PD":
            values = list(nadir_values)
    return values


def _target_reading(reader: ScanReader, values: list[float | None]) -> str:
    """The target response of ``values`` (PR for CR too: both are responses)."""
    target = reader.target_category(values)
    return "PR" if target == "CR" else target


def _non_target_states(
    complete: bool,
    kinetics: _Kinetics,
    non_targets: list[Lesion],
    progressing: bool,
    responding: bool,
    awaiting: bool,
) -> list[str | None]:
    states: list[str | None] = []
    for number, _lesion in enumerate(non_targets):
        if progressing and kinetics.mechanism == "non-target" and number == 0:
            # iRECIST: once iUPD, any further increase confirms it.
            states.append(LesionState.INCREASED if awaiting else LesionState.PROGRESSION)
        elif complete and responding:
            states.append(LesionState.ABSENT)
        else:
            states.append(LesionState.PRESENT)
    return states


def _new_lesion(c: Context, visit: str, visitnum: float, day: int) -> Lesion:
    """A new lesion at progression, measurable (10–25 mm) or not, and its TU row."""
    sites = NEW_LESION_SITES[c.plan.disease]
    organ = str(sites[int(c.rng.integers(len(sites)))])
    size = float(c.rng.integers(10, 26)) if c.rng.random() < 0.6 else 0.0
    lesion = Lesion(tumour.link_id(LesionRole.NEW, 1), organ, None, None, organ == LYMPH_NODE, size)
    write_lesion(c, lesion, LesionRole.NEW, visit, visitnum, day)
    return lesion
