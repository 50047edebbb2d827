"""Laboratory draws: the screening baseline, pre-dose draws, values linked to lab adverse events."""

from __future__ import annotations

import numpy as np

from oncotrial.catalogue import labs
from oncotrial.catalogue.common import SCREENING, YES
from oncotrial.simulate.course.adverse_events import Event
from oncotrial.simulate.course.context import Context
from oncotrial.simulate.course.screening import Screening
from oncotrial.simulate.profiles import LABS, TSH_LOW, LabSpec

__all__ = ["write_cycle_labs", "write_screening_labs"]

_CREAT, _TSH = labs.CREAT.testcd, labs.TSH.testcd


def write_screening_labs(c: Context, s: Screening) -> None:
    for lab in LABS:
        _lab(c, (), lab, s.screen_day, SCREENING, 1.0, True, s.lab_base[lab.testcd])


def write_cycle_labs(
    c: Context,
    s: Screening,
    lab_events: tuple[Event, ...],
    day: int,
    visit: str,
    visitnum: float,
    cycle: int,
) -> None:
    # Pre-dose draws every other cycle from cycle 2 (the screening draw is the baseline):
    # liver tests and blood counts each time, TSH at every other draw, creatinine at screening.
    if cycle % 2 == 1:
        return
    noise = np.exp(c.rng.normal(0.0, 0.1, len(LABS)))
    for lab, factor in zip(LABS, noise.tolist(), strict=True):
        if lab.testcd == _CREAT or (lab.testcd == _TSH and cycle % 4 != 2):
            continue
        _lab(c, lab_events, lab, day, visit, visitnum, False, s.lab_base[lab.testcd] * factor)


def _lab(
    c: Context,
    lab_events: tuple[Event, ...],
    lab: LabSpec,
    day: int,
    visit: str,
    visitnum: float,
    baseline: bool,
    value: float,
) -> None:
    if not baseline:
        for event in lab_events:
            if not event.onset <= day <= event.end:
                continue
            assert event.spec.lab is not None
            linked = _abnormal(event.spec.lab, lab, event.grade, c.rng)
            if linked is not None:
                value = linked
    text = f"{value:.{lab.decimals}f}"
    number = float(text)
    c.t.put(
        "LB",
        USUBJID=c.u,
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
