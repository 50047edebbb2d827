"""Lesions: the baseline target and non-target lesions, their measured sizes, and the TU, TR and
RS rows of a scan."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from oncotrial.catalogue import tumour
from oncotrial.catalogue.common import LATERALITY, SCREENING, VISITNUM_SCREENING
from oncotrial.catalogue.tumour import LYMPH_NODE, LesionRole, LesionState
from oncotrial.simulate.course.context import CT, INVESTIGATOR, METHOD, Context
from oncotrial.simulate.profiles import NON_TARGET_SITES, ORGANS, Disease, OrganSpec

__all__ = [
    "LEFT",
    "RIGHT",
    "Lesion",
    "baseline_lesions",
    "measured_sizes",
    "write_baseline_lesions",
    "write_lesion",
    "write_measurements",
    "write_responses",
]

LEFT, RIGHT, _ = LATERALITY.codes


@dataclass(frozen=True)
class Lesion:
    """A lesion: where it is, and for a target its baseline size (mm) and how it responds.

    ``spread`` is the exponent of the lesion's own shrinkage or growth relative to the others'.
    """

    link: str
    organ: str
    detail: str | None
    side: str | None
    node: bool
    size: float = 0.0
    spread: float = 1.0


def baseline_lesions(
    rng: np.random.Generator, disease: Disease
) -> tuple[list[Lesion], list[Lesion]]:
    """The target and the non-target lesions found at baseline."""
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
            Lesion(
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
    organs = [str(sites[int(rng.integers(len(sites)))]) for _ in range(n_non)]
    non_targets = [
        Lesion(
            link=tumour.link_id(LesionRole.NON_TARGET, number),
            organ=organ,
            detail=None,
            side=None,
            node=organ == LYMPH_NODE,
        )
        for number, organ in enumerate(organs, start=1)
    ]
    return targets, non_targets


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
    return (LEFT if rng.random() < 0.5 else RIGHT) if lateral else None


def measured_sizes(
    rng: np.random.Generator,
    targets: list[Lesion],
    ratio: float,
    baseline_sum: float,
    noise: bool = True,
) -> list[float | None]:
    """The targets' measured diameters when their sum is ``ratio`` × the baseline sum."""
    raw = [lesion.size * ratio**lesion.spread for lesion in targets]
    scale = ratio * baseline_sum / max(sum(raw), 1e-9)
    values: list[float | None] = []
    errors = rng.normal(0.0, 0.6, len(targets)) if noise else np.zeros(len(targets))
    for lesion, size, error in zip(targets, raw, errors.tolist(), strict=True):
        value = round(size * scale + error)
        if lesion.node:
            values.append(float(max(value, 1)))
        else:
            values.append(float(max(value, 5)))  # "too small to measure" is 5 mm (RECIST 1.1)
    return values


def write_lesion(
    c: Context,
    lesion: Lesion,
    role: str,
    visit: str,
    visitnum: float,
    day: int,
) -> None:
    """The TU row identifying a lesion (location, method, evaluator)."""
    c.t.put(
        "TU",
        USUBJID=c.u,
        **tumour.lesion_record(
            lesion.link,
            role,
            lesion.organ,
            detail=lesion.detail,
            laterality=lesion.side,
            method=METHOD.get(lesion.organ, CT),
            evaluator=INVESTIGATOR,
        ),
        VISIT=visit,
        VISITNUM=visitnum,
        TUDTC=day,
    )


def write_baseline_lesions(c: Context, lesions: list[Lesion], day: int) -> None:
    for lesion in lesions:
        role = tumour.role_of_link(lesion.link)
        write_lesion(c, lesion, role, SCREENING, float(VISITNUM_SCREENING), day)


def write_measurements(
    c: Context,
    targets: list[Lesion],
    values: list[float | None],
    non_targets: list[Lesion],
    states: list[str | None],
    new_lesion: Lesion | None,
    visit: str,
    visitnum: float,
    day: int,
) -> None:
    """The TR rows of one scan: each target's diameter, each non-target's and new lesion's state."""
    t, u = c.t, c.u
    common = {
        "TRMETHOD": CT,
        "TREVAL": INVESTIGATOR,
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


def write_responses(
    c: Context,
    target: str | None,
    non_target: str | None,
    overall: str,
    visit: str,
    visitnum: float,
    day: int,
) -> None:
    """The RS rows of one scan (new lesions are in the TU and TR NEW records)."""
    rows = [(tumour.TARGET_RESPONSE, target)]
    if non_target is not None:
        rows.append((tumour.NON_TARGET_RESPONSE, non_target))
    rows.append((tumour.OVERALL_RESPONSE, overall))
    for test, value in rows:
        c.t.put(
            "RS",
            USUBJID=c.u,
            **tumour.response_record(test, value, c.plan.response.criteria.value),
            RSEVAL=INVESTIGATOR,
            RSACPTFL=tumour.ACCEPTED,
            VISIT=visit,
            VISITNUM=visitnum,
            RSDTC=day,
        )
