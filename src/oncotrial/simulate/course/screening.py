"""Screening of an enrolled patient: consent, allocation, baseline vital signs, scores, disease
characteristics, biomarkers and prior therapy."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from oncotrial.catalogue import baseline, subject, treatment
from oncotrial.catalogue.common import NOT_DONE, SCREENING, VISITNUM_SCREENING, YES
from oncotrial.simulate.course.context import Context
from oncotrial.simulate.course.scores import write_ecog, write_qol
from oncotrial.simulate.profiles import LABS, Disease

__all__ = ["Screening", "screen"]


@dataclass(frozen=True)
class Screening:
    """The screening days and the baseline values later visits vary around."""

    screen_day: int
    baseline_scan: int
    allocation: int
    qol_base: float
    lab_base: Mapping[str, float]


def screen(c: Context) -> Screening:
    p, t, rng, u = c.p, c.t, c.rng, c.u
    screen_day = p.consent_day + int(rng.integers(0, 4))
    baseline_scan = p.consent_day + int(rng.integers(0, 11))
    allocation = max(baseline_scan, screen_day) + int(rng.integers(3, 15))
    t.put("DS", USUBJID=u, **subject.consent_record(), DSSTDTC=p.consent_day)
    kind = subject.RANDOMIZED if c.plan.randomized else subject.ENROLLED
    t.put(
        "DS",
        USUBJID=u,
        **subject.allocation_record(kind, p.stratum),
        VISIT=SCREENING,
        VISITNUM=VISITNUM_SCREENING,
        DSSTDTC=allocation,
    )
    d = screen_day
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
    write_ecog(c, p.ecog, SCREENING, 1.0, d, baseline=True)
    qol_base = float(np.clip(rng.normal(66.0, 17.0), 0.0, 100.0))
    write_qol(c, qol_base, SCREENING, 1.0, d, baseline=True)
    _disease(c, d, at_screening)
    _prior_therapy(c)
    lab_base = {
        lab.testcd: float(lab.median * math.exp(rng.normal(0.0, lab.spread))) for lab in LABS
    }
    # Eligibility asks for adequate organ function: baseline values inside 1.5 × the range.
    for lab in LABS:
        lab_base[lab.testcd] = float(np.clip(lab_base[lab.testcd], lab.low * 0.8, lab.high * 1.4))
    return Screening(screen_day, baseline_scan, allocation, qol_base, lab_base)


def _disease(c: Context, d: int, at_screening: dict[str, object]) -> None:
    """Stage, histology and primary site (SC), mutations (GF) and PD-L1 (MI) at screening."""
    p, t, u = c.p, c.t, c.u
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


def _prior_therapy(c: Context) -> None:
    if c.plan.prior_lines == 0:
        return
    if c.plan.disease is Disease.CRC_LIVER:
        regimen = ["OXALIPLATIN", "FLUOROURACIL", "BEVACIZUMAB"]
    else:
        regimen = [
            "CARBOPLATIN",
            "PEMETREXED" if "ADENO" in c.p.histology else "PACLITAXEL",
            "TISLELIZUMAB",
        ]
    start = c.p.consent_day - int(c.rng.integers(150, 400))
    end = c.p.consent_day - int(c.rng.integers(21, 60))
    for drug in regimen:
        c.t.put(
            "CM",
            USUBJID=c.u,
            CMTRT=drug,
            CMCAT=treatment.PRIOR_THERAPY,
            CMINDC=treatment.PRIMARY_MALIGNANCY,
            CMSTDTC=start,
            CMENDTC=end,
        )
