"""PD-L1 tumour proportion score (TPS) and response: rates by category and association tests.

Categories are declared (:data:`TPS_CATEGORIES`): < 1 %, 1–49 %, ≥ 50 % — the cut-offs of the
PD-L1 IHC 22C3 pharmDx NSCLC interpretation manual and KEYNOTE-024/-042. For the subjects with
a TPS: the response rate per category (exact CI), Fisher's exact test on the 2 × 3 table, the
Cochran-Armitage trend test over the ordered categories (scores 0, 1, 2; R
``prop.trend.test``), logistic regression with the odds ratio per 10 TPS points (Wald CI), and
the ROC AUC of TPS for response with DeLong's interval (pROC). Subjects without a TPS are left
out of these analyses and counted in ``missing_tps``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncotrial.endpoints.rates import ORR, RateDefinition, normalise_bor
from oncotrial.errors import AnalysisError, Problem, SchemaError, ValueProblem
from oncotrial.stats.fisher import fisher_exact_table
from oncotrial.stats.logistic import LogisticResult, logistic_regression
from oncotrial.stats.proportions import Proportion, binomial_ci
from oncotrial.stats.roc import RocAuc, roc_auc
from oncotrial.stats.trend import TrendResult, cochran_armitage

__all__ = [
    "TPS_CATEGORIES",
    "CategoryRate",
    "PdL1Analysis",
    "TpsCategory",
    "analyse_pdl1_response",
    "categorise_tps",
]


@dataclass(frozen=True)
class TpsCategory:
    label: str
    lower: float  # inclusive
    upper: float  # exclusive
    score: int
    source: str


_SOURCE = "PD-L1 IHC 22C3 pharmDx interpretation manual (NSCLC); KEYNOTE-024/-042 cut-offs"
TPS_CATEGORIES = (
    TpsCategory("<1%", 0.0, 1.0, 0, _SOURCE),
    TpsCategory("1–49%", 1.0, 50.0, 1, _SOURCE),
    TpsCategory("≥50%", 50.0, math.inf, 2, _SOURCE),
)


def categorise_tps(tps: float, *, record: str | None = None) -> TpsCategory:
    """The category of a TPS in percent (0–100)."""
    if not 0 <= tps <= 100:
        raise ValueProblem(
            f"PD-L1 TPS must be a percentage 0–100, got {tps:g}", record=record, field="TPS"
        )
    return next(c for c in TPS_CATEGORIES if c.lower <= tps < c.upper)


@dataclass(frozen=True)
class CategoryRate:
    category: TpsCategory
    rate: Proportion


@dataclass(frozen=True)
class PdL1Analysis:
    definition: RateDefinition
    categories: tuple[CategoryRate, ...]
    fisher_p: float
    trend: TrendResult | None
    logistic: LogisticResult | None
    roc: RocAuc | None
    analysed: int
    missing_tps: int
    notes: tuple[str, ...]


def analyse_pdl1_response(
    table: pd.DataFrame,
    *,
    subject: str = "USUBJID",
    tps: str = "TPS",
    bor: str = "BOR",
    definition: RateDefinition = ORR,
    per: float = 10.0,
    conf_level: float = 0.95,
) -> PdL1Analysis:
    """Response (``definition``, ORR by default) against PD-L1 TPS for one arm or trial.

    A test that cannot be done on these data (e.g. everyone responded, or the TPS separates
    responders completely) is left out with the reason in ``notes`` rather than reported as a
    number.
    """
    missing = [c for c in (subject, tps, bor) if c not in table.columns]
    if missing:
        raise SchemaError(
            f"the biomarker table has no column {', '.join(missing)}",
            field=missing[0],
            hint=f"Columns present: {', '.join(map(str, table.columns))}.",
        )
    problems: list[Problem] = []
    scores, responders = [], []
    missing_tps = 0
    for _, row in table.iterrows():
        who = str(row[subject])
        raw = row[tps]
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "":
            missing_tps += 1
            continue
        try:
            value = float(str(raw).strip().rstrip("%"))
            categorise_tps(value, record=who)
            response = normalise_bor(row[bor], record=who, field=bor)
        except ValueError:
            problems.append(Problem("TPS is not a number", record=who, field=tps, value=str(raw)))
            continue
        except ValueProblem as exc:
            problems.append(Problem(exc.message, record=who, field=exc.field))
            continue
        scores.append(value)
        responders.append(response in definition.responders)
    if problems:
        raise ValueProblem(
            f"{len(problems)} problem(s) in the biomarker table; first: {problems[0].message}",
            record=problems[0].record,
            field=problems[0].field,
            problems=problems,
        )
    if not scores:
        raise AnalysisError("no subject has a PD-L1 TPS", field=tps)
    x = np.array(scores)
    y = np.array(responders, dtype=int)
    category = np.array([categorise_tps(v).score for v in x])
    rates = []
    for cat in TPS_CATEGORIES:
        members = category == cat.score
        if members.any():
            rates.append(
                CategoryRate(
                    cat,
                    binomial_ci(int(y[members].sum()), int(members.sum()), conf_level=conf_level),
                )
            )
    counts = np.array(
        [
            [int(y[category == c.score].sum()) for c in TPS_CATEGORIES],
            [int((1 - y)[category == c.score].sum()) for c in TPS_CATEGORIES],
        ]
    )
    notes = []
    trend = logistic = auc = None
    try:
        trend = cochran_armitage(
            counts[0], counts.sum(axis=0), scores=[c.score for c in TPS_CATEGORIES]
        )
    except AnalysisError as exc:
        notes.append(f"trend test not done: {exc.message}")
    try:
        logistic = logistic_regression(y, x, per=per, name="TPS", conf_level=conf_level)
    except AnalysisError as exc:
        notes.append(f"logistic regression not done: {exc.message}")
    try:
        auc = roc_auc(x, y, conf_level=conf_level)
    except AnalysisError as exc:
        notes.append(f"ROC AUC not done: {exc.message}")
    return PdL1Analysis(
        definition=definition,
        categories=tuple(rates),
        fisher_p=fisher_exact_table(counts),
        trend=trend,
        logistic=logistic,
        roc=auc,
        analysed=int(x.size),
        missing_tps=missing_tps,
        notes=tuple(notes),
    )
