"""An endpoint's result in one line: the report's summary, the console, the web's trial page."""

from __future__ import annotations

from collections.abc import Sequence

from oncotrial.analysis.results import (
    BiomarkerOutcome,
    EndpointResult,
    LandmarkValue,
    QolOutcome,
    RateOutcome,
    SafetyOutcome,
    SurvivalRateOutcome,
    TteOutcome,
)
from oncotrial.report.trial.wording import ci, clause, first_clause, fmt_p, median_text, percent

__all__ = ["headline"]


def headline(item: EndpointResult, *, short: bool = False) -> str:
    """The endpoint's result in one line: the report's summary table, and (``short``) the
    console, where a reason for not computing it is cut to its first sentence."""
    outcome = item.outcome
    if outcome is None:
        if not item.reasons:
            return "not computable"
        reason = first_clause(item.reasons[0]) if short else clause(item.reasons[0])
        return "not computable: " + reason
    if isinstance(outcome, RateOutcome):
        return "; ".join(
            f"{_arm_prefix(outcome.rate.arms, a.arm)}{a.proportion.count}/{a.proportion.total} "
            f"({percent(a.proportion.estimate)}; 95% CI {100 * a.proportion.lower:.1f}–"
            f"{100 * a.proportion.upper:.1f})"
            for a in outcome.rate.arms
        )
    if isinstance(outcome, TteOutcome):
        parts = []
        for label, curve in outcome.curves:
            value, note = median_text(curve)
            parts.append(f"{_arm_prefix(outcome.curves, label)}median {value} ({note})")
        text = "; ".join(parts)
        if outcome.cox is not None and outcome.logrank is not None:
            term = outcome.cox.terms[0]
            text += (
                f"; HR {term.hr:.2f} ({term.lower:.2f}–{term.upper:.2f}), log-rank "
                f"{fmt_p(outcome.logrank.p)}"
            )
        return text
    if isinstance(outcome, SurvivalRateOutcome):
        return "; ".join(
            _arm_prefix(outcome.values, v.arm) + _landmark_text(v) for v in outcome.values
        )
    if isinstance(outcome, SafetyOutcome):
        overview = {c.id: counts for c, counts in outcome.overview}
        total = len(outcome.worst.arms) - 1  # the Total column
        any_teae, grade3 = overview["ANY"][total], overview["GRADE3"][total]
        return f"any TEAE {any_teae.describe()}; grade ≥ 3 {grade3.describe()}"
    if isinstance(outcome, BiomarkerOutcome):
        return (
            "; ".join(
                f"TPS {c.category.label}: {c.rate.count}/{c.rate.total}"
                for c in outcome.analysis.categories
            )
            + f"; Fisher {fmt_p(outcome.analysis.fisher_p)}"
        )
    if isinstance(outcome, QolOutcome):
        first = {}
        for row in outcome.summary.rows:
            if not row.baseline and row.change_mean is not None and row.arm not in first:
                first[row.arm] = row
        parts = [
            f"{_arm_prefix(outcome.summary.arms, arm)}{row.visit.lower()} mean change "
            f"{row.change_mean:+.1f} (n = {row.change_n})"
            for arm, row in first.items()
            if row.change_mean is not None
        ]
        return "; ".join(parts) or f"no post-baseline {outcome.summary.test} scores"
    return ""


def _landmark_text(value: LandmarkValue) -> str:
    e = value.estimate
    if e is None:
        return "not estimable"
    lower = f"{100 * e.lower:.1f}" if e.lower is not None else "–"
    upper = f"{100 * e.upper:.1f}" if e.upper is not None else "–"
    return f"{percent(e.survival)} ({ci(lower, upper)})"


def _arm_prefix(items: Sequence[object], label: str) -> str:
    return f"{label}: " if len(items) > 1 else ""
