"""Scored questionnaires at a visit: the ECOG performance status and the QLQ-C30 global score."""

from __future__ import annotations

import numpy as np

from oncotrial.catalogue import baseline, tumour
from oncotrial.catalogue.common import YES
from oncotrial.catalogue.model import Test
from oncotrial.simulate.course.context import Context

__all__ = ["write_ecog", "write_qol", "write_qol_after_scan"]

_ECOG = baseline.ECOG_TEST
_QOL = baseline.QOL_GLOBAL_TEST
# How a scan's overall response moves the global health score (simulated effect sizes).
_QOL_SHIFT = {
    tumour.CR: 10.0,
    tumour.PR: 6.0,
    tumour.SD: 0.0,
    tumour.NON_CR_NON_PD: 0.0,
    tumour.NE: -2.0,
    tumour.PD: -12.0,
}


def write_ecog(
    c: Context, value: int, visit: str, visitnum: float, day: int, baseline: bool = False
) -> None:
    _score(c, _ECOG, str(value), float(value), visit, visitnum, day, baseline)


def write_qol(
    c: Context, score: float, visit: str, visitnum: float, day: int, baseline: bool = False
) -> None:
    # QLQ-C30 global health status: two 1–7 items, scored (mean − 1) / 6 × 100 (EORTC manual).
    items = round((score / 100.0) * 12.0)
    value = round(items / 12.0 * 100.0, 2)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    _score(c, _QOL, text, float(text), visit, visitnum, day, baseline)


def write_qol_after_scan(
    c: Context, qol_base: float, overall: str, visit: str, visitnum: float, day: int
) -> None:
    """The global score at a scan's visit, moved by the scan's overall response."""
    score = float(np.clip(qol_base + _QOL_SHIFT.get(overall, 0.0) + c.rng.normal(0, 8), 0, 100))
    write_qol(c, score, visit, visitnum, day)


def _score(
    c: Context,
    test: Test,
    text: str,
    number: float,
    visit: str,
    visitnum: float,
    day: int,
    baseline: bool,
) -> None:
    """A QS score (ECOG, QLQ-C30) as the catalogue's test writes it."""
    c.t.put(
        test.domain,
        USUBJID=c.u,
        **test.codes(),
        **test.result(text, number),
        QSBLFL=YES if baseline else None,
        VISIT=visit,
        VISITNUM=visitnum,
        QSDTC=day,
    )
